//! Two objects of this resource can change the same API in one run: a replacement
//! with `create_before_destroy` (the new object is created before the old one is
//! deleted, both with the same ID), or a resource renamed in the configuration
//! (Terraform 1.0 deletes the old address and creates the new one in parallel). If
//! the delete cancelled every app in its state, it would revoke what the other object
//! has just authorized, and the state would claim authorizations that no longer exist.
//!
//! So every change of an API runs under that API's lock, and the apps a create or an
//! update leaves authorized are recorded as held by a live object of this run; a
//! delete, or an update dropping apps, then cancels only the apps no live object
//! holds. The same goes for an app moved from one resource to another on the same API:
//! whichever update runs first, the app stays authorized.
//! Terraform runs one provider process per apply, so the record spans exactly the
//! operations that can race.
//!
//! The record also carries the apps a delete left authorized for the create that
//! replaces its object on the same API (see [`super::successor`]), until that create
//! takes them.

// TODO(#4): a `create_before_destroy` replacement whose old object is deleted by a later
// apply (the delete failed, was interrupted, or was left out by `-target`) finds an empty
// record and cancels what the replacement holds. The mark can go when a delete can learn
// that another object in the state holds the same API (tfplugin6 tells a provider
// nothing about other objects, nor that a delete is of a deposed object).
// TODO(#4): likewise, an exclusive object created before another object's delete on
// its API (a `create_before_destroy` replacement, a rename) never learns of the apps
// that delete cancels, so its refresh does not wait for a lagging read to drop them
// and adopts them again. The mark can go when a delete can write to the other
// object's private state, or a refresh can learn of cancels made by another object.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::modelarts::ApiRef;

/// What this process knows of each API it changes, with the turn that serialises
/// those changes. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct ApiHolds(Arc<Mutex<HashMap<ApiRef, Arc<Entry>>>>);

/// One API's turn and record. The record has a lock of its own, held only for
/// moments, so that an operation that gave up waiting for its turn can still settle
/// its share of it.
#[derive(Debug, Default)]
struct Entry {
    turn: Arc<AsyncMutex<()>>,
    record: Mutex<ApiRecord>,
}

/// What this process knows of one API.
#[derive(Debug, Default)]
struct ApiRecord {
    /// The apps live objects of this run hold.
    held: BTreeSet<String>,
    /// The apps a delete left authorized for the create that replaces its object.
    handed_over: BTreeSet<String>,
    /// The apps cancelled in this run and not authorized since: a delete must not
    /// hand one over, since the prior state that lists it is out of date.
    cancelled: BTreeSet<String>,
    /// The app sets of the creates of this API that have run in this process.
    created: Vec<BTreeSet<String>>,
}

impl ApiRecord {
    /// Moves the apps handed over that a create wants to the apps held, and returns
    /// them: the create owns them now.
    fn claim(&mut self, wanted: &BTreeSet<String>) -> BTreeSet<String> {
        let taken: BTreeSet<String> = self.handed_over.intersection(wanted).cloned().collect();
        self.handed_over.retain(|app| !taken.contains(app));
        self.held.extend(taken.iter().cloned());
        taken
    }
}

/// The turn to change one API, and its record, until dropped.
#[derive(Debug)]
pub struct Held {
    entry: Arc<Entry>,
    _turn: OwnedMutexGuard<()>,
}

impl Held {
    fn record(&self) -> MutexGuard<'_, ApiRecord> {
        lock(&self.entry.record)
    }
}

/// A lock whose holder panicked still guards data that is whole: every change to it
/// is made in one step.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ApiHolds {
    fn entry(&self, api: &ApiRef) -> Arc<Entry> {
        lock(&self.0).entry(api.clone()).or_default().clone()
    }

    /// Waits until no other operation of this process is changing `api`, then gives
    /// access to the apps live objects hold on it.
    pub async fn lock(&self, api: &ApiRef) -> Held {
        let entry = self.entry(api);
        let turn = Arc::clone(&entry.turn).lock_owned().await;
        Held { entry, _turn: turn }
    }

    /// For a create that could not get its turn: the apps handed over to it that it
    /// wants, which are authorized and now its own, for its state to record.
    pub fn claim_without_turn(&self, api: &ApiRef, wanted: &BTreeSet<String>) -> BTreeSet<String> {
        lock(&self.entry(api).record).claim(wanted)
    }
}

/// Records the outcome of a create or update: the apps it cancelled are no longer
/// held, the apps it left authorized (or possibly authorized) are.
pub fn record(held: &mut Held, cancelled: &BTreeSet<String>, now: &BTreeSet<String>) {
    let mut record = held.record();
    record.held.retain(|app| !cancelled.contains(app));
    record.held.extend(now.iter().cloned());
    record.cancelled.extend(cancelled.iter().cloned());
    record.cancelled.retain(|app| !now.contains(app));
}

/// Splits apps an object is about to give up (cancel) into those no live object of
/// this run holds, which may be cancelled, and those another object holds (or a
/// delete handed over to the object replacing it), which must stay authorized and
/// simply leave this object's state.
pub fn release<'a>(
    held: &Held,
    apps: impl IntoIterator<Item = &'a String>,
) -> (Vec<String>, BTreeSet<String>) {
    let record = held.record();
    let (elsewhere, free): (Vec<&String>, Vec<&String>) = apps
        .into_iter()
        .partition(|app| record.held.contains(*app) || record.handed_over.contains(*app));
    (
        free.into_iter().cloned().collect(),
        elsewhere.into_iter().cloned().collect(),
    )
}

