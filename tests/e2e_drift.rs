//! End to end with the real Terraform: the cloud changes behind Terraform's back
//! (apps cancelled or authorized, APIs, services and apps deleted) and plan, refresh,
//! apply and destroy show and repair the truth.

mod support;

use serde_json::{json, Value};
use support::emulator::Emulator;
use support::terraform::calls::{self, Operation};
use support::terraform::checks::{app_ids_of, fixture, planned_change, set, sorted};
use support::terraform::world;
use support::terraform::{hcl, Workspace};

const ADDRESS: &str = "modelarts_app_auth_api.t";
const ABC: [&str; 3] = ["app-a", "app-b", "app-c"];

/// The emulator and workspace after the common configuration was applied.
fn applied_common() -> (Emulator, Workspace) {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
    workspace.apply();
    emulator.clear_calls();
    (emulator, workspace)
}

/// The `app_ids` of one side ("before" or "after") of the resource's change.
fn planned_app_ids(plan: &Value, side: &str) -> Vec<String> {
    app_ids_of(&planned_change(plan, ADDRESS)["change"][side])
}

/// The `app_ids` Terraform saw in the cloud during a refresh-only plan.
fn refreshed_app_ids(plan: &Value) -> Vec<String> {
    let resources = plan
        .pointer("/prior_state/values/root_module/resources")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("a prior state: {plan}"));
    let resource = resources
        .iter()
        .find(|r| r["address"] == ADDRESS)
        .expect("in prior state");
    app_ids_of(&resource["values"])
}

/// An app cancelled outside Terraform shows as missing in both a plan and a
/// refresh-only plan, and apply authorizes only that app.
#[test]
fn an_app_cancelled_outside_terraform_is_shown_and_restored_alone() {
    let (emulator, workspace) = applied_common();
    world::cancel_outside(&emulator, "api-1", &["app-b"]);

    workspace.assert_plan_exit_code(2);
    let plan = workspace.saved_plan(&[]);
    assert_eq!(
        planned_app_ids(&plan, "before"),
        sorted(&["app-a", "app-c"])
    );
    assert_eq!(planned_app_ids(&plan, "after"), sorted(&ABC));
    let refresh = workspace.saved_plan(&["-refresh-only"]);
    assert_eq!(refreshed_app_ids(&refresh), sorted(&["app-a", "app-c"]));
    let refresh_exit = workspace.run(&[
        "plan",
        "-refresh-only",
        "-detailed-exitcode",
        "-input=false",
        "-no-color",
    ]);
    assert_eq!(
        refresh_exit.code, 2,
        "the refresh-only plan reports drift: {refresh_exit}"
    );
    assert!(calls::writes(&emulator).is_empty(), "plans never write");

    workspace.apply();

    let writes = calls::writes(&emulator);
    assert_eq!(writes.len(), 1, "{}", calls::describe(&writes));
    assert_eq!(writes[0].operation(), Operation::Authorize);
    assert_eq!(writes[0].app_ids, ["app-b"]);
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
    workspace.assert_no_changes();
}

/// With every app cancelled outside Terraform, planning is not an error and apply
/// restores all three.
#[test]
fn every_app_cancelled_outside_terraform_is_restored() {
    let (emulator, workspace) = applied_common();
    world::cancel_outside(&emulator, "api-1", &ABC);

    let plan = workspace.plan_json();
    assert_eq!(plan.code, 2, "{plan}");
    assert!(plan.errors().is_empty(), "no error at plan time: {plan}");
    workspace.apply();

    let writes = calls::writes(&emulator);
    assert!(writes.iter().all(|c| c.operation() == Operation::Authorize));
    assert_eq!(
        calls::apps_sent(&writes, Operation::Authorize, "api-1"),
        sorted(&ABC)
    );
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
    workspace.assert_no_changes();
}

/// Checks that after `delete` the plan warns and proposes to create the resource,
/// and that destroy succeeds without writing.
fn assert_gone_is_warned_and_destroy_succeeds(delete: impl FnOnce(&Emulator)) {
    let (emulator, workspace) = applied_common();
    delete(&emulator);

    let plan = workspace.plan_json();

    assert_eq!(plan.code, 2, "the plan proposes to create it again: {plan}");
    assert!(plan.errors().is_empty(), "a warning, not an error: {plan}");
    let warnings: Vec<_> = plan
        .diagnostics()
        .into_iter()
        .filter(|d| d.severity == "warning" && d.address.as_deref() == Some(ADDRESS))
        .collect();
    assert!(
        warnings
            .iter()
            .any(|d| d.text().contains("api-1") || d.text().contains("svc-1")),
        "a warning names what disappeared: {warnings:#?}"
    );
    let saved = workspace.saved_plan(&[]);
    let actions = planned_change(&saved, ADDRESS)["change"]["actions"].clone();
    assert_eq!(actions, json!(["create"]), "{saved}");
    workspace.destroy();
    let writes = calls::writes(&emulator);
    assert!(
        writes.is_empty(),
        "nothing to cancel: {}",
        calls::describe(&writes)
    );
    assert!(workspace.state_list().is_empty());
}

