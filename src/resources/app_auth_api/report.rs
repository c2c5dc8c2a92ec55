//! The diagnostics of an authorize or cancel batch that did not reach its goal: one
//! "Interrupted" error for Ctrl-C, one error per direction for real failures, each
//! saying only what is true of the state afterwards.

use tf_provider::Diagnostics;

use super::batch::{Direction, Progress};
use super::state::describe_api;
use crate::diagnostics::{abridged, batch_error, root_error, BatchFailure};
use crate::modelarts::{ApiRef, AppFailure};

/// Summary of the diagnostic an interrupted apply gets, once.
const INTERRUPTED: &str = "Interrupted";

/// Adds the error for a batch that did not reach its goal during `step` ("create",
/// "update", "delete"), and the interrupt notice. Apps an interrupt kept from being
/// sent are no failure: the "Interrupted" error says so, nothing else is added.
pub fn report(
    diags: &mut Diagnostics,
    api: &ApiRef,
    direction: Direction,
    progress: &Progress,
    step: &str,
) {
    if progress.interrupted && !diags.errors.iter().any(|e| e.summary == INTERRUPTED) {
        root_error(diags, INTERRUPTED, interrupted_detail(step, progress));
    }
    let failed_for_a_reason =
        !progress.failed.is_empty() || !progress.unknown.is_empty() || progress.error.is_some();
    if progress.is_complete() || (progress.interrupted && !failed_for_a_reason) {
        return;
    }
    let (summary, action) = match direction {
        Direction::Authorize => ("Failed to authorize apps", "authorize"),
        Direction::Cancel => (
            "Failed to cancel app authorizations",
            "cancel the authorization of",
        ),
    };
    let subject = describe_api(api);
    let failure = BatchFailure {
        action,
        subject: &subject,
        failed: &progress.failed,
        not_attempted: &progress.not_attempted,
        unknown: &progress.unknown,
        error: progress.error.as_ref(),
    };
    let mut advice = progress.call_limit_hint().unwrap_or_default();
    advice.push_str(&kept(direction, progress, step));
    batch_error(diags, summary, &failure, &advice);
}

fn interrupted_detail(step: &str, progress: &Progress) -> String {
    let stopped = format!("The {step} stopped early because Terraform was interrupted.");
    match step {
        "delete" => format!("{stopped} {DELETE_KEPT}"),
        "create" if !keeps_an_object(progress) => format!(
            "{stopped} Nothing was authorized, so no object is saved in the state; the \
             next apply creates the resource."
        ),
        "create" => format!("{stopped} The state records what was done.{TAINT_ADVICE}"),
        _ => {
            format!("{stopped} The state records what was done. The next apply finishes the rest.")
        }
    }
}

/// Whether an authorize batch leaves any app in the state, and so a create an object.
fn keeps_an_object(progress: &Progress) -> bool {
    !progress.done.is_empty()
        || !progress.unknown.is_empty()
        || !progress.handed_over_kept.is_empty()
}

/// What a failed or interrupted delete leaves: Terraform keeps the prior state.
// TODO(#4): tf-provider's destroy hook returns no state, so a delete cannot record the
// apps it did cancel; Terraform keeps the whole prior object until the next refresh.
// When the hook can return one, return the apps still authorized and drop this mark.
const DELETE_KEPT: &str = "Terraform keeps the resource in the state with every app it \
                           listed, also those already cancelled; the next refresh drops \
                           those, and the next destroy or apply finishes the rest.";

/// Said when a cancel failed with the service's own "not authorized", which a re-read
/// then contradicted: the service's reads lag behind its writes.
const LAGGING_CANCEL_ADVICE: &str = " The service answered that some of these apps are not \
                                     authorized, yet a re-read still listed them: its \
                                     reads may lag behind its writes. Run the same command \
                                     again in a minute.";

/// Terraform taints every object whose create returned an error, and the next apply
/// replaces it on the same API, which keeps what the configuration still lists (see
/// [`super::successor`]).
const TAINT_ADVICE: &str = " Terraform marks the resource tainted, so the next apply \
                            replaces it: the apps the configuration still lists stay \
                            authorized throughout, when all their IDs are known at plan \
                            time, and the rest are added.";

