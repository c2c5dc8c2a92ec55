//! The resource's private state: when its last create or update that changed apps
//! ended, and which apps it cancelled. The service's reads may lag behind its writes,
//! so a refresh right after an apply can miss apps just authorized, or still show apps
//! just cancelled; with this record the refresh re-reads for a short while instead of
//! reporting drift that is not there, and trusts the write when it cannot find out.

use std::collections::BTreeSet;
use std::fmt::Display;
use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tokio::time::Instant;

use crate::stop::StopFlag;

/// How long after a write a read that disagrees with it keeps re-reading, unless the
/// provider's `read_lag_seconds` says otherwise.
/// Long enough for the replication delays such services show (a second or two) with room
/// to spare, short enough that a plan right after an apply which meets real drift (an app
/// cancelled at once behind Terraform's back) is slowed by seconds, not minutes.
pub const GRACE_WINDOW: Duration = Duration::from_secs(10);

/// When the last write that changed apps ended, and the apps it cancelled.
///
/// The apps it authorized are not kept: Terraform rewrites the whole state after every
/// resource it applies, so bytes per resource cost time in large configurations, and
/// a create (the common write) only authorizes. A read within the window therefore
/// waits for every app of the state that its answer lacks, not only the ones the write
/// authorized; the only cost is that drift of an older app within seconds of a write
/// is reported after the window rather than at once. Apps sent without an answer are
/// in the state too: a read within the window that does not see them waits the whole
/// window before dropping them, the price of never dropping one that was authorized.
///
/// Cancelled apps are kept by name, because only an exclusive resource records apps
/// the state does not hold, and it must not wait for every such app: after a create,
/// apps authorized by other means are expected in the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentWrite {
    /// When the last write ended, in milliseconds since the Unix epoch.
    pub written_at_ms: u64,
    /// Apps cancelled by the writes this record covers and not authorized since.
    pub cancelled: BTreeSet<String>,
}

/// The private state of `modelarts_app_auth_api`: the last write's record, or none.
///
/// Serialised as the stamp alone (an unsigned integer) when no app was cancelled, as
/// the pair `[stamp, [cancelled apps]]` when some were, or as nil when there is no
/// record, which is also what states written before the record existed hold (or no
/// bytes at all). Anything else reads as none, so an unexpected private state never
/// fails a refresh; at worst a plan right after an apply shows lagging apps as drift.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Private(pub Option<RecentWrite>);

impl Serialize for Private {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            None => serializer.serialize_none(),
            Some(write) if write.cancelled.is_empty() => {
                serializer.serialize_u64(write.written_at_ms)
            }
            Some(write) => (write.written_at_ms, &write.cancelled).serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Private {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Stamp(u64),
            WithCancels(u64, BTreeSet<String>),
            Other(IgnoredAny),
        }
        let write = |written_at_ms, cancelled| {
            Private(Some(RecentWrite {
                written_at_ms,
                cancelled,
            }))
        };
        Ok(match Stored::deserialize(deserializer)? {
            Stored::Stamp(at) => write(at, BTreeSet::new()),
            Stored::WithCancels(at, cancelled) => write(at, cancelled),
            Stored::Other(_) => Private(None),
        })
    }
}

impl Private {
    /// The record of a write that just authorized `authorized` (or sent them without an
    /// answer) and cancelled `cancelled`; none when it did neither.
    pub fn after_write(authorized: &BTreeSet<String>, cancelled: &BTreeSet<String>) -> Private {
        if authorized.is_empty() && cancelled.is_empty() {
            return Private(None);
        }
        Private(Some(RecentWrite {
            written_at_ms: unix_ms(),
            cancelled: cancelled.clone(),
        }))
    }

