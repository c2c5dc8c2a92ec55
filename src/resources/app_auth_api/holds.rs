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

// TODO(#4): a `create_before_destroy` replacement whose old object is deleted by a later
// apply (the delete failed, was interrupted, or was left out by `-target`) finds an empty
// record and cancels what the replacement holds. The mark can go when a delete can learn
// that another object in the state holds the same API (tfplugin6 tells a provider
// nothing about other objects, nor that a delete is of a deposed object).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::modelarts::ApiRef;

/// The apps held on each API by objects created or updated in this process, each
/// behind the lock that serialises changes of that API. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct ApiHolds(Arc<Mutex<HashMap<ApiRef, Record>>>);

/// One API's held apps, behind its lock.
type Record = Arc<AsyncMutex<BTreeSet<String>>>;

/// Exclusive access to one API's record until dropped.
pub type Held = OwnedMutexGuard<BTreeSet<String>>;

impl ApiHolds {
    /// Waits until no other operation of this process is changing `api`, then gives
    /// access to the apps live objects hold on it.
    pub async fn lock(&self, api: &ApiRef) -> Held {
        let entry = {
            let mut map = self
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            map.entry(api.clone()).or_default().clone()
        };
        entry.lock_owned().await
    }
}

/// Records the outcome of a create or update: the apps it cancelled are no longer
/// held, the apps it left authorized (or possibly authorized) are.
pub fn record(held: &mut Held, cancelled: &BTreeSet<String>, now: &BTreeSet<String>) {
    held.retain(|app| !cancelled.contains(app));
    held.extend(now.iter().cloned());
}

/// Splits apps an object is about to give up (cancel) into those no live object of
/// this run holds, which may be cancelled, and those another object holds, which must
/// stay authorized and simply leave this object's state.
pub fn release<'a>(
    held: &Held,
    apps: impl IntoIterator<Item = &'a String>,
) -> (Vec<String>, BTreeSet<String>) {
    let (elsewhere, free): (Vec<&String>, Vec<&String>) =
        apps.into_iter().partition(|app| held.contains(*app));
    (
        free.into_iter().cloned().collect(),
        elsewhere.into_iter().cloned().collect(),
    )
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
