//! Authorize and cancel in chunks the service accepts, checking every element of every
//! answer against the apps that were sent.

use std::collections::{HashMap, HashSet};

use super::error::ClientError;
use super::models::AppAuthResult;

/// The most apps one authorize or cancel call carries unless the provider's
/// `max_apps_per_call` lowers it: the service's documented limit, and the highest value
/// that setting accepts.
pub const MAX_APPS_PER_CALL: usize = 100;

/// Per-app result of a (possibly chunked) authorize or cancel.
#[derive(Debug, Clone, Default)]
pub struct BatchOutcome {
    /// Apps whose element said `success: true`.
    pub succeeded: Vec<String>,
    /// Apps whose element said `success: false`, or that the answer left out.
    pub failed: Vec<AppFailure>,
    /// Apps in chunks that got no usable answer: the one that hit `error` and all after
    /// it. Those in [`Self::unknown_outcome`] were sent; the rest never were.
    pub not_attempted: Vec<String>,
    /// The apps of `not_attempted` whose request was sent but got no usable answer (no
    /// answer before the deadline, a connection that broke after it was made, a 5xx, an
    /// unreadable answer): sent, outcome unknown. The service may have applied the
    /// change, so keep them as possibly authorized (or possibly still authorized, for a
    /// cancel) until a read says otherwise. Always a subset of `not_attempted`, in order.
    pub unknown_outcome: Vec<String>,
    /// The call-level failure that stopped the batch.
    pub error: Option<ClientError>,
    /// How many apps the call that hit [`Self::error`] carried; 0 when no call failed.
    pub error_call_apps: usize,
}

impl BatchOutcome {
    /// True when every app succeeded and no call failed.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && self.not_attempted.is_empty() && self.error.is_none()
    }

    /// The apps of `not_attempted` that were never sent, so the service cannot have
    /// acted on them: `not_attempted` without [`Self::unknown_outcome`], in order.
    pub fn never_sent(&self) -> Vec<String> {
        let sent: HashSet<&str> = self.unknown_outcome.iter().map(String::as_str).collect();
        self.not_attempted
            .iter()
            .filter(|app| !sent.contains(app.as_str()))
            .cloned()
            .collect()
    }
}

/// True when `error`, the answer to a call carrying `apps_in_call` apps, may mean the
/// call carried more apps than the service allows: a 400 `ModelArts.0107` to a call with
/// more than one app. The same answer also means other invalid input, so this only
/// decides whether to suggest a lower `max_apps_per_call`; the call is never resent.
pub fn may_exceed_call_limit(error: &ClientError, apps_in_call: usize) -> bool {
    apps_in_call > 1 && error.status() == Some(400) && error.is_invalid_parameter()
}

/// One app the service did not authorize (or cancel), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppFailure {
    /// The app.
    pub app_id: String,
    /// The service's reason, or ours when the answer did not say.
    pub reason: String,
}

impl AppFailure {
    /// The reason in lower case with the app's own ID blanked out, for matching the
    /// service's wording without being fooled by an ID that holds the same words.
    pub fn reason_without_app_id(&self) -> String {
        self.reason
            .to_lowercase()
            .replace(&self.app_id.to_lowercase(), " ")
    }
}

/// The apps to send, in order, without duplicates or blank IDs.
pub(crate) fn unique_apps(app_ids: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    app_ids
        .iter()
        .filter(|id| !id.trim().is_empty() && seen.insert(id.as_str()))
        .cloned()
        .collect()
}

