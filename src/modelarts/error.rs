//! The one error type of the ModelArts client, worded so that its `Display` can serve as
//! the detail of a Terraform diagnostic: what happened, what the service said, what to do.

use std::fmt;
use std::time::Duration;

/// Why a call to ModelArts failed. `Display` never contains a credential.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientError {
    /// The client could not be built from its configuration (bad endpoint, TLS setup).
    #[error("The ModelArts client could not be set up: {message}.")]
    Config {
        /// What is wrong, without any credential.
        message: String,
    },

    /// An argument can never form a valid request (for example an empty ID).
    #[error("Could not {operation}: {message}.")]
    InvalidArgument {
        /// The operation that was asked for.
        operation: &'static str,
        /// What is wrong with the argument.
        message: String,
    },

    /// The service could not be reached, even after retrying.
    #[error(
        "Could not {operation}: the request to ModelArts failed after {attempts} attempt(s): \
         {message}. Check the endpoint and the network, or raise max_retries."
    )]
    Transport {
        /// The operation that was attempted.
        operation: &'static str,
        /// How many requests were sent.
        attempts: u32,
        /// The last transport error, with its causes.
        message: String,
    },

    /// The deadline (the resource's timeout) was reached before the call could finish.
    #[error(
        "Could not {operation}: the deadline was reached after {attempts} attempt(s), \
         last {last}. Raise the resource's timeouts if the service is slow."
    )]
    Timeout {
        /// The operation that was attempted.
        operation: &'static str,
        /// How many requests were sent.
        attempts: u32,
        /// What the last attempt ended with.
        last: String,
        /// The request ID of the last answer, when one came.
        request_id: Option<String>,
    },

    /// Terraform asked the provider to stop while the client waited to retry.
    #[error(
        "Could not {operation}: Terraform asked the provider to stop while it waited to \
         retry after {attempts} attempt(s), the last {last}{}.",
        request_id_suffix(.request_id.as_deref())
    )]
    Stopped {
        /// The operation that was attempted.
        operation: &'static str,
        /// How many requests were sent.
        attempts: u32,
        /// What the last attempt ended with.
        last: String,
        /// The request ID of the last answer, when one came.
        request_id: Option<String>,
    },

    /// The service kept answering 429 until the retry budget or the deadline ran out.
    #[error(
        "Could not {operation}: the service is throttling requests (HTTP 429{}) and still was \
         after {attempts} attempt(s){}{}. Raise max_retries or the resource's timeouts, or \
         lower terraform's -parallelism.",
        code_suffix(.error_code.as_deref(), .error_msg.as_deref()),
        if *.deadline_reached { " when the deadline was reached" } else { "" },
        request_id_suffix(.request_id.as_deref())
    )]
    Throttled {
        /// The operation that was attempted.
        operation: &'static str,
        /// How many requests were sent.
        attempts: u32,
        /// The service's error code, for example `APIGW.0308`.
        error_code: Option<String>,
        /// The service's error message.
        error_msg: Option<String>,
        /// The request ID of the last answer.
        request_id: Option<String>,
        /// True when the deadline, not max_retries, ended the retries.
        deadline_reached: bool,
    },

    /// The service kept answering 5xx or 409 until max_retries ran out.
    #[error(
        "Could not {operation}: ModelArts still answered HTTP {status}{}{} after {attempts} \
         attempts. {}",
        code_suffix(.error_code.as_deref(), .error_msg.as_deref()),
        request_id_suffix(.request_id.as_deref()),
        retry_advice(*.status)
    )]
    RetriesExhausted {
        /// The operation that was attempted.
        operation: &'static str,
        /// How many requests were sent.
        attempts: u32,
        /// The HTTP status of the last answer.
        status: u16,
        /// The service's error code, when the last answer had one.
        error_code: Option<String>,
        /// The service's error message, when the last answer had one.
        error_msg: Option<String>,
        /// The `X-Request-Id` of the last answer.
        request_id: Option<String>,
    },

    /// The service asked (`Retry-After`) to wait longer than the time left before the
    /// deadline, so the client gave up early instead of sleeping past it.
    #[error(
        "Could not {operation}: {}ModelArts answered HTTP {status}{}{} and asked to wait {} \
         before the next attempt, which exceeds the {} left before the deadline; {attempts} \
         attempt(s) were made. Retry after that wait, or raise the resource's timeouts above \
         it.",
        throttling_preface(*.status),
        code_suffix(.error_code.as_deref(), .error_msg.as_deref()),
        request_id_suffix(.request_id.as_deref()),
        seconds(*.retry_after),
        seconds(*.time_left)
    )]
    RetryAfterPastDeadline {
        /// The operation that was attempted.
        operation: &'static str,
        /// How many requests were sent.
        attempts: u32,
        /// The HTTP status of the last answer (429, 409 or 5xx).
        status: u16,
        /// The service's error code, when the last answer had one.
        error_code: Option<String>,
        /// The service's error message, when the last answer had one.
        error_msg: Option<String>,
        /// The `X-Request-Id` of the last answer.
        request_id: Option<String>,
        /// The wait the service asked for.
        retry_after: Duration,
        /// The time that was left before the deadline.
        time_left: Duration,
    },

    /// The service answered with an error status that retrying cannot fix.
    #[error(
        "Could not {operation}: ModelArts answered HTTP {status}{}{}.{}",
        code_suffix(.error_code.as_deref(), .error_msg.as_deref()),
        request_id_suffix(.request_id.as_deref()),
        advice(*.status)
    )]
    Api {
        /// The operation that was attempted.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The service's error code, for example `ModelArts.0102`.
        error_code: Option<String>,
        /// The service's error message.
        error_msg: Option<String>,
        /// The `X-Request-Id` of the answer.
        request_id: Option<String>,
    },

    /// The answer could not be understood (malformed, truncated, not JSON, too large).
    #[error(
        "Could not {operation}: the answer from ModelArts (HTTP {status}{}) could not be \
         read: {message}. Retry later; report it if it persists.",
        .request_id.as_deref().map(|id| format!(", request ID {id}")).unwrap_or_default()
    )]
    Decode {
        /// The operation whose answer was malformed.
        operation: &'static str,
        /// The HTTP status of the answer.
        status: u16,
        /// What was wrong with it (never the body itself).
        message: String,
        /// The `X-Request-Id` of the answer.
        request_id: Option<String>,
    },
}