/// An API deleted outside Terraform drops from state with a warning; destroy succeeds.
#[test]
fn an_api_deleted_outside_terraform_is_dropped_with_a_warning() {
    assert_gone_is_warned_and_destroy_succeeds(|e| world::delete_api(e, "svc-1", "api-1"));
}

/// A service deleted outside Terraform drops from state with a warning; destroy succeeds.
#[test]
fn a_service_deleted_outside_terraform_is_dropped_with_a_warning() {
    assert_gone_is_warned_and_destroy_succeeds(|e| world::delete_service(e, "svc-1"));
}

/// Destroy succeeds when an app was deleted outside Terraform, with and without a
/// refresh first: the other apps are cancelled, the gone one counts as done.
#[test]
fn destroy_succeeds_when_an_app_is_already_gone() {
    for refresh in ["-refresh=true", "-refresh=false"] {
        let (emulator, workspace) = applied_common();
        world::delete_app(&emulator, "app-b");

        let output = workspace.run(&[
            "destroy",
            "-auto-approve",
            "-input=false",
            "-no-color",
            refresh,
        ]);

        assert_eq!(output.code, 0, "{refresh}: {output}");
        let writes = calls::writes(&emulator);
        let cancelled = calls::apps_sent(&writes, Operation::Cancel, "api-1");
        assert!(
            cancelled.contains(&"app-a".to_owned()) && cancelled.contains(&"app-c".to_owned()),
            "{refresh}: a and c cancelled: {}",
            calls::describe(&writes)
        );
        assert!(writes.iter().all(|c| c.operation() == Operation::Cancel));
        assert!(emulator.authorized_apps("svc-1", "api-1", "0").is_empty());
        assert!(
            workspace.state_list().is_empty(),
            "{refresh}: state is empty"
        );
    }
}

/// Applying apps of which one is already authorized succeeds without a loop of
/// conflicts, whether the service answers success or failure for it.
#[test]
fn authorizing_an_app_that_already_is_succeeds() {
    for answer in ["success", "failure"] {
        let (emulator, workspace) = fixture();
        emulator.put_settings(&json!({"already_authorized": answer}));
        world::authorize_outside(&emulator, "svc-1", "api-1", "app-b");
        workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));

        let output = workspace.apply();

        let grants = calls::of(&emulator, Operation::Authorize);
        assert!(
            !grants.is_empty() && grants.len() <= 2,
            "{answer}: no loop of retries: {}\n{output}",
            calls::describe(&grants)
        );
        assert_eq!(
            emulator.authorized_apps("svc-1", "api-1", "0"),
            set(&ABC),
            "{answer}"
        );
        let values = workspace.resource(ADDRESS).expect("in state");
        assert_eq!(app_ids_of(&values), sorted(&ABC), "{answer}");
        workspace.assert_no_changes();
    }
}

/// `apply -refresh-only` drops an API deleted outside Terraform from the state with a
/// warning and without writing.
#[test]
fn a_refresh_only_apply_drops_a_deleted_api_with_a_warning() {
    let (emulator, workspace) = applied_common();
    world::delete_api(&emulator, "svc-1", "api-1");

    let output = workspace.apply_json_with(&["-refresh-only"]);

    assert_eq!(output.code, 0, "{output}");
    let warnings: Vec<_> = output
        .diagnostics()
        .into_iter()
        .filter(|d| d.severity == "warning" && d.address.as_deref() == Some(ADDRESS))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning for the resource: {output}");
    assert!(workspace.state_list().is_empty(), "dropped from state");
    assert!(calls::writes(&emulator).is_empty());
}

/// A whole workspace removed outside Terraform: the plan warns and proposes to create
/// the resource again, and destroy succeeds.
#[test]
fn a_workspace_removed_outside_terraform_is_dropped_with_a_warning() {
    let emulator = Emulator::start();
    world::workspace_two().load(&emulator);
    let workspace = Workspace::new(&emulator);
    workspace.write_main(&hcl::auth_api_in(
        "ws-2",
        "t",
        "svc-9",
        "api-9",
        &["app-w1"],
    ));
    workspace.apply();
    world::World::new().load(&emulator);
    emulator.clear_calls();

    let plan = workspace.plan_json();

    assert_eq!(plan.code, 2, "the plan proposes to create it again: {plan}");
    assert!(plan.errors().is_empty(), "a warning, not an error: {plan}");
    assert!(
        plan.diagnostics()
            .iter()
            .any(|d| d.severity == "warning" && d.address.as_deref() == Some(ADDRESS)),
        "{plan}"
    );
    workspace.destroy();
    assert!(calls::writes(&emulator).is_empty());
    assert!(workspace.state_list().is_empty());
}
