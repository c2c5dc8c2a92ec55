//! Runs the real Terraform CLI against the built provider in a temporary directory.
//!
//! A [`Workspace`] is one Terraform working directory with its own CLI configuration
//! (dev overrides pointing at the provider binary), its own HOME and a clean
//! environment, so tests run in parallel without seeing each other or the host's
//! `HW_*` and `TF_*` variables. Terraform 1.0.3 loads dev-overridden providers without
//! `terraform init` (and `init` fails offline looking the provider up), so no test
//! runs `init`.

pub mod calls;
pub mod checks;
pub mod diagnostics;
pub mod hcl;
pub mod process;
pub mod world;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::emulator::{Emulator, TEST_PROJECT, TEST_TOKEN};
pub use process::{Output, Running};

/// The provider binary cargo built for these tests.
pub const PROVIDER_BINARY: &str = env!("CARGO_BIN_EXE_terraform-provider-modelarts");

/// The Terraform version whose behaviour the suite asserts.
const TERRAFORM_VERSION: &str = "Terraform v1.0.3";

/// The Terraform binary from `make tools`, failing the test when it is missing or is
/// another version.
pub fn terraform_binary() -> PathBuf {
    static CHECKED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CHECKED
        .get_or_init(|| {
            let path = std::env::var_os("MODELARTS_TEST_TERRAFORM")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/bin/terraform")
                });
            assert!(
                path.is_file(),
                "Terraform 1.0.3 not found at {} (MODELARTS_TEST_TERRAFORM): run `make tools` \
                 in the repository root to install it",
                path.display()
            );
            let version = std::process::Command::new(&path)
                .arg("version")
                .env("CHECKPOINT_DISABLE", "1")
                .output()
                .expect("run terraform version");
            let version = String::from_utf8_lossy(&version.stdout);
            assert!(
                version.starts_with(TERRAFORM_VERSION),
                "{} is not {TERRAFORM_VERSION} but {:?}: run `make tools`",
                path.display(),
                version.lines().next().unwrap_or_default()
            );
            path
        })
        .clone()
}

/// One Terraform working directory wired to the provider binary.
pub struct Workspace {
    dir: tempfile::TempDir,
    env: BTreeMap<String, String>,
    runs: std::cell::Cell<u32>,
}

impl Workspace {
    /// A workspace whose provider reaches `emulator` with the test token, through the
    /// `HW_*` environment variables.
    pub fn new(emulator: &Emulator) -> Workspace {
        let mut workspace = Workspace::bare();
        workspace.set_env("HW_MODELARTS_ENDPOINT", &emulator.url);
        workspace.set_env("HW_REGION_NAME", "cn-north-4");
        workspace.set_env("HW_PROJECT_ID", TEST_PROJECT);
        workspace.set_env("HW_AUTH_TOKEN", TEST_TOKEN);
        workspace
    }

    /// A workspace with no provider settings in the environment at all.
    pub fn bare() -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("modelarts-e2e-")
            .tempdir()
            .expect("create a temporary directory");
        let provider_dir = Path::new(PROVIDER_BINARY)
            .parent()
            .expect("the provider binary has a directory");
        let cli_config = dir.path().join(".terraformrc");
        let overrides = format!(
            "provider_installation {{\n  dev_overrides {{\n    \
             \"modelarts/modelarts\" = {:?}\n  }}\n  direct {{}}\n}}\n",
            provider_dir.display().to_string()
        );
        std::fs::write(&cli_config, overrides).expect("write the CLI configuration");

