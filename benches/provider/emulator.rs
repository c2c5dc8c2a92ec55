//! The emulator process the benchmark runs against, its control API, and the worlds the
//! benchmark seeds it with.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

/// The project every benchmark world lives in.
pub const PROJECT: &str = "5e1d7c0b9a8f4e3d2c1b0a9f8e7d6c5b";
/// The token the provider presents.
pub const TOKEN: &str = "bench-token-2b9d41";

/// A running emulator; killed when dropped.
pub struct Emulator {
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    child: Child,
    http: reqwest::blocking::Client,
}

impl Emulator {
    /// Starts the release emulator on a free loopback port.
    pub fn start() -> Emulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_modelarts-emulator"))
            .args(["--listen", "127.0.0.1:0", "--token", TOKEN])
            .args(["--project-id", PROJECT])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the emulator starts");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout is piped");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the emulator prints its address");
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            panic!("the emulator did not start: {line:?}");
        };
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .expect("an HTTP client builds");
        Emulator {
            url: url.to_string(),
            child,
            http,
        }
    }

    fn control(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Value {
        let url = format!("{}/_emulator/{path}", self.url);
        let mut request = self.http.request(method.clone(), &url);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = response.status();
        let text = response.text().expect("a control answer has a body");
        assert!(status.is_success(), "{method} {url}: {status}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Replaces the world and empties the call log.
    pub fn reset(&self, world: &Value) {
        self.control(reqwest::Method::PUT, "state", Some(world));
        self.control(reqwest::Method::DELETE, "calls", None);
    }

    /// The call log since the last reset or [`Emulator::take_calls`], then empties it.
    pub fn take_calls(&self) -> Vec<Value> {
        let calls = match self.control(reqwest::Method::GET, "calls", None) {
            Value::Array(calls) => calls,
            other => panic!("the call log is not a list: {other}"),
        };
        self.control(reqwest::Method::DELETE, "calls", None);
        calls
    }

    /// The CPU time (user and system) the emulator has used so far.
    pub fn cpu_time(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .expect("/proc is readable");
        // The command name (field 2) may hold spaces; the fields after it do not.
        let after_name = &stat[stat.rfind(')').expect("a stat line") + 2..];
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let ticks: u64 =
            fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0);
        // SAFETY: sysconf only reads a configuration value.
        let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        Duration::from_micros(ticks * 1_000_000 / per_second)
    }

    /// Replaces the fault rules (an empty list removes them all).
    pub fn put_faults(&self, rules: &Value) {
        self.control(reqwest::Method::PUT, "faults", Some(rules));
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The ID of the `i`th app of a world.
pub fn app_id(i: usize) -> String {
    format!("app-{i:04}")
}

/// A world of `services` services named by `service_id(i)`, each with the API `api`,
/// and `apps` apps named by [`app_id`], with no authorizations.
pub fn world(services: &[String], apps: usize) -> Value {
    let services: Vec<Value> = services
        .iter()
        .map(|id| {
            json!({"service_id": id, "service_name": id,
                   "apis": [{"api_id": "api", "api_name": "infer"}]})
        })
        .collect();
    let apps: Vec<Value> = (0..apps)
        .map(|i| json!({"app_id": app_id(i), "app_name": app_id(i)}))
        .collect();
    json!({"projects": {PROJECT: {"services": services, "apps": apps, "authorizations": []}}})
}

/// The service IDs of `n` resources, one service each.
pub fn service_ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("svc-{i:04}")).collect()
}
