//! One HTTP exchange with ModelArts, retried as the service's rules allow, logged without
//! secrets, and shared between identical concurrent reads.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::{Method, Url};
use tokio::time::Instant;
use tracing::{debug, instrument, warn};

use super::attempt::{describe_transport_error, Attempt};
use super::auth::{auth_headers, Credentials, OutgoingRequest};
use super::coalesce::SingleFlight;
use super::error::{AttemptOutcome, ClientError};
use super::models::decode_error_answer_redacted;
use super::path::{request_path, Segment};
use super::retry::{is_retryable_status, parse_retry_after, RetryPolicy};
use crate::stop::StopFlag;

/// The largest answer body the client reads; anything longer is a decode error.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// One request, described before it becomes a URL.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// The operation in words, for errors and logs ("authorize apps").
    pub operation: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The project, the first path segment after `/v1/`.
    pub project_id: String,
    /// The path segments after the project, unencoded.
    pub segments: Vec<Segment>,
    /// Query parameters, unencoded.
    pub query: Vec<(&'static str, String)>,
    /// The JSON body, when there is one.
    pub body: Option<serde_json::Value>,
    /// Not sent again once an attempt may have been applied (no usable answer, or a
    /// 5xx): for a write that is not idempotent (creating an app), which a resend could
    /// make twice. The caller checks what the service did before sending it again.
    pub once: bool,
}

/// A successful (2xx) answer.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The `X-Request-Id` of the answer.
    pub request_id: Option<String>,
    /// The body, at most [`MAX_BODY_BYTES`].
    pub body: Bytes,
}

/// The HTTP side of the client: one connection pool, credentials, and the reads in flight.
pub(crate) struct Transport {
    pub http: reqwest::Client,
    pub base: Url,
    pub credentials: Credentials,
    pub max_retries: u32,
    pub policy: RetryPolicy,
    /// Longest wait for one attempt's answer before it counts as a transport failure and
    /// is retried: a stalled connection must not eat the operation's whole timeout.
    pub attempt_timeout: Duration,
    /// Set when Terraform asks the provider to stop: waits between attempts end at once.
    pub stop: StopFlag,
    reads: Arc<SingleFlight<Result<Reply, ClientError>>>,
}

/// Default for [`Transport::attempt_timeout`]: generous for a single management call.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

impl Transport {
    /// A transport over an HTTP client; `base` is the endpoint.
    pub fn new(
        http: reqwest::Client,
        base: Url,
        credentials: Credentials,
        max_retries: u32,
    ) -> Self {
        Transport {
            http,
            base,
            credentials,
            max_retries,
            policy: RetryPolicy::default(),
            attempt_timeout: ATTEMPT_TIMEOUT,
            stop: StopFlag::default(),
            reads: Arc::new(SingleFlight::new()),
        }
    }

    /// Sends a request and returns its 2xx answer, setting `maybe_applied` when any
    /// attempt may have reached the service and been applied (so a failed write can be
    /// told apart from one never sent). GETs identical to one already in flight share
    /// its answer; any other method makes later reads start afresh.
    pub async fn send_tracked(
        self: &Arc<Self>,
        request: Request,
        deadline: Instant,
        maybe_applied: &mut bool,
    ) -> Result<Reply, ClientError> {
        let url = self.url(&request);
        if request.method == Method::GET {
            return self.send_coalesced(request, url, deadline).await;
        }
        let result = self.execute(&request, &url, deadline, maybe_applied).await;
        // A read that started before this write finished may not reflect it; later
        // reads must not join it.
        self.reads.forget_all();
        result
    }

