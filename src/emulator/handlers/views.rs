//! The service's response objects (`ApigAppDetailInfo`, `AuthTypeApiBasicInfo`),
//! borrowed from the world so that large reads copy nothing but the output.

use serde::Serialize;

use super::{ApiError, Call};
use crate::emulator::world::{Api, App, Project, Service};

/// `ApigAppDetailInfo`.
#[derive(Debug, Serialize)]
pub struct AppDetail<'a> {
    app_id: &'a str,
    app_name: &'a str,
    app_remark: &'a str,
    app_key: &'a str,
    app_secret: &'a str,
    app_codes: [&'a str; 0],
    app_type: &'static str,
    bounded_api_count: usize,
    created_at: i64,
    updated_at: i64,
    project_id: &'a str,
    user_id: &'a str,
}

impl<'a> AppDetail<'a> {
    /// The app as the service shows it.
    pub fn new(project_id: &'a str, project: &Project, app: &'a App) -> Self {
        AppDetail {
            app_id: &app.app_id,
            app_name: &app.app_name,
            app_remark: app.app_remark.as_deref().unwrap_or_default(),
            app_key: &app.app_key,
            app_secret: &app.app_secret,
            app_codes: [],
            app_type: "APIG",
            bounded_api_count: project.auths.bound_api_count(&app.app_id),
            created_at: app.created_at,
            updated_at: app.updated_at,
            project_id,
            user_id: app.user(),
        }
    }
}

/// `AuthTypeApiBasicInfo`.
#[derive(Debug, Serialize)]
pub struct ApiInfo<'a> {
    api_id: &'a str,
    api_name: &'a str,
    api_method: &'static str,
    api_remark: &'static str,
    auth_type: &'a str,
    predict_url: String,
    service_id: &'a str,
    service_name: &'a str,
    support_app_code: bool,
}

impl<'a> ApiInfo<'a> {
    /// The API as the service shows it.
    pub fn new(service: &'a Service, api: &'a Api) -> Self {
        ApiInfo {
            api_id: &api.api_id,
            api_name: &api.api_name,
            api_method: "ANY",
            api_remark: "",
            auth_type: &api.auth_type,
            predict_url: format!(
                "https://infer.modelarts.emulator.local/v1/infers/{}",
                service.service_id
            ),
            service_id: &service.service_id,
            service_name: &service.service_name,
            support_app_code: api.auth_type == "APP",
        }
    }
}

/// Apps of a workspace filtered by the fuzzy `app_name` and sorted by `sort_by` and
/// `order` (ties broken by app id so that pages never overlap).
pub fn select_apps<'a>(
    call: &Call<'_>,
    candidates: impl Iterator<Item = &'a App>,
) -> Result<Vec<&'a App>, ApiError> {
    let needle = call.param("app_name").unwrap_or("").to_lowercase();
    let mut apps: Vec<&App> = candidates
        .filter(|a| needle.is_empty() || a.app_name.to_lowercase().contains(&needle))
        .collect();
    let sort_by = call.param("sort_by").unwrap_or("");
    match sort_by {
        "" | "created_at" => {
            apps.sort_by(|a, b| (a.created_at, &a.app_id).cmp(&(b.created_at, &b.app_id)))
        }
        "updated_at" => {
            apps.sort_by(|a, b| (a.updated_at, &a.app_id).cmp(&(b.updated_at, &b.app_id)))
        }
        "app_name" => apps.sort_by(|a, b| (&a.app_name, &a.app_id).cmp(&(&b.app_name, &b.app_id))),
        other => {
            return Err(ApiError::invalid(format!(
                "sort_by must be app_name, created_at or updated_at, not {other}"
            )))
        }
    }
    if call.descending()? {
        apps.reverse();
    }
    Ok(apps)
}
