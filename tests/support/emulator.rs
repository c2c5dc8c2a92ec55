//! Starts the emulator binary on a free port and drives its control API.
//!
//! The helpers block. Each control call runs on its own short-lived thread because
//! `reqwest::blocking` refuses to run on a thread that drives an async runtime, and
//! the helpers must work from `#[tokio::test]` functions too.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use terraform_provider_modelarts::emulator::credentials::decode_query;
use terraform_provider_modelarts::modelarts::signing;

/// The project id the helper starts the emulator with.
pub const TEST_PROJECT: &str = "0b5f8c2e1d4a4f6e9a7b3c5d7e9f1a2b";
/// An `X-Auth-Token` the emulator accepts.
pub const TEST_TOKEN: &str = "test-token-6d1f0c";
/// An access key the emulator accepts, with [`TEST_SK`].
pub const TEST_AK: &str = "TESTAK0EMULATOR0KEY1";
/// The secret key of [`TEST_AK`].
pub const TEST_SK: &str = "test-secret-key-7f3a9b2c4d5e6f708192a3b4";

/// A running emulator process; killed when dropped.
pub struct Emulator {
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    child: Child,
}

fn on_thread<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| scope.spawn(work).join().expect("control call panicked"))
}

impl Emulator {
    /// Starts the emulator on 127.0.0.1:0 with the test credentials and project.
    pub fn start() -> Emulator {
        Self::start_with(&[])
    }

    /// Starts the emulator with the test credentials plus `extra_args`.
    pub fn start_with(extra_args: &[&str]) -> Emulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_modelarts-emulator"))
            .args(["--listen", "127.0.0.1:0", "--token", TEST_TOKEN])
            .args(["--access-key", TEST_AK, "--secret-key", TEST_SK])
            .args(["--project-id", TEST_PROJECT])
            .args(extra_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the emulator binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the emulator prints its address");
        let url = match line.trim().strip_prefix("listening on ") {
            Some(url) => url.to_string(),
            None => {
                let _ = child.kill();
                panic!("the emulator did not start: first line was {line:?}");
            }
        };
        Emulator { url, child }
    }

    /// The OS process id, for tests that signal or measure the process.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (a `kill` name such as `TERM` or `INT`) and waits for the
    /// process to exit.
    pub fn stop_with(mut self, signal: &str) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal} failed");
        self.child.wait().expect("the emulator exits")
    }

    fn control(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Value {
        let url = format!("{}/_emulator/{path}", self.url);
        on_thread(|| {
            let client = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("an HTTP client builds");
            let mut request = client.request(method.clone(), &url);
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request
                .send()
                .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
            let status = response.status();
            let text = response.text().expect("a control answer has a body");
            assert!(
                status.is_success(),
                "{method} {url} answered {status}: {text}"
            );
            if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).expect("control answers are JSON")
            }
        })
    }

    /// The world document (`GET /_emulator/state`).
    pub fn state(&self) -> Value {
        self.control(reqwest::Method::GET, "state", None)
    }

    /// Replaces the world (`PUT /_emulator/state`); panics if the emulator refuses it.
    pub fn put_state(&self, world: &Value) {
        self.control(reqwest::Method::PUT, "state", Some(world));
    }

    /// The call log, oldest first.
    pub fn calls(&self) -> Vec<Value> {
        match self.control(reqwest::Method::GET, "calls", None) {
            Value::Array(calls) => calls,
            other => panic!("the call log is not a list: {other}"),
        }
    }

    /// Empties the call log.
    pub fn clear_calls(&self) {
        self.control(reqwest::Method::DELETE, "calls", None);
    }

    /// Replaces the fault rules with `rules` (a JSON list).
    pub fn put_faults(&self, rules: &Value) {
        self.control(reqwest::Method::PUT, "faults", Some(rules));
    }

    /// Replaces the fault rules with one: the next authorize carrying `app_id` refuses
    /// that app inside its 200 (`success: false`), as a service refusing another user's
    /// app does; the other apps of the call succeed.
    pub fn refuse_authorize_once(&self, app_id: &str) {
        self.put_faults(
            &json!([{"operation": "authorize", "app_id": app_id, "times": 1,
            "fail_app_reason": "the app belongs to another user"}]),
        );
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.control(reqwest::Method::DELETE, "faults", None);
    }

    /// Merges `settings` (a partial JSON object) into the emulator's settings.
    pub fn put_settings(&self, settings: &Value) {
        self.control(reqwest::Method::PUT, "settings", Some(settings));
    }

    /// App ids authorized to (service, api) in a workspace (`"0"` is the default one),
    /// in the test project.
    pub fn authorized_apps(
        &self,
        service_id: &str,
        api_id: &str,
        workspace_id: &str,
    ) -> BTreeSet<String> {
        let state = self.state();
        let Some(auths) = state["projects"][TEST_PROJECT]["authorizations"].as_array() else {
            return BTreeSet::new();
        };
        auths
            .iter()
            .filter(|a| {
                a["service_id"] == service_id
                    && a["api_id"] == api_id
                    && a["workspace_id"] == workspace_id
            })
            .filter_map(|a| a["app_id"].as_str().map(str::to_string))
            .collect()
    }

    /// Replaces the world with one project (the test project) holding `services`, each
    /// with its APIs (auth type APP, default workspace), and `apps`; no authorizations.
    pub fn seed_simple(&self, services: &[(&str, &[&str])], apps: &[&str]) {
        let services: Vec<Value> = services
            .iter()
            .map(|(service_id, apis)| {
                let apis: Vec<Value> = apis
                    .iter()
                    .map(|api_id| {
                        json!({"api_id": api_id, "api_name": format!("api-{api_id}"),
                        "auth_type": "APP", "workspace_id": "0"})
                    })
                    .collect();
                json!({"service_id": service_id, "service_name": format!("service-{service_id}"),
                    "apis": apis})
            })
            .collect();
        let apps: Vec<Value> = apps
            .iter()
            .map(|app_id| {
                json!({"app_id": app_id, "app_name": format!("app-{app_id}"),
                "app_key": format!("key-{app_id}"), "app_secret": format!("secret-{app_id}"),
                "workspace_id": "0"})
            })
            .collect();
        self.put_state(
            &json!({"projects": {TEST_PROJECT: {"services": services, "apps": apps,
            "authorizations": []}}}),
        );
    }
}

