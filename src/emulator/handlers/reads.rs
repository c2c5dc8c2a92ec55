//! The two reads of who is authorized to an API: GetServiceAppAuthApiAuthInfo and
//! the paged ShowApiAuthInfos, both subject to the `read_lag_reads` setting.

use std::collections::HashSet;

use serde::Serialize;

use super::auths::api_in;
use super::views::{select_apps, AppDetail};
use super::{paged, Call, Reply};
use crate::emulator::error::ApiError;
use crate::emulator::world::{ApiKey, Project, CALLER};

/// App ids authorized to the API that reads may see, sorted, counting this read
/// against the lag of the `read_lag_reads` setting: authorizations still hidden, and
/// cancelled ones still shown.
pub fn visible_apps(project: &mut Project, key: &ApiKey) -> Vec<String> {
    let mut visible = Vec::new();
    for (app_id, auth) in project.auths.of_api_mut(key) {
        if auth.hidden_reads > 0 {
            auth.hidden_reads -= 1;
        } else {
            visible.push(app_id.clone());
        }
    }
    let lingering = project.auths.lingering_of_api(key);
    if !lingering.is_empty() {
        visible.extend(lingering);
        visible.sort_unstable();
    }
    visible
}

/// GetServiceAppAuthApiAuthInfo.
pub fn read_api_auths(project: &mut Project, call: &Call<'_>) -> Result<Reply, ApiError> {
    let workspace = call.workspace(project)?;
    let service = project.services.get(call.service_id()).ok_or_else(|| {
        ApiError::not_found(format!("service {} does not exist", call.service_id()))
    })?;
    let Some(api) = service
        .apis
        .iter()
        .find(|a| a.workspace_id == workspace && a.auth_type == "APP")
    else {
        return Ok(Reply::json(
            &serde_json::json!({ "enable_app_auth": false }),
            false,
        ));
    };
    let key = (service.service_id.clone(), api.api_id.clone());

    let visible = visible_apps(project, &key);
    let project_id = call.route.project_id.as_str();
    let authed: Vec<AppDetail> = visible
        .iter()
        .filter_map(|id| project.apps.get(id))
        .map(|app| AppDetail::new(project_id, project, app))
        .collect();
    let body = ApiAuthInfo {
        enable_app_auth: true,
        app_auth_api: AppAuthApi {
            api_id: &key.1,
            authed_apps: authed,
        },
    };
    Ok(Reply::json(&body, false))
}

/// The answer of GetServiceAppAuthApiAuthInfo, typed so that thousands of apps are
/// written straight out rather than through a JSON tree.
#[derive(Debug, Serialize)]
struct ApiAuthInfo<'a> {
    enable_app_auth: bool,
    app_auth_api: AppAuthApi<'a>,
}

/// The app-auth API and its authorized apps.
#[derive(Debug, Serialize)]
struct AppAuthApi<'a> {
    api_id: &'a str,
    authed_apps: Vec<AppDetail<'a>>,
}

/// One element of ShowApiAuthInfos.
#[derive(Debug, Serialize)]
struct Relation<'a> {
    app: AppDetail<'a>,
    authed: bool,
}

/// ShowApiAuthInfos.
pub fn list_relations(project: &mut Project, call: &Call<'_>) -> Result<Reply, ApiError> {
    let workspace = call.workspace(project)?;
    let api = api_in(project, call, &workspace)?;
    let key = (call.service_id().to_string(), api.api_id.clone());
    let show_only = call.param("show_only").unwrap_or("");
    if !matches!(show_only, "" | "AUTH" | "UNAUTH") {
        return Err(ApiError::invalid(format!(
            "show_only must be AUTH or UNAUTH, not {show_only}"
        )));
    }
    let page = call.page()?;

    let visible_ids = visible_apps(project, &key);
    let project = &*project;
    let authorized_only = show_only == "AUTH";
    // Only the mixed lists need to look up whether an app is authorized.
    let visible: HashSet<&str> = match authorized_only {
        true => HashSet::new(),
        false => visible_ids.iter().map(String::as_str).collect(),
    };
    let candidates: Vec<_> = match authorized_only {
        true => visible_ids
            .iter()
            .filter_map(|id| project.apps.get(id))
            .collect(),
        false => project
            .apps
            .values()
            .filter(|a| a.workspace_id == workspace && a.user() == CALLER)
            .filter(|a| show_only.is_empty() || !visible.contains(a.app_id.as_str()))
            .collect(),
    };
    let apps = select_apps(call, candidates.into_iter())?;
    let total = apps.len();
    let project_id = call.route.project_id.as_str();
    let relations: Vec<Relation> = page
        .slice(apps)
        .into_iter()
        .map(|app| Relation {
            authed: authorized_only || visible.contains(app.app_id.as_str()),
            app: AppDetail::new(project_id, project, app),
        })
        .collect();
    Ok(paged("auths", relations, total))
}
