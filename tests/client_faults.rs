//! The ModelArts client under injected faults: throttling, server errors, conflicts,
//! stalls past the deadline, malformed and oversized answers, refused connections, and
//! stops. Its logs are proven in `client_logs.rs`.

mod support;

use std::time::Duration;

use serde_json::json;
use support::client::{api_of, fast_client, in_secs, token};
use support::emulator::{Emulator, TEST_PROJECT, TEST_TOKEN};
use terraform_provider_modelarts::modelarts::{
    ApiRef, ClientConfig, ClientError, Credentials, ModelArtsClient, RetryPolicy, Secret,
};
use terraform_provider_modelarts::stop::StopFlag;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

const SERVICE: &str = "9f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f";
const API: &str = "3f2a9c7e5b1d4e6f8a0b2c4d6e8f0a1b";
const APP: &str = "logic-app-ce0d0a41-451d-4563-94d9-acc75b5e440f";

/// An emulator with one API and one app, and a token client with `max_retries`.
fn setup(max_retries: u32) -> (Emulator, ModelArtsClient) {
    let emulator = Emulator::start();
    emulator.seed_simple(&[(SERVICE, &[API])], &[APP]);
    let client = fast_client(&emulator.url, token(), max_retries);
    (emulator, client)
}

fn api() -> ApiRef {
    api_of(SERVICE, API)
}

/// A 429 with Retry-After is waited out, then the call succeeds.
#[tokio::test]
async fn throttling_is_waited_out_as_retry_after_asks() {
    let (emulator, client) = setup(3);
    emulator.put_faults(
        &json!([{"operation": "authorize", "status": 429, "retry_after": 1,
        "times": 1}]),
    );

    let started = Instant::now();
    let outcome = client
        .authorize_apps(&api(), &[APP.into()], in_secs(30))
        .await;
    assert!(outcome.is_complete(), "{outcome:?}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let statuses: Vec<_> = emulator
        .calls()
        .iter()
        .map(|c| c["status"].clone())
        .collect();
    assert_eq!(statuses, [429, 200]);
}

/// Throttling that never ends fails as throttled once max_retries is spent.
#[tokio::test]
async fn endless_throttling_fails_as_throttled_after_max_retries() {
    let (emulator, client) = setup(2);
    emulator.put_faults(&json!([{"operation": "list_relations", "status": 429}]));

    let error = client
        .list_authorized_apps(&api(), in_secs(30))
        .await
        .unwrap_err();
    assert!(error.is_throttled(), "{error}");
    let text = error.to_string();
    for part in [
        "throttling requests",
        "max_retries",
        "-parallelism",
        "APIGW.0308",
    ] {
        assert!(text.contains(part), "{part} missing from {text}");
    }
    assert_eq!(emulator.calls().len(), 3);
}

/// Throttling whose Retry-After would pass the deadline stops before the deadline.
#[tokio::test]
async fn throttling_never_sleeps_past_the_deadline() {
    let (emulator, client) = setup(50);
    emulator.put_faults(&json!([{"operation": "list_relations", "status": 429,
        "retry_after": 1}]));

    let started = Instant::now();
    let error = client
        .list_authorized_apps(&api(), Instant::now() + Duration::from_millis(2_500))
        .await
        .unwrap_err();
    assert!(error.is_throttled(), "{error}");
    assert!(error.to_string().contains("deadline"), "{error}");
    assert!(started.elapsed() < Duration::from_millis(2_500));
    assert!(emulator.calls().len() <= 3);
}

/// A stop request ends the wait between retries at once: the authorize fails as
/// stopped, naming the operation, with its apps left unknown rather than failed (a
/// 500 may have been applied), and no further attempt is sent.
#[tokio::test]
async fn a_stop_ends_the_wait_between_retries() {
    let (emulator, client) = setup(5);
    let stop = StopFlag::default();
    let client = client
        .with_retry_policy(RetryPolicy {
            base: Duration::from_secs(20),
            cap: Duration::from_secs(20),
        })
        .with_stop(stop.clone());
    emulator.put_faults(&json!([{"operation": "authorize", "status": 500}]));
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.request();
    });

    let started = Instant::now();
    let outcome = client
        .authorize_apps(&api(), &[APP.into()], in_secs(120))
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let error = outcome.error.as_ref().expect("the batch failed");
    assert!(error.is_stopped(), "{error}");
    assert!(error.to_string().contains("authorize apps"), "{error}");
    assert_eq!(outcome.unknown_outcome, [APP]);
    assert_eq!(emulator.calls().len(), 1);
}

/// 400, 401, 403 and 404 are answered once and never retried.
#[tokio::test]
async fn client_errors_are_never_retried() {
    let (emulator, client) = setup(5);
    for status in [400u16, 401, 403, 404] {
        emulator.clear_calls();
        emulator.put_faults(&json!([{"operation": "list_relations", "status": status}]));
        let error = client
            .list_authorized_apps(&api(), in_secs(30))
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(status), "{error}");
        assert!(error.error_code().is_some(), "{error}");
        assert_eq!(emulator.calls().len(), 1, "HTTP {status}");
    }
}

/// A 503 on a read and a 409 on a write are retried, then succeed.
#[tokio::test]
async fn server_errors_and_conflicts_are_retried() {
    let (emulator, client) = setup(3);
    emulator.put_faults(&json!([
        {"operation": "list_relations", "status": 503, "times": 1},
        {"operation": "authorize", "status": 409, "times": 1},
    ]));

    assert!(client
        .authorize_apps(&api(), &[APP.into()], in_secs(30))
        .await
        .is_complete());
    let listed = client
        .list_authorized_apps(&api(), in_secs(30))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let statuses: Vec<_> = emulator
        .calls()
        .iter()
        .map(|c| c["status"].clone())
        .collect();
    assert_eq!(statuses, [409, 200, 503, 200]);
}

