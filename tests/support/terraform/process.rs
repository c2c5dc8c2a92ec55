//! Runs one Terraform command as a child process in its own process group, with its
//! output in files, so a test can wait for it, interrupt it or kill its plugins.

use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::diagnostics::{self, Diagnostic};
use super::PROVIDER_BINARY;

/// How long one Terraform command may run before the test fails as hung.
const COMMAND_LIMIT: Duration = Duration::from_secs(180);

/// What one Terraform command did.
#[derive(Debug)]
pub struct Output {
    /// Exit code; -1 when Terraform was killed by a signal.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Wall-clock time the command took.
    pub elapsed: Duration,
}

impl Output {
    /// Both streams, for matching messages wherever Terraform printed them.
    pub fn text(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// The diagnostics of a `-json` run.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        diagnostics::parse(&self.stdout)
    }

    /// The error diagnostics of a `-json` run.
    pub fn errors(&self) -> Vec<Diagnostic> {
        self.diagnostics()
            .into_iter()
            .filter(|d| d.severity == "error")
            .collect()
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code {} after {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.elapsed, self.stdout, self.stderr
        )
    }
}

/// A Terraform command that was started and not yet waited for.
pub struct Running {
    child: Child,
    logs: PathBuf,
    started: Instant,
}

impl Running {
    /// Starts `binary ARGS` in `dir` with exactly `env`, writing its output under `logs`.
    pub fn start(
        binary: &Path,
        args: &[&str],
        dir: &Path,
        env: &BTreeMap<String, String>,
        logs: &Path,
    ) -> Running {
        std::fs::create_dir_all(logs).expect("create the log directory");
        let stdout = std::fs::File::create(logs.join("stdout")).expect("create stdout file");
        let stderr = std::fs::File::create(logs.join("stderr")).expect("create stderr file");
        // Its own process group, so that a test can deliver Ctrl-C the way a terminal
        // does: to Terraform 1.0.3's panicwrap parent, its child and the plugins.
        let child = Command::new(binary)
            .process_group(0)
            .args(args)
            .current_dir(dir)
            .env_clear()
            .envs(env)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .expect("start terraform");
        Running {
            child,
            logs: logs.to_owned(),
            started: Instant::now(),
        }
    }

    fn read(&self, stream: &str) -> String {
        std::fs::read_to_string(self.logs.join(stream)).unwrap_or_default()
    }

    /// Waits for the command, killing it and failing the test when it runs past the
    /// hang limit.
    pub fn wait(mut self) -> Output {
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for terraform") {
                break status;
            }
            if self.started.elapsed() > COMMAND_LIMIT {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "terraform ran longer than {COMMAND_LIMIT:?}; output so far:\n{}\n{}",
                    self.read("stdout"),
                    self.read("stderr")
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        Output {
            code: status.code().unwrap_or(-1),
            stdout: self.read("stdout"),
            stderr: self.read("stderr"),
            elapsed: self.started.elapsed(),
        }
    }

    /// Sends SIGINT to the command's process group, as pressing Ctrl-C does.
    pub fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", "--", &format!("-{}", self.child.id())])
            .status()
            .expect("run kill");
        assert!(
            status.success(),
            "kill -INT reached terraform's process group"
        );
    }

    /// Sends SIGTERM to `terraform` alone, as a CI runner cancelling a job does.
    /// Terraform 1.0.3's panicwrap parent passes it to its child, which stops as on
    /// Ctrl-C; the plugins hear of it only through Terraform's StopProvider call.
    pub fn terminate_terraform_only(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM reached terraform");
    }

    /// Kills (SIGKILL) every provider plugin process in the command's process group,
    /// each by its id; returns how many.
    pub fn kill_providers(&self) -> usize {
        let listed = Command::new("pgrep")
            .args(["-g", &self.child.id().to_string()])
            .output()
            .expect("run pgrep");
        let plugins: Vec<String> = String::from_utf8_lossy(&listed.stdout)
            .split_whitespace()
            .filter(|pid| {
                std::fs::read_link(format!("/proc/{pid}/exe"))
                    .is_ok_and(|exe| exe.file_name() == Path::new(PROVIDER_BINARY).file_name())
            })
            .map(str::to_owned)
            .collect();
        for pid in &plugins {
            let _ = Command::new("kill").args(["-KILL", pid]).status();
        }
        plugins.len()
    }
}

impl Drop for Running {
    /// Kills a command still running when its test fails early, with its whole
    /// process group, so no Terraform or plugin outlives the test.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let group = format!("-{}", self.child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = self.child.wait();
        }
    }
}
