//! The ModelArts client's logs: one line per call with the fields users debug with,
//! retries as warnings, and never a secret. Alone in its test binary: `tracing` decides
//! once per call site whether a subscriber wants it, and a test running beside it that
//! reaches a call site first, with no subscriber of its own, could hide its lines from
//! this test's subscriber.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;
use support::client::{api_of, fast_client, in_secs, token};
use support::emulator::{Emulator, TEST_AK, TEST_SK, TEST_TOKEN};
use terraform_provider_modelarts::modelarts::{ApiRef, Credentials, Secret};

const SERVICE: &str = "9f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f";
const API: &str = "3f2a9c7e5b1d4e6f8a0b2c4d6e8f0a1b";
const APP: &str = "logic-app-ce0d0a41-451d-4563-94d9-acc75b5e440f";

fn api() -> ApiRef {
    api_of(SERVICE, API)
}

/// A log sink for one test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Each call logs one debug line with its fields, retries warn, and no secret appears.
#[tokio::test(flavor = "current_thread")]
async fn logs_name_each_call_and_never_a_secret() {
    let emulator = Emulator::start();
    emulator.seed_simple(&[(SERVICE, &[API])], &[APP]);
    emulator.put_faults(&json!([{"operation": "authorize", "status": 503, "times": 1}]));
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    for credentials in [
        token(),
        Credentials::AkSk {
            access_key: TEST_AK.into(),
            secret_key: Secret::new(TEST_SK.into()),
            security_token: None,
        },
    ] {
        let client = fast_client(&emulator.url, credentials, 3);
        client
            .authorize_apps(&api(), &[APP.into()], in_secs(30))
            .await;
        client
            .list_authorized_apps(&api(), in_secs(30))
            .await
            .unwrap();
    }

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let calls = logs
        .lines()
        .filter(|l| l.contains("transport: ModelArts call"))
        .count();
    assert_eq!(calls, emulator.calls().len(), "{logs}");
    for field in [
        "method=POST",
        "path=",
        "status=503",
        "duration_ms=",
        "attempt=2",
        "request_id=",
    ] {
        assert!(logs.contains(field), "{field} missing from {logs}");
    }
    assert!(
        logs.contains("WARN") && logs.contains("retrying the request after it answered HTTP 503"),
        "{logs}"
    );
    for secret in [TEST_TOKEN, TEST_SK, "Signature=", "secret-"] {
        assert!(!logs.contains(secret), "{secret} leaked into {logs}");
    }
}
