//! How one HTTP attempt ended, and how it is logged and described, before the retry
//! decision in [`super::transport`].

use std::time::Duration;

use bytes::Bytes;

/// How one attempt ended, before the retry decision.
pub(crate) enum Attempt {
    Answer {
        status: u16,
        request_id: Option<String>,
        retry_after: Option<Duration>,
        body: Bytes,
    },
    Transport {
        message: String,
        /// False when no connection was made, so the service never saw the request.
        connected: bool,
    },
    /// The request could not even be built (a header value that HTTP cannot carry);
    /// sending it again would not help.
    Unsendable(String),
    Deadline,
    TooLarge {
        status: u16,
        request_id: Option<String>,
    },
}

impl Attempt {
    /// The status (0 without an answer) and request ID, for the log line.
    pub fn answer_status(&self) -> (u16, Option<&str>) {
        match self {
            Attempt::Answer {
                status, request_id, ..
            }
            | Attempt::TooLarge { status, request_id } => (*status, request_id.as_deref()),
            Attempt::Transport { .. } | Attempt::Unsendable(_) | Attempt::Deadline => (0, None),
        }
    }

    /// Whether the service may have applied the request: it answered 2xx or 5xx, or the
    /// exchange broke off after the request may have reached it. 4xx answers (409 and
    /// 429 included) are refusals.
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Attempt::Answer { status, .. } => !(400..500).contains(status),
            Attempt::TooLarge { .. } | Attempt::Deadline => true,
            Attempt::Transport { connected, .. } => *connected,
            Attempt::Unsendable(_) => false,
        }
    }
}

/// The error and its causes in one line ("error sending request: connection refused").
pub(crate) fn describe_transport_error(error: &reqwest::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}
