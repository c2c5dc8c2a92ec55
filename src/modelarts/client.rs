//! The ModelArts client: one function per API operation, over one shared HTTP client.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, Url};
use serde_json::{json, Value};
use tokio::time::Instant;
use tracing::instrument;

use super::auth::Credentials;
use super::batch::{record_chunk, unique_apps, MAX_APPS_PER_CALL};
use super::error::ClientError;
use super::models::{
    decode_authorize_answer, decode_cancel_answer, decode_relations_page, AppAuthResult,
};
use super::paging::{collect_pages, Fetched};
use super::path::{id_rule, is_path_safe, Segment};
use super::retry::RetryPolicy;
use super::transport::{Reply, Request, Transport};
use crate::stop::StopFlag;

pub use super::batch::{AppFailure, BatchOutcome};
pub use super::models::{App, AuthorizedApp};

/// How long establishing a connection may take before the attempt counts as failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the service may stay silent mid-answer before the attempt counts as failed.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// The page size asked for; the API's default and the most it documents.
const PAGE_LIMIT: u32 = 1000;

/// The workspace every project has; requests leave `workspace_id` out for it.
pub const DEFAULT_WORKSPACE: &str = "0";

/// What the client needs to reach ModelArts.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL, e.g. `https://modelarts.cn-north-4.myhuaweicloud.com`.
    pub endpoint: String,
    /// How requests are authenticated.
    pub credentials: Credentials,
    /// Accept invalid TLS certificates (for test endpoints only).
    pub insecure: bool,
    /// Retries after the first attempt, for 429, 409, 5xx and transport errors.
    pub max_retries: u32,
}

/// One API of one service, in one project and workspace.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiRef {
    /// The project (32 hex characters on the cloud).
    pub project_id: String,
    /// The workspace; `"0"` is the default one.
    pub workspace_id: String,
    /// The real-time service.
    pub service_id: String,
    /// The app-auth API of the service.
    pub api_id: String,
}

/// A ModelArts API client. Cheap to clone: clones share one connection pool and the
/// reads in flight.
#[derive(Clone)]
pub struct ModelArtsClient {
    pub(super) transport: Arc<Transport>,
    max_apps_per_call: usize,
}

impl std::fmt::Debug for ModelArtsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelArtsClient")
            .field("endpoint", &self.transport.base.as_str())
            .field("credentials", &self.transport.credentials)
            .field("max_apps_per_call", &self.max_apps_per_call)
            .finish()
    }
}