    /// The record an update leaves, combining `newer` (the update's own) with this
    /// earlier record if its window is still open: the newer stamp, and the apps either
    /// cancelled that the updated state (`held`) does not hold again. The earlier record
    /// is open while less than `window` (the provider's) has passed. Nothing is left
    /// when the state holds no app and no cancel is left to wait out. An earlier stamp
    /// in the future (another machine's clock) is taken as now, so it never outlives one
    /// window from here; an earlier cancel carried by a newer stamp may be waited for
    /// up to one window longer, never more.
    pub fn merged(self, newer: Private, held: &BTreeSet<String>, window: Duration) -> Private {
        let now = unix_ms();
        let earlier = self
            .0
            .filter(|write| write.window_left(window) > Duration::ZERO)
            .map(|write| RecentWrite {
                written_at_ms: write.written_at_ms.min(now),
                ..write
            });
        let mut writes = earlier.into_iter().chain(newer.0);
        let Some(first) = writes.next() else {
            return Private(None);
        };
        let mut merged = writes.fold(first, |mut merged, write| {
            merged.written_at_ms = merged.written_at_ms.max(write.written_at_ms);
            merged.cancelled.extend(write.cancelled);
            merged
        });
        merged.cancelled.retain(|app| !held.contains(app));
        if held.is_empty() && merged.cancelled.is_empty() {
            return Private(None);
        }
        Private(Some(merged))
    }

    /// The record a read that settled everything it checked leaves: none, unless the
    /// read was of a resource that is not exclusive, which does not check cancels, and
    /// the record has some within `window`. Those stay, so that an update turning
    /// `exclusive` on merges them and the refresh after it waits for them.
    pub fn after_read(self, exclusive: bool, window: Duration) -> Private {
        let unchecked = self.0.filter(|write| {
            !exclusive && !write.cancelled.is_empty() && write.window_left(window) > Duration::ZERO
        });
        Private(unchecked)
    }
}

/// Milliseconds since the Unix epoch (0 on a clock set before it).
fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl RecentWrite {
    /// What is left of the grace window. A record stamped in the future (a clock set
    /// back, or a state moved to a machine whose clock is behind) counts as written
    /// now, so no record can make a read wait longer than one window. Such a read
    /// cannot know when the write really was; until its clock passes the stamp, each
    /// read that misses a recorded app waits (at most one window) rather than drop an
    /// app that may have just been authorized.
    fn window_left(&self, window: Duration) -> Duration {
        let age = Duration::from_millis(unix_ms().saturating_sub(self.written_at_ms));
        window.saturating_sub(age)
    }

    /// The record as a read of a resource waits on it: one that is not exclusive
    /// records only apps it holds, so apps cancelled but still shown do not matter to
    /// it and are not waited for.
    pub fn as_read_by(&self, exclusive: bool) -> RecentWrite {
        RecentWrite {
            written_at_ms: self.written_at_ms,
            cancelled: match exclusive {
                true => self.cancelled.clone(),
                false => BTreeSet::new(),
            },
        }
    }

    /// What a read waits for: the apps the state holds that the answer lacks, and the
    /// apps cancelled (and not held again) that the answer still shows. An import (no
    /// apps in the state yet) waits for none.
    fn pending(
        &self,
        owned: Option<&BTreeSet<String>>,
        remote: &BTreeSet<String>,
    ) -> (BTreeSet<String>, BTreeSet<String>) {
        let Some(owned) = owned else {
            return Default::default();
        };
        let missing = owned.difference(remote).cloned().collect();
        let shown = self
            .cancelled
            .intersection(remote)
            .filter(|app| !owned.contains(*app))
            .cloned()
            .collect();
        (missing, shown)
    }
}

/// How a read waits: the window and the delays between re-reads.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    /// See [`GRACE_WINDOW`].
    pub window: Duration,
    /// Pause before the first re-read; each next pause doubles, up to `max_delay`.
    pub first_delay: Duration,
    /// Longest pause between two re-reads.
    pub max_delay: Duration,
    /// No re-read starts with less than this left before the read's deadline (or
    /// half of what was left when the wait began, if that is less, so that a short
    /// read timeout shortens the wait instead of skipping it), so the refresh ends
    /// with the apps kept rather than with a timeout.
    pub deadline_margin: Duration,
}

/// The pacing reads use.
pub const PACING: Pacing = Pacing {
    window: GRACE_WINDOW,
    first_delay: Duration::from_millis(250),
    max_delay: Duration::from_secs(2),
    deadline_margin: Duration::from_secs(5),
};

/// Why a read stopped waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The answer agrees with the record: every app the state holds is in it, and no
    /// app cancelled is.
    Seen,
    /// The grace window has passed.
    WindowPassed,
    /// The read's deadline is too near for another re-read.
    Deadline,
    /// The user asked Terraform to stop.
    Stopped,
}

