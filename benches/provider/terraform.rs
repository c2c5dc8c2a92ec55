//! Terraform 1.0.3 working directories wired through `dev_overrides` to the real
//! provider, to the baseline, or to the memory launcher.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::emulator::{Emulator, PROJECT, TOKEN};
use crate::launcher;

/// The provider binary `cargo bench` built in release mode.
pub const PROVIDER_BINARY: &str = env!("CARGO_BIN_EXE_terraform-provider-modelarts");
/// Tells a copy of this benchmark that Terraform started it, and as what.
pub const ROLE_VAR: &str = "MODELARTS_BENCH_ROLE";
/// The name Terraform looks for in an override directory.
const EXECUTABLE: &str = "terraform-provider-modelarts";

/// The provider a workspace runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plugin {
    /// The real provider.
    Provider,
    /// The provider that does nothing (see `baseline.rs`).
    Baseline,
    /// The real provider behind the memory launcher.
    Launcher,
}

impl Plugin {
    /// The role a copy of this benchmark plays for Terraform, if any.
    pub fn role(self) -> Option<&'static str> {
        match self {
            Plugin::Provider => None,
            Plugin::Baseline => Some("baseline"),
            Plugin::Launcher => Some("launcher"),
        }
    }
}

/// Override directories holding copies of this benchmark, for the baseline and the
/// launcher roles, and the file the launcher records peaks in.
pub struct Plugins {
    dir: tempfile::TempDir,
}

impl Plugins {
    /// Copies this executable into one directory per role.
    pub fn install() -> Plugins {
        let dir = tempfile::Builder::new()
            .prefix("modelarts-bench-plugins-")
            .tempdir()
            .expect("a temporary directory");
        let this = std::env::current_exe().expect("the benchmark knows its executable");
        for plugin in [Plugin::Baseline, Plugin::Launcher] {
            let role = plugin.role().expect("a role");
            std::fs::create_dir(dir.path().join(role)).expect("a role directory");
            std::fs::copy(&this, dir.path().join(role).join(EXECUTABLE))
                .expect("copy the benchmark executable");
        }
        Plugins { dir }
    }

    /// The file of peaks the launcher appends to.
    pub fn peaks(&self) -> PathBuf {
        self.dir.path().join("peaks")
    }

    fn override_dir(&self, plugin: Plugin) -> PathBuf {
        match plugin.role() {
            None => Path::new(PROVIDER_BINARY)
                .parent()
                .expect("the provider has a directory")
                .to_path_buf(),
            Some(role) => self.dir.path().join(role),
        }
    }
}

/// The Terraform that `make tools` installs.
pub fn terraform_binary() -> PathBuf {
    let path = std::env::var_os("MODELARTS_TEST_TERRAFORM")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/bin/terraform"));
    assert!(
        path.is_file(),
        "Terraform 1.0.3 not found at {}: run `make tools` first",
        path.display()
    );
    path
}

/// One working directory with its own CLI configuration, HOME and environment.
pub struct Workspace {
    dir: tempfile::TempDir,
    env: BTreeMap<String, String>,
    /// CPU time (user and system) of the last run: Terraform and every process it
    /// waited for, the plugins included.
    last_cpu: std::cell::Cell<Duration>,
}