/// Folds one chunk's answer into `outcome`. Every app sent gets exactly one verdict:
/// a failure in any element for it wins (the next read tells the truth), an app the
/// answer leaves out has failed, and elements about apps not sent are ignored.
pub fn record_chunk(sent: &[String], answer: Vec<AppAuthResult>, outcome: &mut BatchOutcome) {
    let mut verdicts: HashMap<&str, Result<(), Option<String>>> = HashMap::new();
    for element in &answer {
        let Some(app_id) = sent.iter().find(|id| **id == element.app_id) else {
            tracing::debug!(app_id = %element.app_id, "ignoring an answer element for an app not sent");
            continue;
        };
        let verdict = if element.success {
            Ok(())
        } else {
            Err(element.reason.clone())
        };
        let entry = verdicts.entry(app_id.as_str()).or_insert(Ok(()));
        if entry.is_ok() {
            *entry = verdict;
        }
    }
    for app_id in sent {
        match verdicts.remove(app_id.as_str()) {
            Some(Ok(())) => outcome.succeeded.push(app_id.clone()),
            Some(Err(reason)) => outcome.failed.push(AppFailure {
                app_id: app_id.clone(),
                reason: reason
                    .unwrap_or_else(|| "the service reported a failure without a reason".into()),
            }),
            None => outcome.failed.push(AppFailure {
                app_id: app_id.clone(),
                reason: "the service's answer did not mention this app".into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn ok(app: &str) -> AppAuthResult {
        AppAuthResult {
            app_id: app.into(),
            success: true,
            reason: None,
        }
    }

    fn fail(app: &str, reason: Option<&str>) -> AppAuthResult {
        AppAuthResult {
            app_id: app.into(),
            success: false,
            reason: reason.map(str::to_string),
        }
    }

    /// Each element is checked: success, failure with and without reason, missing, extra.
    #[test]
    fn every_element_of_an_answer_is_checked() {
        struct Case {
            name: &'static str,
            sent: &'static [&'static str],
            answer: Vec<AppAuthResult>,
            succeeded: &'static [&'static str],
            failed: &'static [(&'static str, &'static str)],
        }
        let cases = [
            Case {
                name: "all succeed",
                sent: &["a", "b"],
                answer: vec![ok("b"), ok("a")],
                succeeded: &["a", "b"],
                failed: &[],
            },
            Case {
                name: "one fails with a reason",
                sent: &["a", "b"],
                answer: vec![ok("a"), fail("b", Some("app b is unknown"))],
                succeeded: &["a"],
                failed: &[("b", "app b is unknown")],
            },
            Case {
                name: "failure without a reason",
                sent: &["a"],
                answer: vec![fail("a", None)],
                succeeded: &[],
                failed: &[("a", "without a reason")],
            },
            Case {
                name: "app missing from the answer",
                sent: &["a", "b"],
                answer: vec![ok("a")],
                succeeded: &["a"],
                failed: &[("b", "did not mention this app")],
            },
            Case {
                name: "element for an app not sent is ignored",
                sent: &["a"],
                answer: vec![ok("a"), ok("zzz"), fail("yyy", Some("x"))],
                succeeded: &["a"],
                failed: &[],
            },
            Case {
                name: "conflicting duplicates count as failure",
                sent: &["a"],
                answer: vec![ok("a"), fail("a", Some("later failure"))],
                succeeded: &[],
                failed: &[("a", "later failure")],
            },
            Case {
                name: "empty answer fails everything",
                sent: &["a", "b"],
                answer: vec![],
                succeeded: &[],
                failed: &[("a", "did not mention"), ("b", "did not mention")],
            },
        ];
        for case in cases {
            let mut outcome = BatchOutcome::default();
            record_chunk(&ids(case.sent), case.answer, &mut outcome);
            assert_eq!(outcome.succeeded, ids(case.succeeded), "{}", case.name);
            assert_eq!(outcome.failed.len(), case.failed.len(), "{}", case.name);
            for (failure, (app, reason)) in outcome.failed.iter().zip(case.failed) {
                assert_eq!(failure.app_id, *app, "{}", case.name);
                assert!(
                    failure.reason.contains(reason),
                    "{}: {}",
                    case.name,
                    failure.reason
                );
            }
        }
    }

    fn api_error(status: u16, code: Option<&str>) -> ClientError {
        ClientError::Api {
            operation: "authorize apps",
            status,
            error_code: code.map(str::to_string),
            error_msg: Some("invalid parameter".into()),
            request_id: None,
        }
    }

    /// Only a 400 ModelArts.0107 to a call of several apps hints at the per-call limit.
    #[test]
    fn only_an_invalid_parameter_for_several_apps_may_exceed_the_limit() {
        let decode = ClientError::Decode {
            operation: "authorize apps",
            status: 400,
            message: "not JSON".into(),
            request_id: None,
        };
        let cases = [
            (
                "0107 for 50 apps",
                api_error(400, Some("ModelArts.0107")),
                50,
                true,
            ),
            (
                "0107 for two apps",
                api_error(400, Some("ModelArts.0107")),
                2,
                true,
            ),
            (
                "0107 for one app",
                api_error(400, Some("ModelArts.0107")),
                1,
                false,
            ),
            (
                "another 400 code",
                api_error(400, Some("ModelArts.0104")),
                50,
                false,
            ),
            ("400 without a code", api_error(400, None), 50, false),
            (
                "0107 with another status",
                api_error(403, Some("ModelArts.0107")),
                50,
                false,
            ),
            ("unreadable 400", decode, 50, false),
        ];
        for (name, error, apps, expected) in cases {
            assert_eq!(may_exceed_call_limit(&error, apps), expected, "{name}");
        }
    }

    /// Duplicates and blank IDs are dropped before chunking, order kept.
    #[test]
    fn unique_apps_drops_duplicates_and_blanks() {
        let cases = [
            ("empty", ids(&[]), ids(&[])),
            ("duplicates", ids(&["b", "a", "b"]), ids(&["b", "a"])),
            ("blank", ids(&["a", " ", ""]), ids(&["a"])),
        ];
        for (name, input, expected) in cases {
            assert_eq!(unique_apps(&input), expected, "{name}");
        }
    }
}
