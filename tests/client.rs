//! The ModelArts client against the emulator: round trips with both credential kinds,
//! workspaces, chunking, paging, per-app failures, apps, and coalesced reads.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::emulator::{Emulator, TEST_AK, TEST_PROJECT, TEST_SK, TEST_TOKEN};
use terraform_provider_modelarts::modelarts::{
    ApiRef, ClientConfig, Credentials, ModelArtsClient, RetryPolicy, Secret, MAX_APPS_PER_CALL,
};
use tokio::time::Instant;

const SERVICE: &str = "3b1e2a4c-5d6f-4a8b-9c0d-1e2f3a4b5c6d";
const API: &str = "logic-api-7c9e6679-7425-40de-944b-e07fc1f90ae7";

fn token() -> Credentials {
    Credentials::Token(Secret::new(TEST_TOKEN.into()))
}

fn aksk() -> Credentials {
    Credentials::AkSk {
        access_key: TEST_AK.into(),
        secret_key: Secret::new(TEST_SK.into()),
        security_token: None,
    }
}

fn client(emulator: &Emulator, credentials: Credentials) -> ModelArtsClient {
    ModelArtsClient::new(ClientConfig {
        endpoint: emulator.url.clone(),
        credentials,
        insecure: false,
        max_retries: 3,
    })
    .expect("the client builds")
    .with_retry_policy(RetryPolicy {
        base: Duration::from_millis(20),
        cap: Duration::from_millis(200),
    })
}

fn api_ref(workspace_id: &str) -> ApiRef {
    ApiRef {
        project_id: TEST_PROJECT.into(),
        workspace_id: workspace_id.into(),
        service_id: SERVICE.into(),
        api_id: API.into(),
    }
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(30)
}

fn app_ids(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{i:032x}")).collect()
}

fn seed(emulator: &Emulator, apps: &[String]) {
    let apps: Vec<&str> = apps.iter().map(String::as_str).collect();
    emulator.seed_simple(&[(SERVICE, &[API])], &apps);
}

/// Calls in the log whose method matches and whose path ends with `suffix`.
fn calls_to(emulator: &Emulator, method: &str, suffix: &str) -> Vec<Value> {
    emulator
        .calls()
        .into_iter()
        .filter(|c| c["method"] == method && c["path"].as_str().unwrap_or("").ends_with(suffix))
        .collect()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// An emulator with `count` apps, all authorized to the API, and a token client.
async fn with_authorized_apps(count: usize) -> (Emulator, ModelArtsClient, Vec<String>) {
    let emulator = Emulator::start();
    let apps = app_ids(count);
    seed(&emulator, &apps);
    let client = client(&emulator, token());
    let outcome = client
        .authorize_apps(&api_ref("0"), &apps, deadline())
        .await;
    assert!(outcome.is_complete(), "{:?}", outcome.error);
    (emulator, client, apps)
}

async fn round_trip(credentials: Credentials, kind: &str) {
    let emulator = Emulator::start();
    let apps = app_ids(3);
    seed(&emulator, &apps);
    let client = client(&emulator, credentials);
    let api = api_ref("0");

    let outcome = client.authorize_apps(&api, &apps, deadline()).await;
    assert!(outcome.is_complete(), "{outcome:?}");
    assert_eq!(sorted(outcome.succeeded), apps);
    let listed = client.list_authorized_apps(&api, deadline()).await.unwrap();
    assert_eq!(sorted(listed.into_iter().map(|a| a.app_id).collect()), apps);

    let outcome = client.cancel_apps(&api, &apps[..1], deadline()).await;
    assert!(outcome.is_complete(), "{outcome:?}");
    let expected: std::collections::BTreeSet<String> = apps[1..].iter().cloned().collect();
    assert_eq!(emulator.authorized_apps(SERVICE, API, "0"), expected);
    assert!(emulator
        .calls()
        .iter()
        .all(|c| c["auth"] == kind && c["status"] == 200));
}

/// Authorize, list and cancel work end to end with an IAM token.
#[tokio::test]
async fn authorize_list_and_cancel_round_trip_with_a_token() {
    round_trip(token(), "token").await;
}

/// Authorize, list and cancel work end to end with AK/SK signing.
#[tokio::test]
async fn authorize_list_and_cancel_round_trip_with_aksk() {
    round_trip(aksk(), "aksk").await;
}

/// A wrong secret key is refused with 401 and is not retried.
#[tokio::test]
async fn a_wrong_secret_key_is_refused_once() {
    let emulator = Emulator::start();
    seed(&emulator, &app_ids(1));
    let wrong = Credentials::AkSk {
        access_key: TEST_AK.into(),
        secret_key: Secret::new("not-the-secret-key".into()),
        security_token: None,
    };
    let error = client(&emulator, wrong)
        .list_authorized_apps(&api_ref("0"), deadline())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401), "{error}");
    assert!(!error.to_string().contains("not-the-secret-key"));
    assert_eq!(emulator.calls().len(), 1);
}

