//! Refresh and import of `modelarts_app_auth_api`: what the service holds now, seen
//! through what the resource owns.

use std::collections::BTreeSet;

use tf_provider::value::Value;
use tf_provider::Diagnostics;

use super::batch;
use super::recent::{self, Pacing, Private, PACING};
use super::state::{app_set, describe_api, AppAuthApiState, AuthApiId, ID_FORMATS};
use crate::diagnostics::{client_error, root_error, root_warning};
use crate::modelarts::{ApiRef, ClientError};
use crate::provider::shared::ProviderData;
use crate::resources::is_gone;
use crate::resources::timeouts::{deadline_of, Operation, Timeouts};

/// The apps a refreshed state records, or `None` when the resource no longer exists.
///
/// `owned` is the state's set (`None` right after import); `remote` is every app
/// authorized to the API now. Exclusive resources, and imports, own everything remote;
/// the others only what they listed that is still authorized. An import finding no app
/// finds nothing to import.
pub fn merge(
    owned: Option<&BTreeSet<String>>,
    exclusive: bool,
    remote: BTreeSet<String>,
) -> Option<BTreeSet<String>> {
    match owned {
        None if remote.is_empty() => None,
        None => Some(remote),
        Some(_) if exclusive => Some(remote),
        Some(owned) => Some(owned.intersection(&remote).cloned().collect()),
    }
}

/// Refreshes the state from the service, with the private state that comes with it. A
/// vanished service or API yields `Value::Null` (removed from the state) with a warning;
/// any other failure keeps the state and its private state as they were, with an error.
///
/// When `private` records a recent write and the answer lacks apps the state holds, or
/// (for an exclusive resource) still shows apps the write cancelled, the API is read
/// again for up to the provider's `read_lag_seconds` after that write, because the service's
/// reads may lag behind its writes. An answer that agrees, or one read after the
/// window, is believed, and the record is cleared (but for cancels a refresh that is
/// not exclusive did not check, while the window lasts). When the wait ends sooner (a stop,
/// or the read's deadline), the state follows the write (apps not shown yet stay,
/// cancelled apps still shown stay out) and the record stays for the next read; a
/// re-read that fails fails the read like the first one.
pub async fn read(
    diags: &mut Diagnostics,
    provider: &ProviderData,
    state: AppAuthApiState,
    private: Private,
) -> (Value<AppAuthApiState>, Private) {
    let Some(api) = state.api_ref() else {
        root_error(
            diags,
            "Provider bug: please report",
            "The state of this modelarts_app_auth_api lacks one of its keys (service_id, \
             api_id, workspace_id, project_id). Please report this bug; `terraform state rm` \
             and a new import repair the entry.",
        );
        return (Value::Value(state), private);
    };
    let deadline = deadline_of(&state.timeouts, Operation::Read);
    let list = || async {
        let apps = provider.client.list_authorized_apps(&api, deadline).await;
        apps.map(batch::app_ids)
    };

    let remote = match list().await {
        Ok(apps) => apps,
        Err(error) => return failed(diags, &api, error, state, private),
    };

    let owned = state.known_app_ids();
    let (remote, private) = match &private.0 {
        Some(write) => {
            let write = write.as_read_by(state.is_exclusive());
            let limits = (deadline, &provider.stop);
            let pacing = Pacing {
                window: provider.read_lag_window,
                ..PACING
            };
            match recent::settle(&write, owned.as_ref(), remote, limits, &pacing, list).await {
                Ok(settled) if settled.is_settled() => {
                    let left = private.after_read(state.is_exclusive(), provider.read_lag_window);
                    (settled.remote, left)
                }
                Ok(settled) => (settled.remote, private),
                Err(error) => return failed(diags, &api, error, state, private),
            }
        }
        None => (remote, Private::default()),
    };
    let Some(apps) = merge(owned.as_ref(), state.is_exclusive(), remote) else {
        // Only an import finds nothing: a refresh always keeps the (maybe empty) set.
        root_error(
            diags,
            "Nothing to import",
            format!(
                "No app is authorized to the {}, so there is no authorization to import. \
                 Leave the import out: write the resource in the configuration and apply \
                 it to authorize apps.",
                describe_api(&api)
            ),
        );
        return (Value::Null, Private::default());
    };
    if owned.is_none() {
        tracing::info!(id = %AuthApiId::from(&api), apps = apps.len(), "authorization imported");
    }
    let refreshed = AppAuthApiState {
        id: Value::Value(AuthApiId::from(&api).to_string()),
        app_ids: app_set(apps),
        exclusive: Value::Value(state.is_exclusive()),
        timeouts: match state.timeouts {
            Value::Value(timeouts) => Value::Value(timeouts),
            _ => Value::Value(Timeouts::default()),
        },
        ..state
    };
    (Value::Value(refreshed), private)
}

