//! The ModelArts client's request paths against the emulator: IDs that would change the
//! path are refused before anything is sent, and every other ID arrives as one segment.

mod support;

use std::time::Duration;

use support::emulator::{Emulator, TEST_AK, TEST_PROJECT, TEST_SK, TEST_TOKEN};
use terraform_provider_modelarts::modelarts::{
    ApiRef, ClientConfig, ClientError, Credentials, ModelArtsClient, Secret,
};
use tokio::time::Instant;

const SERVICE: &str = "3b1e2a4c-5d6f-4a8b-9c0d-1e2f3a4b5c6d";
const API: &str = "logic-api-7c9e6679-7425-40de-944b-e07fc1f90ae7";
const APP: &str = "logic-app-ce0d0a41-451d-4563-94d9-acc75b5e440f";

fn client(emulator: &Emulator, credentials: Credentials) -> ModelArtsClient {
    ModelArtsClient::new(ClientConfig {
        endpoint: emulator.url.clone(),
        credentials,
        insecure: false,
        max_retries: 0,
    })
    .expect("the client builds")
}

fn api(project_id: &str, service_id: &str, api_id: &str) -> ApiRef {
    ApiRef {
        project_id: project_id.into(),
        workspace_id: "0".into(),
        service_id: service_id.into(),
        api_id: api_id.into(),
    }
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(30)
}

fn assert_refused(error: &ClientError, name: &str, id: &str) {
    assert!(
        matches!(error, ClientError::InvalidArgument { .. }),
        "{name} {id:?}: {error}"
    );
    let text = error.to_string();
    for part in [
        format!("the {name} {id:?}"),
        r#""." or "..""#.to_string(),
        r"'/', '\', '?', '#', '%'".to_string(),
        "whitespace or a control character".to_string(),
    ] {
        assert!(text.contains(&part), "{part} missing from {text}");
    }
}

/// Dot segments and escapes in any ID are refused with the ID's name; nothing is sent.
#[tokio::test]
async fn ids_that_would_change_the_path_are_refused_before_sending() {
    let emulator = Emulator::start();
    emulator.seed_simple(&[(SERVICE, &[API])], &[APP]);
    let client = client(
        &emulator,
        Credentials::Token(Secret::new(TEST_TOKEN.into())),
    );
    let apps = [APP.to_string()];

    for bad in ["..", ".", "%2e%2e", ".%2E", "a%2Fb"] {
        let cases = [
            ("service_id", api(TEST_PROJECT, bad, API)),
            ("api_id", api(TEST_PROJECT, SERVICE, bad)),
            ("project_id", api(bad, SERVICE, API)),
        ];
        for (name, target) in cases {
            let outcome = client.authorize_apps(&target, &apps, deadline()).await;
            assert_refused(outcome.error.as_ref().expect("refused"), name, bad);
            assert_eq!(outcome.not_attempted, apps, "{name} {bad:?}");
            let outcome = client.cancel_apps(&target, &apps, deadline()).await;
            assert_refused(outcome.error.as_ref().expect("refused"), name, bad);
            let error = client.list_authorized_apps(&target, deadline()).await;
            assert_refused(&error.unwrap_err(), name, bad);
        }
        let error = client.show_app(TEST_PROJECT, "0", bad, deadline()).await;
        assert_refused(&error.unwrap_err(), "app_id", bad);
        let error = client.delete_app(TEST_PROJECT, "0", bad, deadline()).await;
        assert_refused(&error.unwrap_err(), "app_id", bad);
        let error = client.list_apps(bad, "0", None, deadline()).await;
        assert_refused(&error.unwrap_err(), "project_id", bad);
    }
    assert_eq!(emulator.calls(), Vec::<serde_json::Value>::new());
}

/// An ID with reserved characters travels escaped as one segment and signs the same.
#[tokio::test]
async fn reserved_characters_arrive_escaped_in_one_segment() {
    let emulator = Emulator::start();
    let service = "svc:1@x;y=z";
    emulator.seed_simple(&[(service, &[API])], &[APP]);
    let client = client(
        &emulator,
        Credentials::AkSk {
            access_key: TEST_AK.into(),
            secret_key: Secret::new(TEST_SK.into()),
            security_token: None,
        },
    );

    let target = api(TEST_PROJECT, service, API);
    let outcome = client
        .authorize_apps(&target, &[APP.to_string()], deadline())
        .await;
    assert!(outcome.is_complete(), "{:?}", outcome.error);
    assert_eq!(
        emulator
            .authorized_apps(service, API, "0")
            .into_iter()
            .collect::<Vec<_>>(),
        [APP]
    );
    let calls = emulator.calls();
    let path = calls[0]["path"].as_str().unwrap();
    assert!(path.contains("/services/svc%3A1%40x%3By%3Dz/"), "{path}");
}
