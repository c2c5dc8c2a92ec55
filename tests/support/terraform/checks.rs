//! Small checks and the common starting point the end-to-end tests share.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Workspace;
use crate::support::emulator::{Emulator, TEST_PROJECT};

/// The sorted `app_ids` of a resource's state values.
pub fn app_ids_of(values: &Value) -> Vec<String> {
    let mut ids: Vec<String> = values["app_ids"]
        .as_array()
        .unwrap_or_else(|| panic!("app_ids is not a list in {values}"))
        .iter()
        .map(|v| v.as_str().expect("app ids are strings").to_owned())
        .collect();
    ids.sort();
    ids
}

/// Sorted owned strings, for comparing sets of IDs.
pub fn sorted(ids: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    ids.sort();
    ids
}

/// Sorted owned strings as a set, the shape `Emulator::authorized_apps` returns.
pub fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// Collapses runs of whitespace, because Terraform wraps diagnostic text to 78 columns.
pub fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An emulator seeded with `svc-1` (`api-1`, `api-2`), `svc-2` (`api-1`) and the apps
/// `app-a` to `app-d` plus `app-x`, none authorized, and a workspace that reaches it
/// with the test token.
pub fn fixture() -> (Emulator, Workspace) {
    let emulator = Emulator::start();
    emulator.seed_simple(
        &[
            ("svc-1", &["api-1", "api-2"][..]),
            ("svc-2", &["api-1"][..]),
        ],
        &["app-a", "app-b", "app-c", "app-d", "app-x"],
    );
    let workspace = Workspace::new(&emulator);
    (emulator, workspace)
}

/// Fails the test unless the state's `app_ids` for `address` equal what the emulator
/// holds for that resource's API (or the resource is absent and the API holds none).
pub fn assert_state_matches_emulator(workspace: &Workspace, emulator: &Emulator, address: &str) {
    let Some(values) = workspace.resource(address) else {
        return;
    };
    let held = emulator.authorized_apps(
        values["service_id"].as_str().expect("service_id in state"),
        values["api_id"].as_str().expect("api_id in state"),
        values["workspace_id"].as_str().unwrap_or("0"),
    );
    let in_state: BTreeSet<String> = app_ids_of(&values).into_iter().collect();
    assert_eq!(
        in_state, held,
        "the state of {address} must say what the emulator holds"
    );
}

/// Clears the emulator's faults, applies, and fails unless api-1 of svc-1 then holds
/// exactly `apps`, the state of `modelarts_app_auth_api.t` says so, and the next plan
/// is empty.
pub fn assert_next_apply_converges(workspace: &Workspace, emulator: &Emulator, apps: &[&str]) {
    emulator.clear_faults();
    workspace.apply();
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(apps));
    let values = workspace
        .resource("modelarts_app_auth_api.t")
        .expect("in state");
    assert_eq!(app_ids_of(&values), sorted(apps));
    workspace.assert_no_changes();
}

/// The change to `address` in a saved plan's `show -json`, failing when there is none.
pub fn planned_change(plan: &Value, address: &str) -> Value {
    plan["resource_changes"]
        .as_array()
        .and_then(|changes| changes.iter().find(|c| c["address"] == address))
        .unwrap_or_else(|| panic!("no change for {address} in {plan}"))
        .clone()
}

/// Fails unless `values` are the state of an authorization of api-1 of svc-1 in the
/// default workspace of the test project to exactly `apps`, not exclusive.
pub fn assert_common_state(values: &Value, apps: &[&str]) {
    assert_eq!(values["id"], "svc-1/api-1", "{values}");
    assert_eq!(values["service_id"], "svc-1", "{values}");
    assert_eq!(values["api_id"], "api-1", "{values}");
    assert_eq!(values["workspace_id"], "0", "{values}");
    assert_eq!(values["project_id"], TEST_PROJECT, "{values}");
    assert_eq!(values["exclusive"], false, "{values}");
    assert_eq!(app_ids_of(values), sorted(apps), "{values}");
}