impl ModelArtsClient {
    /// Builds a client. Errors: [`ClientError::Config`] when the endpoint is not an
    /// http(s) URL with a host, or the TLS stack cannot be set up.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let base = Url::parse(config.endpoint.trim()).map_err(|error| ClientError::Config {
            message: format!("the endpoint {:?} is not a URL ({error})", config.endpoint),
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(ClientError::Config {
                message: format!(
                    "the endpoint {:?} must be an http or https URL with a host",
                    config.endpoint
                ),
            });
        }
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .danger_accept_invalid_certs(config.insecure)
            // A redirect would carry signed or token headers to a place nobody configured.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "terraform-provider-modelarts/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|error| ClientError::Config {
                message: format!("the HTTP client could not be built ({error})"),
            })?;
        let transport = Transport::new(http, base, config.credentials, config.max_retries);
        Ok(ModelArtsClient {
            transport: Arc::new(transport),
            max_apps_per_call: MAX_APPS_PER_CALL,
        })
    }

    /// The same client sending at most `limit` apps per authorize or cancel call, for a
    /// service set to a lower limit than the documented [`MAX_APPS_PER_CALL`]. The limit
    /// is kept within 1 and [`MAX_APPS_PER_CALL`]; the provider checks it beforehand.
    pub fn with_max_apps_per_call(mut self, limit: usize) -> Self {
        self.max_apps_per_call = limit.clamp(1, MAX_APPS_PER_CALL);
        self
    }

    /// The most apps one authorize or cancel call carries.
    pub fn max_apps_per_call(&self) -> usize {
        self.max_apps_per_call
    }

    /// The same client, ending its waits between retries as soon as `stop` is set.
    pub fn with_stop(self, stop: StopFlag) -> Self {
        self.rebuilt(|transport| transport.stop = stop)
    }

    /// The same client with another wait schedule between retries (tests use short ones).
    pub fn with_retry_policy(self, policy: RetryPolicy) -> Self {
        self.rebuilt(|transport| transport.policy = policy)
    }

    /// The same client with another limit on the wait for one attempt's answer (60 s by
    /// default); an attempt past it is retried like a dropped connection.
    pub fn with_attempt_timeout(self, timeout: Duration) -> Self {
        self.rebuilt(|transport| transport.attempt_timeout = timeout)
    }

    fn rebuilt(self, change: impl FnOnce(&mut Transport)) -> Self {
        let old = &self.transport;
        let mut transport = Transport::new(
            old.http.clone(),
            old.base.clone(),
            old.credentials.clone(),
            old.max_retries,
        );
        transport.policy = old.policy;
        transport.attempt_timeout = old.attempt_timeout;
        transport.stop = old.stop.clone();
        change(&mut transport);
        ModelArtsClient {
            transport: Arc::new(transport),
            max_apps_per_call: self.max_apps_per_call,
        }
    }

    /// Authorizes the API to the apps, in chunks of at most
    /// [`Self::max_apps_per_call`].
    /// Authorizing is idempotent, so calls are retried like reads.
    #[instrument(skip_all, fields(service_id = %api.service_id, api_id = %api.api_id, apps = app_ids.len()))]
    pub async fn authorize_apps(
        &self,
        api: &ApiRef,
        app_ids: &[String],
        deadline: Instant,
    ) -> BatchOutcome {
        self.batch(api, app_ids, deadline, Method::POST).await
    }

    /// Cancels the API's authorization to the apps, in chunks like [`Self::authorize_apps`].
    /// An app that was not authorized comes back failed, with the service's reason.
    #[instrument(skip_all, fields(service_id = %api.service_id, api_id = %api.api_id, apps = app_ids.len()))]
    pub async fn cancel_apps(
        &self,
        api: &ApiRef,
        app_ids: &[String],
        deadline: Instant,
    ) -> BatchOutcome {
        self.batch(api, app_ids, deadline, Method::DELETE).await
    }

    async fn batch(
        &self,
        api: &ApiRef,
        app_ids: &[String],
        deadline: Instant,
        method: Method,
    ) -> BatchOutcome {
        let apps = unique_apps(app_ids);
        let mut outcome = BatchOutcome::default();
        let mut chunks = apps.chunks(self.max_apps_per_call);
        while let Some(chunk) = chunks.next() {
            match self.send_chunk(api, chunk, deadline, method.clone()).await {
                Ok(answer) => record_chunk(chunk, answer, &mut outcome),
                Err((error, maybe_applied)) => {
                    if maybe_applied {
                        outcome.unknown_outcome.extend(chunk.iter().cloned());
                    }
                    outcome.not_attempted.extend(chunk.iter().cloned());
                    outcome.not_attempted.extend(chunks.flatten().cloned());
                    outcome.error = Some(error);
                    outcome.error_call_apps = chunk.len();
                    break;
                }
            }
        }
        outcome
    }

    async fn send_chunk(
        &self,
        api: &ApiRef,
        chunk: &[String],
        deadline: Instant,
        method: Method,
    ) -> Result<Vec<AppAuthResult>, (ClientError, bool)> {
        let cancel = method == Method::DELETE;
        let operation = if cancel {
            "cancel apps"
        } else {
            "authorize apps"
        };
        let apps: Vec<Value> = chunk.iter().map(|id| json!({ "app_id": id })).collect();
        let mut body = json!({ "apps": apps });
        let workspace = workspace(&api.workspace_id);
        if let Some(workspace_id) = workspace {
            body["workspace_id"] = json!(workspace_id);
        }
        // The cancel call takes workspace_id in the query as well; both must agree.
        let query = match (cancel, workspace) {
            (true, Some(workspace_id)) => vec![("workspace_id", workspace_id.to_string())],
            _ => Vec::new(),
        };
        let request = Request {
            operation,
            method,
            project_id: api.project_id.clone(),
            segments: api_segments(api, "app-auth-api"),
            query,
            body: Some(body),
            once: false,
        };

        let mut maybe_applied = false;
        let reply = self
            .send_tracked(request, deadline, &mut maybe_applied)
            .await
            .map_err(|error| (error, maybe_applied))?;
        let decoder = if cancel {
            decode_cancel_answer
        } else {
            decode_authorize_answer
        };
        // A 2xx came back, so the service probably acted, whatever its body says.
        let mut results = self
            .decode(operation, &reply, decoder)
            .map_err(|error| (error, true))?;
        // Each reason reaches a diagnostic; a service may echo the caller's credentials.
        for result in &mut results {
            if let Some(reason) = &mut result.reason {
                *reason = self.transport.credentials.redact(reason);
            }
        }
        Ok(results)
    }

    /// Every app currently authorized to the API, following all pages.
    ///
    /// Errors: `e.is_not_found()` when the service or the API does not exist; any
    /// transport, timeout, throttling, API or decode error.
    #[instrument(skip_all, fields(service_id = %api.service_id, api_id = %api.api_id))]
    pub async fn list_authorized_apps(
        &self,
        api: &ApiRef,
        deadline: Instant,
    ) -> Result<Vec<AuthorizedApp>, ClientError> {
        let operation = "list authorized apps";
        let relations = collect_pages(
            operation,
            |offset| {
                let mut query = page_query(offset, &api.workspace_id);
                query.push(("show_only", "AUTH".to_string()));
                let request = Request {
                    operation,
                    method: Method::GET,
                    project_id: api.project_id.clone(),
                    segments: api_segments(api, "api-auths"),
                    query,
                    body: None,
                    once: false,
                };
                async move {
                    let reply = self.send(request, deadline).await?;
                    let page = self.decode(operation, &reply, decode_relations_page)?;
                    Ok(Fetched::new(page, &reply))
                }
            },
            |(app, _): &(AuthorizedApp, bool)| app.app_id.as_str(),
        )
        .await?;
        // A service that ignores show_only lists unauthorized apps too; drop them.
        Ok(relations
            .into_iter()
            .filter_map(|(app, authed)| authed.then_some(app))
            .collect())
    }

    /// Runs a decoder over a reply, turning its complaint into a [`ClientError::Decode`].
    /// The complaint may quote the body, and a body may echo the caller's credentials,
    /// so they are redacted.
    pub(super) fn decode<T>(
        &self,
        operation: &'static str,
        reply: &Reply,
        decoder: fn(&[u8]) -> Result<T, String>,
    ) -> Result<T, ClientError> {
        decoder(&reply.body).map_err(|message| ClientError::Decode {
            operation,
            status: reply.status,
            message: self.transport.credentials.redact(&message),
            request_id: reply.request_id.clone(),
        })
    }

    /// Checks the IDs that become path segments, then sends.
    ///
    /// Errors: [`ClientError::InvalidArgument`] naming the first ID that breaks the
    /// rule of [`super::path`], before anything is sent; otherwise what the transport says.
    pub(super) async fn send(
        &self,
        request: Request,
        deadline: Instant,
    ) -> Result<Reply, ClientError> {
        self.send_tracked(request, deadline, &mut false).await
    }

    /// [`Self::send`], also setting `maybe_applied` when the service may have acted on
    /// the request although no usable answer came back.
    pub(super) async fn send_tracked(
        &self,
        request: Request,
        deadline: Instant,
        maybe_applied: &mut bool,
    ) -> Result<Reply, ClientError> {
        let ids = request.segments.iter().filter_map(|segment| match segment {
            Segment::Id(name, id) => Some((*name, id)),
            Segment::Fixed(_) => None,
        });
        let mut ids = std::iter::once(("project_id", &request.project_id)).chain(ids);
        if let Some((name, bad)) = ids.find(|(_, id)| !is_path_safe(id)) {
            return Err(ClientError::InvalidArgument {
                operation: request.operation,
                message: format!("the {name} {bad:?} is not a valid ID: {}", id_rule()),
            });
        }
        self.transport
            .send_tracked(request, deadline, maybe_applied)
            .await
    }
}

