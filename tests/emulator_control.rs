//! The emulator's control API and process contract: state, calls, faults, settings,
//! persistence across restarts and a clean stop on signals.

mod support;

use serde_json::json;
use support::emulator::{Emulator, TEST_PROJECT};

/// A seeded world comes back from the control API with its authorizations.
#[test]
fn seeded_world_round_trips_through_the_control_api() {
    let emulator = Emulator::start();
    emulator.seed_simple(&[("svc-1", &["api-1"])], &["app-1", "app-2"]);
    let mut state = emulator.state();
    state["projects"][TEST_PROJECT]["authorizations"] = json!([{"service_id": "svc-1",
        "api_id": "api-1", "app_id": "app-2", "workspace_id": "0", "auth_id": "a1"}]);
    emulator.put_state(&state);
    assert_eq!(emulator.state(), state);
    let apps = emulator.authorized_apps("svc-1", "api-1", "0");
    assert_eq!(apps.into_iter().collect::<Vec<_>>(), ["app-2"]);
}