/// How a request to the ModelArts API authenticates.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    /// `X-Auth-Token: TEST_TOKEN`.
    Token,
    /// Signed with `TEST_AK` / `TEST_SK` at the current time.
    Aksk,
    /// Signed with `TEST_AK` / `TEST_SK` at the given `X-Sdk-Date`.
    AkskAt(&'a str),
    /// No credential at all.
    None,
    /// Exactly these extra headers and nothing else.
    Headers(&'a [(&'a str, &'a str)]),
}

/// An answer of the ModelArts API.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body as JSON; `Null` when empty, a string when not JSON.
    pub body: Value,
}

impl Answer {
    /// The `X-Request-Id` header.
    pub fn request_id(&self) -> &str {
        self.headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `error_code` of an error body.
    pub fn error_code(&self) -> &str {
        self.body["error_code"].as_str().unwrap_or("")
    }
}

impl Emulator {
    /// Sends a token-authenticated request; `path` starts after `/v1/{TEST_PROJECT}`.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        self.send(
            method,
            &format!("/v1/{TEST_PROJECT}{path}"),
            &body,
            Auth::Token,
        )
    }

    /// Sends a request with a full path (and query) and the given credential.
    pub fn send(&self, method: &str, path_and_query: &str, body: &[u8], auth: Auth<'_>) -> Answer {
        let url = format!("{}{path_and_query}", self.url);
        let host = self.url.trim_start_matches("http://").to_string();
        let mut headers: Vec<(String, String)> =
            vec![("Content-Type".into(), "application/json".into())];
        match auth {
            Auth::Token => headers.push(("X-Auth-Token".into(), TEST_TOKEN.into())),
            Auth::None => {}
            Auth::Headers(extra) => {
                headers = extra
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect()
            }
            Auth::Aksk | Auth::AkskAt(_) => {
                let date = match auth {
                    Auth::AkskAt(date) => date.to_string(),
                    _ => chrono::Utc::now().format(signing::DATE_FORMAT).to_string(),
                };
                headers.push(("Host".into(), host));
                headers.push((signing::DATE_HEADER.into(), date));
                let (path, query) = path_and_query
                    .split_once('?')
                    .unwrap_or((path_and_query, ""));
                let decoded_path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
                let query = decode_query(query);
                let request = signing::SignableRequest {
                    method,
                    path: &decoded_path,
                    query: &query,
                    headers: &headers,
                    body,
                };
                let names = signing::signed_header_names(headers.iter().map(|(n, _)| n.as_str()));
                let signature = signing::sign(&request, &names, TEST_SK.as_bytes());
                let value = signing::authorization_header(TEST_AK, &names, &signature);
                headers.push(("Authorization".into(), value));
            }
        }
        let method: reqwest::Method = method.parse().expect("a valid method");
        let body = body.to_vec();
        on_thread(|| {
            let client = reqwest::blocking::Client::new();
            let mut request = client.request(method, &url).body(body);
            for (name, value) in &headers {
                request = request.header(name.as_str(), value.as_str());
            }
            let response = request.send().unwrap_or_else(|e| panic!("{url}: {e}"));
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let text = response.text().expect("an answer body");
            let body = match text.is_empty() {
                true => Value::Null,
                false => serde_json::from_str(&text).unwrap_or(Value::String(text)),
            };
            Answer {
                status,
                headers,
                body,
            }
        })
    }
}

impl Emulator {
    /// Opens a connection and sends one raw HTTP/1.1 request with the test token, so a
    /// test can see exactly what comes back, or go away before it does. `path` starts
    /// after `/v1/{TEST_PROJECT}`; `Content-Length` is `content_length` when given (it
    /// may promise more than `body` holds), else the length of `body`.
    pub fn send_raw(
        &self,
        method: &str,
        path: &str,
        content_length: Option<usize>,
        body: &str,
    ) -> TcpStream {
        let address = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).expect("the emulator accepts");
        let request = format!(
            "{method} /v1/{TEST_PROJECT}{path} HTTP/1.1\r\nHost: {address}\r\n\
             X-Auth-Token: {TEST_TOKEN}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            content_length.unwrap_or(body.len())
        );
        stream
            .write_all(request.as_bytes())
            .expect("the request is sent");
        stream
    }
}

/// Every byte the emulator sends on `stream` before it closes the connection.
pub fn read_until_closed(mut stream: TcpStream) -> Vec<u8> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a read timeout can be set");
    let mut received = Vec::new();
    match stream.read_to_end(&mut received) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the emulator neither answered nor closed the connection: {e}"),
    }
    received
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
