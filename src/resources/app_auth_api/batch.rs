//! Authorize and cancel batches as the resource runs them: a chunk at a time so that an
//! interrupt stops between calls, then, only when something failed, one re-read of the
//! API to learn which of the failures already hold ("already authorized", "not
//! authorized", a call whose answer was lost).

use std::collections::BTreeSet;

use tokio::time::{Duration, Instant};

use crate::modelarts::batch::may_exceed_call_limit;
use crate::modelarts::{
    ApiRef, AppFailure, AuthorizedApp, BatchOutcome, ClientError, ModelArtsClient,
};
use crate::resources::is_gone;
use crate::stop::StopFlag;

/// Time granted to the re-read after a failure, even when the operation's deadline has
/// passed: without it a timed-out change could not learn what it did.
const RECONCILE_GRACE: Duration = Duration::from_secs(5);

/// Authorize or cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Authorize the API to the apps.
    Authorize,
    /// Cancel the API's authorization to the apps.
    Cancel,
}

/// What a batch really did, after reconciliation.
#[derive(Debug, Default)]
pub struct Progress {
    /// Apps now in the wanted condition (authorized, or no longer authorized).
    pub done: BTreeSet<String>,
    /// Apps whose element failed and that the re-read did not show as done.
    pub failed: Vec<AppFailure>,
    /// Apps never sent, so the service cannot have acted on them.
    pub not_attempted: Vec<String>,
    /// Apps sent in a call that got no usable answer (timeout, broken connection, 5xx
    /// after retries) that no re-read settled: sent, outcome unknown. An authorize may
    /// have happened and a cancel may not have, so the state keeps them either way.
    pub unknown: Vec<String>,
    /// The call-level failure that stopped the batch.
    pub error: Option<ClientError>,
    /// How many apps the call that hit [`Self::error`] carried.
    pub error_call_apps: usize,
    /// True when an interrupt stopped the batch before its end.
    pub interrupted: bool,
    /// Apps handed over by the object a create replaces whose authorize was refused or
    /// not sent, and that no re-read showed gone: they were authorized before, so the
    /// state keeps them as possibly authorized. Set by the create after the batch.
    pub handed_over_kept: Vec<String>,
}

impl Progress {
    /// True when every app reached the wanted condition.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
            && self.not_attempted.is_empty()
            && self.unknown.is_empty()
            && self.error.is_none()
    }

    /// Apps that did not reach the wanted condition, or may not have.
    pub fn unresolved(&self) -> impl Iterator<Item = &String> {
        self.failed
            .iter()
            .map(|f| &f.app_id)
            .chain(self.not_attempted.iter())
            .chain(self.unknown.iter())
    }

    /// The advice for a call the service may have refused for carrying too many apps
    /// (see [`may_exceed_call_limit`]): a sentence naming how many were sent and the
    /// setting that lowers it. `None` for any other outcome.
    pub fn call_limit_hint(&self) -> Option<String> {
        let error = self.error.as_ref()?;
        may_exceed_call_limit(error, self.error_call_apps).then(|| {
            format!(
                "{} also means a call carried more apps than the service allows: if it \
                 limits apps per call below the {} sent, set max_apps_per_call in the \
                 provider block to that limit. ",
                error.error_code().unwrap_or_default(),
                self.error_call_apps
            )
        })
    }
}

/// Sends `apps` in chunks of the client's `max_apps_per_call`, stopping between chunks when `stop` is set or a call fails.
pub async fn run(
    client: &ModelArtsClient,
    api: &ApiRef,
    direction: Direction,
    apps: &[String],
    deadline: Instant,
    stop: &StopFlag,
) -> Progress {
    let mut progress = Progress::default();
    let mut chunks = apps.chunks(client.max_apps_per_call());
    while let Some(chunk) = chunks.next() {
        if stop.is_requested() {
            progress.interrupted = true;
            progress.not_attempted.extend(chunk.iter().cloned());
            progress.not_attempted.extend(chunks.flatten().cloned());
            tracing::warn!(
                direction = ?direction,
                apps_not_sent = progress.not_attempted.len(),
                "Terraform asked the provider to stop: the apps left are not sent"
            );
            break;
        }
        let outcome: BatchOutcome = match direction {
            Direction::Authorize => client.authorize_apps(api, chunk, deadline).await,
            Direction::Cancel => client.cancel_apps(api, chunk, deadline).await,
        };
        progress.not_attempted.extend(outcome.never_sent());
        progress.unknown.extend(outcome.unknown_outcome);
        progress.done.extend(outcome.succeeded);
        progress.failed.extend(outcome.failed);
        if let Some(error) = &outcome.error {
            progress.interrupted |= error.is_stopped();
            progress.error = outcome.error;
            progress.error_call_apps = outcome.error_call_apps;
            progress.not_attempted.extend(chunks.flatten().cloned());
            break;
        }
    }
    progress
}

