//! Changes the emulator's world behind Terraform's back, and builds worlds that
//! `seed_simple` cannot express (several workspaces, existing authorizations).

use serde_json::{json, Value};

use crate::support::emulator::{Emulator, TEST_PROJECT};

/// A world document for `PUT /_emulator/state`, in the test project.
#[derive(Default)]
pub struct World {
    services: Vec<Value>,
    apps: Vec<Value>,
    authorizations: Vec<Value>,
}

impl World {
    /// An empty world.
    pub fn new() -> World {
        World::default()
    }

    /// Adds a service in `workspace_id` whose APIs all use app authentication.
    pub fn service(mut self, workspace_id: &str, service_id: &str, api_ids: &[&str]) -> World {
        let apis: Vec<Value> = api_ids
            .iter()
            .map(|api_id| {
                json!({"api_id": api_id, "api_name": format!("name-{api_id}"),
                       "auth_type": "APP", "workspace_id": workspace_id})
            })
            .collect();
        self.services.push(json!({"service_id": service_id,
            "service_name": format!("name-{service_id}"), "apis": apis}));
        self
    }

    /// Adds apps in `workspace_id`.
    pub fn apps(mut self, workspace_id: &str, app_ids: &[&str]) -> World {
        self.apps.extend(
            app_ids
                .iter()
                .map(|app_id| app(workspace_id, app_id, "secret")),
        );
        self
    }

    /// Adds one app with a chosen app secret.
    pub fn app_with_secret(mut self, workspace_id: &str, app_id: &str, secret: &str) -> World {
        self.apps.push(app(workspace_id, app_id, secret));
        self
    }

    /// Authorizes apps to an API before Terraform runs.
    pub fn authorized(mut self, ws: &str, service_id: &str, api_id: &str, apps: &[&str]) -> World {
        self.authorizations.extend(
            apps.iter()
                .map(|a| authorization(ws, service_id, api_id, a)),
        );
        self
    }

    /// Loads the world into the emulator, replacing what it held.
    pub fn load(self, emulator: &Emulator) {
        emulator.put_state(&json!({"projects": {TEST_PROJECT: {
            "services": self.services, "apps": self.apps,
            "authorizations": self.authorizations}}}));
    }
}

/// A new emulator holding `svc-1` with its API `api-1` and the apps `app_ids`, all in
/// the default workspace, none authorized.
pub fn one_api(app_ids: &[&str]) -> Emulator {
    let emulator = Emulator::start();
    World::new()
        .service("0", "svc-1", &["api-1"])
        .apps("0", app_ids)
        .load(&emulator);
    emulator
}

/// A world with service `svc-9` and its API `api-9` and the app `app-w1`, all in the
/// workspace `ws-2`, where an authorization carries the workspace in its ID.
pub fn workspace_two() -> World {
    World::new()
        .service("ws-2", "svc-9", &["api-9"])
        .apps("ws-2", &["app-w1"])
}

fn app(workspace_id: &str, app_id: &str, secret: &str) -> Value {
    json!({"app_id": app_id, "app_name": format!("name-{app_id}"),
           "app_key": format!("key-{app_id}"), "app_secret": secret,
           "workspace_id": workspace_id})
}

fn authorization(workspace_id: &str, service_id: &str, api_id: &str, app_id: &str) -> Value {
    json!({"service_id": service_id, "api_id": api_id, "app_id": app_id,
           "workspace_id": workspace_id, "auth_id": format!("auth-{api_id}-{app_id}")})
}

/// Applies `change` to the test project of the emulator's world.
pub fn edit(emulator: &Emulator, change: impl FnOnce(&mut Value)) {
    let mut state = emulator.state();
    let project = state
        .pointer_mut(&format!("/projects/{TEST_PROJECT}"))
        .expect("the emulator holds the test project");
    change(project);
    emulator.put_state(&state);
}

fn retain(project: &mut Value, list: &str, keep: impl Fn(&Value) -> bool) {
    if let Some(items) = project[list].as_array_mut() {
        items.retain(|item| keep(item));
    }
}

/// Cancels apps' authorizations to an API (any workspace) outside Terraform.
pub fn cancel_outside(emulator: &Emulator, api_id: &str, app_ids: &[&str]) {
    edit(emulator, |project| {
        retain(project, "authorizations", |a| {
            !(a["api_id"] == api_id && app_ids.iter().any(|id| a["app_id"] == *id))
        })
    });
}

/// Authorizes an app to an API in the default workspace outside Terraform.
pub fn authorize_outside(emulator: &Emulator, service_id: &str, api_id: &str, app_id: &str) {
    edit(emulator, |project| {
        let entry = authorization("0", service_id, api_id, app_id);
        project["authorizations"]
            .as_array_mut()
            .expect("authorizations is a list")
            .push(entry);
    });
}

/// Deletes an API and its authorizations outside Terraform.
pub fn delete_api(emulator: &Emulator, service_id: &str, api_id: &str) {
    edit(emulator, |project| {
        if let Some(services) = project["services"].as_array_mut() {
            for service in services
                .iter_mut()
                .filter(|s| s["service_id"] == service_id)
            {
                if let Some(apis) = service["apis"].as_array_mut() {
                    apis.retain(|api| api["api_id"] != api_id);
                }
            }
        }
        retain(project, "authorizations", |a| a["api_id"] != api_id);
    });
}

/// Deletes a whole service, its APIs and their authorizations outside Terraform.
pub fn delete_service(emulator: &Emulator, service_id: &str) {
    edit(emulator, |project| {
        retain(project, "services", |s| s["service_id"] != service_id);
        retain(project, "authorizations", |a| a["service_id"] != service_id);
    });
}

/// Deletes an app and its authorizations outside Terraform.
pub fn delete_app(emulator: &Emulator, app_id: &str) {
    edit(emulator, |project| {
        retain(project, "apps", |a| a["app_id"] != app_id);
        retain(project, "authorizations", |a| a["app_id"] != app_id);
    });
}
