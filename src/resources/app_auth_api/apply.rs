//! Create, update and delete of `modelarts_app_auth_api`. Each returns the state that
//! really exists afterwards, with an error naming what failed, so nothing is lost when
//! only part of a change succeeds.

use std::collections::BTreeSet;

use tf_provider::value::Value;
use tf_provider::Diagnostics;

use super::batch::{self, Direction, Remote};
use super::holds;
use super::plan::validate;
use super::recent::Private;
use super::report::report;
use super::state::{app_set, describe_api, AppAuthApiState, AuthApiId};
use super::successor::Successor;
use crate::diagnostics::{abridged, root_error, root_warning};
use crate::modelarts::ApiRef;
use crate::provider::shared::ProviderData;
use crate::resources::timeouts::{deadline_of, Operation};

/// Authorizes the planned apps, and nothing else: even with `exclusive`, apps
/// authorized by other means are not cancelled here, because no plan showed them; the
/// next refresh records them and the next plan shows them as ones to remove.
///
/// Apps that the delete of the object this one replaces left authorized (see
/// [`super::successor`]) are sent too, since that object's state may be out of date (a
/// plan saved earlier, `-refresh=false`); authorizing an authorized app succeeds. One
/// whose authorize failed stays recorded unless a re-read shows it gone, as does every
/// one when this create cannot even start.
///
/// Returns the new state (`Value::Null` when nothing at all is authorized) with the
/// record of the apps authorized, or `None` when the plan could not be used.
pub async fn create(
    diags: &mut Diagnostics,
    provider: &ProviderData,
    planned: AppAuthApiState,
) -> Option<(Value<AppAuthApiState>, Private)> {
    let (api, wanted) = applicable(diags, &planned)?;
    let deadline = deadline_of(&planned.timeouts, Operation::Create);
    let Some(mut held) = lock_api(diags, provider, &api, deadline, "create").await else {
        let kept = provider.holds.claim_without_turn(&api, &wanted);
        if !kept.is_empty() {
            root_warning(
                diags,
                "Apps kept from the replaced object",
                format!(
                    "The delete of the object this create replaces left {} authorized \
                     for it; they stay authorized and are recorded in the state.",
                    abridged(kept.iter().map(|app| format!("{app:?}")))
                ),
            );
        }
        return created_state(&api, planned, kept, &BTreeSet::new());
    };
    let handed_over = holds::begin_create(&mut held, &wanted);
    let apps: Vec<String> = wanted.iter().cloned().collect();

    let mut added = batch::run(
        &provider.client,
        &api,
        Direction::Authorize,
        &apps,
        deadline,
        &provider.stop,
    )
    .await;
    let remote = batch::reread_if_needed(&provider.client, &api, deadline, &[&added]).await;
    if let Some(remote) = &remote {
        batch::reconcile(&mut added, Direction::Authorize, remote);
    }
    // Apps sent without an answer may be authorized: keeping them lets the next
    // refresh drop those that are not, while dropping them could leak a grant. So may
    // apps handed over whose authorize was refused or not sent: they were authorized,
    // and a re-read that does not show them may lag behind. Only a vanished API settles
    // them.
    if !matches!(remote, Some(Remote::Gone(_))) {
        added.handed_over_kept = (added.failed.iter().map(|f| &f.app_id))
            .chain(&added.not_attempted)
            .filter(|app| handed_over.contains(*app))
            .cloned()
            .collect();
    }
    report(diags, &api, Direction::Authorize, &added, "create");

    let apps_now: BTreeSet<String> = (added.done.iter())
        .chain(&added.unknown)
        .chain(&added.handed_over_kept)
        .cloned()
        .collect();
    // A handed-over app the service showed gone is no longer held by anyone.
    let gone: BTreeSet<String> = handed_over.difference(&apps_now).cloned().collect();
    holds::record(&mut held, &gone, &apps_now);
    // Apps cancelled on this API in this run (by the delete this create follows, say)
    // are recorded as cancels, so that an exclusive refresh right after waits for a
    // lagging read to stop showing them.
    let cancelled = holds::cancelled_in_run(&held);
    created_state(&api, planned, apps_now, &cancelled)
}

/// The state of a create that left `apps_now` authorized, with the record of its
/// write; `Value::Null` when it left none.
fn created_state(
    api: &ApiRef,
    planned: AppAuthApiState,
    apps_now: BTreeSet<String>,
    cancelled: &BTreeSet<String>,
) -> Option<(Value<AppAuthApiState>, Private)> {
    if apps_now.is_empty() {
        return Some((Value::Null, Private::default()));
    }
    tracing::info!(id = %AuthApiId::from(api), apps = apps_now.len(), "authorization created");
    let created = AppAuthApiState {
        id: Value::Value(AuthApiId::from(api).to_string()),
        app_ids: app_set(apps_now.iter().cloned()),
        ..planned
    };
    let written = Private::after_write(&apps_now, cancelled);
    Some((Value::Value(created), written))
}

