//! End to end with the real Terraform: partial failures leave a state that says what
//! really exists, and the next apply finishes the job.

mod support;

use serde_json::{json, Value};
use support::emulator::Emulator;
use support::terraform::calls::{self, Operation};
use support::terraform::checks::{
    app_ids_of, assert_next_apply_converges, assert_state_matches_emulator, fixture,
    planned_change, set, sorted,
};
use support::terraform::{hcl, Workspace};

const ADDRESS: &str = "modelarts_app_auth_api.t";
const ABC: [&str; 3] = ["app-a", "app-b", "app-c"];

/// The emulator with `rules` in force and a workspace holding the common
/// configuration, allowed one retry.
fn common_with_faults(rules: &Value) -> (Emulator, Workspace) {
    let (emulator, workspace) = fixture();
    emulator.put_faults(rules);
    workspace.write_main(&format!(
        "{}{}",
        hcl::provider_with_few_retries(),
        hcl::auth_api("t", "svc-1", "api-1", &ABC)
    ));
    (emulator, workspace)
}

/// One app failing inside a 200 on create fails the apply naming it, keeps the apps
/// that were authorized, and the next apply adds only the missing one.
#[test]
fn one_app_failing_on_create_is_named_and_finished_next_time() {
    let (emulator, workspace) = common_with_faults(&json!([
        {"operation": "authorize", "app_id": "app-c", "times": 1,
        "fail_app_reason": "the app belongs to another user"}
    ]));

    let output = workspace.apply_json();

    assert_eq!(output.code, 1, "{output}");
    let errors = output.errors();
    assert!(
        errors.iter().any(|d| d.text().contains("app-c")),
        "names app-c: {errors:#?}"
    );
    assert!(!output.text().contains("did not respond"), "{output}");
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-a", "app-b"])
    );
    assert_state_matches_emulator(&workspace, &emulator, ADDRESS);

    // Terraform 1.0.3 taints any object whose create returned an error, so the next
    // apply replaces it: a delete, then a create on the same API. The delete leaves a
    // and b authorized for the create, which authorizes all three in one call.
    assert!(
        workspace.state_file().contains("\"status\": \"tainted\""),
        "Terraform taints a failed create"
    );
    emulator.clear_calls();
    assert_next_apply_converges(&workspace, &emulator, &ABC);
    // One authorize of the whole set, and no app loses access.
    let writes = calls::writes(&emulator);
    calls::assert_sent(&writes, "api-1", &ABC, &[]);
    assert_eq!(writes.len(), 1, "{}", calls::describe(&writes));
}

/// A refusal whose reason merely mentions "already" (a used-up quota, an app whose
/// ID holds the word) is a failure, not an "already authorized": the apply fails
/// naming both apps, and the state holds only the app the service authorized.
#[test]
fn a_refusal_that_merely_mentions_already_fails_the_apply() {
    let (emulator, workspace) = fixture();
    emulator.put_faults(&json!([{"operation": "authorize", "app_id": "app-a",
        "fail_app_reason": "app quota already used up for this API"}]));
    workspace.write_main(&format!(
        "{}{}",
        hcl::provider_with_few_retries(),
        hcl::auth_api(
            "t",
            "svc-1",
            "api-1",
            &["app-a", "app-b", "already-missing"]
        )
    ));

    let output = workspace.apply_json();

    assert_eq!(output.code, 1, "{output}");
    let errors = output.errors();
    for app in ["app-a", "already-missing"] {
        assert!(
            errors.iter().any(|d| d.text().contains(app)),
            "names {app}: {errors:#?}"
        );
    }
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-b"])
    );
    assert_state_matches_emulator(&workspace, &emulator, ADDRESS);
}

/// A 403 for the call carrying an app fails the apply with the service's answer,
/// and the next apply converges.
#[test]
fn a_refused_authorize_on_create_is_reported_and_finished_next_time() {
    let (emulator, workspace) = common_with_faults(&json!([
        {"operation": "authorize", "app_id": "app-c", "times": 1,
        "status": 403, "error_code": "ModelArts.0105"}
    ]));

    let output = workspace.apply_json();

    assert_eq!(output.code, 1, "{output}");
    let errors = output.errors();
    assert!(
        errors
            .iter()
            .any(|d| d.text().contains("403") && d.text().contains("ModelArts.0105")),
        "says what the service said: {errors:#?}"
    );
    assert_eq!(
        calls::of(&emulator, Operation::Authorize).len(),
        1,
        "403 is not retried"
    );
    assert_state_matches_emulator(&workspace, &emulator, ADDRESS);
    assert_next_apply_converges(&workspace, &emulator, &ABC);
}

/// A cancel failing with 500 on every retry fails the update, the state still holds
/// the apps that were not cancelled, and the next plan proposes removing them again.
#[test]
fn a_failing_cancel_keeps_the_apps_in_state() {
    let (emulator, workspace) = fixture();
    let provider = hcl::provider_with_few_retries();
    workspace.write_main(&format!(
        "{provider}{}",
        hcl::auth_api("t", "svc-1", "api-1", &ABC)
    ));
    workspace.apply();
    emulator.put_faults(&json!([{"operation": "cancel", "status": 500,
        "error_code": "ModelArts.0010"}]));
    let target = ["app-c", "app-d"];
    workspace.write_main(&format!(
        "{provider}{}",
        hcl::auth_api("t", "svc-1", "api-1", &target)
    ));
    emulator.clear_calls();

    let output = workspace.apply_json();

    assert_eq!(output.code, 1, "{output}");
    assert!(!output.text().contains("did not respond"), "{output}");
    let cancels = calls::of(&emulator, Operation::Cancel);
    assert_eq!(
        cancels.len(),
        2,
        "one try and one retry: {}",
        calls::describe(&cancels)
    );
    let values = workspace.resource(ADDRESS).expect("still in state");
    let in_state = app_ids_of(&values);
    assert!(
        in_state.contains(&"app-a".to_owned()),
        "a is still owned: {in_state:?}"
    );
    assert_state_matches_emulator(&workspace, &emulator, ADDRESS);

    let plan = workspace.saved_plan(&[]);
    let change = &planned_change(&plan, ADDRESS)["change"];
    assert!(
        app_ids_of(&change["before"]).contains(&"app-a".to_owned()),
        "{plan}"
    );
    assert_eq!(app_ids_of(&change["after"]), sorted(&target));
    assert_next_apply_converges(&workspace, &emulator, &target);
}
