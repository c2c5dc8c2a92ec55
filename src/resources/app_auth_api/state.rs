//! The state of `modelarts_app_auth_api`, and its Terraform ID: written down once here,
//! parsed by the one function that import and read share.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use tf_provider::value::Value;

use crate::modelarts::ApiRef;
use crate::provider::config::DEFAULT_WORKSPACE;
use crate::resources::timeouts::Timeouts;
use crate::resources::value_serde;
use crate::resources::{count_parts, identifier_problem};

/// A set of app IDs as Terraform sends it: members can be unknown at plan time. A `Vec`
/// rather than a set type, because two unknown members compare equal and a set would
/// merge them, planning a different set than the configuration has.
pub type AppIdSet = Vec<Value<String>>;

/// One API of one service authorized to a set of apps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppAuthApiState {
    /// Terraform ID, see [`AuthApiId`].
    #[serde(deserialize_with = "value_serde::value")]
    pub id: Value<String>,
    /// The real-time service.
    #[serde(deserialize_with = "value_serde::value")]
    pub service_id: Value<String>,
    /// The app-auth API of that service.
    #[serde(deserialize_with = "value_serde::value")]
    pub api_id: Value<String>,
    /// The apps the API is authorized to.
    #[serde(deserialize_with = "value_serde::list")]
    pub app_ids: Value<AppIdSet>,
    /// Workspace of the service.
    #[serde(deserialize_with = "value_serde::value")]
    pub workspace_id: Value<String>,
    /// Project of the service.
    #[serde(deserialize_with = "value_serde::value")]
    pub project_id: Value<String>,
    /// Whether `app_ids` is the whole truth (true) or the apps this resource owns.
    #[serde(deserialize_with = "value_serde::value")]
    pub exclusive: Value<bool>,
    /// Time limits.
    #[serde(deserialize_with = "value_serde::value")]
    pub timeouts: Value<Timeouts>,
}

impl AppAuthApiState {
    /// The API this state addresses, when every key is known.
    pub fn api_ref(&self) -> Option<ApiRef> {
        match (
            &self.project_id,
            &self.workspace_id,
            &self.service_id,
            &self.api_id,
        ) {
            (
                Value::Value(project_id),
                Value::Value(workspace_id),
                Value::Value(service_id),
                Value::Value(api_id),
            ) => Some(ApiRef {
                project_id: project_id.clone(),
                workspace_id: workspace_id.clone(),
                service_id: service_id.clone(),
                api_id: api_id.clone(),
            }),
            _ => None,
        }
    }

    /// The app IDs when the set and every member are known.
    pub fn known_app_ids(&self) -> Option<BTreeSet<String>> {
        match &self.app_ids {
            Value::Value(set) => set.iter().map(|v| v.as_ref_option().cloned()).collect(),
            _ => None,
        }
    }

    /// Whether the resource owns every app authorized to the API.
    pub fn is_exclusive(&self) -> bool {
        matches!(self.exclusive, Value::Value(true))
    }
}

/// Turns plain app IDs into the state's set.
pub fn app_set<I: IntoIterator<Item = String>>(apps: I) -> Value<AppIdSet> {
    Value::Value(apps.into_iter().map(Value::Value).collect())
}

/// The keys behind a Terraform ID: `<service_id>/<api_id>` in the default workspace,
/// `<workspace_id>/<service_id>/<api_id>` in any other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthApiId {
    /// Workspace, `"0"` for the default one.
    pub workspace_id: String,
    /// Service.
    pub service_id: String,
    /// API.
    pub api_id: String,
}

/// The formats an import ID may take, for error messages and docs.
pub const ID_FORMATS: &str = "\"<service_id>/<api_id>\" (default workspace) or \
                              \"<workspace_id>/<service_id>/<api_id>\"";