/// Authorizes what the plan adds and cancels what it removes (prior apps not planned),
/// touching nothing else: an app the plan did not show is never cancelled, also when
/// `exclusive` turns on.
/// An app the plan removes that another object of this run holds (it moved to another
/// resource on this API) is left authorized and leaves this state.
/// Returns the prior apps minus those really cancelled (or held elsewhere) plus those
/// really authorized,
/// with the record of this write (the caller merges it with a prior one).
pub async fn update(
    diags: &mut Diagnostics,
    provider: &ProviderData,
    prior: AppAuthApiState,
    planned: AppAuthApiState,
) -> Option<(Value<AppAuthApiState>, Private)> {
    let (api, wanted) = applicable(diags, &planned)?;
    let had = prior.known_app_ids().unwrap_or_default();
    let deadline = deadline_of(&planned.timeouts, Operation::Update);
    let mut held = lock_api(diags, provider, &api, deadline, "update").await?;
    let (to_add, dropped) = changes(&had, &wanted);
    // An app another object of this run has just authorized (moved between two
    // resources on this API) leaves this state without being cancelled.
    let (to_cancel, held_elsewhere) = holds::release(&held, &dropped);

    let client = &provider.client;
    let stop = &provider.stop;
    // Adding first means a failure half way never leaves the API with fewer apps than
    // either the old or the new configuration asks for.
    let mut added = batch::run(client, &api, Direction::Authorize, &to_add, deadline, stop).await;
    let mut cancelled =
        batch::run(client, &api, Direction::Cancel, &to_cancel, deadline, stop).await;
    if let Some(remote) =
        batch::reread_if_needed(client, &api, deadline, &[&added, &cancelled]).await
    {
        batch::reconcile(&mut added, Direction::Authorize, &remote);
        batch::reconcile(&mut cancelled, Direction::Cancel, &remote);
    }
    report(diags, &api, Direction::Authorize, &added, "update");
    report(diags, &api, Direction::Cancel, &cancelled, "update");

    let possibly_added: BTreeSet<String> =
        added.done.iter().chain(&added.unknown).cloned().collect();
    let gone: BTreeSet<String> = cancelled.done.union(&held_elsewhere).cloned().collect();
    let apps_now = apps_after(&had, &gone, &possibly_added);
    holds::record(&mut held, &cancelled.done, &apps_now);
    tracing::info!(
        id = %AuthApiId::from(&api),
        authorized = added.done.len(),
        cancelled = cancelled.done.len(),
        "authorization updated"
    );
    // Cancels are recorded whether or not the resource is exclusive: only an exclusive
    // refresh waits for them, but a quick later update may turn `exclusive` on.
    let written = Private::after_write(&possibly_added, &cancelled.done);
    let updated = AppAuthApiState {
        app_ids: app_set(apps_now),
        ..planned
    };
    Some((Value::Value(updated), written))
}

/// Cancels the apps in the state that no other object of this run holds, and, when
/// this delete is the first half of a replacement on the same API (`successor`), that
/// the new object drops: the apps it keeps are handed over to its create. "Already
/// gone", for one app or the whole API, counts as done. Adds an error when some app is
/// still authorized afterwards.
pub async fn delete(
    diags: &mut Diagnostics,
    provider: &ProviderData,
    prior: AppAuthApiState,
    successor: Option<Successor>,
) {
    let (Some(api), Some(apps)) = (prior.api_ref(), prior.known_app_ids()) else {
        root_error(
            diags,
            "Provider bug: please report",
            "The state of this modelarts_app_auth_api lacks its keys or apps, so it cannot \
             be deleted. Please report this bug; `terraform state rm` removes the entry.",
        );
        return;
    };
    let deadline = deadline_of(&prior.timeouts, Operation::Delete);
    let Some(mut held) = lock_api(diags, provider, &api, deadline, "delete").await else {
        return;
    };
    // Apps that another object of this run holds (the replacement of this one, or the
    // same API under a new address) stay authorized: they are no longer this object's.
    let (apps, held_elsewhere) = holds::release(&held, &apps);
    if !held_elsewhere.is_empty() {
        tracing::info!(
            id = %AuthApiId::from(&api),
            kept = held_elsewhere.len(),
            "apps left authorized: another object of this run holds them"
        );
    }
    // Apps the object replacing this one will authorize are left authorized for it.
    // An app among those that another object cancelled earlier in this run is gone
    // already: neither cancelled again nor handed over, so the create sends it.
    let apps: Vec<String> = match &successor {
        Some(successor)
            if successor.is_on(&api) && holds::create_may_follow(&held, &successor.apps) =>
        {
            let (kept, apps): (Vec<String>, Vec<String>) = apps
                .into_iter()
                .partition(|app| successor.apps.contains(app));
            let handed_over = holds::hand_over(&mut held, kept.into_iter().collect());
            if !handed_over.is_empty() {
                tracing::info!(
                    id = %AuthApiId::from(&api),
                    kept = handed_over.len(),
                    "apps left authorized for the object replacing this one"
                );
            }
            apps
        }
        _ => apps,
    };

    let client = &provider.client;
    let mut cancelled = batch::run(
        client,
        &api,
        Direction::Cancel,
        &apps,
        deadline,
        &provider.stop,
    )
    .await;
    // A 404 on the cancel itself may name an app rather than the API, so whether the
    // API is gone is asked of the read, like every other failure.
    if let Some(remote) = batch::reread_if_needed(client, &api, deadline, &[&cancelled]).await {
        if let Remote::Gone(error) = &remote {
            root_warning(
                diags,
                "API already deleted",
                format!(
                    "The {} no longer exists ({error}), so its authorizations are gone with \
                     it. The resource is removed from the state.",
                    describe_api(&api)
                ),
            );
        }
        batch::reconcile(&mut cancelled, Direction::Cancel, &remote);
    }
    holds::record(&mut held, &cancelled.done, &BTreeSet::new());
    report(diags, &api, Direction::Cancel, &cancelled, "delete");
    if cancelled.is_complete() {
        tracing::info!(id = %AuthApiId::from(&api), "authorization deleted");
    }
}