/// What the state now records, and what to do: only sentences that are true.
fn kept(direction: Direction, progress: &Progress, step: &str) -> String {
    let mut text = String::new();
    match direction {
        Direction::Authorize => {
            if !progress.done.is_empty() {
                text.push_str("The apps that were authorized are recorded in the state. ");
            }
            if !progress.unknown.is_empty() {
                text.push_str(
                    "The apps sent without an answer are kept in the state as possibly \
                     authorized; the next refresh drops any the service does not hold. ",
                );
            }
            if !progress.handed_over_kept.is_empty() {
                // Not "stayed authorized": the state the delete had may be out of date
                // (an app cancelled outside before a saved plan or `-refresh=false`),
                // and the re-read that does not show the app may be right.
                let verbs = match progress.handed_over_kept.len() {
                    1 => ("was", "is"),
                    _ => ("were", "are"),
                };
                text.push_str(&format!(
                    "{} {} not cancelled by the delete of the object this create \
                     replaces and {} kept in the state as possibly authorized; the next \
                     refresh drops any the service does not hold. ",
                    abridged(
                        progress
                            .handed_over_kept
                            .iter()
                            .map(|app| format!("{app:?}"))
                    ),
                    verbs.0,
                    verbs.1
                ));
            }
            let some_kept = keeps_an_object(progress);
            text.push_str(match some_kept {
                true => "Fix the cause and apply again to add the rest.",
                false => "Fix the cause and apply again.",
            });
            if step == "create" && some_kept {
                text.push_str(TAINT_ADVICE);
            }
        }
        Direction::Cancel if step == "delete" => text.push_str(DELETE_KEPT),
        Direction::Cancel => text.push_str(
            "The apps still authorized, or possibly still authorized, stay in the state; \
             fix the cause and apply again.",
        ),
    }
    if direction == Direction::Cancel && progress.failed.iter().any(says_not_authorized) {
        text.push_str(LAGGING_CANCEL_ADVICE);
    }
    text
}

