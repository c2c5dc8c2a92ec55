//! The control API under `/_emulator/`: the world, the call log, fault rules and
//! settings, for tests and demos. It takes no credentials; bind the emulator to a
//! loopback address.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::faults::FaultRule;
use super::server::Shared;
use super::world::{World, WorldDoc};

/// Largest world document accepted: large worlds (10,000 apps is about 2.5 MB) are
/// how the emulator's performance is measured.
const MAX_DOCUMENT_BYTES: usize = 256 * 1024 * 1024;

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

async fn get_state(State(shared): State<Arc<Shared>>) -> Response {
    let doc = shared.lock().world.to_doc();
    Json(doc).into_response()
}

async fn put_state(State(shared): State<Arc<Shared>>, Json(value): Json<Value>) -> Response {
    if !value.is_object() {
        return bad_request("the world document must be a JSON object".to_string());
    }
    let doc: WorldDoc = match serde_json::from_value(value) {
        Ok(doc) => doc,
        Err(e) => return bad_request(format!("invalid world document: {e}")),
    };
    let world = match World::from_doc(doc) {
        Ok(world) => world,
        Err(e) => return bad_request(format!("invalid world document: {e}")),
    };
    let mut inner = shared.lock();
    inner.world = world;
    shared.persist(&inner.world);
    StatusCode::NO_CONTENT.into_response()
}

async fn get_calls(State(shared): State<Arc<Shared>>) -> Response {
    let calls = shared.lock().calls.clone();
    Json(calls).into_response()
}

async fn delete_calls(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.lock().calls.clear();
    StatusCode::NO_CONTENT
}

async fn get_faults(State(shared): State<Arc<Shared>>) -> Response {
    let faults = shared.lock().faults.clone();
    Json(faults).into_response()
}

async fn put_faults(State(shared): State<Arc<Shared>>, Json(value): Json<Value>) -> Response {
    let rules: Vec<FaultRule> = match serde_json::from_value(value) {
        Ok(rules) => rules,
        Err(e) => return bad_request(format!("faults must be a list of rules: {e}")),
    };
    if let Some((i, e)) = rules
        .iter()
        .enumerate()
        .find_map(|(i, r)| r.validate().err().map(|e| (i, e)))
    {
        return bad_request(format!("rule {i}: {e}"));
    }
    shared.lock().faults = rules;
    StatusCode::NO_CONTENT.into_response()
}

async fn delete_faults(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.lock().faults.clear();
    StatusCode::NO_CONTENT
}

async fn get_settings(State(shared): State<Arc<Shared>>) -> Response {
    let settings = shared.lock().settings.clone();
    Json(settings).into_response()
}

async fn put_settings(State(shared): State<Arc<Shared>>, Json(patch): Json<Value>) -> Response {
    let mut inner = shared.lock();
    match inner.settings.merge(&patch) {
        Ok(settings) => {
            inner.settings = settings.clone();
            Json(settings).into_response()
        }
        Err(e) => bad_request(e),
    }
}

/// The control API's routes.
pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_emulator/state", get(get_state).put(put_state))
        .route("/_emulator/calls", get(get_calls).delete(delete_calls))
        .route(
            "/_emulator/faults",
            get(get_faults).put(put_faults).delete(delete_faults),
        )
        .route("/_emulator/settings", get(get_settings).put(put_settings))
        .layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES))
}
