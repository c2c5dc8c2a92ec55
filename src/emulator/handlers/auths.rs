//! Authorizing APIs to apps, cancelling, and registering a service's app-auth API.

use serde::Serialize;

use super::views::ApiInfo;
use super::{Call, Reply};
use crate::emulator::error::ApiError;
use crate::emulator::settings::{AlreadyAuthorized, NotAuthorized, UnknownApp};
use crate::emulator::world::{new_id, Api, ApiKey, Authorization, Project, CALLER};

/// `AppAuthResultInfo`.
#[derive(Debug, Serialize)]
struct AppAuthResult {
    api_id: String,
    app_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    success: bool,
}

impl AppAuthResult {
    fn success(api_id: &str, app_id: &str, auth_id: Option<String>) -> Self {
        AppAuthResult {
            api_id: api_id.to_string(),
            app_id: app_id.to_string(),
            auth_id,
            reason: None,
            success: true,
        }
    }

    fn failure(api_id: &str, app_id: &str, reason: String) -> Self {
        AppAuthResult {
            api_id: api_id.to_string(),
            app_id: app_id.to_string(),
            auth_id: None,
            reason: Some(reason),
            success: false,
        }
    }
}

/// The app ids of an authorize or cancel body's `apps`, in order; `None` when the
/// body has no `apps` list or an element without a string `app_id`.
pub fn body_app_ids(body: Option<&serde_json::Value>) -> Option<Vec<String>> {
    body?
        .get("apps")?
        .as_array()?
        .iter()
        .map(|a| a.get("app_id")?.as_str().map(str::to_string))
        .collect()
}

/// The apps the call asks for: 400 `ModelArts.0107` when they are missing, malformed,
/// empty or more than the `max_apps_per_call` setting allows.
fn requested_apps(call: &Call<'_>) -> Result<Vec<String>, ApiError> {
    let apps = body_app_ids(call.body)
        .ok_or_else(|| ApiError::invalid("apps is required: a list of {\"app_id\": \"...\"}"))?;
    if apps.is_empty() {
        return Err(ApiError::invalid("apps must not be empty"));
    }
    let max = call.settings.max_apps_per_call;
    if apps.len() > max {
        return Err(ApiError::invalid(format!(
            "too many apps: {} given, at most {max} per call",
            apps.len()
        )));
    }
    Ok(apps)
}

/// The API the call addresses, in its workspace: 404 `ModelArts.0102` otherwise.
pub(super) fn api_in<'p>(
    project: &'p Project,
    call: &Call<'_>,
    workspace: &str,
) -> Result<&'p Api, ApiError> {
    if !project.services.contains_key(call.service_id()) {
        return Err(ApiError::not_found(format!(
            "service {} does not exist",
            call.service_id()
        )));
    }
    project
        .api(call.service_id(), call.api_id())
        .filter(|a| a.workspace_id == workspace)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "API {} of service {} does not exist",
                call.api_id(),
                call.service_id()
            ))
        })
}

/// The API the call addresses, which must also be of auth type `APP`.
fn app_auth_api<'p>(
    project: &'p Project,
    call: &Call<'_>,
    workspace: &str,
) -> Result<&'p Api, ApiError> {
    let api = api_in(project, call, workspace)?;
    if api.auth_type != "APP" {
        return Err(ApiError::invalid(format!(
            "API {} has auth type {}, not APP",
            api.api_id, api.auth_type
        )));
    }
    Ok(api)
}

/// 403 `ModelArts.0105` unless the caller created the service (and so may change it).
pub(super) fn check_service_owner(project: &Project, call: &Call<'_>) -> Result<(), ApiError> {
    match project.services.get(call.service_id()) {
        Some(service) if !service.is_callers() => Err(ApiError::forbidden(format!(
            "No permission to update service {}: it was created by another user",
            service.service_id
        ))),
        _ => Ok(()),
    }
}

fn check_unknown_apps(
    project: &Project,
    call: &Call<'_>,
    apps: &[String],
    workspace: &str,
) -> Result<(), ApiError> {
    if call.settings.unknown_app == UnknownApp::RejectCall {
        if let Some(unknown) = apps.iter().find(|id| !app_in(project, id, workspace)) {
            return Err(ApiError::not_found(format!("app {unknown} does not exist")));
        }
    }
    Ok(())
}

fn app_in(project: &Project, app_id: &str, workspace: &str) -> bool {
    project
        .apps
        .get(app_id)
        .is_some_and(|a| a.workspace_id == workspace)
}

