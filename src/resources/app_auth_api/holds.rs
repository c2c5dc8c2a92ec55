//! Two objects of this resource can change the same API in one run: a replacement
//! with `create_before_destroy` (the new object is created before the old one is
//! deleted, both with the same ID), or a resource renamed in the configuration
//! (Terraform 1.0 deletes the old address and creates the new one in parallel). If
//! the delete cancelled every app in its state, it would revoke what the other object
//! has just authorized, and the state would claim authorizations that no longer exist.
//!
//! So every change of an API runs under that API's lock, and the apps a create or an
//! update leaves authorized are recorded as held by a live object of this run; a
//! delete then cancels only the apps of its state that no live object holds.
//! Terraform runs one provider process per apply, so the record spans exactly the
//! operations that can race.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::modelarts::ApiRef;

/// The apps held on each API by objects created or updated in this process, each
/// behind the lock that serialises changes of that API. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct ApiHolds(Arc<Mutex<HashMap<ApiRef, Arc<AsyncMutex<BTreeSet<String>>>>>>);

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

/// The apps of a deleted object's state that no live object holds: the ones to cancel.
pub fn releasable(held: &Held, apps: &BTreeSet<String>) -> Vec<String> {
    apps.iter()
        .filter(|app| !held.contains(*app))
        .cloned()
        .collect()
}
