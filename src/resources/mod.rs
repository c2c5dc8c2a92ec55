//! Managed resources, and what they share: identifier checks, the `timeouts` block,
//! and the guard every Terraform hook runs under.

pub mod app;
pub mod app_auth_api;
pub mod guard;
pub mod strict;
pub mod timeouts;
pub mod value_serde;

use tf_provider::schema::{Attribute, AttributeConstraint, AttributeType, Description};
use tf_provider::value::Value;
use tf_provider::{AttributePath, Diagnostics};

use crate::diagnostics::attribute_error;
use crate::modelarts::path::{DOT_SEGMENTS, REFUSED_CHARS};
use crate::modelarts::ClientError;

/// ModelArts' error code for a workspace that does not exist.
const INVALID_WORKSPACE_CODE: &str = "ModelArts.0104";

/// True when `error` means the addressed object no longer exists: the service, API or
/// app is unknown (404), or its whole workspace is (400 `ModelArts.0104`).
pub fn is_gone(error: &ClientError) -> bool {
    error.is_not_found() || error.error_code() == Some(INVALID_WORKSPACE_CODE)
}

/// A schema attribute with a Markdown description (descriptions are user docs).
pub fn attribute(
    attr_type: AttributeType,
    constraint: AttributeConstraint,
    description: &str,
) -> Attribute {
    Attribute {
        attr_type,
        description: Description::markdown(description),
        constraint,
        sensitive: false,
        deprecated: false,
    }
}

/// The longest ID accepted. ModelArts IDs are UUIDs, 32 hex digits or the
/// `logic-api-`/`logic-app-` forms, all far shorter; the cap keeps a pasted blob from
/// reaching the service.
pub const MAX_ID_CHARS: usize = 128;

/// "1 part", "3 parts": how an import ID's count of `/`-separated parts reads.
pub fn count_parts(count: usize) -> String {
    match count {
        1 => "1 part".to_string(),
        n => format!("{n} parts"),
    }
}

/// Why `value` cannot be a ModelArts ID (project, workspace, service, API or app), or
/// `None` when it can. IDs become path segments and query values, so they follow the
/// client's rule (its constants, so the two cannot drift): not empty, not `.` or `..`,
/// no whitespace, control characters or any of `/ \ ? # %`; and, since IDs are ASCII,
/// nothing outside ASCII and at most [`MAX_ID_CHARS`] characters. Validation, both
/// import parsers and the provider settings all call this one function, at plan time,
/// before any call.
pub fn identifier_problem(value: &str) -> Option<String> {
    // Plans check every app ID of every resource; a valid ID is settled in one pass.
    let plainly_valid = value.len() <= MAX_ID_CHARS
        && value
            .bytes()
            .all(|b| b.is_ascii_graphic() && !REFUSED_CHARS.contains(&char::from(b)));
    if plainly_valid && !value.is_empty() && !DOT_SEGMENTS.contains(&value) {
        return None;
    }
    if value.is_empty() {
        Some("is empty".into())
    } else if value.chars().count() > MAX_ID_CHARS {
        Some(format!(
            "is {} characters long, more than the {MAX_ID_CHARS} an ID may have",
            value.chars().count()
        ))
    } else if value.chars().any(char::is_whitespace) {
        Some("contains whitespace".into())
    } else if value.chars().any(char::is_control) {
        Some("contains a control character".into())
    } else if let Some(c) = value.chars().find(|c| REFUSED_CHARS.contains(c)) {
        Some(format!("contains {:?}", c.to_string()))
    } else if let Some(c) = value.chars().find(|c| !c.is_ascii()) {
        Some(format!(
            "contains {:?}, which is not ASCII (IDs never are)",
            c.to_string()
        ))
    } else if DOT_SEGMENTS.contains(&value) {
        Some("is a dot segment, which a URL cannot carry".into())
    } else {
        None
    }
}

/// Adds an error on `path` when a known `value` is not a valid ID. Null and unknown
/// values pass: required attributes are enforced by Terraform, unknown ones are checked
/// once known.
pub fn check_identifier(
    diags: &mut Diagnostics,
    path: AttributePath,
    what: &str,
    value: &Value<String>,
) {
    if let Value::Value(text) = value {
        if let Some(why) = identifier_problem(text) {
            attribute_error(
                diags,
                path,
                format!("Invalid {what}"),
                format!(
                    "The {what} {text:?} {why}. Use the ID exactly as the ModelArts console \
                     or API shows it."
                ),
            );
        }
    }
}

