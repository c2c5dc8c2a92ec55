//! When to retry and how long to wait: capped, jittered exponential backoff that honours
//! the service's `Retry-After`.

use std::time::{Duration, SystemTime};

/// How long to wait between attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait before the first retry, before jitter.
    pub base: Duration,
    /// The longest computed wait; a longer `Retry-After` is still honoured.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1 for the first retry), jittered into the
    /// upper half of the exponential step so waits keep growing but clients spread out.
    /// `unit` is a random number in `[0, 1)`.
    pub fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let doublings = retry.saturating_sub(1).min(30);
        let step = self.base.saturating_mul(1u32 << doublings).min(self.cap);
        step.mul_f64(0.5 + 0.5 * unit.clamp(0.0, 1.0))
    }

    /// The wait before retry number `retry`: the backoff, or the service's
    /// `Retry-After` when that is longer.
    pub fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let backoff = self.backoff(retry, rand::random::<f64>());
        retry_after.map_or(backoff, |after| after.max(backoff))
    }
}

/// Whether an answer with this status is worth retrying: throttling (429), a conflict
/// with a concurrent write on the same service (409), and server-side failures (5xx).
pub fn is_retryable_status(status: u16) -> bool {
    status == 429 || status == 409 || (500..=599).contains(&status)
}

/// Parses a `Retry-After` value: delay seconds or an HTTP date (a date in the past
/// means "now"). `None` when the value is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Retry-After is read as seconds or as an HTTP date, and junk is ignored.
    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        let cases = [
            ("seconds", "3", Some(Duration::from_secs(3))),
            ("zero", "0", Some(Duration::ZERO)),
            ("padded", "  7 ", Some(Duration::from_secs(7))),
            (
                "future date",
                "Wed, 21 Oct 2015 07:28:10 GMT",
                Some(Duration::from_secs(10)),
            ),
            (
                "past date",
                "Wed, 21 Oct 2015 07:27:00 GMT",
                Some(Duration::ZERO),
            ),
            (
                "rfc 850 date",
                "Wednesday, 21-Oct-15 07:28:05 GMT",
                Some(Duration::from_secs(5)),
            ),
            ("negative", "-1", None),
            ("fraction", "1.5", None),
            ("empty", "", None),
            ("junk", "soon", None),
        ];
        for (name, input, expected) in cases {
            assert_eq!(parse_retry_after(input, now), expected, "{name}");
        }
    }

    /// Backoff doubles per retry, stays within [step/2, step], and never passes the cap.
    #[test]
    fn backoff_grows_within_bounds_and_is_capped() {
        let policy = RetryPolicy::default();
        let cases = [
            ("first retry", 1, 500),
            ("second retry", 2, 1_000),
            ("fourth retry", 4, 4_000),
            ("capped", 7, 30_000),
            ("far past the cap", 200, 30_000),
        ];
        for (name, retry, step_ms) in cases {
            let step = Duration::from_millis(step_ms);
            for unit in [0.0, 0.25, 0.999, 1.0] {
                let wait = policy.backoff(retry, unit);
                assert!(
                    wait >= step / 2 && wait <= step,
                    "{name} at {unit}: {wait:?}"
                );
            }
        }
    }

    /// A Retry-After longer than the backoff wins; a shorter one does not shorten it.
    #[test]
    fn wait_honours_retry_after() {
        let policy = RetryPolicy::default();
        assert!(policy.wait(1, Some(Duration::from_secs(5))) == Duration::from_secs(5));
        assert!(policy.wait(3, Some(Duration::ZERO)) >= Duration::from_secs(1));
    }

    /// Only throttling, conflicts and server errors are retried.
    #[test]
    fn retryable_statuses_are_429_409_and_5xx() {
        let cases = [
            (200, false),
            (400, false),
            (401, false),
            (403, false),
            (404, false),
            (409, true),
            (429, true),
            (500, true),
            (503, true),
            (599, true),
        ];
        for (status, expected) in cases {
            assert_eq!(is_retryable_status(status), expected, "HTTP {status}");
        }
    }
}
