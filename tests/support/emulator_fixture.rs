//! A small world built from the API reference's example ids, shared by the emulator
//! tests: one service with an APP, an IAM and a workspace API, a service without
//! APIs, and apps in two workspaces.

use serde_json::{json, Value};

use super::emulator::{Emulator, TEST_PROJECT};

pub const SERVICE: &str = "2bc4b2d5-8d37-4ae3-a0e9-0c6b3b4ef8c1";
pub const BARE_SERVICE: &str = "7f0a7f61-31b5-4c53-9d2e-0d9b1b1fd5a0";
pub const API: &str = "logic-api-fe84e858-49ec-41c6-80d7-a34fc22435c2";
pub const IAM_API: &str = "logic-api-0c2c7f8e-6b1e-4a43-9f0b-7a3a8e1c2d4f";
pub const WS_API: &str = "logic-api-5d1b2f7c-8e9a-4b3c-a2d1-e0f9c8b7a6d5";
pub const APP_1: &str = "e2fb64be3be9418bb0f570c60f0ed93f";
pub const APP_2: &str = "fb1a9eadd87b48abbd74b8ba1755dffd";
pub const APP_3: &str = "logic-app-ce0d0a41-451d-4563-94d9-acc75b5e440f";
pub const WS_APP: &str = "logic-app-9b9acb40-6df6-4623-9f87-e0dae781d867";

/// Starts an emulator holding one service with an APP API, an IAM API and an API in
/// workspace `ws-1`; a second service without APIs; three apps in the default
/// workspace and one in `ws-1`.
pub fn start_reference_world() -> Emulator {
    let emulator = Emulator::start();
    let app = |id: &str, name: &str, ws: &str, at: i64| {
        json!({"app_id": id, "app_name": name, "app_key": format!("k-{name}"),
            "app_secret": format!("s-{name}"), "workspace_id": ws, "created_at": at,
            "updated_at": at})
    };
    emulator.put_state(&json!({"projects": {TEST_PROJECT: {
        "services": [
            {"service_id": SERVICE, "service_name": "infer-demo", "apis": [
                {"api_id": API, "api_name": "infer", "auth_type": "APP", "workspace_id": "0"},
                {"api_id": IAM_API, "api_name": "iam", "auth_type": "IAM", "workspace_id": "0"},
                {"api_id": WS_API, "api_name": "ws", "auth_type": "APP", "workspace_id": "ws-1"}]},
            {"service_id": BARE_SERVICE, "service_name": "bare", "apis": []}],
        "apps": [app(APP_1, "alpha", "0", 3000), app(APP_2, "beta", "0", 1000),
            app(APP_3, "gamma", "0", 2000), app(WS_APP, "walpha", "ws-1", 500)],
        "authorizations": []}}}));
    emulator
}

/// The authorize and cancel path of an API, after `/v1/{project_id}`.
pub fn auth_path(service: &str, api: &str) -> String {
    format!("/services/{service}/app-auth-apis/{api}/app-auth-api")
}

/// An authorize or cancel body naming these apps.
pub fn apps(ids: &[&str]) -> Value {
    json!({"apps": ids.iter().map(|id| json!({"app_id": id})).collect::<Vec<_>>()})
}

/// The string at `pointer` in each element of a JSON list.
pub fn app_ids(list: &Value, pointer: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e.pointer(pointer)
                .and_then(Value::as_str)
                .unwrap()
                .to_string()
        })
        .collect()
}
