//! The guard every Terraform hook runs under: a panic becomes an error diagnostic
//! instead of a dead plugin, and a hook that gives up always says why.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use tf_provider::Diagnostics;

use crate::diagnostics::root_error;

/// Runs `hook` (named `what`, e.g. "create of modelarts_app_auth_api"), turning a panic
/// into a "Provider bug" error, and adding one when the hook returned `None` without
/// saying why (the protocol library would otherwise add a bare "Internal error").
pub async fn guarded<T, F>(diags: &mut Diagnostics, what: &str, hook: F) -> Option<T>
where
    F: Future<Output = (Diagnostics, Option<T>)>,
{
    match AssertUnwindSafe(hook).catch_unwind().await {
        Ok((hook_diags, result)) => {
            diags.add_diagnostics(hook_diags);
            if result.is_none() && diags.errors.is_empty() {
                root_error(
                    diags,
                    "Provider bug: please report",
                    format!(
                        "The {what} step ended without a result or an error. This is a bug \
                         in the provider; please report it with the log of this run."
                    ),
                );
            }
            result
        }
        Err(panic) => {
            tracing::error!(hook = what, panic = %panic_message(&*panic), "hook panicked");
            root_error(
                diags,
                "Provider bug: please report",
                format!(
                    "The {what} step panicked: {}. Nothing after that point was done; please \
                     report this with the log of this run.",
                    panic_message(&*panic)
                ),
            );
            None
        }
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panicking hook yields an error diagnostic that says it is a bug.
    #[tokio::test]
    async fn a_panic_becomes_a_provider_bug_diagnostic() {
        let mut diags = Diagnostics::default();
        let result: Option<()> = guarded(&mut diags, "create of x", async {
            if diags_is_fine() {
                panic!("boom at step 3");
            }
            (Diagnostics::default(), Some(()))
        })
        .await;
        assert!(result.is_none());
        assert_eq!(diags.errors.len(), 1);
        assert_eq!(diags.errors[0].summary, "Provider bug: please report");
        assert!(diags.errors[0].detail.contains("boom at step 3"));
    }

    /// A hook giving up silently still reports an error that is not "Internal error".
    #[tokio::test]
    async fn a_silent_none_gets_an_explanation() {
        let mut diags = Diagnostics::default();
        let result: Option<()> = guarded(&mut diags, "read of x", async {
            (Diagnostics::default(), None)
        })
        .await;
        assert!(result.is_none());
        assert_eq!(diags.errors[0].summary, "Provider bug: please report");
    }

    /// A hook's own diagnostics and result pass through untouched.
    #[tokio::test]
    async fn a_normal_result_passes_through() {
        let mut diags = Diagnostics::default();
        let result = guarded(&mut diags, "plan", async {
            let mut own = Diagnostics::default();
            own.root_warning("w", "d");
            (own, Some(7))
        })
        .await;
        assert_eq!(result, Some(7));
        assert!(diags.errors.is_empty());
        assert_eq!(diags.warnings.len(), 1);
    }

    fn diags_is_fine() -> bool {
        true
    }
}