    async fn send_coalesced(
        self: &Arc<Self>,
        request: Request,
        url: Url,
        deadline: Instant,
    ) -> Result<Reply, ClientError> {
        let this = Arc::clone(self);
        let (task_request, task_url) = (request.clone(), url.clone());
        let flight = self
            .reads
            .join(url.as_str().to_string(), move || async move {
                this.execute(&task_request, &task_url, deadline, &mut false)
                    .await
            });
        let shared = async {
            flight.await.unwrap_or_else(|| {
                Err(ClientError::Transport {
                    operation: request.operation,
                    attempts: 1,
                    message: "the request task ended unexpectedly".into(),
                })
            })
        };

        match tokio::time::timeout_at(deadline, shared).await {
            // The shared read ran under the deadline of whoever started it; a caller with
            // time left gets its own attempt rather than someone else's timeout.
            Ok(Err(error)) if error.is_timeout() && Instant::now() < deadline => {
                self.execute(&request, &url, deadline, &mut false).await
            }
            Ok(result) => result,
            Err(_) => Err(ClientError::Timeout {
                operation: request.operation,
                attempts: 1,
                last: AttemptOutcome::DeadlineDuringRequest.to_string(),
                request_id: None,
            }),
        }
    }

    /// The full URL: endpoint, `/v1/{project_id}/`, segments, query.
    fn url(&self, request: &Request) -> Url {
        let mut url = self.base.clone();
        url.set_path(&request_path(
            self.base.path(),
            &request.project_id,
            &request.segments,
        ));
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        url
    }

    /// Sends `request` until it succeeds, fails for good, or runs out of retries or time.
    #[instrument(skip_all, fields(operation = request.operation))]
    async fn execute(
        &self,
        request: &Request,
        url: &Url,
        deadline: Instant,
        maybe_applied: &mut bool,
    ) -> Result<Reply, ClientError> {
        let body = match &request.body {
            Some(value) => serde_json::to_vec(value).expect("a JSON value always serialises"),
            None => Vec::new(),
        };
        let operation = request.operation;
        let mut last = AttemptOutcome::NotStarted;
        let mut last_request_id = None;
        let mut attempt = 0;
        loop {
            let timeout = |attempts, last: &AttemptOutcome, request_id| ClientError::Timeout {
                operation,
                attempts,
                last: last.to_string(),
                request_id,
            };
            if Instant::now() >= deadline {
                return Err(timeout(attempt, &last, last_request_id));
            }
            attempt += 1;
            let started = Instant::now();
            let outcome = self.attempt(request, url, &body, deadline).await;
            let (status, request_id) = outcome.answer_status();
            *maybe_applied |= outcome.may_have_been_applied();
            log_call(
                request,
                url,
                status,
                started.elapsed().as_millis() as u64,
                attempt,
                request_id,
            );

            let wait = match outcome {
                Attempt::Answer {
                    status,
                    request_id,
                    retry_after,
                    body,
                } => {
                    if (200..300).contains(&status) {
                        return Ok(Reply {
                            status,
                            request_id,
                            body,
                        });
                    }
                    let (error_code, error_msg) =
                        decode_error_answer_redacted(&body, |text| self.credentials.redact(text));
                    let gives_up = attempt > self.max_retries;
                    if !is_retryable_status(status) {
                        return Err(ClientError::Api {
                            operation,
                            status,
                            error_code,
                            error_msg,
                            request_id,
                        });
                    }
                    // A write sent once gives up after an answer it may have acted on
                    // (a 5xx), for its caller to check before sending it again.
                    if (gives_up && status != 429) || (request.once && *maybe_applied) {
                        return Err(ClientError::RetriesExhausted {
                            operation,
                            attempts: attempt,
                            status,
                            error_code,
                            error_msg,
                            request_id,
                        });
                    }
                    let time_left = deadline.saturating_duration_since(Instant::now());
                    // Sleeping past the deadline helps nobody; say what the service asked.
                    if let Some(asked) =
                        retry_after.filter(|asked| !gives_up && *asked >= time_left)
                    {
                        return Err(ClientError::RetryAfterPastDeadline {
                            operation,
                            attempts: attempt,
                            status,
                            error_code,
                            error_msg,
                            request_id,
                            retry_after: asked,
                            time_left,
                        });
                    }
                    let wait = self.policy.wait(attempt, retry_after);
                    let past_deadline = wait >= time_left;
                    if status == 429 && (gives_up || past_deadline) {
                        return Err(ClientError::Throttled {
                            operation,
                            attempts: attempt,
                            error_code,
                            error_msg,
                            request_id,
                            deadline_reached: !gives_up,
                        });
                    }
                    last = AttemptOutcome::Status(status);
                    last_request_id = request_id;
                    wait
                }
                Attempt::Transport { message, .. } => {
                    if attempt > self.max_retries || (request.once && *maybe_applied) {
                        return Err(ClientError::Transport {
                            operation,
                            attempts: attempt,
                            message,
                        });
                    }
                    last = AttemptOutcome::Transport(message);
                    last_request_id = None;
                    self.policy.wait(attempt, None)
                }
                Attempt::Unsendable(message) => {
                    return Err(ClientError::InvalidArgument { operation, message });
                }
                Attempt::Deadline => {
                    return Err(timeout(
                        attempt,
                        &AttemptOutcome::DeadlineDuringRequest,
                        None,
                    ));
                }
                Attempt::TooLarge { status, request_id } => {
                    return Err(ClientError::Decode {
                        operation,
                        status,
                        message: format!("the body is larger than {MAX_BODY_BYTES} bytes"),
                        request_id,
                    });
                }
            };

            if Instant::now() + wait >= deadline {
                return Err(timeout(attempt, &last, last_request_id));
            }
            warn!(
                method = %request.method,
                path = url.path(),
                status,
                attempt,
                wait_ms = wait.as_millis() as u64,
                "retrying the request after it {last}"
            );
            if !self.stop.sleep(wait).await {
                return Err(ClientError::Stopped {
                    operation,
                    attempts: attempt,
                    last: last.to_string(),
                    request_id: last_request_id,
                });
            }
        }
    }