/// The workspace to send, or `None` for the default one (requests stay minimal).
pub(super) fn workspace(workspace_id: &str) -> Option<&str> {
    (!workspace_id.is_empty() && workspace_id != DEFAULT_WORKSPACE).then_some(workspace_id)
}

fn api_segments(api: &ApiRef, last: &'static str) -> Vec<Segment> {
    vec![
        Segment::Fixed("services"),
        Segment::Id("service_id", api.service_id.clone()),
        Segment::Fixed("app-auth-apis"),
        Segment::Id("api_id", api.api_id.clone()),
        Segment::Fixed(last),
    ]
}

pub(super) fn page_query(offset: u64, workspace_id: &str) -> Vec<(&'static str, String)> {
    let mut query = vec![
        ("limit", PAGE_LIMIT.to_string()),
        ("offset", offset.to_string()),
    ];
    if let Some(workspace_id) = workspace(workspace_id) {
        query.push(("workspace_id", workspace_id.to_string()));
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modelarts::auth::Secret;

    fn config(endpoint: &str) -> ClientConfig {
        ClientConfig {
            endpoint: endpoint.into(),
            credentials: Credentials::AkSk {
                access_key: "AK-VISIBLE-NOWHERE".into(),
                secret_key: Secret::new("sk-must-not-show".into()),
                security_token: Some(Secret::new("sts-must-not-show".into())),
            },
            insecure: false,
            max_retries: 5,
        }
    }

    /// Debug of the configuration and of the client shows no credential.
    #[test]
    fn debug_of_config_and_client_shows_no_secret() {
        let config = config("https://modelarts.cn-north-4.myhuaweicloud.com");
        let client = ModelArtsClient::new(config.clone()).unwrap();
        for text in [format!("{config:?}"), format!("{client:?}")] {
            for secret in [
                "sk-must-not-show",
                "sts-must-not-show",
                "AK-VISIBLE-NOWHERE",
            ] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
        }
    }

    /// Only http(s) URLs with a host are accepted as the endpoint.
    #[test]
    fn endpoints_must_be_http_urls_with_a_host() {
        let cases = [
            (
                "https",
                "https://modelarts.cn-north-4.myhuaweicloud.com",
                true,
            ),
            (
                "http with port and path",
                "http://127.0.0.1:8080/prefix/",
                true,
            ),
            ("padded", " http://localhost:1 ", true),
            ("no scheme", "modelarts.example.com", false),
            ("ftp", "ftp://example.com", false),
            ("empty", "", false),
            ("no host", "http://", false),
        ];
        for (name, endpoint, ok) in cases {
            let result = ModelArtsClient::new(config(endpoint));
            assert_eq!(result.is_ok(), ok, "{name}");
            if let Err(error) = result {
                assert!(
                    matches!(error, ClientError::Config { .. }),
                    "{name}: {error}"
                );
            }
        }
    }

    /// The per-call limit is kept within 1 and 100 and survives a rebuilt client.
    #[test]
    fn the_apps_per_call_limit_stays_within_what_the_service_allows() {
        let cases = [
            ("default", None, MAX_APPS_PER_CALL),
            ("lowered", Some(20), 20),
            ("one", Some(1), 1),
            ("zero would never send", Some(0), 1),
            ("above the documented limit", Some(500), MAX_APPS_PER_CALL),
        ];
        for (name, limit, expected) in cases {
            let mut client = ModelArtsClient::new(config("http://127.0.0.1:1")).unwrap();
            if let Some(limit) = limit {
                client = client.with_max_apps_per_call(limit);
            }
            assert_eq!(client.max_apps_per_call(), expected, "{name}");
            let rebuilt = client.with_attempt_timeout(Duration::from_secs(1));
            assert_eq!(rebuilt.max_apps_per_call(), expected, "{name}: rebuilt");
        }
    }

    /// The default workspace is left out of requests; any other is sent.
    #[test]
    fn only_a_non_default_workspace_is_sent() {
        let cases = [
            ("default", "0", None),
            ("empty", "", None),
            ("other", "ws1", Some("ws1")),
        ];
        for (name, input, expected) in cases {
            assert_eq!(workspace(input), expected, "{name}");
        }
    }
}
