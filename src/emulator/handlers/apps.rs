//! Apps: list, create, show, delete, and the APIs bound to one app.

use axum::http::StatusCode;

use super::views::{select_apps, ApiInfo, AppDetail};
use super::{paged, Call, Reply};
use crate::emulator::error::ApiError;
use crate::emulator::world::{new_id, App, Project, CALLER};

const MAX_NAME_CHARS: usize = 64;
const MAX_REMARK_CHARS: usize = 200;

fn app_in<'p>(project: &'p Project, call: &Call<'_>, workspace: &str) -> Result<&'p App, ApiError> {
    project
        .apps
        .get(call.app_id())
        .filter(|a| a.workspace_id == workspace)
        .ok_or_else(|| ApiError::not_found(format!("app {} does not exist", call.app_id())))
}

/// List apps.
pub fn list_apps(project: &mut Project, call: &Call<'_>) -> Result<Reply, ApiError> {
    let workspace = call.workspace(project)?;
    let page = call.page()?;

    let candidates = project
        .apps
        .values()
        .filter(|a| a.workspace_id == workspace && a.user() == CALLER);
    let apps = select_apps(call, candidates)?;
    let total = apps.len();
    let project_id = call.route.project_id.as_str();
    let details: Vec<AppDetail> = page
        .slice(apps)
        .into_iter()
        .map(|app| AppDetail::new(project_id, project, app))
        .collect();
    Ok(paged("apps", details, total))
}

/// Create an app.
///
/// 400 `ModelArts.0107` for a missing, too long or taken name or a too long remark;
/// 400 `ModelArts.0116` when the project already holds `app_quota` apps.
pub fn create_app(project: &mut Project, call: &Call<'_>) -> Result<Reply, ApiError> {
    let workspace = call.workspace(project)?;
    let name = call
        .body_str("app_name")?
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::invalid("app_name is required"))?;
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid(format!(
            "app_name is longer than {MAX_NAME_CHARS} characters"
        )));
    }
    let remark = call.body_str("app_remark")?;
    if remark.is_some_and(|r| r.chars().count() > MAX_REMARK_CHARS) {
        return Err(ApiError::invalid(format!(
            "app_remark is longer than {MAX_REMARK_CHARS} characters"
        )));
    }
    if project
        .apps
        .values()
        .any(|a| a.workspace_id == workspace && a.app_name == name)
    {
        return Err(ApiError::invalid(format!(
            "an app named {name} already exists"
        )));
    }
    if project.apps.len() >= call.settings.app_quota {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "ModelArts.0116",
            format!(
                "App quota exceeded: at most {} apps",
                call.settings.app_quota
            ),
        ));
    }

    let app = App {
        app_id: new_id(),
        app_name: name.to_string(),
        app_key: new_id(),
        app_secret: new_id(),
        workspace_id: workspace,
        app_remark: remark.map(str::to_string),
        created_at: call.now_ms,
        updated_at: call.now_ms,
        user_id: None,
    };
    let id = app.app_id.clone();
    project.apps.insert(id.clone(), app);
    let detail = AppDetail::new(&call.route.project_id, project, &project.apps[&id]);
    Ok(Reply::json(&serde_json::json!({ "app": detail }), true))
}

/// Show an app.
pub fn show_app(project: &mut Project, call: &Call<'_>) -> Result<Reply, ApiError> {
    let workspace = call.workspace(project)?;
    let app = app_in(project, call, &workspace)?;
    let detail = AppDetail::new(&call.route.project_id, project, app);
    Ok(Reply::json(&serde_json::json!({ "app": detail }), false))
}

/// Delete an app: 403 `ModelArts.0105` while an API is still authorized to it.
pub fn delete_app(project: &mut Project, call: &Call<'_>) -> Result<Reply, ApiError> {
    let workspace = call.workspace(project)?;
    let app = app_in(project, call, &workspace)?;
    if app.user() != CALLER {
        return Err(ApiError::forbidden(format!(
            "app {} was created by another user",
            app.app_id
        )));
    }
    let bound = project.auths.bound_api_count(&app.app_id);
    if bound > 0 {
        return Err(ApiError::forbidden(format!(
            "app {} is still authorized to {bound} API(s); cancel those first",
            app.app_id
        )));
    }

    project.apps.remove(call.app_id());
    Ok(Reply::empty(StatusCode::OK, true))
}

/// APIs bound to an app, as lagging reads see them (`read_lag_reads`): authorizations
/// still hidden excluded, cancelled ones still shown included.
pub fn app_apis(project: &mut Project, call: &Call<'_>) -> Result<Reply, ApiError> {
    let workspace = call.workspace(project)?;
    let app_id = app_in(project, call, &workspace)?.app_id.clone();
    let page = call.page()?;

    let mut keys = Vec::new();
    for (key, auth) in project.auths.of_app_mut(&app_id) {
        if auth.hidden_reads > 0 {
            auth.hidden_reads -= 1;
        } else {
            keys.push(key.clone());
        }
    }
    let lingering = project.auths.lingering_of_app(&app_id);
    if !lingering.is_empty() {
        keys.extend(lingering);
        keys.sort_unstable();
    }
    let apis: Vec<ApiInfo> = keys
        .iter()
        .filter_map(|(service_id, api_id)| {
            let service = project.services.get(service_id)?;
            let api = service.apis.iter().find(|a| &a.api_id == api_id)?;
            Some(ApiInfo::new(service, api))
        })
        .collect();
    let total = apis.len();
    Ok(paged("apis", page.slice(apis), total))
}