/// ModelArts' error code for an unknown service, API or app.
const NOT_FOUND_CODE: &str = "ModelArts.0102";
/// ModelArts' error code for an operation it does not allow: a change by someone other
/// than the owner, or the delete of an app that an API is still authorized to.
const NOT_ALLOWED_CODE: &str = "ModelArts.0105";
/// ModelArts' error code for a quota that is used up, such as the apps of a project.
const QUOTA_CODE: &str = "ModelArts.0116";

/// ModelArts' error code for an invalid parameter: a bad body, too many apps in one
/// call, or an app name that is taken or not allowed.
const INVALID_PARAMETER_CODE: &str = "ModelArts.0107";

fn code_suffix(code: Option<&str>, msg: Option<&str>) -> String {
    match (code, msg) {
        (Some(code), Some(msg)) => format!(", {code}: {msg}"),
        (Some(code), None) => format!(", {code}"),
        (None, Some(msg)) => format!(": {msg}"),
        (None, None) => String::new(),
    }
}

fn request_id_suffix(request_id: Option<&str>) -> String {
    request_id
        .map(|id| format!(" (request ID {id})"))
        .unwrap_or_default()
}

/// What to do when retrying did not get past a 409 or 5xx.
/// Names throttling plainly, for a wait the service asked for with a 429.
fn throttling_preface(status: u16) -> &'static str {
    if status == 429 {
        "the service is throttling requests. "
    } else {
        ""
    }
}

fn retry_advice(status: u16) -> &'static str {
    if status == 409 {
        "Another change to the same service is probably still running; retry later, or \
         raise max_retries or the resource's timeouts so the client waits longer."
    } else {
        "The service may be unavailable for now; retry later, or raise max_retries or the \
         resource's timeouts so the client waits longer."
    }
}

/// A duration in seconds, whole when it is whole ("3600 s", "2.5 s").
fn seconds(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

fn advice(status: u16) -> &'static str {
    match status {
        401 => " Check the credentials (token, or access and secret key) and the project ID.",
        403 => " Check that the credentials may update the service and own the apps.",
        404 => " Check that the service, API or app exists in this project and workspace.",
        _ => "",
    }
}

impl ClientError {
    /// True when the service said the addressed service, API or app does not exist.
    pub fn is_not_found(&self) -> bool {
        match self {
            ClientError::Api {
                status, error_code, ..
            } => match error_code.as_deref() {
                // Only the service itself saying so counts: a bare or HTML 404, or a
                // gateway's APIGW code (an unknown route), says nothing about the API.
                Some(NOT_FOUND_CODE) => true,
                Some(code) => *status == 404 && code.starts_with("ModelArts."),
                None => false,
            },
            _ => false,
        }
    }

