//! What the ModelArts client says when a call cannot give a trustworthy answer: a paged
//! read that contradicts itself, retries that ran out, a wait the deadline cannot hold,
//! and writes whose outcome is unknown.

mod support;

use std::time::Duration;

use serde_json::json;
use support::client::{api_of, fast_client, in_secs, token};
use support::emulator::{Emulator, TEST_TOKEN};
use terraform_provider_modelarts::modelarts::{ApiRef, ClientError, ModelArtsClient};
use tokio::time::Instant;

const SERVICE: &str = "9f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f";
const API: &str = "3f2a9c7e5b1d4e6f8a0b2c4d6e8f0a1b";
const APPS: [&str; 3] = ["app-a", "app-b", "app-c"];

/// An emulator with one API and three apps, and a token client with `max_retries`.
fn setup(max_retries: u32) -> (Emulator, ModelArtsClient) {
    let emulator = Emulator::start();
    emulator.seed_simple(&[(SERVICE, &[API])], &APPS);
    let client = fast_client(&emulator.url, token(), max_retries);
    (emulator, client)
}

fn api() -> ApiRef {
    api_of(SERVICE, API)
}

fn apps() -> Vec<String> {
    APPS.iter().map(|s| s.to_string()).collect()
}

/// The request ID of the emulator's last logged call.
fn last_request_id(emulator: &Emulator) -> String {
    let calls = emulator.calls();
    let last = calls.last().expect("a call was made");
    last["request_id"].as_str().unwrap().to_string()
}

/// An empty page below total_count fails as a decode error instead of a short list.
#[tokio::test]
async fn an_empty_page_below_total_count_is_a_decode_error() {
    let (emulator, client) = setup(0);
    emulator.put_faults(&json!([{"operation": "list_relations",
        "raw_body": r#"{"auths": [], "count": 0, "total_count": 5}"#}]));

    let error = client
        .list_authorized_apps(&api(), in_secs(30))
        .await
        .unwrap_err();
    assert!(matches!(error, ClientError::Decode { .. }), "{error}");
    assert_eq!(error.operation(), "list authorized apps");
    let request_id = last_request_id(&emulator);
    assert_eq!(error.request_id(), Some(request_id.as_str()));
    let text = error.to_string();
    for part in ["list authorized apps", &request_id, "came back empty", "5"] {
        assert!(text.contains(part), "{part} missing from {text}");
    }
}

/// A 503 past max_retries says how many attempts were made and what to do next.
#[tokio::test]
async fn server_errors_past_max_retries_name_the_attempts_and_the_next_step() {
    let (emulator, client) = setup(2);
    emulator.put_faults(&json!([{"operation": "list_relations", "status": 503,
        "raw_body": "<html><body>Service Unavailable</body></html>"}]));

    let error = client
        .list_authorized_apps(&api(), in_secs(30))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ClientError::RetriesExhausted { attempts: 3, .. }),
        "{error}"
    );
    assert_eq!(error.status(), Some(503));
    assert_eq!(emulator.calls().len(), 3);
    let request_id = last_request_id(&emulator);
    let text = error.to_string();
    for part in [
        "HTTP 503",
        "after 3 attempts",
        &request_id,
        "retry later",
        "max_retries",
    ] {
        assert!(text.contains(part), "{part} missing from {text}");
    }
}

/// A Retry-After longer than the time left fails at once, naming the wait asked.
#[tokio::test]
async fn a_retry_after_beyond_the_deadline_names_the_wait_asked() {
    let (emulator, client) = setup(5);
    emulator.put_faults(&json!([{"operation": "list_relations", "status": 429,
        "retry_after": 3600}]));

    let started = Instant::now();
    let error = client
        .list_authorized_apps(&api(), in_secs(30))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(
            error,
            ClientError::RetryAfterPastDeadline { attempts: 1, .. }
        ),
        "{error}"
    );
    assert!(error.is_throttled() && !error.is_timeout(), "{error}");
    let text = error.to_string();
    for part in [
        "asked to wait 3600 s",
        "exceeds the",
        "left before the deadline",
        "timeouts",
    ] {
        assert!(text.contains(part), "{part} missing from {text}");
    }
    assert!(!text.contains("deadline was reached"), "{text}");
    assert_eq!(emulator.calls().len(), 1);
}

/// An unreadable 200 names its status and request ID without nested parentheses.
#[tokio::test]
async fn an_unreadable_answer_names_status_and_request_id_plainly() {
    let (emulator, client) = setup(0);
    emulator.put_faults(&json!([{"operation": "list_relations", "raw_body": "{\"count\": 1}"}]));

    let error = client
        .list_authorized_apps(&api(), in_secs(30))
        .await
        .unwrap_err();
    let expected = format!("(HTTP 200, request ID {})", last_request_id(&emulator));
    assert!(error.to_string().contains(&expected), "{error}");
}

/// Apps in a chunk sent without a usable answer are "outcome unknown", not "never sent".
#[tokio::test]
async fn apps_sent_without_an_answer_have_an_unknown_outcome() {
    let cases = [
        (
            "5xx past retries",
            json!([{"operation": "authorize", "status": 500}]),
            5,
            true,
        ),
        (
            "no answer in time",
            json!([{"operation": "authorize", "delay_ms": 3_000}]),
            1,
            true,
        ),
        (
            "unreadable 200",
            json!([{"operation": "authorize", "raw_body": "{"}]),
            5,
            true,
        ),
        (
            "refused with 400",
            json!([{"operation": "authorize", "status": 400}]),
            5,
            false,
        ),
        (
            "conflict past retries",
            json!([{"operation": "authorize", "status": 409}]),
            5,
            false,
        ),
    ];
    for (name, faults, seconds, unknown) in cases {
        let (emulator, client) = setup(1);
        emulator.put_faults(&faults);
        let deadline = Instant::now() + Duration::from_millis(seconds * 500);
        let outcome = client.authorize_apps(&api(), &apps(), deadline).await;
        assert!(outcome.error.is_some(), "{name}");
        assert_eq!(outcome.not_attempted, apps(), "{name}");
        let expected = if unknown { apps() } else { Vec::new() };
        assert_eq!(outcome.unknown_outcome, expected, "{name}");
        let never: Vec<String> = apps().into_iter().filter(|_| !unknown).collect();
        assert_eq!(outcome.never_sent(), never, "{name}");
    }
}

/// Only the chunk that went out unanswered is unknown; later chunks were never sent.
#[tokio::test]
async fn later_chunks_after_an_unanswered_one_were_never_sent() {
    let emulator = Emulator::start();
    let many: Vec<String> = (0..250).map(|i| format!("{i:032x}")).collect();
    let ids: Vec<&str> = many.iter().map(String::as_str).collect();
    emulator.seed_simple(&[(SERVICE, &[API])], &ids);
    emulator.put_faults(&json!([{"operation": "authorize", "app_id": many[150], "status": 503}]));
    let client = fast_client(&emulator.url, token(), 1);

    let outcome = client.authorize_apps(&api(), &many, in_secs(30)).await;
    assert_eq!(outcome.succeeded, many[..100]);
    assert_eq!(outcome.not_attempted, many[100..]);
    assert_eq!(outcome.unknown_outcome, many[100..200]);
    assert_eq!(outcome.never_sent(), many[200..]);
}

/// A refused connection never reached the service, so nothing is of unknown outcome.
#[tokio::test]
async fn a_refused_connection_leaves_nothing_unknown() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = fast_client(&endpoint, token(), 1);

    let outcome = client.authorize_apps(&api(), &apps(), in_secs(30)).await;
    assert!(
        matches!(outcome.error, Some(ClientError::Transport { .. })),
        "{:?}",
        outcome.error
    );
    assert_eq!(outcome.not_attempted, apps());
    assert!(outcome.unknown_outcome.is_empty(), "{outcome:?}");
}

