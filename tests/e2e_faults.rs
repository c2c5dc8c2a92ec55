//! End to end with the real Terraform: partial failures and malformed answers leave a
//! state that says what really exists, and the next apply finishes the job.

mod support;

use serde_json::json;
use support::emulator::Emulator;
use support::terraform::calls::{self, Operation};
use support::terraform::checks::{app_ids_of, assert_state_matches_emulator, fixture, set, sorted};
use support::terraform::{hcl, Workspace};

const ADDRESS: &str = "modelarts_app_auth_api.t";
const ABC: [&str; 3] = ["app-a", "app-b", "app-c"];

/// A provider block that keeps retries short, so fault tests stay fast.
fn quick_provider() -> String {
    hcl::provider(&[("max_retries", "1")])
}

/// Runs the second apply after a fault is cleared and checks that it converges.
fn assert_next_apply_converges(workspace: &Workspace, emulator: &Emulator, apps: &[&str]) {
    emulator.clear_faults();
    workspace.apply();
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(apps));
    let values = workspace.resource(ADDRESS).expect("in state");
    assert_eq!(app_ids_of(&values), sorted(apps));
    workspace.assert_no_changes();
}

/// One app failing inside a 200 on create fails the apply naming it, keeps the apps
/// that were authorized, and the next apply adds only the missing one.
#[test]
fn one_app_failing_on_create_is_named_and_finished_next_time() {
    let (emulator, workspace) = fixture();
    emulator.put_faults(
        &json!([{"operation": "authorize", "app_id": "app-c", "times": 1,
        "fail_app_reason": "the app belongs to another user"}]),
    );
    workspace.write_main(&format!(
        "{}{}",
        quick_provider(),
        hcl::auth_api("t", "svc-1", "api-1", &ABC)
    ));

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
    // apply replaces it: a and b are cancelled and authorized again. Without the
    // taint, only c may be sent.
    let tainted = workspace.state_file().contains("\"status\": \"tainted\"");
    emulator.clear_calls();
    assert_next_apply_converges(&workspace, &emulator, &ABC);
    let writes = calls::writes(&emulator);
    let granted = calls::apps_sent(&writes, Operation::Authorize, "api-1");
    let cancelled = calls::apps_sent(&writes, Operation::Cancel, "api-1");
    if tainted {
        assert_eq!(
            cancelled,
            sorted(&["app-a", "app-b"]),
            "{}",
            calls::describe(&writes)
        );
        assert_eq!(granted, sorted(&ABC), "{}", calls::describe(&writes));
        assert_eq!(
            writes[0].operation(),
            Operation::Cancel,
            "destroy, then create"
        );
    } else {
        assert_eq!(granted, ["app-c"], "{}", calls::describe(&writes));
        assert!(cancelled.is_empty(), "{}", calls::describe(&writes));
    }
}

/// A 403 for the call carrying an app fails the apply with the service's answer,
/// and the next apply converges.
#[test]
fn a_refused_authorize_on_create_is_reported_and_finished_next_time() {
    let (emulator, workspace) = fixture();
    emulator.put_faults(
        &json!([{"operation": "authorize", "app_id": "app-c", "times": 1,
        "status": 403, "error_code": "ModelArts.0105"}]),
    );
    workspace.write_main(&format!(
        "{}{}",
        quick_provider(),
        hcl::auth_api("t", "svc-1", "api-1", &ABC)
    ));

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
    let provider = quick_provider();
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
    let change = &plan["resource_changes"][0]["change"];
    assert!(
        app_ids_of(&change["before"]).contains(&"app-a".to_owned()),
        "{plan}"
    );
    assert_eq!(app_ids_of(&change["after"]), sorted(&target));
    assert_next_apply_converges(&workspace, &emulator, &target);
}