    /// True when the service refused the operation as not allowed (403
    /// `ModelArts.0105`); for an app delete, an API is still authorized to the app.
    pub fn is_not_allowed(&self) -> bool {
        self.status() == Some(403) && self.error_code() == Some(NOT_ALLOWED_CODE)
    }

    /// True when the service refused because a quota is used up (`ModelArts.0116`).
    pub fn is_quota_exceeded(&self) -> bool {
        matches!(self, ClientError::Api { .. }) && self.error_code() == Some(QUOTA_CODE)
    }

    /// True for the service's answer that a parameter is invalid (`ModelArts.0107`).
    pub fn is_invalid_parameter(&self) -> bool {
        matches!(self, ClientError::Api { .. }) && self.error_code() == Some(INVALID_PARAMETER_CODE)
    }

    /// What the service answered, without the advice `Display` adds, for a diagnostic
    /// that gives its own: "HTTP 403, ModelArts.0105: ... (request ID ...)". `None`
    /// unless the error is a plain answer of the service ([`ClientError::Api`]).
    pub fn answer(&self) -> Option<String> {
        match self {
            ClientError::Api {
                status,
                error_code,
                error_msg,
                request_id,
                ..
            } => Some(format!(
                "HTTP {status}{}{}",
                code_suffix(error_code.as_deref(), error_msg.as_deref()),
                request_id_suffix(request_id.as_deref())
            )),
            _ => None,
        }
    }

    /// The HTTP status of the answer behind the error, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. }
            | ClientError::RetriesExhausted { status, .. }
            | ClientError::RetryAfterPastDeadline { status, .. }
            | ClientError::Decode { status, .. } => Some(*status),
            ClientError::Throttled { .. } => Some(429),
            _ => None,
        }
    }

    /// The service's error code (`ModelArts.NNNN` or `APIGW.NNNN`), when it sent one.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            ClientError::Api { error_code, .. }
            | ClientError::RetriesExhausted { error_code, .. }
            | ClientError::RetryAfterPastDeadline { error_code, .. }
            | ClientError::Throttled { error_code, .. } => error_code.as_deref(),
            _ => None,
        }
    }

    /// The `X-Request-Id` of the answer behind the error, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ClientError::Api { request_id, .. }
            | ClientError::RetriesExhausted { request_id, .. }
            | ClientError::RetryAfterPastDeadline { request_id, .. }
            | ClientError::Decode { request_id, .. }
            | ClientError::Throttled { request_id, .. }
            | ClientError::Timeout { request_id, .. }
            | ClientError::Stopped { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The operation that failed, in words ("authorize apps"); empty for setup errors.
    pub fn operation(&self) -> &'static str {
        match self {
            ClientError::Config { .. } => "",
            ClientError::InvalidArgument { operation, .. }
            | ClientError::Transport { operation, .. }
            | ClientError::Timeout { operation, .. }
            | ClientError::Stopped { operation, .. }
            | ClientError::Throttled { operation, .. }
            | ClientError::Api { operation, .. }
            | ClientError::RetriesExhausted { operation, .. }
            | ClientError::RetryAfterPastDeadline { operation, .. }
            | ClientError::Decode { operation, .. } => operation,
        }
    }

    /// True when the service kept throttling past the retry budget, or asked a
    /// throttled client to wait longer than the deadline allows.
    pub fn is_throttled(&self) -> bool {
        matches!(
            self,
            ClientError::Throttled { .. } | ClientError::RetryAfterPastDeadline { status: 429, .. }
        )
    }

    /// True when a stop request ended the call's retries.
    pub fn is_stopped(&self) -> bool {
        matches!(self, ClientError::Stopped { .. })
    }

    /// True when the deadline was reached before the call finished.
    pub fn is_timeout(&self) -> bool {
        matches!(self, ClientError::Timeout { .. })
    }
}

/// A short description of one failed attempt, used in [`ClientError::Timeout`].
#[derive(Debug, Clone)]
pub(crate) enum AttemptOutcome {
    /// No attempt was made before the deadline.
    NotStarted,
    /// The service answered with this status.
    Status(u16),
    /// The request failed in transport.
    Transport(String),
    /// The attempt itself ran into the deadline.
    DeadlineDuringRequest,
}

impl fmt::Display for AttemptOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttemptOutcome::NotStarted => f.write_str("before any request was sent"),
            AttemptOutcome::Status(status) => write!(f, "answered HTTP {status}"),
            AttemptOutcome::Transport(message) => write!(f, "failed with: {message}"),
            AttemptOutcome::DeadlineDuringRequest => {
                f.write_str("request still waiting for an answer")
            }
        }
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