/// What one re-read of the API found.
pub enum Remote {
    /// The apps authorized now.
    Apps(BTreeSet<String>),
    /// The service or the API no longer exists.
    Gone(ClientError),
    /// The re-read failed; nothing can be concluded.
    Unknown,
}

/// Re-reads the API once, when any of `batches` left something unresolved.
pub async fn reread_if_needed(
    client: &ModelArtsClient,
    api: &ApiRef,
    deadline: Instant,
    batches: &[&Progress],
) -> Option<Remote> {
    if batches.iter().all(|p| p.is_complete()) {
        return None;
    }
    let deadline = deadline.max(Instant::now() + RECONCILE_GRACE);
    Some(match client.list_authorized_apps(api, deadline).await {
        Ok(apps) => Remote::Apps(app_ids(apps)),
        Err(error) if is_gone(&error) => Remote::Gone(error),
        Err(error) => {
            tracing::warn!(error = %error, "could not re-read the API after a failed batch");
            Remote::Unknown
        }
    })
}

/// Phrases of a reason that says the app is authorized already.
const ALREADY_AUTHORIZED: [&str; 4] = [
    "already authori",
    "already been authori",
    "already bound",
    "already been bound",
];

/// Words that turn such a phrase around ("not ... already", "unbound").
const NEGATIONS: [&str; 4] = ["not ", "no longer", "unbound", "unauthori"];

/// Whether a failed authorize element means the app is authorized already: the
/// service's reason, with the app's own ID taken out, says "already authorized" (or
/// "bound"), in any case, and nothing in it negates that. A re-read may lag behind the
/// write and not show it yet, so such a reason alone settles it; any other reason that
/// mentions "already" (a quota already used up, an app already unbound, an app ID with
/// the word in it) stays a failure.
pub fn says_already_authorized(failure: &AppFailure) -> bool {
    let reason = failure.reason_without_app_id();
    ALREADY_AUTHORIZED
        .iter()
        .any(|phrase| reason.contains(phrase))
        && !NEGATIONS.iter().any(|word| reason.contains(word))
}

/// Moves the unresolved apps that `remote` shows in the wanted condition to `done`,
/// and the authorize failures that say the app is already authorized. A vanished API
/// counts as every app cancelled, and none authorized.
pub fn reconcile(progress: &mut Progress, direction: Direction, remote: &Remote) {
    let holds = |app: &str| match (remote, direction) {
        (Remote::Apps(apps), Direction::Authorize) => apps.contains(app),
        (Remote::Apps(apps), Direction::Cancel) => !apps.contains(app),
        (Remote::Gone(_), Direction::Cancel) => true,
        _ => false,
    };
    let mut settled = Vec::new();
    progress.failed.retain(|f| {
        let done =
            holds(&f.app_id) || (direction == Direction::Authorize && says_already_authorized(f));
        if done {
            settled.push(f.app_id.clone());
        }
        !done
    });
    progress.not_attempted.retain(|app| {
        let done = holds(app);
        if done {
            settled.push(app.clone());
        }
        !done
    });
    for app in &settled {
        tracing::warn!(
            app_id = %app,
            direction = ?direction,
            "the service reported a failure, but the app is already in the wanted condition"
        );
    }
    // An app sent without a usable answer is done when the re-read shows it in the
    // wanted condition. An authorize the re-read does not show stays unknown: the read
    // may lag behind the write, so the app is kept as possibly authorized, for the next
    // refresh (which waits for lagging reads) to settle, rather than dropped while the
    // service may hold it. A cancel the re-read still shows failed; the app stays in
    // the state either way.
    if let Remote::Apps(_) | Remote::Gone(_) = remote {
        for app in std::mem::take(&mut progress.unknown) {
            if holds(&app) {
                settled.push(app);
            } else if direction == Direction::Authorize && matches!(remote, Remote::Apps(_)) {
                progress.unknown.push(app);
            } else {
                progress.failed.push(AppFailure {
                    reason: match direction {
                        Direction::Authorize => "the call got no usable answer, and a re-read \
                                                 does not show the app authorized"
                            .into(),
                        Direction::Cancel => "the call got no usable answer, and a re-read \
                                              still shows the app authorized"
                            .into(),
                    },
                    app_id: app,
                });
            }
        }
    }
    progress.done.extend(settled);
    if progress.failed.is_empty()
        && progress.not_attempted.is_empty()
        && progress.unknown.is_empty()
    {
        progress.error = None;
    }
}

