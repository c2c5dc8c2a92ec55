//! Schema, state and ID of `modelarts_app`, and the mapping from the API's app object.

use serde::{Deserialize, Serialize};
use tf_provider::schema::{AttributeConstraint, AttributeType, Block, Description, Schema};
use tf_provider::value::Value;
use tf_provider::{AttributePath, Diagnostics};

use crate::diagnostics::attribute_error;
use crate::modelarts::App;
use crate::provider::config::DEFAULT_WORKSPACE;
use crate::resources::timeouts::{CreateDeleteTimeouts, Operation, OperationTimeouts, Timeouts};
use crate::resources::{attribute, check_identifier, count_parts, identifier_problem};

/// The operations the `timeouts` block bounds (an app is never updated in place).
pub const TIMED_OPERATIONS: [Operation; 3] =
    [Operation::Create, Operation::Read, Operation::Delete];

/// The longest description the service accepts.
const MAX_DESCRIPTION_CHARS: usize = 200;
/// Longest app name ModelArts accepts, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// Why ModelArts would refuse `name` as an app name, or `None` when it is acceptable.
/// The reason reads after "The app name", e.g. "is empty".
pub fn app_name_problem(name: &str) -> Option<String> {
    let length = name.chars().count();
    if name.is_empty() {
        Some("is empty".into())
    } else if name.trim().is_empty() {
        Some("is blank (only whitespace)".into())
    } else if length > MAX_NAME_CHARS {
        Some(format!(
            "has {length} characters; ModelArts accepts at most {MAX_NAME_CHARS}"
        ))
    } else {
        None
    }
}

/// A ModelArts app: the identity that callers of app-authenticated APIs present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppState {
    /// The app ID.
    pub id: Value<String>,
    /// `app_name`.
    pub name: Value<String>,
    /// `app_remark`.
    pub description: Value<String>,
    /// Workspace of the app.
    pub workspace_id: Value<String>,
    /// Project of the app.
    pub project_id: Value<String>,
    /// The key callers present.
    pub app_key: Value<String>,
    /// The secret callers sign with (sensitive).
    pub app_secret: Value<String>,
    /// `APIC`, `APIG` or `DEDICATE_APIG`.
    pub app_type: Value<String>,
    /// Creation time, RFC 3339 in UTC.
    pub created_at: Value<String>,
    /// Time limits.
    pub timeouts: Value<CreateDeleteTimeouts>,
}

/// The resource schema.
pub fn schema() -> Schema {
    use AttributeConstraint::{Computed, Optional, OptionalComputed, Required};
    use AttributeType::String;
    let mut attributes: std::collections::HashMap<std::string::String, _> = [
        (
            "name",
            attribute(
                String,
                Required,
                "Name of the app. Changing it replaces the app \
          (the service cannot rename apps), which gives it a new ID, key and secret.",
            ),
        ),
        (
            "description",
            attribute(
                String,
                Optional,
                "Description of the app, at most 200 \
          characters. Changing it replaces the app.",
            ),
        ),
        (
            "workspace_id",
            attribute(
                String,
                OptionalComputed,
                "Workspace of the app. Default: \
          the provider's `workspace_id`. Changing it replaces the app.",
            ),
        ),
        (
            "project_id",
            attribute(
                String,
                OptionalComputed,
                "Project of the app. Default: the \
          provider's `project_id`. Changing it replaces the app.",
            ),
        ),
        (
            "id",
            attribute(
                String,
                Computed,
                "The app ID, as `modelarts_app_auth_api` expects \
          it in `app_ids`.",
            ),
        ),
        (
            "app_key",
            attribute(String, Computed, "The app key callers present."),
        ),
        (
            "app_type",
            attribute(
                String,
                Computed,
                "Type of the app: `APIC`, `APIG` or \
          `DEDICATE_APIG`.",
            ),
        ),
        (
            "created_at",
            attribute(
                String,
                Computed,
                "When the app was created, in RFC 3339 \
          (UTC).",
            ),
        ),
    ]
    .into_iter()
    .map(|(name, attribute)| (name.to_string(), attribute))
    .collect();
    let mut secret = attribute(
        String,
        Computed,
        "The app secret callers sign requests \
        with. Sensitive: Terraform hides it in output, but it is stored in the state, so \
        protect the state.",
    );
    secret.sensitive = true;
    attributes.insert("app_secret".into(), secret);

    Schema {
        version: 0,
        block: Block {
            version: 0,
            attributes,
            blocks: [("timeouts".to_string(), Timeouts::block(&TIMED_OPERATIONS))]
                .into_iter()
                .collect(),
            description: Description::markdown(
                "Creates a ModelArts app, the identity that calls app-authenticated APIs of \
                 real-time services. Authorize an API to it with `modelarts_app_auth_api`.",
            ),
            deprecated: false,
        },
    }
}

