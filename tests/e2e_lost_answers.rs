//! End to end with the real Terraform: a write the service applied but whose answer
//! never arrived (the emulator's `lose_answer` fault runs it, then closes the
//! connection) is retried, and Terraform ends with the true state, whichever way the
//! service answers the retried write.

mod support;

use serde_json::json;
use support::emulator::Emulator;
use support::terraform::calls::{self, Operation};
use support::terraform::checks::{app_ids_of, fixture, set, sorted};
use support::terraform::{hcl, Output, Workspace};

const ADDRESS: &str = "modelarts_app_auth_api.t";
const ABC: [&str; 3] = ["app-a", "app-b", "app-c"];

/// The first `operation` call runs, then gets no answer.
fn lose_first_answer(emulator: &Emulator, operation: &str) {
    emulator.put_faults(&json!([{"operation": operation, "lose_answer": true, "times": 1}]));
}

/// The calls of `operation` as (status, answer lost, apps named), in order.
fn outcomes(emulator: &Emulator, operation: Operation) -> Vec<(u16, bool, Vec<String>)> {
    calls::of(emulator, operation)
        .into_iter()
        .map(|c| (c.status, c.raw["answer_lost"] == true, c.app_ids))
        .collect()
}

/// Fails unless the call log holds two `operation` calls naming `apps`: the first ran
/// and lost its answer, the repeat was answered.
fn assert_sent_again(emulator: &Emulator, operation: Operation, apps: &[&str], case: &str) {
    assert_eq!(
        outcomes(emulator, operation),
        [(200, true, sorted(apps)), (200, false, sorted(apps))],
        "{case}: applied unanswered, then sent again: {}",
        calls::describe(&calls::calls(emulator))
    );
}

/// Fails unless api-1 of svc-1 holds exactly `apps`, the state says so, and the next
/// plan is empty.
fn assert_true_state(workspace: &Workspace, emulator: &Emulator, apps: &[&str]) {
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(apps));
    let values = workspace.resource(ADDRESS).expect("in state");
    assert_eq!(app_ids_of(&values), sorted(apps), "{values}");
    workspace.assert_no_changes();
}

/// Fails unless Terraform reported success with `summary`, no error, and no warning
/// but the one every command prints while dev overrides are in effect.
fn assert_clean_success(output: &Output, summary: &str) {
    assert!(output.stdout.contains(summary), "{output}");
    let text = output.text();
    assert!(!text.contains("Error"), "{output}");
    let unexpected = text
        .lines()
        .filter(|l| l.contains("Warning") && !l.contains("Provider development overrides"));
    assert_eq!(unexpected.count(), 0, "{output}");
}

/// A create whose authorize was applied but never answered is sent again, and the
/// resource holds every app, whether the service answers the repeat with success or
/// with "already authorized" failures.
#[test]
fn a_create_whose_authorize_answer_is_lost_ends_with_every_app() {
    for already_authorized in ["success", "failure"] {
        let (emulator, workspace) = fixture();
        emulator.put_settings(&json!({"already_authorized": already_authorized}));
        lose_first_answer(&emulator, "authorize");
        workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));

        let output = workspace.apply();

        assert_clean_success(&output, "Resources: 1 added, 0 changed, 0 destroyed");
        assert_sent_again(&emulator, Operation::Authorize, &ABC, already_authorized);
        assert!(calls::of(&emulator, Operation::Cancel).is_empty());
        assert_true_state(&workspace, &emulator, &ABC);
    }
}

/// An update whose cancel was applied but never answered is sent again, and the
/// resource ends without the app, whether the service answers the repeat with success
/// or with "not authorized" failures.
#[test]
fn an_update_whose_cancel_answer_is_lost_ends_without_the_app() {
    for not_authorized in ["failure", "success"] {
        let (emulator, workspace) = fixture();
        emulator.put_settings(&json!({"not_authorized": not_authorized}));
        workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
        workspace.apply();
        emulator.clear_calls();
        lose_first_answer(&emulator, "cancel");
        let wanted = ["app-a", "app-b", "app-d"];
        workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &wanted));

        let output = workspace.apply();

        assert_clean_success(&output, "Resources: 0 added, 1 changed, 0 destroyed");
        assert_sent_again(&emulator, Operation::Cancel, &["app-c"], not_authorized);
        assert_eq!(
            outcomes(&emulator, Operation::Authorize),
            [(200, false, sorted(&["app-d"]))]
        );
        assert_true_state(&workspace, &emulator, &wanted);
    }
}

/// A destroy whose cancel was applied but never answered is sent again, and the
/// resource leaves the state with nothing left authorized.
#[test]
fn a_destroy_whose_cancel_answer_is_lost_removes_the_resource() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
    workspace.apply();
    emulator.clear_calls();
    lose_first_answer(&emulator, "cancel");

    let output = workspace.destroy();

    assert_clean_success(&output, "Resources: 1 destroyed");
    assert_sent_again(&emulator, Operation::Cancel, &ABC, "destroy");
    assert!(emulator.authorized_apps("svc-1", "api-1", "0").is_empty());
    assert!(workspace.state_list().is_empty(), "nothing left in state");
}