/// The default workspace is never sent; another one goes in the body, and in the query
/// of cancels and reads.
#[tokio::test]
async fn workspace_id_is_sent_only_when_not_the_default() {
    let emulator = Emulator::start();
    let apps = app_ids(2);
    seed(&emulator, &apps);
    let client = client(&emulator, token());

    let default = api_ref("0");
    client.authorize_apps(&default, &apps, deadline()).await;
    client
        .list_authorized_apps(&default, deadline())
        .await
        .unwrap();
    client.cancel_apps(&default, &apps, deadline()).await;
    for call in emulator.calls() {
        assert!(
            !call["query"].to_string().contains("workspace_id"),
            "{call}"
        );
    }

    // The emulator refuses an unknown workspace, which is fine: the request shape is
    // what this test is about.
    emulator.clear_calls();
    let other = api_ref("ws-1");
    client.authorize_apps(&other, &apps, deadline()).await;
    client.cancel_apps(&other, &apps, deadline()).await;
    let _ = client.list_authorized_apps(&other, deadline()).await;
    let calls = emulator.calls();
    assert_eq!(calls.len(), 3, "{calls:?}");
    for call in &calls {
        assert_eq!(call["workspace_id"], "ws-1", "{call}");
    }
    for call in &calls[1..] {
        assert!(call["query"].to_string().contains("ws-1"), "{call}");
    }
}

/// 250 apps go out as three authorize calls of at most 100 apps each.
#[tokio::test]
async fn two_hundred_fifty_apps_go_out_in_three_chunks() {
    let emulator = Emulator::start();
    let apps = app_ids(250);
    seed(&emulator, &apps);
    let client = client(&emulator, token());

    let outcome = client
        .authorize_apps(&api_ref("0"), &apps, deadline())
        .await;
    assert!(outcome.is_complete(), "{:?}", outcome.error);
    assert_eq!(outcome.succeeded.len(), 250);
    let calls = calls_to(&emulator, "POST", "/app-auth-api");
    let sizes: Vec<usize> = calls
        .iter()
        .map(|c| c["app_ids"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [MAX_APPS_PER_CALL, MAX_APPS_PER_CALL, 50]);
    assert_eq!(emulator.authorized_apps(SERVICE, API, "0").len(), 250);
}

/// A call-level failure stops the batch: earlier chunks stand, the rest is reported.
#[tokio::test]
async fn a_failing_chunk_stops_the_batch_and_reports_the_rest() {
    let emulator = Emulator::start();
    let apps = app_ids(250);
    seed(&emulator, &apps);
    emulator.put_faults(&json!([{"operation": "authorize", "app_id": apps[150], "status": 400}]));
    let client = client(&emulator, token());

    let outcome = client
        .authorize_apps(&api_ref("0"), &apps, deadline())
        .await;
    assert_eq!(outcome.succeeded, apps[..100]);
    assert_eq!(outcome.not_attempted, apps[100..]);
    assert_eq!(outcome.error.as_ref().and_then(|e| e.status()), Some(400));
    assert_eq!(calls_to(&emulator, "POST", "/app-auth-api").len(), 2);
    assert_eq!(emulator.authorized_apps(SERVICE, API, "0").len(), 100);
}

/// A failed element inside a 200 fails that app only, with the service's reason.
#[tokio::test]
async fn a_failed_element_fails_only_its_app() {
    let emulator = Emulator::start();
    let apps = app_ids(3);
    seed(&emulator, &apps);
    let reason = "the app is frozen";
    emulator.put_faults(&json!([{"operation": "authorize", "app_id": apps[1],
        "fail_app_reason": reason}]));
    let client = client(&emulator, token());

    let outcome = client
        .authorize_apps(&api_ref("0"), &apps, deadline())
        .await;
    assert_eq!(
        sorted(outcome.succeeded.clone()),
        vec![apps[0].clone(), apps[2].clone()]
    );
    assert_eq!(outcome.failed.len(), 1);
    assert_eq!(outcome.failed[0].app_id, apps[1]);
    assert!(outcome.failed[0].reason.contains(reason));
    assert!(outcome.error.is_none() && outcome.not_attempted.is_empty());
}

/// Every page of a large set is followed, whether offset counts pages or items.
#[tokio::test]
async fn a_large_set_is_read_across_every_page() {
    let (emulator, client, apps) = with_authorized_apps(230).await;
    let api = api_ref("0");

    for (unit, max_calls) in [("pages", 10), ("items", 11)] {
        emulator.put_settings(&json!({"page_size_cap": 25, "offset_unit": unit}));
        emulator.clear_calls();
        let listed = client.list_authorized_apps(&api, deadline()).await.unwrap();
        let ids: Vec<String> = listed.into_iter().map(|a| a.app_id).collect();
        assert_eq!(ids.len(), 230, "{unit}: no duplicates");
        assert_eq!(sorted(ids), apps, "{unit}");
        let reads = calls_to(&emulator, "GET", "/api-auths").len();
        assert!(reads <= max_calls, "{unit}: {reads} reads");
    }
}

/// Reading an API that does not exist is a not-found error.
#[tokio::test]
async fn listing_an_unknown_api_is_not_found() {
    let emulator = Emulator::start();
    seed(&emulator, &app_ids(1));
    let mut api = api_ref("0");
    api.api_id = "logic-api-00000000-0000-0000-0000-000000000000".into();
    let error = client(&emulator, token())
        .list_authorized_apps(&api, deadline())
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error}");
    assert_eq!(emulator.calls().len(), 1);
}

