//! The call log: one entry per request to the ModelArts API, appended in the order the
//! world was changed, so that replaying it reproduces the world.

use serde::Serialize;

use super::credentials::AuthKind;

/// One request to the ModelArts API, as `GET /_emulator/calls` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallEntry {
    /// HTTP method.
    pub method: String,
    /// Raw path, as sent.
    pub path: String,
    /// Raw query string without `?`, empty when none.
    pub query: String,
    /// Status of the answer.
    pub status: u16,
    /// Workspace the call named (`"0"` when none).
    pub workspace_id: String,
    /// Apps the call named: the body's `apps`, or the app in the path.
    pub app_ids: Vec<String>,
    /// Which credential the request presented.
    pub auth: AuthKind,
    /// The `X-Request-Id` of the answer.
    pub request_id: String,
    /// The operation (see the fault operation names), or none for an unknown route.
    pub operation: Option<&'static str>,
    /// True when a `lose_answer` fault closed the connection instead of answering:
    /// `status` is then the answer the client never got.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub answer_lost: bool,
    /// True when the client had closed the connection before the answer was ready:
    /// `status` is then the answer it did not wait for.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub aborted: bool,
}
