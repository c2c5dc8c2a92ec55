//! A typed view of the emulator's call log, so tests can say which API operation was
//! called, on which API and workspace, for which apps.

use serde_json::Value;

use crate::support::emulator::Emulator;
use crate::support::terraform::checks::sorted;

/// The ModelArts operation a logged request was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// POST .../app-auth-apis/{api_id}/app-auth-api
    Authorize,
    /// DELETE .../app-auth-apis/{api_id}/app-auth-api
    Cancel,
    /// GET .../app-auth-apis/{api_id}/api-auths
    ListRelations,
    /// GET .../services/{service_id}/api-auths
    ReadApiAuths,
    /// Anything else (apps, API listings).
    Other,
}

/// One request the emulator received.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub workspace_id: String,
    /// Apps named in the request body, sorted.
    pub app_ids: Vec<String>,
    /// "token", "aksk" or "none".
    pub auth: String,
    /// The entry as the emulator logged it.
    pub raw: Value,
}

impl Call {
    fn from_log(entry: &Value) -> Call {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let mut app_ids: Vec<String> = entry["app_ids"]
            .as_array()
            .map(|ids| ids.iter().map(text).collect())
            .unwrap_or_default();
        app_ids.sort();
        let workspace_id = match entry["workspace_id"].as_str() {
            Some(w) if !w.is_empty() => w.to_owned(),
            _ => "0".to_owned(),
        };
        Call {
            method: text(&entry["method"]),
            path: text(&entry["path"]),
            status: entry["status"].as_u64().unwrap_or_default() as u16,
            workspace_id,
            app_ids,
            auth: text(&entry["auth"]),
            raw: entry.clone(),
        }
    }

    fn segments(&self) -> Vec<&str> {
        self.path.trim_matches('/').split('/').collect()
    }

    /// Which operation the request was.
    pub fn operation(&self) -> Operation {
        match (self.method.as_str(), self.segments().as_slice()) {
            ("POST", ["v1", _, "services", _, "app-auth-apis", _, "app-auth-api"]) => {
                Operation::Authorize
            }
            ("DELETE", ["v1", _, "services", _, "app-auth-apis", _, "app-auth-api"]) => {
                Operation::Cancel
            }
            ("GET", ["v1", _, "services", _, "app-auth-apis", _, "api-auths"]) => {
                Operation::ListRelations
            }
            ("GET", ["v1", _, "services", _, "api-auths"]) => Operation::ReadApiAuths,
            _ => Operation::Other,
        }
    }

    /// True for authorize and cancel, the calls that change the service.
    pub fn is_write(&self) -> bool {
        matches!(self.operation(), Operation::Authorize | Operation::Cancel)
    }

    /// The project in the path.
    pub fn project_id(&self) -> Option<&str> {
        self.segments().get(1).copied()
    }

    /// The service in the path, for service-scoped operations.
    pub fn service_id(&self) -> Option<&str> {
        match self.segments().as_slice() {
            ["v1", _, "services", service, ..] => Some(service),
            _ => None,
        }
    }

    /// The API in the path, for API-scoped operations.
    pub fn api_id(&self) -> Option<&str> {
        match self.segments().as_slice() {
            ["v1", _, "services", _, "app-auth-apis", api, ..] => Some(api),
            _ => None,
        }
    }

    /// A one-line picture of the call for assertion messages.
    pub fn brief(&self) -> String {
        format!(
            "{:?} {} {} ws={} apps={:?} -> {}",
            self.operation(),
            self.method,
            self.path,
            self.workspace_id,
            self.app_ids,
            self.status
        )
    }
}

/// Every call the emulator logged since the last clear.
pub fn calls(emulator: &Emulator) -> Vec<Call> {
    emulator.calls().iter().map(Call::from_log).collect()
}

/// The authorize and cancel calls the emulator logged since the last clear.
pub fn writes(emulator: &Emulator) -> Vec<Call> {
    calls(emulator).into_iter().filter(Call::is_write).collect()
}

/// The calls of one operation since the last clear.
pub fn of(emulator: &Emulator, operation: Operation) -> Vec<Call> {
    calls(emulator)
        .into_iter()
        .filter(|c| c.operation() == operation)
        .collect()
}

/// Every app named by the successful calls of one operation on one API, sorted.
pub fn apps_sent(calls: &[Call], operation: Operation, api_id: &str) -> Vec<String> {
    let mut apps: Vec<String> = calls
        .iter()
        .filter(|c| c.operation() == operation && c.api_id() == Some(api_id))
        .flat_map(|c| c.app_ids.clone())
        .collect();
    apps.sort();
    apps
}

/// Asserts that the calls on one API authorized exactly `authorized` and cancelled
/// exactly `cancelled` (in any order), listing every call when they did not.
pub fn assert_sent(calls: &[Call], api_id: &str, authorized: &[&str], cancelled: &[&str]) {
    let sent = (
        apps_sent(calls, Operation::Authorize, api_id),
        apps_sent(calls, Operation::Cancel, api_id),
    );
    assert_eq!(
        sent,
        (sorted(authorized), sorted(cancelled)),
        "(authorized, cancelled) on {api_id}; the calls:\n{}",
        describe(calls)
    );
}

/// Renders a call list for assertion messages.
pub fn describe(calls: &[Call]) -> String {
    calls.iter().map(Call::brief).collect::<Vec<_>>().join("\n")
}
