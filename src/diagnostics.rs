//! The one place that turns client errors and batch failures into Terraform
//! diagnostics, and the constructors every other module uses to report problems.
//!
//! Diagnostics are built field by field rather than with `Diagnostic::new`, which appends
//! a backtrace to the detail users see whenever `RUST_BACKTRACE` is set.

use std::borrow::Cow;

use tf_provider::{AttributePath, Diagnostic, Diagnostics};

use crate::modelarts::{AppFailure, ClientError};

fn diagnostic(
    summary: impl Into<Cow<'static, str>>,
    detail: impl Into<Cow<'static, str>>,
    attribute: AttributePath,
) -> Diagnostic {
    Diagnostic {
        summary: summary.into(),
        detail: detail.into(),
        attribute,
    }
}

/// Adds an error that is not tied to an attribute (service, transport, credentials).
pub fn root_error(
    diags: &mut Diagnostics,
    summary: impl Into<Cow<'static, str>>,
    detail: impl Into<Cow<'static, str>>,
) {
    diags.add_error(diagnostic(summary, detail, AttributePath::root()));
}

/// Adds an error caused by the configured value at `path`.
pub fn attribute_error(
    diags: &mut Diagnostics,
    path: AttributePath,
    summary: impl Into<Cow<'static, str>>,
    detail: impl Into<Cow<'static, str>>,
) {
    diags.add_error(diagnostic(summary, detail, path));
}

/// Adds a warning that is not tied to an attribute.
pub fn root_warning(
    diags: &mut Diagnostics,
    summary: impl Into<Cow<'static, str>>,
    detail: impl Into<Cow<'static, str>>,
) {
    diags.add_warning(diagnostic(summary, detail, AttributePath::root()));
}

/// Adds a warning about the configured value at `path`.
pub fn attribute_warning(
    diags: &mut Diagnostics,
    path: AttributePath,
    summary: impl Into<Cow<'static, str>>,
    detail: impl Into<Cow<'static, str>>,
) {
    diags.add_warning(diagnostic(summary, detail, path));
}

/// Adds the error of a failed client call under `summary` (e.g. "Failed to read app
/// authorizations"). The detail is the error's own text: what happened, the status,
/// error code, message and request ID the service gave, and what to do.
pub fn client_error(diags: &mut Diagnostics, summary: &'static str, error: &ClientError) {
    root_error(diags, summary, error.to_string());
}

/// What went wrong in an authorize or cancel batch, for [`batch_error`].
pub struct BatchFailure<'a> {
    /// "authorize" or "cancel the authorization of".
    pub action: &'a str,
    /// The API, e.g. `API "api-1" of service "svc-1"`.
    pub subject: &'a str,
    /// Apps whose element failed, with the service's reason.
    pub failed: &'a [AppFailure],
    /// Apps never sent.
    pub not_attempted: &'a [String],
    /// Apps sent in a call that got no usable answer, and that no re-read settled.
    pub unknown: &'a [String],
    /// The call-level failure that stopped the batch.
    pub error: Option<&'a ClientError>,
}

/// Adds the error of a batch that did not fully succeed under `summary` ("Failed to
/// authorize apps"): every failed app with its reason, the apps left unchanged, the
/// call-level error, then `kept`, which says what the state now records.
pub fn batch_error(
    diags: &mut Diagnostics,
    summary: &'static str,
    failure: &BatchFailure<'_>,
    kept: &str,
) {
    let mut detail = String::new();
    if !failure.failed.is_empty() {
        let list: Vec<String> = failure
            .failed
            .iter()
            .map(|f| {
                if f.reason.is_empty() {
                    format!("{:?} (no reason given)", f.app_id)
                } else {
                    format!("{:?} ({})", f.app_id, f.reason)
                }
            })
            .collect();
        detail.push_str(&format!(
            "ModelArts could not {} {} for {} app(s): {}. ",
            failure.action,
            failure.subject,
            failure.failed.len(),
            abridged(list.into_iter())
        ));
    }
    if let Some(error) = failure.error {
        detail.push_str(&error.to_string());
        detail.push(' ');
    }
    if !failure.unknown.is_empty() {
        let quoted = failure.unknown.iter().map(|id| format!("{id:?}"));
        detail.push_str(&format!("Sent, outcome unknown: {}. ", abridged(quoted)));
    }
    if !failure.not_attempted.is_empty() {
        let quoted = failure.not_attempted.iter().map(|id| format!("{id:?}"));
        detail.push_str(&format!(
            "Left unchanged (refused with their call, or never sent): {}. ",
            abridged(quoted)
        ));
    }
    detail.push_str(kept);
    root_error(diags, summary, detail.trim_end().to_string());
}

/// How many apps a diagnostic names before summing up the rest.
const LISTED_APPS: usize = 20;

/// The first [`LISTED_APPS`] items joined by commas, then "and N more".
pub(crate) fn abridged(items: impl ExactSizeIterator<Item = String>) -> String {
    let total = items.len();
    let shown: Vec<String> = items.take(LISTED_APPS).collect();
    if total > LISTED_APPS {
        format!("{} and {} more", shown.join(", "), total - LISTED_APPS)
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch failure names each failed app with its reason, and the apps never tried.
    #[test]
    fn batch_error_names_every_failed_app() {
        let mut diags = Diagnostics::default();
        let failed = vec![
            AppFailure {
                app_id: "app-c".into(),
                reason: "app not found".into(),
            },
            AppFailure {
                app_id: "app-d".into(),
                reason: String::new(),
            },
        ];
        let not_attempted = ["app-e".to_string()];
        let unknown = ["app-f".to_string()];
        let failure = BatchFailure {
            action: "authorize",
            subject: "API \"api-1\" of service \"svc-1\"",
            failed: &failed,
            not_attempted: &not_attempted,
            unknown: &unknown,
            error: None,
        };
        batch_error(&mut diags, "Failed to authorize apps", &failure, "Kept.");
        let error = &diags.errors[0];
        assert_eq!(error.summary, "Failed to authorize apps");
        for needle in [
            "\"app-c\" (app not found)",
            "\"app-d\" (no reason given)",
            "Left unchanged (refused with their call, or never sent): \"app-e\"",
            "Sent, outcome unknown: \"app-f\"",
        ] {
            assert!(
                error.detail.contains(needle),
                "{needle} in {}",
                error.detail
            );
        }
        assert!(error.attribute.steps.is_empty());
    }

    /// Long lists of apps are cut after twenty, saying how many were left out.
    #[test]
    fn long_app_lists_are_abridged() {
        let cases = [
            ("short", 3, "a0, a1, a2"),
            ("exactly twenty", 20, "a19"),
            ("long", 150, "a19 and 130 more"),
        ];
        for (name, count, tail) in cases {
            let text = abridged(
                (0..count)
                    .map(|i| format!("a{i}"))
                    .collect::<Vec<_>>()
                    .into_iter(),
            );
            assert!(text.ends_with(tail), "{name}: {text}");
        }
    }

    /// Diagnostics built here never carry a backtrace, whatever the environment says.
    #[test]
    fn diagnostics_carry_no_backtrace() {
        let mut diags = Diagnostics::default();
        attribute_error(
            &mut diags,
            AttributePath::new("app_ids"),
            "Empty app set",
            "d",
        );
        assert_eq!(diags.errors[0].detail, "d");
        assert_eq!(diags.errors[0].attribute, AttributePath::new("app_ids"));
    }
}
