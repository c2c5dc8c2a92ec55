//! What the ModelArts client says when a call cannot give a trustworthy answer: a paged
//! read that contradicts itself, retries that ran out, a wait the deadline cannot hold,
//! and writes whose outcome is unknown.

mod support;

use std::time::Duration;

use serde_json::json;
use support::emulator::{Emulator, TEST_PROJECT, TEST_TOKEN};
use terraform_provider_modelarts::modelarts::{
    ApiRef, ClientConfig, ClientError, Credentials, ModelArtsClient, RetryPolicy, Secret,
};
use tokio::time::Instant;

const SERVICE: &str = "9f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f";
const API: &str = "3f2a9c7e5b1d4e6f8a0b2c4d6e8f0a1b";
const APPS: [&str; 3] = ["app-a", "app-b", "app-c"];

/// An emulator with one API and three apps, and a token client with `max_retries`.
fn setup(max_retries: u32) -> (Emulator, ModelArtsClient) {
    let emulator = Emulator::start();
    emulator.seed_simple(&[(SERVICE, &[API])], &APPS);
    let client = ModelArtsClient::new(ClientConfig {
        endpoint: emulator.url.clone(),
        credentials: Credentials::Token(Secret::new(TEST_TOKEN.into())),
        insecure: false,
        max_retries,
    })
    .expect("the client builds")
    .with_retry_policy(RetryPolicy {
        base: Duration::from_millis(20),
        cap: Duration::from_millis(100),
    });
    (emulator, client)
}

fn api() -> ApiRef {
    ApiRef {
        project_id: TEST_PROJECT.into(),
        workspace_id: "0".into(),
        service_id: SERVICE.into(),
        api_id: API.into(),
    }
}

fn apps() -> Vec<String> {
    APPS.iter().map(|s| s.to_string()).collect()
}

fn in_secs(seconds: u64) -> Instant {
    Instant::now() + Duration::from_secs(seconds)
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