/// The outcome of a read that failed, first read or re-read alike: an API or service
/// that is gone removes the resource with a warning (when it had apps), or fails an
/// import with an error that names what was not found; any other error keeps the state
/// and its private state as they were.
fn failed(
    diags: &mut Diagnostics,
    api: &ApiRef,
    error: ClientError,
    state: AppAuthApiState,
    private: Private,
) -> (Value<AppAuthApiState>, Private) {
    if !is_gone(&error) {
        client_error(diags, "Failed to read app authorizations", &error);
        return (Value::Value(state), private);
    }
    if state.app_ids.is_null() {
        // An import: the ID names something that is not there.
        root_error(
            diags,
            "Cannot import: API not found",
            format!(
                "The {} was not found ({error}). Check the service and API IDs, and the \
                 workspace, in the import ID, against the ModelArts console.",
                describe_api(api)
            ),
        );
    } else if state.app_ids.is_value() {
        root_warning(
            diags,
            "Authorized API no longer exists",
            format!(
                "The {} was not found ({error}). It is removed from the state; the next \
                 apply creates it again if it is still configured.",
                describe_api(api)
            ),
        );
    }
    (Value::Null, Private::default())
}

/// Parses an import ID, adding an "Invalid import ID" error that quotes it and the
/// expected formats when it is malformed.
pub fn parse_import_id(diags: &mut Diagnostics, id: &str) -> Option<AuthApiId> {
    AuthApiId::parse(id)
        .map_err(|why| {
            root_error(
                diags,
                "Invalid import ID",
                format!("The import ID {id:?} {why}. Expected {ID_FORMATS}."),
            )
        })
        .ok()
}

/// The state an import starts from: the keys from the ID, the project from the
/// provider, and no apps, so that the read that follows adopts every app authorized now.
pub fn import(provider: &ProviderData, id: AuthApiId) -> AppAuthApiState {
    AppAuthApiState {
        id: Value::Value(id.to_string()),
        service_id: Value::Value(id.service_id),
        api_id: Value::Value(id.api_id),
        app_ids: Value::Null,
        workspace_id: Value::Value(id.workspace_id),
        project_id: Value::Value(provider.project_id.clone()),
        exclusive: Value::Value(false),
        timeouts: Value::Value(Timeouts::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::app_auth_api::fixtures::set;

    /// The refreshed set follows `exclusive` and import, as documented.
    #[test]
    fn merge_follows_exclusive_and_import() {
        let cases = [
            (
                "owned apps all there",
                Some(set(&["a", "b"])),
                false,
                set(&["a", "b", "x"]),
                Some(set(&["a", "b"])),
            ),
            (
                "one cancelled outside",
                Some(set(&["a", "b"])),
                false,
                set(&["a"]),
                Some(set(&["a"])),
            ),
            (
                "all cancelled outside",
                Some(set(&["a", "b"])),
                false,
                set(&[]),
                Some(set(&[])),
            ),
            (
                "exclusive shows others",
                Some(set(&["a"])),
                true,
                set(&["a", "x"]),
                Some(set(&["a", "x"])),
            ),
            (
                "exclusive shows loss",
                Some(set(&["a", "b"])),
                true,
                set(&["b"]),
                Some(set(&["b"])),
            ),
            (
                "import adopts all",
                None,
                false,
                set(&["a", "x"]),
                Some(set(&["a", "x"])),
            ),
            ("import of nothing", None, false, set(&[]), None),
        ];
        for (name, owned, exclusive, remote, expected) in cases {
            assert_eq!(merge(owned.as_ref(), exclusive, remote), expected, "{name}");
        }
    }
}
