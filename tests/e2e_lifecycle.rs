//! End to end with the real Terraform: create, re-plan, update, replace and destroy a
//! `modelarts_app_auth_api`, checking both Terraform's view and the emulator's call log.

mod support;

use serde_json::Value;
use support::emulator::TEST_PROJECT;
use support::terraform::calls::{self, Operation};
use support::terraform::checks::{
    app_ids_of, assert_common_state, fixture, planned_change, set, sorted,
};
use support::terraform::world;
use support::terraform::{hcl, Workspace};

const ADDRESS: &str = "modelarts_app_auth_api.t";

/// The common configuration of the acceptance cases, with `apps`.
fn common(apps: &[&str]) -> String {
    hcl::auth_api("t", "svc-1", "api-1", apps)
}

/// The actions of the one resource change in a saved plan.
fn planned_actions(plan: &Value) -> Vec<String> {
    planned_change(plan, ADDRESS)["change"]["actions"]
        .as_array()
        .expect("actions is a list")
        .iter()
        .map(|a| a.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Applying the common configuration authorizes exactly a, b and c in one call with
/// the token, records the documented ID, and the next plan writes nothing.
#[test]
fn create_authorizes_the_listed_apps_and_the_next_plan_is_empty() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&common(&["app-a", "app-b", "app-c"]));

    workspace.apply();

    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-a", "app-b", "app-c"])
    );
    let log = calls::calls(&emulator);
    let writes: Vec<_> = log.iter().filter(|c| c.is_write()).cloned().collect();
    assert_eq!(writes.len(), 1, "one write: {}", calls::describe(&log));
    let authorize = &writes[0];
    assert_eq!(authorize.operation(), Operation::Authorize);
    assert_eq!(authorize.service_id(), Some("svc-1"));
    assert_eq!(authorize.api_id(), Some("api-1"));
    assert_eq!(authorize.workspace_id, "0");
    assert_eq!(authorize.app_ids, sorted(&["app-a", "app-b", "app-c"]));
    assert_eq!(authorize.status, 200);
    for call in &log {
        assert_eq!(call.auth, "token", "token credentials: {}", call.brief());
        assert_eq!(call.project_id(), Some(TEST_PROJECT), "{}", call.brief());
    }

    let values = workspace
        .resource(ADDRESS)
        .expect("the resource is in state");
    assert_common_state(&values, &["app-a", "app-b", "app-c"]);

    emulator.clear_calls();
    workspace.assert_no_changes();
    let log = calls::calls(&emulator);
    assert!(
        log.iter().all(|c| !c.is_write()),
        "a plan never writes: {}",
        calls::describe(&log)
    );
    assert!(
        log.iter().all(|c| c.service_id() == Some("svc-1")),
        "the refresh reads only svc-1: {}",
        calls::describe(&log)
    );
    let again = workspace.resource(ADDRESS).expect("still in state");
    assert_eq!(
        again["id"], "svc-1/api-1",
        "the ID is stable across refreshes"
    );
}

/// Destroy cancels exactly the apps the resource owns, in one call, and leaves the
/// state and the API empty.
#[test]
fn destroy_cancels_the_owned_apps_and_empties_the_state() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&common(&["app-a", "app-b", "app-c"]));
    workspace.apply();
    emulator.clear_calls();

    workspace.destroy();

    let writes = calls::writes(&emulator);
    assert_eq!(writes.len(), 1, "one cancel: {}", calls::describe(&writes));
    assert_eq!(writes[0].operation(), Operation::Cancel);
    assert_eq!(writes[0].api_id(), Some("api-1"));
    assert_eq!(writes[0].app_ids, sorted(&["app-a", "app-b", "app-c"]));
    assert!(emulator.authorized_apps("svc-1", "api-1", "0").is_empty());
    assert!(workspace.state_list().is_empty(), "nothing left in state");
    workspace.assert_plan_exit_code(2);
}

/// Reordering the set or repeating an app changes nothing: no diff, no write, no
/// "inconsistent result" error.
#[test]
fn order_and_duplicates_are_not_changes() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&common(&["app-c", "app-a", "app-b"]));
    workspace.apply();
    workspace.assert_no_changes();

    for apps in [
        &["app-c", "app-a", "app-b", "app-a"][..],
        &["app-a", "app-b", "app-c"][..],
    ] {
        workspace.write_main(&common(apps));
        emulator.clear_calls();
        workspace.assert_no_changes();
        let output = workspace.apply();
        assert!(
            !output.text().contains("inconsistent"),
            "no inconsistent result: {output}"
        );
        let writes = calls::writes(&emulator);
        assert!(writes.is_empty(), "no write: {}", calls::describe(&writes));
    }
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-a", "app-b", "app-c"])
    );
}

/// Going from {a, b, c} to {b, c, d} authorizes only d and cancels only a.
#[test]
fn an_update_authorizes_only_added_and_cancels_only_removed_apps() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&common(&["app-a", "app-b", "app-c"]));
    workspace.apply();

    workspace.write_main(&common(&["app-b", "app-c", "app-d"]));
    assert_eq!(planned_actions(&workspace.saved_plan(&[])), ["update"]);
    emulator.clear_calls();
    workspace.apply();

    let writes = calls::writes(&emulator);
    assert_eq!(writes.len(), 2, "two writes: {}", calls::describe(&writes));
    assert_eq!(
        calls::apps_sent(&writes, Operation::Authorize, "api-1"),
        ["app-d"]
    );
    assert_eq!(
        calls::apps_sent(&writes, Operation::Cancel, "api-1"),
        ["app-a"]
    );
    assert!(writes
        .iter()
        .all(|c| c.service_id() == Some("svc-1") && c.status == 200));
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-b", "app-c", "app-d"])
    );
    let values = workspace.resource(ADDRESS).expect("in state");
    assert_eq!(app_ids_of(&values), sorted(&["app-b", "app-c", "app-d"]));
    workspace.assert_no_changes();
}

