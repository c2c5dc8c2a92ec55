//! End to end with the real Terraform: a service whose reads lag behind its writes. The
//! refresh right after an apply waits for the apps it just authorized instead of showing
//! them as missing, and never hides an app that is really gone.

mod support;

use base64::Engine;
use serde_json::{json, Value};
use support::emulator::Emulator;
use support::terraform::calls::{self, Operation};
use support::terraform::checks::{app_ids_of, fixture, set, sorted};
use support::terraform::{hcl, world, Workspace};

const ADDRESS: &str = "modelarts_app_auth_api.t";
const AB: [&str; 2] = ["app-a", "app-b"];
const ABC: [&str; 3] = ["app-a", "app-b", "app-c"];

/// How many reads of an API after an authorization still do not show it: the first
/// read of the next refresh and the first re-read.
const LAG: u32 = 2;

/// The reads of api-1 the emulator logged since the last clear.
fn reads_of_api(emulator: &Emulator) -> Vec<calls::Call> {
    calls::of(emulator, Operation::ListRelations)
        .into_iter()
        .filter(|c| c.api_id() == Some("api-1"))
        .collect()
}

/// Runs a plan that must find no changes, and returns how many times it read api-1.
fn plan_without_changes(emulator: &Emulator, workspace: &Workspace) -> usize {
    emulator.clear_calls();
    workspace.assert_no_changes();
    let reads = reads_of_api(emulator);
    assert!(calls::writes(emulator).is_empty(), "plans never write");
    reads.len()
}

/// The private state Terraform stores for the resource, decoded (null when none).
fn stored_private(workspace: &Workspace) -> Value {
    let state: Value = serde_json::from_str(&workspace.state_file()).expect("a state file");
    let Some(encoded) = state
        .pointer("/resources/0/instances/0/private")
        .and_then(Value::as_str)
    else {
        return Value::Null;
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .expect("private is base64");
    rmp_serde::from_slice(&bytes).expect("private is MessagePack")
}

/// Terraform keeps the record an apply returns, and a refresh that sees the apps
/// clears it.
#[test]
fn the_record_is_stored_by_apply_and_cleared_by_a_refresh() {
    let (_emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &AB));

    workspace.apply();

    let private = stored_private(&workspace);
    assert_eq!(private["app_ids"], json!(AB), "{private}");
    workspace.run_ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);
    assert_eq!(stored_private(&workspace), Value::Null);
}

/// A plan right after a create, while reads still hide the new apps, finds no changes:
/// its refresh reads the API again until the apps appear.
#[test]
fn a_plan_right_after_a_create_waits_for_lagging_reads() {
    let (emulator, workspace) = fixture();
    emulator.put_settings(&json!({ "read_lag_reads": LAG }));
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));

    workspace.apply();

    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
    let reads = plan_without_changes(&emulator, &workspace);
    assert_eq!(reads, LAG as usize + 1, "hidden twice, then shown");
    let values = workspace.resource(ADDRESS).expect("in the state");
    assert_eq!(app_ids_of(&values), sorted(&ABC));
}

/// The same after an update that adds an app: the plan waits for the new app, and
/// the apps authorized long before are not waited for again.
#[test]
fn a_plan_right_after_an_update_waits_for_the_added_app() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &AB));
    workspace.apply();
    emulator.put_settings(&json!({ "read_lag_reads": LAG }));
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));

    emulator.clear_calls();
    workspace.apply();

    let writes = calls::writes(&emulator);
    assert_eq!(writes.len(), 1, "{}", calls::describe(&writes));
    assert_eq!(writes[0].app_ids, ["app-c"], "only the new app is sent");
    let reads = plan_without_changes(&emulator, &workspace);
    assert_eq!(reads, LAG as usize + 1, "hidden twice, then shown");
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
}

/// An app cancelled behind Terraform's back right after the apply still shows as
/// drift: the refresh re-reads while the grace window lasts, then believes the service.
#[test]
fn an_app_cancelled_right_after_the_apply_is_still_drift() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
    workspace.apply();
    world::cancel_outside(&emulator, "api-1", &["app-b"]);
    emulator.clear_calls();

    let plan = workspace.assert_plan_exit_code(2);

    let reads = reads_of_api(&emulator);
    assert!(
        reads.len() > 1,
        "the refresh waited for app-b before believing it gone: {}",
        calls::describe(&reads)
    );
    let added: Vec<&str> = plan
        .stdout
        .lines()
        .filter(|line| line.trim_start().starts_with('+'))
        .collect();
    assert!(
        added.iter().any(|line| line.contains("\"app-b\"")),
        "the plan authorizes app-b again: {plan}"
    );
    assert!(calls::writes(&emulator).is_empty(), "plans never write");
}