/// Malformed answers (truncated JSON, HTML, an empty body) to an authorize whose
/// outcome cannot be read back fail the apply with an error naming the operation and
/// the request ID, never a dead plugin, and the state neither loses what was applied
/// before nor claims what the service does not hold.
#[test]
fn malformed_answers_fail_clearly_and_leave_the_state_alone() {
    let bodies = [
        (
            "truncated JSON",
            "{\"auth_result\": [{\"api_id\": \"api-1\", \"app_",
        ),
        ("HTML", "<html><body><h1>502 Bad Gateway</h1></body></html>"),
        ("empty body", ""),
    ];
    for (name, body) in bodies {
        let (emulator, workspace) = fixture();
        let provider = quick_provider();
        workspace.write_main(&format!(
            "{provider}{}",
            hcl::auth_api("t", "svc-1", "api-1", &["app-a"])
        ));
        workspace.apply();
        let before = workspace.resource(ADDRESS).expect("applied");
        // Reads answer garbage too, so the provider cannot confirm the write by
        // reading it back; -refresh=false keeps the plan from reading first.
        emulator.put_faults(&json!([
            {"operation": "authorize", "raw_body": body},
            {"operation": "list_relations", "raw_body": body},
            {"operation": "read_api_auths", "raw_body": body},
        ]));
        let wider = ["app-a", "app-b"];
        workspace.write_main(&format!(
            "{provider}{}",
            hcl::auth_api("t", "svc-1", "api-1", &wider)
        ));
        emulator.clear_calls();

        let output = workspace.apply_json_with(&["-refresh=false"]);

        assert_eq!(output.code, 1, "{name}: {output}");
        let request_ids: Vec<String> = emulator
            .calls()
            .iter()
            .filter_map(|c| c["request_id"].as_str().map(str::to_owned))
            .collect();
        assert!(
            output
                .errors()
                .iter()
                .any(|d| request_ids.iter().any(|id| d.detail.contains(id.as_str()))),
            "{name}: the error gives the request ID ({request_ids:?}): {output}"
        );
        assert!(
            !output.text().contains("did not respond"),
            "{name}: {output}"
        );
        assert!(!output.text().contains("panicked"), "{name}: {output}");
        let errors = output.errors();
        assert!(
            errors
                .iter()
                .any(|d| d.text().to_lowercase().contains("authoriz")),
            "{name}: the error names the operation: {errors:#?}"
        );
        // The emulator ran the operation before answering garbage, so the state may
        // learn of b only by reading again: it must lose nothing and claim nothing
        // the service does not hold.
        let after = app_ids_of(&workspace.resource(ADDRESS).expect("still in state"));
        let held = emulator.authorized_apps("svc-1", "api-1", "0");
        assert!(
            app_ids_of(&before).iter().all(|a| after.contains(a)),
            "{name}: {after:?}"
        );
        assert!(
            after.iter().all(|a| held.contains(a)),
            "{name}: {after:?} vs {held:?}"
        );
        assert_next_apply_converges(&workspace, &emulator, &wider);
    }
}

/// A malformed answer to an authorize that did happen is either confirmed by reading
/// it back (the state then equals the service) or reported as an error; never a
/// dead plugin.
#[test]
fn a_malformed_answer_to_a_write_that_happened_is_confirmed_or_reported() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &["app-a"]));
    workspace.apply();
    emulator.put_faults(&json!([{"operation": "authorize", "times": 1, "raw_body": "<html>"}]));
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &["app-a", "app-b"]));

    let output = workspace.apply_json();

    assert!(!output.text().contains("did not respond"), "{output}");
    if output.code == 0 {
        assert_state_matches_emulator(&workspace, &emulator, ADDRESS);
    } else {
        assert!(
            output
                .errors()
                .iter()
                .any(|d| d.text().to_lowercase().contains("authoriz")),
            "the error names the operation: {output}"
        );
    }
    assert_next_apply_converges(&workspace, &emulator, &["app-a", "app-b"]);
}

/// A malformed answer to the read during plan fails the plan naming the operation
/// and leaves the state file as it was.
#[test]
fn a_malformed_read_fails_the_plan_and_leaves_the_state_file_alone() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
    workspace.apply();
    let state_before = workspace.state_file();
    emulator.put_faults(&json!([
        {"operation": "list_relations", "raw_body": "{\"auths\": [{\"app\": 7"},
        {"operation": "read_api_auths", "raw_body": "{\"app_auth_api\": [1"},
    ]));

    let output = workspace.plan_json();

    assert_eq!(output.code, 1, "{output}");
    assert!(!output.text().contains("did not respond"), "{output}");
    let errors = output.errors();
    assert!(
        errors.iter().any(|d| {
            let text = d.text().to_lowercase();
            text.contains("read") || text.contains("list")
        }),
        "the error names the operation: {errors:#?}"
    );
    assert_eq!(workspace.state_file(), state_before);
}
