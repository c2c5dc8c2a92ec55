//! Validation and planning of `modelarts_app_auth_api`: everything decided before a
//! single API call, so invalid input never reaches ModelArts.

use tf_provider::value::Value;
use tf_provider::{AttributePath, Diagnostics};

use super::schema::TIMED_OPERATIONS;
use super::state::{AppAuthApiState, AuthApiId};
use crate::diagnostics::{abridged, attribute_error, attribute_warning};
use crate::provider::shared::ProviderData;
use crate::resources::timeouts::OperationTimeouts;
use crate::resources::{check_identifier, identifier_problem, planned_default};

/// Attributes whose change replaces the resource.
const IDENTITY: [&str; 4] = ["service_id", "api_id", "workspace_id", "project_id"];

/// Checks every known value of a configuration (or a plan about to be applied); unknown
/// values are skipped, they are checked again once known.
pub fn validate(diags: &mut Diagnostics, config: &AppAuthApiState) {
    check_identifier(diags, path("service_id"), "service ID", &config.service_id);
    check_identifier(diags, path("api_id"), "API ID", &config.api_id);
    check_identifier(
        diags,
        path("workspace_id"),
        "workspace ID",
        &config.workspace_id,
    );
    check_identifier(diags, path("project_id"), "project ID", &config.project_id);

    if let Value::Value(apps) = &config.app_ids {
        if apps.is_empty() {
            attribute_error(
                diags,
                path("app_ids"),
                "Empty app set",
                "app_ids is empty, but at least one app ID is needed. To remove every \
                 authorization of this API, remove the resource from the configuration \
                 instead.",
            );
        }
        for app in apps.iter().filter_map(Value::as_ref_option) {
            if let Some(why) = identifier_problem(app) {
                attribute_error(
                    diags,
                    path("app_ids").key(app.clone()),
                    "Invalid app ID",
                    format!(
                        "The app ID {app:?} in app_ids {why}. Use the app ID exactly as the \
                         ModelArts console or the modelarts_app resource shows it."
                    ),
                );
            }
        }
    }

    if let Value::Value(timeouts) = &config.timeouts {
        timeouts.validate(diags, &TIMED_OPERATIONS);
    }
}

/// The planned state of a new resource. `provider` is `None` when the provider is not
/// configured yet; the defaults it would give then stay unknown.
pub fn plan_create(
    config: &AppAuthApiState,
    proposed: AppAuthApiState,
    provider: Option<&ProviderData>,
) -> AppAuthApiState {
    AppAuthApiState {
        id: Value::Unknown,
        workspace_id: planned_default(
            &config.workspace_id,
            provider.map(|p| p.workspace_id.as_str()),
            Value::Unknown,
        ),
        project_id: planned_default(
            &config.project_id,
            provider.map(|p| p.project_id.as_str()),
            Value::Unknown,
        ),
        exclusive: planned_exclusive(&config.exclusive),
        ..proposed
    }
}

/// The planned state of a change to an existing resource, and the attributes whose
/// change forces replacement.
pub fn plan_update(
    prior: &AppAuthApiState,
    proposed: AppAuthApiState,
    config: &AppAuthApiState,
    provider: Option<&ProviderData>,
) -> (AppAuthApiState, Vec<AttributePath>) {
    let mut planned = AppAuthApiState {
        workspace_id: planned_default(
            &config.workspace_id,
            provider.map(|p| p.workspace_id.as_str()),
            prior.workspace_id.clone(),
        ),
        project_id: planned_default(
            &config.project_id,
            provider.map(|p| p.project_id.as_str()),
            prior.project_id.clone(),
        ),
        exclusive: planned_exclusive(&config.exclusive),
        ..proposed
    };

    let replace: Vec<AttributePath> = IDENTITY
        .into_iter()
        .filter(|name| identity_value(&planned, name) != identity_value(prior, name))
        .map(path)
        .collect();

    planned.id = if replace.is_empty() {
        prior.id.clone()
    } else {
        planned_id(&planned)
    };
    (planned, replace)
}

/// Warns, on `exclusive`, when an update turns it off while app_ids loses apps: they
/// may be apps authorized by other means that the exclusive refresh took charge of,
/// and the user may expect turning it off to leave them alone. The plan cancels them,
/// as it does for any app removed from app_ids; the warning says so and names them.
pub fn warn_exclusive_turned_off(
    diags: &mut Diagnostics,
    prior: &AppAuthApiState,
    planned: &AppAuthApiState,
) {
    if !prior.is_exclusive() || planned.exclusive != Value::Value(false) {
        return;
    }
    let (Some(before), Some(after)) = (prior.known_app_ids(), planned.known_app_ids()) else {
        return;
    };
    let removed: Vec<String> = before
        .difference(&after)
        .map(|app| format!("{app:?}"))
        .collect();
    if removed.is_empty() {
        return;
    }
    attribute_warning(
        diags,
        path("exclusive"),
        "Turning exclusive off still cancels the apps removed",
        format!(
            "exclusive changes to false, and app_ids no longer holds {}, so this apply \
             cancels their authorizations, as for any app removed from app_ids. While \
             exclusive was true the resource took charge of every app authorized to the \
             API, including apps authorized by other means. To keep any of them \
             authorized, add it to app_ids.",
            abridged(removed.into_iter())
        ),
    );
}

/// The ID a planned state will have, when its keys are known.
fn planned_id(state: &AppAuthApiState) -> Value<String> {
    match state.api_ref() {
        Some(api) => Value::Value(AuthApiId::from(&api).to_string()),
        None => Value::Unknown,
    }
}

fn planned_exclusive(configured: &Value<bool>) -> Value<bool> {
    match configured {
        Value::Null => Value::Value(false),
        other => *other,
    }
}

fn identity_value<'s>(state: &'s AppAuthApiState, name: &str) -> &'s Value<String> {
    match name {
        "service_id" => &state.service_id,
        "api_id" => &state.api_id,
        "workspace_id" => &state.workspace_id,
        _ => &state.project_id,
    }
}

fn path(name: &'static str) -> AttributePath {
    AttributePath::new(name)
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
