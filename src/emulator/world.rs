//! The emulated cloud: projects holding services with their app-auth APIs, apps, and
//! the authorizations between them, plus the JSON world document that
//! `GET/PUT /_emulator/state`, `--seed` and `--state-file` exchange.
//!
//! Apps are indexed by id and authorizations by API, so that reading an API with
//! thousands of authorized apps costs one map walk rather than a scan per app.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use super::authorizations::{ApiKey, Authorization, Authorizations};

/// The default workspace, used whenever a request or a document names none.
pub const DEFAULT_WORKSPACE: &str = "0";

/// The user every request comes from, and who owns services and apps that name no
/// `user_id`. Objects owned by another user exercise the service's ownership rules.
pub const CALLER: &str = "emulator-user";

fn default_workspace() -> String {
    DEFAULT_WORKSPACE.to_string()
}

fn default_auth_type() -> String {
    "APP".to_string()
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// The whole world document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldDoc {
    /// Projects by project id.
    #[serde(default)]
    pub projects: BTreeMap<String, ProjectDoc>,
}

/// One project in the world document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectDoc {
    /// Services, sorted by id.
    #[serde(default)]
    pub services: Vec<Service>,
    /// Apps, sorted by id.
    #[serde(default)]
    pub apps: Vec<App>,
    /// Authorizations, sorted by service, API and app.
    #[serde(default)]
    pub authorizations: Vec<AuthorizationDoc>,
}

/// A real-time service and its app-auth APIs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Service id (a UUID in the cloud).
    pub service_id: String,
    /// Service name.
    #[serde(default)]
    pub service_name: String,
    /// The service's app-auth APIs.
    #[serde(default)]
    pub apis: Vec<Api>,
    /// The service's creator; [`CALLER`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl Service {
    /// True when the caller created the service (and so may change it).
    pub fn is_callers(&self) -> bool {
        self.user_id.as_deref().is_none_or(|u| u == CALLER)
    }
}

/// One app-auth API of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    /// API id.
    pub api_id: String,
    /// API name.
    #[serde(default)]
    pub api_name: String,
    /// `APP`, `IAM` or `NONE`; only `APP` APIs can be authorized to apps.
    #[serde(default = "default_auth_type")]
    pub auth_type: String,
    /// Workspace the API belongs to.
    #[serde(default = "default_workspace")]
    pub workspace_id: String,
}

/// An app: the credential holder that APIs are authorized to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct App {
    /// App id.
    pub app_id: String,
    /// App name.
    #[serde(default)]
    pub app_name: String,
    /// App key; generated when absent.
    #[serde(default)]
    pub app_key: String,
    /// App secret; generated when absent. Never logged.
    #[serde(default)]
    pub app_secret: String,
    /// Workspace the app belongs to.
    #[serde(default = "default_workspace")]
    pub workspace_id: String,
    /// Free-text remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_remark: Option<String>,
    /// Creation time, epoch milliseconds (0 when seeded without one).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub created_at: i64,
    /// Last update time, epoch milliseconds (0 when seeded without one).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub updated_at: i64,
    /// The app's creator; [`CALLER`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl App {
    /// The app's creator.
    pub fn user(&self) -> &str {
        self.user_id.as_deref().unwrap_or(CALLER)
    }
}

/// One authorization of an API to an app, as written in the world document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorizationDoc {
    /// Service of the API.
    pub service_id: String,
    /// The authorized API.
    pub api_id: String,
    /// The app it is authorized to.
    pub app_id: String,
    /// Workspace of the API and the app.
    #[serde(default = "default_workspace")]
    pub workspace_id: String,
    /// Id of the authorization; generated when absent.
    #[serde(default)]
    pub auth_id: String,
}

/// One project of the live world.
#[derive(Debug, Clone, Default)]
pub struct Project {
    /// Services by id.
    pub services: BTreeMap<String, Service>,
    /// Apps by id.
    pub apps: BTreeMap<String, App>,
    /// Authorizations by API, then by app id.
    pub auths: Authorizations,
}

/// The live world.
#[derive(Debug, Clone, Default)]
pub struct World {
    /// Projects by id.
    pub projects: BTreeMap<String, Project>,
}

/// A fresh 32-hex-character id, the shape the service uses for apps and auths.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl Project {
    /// The API `api_id` of service `service_id`, if both exist.
    pub fn api(&self, service_id: &str, api_id: &str) -> Option<&Api> {
        self.services
            .get(service_id)?
            .apis
            .iter()
            .find(|a| a.api_id == api_id)
    }

    /// True when the workspace exists in this project: the default one, or one that an
    /// API, an app or an authorization names.
    pub fn has_workspace(&self, workspace_id: &str) -> bool {
        workspace_id == DEFAULT_WORKSPACE
            || self
                .services
                .values()
                .flat_map(|s| &s.apis)
                .any(|a| a.workspace_id == workspace_id)
            || self.apps.values().any(|a| a.workspace_id == workspace_id)
    }
}

impl World {
    /// Builds the live world from a document, generating missing keys and ids.
    ///
    /// Returns a message naming the first inconsistency: a duplicate id, or an
    /// authorization whose service, API or app is unknown or in another workspace.
    pub fn from_doc(doc: WorldDoc) -> Result<World, String> {
        let mut world = World::default();
        for (project_id, pdoc) in doc.projects {
            let project =
                Project::from_doc(pdoc).map_err(|e| format!("project {project_id}: {e}"))?;
            world.projects.insert(project_id, project);
        }
        Ok(world)
    }