/// Checks one identity change: the plan replaces, the old API's apps are cancelled
/// and the new API authorized, nothing else is written.
fn assert_identity_change_replaces(
    workspace: &Workspace,
    emulator: &support::emulator::Emulator,
    before: (&str, &str),
    after: (&str, &str),
) {
    let apps = ["app-a", "app-b", "app-c"];
    workspace.write_main(&hcl::auth_api("t", before.0, before.1, &apps));
    workspace.apply();

    workspace.write_main(&hcl::auth_api("t", after.0, after.1, &apps));
    let actions = planned_actions(&workspace.saved_plan(&[]));
    assert_eq!(actions, ["delete", "create"], "the change replaces");
    emulator.clear_calls();
    workspace.apply();

    let writes = calls::writes(emulator);
    assert_eq!(
        writes.len(),
        2,
        "cancel old, authorize new: {}",
        calls::describe(&writes)
    );
    let cancel = writes
        .iter()
        .find(|c| c.operation() == Operation::Cancel)
        .expect("a cancel");
    assert_eq!(
        (cancel.service_id(), cancel.api_id()),
        (Some(before.0), Some(before.1))
    );
    assert_eq!(cancel.app_ids, sorted(&apps));
    let grant = writes
        .iter()
        .find(|c| c.operation() == Operation::Authorize)
        .expect("a grant");
    assert_eq!(
        (grant.service_id(), grant.api_id()),
        (Some(after.0), Some(after.1))
    );
    assert_eq!(grant.app_ids, sorted(&apps));
    assert!(emulator.authorized_apps(before.0, before.1, "0").is_empty());
    assert_eq!(emulator.authorized_apps(after.0, after.1, "0"), set(&apps));
    let values = workspace.resource(ADDRESS).expect("in state");
    assert_eq!(values["id"], format!("{}/{}", after.0, after.1));
    workspace.assert_no_changes();
}

/// Changing `api_id` replaces the resource: api-1's apps cancelled, api-2 authorized.
#[test]
fn changing_api_id_replaces_the_authorization() {
    let (emulator, workspace) = fixture();
    assert_identity_change_replaces(
        &workspace,
        &emulator,
        ("svc-1", "api-1"),
        ("svc-1", "api-2"),
    );
}

/// Changing `service_id` replaces the resource: svc-1's API cancelled, svc-2's authorized.
#[test]
fn changing_service_id_replaces_the_authorization() {
    let (emulator, workspace) = fixture();
    assert_identity_change_replaces(
        &workspace,
        &emulator,
        ("svc-1", "api-1"),
        ("svc-2", "api-1"),
    );
}

/// Changing `workspace_id` forces replacement, and moving to an API of another
/// workspace cancels in the old workspace and authorizes in the new one.
#[test]
fn changing_workspace_id_replaces_the_authorization() {
    let emulator = support::emulator::Emulator::start();
    world::workspace_two()
        .service("0", "svc-1", &["api-1"])
        .apps("0", &["app-a", "app-b"])
        .load(&emulator);
    let workspace = Workspace::new(&emulator);
    workspace.write_main(&common(&["app-a", "app-b"]));
    workspace.apply();

    workspace.write_main(&hcl::auth_api_in(
        "ws-2",
        "t",
        "svc-1",
        "api-1",
        &["app-a", "app-b"],
    ));
    let plan = workspace.plan();
    assert_eq!(plan.code, 2, "{plan}");
    let line = plan
        .stdout
        .lines()
        .find(|l| l.contains("workspace_id") && l.contains("ws-2"))
        .unwrap_or_else(|| panic!("the plan shows workspace_id: {plan}"));
    assert!(line.contains("forces replacement"), "{line}");

    workspace.write_main(&hcl::auth_api_in(
        "ws-2",
        "t",
        "svc-9",
        "api-9",
        &["app-w1"],
    ));
    emulator.clear_calls();
    workspace.apply();

    let writes = calls::writes(&emulator);
    assert_eq!(writes.len(), 2, "{}", calls::describe(&writes));
    let cancel = writes
        .iter()
        .find(|c| c.operation() == Operation::Cancel)
        .expect("a cancel");
    assert_eq!(
        (cancel.api_id(), cancel.workspace_id.as_str()),
        (Some("api-1"), "0")
    );
    let grant = writes
        .iter()
        .find(|c| c.operation() == Operation::Authorize)
        .expect("a grant");
    assert_eq!(
        (grant.api_id(), grant.workspace_id.as_str()),
        (Some("api-9"), "ws-2")
    );
    assert!(emulator.authorized_apps("svc-1", "api-1", "0").is_empty());
    assert_eq!(
        emulator.authorized_apps("svc-9", "api-9", "ws-2"),
        set(&["app-w1"])
    );
    let values = workspace.resource(ADDRESS).expect("in state");
    assert_eq!(values["id"], "ws-2/svc-9/api-9");
    assert_eq!(values["workspace_id"], "ws-2");
    workspace.assert_no_changes();

    emulator.clear_calls();
    workspace.destroy();
    let writes = calls::writes(&emulator);
    assert_eq!(writes.len(), 1, "{}", calls::describe(&writes));
    assert_eq!(writes[0].workspace_id, "ws-2");
    assert!(emulator
        .authorized_apps("svc-9", "api-9", "ws-2")
        .is_empty());
}