    /// One request and its whole (capped) body, bounded by the deadline.
    async fn attempt(
        &self,
        request: &Request,
        url: &Url,
        body: &[u8],
        deadline: Instant,
    ) -> Attempt {
        let headers = auth_headers(
            &self.credentials,
            &OutgoingRequest {
                method: request.method.as_str(),
                url,
                project_id: &request.project_id,
                body,
                json_body: request.body.is_some(),
            },
            chrono::Utc::now(),
        );
        let mut builder = self.http.request(request.method.clone(), url.clone());
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        if request.body.is_some() {
            builder = builder.body(body.to_vec());
        }

        let exchange = async {
            let mut response = builder.send().await?;
            let status = response.status().as_u16();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_string)
            };
            let request_id = header("X-Request-Id");
            let retry_after = header("Retry-After")
                .and_then(|value| parse_retry_after(&value, SystemTime::now()));
            if response
                .content_length()
                .is_some_and(|length| length > MAX_BODY_BYTES as u64)
            {
                return Ok(Attempt::TooLarge { status, request_id });
            }
            let mut collected = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                if collected.len() + chunk.len() > MAX_BODY_BYTES {
                    return Ok(Attempt::TooLarge { status, request_id });
                }
                collected.extend_from_slice(&chunk);
            }
            Ok::<_, reqwest::Error>(Attempt::Answer {
                status,
                request_id,
                retry_after,
                body: Bytes::from(collected),
            })
        };
        let attempt_deadline = deadline.min(Instant::now() + self.attempt_timeout);
        match tokio::time::timeout_at(attempt_deadline, exchange).await {
            Ok(Ok(attempt)) => attempt,
            Ok(Err(error)) if error.is_builder() => Attempt::Unsendable(format!(
                "the request could not be built ({}); check that no credential or ID holds \
                 a line break or other control character",
                describe_transport_error(&error)
            )),
            Ok(Err(error)) => Attempt::Transport {
                message: describe_transport_error(&error),
                connected: !error.is_connect(),
            },
            Err(_) if attempt_deadline < deadline => Attempt::Transport {
                message: format!("no answer within {} s", self.attempt_timeout.as_secs_f64()),
                connected: true,
            },
            Err(_) => Attempt::Deadline,
        }
    }
}

/// The one debug line per HTTP call. Never headers, bodies or the query.
fn log_call(
    request: &Request,
    url: &Url,
    status: u16,
    duration_ms: u64,
    attempt: u32,
    request_id: Option<&str>,
) {
    debug!(
        method = %request.method,
        path = url.path(),
        status,
        duration_ms,
        attempt,
        request_id = request_id.unwrap_or(""),
        "ModelArts call"
    );
}
