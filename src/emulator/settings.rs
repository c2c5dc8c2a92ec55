//! Behaviour switches: the limits of the service and every choice the API reference
//! leaves open, each with the default described in the shared API reference.

use serde::{Deserialize, Serialize};

/// What authorizing an app that is already authorized answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlreadyAuthorized {
    /// The element says `success: true` with the existing `auth_id`.
    Success,
    /// The element says `success: false` with a reason.
    Failure,
}

/// What cancelling an app that is not authorized answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotAuthorized {
    /// The element says `success: false` with a reason.
    Failure,
    /// The element says `success: true`.
    Success,
}

/// What an unknown app inside an authorize or cancel batch does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownApp {
    /// That element fails; the other apps proceed.
    FailElement,
    /// The whole call answers 404 `ModelArts.0102` and nothing changes.
    RejectCall,
}

/// What a `workspace_id` in both query and body that disagree does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkspaceConflict {
    /// 400 `ModelArts.0104`.
    Reject,
    /// The query parameter is used.
    QueryWins,
    /// The body field is used.
    BodyWins,
}

/// What the `offset` query parameter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetUnit {
    /// Pages of `limit` items, as the reference says.
    Pages,
    /// Items, as many other APIs do.
    Items,
}

/// Every switch, with the reference's defaults. `PUT /_emulator/settings` merges a
/// partial object into the current value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Most apps one authorize or cancel call may carry; more is 400 `ModelArts.0107`.
    pub max_apps_per_call: usize,
    /// Largest page a list returns whatever `limit` asks for; `None` for no cap.
    pub page_size_cap: Option<usize>,
    /// Answer for an app that is already authorized.
    pub already_authorized: AlreadyAuthorized,
    /// Answer for cancelling an app that is not authorized.
    pub not_authorized: NotAuthorized,
    /// Behaviour for an unknown app inside a batch.
    pub unknown_app: UnknownApp,
    /// Behaviour for disagreeing workspace ids in query and body.
    pub workspace_conflict: WorkspaceConflict,
    /// Unit of `offset` in paged lists.
    pub offset_unit: OffsetUnit,
    /// How many reads after an authorization do not see it yet, and after a cancel
    /// still see it.
    pub read_lag_reads: u32,
    /// Answer 429 `APIGW.0308` to a write on a service while another write on the same
    /// service is in flight.
    pub conflict_on_concurrent_writes: bool,
    /// Most apps one project may hold when creating one; more is 400 `ModelArts.0116`.
    pub app_quota: usize,
    /// Refuse AK/SK requests whose `X-Sdk-Date` is more than 15 minutes off.
    pub clock_skew_check: bool,
    /// Accept `X-Auth-Token` requests.
    pub accept_token: bool,
    /// Accept AK/SK signed requests.
    pub accept_aksk: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_apps_per_call: 100,
            page_size_cap: None,
            already_authorized: AlreadyAuthorized::Success,
            not_authorized: NotAuthorized::Failure,
            unknown_app: UnknownApp::FailElement,
            workspace_conflict: WorkspaceConflict::Reject,
            offset_unit: OffsetUnit::Pages,
            read_lag_reads: 0,
            conflict_on_concurrent_writes: false,
            app_quota: 5,
            clock_skew_check: true,
            accept_token: true,
            accept_aksk: true,
        }
    }
}

impl Settings {
    /// Merges a partial settings object into these settings.
    ///
    /// Returns an error naming the problem when a field is unknown or has the wrong
    /// type; the settings are then unchanged.
    pub fn merge(&self, patch: &serde_json::Value) -> Result<Settings, String> {
        let patch = patch
            .as_object()
            .ok_or_else(|| "settings must be a JSON object".to_string())?;
        let mut merged = serde_json::to_value(self).map_err(|e| e.to_string())?;
        for (key, value) in patch {
            merged[key] = value.clone();
        }
        serde_json::from_value(merged).map_err(|e| format!("invalid settings: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A patch changes only the named fields and rejects unknown or mistyped ones.
    #[test]
    fn merge_applies_partial_patches() {
        let base = Settings::default();
        let cases = [
            ("one field", json!({"max_apps_per_call": 3}), true),
            ("null cap", json!({"page_size_cap": null}), true),
            ("enum", json!({"already_authorized": "failure"}), true),
            ("unknown field", json!({"no_such": 1}), false),
            ("wrong type", json!({"read_lag_reads": "two"}), false),
            ("not an object", json!([1]), false),
        ];
        for (name, patch, ok) in cases {
            assert_eq!(base.merge(&patch).is_ok(), ok, "{name}");
        }
        let merged = base.merge(&json!({"max_apps_per_call": 3})).unwrap();
        assert_eq!(merged.max_apps_per_call, 3);
        assert_eq!(merged.app_quota, base.app_quota);
    }
}
