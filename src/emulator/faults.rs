//! Misbehaviour on purpose: rules that make chosen operations fail, stall, answer
//! garbage, or fail one app inside an otherwise successful batch.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, RetryAfter};
use super::routes::Operation;

/// One fault rule, as `PUT /_emulator/faults` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Operation name (see [`Operation::name`]) or `"any"`.
    pub operation: String,
    /// Only calls naming this app (in the body or the path) match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// How many matching calls the rule fires on; forever when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// Answer this status instead of doing the operation (or with `raw_body`, the
    /// status of the raw answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Error code of a `status` answer; a code fitting the status when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Error message of a `status` answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
    /// `Retry-After` of a `status` answer: seconds, or an HTTP date sent verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<RetryAfter>,
    /// Milliseconds to wait before doing the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// The matching app's element (every element without `app_id`) fails inside a 200
    /// with this reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_app_reason: Option<String>,
    /// Body sent as is after the operation ran (the world still changes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_body: Option<String>,
    /// Run the operation (the world changes), then close the connection without an
    /// answer: a write applied whose answer never arrived.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lose_answer: bool,
}

impl FaultRule {
    /// Checks the rule names a known operation and exactly one action.
    pub fn validate(&self) -> Result<(), String> {
        if self.operation != "any" && Operation::from_name(&self.operation).is_none() {
            return Err(format!("unknown operation {:?}", self.operation));
        }
        let actions = [
            self.status.is_some() && self.raw_body.is_none(),
            self.delay_ms.is_some(),
            self.fail_app_reason.is_some(),
            self.raw_body.is_some(),
            self.lose_answer,
        ];
        if actions.iter().filter(|a| **a).count() != 1 {
            return Err(
                "a rule needs exactly one action: status, delay_ms, fail_app_reason, \
                 raw_body or lose_answer"
                    .to_string(),
            );
        }
        if let Some(status) = self.status {
            StatusCode::from_u16(status).map_err(|_| format!("invalid status {status}"))?;
        }
        if let Some(retry_after) = &self.retry_after {
            retry_after.validate()?;
        }
        if self.times == Some(0) {
            return Err("times must be at least 1".to_string());
        }
        Ok(())
    }

    fn matches(&self, operation: Operation, app_ids: &[String]) -> bool {
        (self.operation == "any" || self.operation == operation.name())
            && self.app_id.as_ref().is_none_or(|a| app_ids.contains(a))
    }
}

/// A reply that replaces the operation's own answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultReply {
    /// An error answer; the operation does not run.
    Error(ApiError),
    /// A raw body with a status; the operation runs first.
    Raw { status: StatusCode, body: String },
    /// No answer at all: the operation runs, then the connection is closed.
    LoseAnswer,
}

/// What the matching rules do to one call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultActions {
    /// Total wait before the operation.
    pub delay_ms: u64,
    /// The first `status`, `raw_body` or `lose_answer` rule's answer.
    pub reply: Option<FaultReply>,
    /// Apps whose element fails, with the reason; key `None` fails every app.
    pub failed_apps: BTreeMap<Option<String>, String>,
}

impl FaultActions {
    /// The reason the app's element must fail for, if a rule says so.
    pub fn app_failure(&self, app_id: &str) -> Option<&str> {
        self.failed_apps
            .get(&Some(app_id.to_string()))
            .or_else(|| self.failed_apps.get(&None))
            .map(String::as_str)
    }
}

fn default_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        429 => "APIGW.0308",
        401 => "ModelArts.0203",
        403 => "ModelArts.0105",
        404 => "ModelArts.0102",
        400..=499 => "ModelArts.0107",
        _ => "ModelArts.0010",
    }
}