        let mut env = BTreeMap::new();
        let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
        env.insert("PATH".into(), path);
        env.insert("HOME".into(), dir.path().display().to_string());
        env.insert(
            "TF_CLI_CONFIG_FILE".into(),
            cli_config.display().to_string(),
        );
        env.insert("TF_IN_AUTOMATION".into(), "1".into());
        env.insert("TF_INPUT".into(), "0".into());
        env.insert("CHECKPOINT_DISABLE".into(), "1".into());
        Workspace {
            dir,
            env,
            runs: std::cell::Cell::new(0),
        }
    }

    /// The working directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Sets an environment variable for every later command.
    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.insert(name.into(), value.into());
    }

    /// Removes an environment variable from every later command.
    pub fn remove_env(&mut self, name: &str) {
        self.env.remove(name);
    }

    /// Writes `main.tf`: the `required_providers` block followed by `body`.
    pub fn write_main(&self, body: &str) {
        let text = format!("{}\n{}", hcl::REQUIRED_PROVIDERS, body);
        std::fs::write(self.path().join("main.tf"), text).expect("write main.tf");
    }

    /// The raw `terraform.tfstate`, empty when there is none yet.
    pub fn state_file(&self) -> String {
        std::fs::read_to_string(self.path().join("terraform.tfstate")).unwrap_or_default()
    }

    /// Starts `terraform ARGS` without waiting, for tests that signal it.
    pub fn spawn(&self, args: &[&str]) -> Running {
        let n = self.runs.get() + 1;
        self.runs.set(n);
        let logs = self.path().join(format!(".run-{n}"));
        Running::start(&terraform_binary(), args, self.path(), &self.env, &logs)
    }

    /// Runs `terraform ARGS` to completion.
    pub fn run(&self, args: &[&str]) -> Output {
        self.spawn(args).wait()
    }

    /// Runs `terraform ARGS` and fails the test unless it exits 0.
    pub fn run_ok(&self, args: &[&str]) -> Output {
        let output = self.run(args);
        assert_eq!(output.code, 0, "terraform {args:?} failed: {output}");
        output
    }

    /// `terraform apply -auto-approve`, which must succeed.
    pub fn apply(&self) -> Output {
        self.run_ok(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `terraform apply -auto-approve -json`, whatever its outcome.
    pub fn apply_json(&self) -> Output {
        self.apply_json_with(&[])
    }

    /// `terraform apply -auto-approve -json` with `extra` flags, whatever its outcome.
    pub fn apply_json_with(&self, extra: &[&str]) -> Output {
        let mut args = vec!["apply", "-auto-approve", "-input=false", "-json"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `terraform destroy -auto-approve`, which must succeed.
    pub fn destroy(&self) -> Output {
        self.run_ok(&["destroy", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `terraform destroy -auto-approve`, whatever its outcome.
    pub fn try_destroy(&self) -> Output {
        self.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `terraform plan -detailed-exitcode`: 0 no changes, 1 error, 2 changes.
    pub fn plan(&self) -> Output {
        self.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"])
    }

    /// `terraform plan -json -detailed-exitcode`, for its diagnostics.
    pub fn plan_json(&self) -> Output {
        self.run(&["plan", "-detailed-exitcode", "-input=false", "-json"])
    }

    /// Fails the test unless `terraform plan -detailed-exitcode` exits 0.
    pub fn assert_no_changes(&self) {
        self.assert_plan_exit_code(0);
    }

    /// Fails the test unless `terraform plan -detailed-exitcode` exits `expected`.
    pub fn assert_plan_exit_code(&self, expected: i32) -> Output {
        let output = self.plan();
        assert_eq!(
            output.code, expected,
            "expected plan -detailed-exitcode to exit {expected}: {output}"
        );
        output
    }

    /// Saves a plan (with `extra` flags such as `-refresh-only`) and returns
    /// `terraform show -json` of it.
    pub fn saved_plan(&self, extra: &[&str]) -> Value {
        let mut args = vec!["plan", "-input=false", "-no-color", "-out=saved.tfplan"];
        args.extend_from_slice(extra);
        self.run_ok(&args);
        let shown = self.run_ok(&["show", "-json", "saved.tfplan"]);
        serde_json::from_str(&shown.stdout).expect("show -json prints JSON")
    }

    /// `terraform show -json` of the current state.
    pub fn show(&self) -> Value {
        let shown = self.run_ok(&["show", "-json", "-no-color"]);
        serde_json::from_str(&shown.stdout).expect("show -json prints JSON")
    }

    /// The attribute values of one resource in the state; `None` when it is not there.
    pub fn resource(&self, address: &str) -> Option<Value> {
        let shown = self.show();
        let resources = shown
            .pointer("/values/root_module/resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        resources
            .into_iter()
            .find(|r| r["address"] == address)
            .map(|r| r["values"].clone())
    }

    /// Addresses of every resource in the state.
    pub fn state_list(&self) -> Vec<String> {
        let output = self.run(&["state", "list", "-no-color"]);
        // With no state file at all Terraform 1.0.3 prints nothing and may exit 1.
        output.stdout.lines().map(str::to_owned).collect()
    }

    /// `terraform state rm ADDRESS`, which must succeed.
    pub fn state_rm(&self, address: &str) -> Output {
        self.run_ok(&["state", "rm", "-no-color", address])
    }

    /// `terraform import ADDRESS ID`, whatever its outcome (it has no `-json`).
    pub fn import(&self, address: &str, id: &str) -> Output {
        self.run(&["import", "-input=false", "-no-color", address, id])
    }
}

impl Drop for Workspace {
    /// Keeps the directory of a failed test (configuration, state, every command's
    /// output) and says where, so a CI failure can be read afterwards.
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.dir.disable_cleanup(true);
            eprintln!(
                "kept the Terraform workspace of the failed test at {}",
                self.path().display()
            );
        }
    }
}
