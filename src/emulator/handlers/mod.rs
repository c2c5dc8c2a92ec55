//! The ModelArts operations, each a function from one parsed call and the project it
//! addresses to a reply, run with the world locked so a call is atomic.

mod apis;
mod apps;
mod auths;
mod reads;
mod views;

pub use auths::body_app_ids;

use axum::http::StatusCode;
use serde::Serialize;

use super::error::ApiError;
use super::faults::FaultActions;
use super::routes::{Operation, Route};
use super::settings::{OffsetUnit, Settings, WorkspaceConflict};
use super::world::{Project, DEFAULT_WORKSPACE};

/// One call, parsed and authenticated, ready to run.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The matched route.
    pub route: &'a Route,
    /// Decoded query parameters.
    pub query: &'a [(String, String)],
    /// The JSON body, when the request carried one.
    pub body: Option<&'a serde_json::Value>,
    /// Current settings.
    pub settings: &'a Settings,
    /// What the fault rules do to this call.
    pub faults: &'a FaultActions,
    /// Current time, epoch milliseconds.
    pub now_ms: i64,
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status.
    pub status: StatusCode,
    /// JSON body bytes, or none for an empty body.
    pub body: Option<Vec<u8>>,
    /// True when the call changed the world (so it must be persisted).
    pub changed: bool,
}

impl Reply {
    fn json<T: Serialize>(value: &T, changed: bool) -> Reply {
        Reply {
            status: StatusCode::OK,
            body: Some(serde_json::to_vec(value).expect("replies serialize")),
            changed,
        }
    }

    fn empty(status: StatusCode, changed: bool) -> Reply {
        Reply {
            status,
            body: None,
            changed,
        }
    }
}

/// Runs a call against its project.
///
/// Returns the service's error for an invalid request, an unknown object or a refused
/// operation; the project is then unchanged.
pub fn run(project: &mut Project, call: &Call<'_>) -> Result<Reply, ApiError> {
    match call.route.operation {
        Operation::Authorize => auths::authorize(project, call),
        Operation::Cancel => auths::cancel(project, call),
        Operation::CreateAndAuth => auths::create_and_auth(project, call),
        Operation::ReadApiAuths => reads::read_api_auths(project, call),
        Operation::ListRelations => reads::list_relations(project, call),
        Operation::ListApps => apps::list_apps(project, call),
        Operation::CreateApp => apps::create_app(project, call),
        Operation::ShowApp => apps::show_app(project, call),
        Operation::DeleteApp => apps::delete_app(project, call),
        Operation::AppApis => apps::app_apis(project, call),
        Operation::ListApis => apis::list_apis(project, call),
        Operation::ShowApi => apis::show_api(project, call),
        Operation::DeleteApi => apis::delete_api(project, call),
    }
}

impl Call<'_> {
    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn body_str(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.body.and_then(|b| b.get(name)) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ApiError::invalid(format!("{name} must be a string"))),
        }
    }

    /// The workspace the call addresses, from the query and the body.
    fn workspace(&self, project: &Project) -> Result<String, ApiError> {
        let query = self.param("workspace_id").filter(|w| !w.is_empty());
        let body = self.body_str("workspace_id")?.filter(|w| !w.is_empty());
        let chosen = match (query, body, self.settings.workspace_conflict) {
            (Some(q), Some(b), WorkspaceConflict::Reject) if q != b => {
                return Err(ApiError::invalid_workspace(format!(
                    "workspace_id in the query ({q}) and in the body ({b}) differ"
                )))
            }
            (Some(_), Some(b), WorkspaceConflict::BodyWins) => b,
            (Some(q), _, _) => q,
            (None, Some(b), _) => b,
            (None, None, _) => DEFAULT_WORKSPACE,
        };
        if !project.has_workspace(chosen) {
            return Err(ApiError::invalid_workspace(format!(
                "workspace {chosen} does not exist"
            )));
        }
        Ok(chosen.to_string())
    }

    fn service_id(&self) -> &str {
        self.route.service_id.as_deref().unwrap_or_default()
    }

    fn api_id(&self) -> &str {
        self.route.api_id.as_deref().unwrap_or_default()
    }

    fn app_id(&self) -> &str {
        self.route.app_id.as_deref().unwrap_or_default()
    }

    /// The page the call asks for, from `limit` and `offset`.
    fn page(&self) -> Result<Page, ApiError> {
        let number = |name: &str, default: usize, min: usize| match self.param(name) {
            None | Some("") => Ok(default),
            Some(raw) => raw
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= min)
                .ok_or_else(|| ApiError::invalid(format!("{name} must be an integer >= {min}"))),
        };
        let limit = number("limit", 1000, 1)?;
        let offset = number("offset", 0, 0)?;
        let size = self
            .settings
            .page_size_cap
            .map_or(limit, |cap| limit.min(cap.max(1)));
        let start = match self.settings.offset_unit {
            OffsetUnit::Pages => offset.saturating_mul(size),
            OffsetUnit::Items => offset,
        };
        Ok(Page { start, size })
    }

    /// `order`: true for descending.
    fn descending(&self) -> Result<bool, ApiError> {
        match self.param("order").unwrap_or("") {
            "" | "asc" => Ok(false),
            "desc" => Ok(true),
            other => Err(ApiError::invalid(format!(
                "order must be asc or desc, not {other}"
            ))),
        }
    }
}

/// One page of a list: where it starts and how many it holds at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Page {
    start: usize,
    size: usize,
}

impl Page {
    fn slice<T>(self, items: Vec<T>) -> Vec<T> {
        items.into_iter().skip(self.start).take(self.size).collect()
    }
}

/// A paged list answer: `{"<key>": [...], "count": n, "total_count": n}`.
///
/// Written straight to bytes: the large reads must not build a JSON tree first.
fn paged<T: Serialize>(key: &str, items: Vec<T>, total: usize) -> Reply {
    // About 400 bytes per app: reserving up front spares the copies of regrowth.
    let mut body = Vec::with_capacity(64 + items.len() * 400);
    body.extend_from_slice(format!("{{\"{key}\":").as_bytes());
    serde_json::to_writer(&mut body, &items).expect("items serialize");
    body.extend_from_slice(
        format!(",\"count\":{},\"total_count\":{total}}}", items.len()).as_bytes(),
    );
    Reply {
        status: StatusCode::OK,
        body: Some(body),
        changed: false,
    }
}