/// Whether the create planned with `apps` (the successor of a delete) may still come
/// in this process: no create of exactly that set has run on this API yet. With
/// `create_before_destroy` the replacement was created first and holds what it
/// authorized, so its delete hands nothing over. A create of another resource on the
/// API does not count; one with the very same set would only make the delete cancel
/// what no live object holds, which that create does hold.
pub fn create_may_follow(held: &Held, apps: &BTreeSet<String>) -> bool {
    !held.record().created.contains(apps)
}

/// The apps cancelled on this API in this run and not authorized since.
pub fn cancelled_in_run(held: &Held) -> BTreeSet<String> {
    held.record().cancelled.clone()
}

/// Leaves `apps` authorized for the create that replaces the deleted object, except
/// those cancelled earlier in this run (by another object listing them too): those are
/// gone already, for the create to send again. Returns the apps handed over.
pub fn hand_over(held: &mut Held, apps: BTreeSet<String>) -> BTreeSet<String> {
    let mut record = held.record();
    let kept: BTreeSet<String> = apps
        .into_iter()
        .filter(|app| !record.cancelled.contains(app))
        .collect();
    record.handed_over.extend(kept.iter().cloned());
    kept
}

/// Notes that a create of this API runs, and gives it the apps handed over that it
/// wants, which it then holds; the others stay handed over.
pub fn begin_create(held: &mut Held, wanted: &BTreeSet<String>) -> BTreeSet<String> {
    let mut record = held.record();
    record.created.push(wanted.clone());
    record.claim(wanted)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::resources::app_auth_api::fixtures::{api, set};

    /// A delete after a create on the same API cancels only what the create left out;
    /// an update's cancellations stop being held.
    #[tokio::test]
    async fn a_delete_releases_only_what_no_live_object_holds() {
        let holds = ApiHolds::default();
        {
            let mut held = holds.lock(&api()).await;
            record(&mut held, &set(&[]), &set(&["a", "b"]));
        }
        let held = holds.lock(&api()).await;
        let (free, elsewhere) = release(&held, &set(&["a", "b", "c"]));
        assert_eq!((free, elsewhere), (vec!["c".to_string()], set(&["a", "b"])));
        drop(held);

        let mut held = holds.lock(&api()).await;
        record(&mut held, &set(&["a"]), &set(&["b"]));
        assert_eq!(release(&held, &set(&["a", "b"])).0, ["a"]);
    }

    /// A create takes the apps handed over that it wants, once; the rest stay for
    /// another create.
    #[tokio::test]
    async fn a_create_takes_only_the_handed_over_apps_it_wants() {
        let holds = ApiHolds::default();
        let mut held = holds.lock(&api()).await;
        assert!(create_may_follow(&held, &set(&["a", "c"])));
        hand_over(&mut held, set(&["a", "b"]));
        assert_eq!(
            release(&held, &set(&["b", "c"])).1,
            set(&["b"]),
            "b is held"
        );
        assert_eq!(begin_create(&mut held, &set(&["a", "c"])), set(&["a"]));
        assert!(
            !create_may_follow(&held, &set(&["a", "c"])),
            "that create ran"
        );
        assert!(create_may_follow(&held, &set(&["a"])), "another may come");
        assert_eq!(begin_create(&mut held, &set(&["a", "c"])), set(&[]));
        assert_eq!(begin_create(&mut held, &set(&["b"])), set(&["b"]));
    }

    /// An app another object cancelled earlier in this run is not handed over: the
    /// state that lists it is out of date, and the create must send it again. Once
    /// authorized again, it may be handed over.
    #[tokio::test]
    async fn an_app_cancelled_earlier_in_the_run_is_not_handed_over() {
        let holds = ApiHolds::default();
        let mut held = holds.lock(&api()).await;
        record(&mut held, &set(&["a"]), &set(&[]));
        assert_eq!(hand_over(&mut held, set(&["a", "b"])), set(&["b"]));
        assert_eq!(begin_create(&mut held, &set(&["a", "b"])), set(&["b"]));

        record(&mut held, &set(&[]), &set(&["a"]));
        assert_eq!(hand_over(&mut held, set(&["a"])), set(&["a"]));
    }

    /// Another API's record is separate, and its lock does not wait for this one.
    #[tokio::test]
    async fn apis_are_locked_and_recorded_apart() {
        let holds = ApiHolds::default();
        let mut first = holds.lock(&api()).await;
        record(&mut first, &set(&[]), &set(&["a"]));
        let other = ApiRef {
            api_id: "other".into(),
            ..api()
        };
        let second = tokio::time::timeout(Duration::from_secs(5), holds.lock(&other))
            .await
            .expect("another API's lock is free");
        assert_eq!(release(&second, &set(&["a"])).0, ["a"]);
        let api = api();
        let same = tokio::time::timeout(Duration::from_millis(50), holds.lock(&api)).await;
        assert!(same.is_err(), "the same API waits for the first holder");
    }
}