/// Apps can be created, shown, listed by name and deleted; a deleted app is not found.
#[tokio::test]
async fn apps_are_created_shown_listed_and_deleted() {
    let emulator = Emulator::start();
    seed(&emulator, &[]);
    let client = client(&emulator, aksk());

    let app = client
        .create_app(
            TEST_PROJECT,
            "0",
            "inference-app",
            Some("for tests"),
            deadline(),
        )
        .await
        .unwrap();
    assert_eq!(app.app_name, "inference-app");
    assert_eq!(app.app_remark.as_deref(), Some("for tests"));
    let shown = client
        .show_app(TEST_PROJECT, "0", &app.app_id, deadline())
        .await
        .unwrap();
    assert_eq!(shown.app_id, app.app_id);
    let listed = client
        .list_apps(TEST_PROJECT, "0", Some("inference"), deadline())
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|a| &a.app_id).collect::<Vec<_>>(),
        [&app.app_id]
    );

    client
        .delete_app(TEST_PROJECT, "0", &app.app_id, deadline())
        .await
        .unwrap();
    let error = client
        .show_app(TEST_PROJECT, "0", &app.app_id, deadline())
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error}");
}

/// Twenty identical reads in flight at once cost one call to the service.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_identical_reads_make_one_call() {
    let (emulator, client, _) = with_authorized_apps(5).await;
    let api = api_ref("0");
    // The delay keeps the first read in flight while the others arrive.
    emulator.put_faults(&json!([{"operation": "list_relations", "delay_ms": 500}]));
    emulator.clear_calls();

    let reads = (0..20).map(|_| {
        let (client, api) = (client.clone(), api.clone());
        tokio::spawn(async move { client.list_authorized_apps(&api, deadline()).await })
    });
    for read in futures::future::join_all(reads).await {
        assert_eq!(read.unwrap().unwrap().len(), 5);
    }
    assert_eq!(calls_to(&emulator, "GET", "/api-auths").len(), 1);

    // Once the shared read is done, the next read goes to the service again.
    emulator.clear_faults();
    client.list_authorized_apps(&api, deadline()).await.unwrap();
    assert_eq!(calls_to(&emulator, "GET", "/api-auths").len(), 2);
}

/// A read that starts after a write has finished never joins a read from before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_after_a_write_never_joins_an_older_read() {
    let (emulator, client, apps) = with_authorized_apps(2).await;
    let api = api_ref("0");
    emulator.put_faults(&json!([{"operation": "list_relations", "delay_ms": 600, "times": 1}]));
    emulator.clear_calls();

    let older = {
        let (client, api) = (client.clone(), api.clone());
        tokio::spawn(async move { client.list_authorized_apps(&api, deadline()).await })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(client
        .cancel_apps(&api, &apps[..1], deadline())
        .await
        .is_complete());
    let newer = client.list_authorized_apps(&api, deadline()).await.unwrap();

    assert_eq!(
        newer.iter().map(|a| &a.app_id).collect::<Vec<_>>(),
        [&apps[1]]
    );
    older.await.unwrap().unwrap();
    assert_eq!(calls_to(&emulator, "GET", "/api-auths").len(), 2);
}