/// The answer a read believes, and how it got there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// The apps to record as authorized: the last answer, plus [`Settled::unsettled`],
    /// minus [`Settled::still_shown`].
    pub remote: BTreeSet<String>,
    /// Apps the state holds that no answer has shown, when the wait ended
    /// before the window did. They may exist, so the state keeps them, and the record
    /// stays for the next read to wait for them.
    pub unsettled: BTreeSet<String>,
    /// Apps cancelled that every answer still showed, when the wait ended before the
    /// window did. The cancel said they are gone, so the state leaves them out, and
    /// the record stays for the next read to wait for them.
    pub still_shown: BTreeSet<String>,
    /// Re-reads made after the first read.
    pub rereads: u32,
    /// Why the waiting ended.
    pub end: End,
}

impl Settled {
    /// Whether the answer settled everything the record waits for, so that the record
    /// can go.
    pub fn is_settled(&self) -> bool {
        self.unsettled.is_empty() && self.still_shown.is_empty()
    }
}

/// Starting from the answer `remote` of a first read, calls `reread` again with growing
/// pauses, within the window after `write`, while apps the state holds (`owned`) are
/// missing or apps the write cancelled are still shown, until the answer agrees, the
/// grace window ends, `deadline` nears, or a stop is requested.
///
/// Only an answer that agrees with the record, or one read after the window has
/// passed, settles the apps: an app held that it lacks is then gone, and a cancelled
/// app that it shows is authorized again, so real drift shows as soon as the window
/// has passed. When the wait ends sooner, the answer may be stale and the write is
/// trusted: apps still missing are kept as [`Settled::unsettled`], and cancelled apps
/// still shown are left out as [`Settled::still_shown`].
///
/// Errors: the error of the first re-read that fails; the caller treats it as a failed
/// read, never as an answer.
pub async fn settle<F, Fut, E>(
    write: &RecentWrite,
    owned: Option<&BTreeSet<String>>,
    mut remote: BTreeSet<String>,
    (deadline, stop): (Instant, &StopFlag),
    pacing: &Pacing,
    mut reread: F,
) -> Result<Settled, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<BTreeSet<String>, E>>,
    E: Display,
{
    let start = Instant::now();
    let window_end = start + write.window_left(pacing.window);
    let margin = pacing
        .deadline_margin
        .min(deadline.saturating_duration_since(start) / 2);
    let mut delay = pacing.first_delay;
    let mut rereads = 0;
    let (end, (missing, shown)) = loop {
        let now = Instant::now();
        let pending = write.pending(owned, &remote);
        let (missing, shown) = &pending;
        if missing.is_empty() && shown.is_empty() {
            break (End::Seen, pending);
        }
        if now >= window_end {
            tracing::warn!(
                missing = missing.len(),
                still_shown = shown.len(),
                rereads,
                "the answer still differs from the last apply after the grace window; the \
                 state follows the answer"
            );
            break (End::WindowPassed, pending);
        }
        let pause = delay.min(window_end - now);
        if now + pause + margin > deadline {
            break (End::Deadline, pending);
        }
        if !stop.sleep(pause).await {
            break (End::Stopped, pending);
        }
        tracing::debug!(
            missing = missing.len(),
            still_shown = shown.len(),
            rereads,
            "re-reading: the answer does not show the last apply yet"
        );
        rereads += 1;
        match reread().await {
            Ok(apps) => remote = apps,
            Err(error) => {
                tracing::warn!(%error, "re-read after a recent apply failed");
                return Err(error);
            }
        }
        delay = (delay * 2).min(pacing.max_delay);
    };
    let (unsettled, still_shown) = match end {
        End::Seen | End::WindowPassed => Default::default(),
        End::Deadline | End::Stopped => {
            tracing::warn!(
                ?end,
                unsettled = missing.len(),
                still_shown = shown.len(),
                "stopped waiting for the answer to show the last apply; the state follows \
                 the apply"
            );
            (missing, shown)
        }
    };
    remote.extend(unsettled.iter().cloned());
    remote.retain(|app| !still_shown.contains(app));
    Ok(Settled {
        remote,
        unsettled,
        still_shown,
        rereads,
        end,
    })
}

#[cfg(test)]
#[path = "recent_tests.rs"]
mod tests;
