//! The resource's private state: when its last create or update that authorized apps
//! ended. The service's reads may lag behind its writes, so a refresh right after an
//! apply can miss apps just authorized; with this record the refresh re-reads for a
//! short while instead of reporting drift that is not there, and keeps the apps when it
//! cannot find out.
//!
//! TODO(#4): cancels are not recorded, so with `exclusive = true` a refresh whose reads
//! still show an app just cancelled records it again (the next plan offers to cancel it
//! again). The emulator's `read_lag_reads` lags only authorizations; this mark can go
//! when it lags cancels too and the record covers them.

use std::collections::BTreeSet;
use std::fmt::Display;
use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tokio::time::Instant;

use crate::stop::StopFlag;

/// How long after a write a read that lacks the apps it authorized keeps re-reading.
/// Long enough for the replication delays such services show (a second or two) with room
/// to spare, short enough that a plan right after an apply which meets real drift (an app
/// cancelled at once behind Terraform's back) is slowed by seconds, not minutes.
pub const GRACE_WINDOW: Duration = Duration::from_secs(10);

/// When the last write that authorized apps (or sent some without an answer) ended.
///
/// Only the time is kept, not the apps: Terraform rewrites the whole state after every
/// resource it applies, so bytes per resource cost time in large configurations. A read
/// within the window therefore waits for every app of the state that its answer lacks,
/// not only the ones the write authorized; the only cost is that drift of an older app
/// within seconds of a write is reported after the window rather than at once. Apps sent
/// without an answer are in the state too: a read within the window that does not see
/// them waits the whole window before dropping them, the price of never dropping one
/// that was authorized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentWrite {
    /// When the last write ended, in milliseconds since the Unix epoch.
    pub written_at_ms: u64,
}

/// The private state of `modelarts_app_auth_api`: the last write's record, or none.
///
/// Serialised as the stamp alone (an unsigned integer), or as nil when there is none,
/// which is also what states written before the record existed hold (or no bytes at
/// all). Anything else reads as none, so an unexpected private state never fails a
/// refresh; at worst a plan right after an apply shows lagging apps as missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Private(pub Option<RecentWrite>);

impl Serialize for Private {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0
            .as_ref()
            .map(|write| write.written_at_ms)
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Private {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Stamp(u64),
            Other(IgnoredAny),
        }
        Ok(match Stored::deserialize(deserializer)? {
            Stored::Stamp(written_at_ms) => Private(Some(RecentWrite { written_at_ms })),
            Stored::Other(_) => Private(None),
        })
    }
}

impl Private {
    /// The record of a write that just authorized `apps` (none when it authorized none).
    pub fn after_write(apps: &BTreeSet<String>) -> Private {
        if apps.is_empty() {
            return Private(None);
        }
        Private(Some(RecentWrite {
            written_at_ms: unix_ms(),
        }))
    }

    /// The record an update leaves: the newer of `newer` (the update's own) and this
    /// earlier record, if its window is still open and the updated state (`held`)
    /// still records apps. An earlier stamp in the future (another machine's clock) is
    /// taken as now, so it never outlives one window from here.
    pub fn merged(self, newer: Private, held: &BTreeSet<String>) -> Private {
        let now = unix_ms();
        let earlier = self
            .0
            .filter(|write| write.window_left(GRACE_WINDOW) > Duration::ZERO)
            .map(|write| write.written_at_ms.min(now));
        let newest = earlier
            .into_iter()
            .chain(newer.0.map(|write| write.written_at_ms))
            .max()
            .filter(|_| !held.is_empty());
        Private(newest.map(|written_at_ms| RecentWrite { written_at_ms }))
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

    /// The apps the state holds that the answer lacks: those a read waits for. An
    /// import (no apps in the state yet) waits for none.
    fn missing(
        &self,
        owned: Option<&BTreeSet<String>>,
        remote: &BTreeSet<String>,
    ) -> BTreeSet<String> {
        owned.map_or_else(BTreeSet::new, |owned| {
            owned.difference(remote).cloned().collect()
        })
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

/// A stop request is noticed within this time during a pause.
const STOP_POLL: Duration = Duration::from_millis(100);

/// Why a read stopped waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Every app the state holds is in the answer (or none was missing).
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
    /// The apps to record as authorized: the last answer, plus [`Settled::unsettled`].
    pub remote: BTreeSet<String>,
    /// Apps the state holds that no answer has shown, when the wait ended
    /// before the window did. They may exist, so the state keeps them, and the record
    /// stays for the next read to wait for them.
    pub unsettled: BTreeSet<String>,
    /// Re-reads made after the first read.
    pub rereads: u32,
    /// Why the waiting ended.
    pub end: End,
}

/// Starting from the answer `remote` of a first read, calls `reread` again with growing
/// pauses, within the window after `write`, while apps the state holds (`owned`) are
/// missing, until they
/// appear, the grace window ends, `deadline` nears, or a stop is requested.
///
/// Only an answer that shows the apps, or one read after the window has passed,
/// settles them: an app it lacks is then gone, so real drift shows as soon as the
/// window has passed. When the wait ends sooner, the apps still missing are kept as
/// [`Settled::unsettled`], since the answer may be stale.
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
    let (end, missing) = loop {
        let now = Instant::now();
        let missing = write.missing(owned, &remote);
        if missing.is_empty() {
            break (End::Seen, missing);
        }
        if now >= window_end {
            tracing::warn!(
                missing = missing.len(),
                rereads,
                "apps authorized by the last apply are still not shown after the grace \
                 window; the state drops them"
            );
            break (End::WindowPassed, missing);
        }
        let pause = delay.min(window_end - now);
        if now + pause + margin > deadline {
            break (End::Deadline, missing);
        }
        if !pause_unless_stopped(pause, stop).await {
            break (End::Stopped, missing);
        }
        tracing::debug!(
            missing = missing.len(),
            rereads,
            "re-reading: apps authorized a moment ago are not shown yet"
        );
        rereads += 1;
        match reread().await {
            Ok(apps) => remote = apps,
            Err(error) => {
                tracing::warn!(%error, "re-read for apps authorized a moment ago failed");
                return Err(error);
            }
        }
        delay = (delay * 2).min(pacing.max_delay);
    };
    let unsettled = match end {
        End::Seen | End::WindowPassed => BTreeSet::new(),
        End::Deadline | End::Stopped => {
            tracing::warn!(
                ?end,
                unsettled = missing.len(),
                "stopped waiting for apps authorized a moment ago; the state keeps them"
            );
            missing
        }
    };
    remote.extend(unsettled.iter().cloned());
    Ok(Settled {
        remote,
        unsettled,
        rereads,
        end,
    })
}

/// Sleeps for `pause`, returning false as soon as a stop is requested.
async fn pause_unless_stopped(pause: Duration, stop: &StopFlag) -> bool {
    let until = Instant::now() + pause;
    loop {
        if stop.is_requested() {
            return false;
        }
        let now = Instant::now();
        if now >= until {
            return true;
        }
        tokio::time::sleep((until - now).min(STOP_POLL)).await;
    }
}

#[cfg(test)]
#[path = "recent_tests.rs"]
mod tests;