/// Checks the known values of a configuration; unknown ones are checked once known.
pub fn validate(diags: &mut Diagnostics, config: &AppState) {
    if let Value::Value(name) = &config.name {
        if let Some(why) = app_name_problem(name) {
            attribute_error(
                diags,
                AttributePath::new("name"),
                "Invalid app name",
                format!(
                    "The app name {why}. Set a name of 1 to {MAX_NAME_CHARS} characters \
                     that is not only whitespace."
                ),
            );
        }
    }
    if let Value::Value(description) = &config.description {
        let length = description.chars().count();
        if length > MAX_DESCRIPTION_CHARS {
            attribute_error(
                diags,
                AttributePath::new("description"),
                "Description too long",
                format!(
                    "The description has {length} characters; ModelArts accepts at most \
                     {MAX_DESCRIPTION_CHARS}. Shorten it."
                ),
            );
        }
    }
    check_identifier(
        diags,
        AttributePath::new("workspace_id"),
        "workspace ID",
        &config.workspace_id,
    );
    check_identifier(
        diags,
        AttributePath::new("project_id"),
        "project ID",
        &config.project_id,
    );
    if let Value::Value(timeouts) = &config.timeouts {
        timeouts.validate(diags, &TIMED_OPERATIONS);
    }
}

/// Fills the computed attributes from the service's answer. An absent or empty remark
/// keeps the configured spelling (null or `""`), so that neither plans a replacement.
pub fn apply_remote(state: AppState, app: &App) -> AppState {
    let remote_remark = app.app_remark.clone().filter(|r| !r.is_empty());
    let description = match (remote_remark, &state.description) {
        (None, Value::Value(d)) if d.is_empty() => Value::Value(String::new()),
        (remark, _) => remark.map_or(Value::Null, Value::Value),
    };
    AppState {
        id: Value::Value(app.app_id.clone()),
        name: Value::Value(app.app_name.clone()),
        description,
        app_key: Value::Value(app.app_key.clone()),
        app_secret: Value::Value(app.app_secret.expose().to_string()),
        app_type: Value::Value(app.app_type.clone()),
        created_at: Value::Value(format_millis(app.created_at)),
        timeouts: match state.timeouts {
            Value::Value(t) => Value::Value(t),
            _ => Value::Value(CreateDeleteTimeouts::default()),
        },
        ..state
    }
}

/// Epoch milliseconds as RFC 3339 in UTC; the raw number when out of range.
pub fn format_millis(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| millis.to_string())
}

/// Parses an app import ID: `<app_id>` (default workspace) or `<workspace_id>/<app_id>`.
/// Returns `(workspace_id, app_id)`, or why the ID is malformed.
pub fn parse_app_id(id: &str) -> Result<(String, String), String> {
    let parts: Vec<&str> = id.split('/').collect();
    let (workspace_id, app_id) = match parts.as_slice() {
        [app_id] => (DEFAULT_WORKSPACE, *app_id),
        [workspace_id, app_id] => (*workspace_id, *app_id),
        _ => {
            return Err(format!(
                "has {} separated by \"/\"",
                count_parts(parts.len())
            ))
        }
    };
    for (name, value) in [("a workspace ID", workspace_id), ("an app ID", app_id)] {
        if let Some(why) = identifier_problem(value) {
            return Err(format!("has {name} that {why}"));
        }
    }
    Ok((workspace_id.to_string(), app_id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both import forms parse; every malformed one is refused with its reason.
    #[test]
    fn app_import_ids_parse_or_say_why_not() {
        let ok = |ws: &str, app: &str| Ok((ws.to_string(), app.to_string()));
        let cases = [
            ("app only", "app-1", ok("0", "app-1")),
            ("with workspace", "ws-1/app-1", ok("ws-1", "app-1")),
            ("empty", "", Err("has an app ID that is empty".to_string())),
            (
                "three parts",
                "a/b/c",
                Err("has 3 parts separated by \"/\"".to_string()),
            ),
            (
                "trailing slash",
                "app-1/",
                Err("has an app ID that is empty".to_string()),
            ),
            (
                "leading slash",
                "/app-1",
                Err("has a workspace ID that is empty".to_string()),
            ),
            (
                "space",
                "app 1",
                Err("has an app ID that contains whitespace".to_string()),
            ),
        ];
        for (name, id, expected) in cases {
            assert_eq!(parse_app_id(id), expected, "{name}");
        }
    }

    /// Empty, blank and over-long app names are refused, each with its own reason.
    #[test]
    fn app_names_are_refused_with_the_reason_that_applies() {
        let longest = "a".repeat(MAX_NAME_CHARS);
        let too_long = "a".repeat(MAX_NAME_CHARS + 1);
        let cases = [
            ("ordinary", "my-app", None),
            ("inner spaces", "my app", None),
            ("exactly the limit", longest.as_str(), None),
            (
                "limit counts characters not bytes",
                &"\u{e9}".repeat(64),
                None,
            ),
            ("empty", "", Some("is empty")),
            ("spaces", "   ", Some("is blank (only whitespace)")),
            (
                "tab and newline",
                "\t\n",
                Some("is blank (only whitespace)"),
            ),
            (
                "one over the limit",
                too_long.as_str(),
                Some("has 65 characters; ModelArts accepts at most 64"),
            ),
        ];
        for (name, value, expected) in cases {
            assert_eq!(app_name_problem(value).as_deref(), expected, "{name}");
        }
    }

    /// Epoch milliseconds become RFC 3339 UTC.
    #[test]
    fn created_at_is_rfc3339() {
        assert_eq!(format_millis(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(format_millis(0), "1970-01-01T00:00:00Z");
    }
}
