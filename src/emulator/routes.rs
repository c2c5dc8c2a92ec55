//! Maps a method and path onto one ModelArts operation and its path parameters.

use axum::http::Method;
use percent_encoding::percent_decode_str;

/// The operations of the app-authentication API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// AuthorizeApiToApigApps.
    Authorize,
    /// DeleteApiAppAuth.
    Cancel,
    /// CreateAndAuthAppAuthApi.
    CreateAndAuth,
    /// GetServiceAppAuthApiAuthInfo.
    ReadApiAuths,
    /// ShowApiAuthInfos.
    ListRelations,
    /// List apps.
    ListApps,
    /// Create an app.
    CreateApp,
    /// Show an app.
    ShowApp,
    /// Delete an app.
    DeleteApp,
    /// APIs bound to an app.
    AppApis,
    /// List a service's app-auth APIs.
    ListApis,
    /// Show one app-auth API.
    ShowApi,
    /// Delete one app-auth API.
    DeleteApi,
}

const ALL: [Operation; 13] = [
    Operation::Authorize,
    Operation::Cancel,
    Operation::CreateAndAuth,
    Operation::ReadApiAuths,
    Operation::ListRelations,
    Operation::ListApps,
    Operation::CreateApp,
    Operation::ShowApp,
    Operation::DeleteApp,
    Operation::AppApis,
    Operation::ListApis,
    Operation::ShowApi,
    Operation::DeleteApi,
];

impl Operation {
    /// The name fault rules and the call log use.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Authorize => "authorize",
            Operation::Cancel => "cancel",
            Operation::CreateAndAuth => "create_and_auth",
            Operation::ReadApiAuths => "read_api_auths",
            Operation::ListRelations => "list_relations",
            Operation::ListApps => "list_apps",
            Operation::CreateApp => "create_app",
            Operation::ShowApp => "show_app",
            Operation::DeleteApp => "delete_app",
            Operation::AppApis => "app_apis",
            Operation::ListApis => "list_apis",
            Operation::ShowApi => "show_api",
            Operation::DeleteApi => "delete_api",
        }
    }

    /// The operation with this name.
    pub fn from_name(name: &str) -> Option<Operation> {
        ALL.into_iter().find(|op| op.name() == name)
    }

    /// True for operations that change a service (the scope of the
    /// `conflict_on_concurrent_writes` setting).
    pub fn writes_service(self) -> bool {
        matches!(
            self,
            Operation::Authorize
                | Operation::Cancel
                | Operation::CreateAndAuth
                | Operation::DeleteApi
        )
    }
}

/// A matched request: the operation and the parameters in its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The operation.
    pub operation: Operation,
    /// `{project_id}`.
    pub project_id: String,
    /// `{service_id}`, when the path has one.
    pub service_id: Option<String>,
    /// `{api_id}`, when the path has one.
    pub api_id: Option<String>,
    /// `{app_id}`, when the path has one.
    pub app_id: Option<String>,
}

/// Matches a request on its raw (percent-encoded) path; `None` when no operation has
/// this method and path.
pub fn match_route(method: &Method, path: &str) -> Option<Route> {
    let decoded: Vec<String> = path
        .strip_prefix('/')?
        .split('/')
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    if decoded.iter().any(|s| s.is_empty()) {
        return None;
    }
    let segments: Vec<&str> = decoded.iter().map(String::as_str).collect();
    let (project_id, rest) = match segments.as_slice() {
        ["v1", project_id, rest @ ..] => (project_id.to_string(), rest),
        _ => return None,
    };
    let s = |v: &str| Some(v.to_string());
    let (operation, service_id, api_id, app_id) = match (method.as_str(), rest) {
        ("POST", ["services", svc, "app-auth-apis", api, "app-auth-api"]) => {
            (Operation::Authorize, s(svc), s(api), None)
        }
        ("DELETE", ["services", svc, "app-auth-apis", api, "app-auth-api"]) => {
            (Operation::Cancel, s(svc), s(api), None)
        }
        ("POST", ["services", svc, "app-auth-api"]) => {
            (Operation::CreateAndAuth, s(svc), None, None)
        }
        ("GET", ["services", svc, "api-auths"]) => (Operation::ReadApiAuths, s(svc), None, None),
        ("GET", ["services", svc, "app-auth-apis", api, "api-auths"]) => {
            (Operation::ListRelations, s(svc), s(api), None)
        }
        ("GET", ["services", svc, "app-auth-apis"]) => (Operation::ListApis, s(svc), None, None),
        ("DELETE", ["services", svc, "app-auth-apis", api]) => {
            (Operation::DeleteApi, s(svc), s(api), None)
        }
        ("GET", ["app-auth", svc, "apis", api]) => (Operation::ShowApi, s(svc), s(api), None),
        ("GET", ["app-auth", "apps"]) => (Operation::ListApps, None, None, None),
        ("POST", ["app-auth", "apps"]) => (Operation::CreateApp, None, None, None),
        ("GET", ["app-auth", "apps", app]) => (Operation::ShowApp, None, None, s(app)),
        ("DELETE", ["app-auth", "apps", app]) => (Operation::DeleteApp, None, None, s(app)),
        ("GET", ["app-auth", "apps", app, "auth-apis"]) => (Operation::AppApis, None, None, s(app)),
        _ => return None,
    };
    Some(Route {
        operation,
        project_id,
        service_id,
        api_id,
        app_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every documented path maps to its operation; anything else maps to none.
    #[test]
    fn paths_map_to_operations() {
        let cases = [
            (
                "POST",
                "/v1/p/services/s/app-auth-apis/a/app-auth-api",
                Some(Operation::Authorize),
            ),
            (
                "DELETE",
                "/v1/p/services/s/app-auth-apis/a/app-auth-api",
                Some(Operation::Cancel),
            ),
            (
                "POST",
                "/v1/p/services/s/app-auth-api",
                Some(Operation::CreateAndAuth),
            ),
            (
                "GET",
                "/v1/p/services/s/api-auths",
                Some(Operation::ReadApiAuths),
            ),
            (
                "GET",
                "/v1/p/services/s/app-auth-apis/a/api-auths",
                Some(Operation::ListRelations),
            ),
            (
                "GET",
                "/v1/p/services/s/app-auth-apis",
                Some(Operation::ListApis),
            ),
            (
                "DELETE",
                "/v1/p/services/s/app-auth-apis/a",
                Some(Operation::DeleteApi),
            ),
            ("GET", "/v1/p/app-auth/s/apis/a", Some(Operation::ShowApi)),
            ("GET", "/v1/p/app-auth/apps", Some(Operation::ListApps)),
            ("POST", "/v1/p/app-auth/apps", Some(Operation::CreateApp)),
            ("GET", "/v1/p/app-auth/apps/x", Some(Operation::ShowApp)),
            (
                "DELETE",
                "/v1/p/app-auth/apps/x",
                Some(Operation::DeleteApp),
            ),
            (
                "GET",
                "/v1/p/app-auth/apps/x/auth-apis",
                Some(Operation::AppApis),
            ),
            ("PUT", "/v1/p/app-auth/apps/x", None),
            ("GET", "/v1/p/app-auth/apps/", None),
            ("GET", "/v2/p/app-auth/apps", None),
            ("GET", "/", None),
        ];
        for (method, path, expected) in cases {
            let method: Method = method.parse().unwrap();
            let got = match_route(&method, path).map(|r| r.operation);
            assert_eq!(got, expected, "{method} {path}");
        }
        for op in ALL {
            assert_eq!(Operation::from_name(op.name()), Some(op));
        }
    }
}
