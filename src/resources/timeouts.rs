//! The `timeouts` block: how long each operation may take, retries and waits included.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tf_provider::schema::{Attribute, AttributeConstraint, AttributeType, Block, NestedBlock};
use tf_provider::value::Value;
use tf_provider::{AttributePath, Diagnostics};

use crate::diagnostics::attribute_error;
use crate::resources::value_serde;

/// Used for any operation whose timeout is not set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The `timeouts` block. A group block, so Terraform always sends an object, with null
/// attributes when the block is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeouts {
    /// Bound of create.
    #[serde(deserialize_with = "value_serde::value")]
    pub create: Value<String>,
    /// Bound of read (refresh, import).
    #[serde(deserialize_with = "value_serde::value")]
    pub read: Value<String>,
    /// Bound of update.
    #[serde(deserialize_with = "value_serde::value")]
    pub update: Value<String>,
    /// Bound of delete.
    #[serde(deserialize_with = "value_serde::value")]
    pub delete: Value<String>,
}

/// The `timeouts` block of a resource that is never updated in place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateDeleteTimeouts {
    /// Bound of create.
    #[serde(deserialize_with = "value_serde::value")]
    pub create: Value<String>,
    /// Bound of read (refresh, import).
    #[serde(deserialize_with = "value_serde::value")]
    pub read: Value<String>,
    /// Bound of delete.
    #[serde(deserialize_with = "value_serde::value")]
    pub delete: Value<String>,
}

/// The value of an operation a block does not have.
static NOT_SET: Value<String> = Value::Null;

/// A `timeouts` block: the configured value for each operation it has.
pub trait OperationTimeouts {
    /// The configured value for `op` (null when the block has no such operation).
    fn value(&self, op: Operation) -> &Value<String>;

    /// Adds an error on `timeouts.<op>` for every known value that is not a duration.
    fn validate(&self, diags: &mut Diagnostics, operations: &[Operation]) {
        for &op in operations {
            if let Value::Value(text) = self.value(op) {
                if let Err(why) = parse_duration(text) {
                    attribute_error(
                        diags,
                        AttributePath::new("timeouts").attribute(op.name()),
                        "Invalid timeout",
                        format!(
                            "The {} timeout {text:?} {why}. Write a number with a unit, such \
                             as \"30s\", \"5m\" or \"1h30m\".",
                            op.name()
                        ),
                    );
                }
            }
        }
    }

    /// The time allowed for `op`: the configured duration, or the default when unset or
    /// (already reported at plan time) invalid.
    fn duration(&self, op: Operation) -> Duration {
        match self.value(op) {
            Value::Value(text) => parse_duration(text).unwrap_or(DEFAULT_TIMEOUT),
            _ => DEFAULT_TIMEOUT,
        }
    }
}

impl OperationTimeouts for CreateDeleteTimeouts {
    fn value(&self, op: Operation) -> &Value<String> {
        match op {
            Operation::Create => &self.create,
            Operation::Read => &self.read,
            Operation::Delete => &self.delete,
            Operation::Update => &NOT_SET,
        }
    }
}

impl OperationTimeouts for Timeouts {
    fn value(&self, op: Operation) -> &Value<String> {
        match op {
            Operation::Create => &self.create,
            Operation::Read => &self.read,
            Operation::Update => &self.update,
            Operation::Delete => &self.delete,
        }
    }
}

/// The operations a timeout can be set for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Create.
    Create,
    /// Read, refresh and import.
    Read,
    /// Update in place.
    Update,
    /// Delete.
    Delete,
}

impl Timeouts {
    /// The schema of the block, listing only the operations the resource has.
    pub fn block(operations: &[Operation]) -> NestedBlock {
        let attributes: HashMap<String, Attribute> = operations
            .iter()
            .map(|op| {
                let name = op.name();
                let attribute = Attribute {
                    attr_type: AttributeType::String,
                    description: format!(
                        "How long {name} may take, retries and waits included, as a number \
                         with a unit: \"30s\", \"5m\", \"1h\" or combined like \"1h30m\". \
                         Default \"5m\"."
                    )
                    .into(),
                    constraint: AttributeConstraint::Optional,
                    ..Default::default()
                };
                (name.to_string(), attribute)
            })
            .collect();
        NestedBlock::Group(Block {
            attributes,
            description: "Time limits of the operations on this resource.".into(),
            ..Default::default()
        })
    }
}

