//! Unit tests of the client error: classification and the wording users read.

use super::*;

fn api(status: u16, code: Option<&str>) -> ClientError {
    ClientError::Api {
        operation: "show app",
        status,
        error_code: code.map(str::to_string),
        error_msg: Some("App not found".into()),
        request_id: Some("req-1".into()),
    }
}

/// Only the service's own answer means "gone": a bare, HTML or gateway 404 does not, so a
/// misrouted call never drops live authorizations from state or counts as a cancel.
#[test]
fn not_found_is_recognised_only_from_the_service() {
    let cases = [
        (
            "404 with not-found code",
            api(404, Some("ModelArts.0102")),
            true,
        ),
        (
            "404 with another ModelArts code",
            api(404, Some("ModelArts.0199")),
            true,
        ),
        (
            "404 without code (HTML or empty body)",
            api(404, None),
            false,
        ),
        ("404 from the gateway", api(404, Some("APIGW.0101")), false),
        (
            "400 with not-found code",
            api(400, Some("ModelArts.0102")),
            true,
        ),
        ("403", api(403, Some("ModelArts.0105")), false),
    ];
    for (name, error, expected) in cases {
        assert_eq!(error.is_not_found(), expected, "{name}");
    }
}

/// The API error's text carries status, code, message and request ID.
#[test]
fn api_error_display_names_what_the_service_said() {
    let text = api(404, Some("ModelArts.0102")).to_string();
    for part in [
        "show app",
        "HTTP 404",
        "ModelArts.0102",
        "App not found",
        "req-1",
    ] {
        assert!(text.contains(part), "{part} missing from {text}");
    }
}

/// Throttling says so and says what to change.
#[test]
fn throttled_display_suggests_what_to_change() {
    let error = ClientError::Throttled {
        operation: "authorize apps",
        attempts: 6,
        error_code: Some("APIGW.0308".into()),
        error_msg: None,
        request_id: None,
        deadline_reached: false,
    };
    let text = error.to_string();
    for part in [
        "throttling requests",
        "max_retries",
        "-parallelism",
        "APIGW.0308",
    ] {
        assert!(text.contains(part), "{part} missing from {text}");
    }
    assert!(error.is_throttled() && !error.is_timeout());
    assert_eq!(error.status(), Some(429));
}

/// Texts after retrying name the attempts, the wait asked and what to change, and
/// never nest parentheses.
#[test]
fn retry_texts_name_attempts_waits_and_next_steps() {
    let exhausted = |status| ClientError::RetriesExhausted {
        operation: "list authorized apps",
        attempts: 6,
        status,
        error_code: None,
        error_msg: None,
        request_id: Some("req-9".into()),
    };
    let cases = [
        (
            "503 exhausted",
            exhausted(503),
            &[
                "HTTP 503",
                "after 6 attempts",
                "req-9",
                "retry later",
                "max_retries",
            ][..],
        ),
        (
            "409 exhausted",
            exhausted(409),
            &[
                "HTTP 409",
                "after 6 attempts",
                "Another change",
                "max_retries",
            ][..],
        ),
        (
            "retry-after past the deadline",
            ClientError::RetryAfterPastDeadline {
                operation: "list authorized apps",
                attempts: 1,
                status: 429,
                error_code: Some("APIGW.0308".into()),
                error_msg: None,
                request_id: Some("req-9".into()),
                retry_after: Duration::from_secs(3600),
                time_left: Duration::from_millis(299_500),
            },
            &[
                "throttling",
                "asked to wait 3600 s",
                "exceeds the 299.5 s left",
                "1 attempt(s)",
                "timeouts",
            ][..],
        ),
        (
            "decode",
            ClientError::Decode {
                operation: "show app",
                status: 200,
                message: "invalid JSON".into(),
                request_id: Some("req-9".into()),
            },
            &["(HTTP 200, request ID req-9)"][..],
        ),
    ];
    for (name, error, parts) in cases {
        let text = error.to_string();
        for part in parts {
            assert!(text.contains(part), "{name}: {part} missing from {text}");
        }
        assert!(!text.contains("deadline was reached"), "{name}: {text}");
        let mut depth = 0;
        for c in text.chars() {
            depth += match c {
                '(' => 1,
                ')' => -1,
                _ => 0,
            };
            assert!(depth <= 1, "{name}: nested parentheses in {text}");
        }
        assert_eq!(error.request_id(), Some("req-9"), "{name}");
    }
}

/// The service's answer alone, without the advice of `Display`, and the two refusals an
/// app change reports with its own advice.
#[test]
fn answer_leaves_out_the_advice() {
    let refused = api(403, Some("ModelArts.0105"));
    let answer = refused.answer().expect("an API answer");
    assert_eq!(
        answer,
        "HTTP 403, ModelArts.0105: App not found (request ID req-1)"
    );
    assert!(refused.to_string().contains("credentials"));
    assert!(refused.is_not_allowed());
    assert!(!api(403, Some("APIGW.0105")).is_not_allowed());
    assert!(api(400, Some("ModelArts.0116")).is_quota_exceeded());
    assert!(!refused.is_quota_exceeded());
}