/// Authorizes `apps` to one API, element by element.
fn grant(
    project: &mut Project,
    call: &Call<'_>,
    key: ApiKey,
    apps: &[String],
    workspace: &str,
) -> (Vec<AppAuthResult>, bool) {
    let api_id = key.1.clone();
    let known: Vec<bool> = apps
        .iter()
        .map(|id| app_in(project, id, workspace))
        .collect();
    let foreign: Vec<bool> = apps
        .iter()
        .map(|id| project.apps.get(id).is_some_and(|a| a.user() != CALLER))
        .collect();
    let mut results = Vec::with_capacity(apps.len());
    let mut changed = false;
    for ((app_id, known), foreign) in apps.iter().zip(known).zip(foreign) {
        let result = if let Some(reason) = call.faults.app_failure(app_id) {
            AppAuthResult::failure(&api_id, app_id, reason.to_string())
        } else if !known {
            AppAuthResult::failure(&api_id, app_id, format!("app {app_id} does not exist"))
        } else if foreign {
            let reason = format!("app {app_id} was not created by the creator of the service");
            AppAuthResult::failure(&api_id, app_id, reason)
        } else if let Some(existing) = project.auths.get(&key, app_id) {
            match call.settings.already_authorized {
                AlreadyAuthorized::Success => {
                    AppAuthResult::success(&api_id, app_id, Some(existing.auth_id.clone()))
                }
                AlreadyAuthorized::Failure => AppAuthResult::failure(
                    &api_id,
                    app_id,
                    format!("app {app_id} is already authorized to API {api_id}"),
                ),
            }
        } else {
            let auth_id = new_id();
            let hidden_reads = call.settings.read_lag_reads;
            let fresh = Authorization {
                auth_id: auth_id.clone(),
                hidden_reads,
            };
            changed |= project.auths.insert(key.clone(), app_id, fresh);
            AppAuthResult::success(&api_id, app_id, Some(auth_id))
        };
        results.push(result);
    }
    (results, changed)
}

/// AuthorizeApiToApigApps.
pub fn authorize(project: &mut Project, call: &Call<'_>) -> Result<Reply, ApiError> {
    let workspace = call.workspace(project)?;
    let api = app_auth_api(project, call, &workspace)?;
    let key = (call.service_id().to_string(), api.api_id.clone());
    check_service_owner(project, call)?;
    let apps = requested_apps(call)?;
    check_unknown_apps(project, call, &apps, &workspace)?;

    let (results, changed) = grant(project, call, key, &apps, &workspace);
    Ok(Reply::json(
        &serde_json::json!({ "auth_result": results }),
        changed,
    ))
}

/// DeleteApiAppAuth.
pub fn cancel(project: &mut Project, call: &Call<'_>) -> Result<Reply, ApiError> {
    let workspace = call.workspace(project)?;
    let api = app_auth_api(project, call, &workspace)?;
    let api_id = api.api_id.clone();
    check_service_owner(project, call)?;
    let apps = requested_apps(call)?;
    check_unknown_apps(project, call, &apps, &workspace)?;

    let known: Vec<bool> = apps
        .iter()
        .map(|id| app_in(project, id, &workspace))
        .collect();
    let key = (call.service_id().to_string(), api_id.clone());
    let mut changed = false;
    let mut results = Vec::with_capacity(apps.len());
    for (app_id, known) in apps.iter().zip(known) {
        let result = if let Some(reason) = call.faults.app_failure(app_id) {
            AppAuthResult::failure(&api_id, app_id, reason.to_string())
        } else if !known {
            AppAuthResult::failure(&api_id, app_id, format!("app {app_id} does not exist"))
        } else if let Some(removed) = project.auths.remove(&key, app_id) {
            // Reads that never saw the authorization do not see it after the cancel.
            if removed.hidden_reads == 0 {
                let reads = call.settings.read_lag_reads;
                project.auths.linger(&key, app_id, reads);
            }
            changed = true;
            AppAuthResult::success(&api_id, app_id, Some(removed.auth_id))
        } else {
            match call.settings.not_authorized {
                NotAuthorized::Failure => AppAuthResult::failure(
                    &api_id,
                    app_id,
                    format!("app {app_id} is not authorized to API {api_id}"),
                ),
                NotAuthorized::Success => AppAuthResult::success(&api_id, app_id, None),
            }
        };
        results.push(result);
    }
    Ok(Reply::json(
        &serde_json::json!({ "unauth_result": results }),
        changed,
    ))
}

/// CreateAndAuthAppAuthApi: turns on app authentication for the service in the
/// workspace (creating its app-auth API when it has none), then authorizes the apps.
pub fn create_and_auth(project: &mut Project, call: &Call<'_>) -> Result<Reply, ApiError> {
    let workspace = call.workspace(project)?;
    let apps = requested_apps(call)?;
    if !project.services.contains_key(call.service_id()) {
        return Err(ApiError::not_found(format!(
            "service {} does not exist",
            call.service_id()
        )));
    }
    check_service_owner(project, call)?;
    check_unknown_apps(project, call, &apps, &workspace)?;
    let service = project.services.get_mut(call.service_id()).ok_or_else(|| {
        ApiError::not_found(format!("service {} does not exist", call.service_id()))
    })?;
    let mut changed = false;
    let api_id = match service
        .apis
        .iter_mut()
        .find(|a| a.workspace_id == workspace)
    {
        Some(api) => {
            changed |= api.auth_type != "APP";
            api.auth_type = "APP".to_string();
            api.api_id.clone()
        }
        None => {
            let api = Api {
                api_id: new_id(),
                api_name: service.service_name.clone(),
                auth_type: "APP".to_string(),
                workspace_id: workspace.clone(),
            };
            service.apis.push(api.clone());
            changed = true;
            api.api_id
        }
    };

    let key = (call.service_id().to_string(), api_id.clone());
    let (results, granted) = grant(project, call, key, &apps, &workspace);
    let service = &project.services[call.service_id()];
    let api = project
        .api(call.service_id(), &api_id)
        .expect("the API was just registered");
    let body = serde_json::json!({ "api": ApiInfo::new(service, api), "auth_result": results });
    Ok(Reply::json(&body, changed || granted))
}