impl AuthApiId {
    /// Parses a Terraform ID. Errors say why, in a phrase that follows the quoted value:
    /// `"a/b/c/d" has 4 parts`.
    pub fn parse(id: &str) -> Result<Self, String> {
        let parts: Vec<&str> = id.split('/').collect();
        let (workspace_id, service_id, api_id) = match parts.as_slice() {
            [service_id, api_id] => (DEFAULT_WORKSPACE, *service_id, *api_id),
            [workspace_id, service_id, api_id] => (*workspace_id, *service_id, *api_id),
            _ if id.is_empty() => return Err("is empty".into()),
            _ => {
                return Err(format!(
                    "has {} separated by \"/\"",
                    count_parts(parts.len())
                ))
            }
        };
        for (name, value) in [
            ("a workspace ID", workspace_id),
            ("a service ID", service_id),
            ("an API ID", api_id),
        ] {
            if let Some(why) = identifier_problem(value) {
                return Err(format!("has {name} that {why}"));
            }
        }
        Ok(AuthApiId {
            workspace_id: workspace_id.to_string(),
            service_id: service_id.to_string(),
            api_id: api_id.to_string(),
        })
    }
}

impl fmt::Display for AuthApiId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.workspace_id == DEFAULT_WORKSPACE {
            write!(f, "{}/{}", self.service_id, self.api_id)
        } else {
            write!(
                f,
                "{}/{}/{}",
                self.workspace_id, self.service_id, self.api_id
            )
        }
    }
}

impl From<&ApiRef> for AuthApiId {
    fn from(api: &ApiRef) -> Self {
        AuthApiId {
            workspace_id: api.workspace_id.clone(),
            service_id: api.service_id.clone(),
            api_id: api.api_id.clone(),
        }
    }
}

/// How an API is named in messages: `API "a" of service "s"` (plus the workspace when it
/// is not the default one).
pub fn describe_api(api: &ApiRef) -> String {
    if api.workspace_id == DEFAULT_WORKSPACE {
        format!("API {:?} of service {:?}", api.api_id, api.service_id)
    } else {
        format!(
            "API {:?} of service {:?} in workspace {:?}",
            api.api_id, api.service_id, api.workspace_id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(ws: &str, svc: &str, api: &str) -> AuthApiId {
        AuthApiId {
            workspace_id: ws.into(),
            service_id: svc.into(),
            api_id: api.into(),
        }
    }

    /// Both documented forms parse, and formatting gives the shortest form back.
    #[test]
    fn well_formed_ids_round_trip() {
        let cases = [
            (
                "default workspace",
                "svc-1/api-1",
                id("0", "svc-1", "api-1"),
                "svc-1/api-1",
            ),
            (
                "explicit default",
                "0/svc-1/api-1",
                id("0", "svc-1", "api-1"),
                "svc-1/api-1",
            ),
            (
                "workspace",
                "ws-9/svc-1/api-1",
                id("ws-9", "svc-1", "api-1"),
                "ws-9/svc-1/api-1",
            ),
        ];
        for (name, text, expected, canonical) in cases {
            let parsed = AuthApiId::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(parsed, expected, "{name}");
            assert_eq!(parsed.to_string(), canonical, "{name}");
        }
    }

    /// Every malformed form is refused, saying what is wrong.
    #[test]
    fn malformed_ids_are_refused_with_a_reason() {
        let cases = [
            ("empty", "", "is empty"),
            ("one part", "svc-1", "has 1 part"),
            ("four parts", "a/b/c/d", "has 4 parts"),
            ("empty service", "/api-1", "service ID that is empty"),
            ("empty api", "svc-1/", "API ID that is empty"),
            (
                "leading slash",
                "/svc-1/api-1",
                "workspace ID that is empty",
            ),
            ("trailing slash", "ws/svc-1/api-1/", "has 4 parts"),
            ("double slash", "svc-1//api-1", "service ID that is empty"),
            ("only slash", "/", "service ID that is empty"),
            (
                "whitespace",
                "svc-1/ api-1",
                "API ID that contains whitespace",
            ),
            (
                "surrounding space",
                " svc-1/api-1",
                "service ID that contains whitespace",
            ),
            (
                "newline",
                "svc-1/api-1\n",
                "API ID that contains whitespace",
            ),
        ];
        for (name, text, expected) in cases {
            let error = AuthApiId::parse(text).expect_err(name);
            assert!(error.contains(expected), "{name}: {error}");
        }
    }
}