/// Waits for the other operations of this run on the same API to finish, up to the
/// operation's deadline, and returns the API's record of held apps.
async fn lock_api(
    diags: &mut Diagnostics,
    provider: &ProviderData,
    api: &ApiRef,
    deadline: tokio::time::Instant,
    step: &str,
) -> Option<holds::Held> {
    match tokio::time::timeout_at(deadline, provider.holds.lock(api)).await {
        Ok(held) => Some(held),
        Err(_) => {
            root_error(
                diags,
                format!("Timed out before the {step} could start"),
                format!(
                    "Another change of the {} in this run was still in progress when this \
                     {step}'s timeout ran out, so nothing was sent. Apply again, or raise \
                     `timeouts.{step}`.",
                    describe_api(api)
                ),
            );
            None
        }
    }
}

/// The apps to authorize (wanted, not had) and to cancel (had, not wanted); apps in
/// both sets are not touched.
pub fn changes(had: &BTreeSet<String>, wanted: &BTreeSet<String>) -> (Vec<String>, Vec<String>) {
    (
        wanted.difference(had).cloned().collect(),
        had.difference(wanted).cloned().collect(),
    )
}

/// The apps authorized after a change: those had, minus those really cancelled, plus
/// those really authorized.
pub fn apps_after(
    had: &BTreeSet<String>,
    cancelled: &BTreeSet<String>,
    authorized: &BTreeSet<String>,
) -> BTreeSet<String> {
    had.difference(cancelled)
        .chain(authorized.iter())
        .cloned()
        .collect()
}

/// The API and the final app set of a plan about to be applied, after a last check of
/// the values that were unknown at plan time.
fn applicable(
    diags: &mut Diagnostics,
    planned: &AppAuthApiState,
) -> Option<(ApiRef, BTreeSet<String>)> {
    validate(diags, planned);
    if !diags.errors.is_empty() {
        return None;
    }
    match (planned.api_ref(), planned.known_app_ids()) {
        (Some(api), Some(apps)) => Some((api, apps)),
        _ => {
            root_error(
                diags,
                "Provider bug: please report",
                "The plan of this modelarts_app_auth_api still holds unknown values at \
                 apply time. Please report this bug with the configuration used.",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::app_auth_api::fixtures::set;

    fn list(apps: &[&str]) -> Vec<String> {
        apps.iter().map(|s| s.to_string()).collect()
    }

    /// An update adds only what is new and cancels only what was dropped.
    #[test]
    fn changes_touch_only_the_difference() {
        let cases = [
            (
                "C03",
                set(&["a", "b", "c"]),
                set(&["b", "c", "d"]),
                list(&["d"]),
                list(&["a"]),
            ),
            (
                "no change",
                set(&["a", "b"]),
                set(&["b", "a"]),
                list(&[]),
                list(&[]),
            ),
            (
                "all new",
                set(&[]),
                set(&["a", "b"]),
                list(&["a", "b"]),
                list(&[]),
            ),
            (
                "shrink",
                set(&["a", "b", "c"]),
                set(&["c"]),
                list(&[]),
                list(&["a", "b"]),
            ),
            ("swap", set(&["a"]), set(&["z"]), list(&["z"]), list(&["a"])),
        ];
        for (name, had, wanted, add, cancel) in cases {
            assert_eq!(changes(&had, &wanted), (add, cancel), "{name}");
        }
    }

    /// The recorded set is what really happened, not what was planned.
    #[test]
    fn apps_after_records_only_what_happened() {
        let cases = [
            (
                "all went well",
                set(&["a", "b", "c"]),
                set(&["a"]),
                set(&["d"]),
                set(&["b", "c", "d"]),
            ),
            (
                "cancel failed (C16)",
                set(&["a", "b", "c"]),
                set(&["b"]),
                set(&["d"]),
                set(&["a", "c", "d"]),
            ),
            (
                "authorize failed",
                set(&["a", "b"]),
                set(&["a"]),
                set(&[]),
                set(&["b"]),
            ),
            ("nothing done", set(&["a"]), set(&[]), set(&[]), set(&["a"])),
        ];
        for (name, had, cancelled, authorized, expected) in cases {
            assert_eq!(
                apps_after(&had, &cancelled, &authorized),
                expected,
                "{name}"
            );
        }
    }
}