    /// The world as a document; lists come out sorted by id.
    pub fn to_doc(&self) -> WorldDoc {
        WorldDoc {
            projects: self
                .projects
                .iter()
                .map(|(id, p)| (id.clone(), p.to_doc()))
                .collect(),
        }
    }

    /// The project, created empty on first use.
    pub fn project_mut(&mut self, project_id: &str) -> &mut Project {
        self.projects.entry(project_id.to_string()).or_default()
    }
}

impl Project {
    fn from_doc(doc: ProjectDoc) -> Result<Project, String> {
        let mut project = Project::default();
        for service in doc.services {
            let mut seen = BTreeSet::new();
            for api in &service.apis {
                if !seen.insert(api.api_id.clone()) {
                    return Err(format!("duplicate api {}", api.api_id));
                }
            }
            if project.services.contains_key(&service.service_id) {
                return Err(format!("duplicate service {}", service.service_id));
            }
            project.services.insert(service.service_id.clone(), service);
        }
        for mut app in doc.apps {
            if app.app_key.is_empty() {
                app.app_key = new_id();
            }
            if app.app_secret.is_empty() {
                app.app_secret = new_id();
            }
            if project.apps.contains_key(&app.app_id) {
                return Err(format!("duplicate app {}", app.app_id));
            }
            project.apps.insert(app.app_id.clone(), app);
        }
        for auth in doc.authorizations {
            let api = project
                .api(&auth.service_id, &auth.api_id)
                .ok_or_else(|| format!("authorization names unknown api {}", auth.api_id))?;
            let app = project
                .apps
                .get(&auth.app_id)
                .ok_or_else(|| format!("authorization names unknown app {}", auth.app_id))?;
            if api.workspace_id != auth.workspace_id || app.workspace_id != auth.workspace_id {
                return Err(format!(
                    "authorization of api {} to app {} is not in the workspace of both",
                    auth.api_id, auth.app_id
                ));
            }
            let auth_id = if auth.auth_id.is_empty() {
                new_id()
            } else {
                auth.auth_id
            };
            let fresh = Authorization {
                auth_id,
                hidden_reads: 0,
            };
            project
                .auths
                .insert((auth.service_id, auth.api_id), &auth.app_id, fresh);
        }
        Ok(project)
    }

    fn to_doc(&self) -> ProjectDoc {
        let mut authorizations = Vec::new();
        for ((service_id, api_id), apps) in self.auths.by_api() {
            let workspace_id = self
                .api(service_id, api_id)
                .map_or_else(default_workspace, |a| a.workspace_id.clone());
            for (app_id, auth) in apps {
                authorizations.push(AuthorizationDoc {
                    service_id: service_id.clone(),
                    api_id: api_id.clone(),
                    app_id: app_id.clone(),
                    workspace_id: workspace_id.clone(),
                    auth_id: auth.auth_id.clone(),
                });
            }
        }
        ProjectDoc {
            services: self.services.values().cloned().collect(),
            apps: self.apps.values().cloned().collect(),
            authorizations,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Documents with dangling or duplicate references are refused with a reason.
    #[test]
    fn inconsistent_documents_are_refused() {
        let api = json!({"service_id": "s", "apis": [{"api_id": "a"}]});
        let cases = [
            (
                "unknown app",
                json!({"services": [api], "authorizations":
                [{"service_id": "s", "api_id": "a", "app_id": "x"}]}),
                "unknown app",
            ),
            (
                "unknown api",
                json!({"apps": [{"app_id": "x"}], "authorizations":
                [{"service_id": "s", "api_id": "a", "app_id": "x"}]}),
                "unknown api",
            ),
            (
                "duplicate app",
                json!({"apps": [{"app_id": "x"}, {"app_id": "x"}]}),
                "duplicate",
            ),
            (
                "other workspace",
                json!({"services": [api], "apps":
                [{"app_id": "x", "workspace_id": "w"}], "authorizations":
                [{"service_id": "s", "api_id": "a", "app_id": "x"}]}),
                "workspace",
            ),
        ];
        for (name, project, needle) in cases {
            let doc: WorldDoc =
                serde_json::from_value(json!({"projects": {"p": project}})).unwrap();
            let err = World::from_doc(doc).unwrap_err();
            assert!(err.contains(needle), "{name}: {err}");
        }
    }

    /// A document survives a load and a dump unchanged apart from generated keys.
    #[test]
    fn documents_round_trip() {
        let doc: WorldDoc = serde_json::from_value(json!({"projects": {"p": {
            "services": [{"service_id": "s", "service_name": "n", "apis":
                [{"api_id": "a", "api_name": "n", "auth_type": "APP", "workspace_id": "0"}]}],
            "apps": [{"app_id": "x", "app_name": "x", "app_key": "k", "app_secret": "s",
                "workspace_id": "0"}],
            "authorizations": [{"service_id": "s", "api_id": "a", "app_id": "x",
                "workspace_id": "0", "auth_id": "i"}]}}}))
        .unwrap();
        assert_eq!(World::from_doc(doc.clone()).unwrap().to_doc(), doc);
    }
}