/// The IDs of a list of authorized apps.
pub fn app_ids(apps: Vec<AuthorizedApp>) -> BTreeSet<String> {
    apps.into_iter().map(|app| app.app_id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(app: &str) -> AppFailure {
        AppFailure {
            app_id: app.into(),
            reason: if app.starts_with("dup") {
                "app dup is Already authorized to API api-3".into()
            } else {
                "r".into()
            },
        }
    }

    fn progress(done: &[&str], failed: &[&str], not_attempted: &[&str]) -> Progress {
        // Apps named "sent-..." were sent without a usable answer.
        let (unknown, not_attempted): (Vec<String>, Vec<String>) = not_attempted
            .iter()
            .map(|s| s.to_string())
            .partition(|s| s.starts_with("sent"));
        Progress {
            done: done.iter().map(|s| s.to_string()).collect(),
            failed: failed.iter().map(|s| failure(s)).collect(),
            not_attempted,
            unknown,
            ..Progress::default()
        }
    }

    fn remote(apps: &[&str]) -> Remote {
        Remote::Apps(apps.iter().map(|s| s.to_string()).collect())
    }

    /// Only a reason saying the app is already authorized (or bound) counts; the word
    /// "already" elsewhere, a negation, or the word inside the app's own ID does not.
    #[test]
    fn only_an_already_authorized_reason_counts_as_done() {
        let cases = [
            (
                "emulator wording",
                "a1",
                "app a1 is already authorized to API x",
                true,
            ),
            ("other case", "a1", "App a1 Already Authorised", true),
            ("bound", "a1", "the app is already bound to this API", true),
            (
                "quota",
                "a1",
                "app quota already used up for this API",
                false,
            ),
            (
                "word in the app ID",
                "already-a1",
                "app already-a1 does not exist",
                false,
            ),
            (
                "word in the ID, authorized elsewhere",
                "already-a1",
                "app already-a1 is not authorized to create",
                false,
            ),
            ("no word", "a1", "the app belongs to another user", false),
            (
                "has been",
                "a1",
                "the app has already been authorized",
                true,
            ),
            (
                "negated elsewhere",
                "a1",
                "app is not authorized to call this service: its creator was already removed",
                false,
            ),
            (
                "already unbound",
                "a1",
                "the app was already unbound from this API",
                false,
            ),
            (
                "not already",
                "a1",
                "app a1 is not already authorized",
                false,
            ),
            (
                "no longer",
                "a1",
                "already authorized before, no longer valid",
                false,
            ),
        ];
        for (name, app_id, reason, expected) in cases {
            let failure = AppFailure {
                app_id: app_id.into(),
                reason: reason.into(),
            };
            assert_eq!(says_already_authorized(&failure), expected, "{name}");
        }
    }

    /// A re-read settles failures that already hold and keeps the others as failures.
    #[test]
    fn reconcile_settles_what_the_reread_shows() {
        let cases = [
            (
                "already authorized counts as done",
                Direction::Authorize,
                progress(&["a"], &["b"], &[]),
                remote(&["a", "b"]),
                vec!["a", "b"],
                0,
            ),
            (
                "authorize still missing stays failed",
                Direction::Authorize,
                progress(&["a"], &["b"], &["c"]),
                remote(&["a"]),
                vec!["a"],
                2,
            ),
            (
                "cancel of an app already gone counts as done",
                Direction::Cancel,
                progress(&[], &["b"], &[]),
                remote(&["x"]),
                vec!["b"],
                0,
            ),
            (
                "cancel of an app still there stays failed",
                Direction::Cancel,
                progress(&[], &["b"], &[]),
                remote(&["b"]),
                vec![],
                1,
            ),
            (
                "a vanished API cancels everything",
                Direction::Cancel,
                progress(&[], &["b"], &["c"]),
                Remote::Gone(ClientError::Config {
                    message: "gone".into(),
                }),
                vec!["b", "c"],
                0,
            ),
            (
                "already authorized counts as done while the re-read lags",
                Direction::Authorize,
                progress(&["a"], &["dup-b", "c"], &[]),
                remote(&["a"]),
                vec!["a", "dup-b"],
                1,
            ),
            (
                "already authorized counts as done when the re-read fails",
                Direction::Authorize,
                progress(&[], &["dup-b"], &[]),
                Remote::Unknown,
                vec!["dup-b"],
                0,
            ),
            (
                "an already reason does not confirm a cancel",
                Direction::Cancel,
                progress(&[], &["dup-b"], &[]),
                remote(&["dup-b"]),
                vec![],
                1,
            ),
            (
                "an outcome-unknown authorize shown by the re-read is done",
                Direction::Authorize,
                progress(&[], &[], &["sent-a", "sent-b"]),
                remote(&["sent-a"]),
                vec!["sent-a"],
                1,
            ),
            (
                "an outcome-unknown cancel absent from the re-read is done",
                Direction::Cancel,
                progress(&[], &[], &["sent-a", "sent-b"]),
                remote(&["sent-a"]),
                vec!["sent-b"],
                1,
            ),
            (
                "an outcome-unknown app stays unknown when the re-read fails",
                Direction::Authorize,
                progress(&[], &[], &["sent-a"]),
                Remote::Unknown,
                vec![],
                1,
            ),
            (
                "an unknown re-read settles nothing",
                Direction::Cancel,
                progress(&[], &["b"], &[]),
                Remote::Unknown,
                vec![],
                1,
            ),
        ];
        for (name, direction, mut progress, remote, done, unresolved) in cases {
            reconcile(&mut progress, direction, &remote);
            let expected: BTreeSet<String> = done.iter().map(|s| s.to_string()).collect();
            assert_eq!(progress.done, expected, "{name}");
            assert_eq!(progress.unresolved().count(), unresolved, "{name}");
        }
    }

    /// An authorize sent without an answer that the re-read does not show stays
    /// unknown, since the read may lag; only a vanished API makes it a failure.
    #[test]
    fn an_unanswered_authorize_the_reread_lacks_stays_possibly_authorized() {
        let mut lagging = progress(&[], &[], &["sent-a", "sent-b"]);
        reconcile(&mut lagging, Direction::Authorize, &remote(&["sent-a"]));
        assert_eq!(lagging.unknown, ["sent-b"], "kept as possibly authorized");
        assert!(lagging.failed.is_empty());

        let mut gone = progress(&[], &[], &["sent-a"]);
        let vanished = Remote::Gone(ClientError::Config {
            message: "gone".into(),
        });
        reconcile(&mut gone, Direction::Authorize, &vanished);
        assert!(gone.unknown.is_empty(), "a vanished API holds nothing");
        assert_eq!(gone.failed.len(), 1);
    }

    /// The hint names the number sent, and only a 400 ModelArts.0107 to several apps
    /// gets it.
    #[test]
    fn only_a_call_refused_as_invalid_names_the_apps_per_call_setting() {
        let refused = |status: u16, code: &str, apps: usize| Progress {
            not_attempted: vec!["a".into()],
            error: Some(ClientError::Api {
                operation: "authorize apps",
                status,
                error_code: Some(code.into()),
                error_msg: None,
                request_id: None,
            }),
            error_call_apps: apps,
            ..Progress::default()
        };
        let cases = [
            (
                "50 refused",
                refused(400, "ModelArts.0107", 50),
                Some("below the 50 sent"),
            ),
            ("one app refused", refused(400, "ModelArts.0107", 1), None),
            ("forbidden", refused(403, "ModelArts.0105", 50), None),
            ("no call failed", progress(&["a"], &["b"], &[]), None),
        ];
        for (name, progress, expected) in cases {
            let hint = progress.call_limit_hint();
            assert_eq!(hint.is_some(), expected.is_some(), "{name}: {hint:?}");
            if let (Some(hint), Some(needle)) = (hint, expected) {
                assert!(hint.contains(needle), "{name}: {hint}");
                assert!(hint.contains("max_apps_per_call"), "{name}: {hint}");
            }
        }
    }
}
