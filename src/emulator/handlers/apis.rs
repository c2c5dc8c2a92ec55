//! A service's app-auth APIs: list, show and delete.

use axum::http::StatusCode;

use super::views::ApiInfo;
use super::{paged, Call, Reply};
use crate::emulator::error::ApiError;
use crate::emulator::world::{Project, Service};

fn service<'p>(project: &'p Project, call: &Call<'_>) -> Result<&'p Service, ApiError> {
    project
        .services
        .get(call.service_id())
        .ok_or_else(|| ApiError::not_found(format!("service {} does not exist", call.service_id())))
}

fn api_missing(call: &Call<'_>) -> ApiError {
    ApiError::not_found(format!(
        "API {} of service {} does not exist",
        call.api_id(),
        call.service_id()
    ))
}

/// List a service's app-auth APIs in the workspace.
pub fn list_apis(project: &mut Project, call: &Call<'_>) -> Result<Reply, ApiError> {
    let workspace = call.workspace(project)?;
    let service = service(project, call)?;
    let page = call.page()?;

    let apis: Vec<ApiInfo> = service
        .apis
        .iter()
        .filter(|a| a.workspace_id == workspace)
        .map(|a| ApiInfo::new(service, a))
        .collect();
    let total = apis.len();
    Ok(paged("apis", page.slice(apis), total))
}

/// Show one app-auth API.
pub fn show_api(project: &mut Project, call: &Call<'_>) -> Result<Reply, ApiError> {
    let workspace = call.workspace(project)?;
    let service = service(project, call)?;
    let api = service
        .apis
        .iter()
        .find(|a| a.api_id == call.api_id() && a.workspace_id == workspace)
        .ok_or_else(|| api_missing(call))?;
    Ok(Reply::json(
        &serde_json::json!({ "api": ApiInfo::new(service, api) }),
        false,
    ))
}

/// Delete one app-auth API and every authorization of it; 204 without a body.
pub fn delete_api(project: &mut Project, call: &Call<'_>) -> Result<Reply, ApiError> {
    let workspace = call.workspace(project)?;
    super::auths::check_service_owner(project, call)?;
    let service = project.services.get_mut(call.service_id()).ok_or_else(|| {
        ApiError::not_found(format!("service {} does not exist", call.service_id()))
    })?;
    let before = service.apis.len();
    service
        .apis
        .retain(|a| !(a.api_id == call.api_id() && a.workspace_id == workspace));
    if service.apis.len() == before {
        return Err(api_missing(call));
    }

    project
        .auths
        .remove_api(&(call.service_id().to_string(), call.api_id().to_string()));
    Ok(Reply::empty(StatusCode::NO_CONTENT, true))
}