impl Operation {
    /// The attribute name in the block.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Read => "read",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }
}

/// The instant by which `op` must be finished, counted from now; the default applies
/// when the block is null (imported state).
pub fn deadline_of<T: OperationTimeouts>(
    timeouts: &Value<T>,
    op: Operation,
) -> tokio::time::Instant {
    let allowed = match timeouts {
        Value::Value(t) => t.duration(op),
        _ => DEFAULT_TIMEOUT,
    };
    tokio::time::Instant::now() + allowed
}

/// Parses `"30s"`, `"5m"`, `"1h"`, `"1h30m"`, `"500ms"`: whole numbers, each with a unit.
/// Errors say what is wrong in a phrase that follows the value ("is empty").
pub fn parse_duration(text: &str) -> Result<Duration, &'static str> {
    if text.is_empty() {
        return Err("is empty");
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err("does not start with a number");
        }
        let number: u64 = rest[..digits].parse().map_err(|_| "is too large")?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => Duration::from_millis(1),
            "s" => Duration::from_secs(1),
            "m" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            "" => return Err("has a number without a unit"),
            _ => return Err("has a unit other than ms, s, m or h"),
        };
        rest = &rest[unit_len..];
        let part = unit
            .checked_mul(u32::try_from(number).map_err(|_| "is too large")?)
            .ok_or("is too large")?;
        total = total.checked_add(part).ok_or("is too large")?;
    }
    if total.is_zero() {
        return Err("is zero");
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Durations in Terraform's usual notation parse; everything else is refused.
    #[test]
    fn parse_duration_accepts_terraform_notation_only() {
        let secs = |n| Ok(Duration::from_secs(n));
        let cases: [(&str, &str, Result<Duration, &str>); 14] = [
            ("seconds", "30s", secs(30)),
            ("minutes", "5m", secs(300)),
            ("hours", "1h", secs(3600)),
            ("combined", "1h30m", secs(5400)),
            ("milliseconds", "1500ms", Ok(Duration::from_millis(1500))),
            ("empty", "", Err("is empty")),
            ("no unit", "30", Err("has a number without a unit")),
            ("unit only", "m", Err("does not start with a number")),
            ("days", "1d", Err("has a unit other than ms, s, m or h")),
            ("spaces", "5 m", Err("has a unit other than ms, s, m or h")),
            ("negative", "-5m", Err("does not start with a number")),
            (
                "fraction",
                "1.5h",
                Err("has a unit other than ms, s, m or h"),
            ),
            ("zero", "0s", Err("is zero")),
            ("huge", "99999999999999999999h", Err("is too large")),
        ];
        for (name, text, expected) in cases {
            assert_eq!(parse_duration(text), expected, "{name}");
        }
    }

    /// A bad timeout is reported on its own attribute path; good ones are silent.
    #[test]
    fn validate_reports_bad_timeouts_on_their_path() {
        let timeouts = Timeouts {
            create: Value::Value("5x".into()),
            read: Value::Value("30s".into()),
            update: Value::Unknown,
            delete: Value::Null,
        };
        let mut diags = Diagnostics::default();
        timeouts.validate(
            &mut diags,
            &[Operation::Create, Operation::Read, Operation::Update],
        );
        assert_eq!(diags.errors.len(), 1);
        assert_eq!(
            diags.errors[0].attribute,
            AttributePath::new("timeouts").attribute("create")
        );
        assert_eq!(timeouts.duration(Operation::Read), Duration::from_secs(30));
        assert_eq!(timeouts.duration(Operation::Delete), DEFAULT_TIMEOUT);
    }
}
