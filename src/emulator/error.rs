//! Errors as the service sends them: a status, an error code and a message, with the
//! request id added to the body when the API gateway (not ModelArts) raised them.

use axum::http::{HeaderValue, StatusCode};
use serde::{Deserialize, Serialize};

/// One error answer of the emulated service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status of the answer.
    pub status: StatusCode,
    /// `ModelArts.NNNN` or `APIGW.NNNN`.
    pub code: String,
    /// Human-readable message; never contains a credential.
    pub message: String,
    /// The `Retry-After` header, when the answer asks the client to wait.
    pub retry_after: Option<RetryAfter>,
}

/// A `Retry-After` value: delay seconds, or an HTTP date in the IMF-fixdate form of
/// RFC 7231 (`Wed, 21 Oct 2015 07:28:00 GMT`), which is sent verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RetryAfter {
    /// Seconds to wait.
    Seconds(u64),
    /// The time to wait until.
    Date(String),
}

impl RetryAfter {
    /// Checks that a date is an IMF-fixdate: one that reads as an HTTP date and is
    /// written back the same way.
    ///
    /// Returns a message with an example of the form otherwise.
    pub fn validate(&self) -> Result<(), String> {
        let RetryAfter::Date(date) = self else {
            return Ok(());
        };
        match httpdate::parse_http_date(date) {
            Ok(time) if httpdate::fmt_http_date(time) == *date => Ok(()),
            _ => Err(format!(
                "retry_after must be seconds or an HTTP date such as \
                 \"Wed, 21 Oct 2015 07:28:00 GMT\", not {date:?}"
            )),
        }
    }

    /// The header value.
    pub fn header_value(&self) -> HeaderValue {
        match self {
            RetryAfter::Seconds(seconds) => HeaderValue::from(*seconds),
            RetryAfter::Date(date) => {
                HeaderValue::from_str(date).expect("a validated HTTP date is a header value")
            }
        }
    }
}

impl ApiError {
    /// An error with the given status, code and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            retry_after: None,
        }
    }

    /// 404 `ModelArts.0102`: an unknown service, API or app.
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "ModelArts.0102", what)
    }

    /// 400 `ModelArts.0107`: an invalid parameter.
    pub fn invalid(what: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ModelArts.0107", what)
    }

    /// 400 `ModelArts.0104`: an invalid or inconsistent workspace.
    pub fn invalid_workspace(what: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ModelArts.0104", what)
    }

    /// 403 `ModelArts.0105`: the operation is not allowed.
    pub fn forbidden(what: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "ModelArts.0105", what)
    }

    /// True for errors the API gateway raises, whose body also carries `request_id`.
    pub fn is_gateway(&self) -> bool {
        self.code.starts_with("APIGW.")
    }

    /// The JSON body the service sends for this error.
    pub fn body(&self, request_id: &str) -> serde_json::Value {
        let mut body = serde_json::json!({
            "error_code": self.code,
            "error_msg": self.message,
        });
        if self.is_gateway() {
            body["request_id"] = request_id.into();
        }
        body
    }
}
