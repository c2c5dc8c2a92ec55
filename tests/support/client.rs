//! Helpers the client suites share: a client with short retry waits, credentials, an
//! API of the test project, and deadlines.

use std::time::Duration;

use terraform_provider_modelarts::modelarts::{
    ApiRef, ClientConfig, Credentials, ModelArtsClient, RetryPolicy, Secret,
};
use tokio::time::Instant;

use super::emulator::{TEST_PROJECT, TEST_TOKEN};

/// A client for `endpoint` with `max_retries` and waits of 20 to 100 ms between them.
pub fn fast_client(endpoint: &str, credentials: Credentials, max_retries: u32) -> ModelArtsClient {
    ModelArtsClient::new(ClientConfig {
        endpoint: endpoint.into(),
        credentials,
        insecure: false,
        max_retries,
    })
    .expect("the client builds")
    .with_retry_policy(RetryPolicy {
        base: Duration::from_millis(20),
        cap: Duration::from_millis(100),
    })
}

/// The test token as credentials.
pub fn token() -> Credentials {
    Credentials::Token(Secret::new(TEST_TOKEN.into()))
}

/// `api_id` of `service_id` in the default workspace of the test project.
pub fn api_of(service_id: &str, api_id: &str) -> ApiRef {
    ApiRef {
        project_id: TEST_PROJECT.into(),
        workspace_id: "0".into(),
        service_id: service_id.into(),
        api_id: api_id.into(),
    }
}

/// A deadline `seconds` from now.
pub fn in_secs(seconds: u64) -> Instant {
    Instant::now() + Duration::from_secs(seconds)
}