/// A 404 that is not the service's own "not found" (an HTML page from a proxy, a gateway's
/// unknown route) is an error, never "the API is gone", so no live authorization is dropped.
#[tokio::test]
async fn a_404_not_from_the_service_is_not_taken_as_gone() {
    let (emulator, client) = setup(0);
    client
        .authorize_apps(&api(), &apps(), in_secs(10))
        .await
        .error
        .map_or(Ok(()), Err)
        .expect("authorized");
    let answers = [
        json!({"operation": "list_relations", "status": 404,
               "raw_body": "<html><body>404 Not Found (nginx)</body></html>"}),
        json!({"operation": "list_relations", "status": 404,
               "error_code": "APIGW.0101", "error_msg": "route not found"}),
    ];
    for fault in answers {
        emulator.put_faults(&json!([fault]));
        let error = client
            .list_authorized_apps(&api(), in_secs(10))
            .await
            .expect_err("the read fails");
        assert!(!error.is_not_found(), "{fault}: {error}");
    }
    emulator.clear_faults();
    let error = client
        .list_authorized_apps(
            &ApiRef {
                api_id: "0123456789abcdef0123456789abcdef".into(),
                ..api()
            },
            in_secs(10),
        )
        .await
        .expect_err("an unknown API is not found");
    assert!(error.is_not_found(), "{error}");
}

/// A credential that the service echoes in its error message is masked in the error text.
#[tokio::test]
async fn an_echoed_token_never_reaches_the_error_text() {
    let (emulator, client) = setup(0);
    let echo = format!("Incorrect IAM authentication information: token {TEST_TOKEN} rejected");
    emulator.put_faults(&json!([{"operation": "list_relations", "status": 401,
        "error_code": "APIGW.0301", "error_msg": echo}]));
    let error = client
        .list_authorized_apps(&api(), in_secs(10))
        .await
        .expect_err("the read fails");
    let text = error.to_string();
    assert!(!text.contains(TEST_TOKEN), "{text}");
    assert!(text.contains("token *** rejected"), "{text}");
}