/// A service slower than the deadline ends in a timeout error that says so, on time.
#[tokio::test]
async fn a_stall_past_the_deadline_is_a_timeout() {
    let (emulator, client) = setup(3);
    emulator.put_faults(&json!([{"operation": "list_relations", "delay_ms": 3_000}]));

    let started = Instant::now();
    let error = client
        .list_authorized_apps(&api(), Instant::now() + Duration::from_millis(500))
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
    assert!(error.to_string().contains("deadline"), "{error}");
    assert!(started.elapsed() < Duration::from_millis(1_500));
}

/// Malformed answers are decode errors naming the operation and the request ID.
#[tokio::test]
async fn malformed_answers_are_decode_errors() {
    let (emulator, client) = setup(0);
    let cases = [
        ("truncated", r#"{"auths": [{"app": {"app_id": "#),
        ("html", "<html><body>Bad gateway</body></html>"),
        ("empty", ""),
        ("wrong types", r#"{"auths": "none", "total_count": "many"}"#),
        ("missing fields", r#"{"count": 1}"#),
        (
            "app without id",
            r#"{"auths": [{"app": {"app_name": "x"}}], "total_count": 1}"#,
        ),
    ];
    for (name, body) in cases {
        emulator.clear_calls();
        emulator.put_faults(&json!([{"operation": "list_relations", "raw_body": body}]));
        let error = client
            .list_authorized_apps(&api(), in_secs(30))
            .await
            .unwrap_err();
        assert!(
            matches!(error, ClientError::Decode { .. }),
            "{name}: {error}"
        );
        assert_eq!(error.operation(), "list authorized apps", "{name}");
        let logged = emulator.calls()[0]["request_id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(error.request_id(), Some(logged.as_str()), "{name}");
        assert!(error.to_string().contains(&logged), "{name}: {error}");
    }

    emulator.put_faults(&json!([{"operation": "authorize", "raw_body": "{\"auth_result\": 7}"}]));
    let outcome = client
        .authorize_apps(&api(), &[APP.into()], in_secs(30))
        .await;
    let error = outcome.error.expect("a decode error stops the batch");
    assert_eq!(error.operation(), "authorize apps");
    assert_eq!(outcome.not_attempted, [APP]);
}

/// An answer larger than the cap is refused without reading it all.
#[tokio::test]
async fn an_oversized_answer_is_a_decode_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                    transfer-encoding: chunked\r\nx-request-id: big-1\r\n\r\n";
        let _ = socket.write_all(head.as_bytes()).await;
        let chunk = format!("100000\r\n{}\r\n", "a".repeat(0x100000));
        for _ in 0..32 {
            if socket.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
        }
    });

    let client = fast_client(&endpoint, token(), 0);
    let error = client
        .list_authorized_apps(&api(), in_secs(30))
        .await
        .unwrap_err();
    assert!(matches!(error, ClientError::Decode { .. }), "{error}");
    assert!(error.to_string().contains("larger than"), "{error}");
    assert_eq!(error.request_id(), Some("big-1"));
}

/// A refused connection is retried max_retries times, then reported as transport.
#[tokio::test]
async fn refused_connections_are_retried_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);

    let client = fast_client(&endpoint, token(), 2);
    let error = client
        .list_authorized_apps(&api(), in_secs(30))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ClientError::Transport { attempts: 3, .. }),
        "{error}"
    );
}

/// A credential HTTP cannot carry fails at once, unsent and without echoing it.
#[tokio::test]
async fn a_credential_with_a_line_break_is_refused_unsent() {
    let (emulator, _) = setup(3);
    let broken = Credentials::Token(Secret::new("tok-line\nbreak-secret".into()));
    let client = fast_client(&emulator.url, broken, 3);
    let error = client
        .list_authorized_apps(&api(), in_secs(30))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ClientError::InvalidArgument { .. }),
        "{error}"
    );
    assert!(!error.to_string().contains("break-secret"), "{error}");
    assert!(emulator.calls().is_empty());
}

/// An attempt that gets no answer within the attempt timeout is retried, so one stalled
/// connection does not use up the whole operation timeout with a single try.
#[tokio::test]
async fn a_stalled_attempt_is_retried_within_the_deadline() {
    let emulator = Emulator::start();
    emulator.seed_simple(&[(STALL_SERVICE, &[STALL_API])], &["app-a"]);
    emulator.put_faults(&json!([{"operation": "list_relations", "delay_ms": 3000,
        "times": 1}]));
    let client = ModelArtsClient::new(ClientConfig {
        endpoint: emulator.url.clone(),
        credentials: Credentials::Token(Secret::new(TEST_TOKEN.into())),
        insecure: false,
        max_retries: 2,
    })
    .expect("the client builds")
    .with_attempt_timeout(Duration::from_millis(300));
    let api = ApiRef {
        project_id: TEST_PROJECT.into(),
        workspace_id: "0".into(),
        service_id: STALL_SERVICE.into(),
        api_id: STALL_API.into(),
    };

    let started = std::time::Instant::now();
    let apps = client
        .list_authorized_apps(&api, tokio::time::Instant::now() + Duration::from_secs(20))
        .await
        .expect("the second attempt answers");

    assert!(apps.is_empty());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "did not wait out the stall: {:?}",
        started.elapsed()
    );
}

const STALL_SERVICE: &str = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e";
const STALL_API: &str = "7e8f9a0b1c2d4e3f8a9b0c1d2e3f4a5b";