/// The value a planned `workspace_id` or `project_id` takes: the configured one, else
/// the provider's default, else (provider not configured yet) `fallback`.
pub fn planned_default(
    configured: &Value<String>,
    provider_default: Option<&str>,
    fallback: Value<String>,
) -> Value<String> {
    match configured {
        Value::Value(v) => Value::Value(v.clone()),
        Value::Unknown => Value::Unknown,
        Value::Null => provider_default.map_or(fallback, |d| Value::Value(d.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every malformed ID is refused with its reason; ordinary IDs pass.
    #[test]
    fn identifier_problem_names_what_is_wrong() {
        let cases = [
            ("uuid", "2d3b9e4c-6f1a-4b3e-9a55-0c1f2e3d4a5b", None),
            ("logic id", "logic-app-ce0d0a41", None),
            ("default workspace", "0", None),
            ("empty", "", Some("is empty")),
            ("leading space", " app-a", Some("contains whitespace")),
            ("trailing tab", "app-a\t", Some("contains whitespace")),
            ("inner space", "app a", Some("contains whitespace")),
            ("newline", "app\na", Some("contains whitespace")),
            ("slash", "svc/api", Some("contains \"/\"")),
            ("backslash", "a\\b", Some("contains \"\\\\\"")),
            ("question mark", "a?b", Some("contains \"?\"")),
            ("hash", "a#b", Some("contains \"#\"")),
            ("percent", "a%2Fb", Some("contains \"%\"")),
            (
                "dot",
                ".",
                Some("is a dot segment, which a URL cannot carry"),
            ),
            (
                "dot dot",
                "..",
                Some("is a dot segment, which a URL cannot carry"),
            ),
            ("three dots", "...", None),
            ("control", "app\u{7}", Some("contains a control character")),
            (
                "non-ASCII",
                "svc-é",
                Some("contains \"é\", which is not ASCII (IDs never are)"),
            ),
            ("no-break space", "a\u{a0}b", Some("contains whitespace")),
            ("longest allowed", &"a".repeat(128), None),
            (
                "too long",
                &"a".repeat(129),
                Some("is 129 characters long, more than the 128 an ID may have"),
            ),
        ];
        for (name, value, expected) in cases {
            assert_eq!(identifier_problem(value).as_deref(), expected, "{name}");
        }
    }

    fn api_error(status: u16, code: &str) -> ClientError {
        ClientError::Api {
            operation: "list authorized apps",
            status,
            error_code: Some(code.to_string()),
            error_msg: None,
            request_id: None,
        }
    }

    /// Unknown objects and vanished workspaces count as gone; other errors do not.
    #[test]
    fn is_gone_recognises_missing_objects_and_workspaces() {
        let cases = [
            ("unknown API", api_error(404, "ModelArts.0102"), true),
            ("unknown workspace", api_error(400, "ModelArts.0104"), true),
            ("bad parameter", api_error(400, "ModelArts.0107"), false),
            ("forbidden", api_error(403, "ModelArts.0105"), false),
            ("server error", api_error(500, "ModelArts.0010"), false),
        ];
        for (name, error, expected) in cases {
            assert_eq!(is_gone(&error), expected, "{name}");
        }
    }

    /// The configured value wins, then the provider's default, then the fallback.
    #[test]
    fn planned_default_prefers_configuration_then_provider() {
        let known = |s: &str| Value::Value(s.to_string());
        let cases = [
            (
                "configured",
                known("ws1"),
                Some("0"),
                Value::Unknown,
                known("ws1"),
            ),
            (
                "from provider",
                Value::Null,
                Some("0"),
                Value::Unknown,
                known("0"),
            ),
            (
                "unconfigured",
                Value::Null,
                None,
                Value::Unknown,
                Value::Unknown,
            ),
            (
                "unconfigured keeps prior",
                Value::Null,
                None,
                known("p"),
                known("p"),
            ),
            (
                "unknown stays",
                Value::Unknown,
                Some("0"),
                Value::Null,
                Value::Unknown,
            ),
        ];
        for (name, configured, default, fallback, expected) in cases {
            assert_eq!(
                planned_default(&configured, default, fallback),
                expected,
                "{name}"
            );
        }
    }
}