/// Whether a failed cancel element's reason, without the app's own ID, says the app
/// is not authorized. Only advice depends on it: a re-read decides the state.
fn says_not_authorized(failure: &AppFailure) -> bool {
    failure.reason_without_app_id().contains("not authori")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::app_auth_api::fixtures::api;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn failure(app: &str) -> AppFailure {
        AppFailure {
            app_id: app.into(),
            reason: "app creator mismatch".into(),
        }
    }

    /// Each outcome gets exactly the diagnostics it deserves, with only true sentences.
    #[test]
    fn report_says_only_what_is_true() {
        struct Case {
            name: &'static str,
            direction: Direction,
            step: &'static str,
            progress: Progress,
            summaries: &'static [&'static str],
            present: &'static [&'static str],
            absent: &'static [&'static str],
        }
        let cases = [
            Case {
                name: "interrupted between chunks gives one diagnostic",
                direction: Direction::Authorize,
                step: "create",
                progress: Progress {
                    done: strings(&["a"]).into_iter().collect(),
                    not_attempted: strings(&["b", "c"]),
                    interrupted: true,
                    ..Progress::default()
                },
                summaries: &["Interrupted"],
                present: &["tainted", "stay authorized throughout"],
                absent: &[],
            },
            Case {
                name: "a create interrupted before any app says no object is saved",
                direction: Direction::Authorize,
                step: "create",
                progress: Progress {
                    not_attempted: strings(&["a"]),
                    interrupted: true,
                    ..Progress::default()
                },
                summaries: &["Interrupted"],
                present: &["no object is saved", "creates the resource"],
                absent: &["tainted", "records what was done"],
            },
            Case {
                name: "a create interrupted keeping handed-over apps says tainted",
                direction: Direction::Authorize,
                step: "create",
                progress: Progress {
                    not_attempted: strings(&["a"]),
                    handed_over_kept: strings(&["a"]),
                    interrupted: true,
                    ..Progress::default()
                },
                summaries: &["Interrupted"],
                present: &["records what was done", "tainted"],
                absent: &["no object is saved"],
            },
            Case {
                name: "a refused handed-over app is named as kept",
                direction: Direction::Authorize,
                step: "create",
                progress: Progress {
                    failed: vec![failure("a")],
                    handed_over_kept: strings(&["a"]),
                    ..Progress::default()
                },
                summaries: &["Failed to authorize apps"],
                present: &[
                    "\"a\" was not cancelled by the delete of the object this create replaces and \
                     is kept",
                    "tainted",
                ],
                absent: &["are recorded in the state", "stayed authorized"],
            },
            Case {
                name: "nothing authorized says nothing was recorded",
                direction: Direction::Authorize,
                step: "create",
                progress: Progress {
                    failed: vec![failure("a")],
                    ..Progress::default()
                },
                summaries: &["Failed to authorize apps"],
                present: &["\"a\" (app creator mismatch)", "apply again."],
                absent: &["are recorded in the state", "tainted", "the rest"],
            },
            Case {
                name: "some authorized says they are recorded",
                direction: Direction::Authorize,
                step: "create",
                progress: Progress {
                    done: strings(&["a"]).into_iter().collect(),
                    failed: vec![failure("b")],
                    ..Progress::default()
                },
                summaries: &["Failed to authorize apps"],
                present: &[
                    "are recorded in the state",
                    "stay authorized throughout",
                    "add the rest",
                ],
                absent: &["outcome unknown"],
            },
            Case {
                name: "outcome unknown is named and kept",
                direction: Direction::Authorize,
                step: "create",
                progress: Progress {
                    unknown: strings(&["d"]),
                    ..Progress::default()
                },
                summaries: &["Failed to authorize apps"],
                present: &["Sent, outcome unknown: \"d\"", "possibly authorized"],
                absent: &["are recorded in the state", "Left unchanged"],
            },
            Case {
                name: "an interrupted delete says the state keeps every app",
                direction: Direction::Cancel,
                step: "delete",
                progress: Progress {
                    done: strings(&["a"]).into_iter().collect(),
                    not_attempted: strings(&["b"]),
                    interrupted: true,
                    ..Progress::default()
                },
                summaries: &["Interrupted"],
                present: &["keeps the resource in the state with every app"],
                absent: &["records what was done", "tainted"],
            },
            Case {
                name: "a failed delete says the state keeps every app",
                direction: Direction::Cancel,
                step: "delete",
                progress: Progress {
                    done: strings(&["a"]).into_iter().collect(),
                    failed: vec![failure("b")],
                    ..Progress::default()
                },
                summaries: &["Failed to cancel app authorizations"],
                present: &["keeps the resource in the state with every app"],
                absent: &["stay in the state", "reads may lag"],
            },
            Case {
                name: "a 'not authorized' cancel contradicted by a re-read points at lag",
                direction: Direction::Cancel,
                step: "update",
                progress: Progress {
                    failed: vec![AppFailure {
                        app_id: "b".into(),
                        reason: "app b is not authorized to API x".into(),
                    }],
                    ..Progress::default()
                },
                summaries: &["Failed to cancel app authorizations"],
                present: &["stay in the state", "reads may lag behind its writes"],
                absent: &["keeps the resource"],
            },
        ];
        for case in cases {
            let mut diags = Diagnostics::default();
            report(
                &mut diags,
                &api(),
                case.direction,
                &case.progress,
                case.step,
            );
            let summaries: Vec<&str> = diags.errors.iter().map(|e| e.summary.as_ref()).collect();
            assert_eq!(summaries, case.summaries, "{}", case.name);
            let details: String = diags.errors.iter().map(|e| e.detail.as_ref()).collect();
            for needle in case.present {
                assert!(details.contains(needle), "{}: {details}", case.name);
            }
            for needle in case.absent {
                assert!(!details.contains(needle), "{}: {details}", case.name);
            }
        }
    }
}
