//! `Retry-After` values come from the network: any string must parse or be ignored
//! without a panic, and a number of seconds must read as exactly that.

#![no_main]

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use terraform_provider_modelarts::modelarts::retry::{parse_retry_after, RetryPolicy};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = parse_retry_after(&text, SystemTime::now());
    if let Ok(seconds) = text.trim().parse::<u64>() {
        assert_eq!(parsed, Some(Duration::from_secs(seconds)));
    }

    // Backoff stays within [step / 2, cap] for any retry number and any jitter.
    let policy = RetryPolicy::default();
    let retry = u32::from_le_bytes([
        *data.first().unwrap_or(&0),
        *data.get(1).unwrap_or(&0),
        *data.get(2).unwrap_or(&0),
        *data.get(3).unwrap_or(&0),
    ]);
    let unit = f64::from(*data.get(4).unwrap_or(&0)) / 256.0;
    let wait = policy.backoff(retry, unit);
    assert!(wait <= policy.cap && wait >= policy.base / 2);
});