/// Fires every rule matching the call, using up one of its `times`.
pub fn evaluate(
    rules: &mut Vec<FaultRule>,
    operation: Operation,
    app_ids: &[String],
) -> FaultActions {
    let mut actions = FaultActions::default();
    for rule in rules.iter_mut() {
        if !rule.matches(operation, app_ids) {
            continue;
        }
        if let Some(times) = rule.times.as_mut() {
            *times -= 1;
        }
        actions.delay_ms += rule.delay_ms.unwrap_or(0);
        if let Some(reason) = &rule.fail_app_reason {
            actions
                .failed_apps
                .entry(rule.app_id.clone())
                .or_insert_with(|| reason.clone());
        }
        if actions.reply.is_none() {
            let status = rule.status.and_then(|s| StatusCode::from_u16(s).ok());
            actions.reply = match (&rule.raw_body, status) {
                _ if rule.lose_answer => Some(FaultReply::LoseAnswer),
                (Some(body), status) => Some(FaultReply::Raw {
                    status: status.unwrap_or(StatusCode::OK),
                    body: body.clone(),
                }),
                (None, Some(status)) => {
                    let code = rule.error_code.as_deref().unwrap_or(default_code(status));
                    let message = rule
                        .error_msg
                        .clone()
                        .unwrap_or_else(|| format!("Injected fault for {}", operation.name()));
                    let mut error = ApiError::new(status, code, message);
                    error.retry_after = rule.retry_after.clone();
                    Some(FaultReply::Error(error))
                }
                (None, None) => None,
            };
        }
    }
    rules.retain(|r| r.times != Some(0));
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(value: serde_json::Value) -> FaultRule {
        serde_json::from_value(value).unwrap()
    }

    /// Rules are validated for a known operation and exactly one action.
    #[test]
    fn rules_need_one_action_and_a_known_operation() {
        let cases = [
            (
                "status",
                json!({"operation": "authorize", "status": 500}),
                true,
            ),
            (
                "raw with status",
                json!({"operation": "any", "raw_body": "x", "status": 502}),
                true,
            ),
            ("no action", json!({"operation": "cancel"}), false),
            (
                "two actions",
                json!({"operation": "cancel", "delay_ms": 1, "status": 500}),
                false,
            ),
            (
                "unknown op",
                json!({"operation": "nope", "delay_ms": 1}),
                false,
            ),
            (
                "retry_after seconds",
                json!({"operation": "any", "status": 503, "retry_after": 2}),
                true,
            ),
            (
                "retry_after IMF-fixdate",
                json!({"operation": "any", "status": 503,
                    "retry_after": "Sun, 06 Nov 1994 08:49:37 GMT"}),
                true,
            ),
            (
                "retry_after asctime date",
                json!({"operation": "any", "status": 503,
                    "retry_after": "Sun Nov  6 08:49:37 1994"}),
                false,
            ),
            (
                "retry_after date with the wrong weekday",
                json!({"operation": "any", "status": 503,
                    "retry_after": "Mon, 06 Nov 1994 08:49:37 GMT"}),
                false,
            ),
            (
                "zero times",
                json!({"operation": "any", "delay_ms": 1, "times": 0}),
                false,
            ),
        ];
        for (name, value, ok) in cases {
            assert_eq!(rule(value).validate().is_ok(), ok, "{name}");
        }
    }

    /// A rule limited by `times` fires that often, then disappears.
    #[test]
    fn times_limits_how_often_a_rule_fires() {
        let mut rules = vec![rule(
            json!({"operation": "authorize", "status": 503, "times": 2}),
        )];
        let apps = ["a".to_string()];
        for _ in 0..2 {
            let actions = evaluate(&mut rules, Operation::Authorize, &apps);
            assert!(matches!(actions.reply, Some(FaultReply::Error(_))));
        }
        assert!(evaluate(&mut rules, Operation::Authorize, &apps)
            .reply
            .is_none());
        assert!(rules.is_empty());
    }

    /// A rule with `app_id` only matches calls naming that app.
    #[test]
    fn app_scoped_rules_match_only_their_app() {
        let mut rules = vec![rule(json!({"operation": "any", "app_id": "b",
            "fail_app_reason": "boom"}))];
        let actions = evaluate(&mut rules, Operation::Cancel, &["a".to_string()]);
        assert_eq!(actions.app_failure("a"), None);
        let actions = evaluate(&mut rules, Operation::Cancel, &["a".into(), "b".into()]);
        assert_eq!(actions.app_failure("b"), Some("boom"));
        assert_eq!(actions.app_failure("a"), None);
    }
}