/// CPU time used so far by this process's children that have been waited for, and by
/// theirs in turn.
fn children_cpu() -> Duration {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

impl Workspace {
    /// A workspace running `plugin` against `emulator`.
    pub fn new(plugins: &Plugins, plugin: Plugin, emulator: &Emulator) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("modelarts-bench-")
            .tempdir()
            .expect("a temporary directory");
        let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
        let home = dir.path().display().to_string();
        let env = [
            ("PATH", path.as_str()),
            ("HOME", home.as_str()),
            ("TF_IN_AUTOMATION", "1"),
            ("TF_INPUT", "0"),
            ("CHECKPOINT_DISABLE", "1"),
            ("HW_MODELARTS_ENDPOINT", emulator.url.as_str()),
            ("HW_REGION_NAME", "cn-north-4"),
            ("HW_PROJECT_ID", PROJECT),
            ("HW_AUTH_TOKEN", TOKEN),
        ];
        let mut workspace = Workspace {
            env: env
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            dir,
            last_cpu: Default::default(),
        };
        workspace.use_plugin(plugins, plugin);
        workspace
    }

    /// Points later runs at another plugin, keeping the configuration and state.
    pub fn use_plugin(&mut self, plugins: &Plugins, plugin: Plugin) {
        let cli_config = self.dir.path().join(".terraformrc");
        let text = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"modelarts/modelarts\" = {:?}\n  \
             }}\n  direct {{}}\n}}\n",
            plugins.override_dir(plugin).display().to_string()
        );
        std::fs::write(&cli_config, text).expect("write the CLI configuration");
        self.env.insert(
            "TF_CLI_CONFIG_FILE".into(),
            cli_config.display().to_string(),
        );
        self.env.remove(ROLE_VAR);
        if let Some(role) = plugin.role() {
            self.env.insert(ROLE_VAR.into(), role.into());
        }
        self.env
            .insert(launcher::PROVIDER_VAR.into(), PROVIDER_BINARY.to_string());
        self.env.insert(
            launcher::PEAKS_VAR.into(),
            plugins.peaks().display().to_string(),
        );
    }

    /// Writes `main.tf`: the provider requirement, then `resources`.
    pub fn write_config(&self, resources: &str) {
        let text = format!(
            "terraform {{\n  required_providers {{\n    modelarts = {{\n      source = \
             \"modelarts/modelarts\"\n    }}\n  }}\n}}\n\n{resources}"
        );
        std::fs::write(self.dir.path().join("main.tf"), text).expect("write main.tf");
    }

    /// Deletes the state, so that the next apply creates everything again.
    pub fn forget_state(&self) {
        for name in ["terraform.tfstate", "terraform.tfstate.backup"] {
            let _ = std::fs::remove_file(self.dir.path().join(name));
        }
    }

    /// Runs `terraform ARGS` and returns its wall time; panics with its output when it
    /// exits with a code other than one of `ok_codes`.
    pub fn run_expecting(&self, args: &[&str], ok_codes: &[i32]) -> Duration {
        let started = Instant::now();
        let cpu_before = children_cpu();
        let output = Command::new(terraform_binary())
            .args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .envs(&self.env)
            .stdin(Stdio::null())
            .output()
            .expect("terraform starts");
        let elapsed = started.elapsed();
        self.last_cpu.set(children_cpu().saturating_sub(cpu_before));
        let code = output.status.code().unwrap_or(-1);
        assert!(
            ok_codes.contains(&code),
            "terraform {} exited with {code}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        elapsed
    }

    /// The CPU time of the last run, Terraform's and its plugins'.
    pub fn last_cpu(&self) -> Duration {
        self.last_cpu.get()
    }

    /// Runs `terraform ARGS`, which must succeed, and returns its wall time.
    pub fn run(&self, args: &[&str]) -> Duration {
        self.run_expecting(args, &[0])
    }
}

/// `count` instances of `modelarts_app_auth_api.bench` on API `api` of the service the
/// HCL expression `service` names, each authorized to the apps the expression `apps`
/// gives; both may use `count.index`.
pub fn resources_on(count: usize, service: &str, apps: &str) -> String {
    format!(
        "resource \"modelarts_app_auth_api\" \"bench\" {{\n  count      = {count}\n  \
         service_id = {service}\n  api_id     = \"api\"\n  app_ids    = {apps}\n}}\n"
    )
}

/// `count` resources, the `i`th on its own service `svc-{i:04}` (see
/// [`crate::emulator::service_ids`]), each authorized to `apps`.
pub fn resources(count: usize, apps: &str) -> String {
    resources_on(count, "format(\"svc-%04d\", count.index)", apps)
}

/// An HCL expression for the apps `first..first + count` named like the emulator's;
/// `first` is an HCL expression too.
pub fn app_range(first: &str, count: usize) -> String {
    format!("[for i in range({first}, {first} + {count}) : format(\"app-%04d\", i)]")
}
