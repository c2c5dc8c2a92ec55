//! End to end with the real Terraform: malformed answers from the service fail with
//! a clear error naming the operation and the request ID, never a dead plugin, and
//! never a state that loses or invents an authorization.

mod support;

use serde_json::json;
use support::terraform::checks::{
    app_ids_of, assert_next_apply_converges, assert_state_matches_emulator, fixture,
};
use support::terraform::hcl;

const ADDRESS: &str = "modelarts_app_auth_api.t";

/// Applies {a}, then widens to {a, b} while every authorize and read answers `body`
/// (after the emulator really did the work), and checks the failure and the state.
fn assert_malformed_answer_fails_clearly(name: &str, body: &str) {
    let (emulator, workspace) = fixture();
    let provider = hcl::provider_with_few_retries();
    workspace.write_main(&format!(
        "{provider}{}",
        hcl::auth_api("t", "svc-1", "api-1", &["app-a"])
    ));
    workspace.apply();
    let before = app_ids_of(&workspace.resource(ADDRESS).expect("applied"));
    // Reads answer garbage too, so the provider cannot confirm the write by reading
    // it back; -refresh=false keeps the plan from reading first.
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
    for dead in ["did not respond", "panicked", "plugin exited"] {
        assert!(!output.text().contains(dead), "{name}: {dead}: {output}");
    }
    let errors = output.errors();
    assert!(
        errors
            .iter()
            .any(|d| d.text().to_lowercase().contains("authoriz")),
        "{name}: the error names the operation: {errors:#?}"
    );
    let request_ids: Vec<String> = emulator
        .calls()
        .iter()
        .filter_map(|c| c["request_id"].as_str().map(str::to_owned))
        .collect();
    assert!(
        errors
            .iter()
            .any(|d| request_ids.iter().any(|id| d.detail.contains(id.as_str()))),
        "{name}: the error gives the request ID ({request_ids:?}): {errors:#?}"
    );
    // The emulator ran the operation before answering garbage, so the state may learn
    // of b only by reading again: it must lose nothing and claim nothing the service
    // does not hold.
    let after = app_ids_of(&workspace.resource(ADDRESS).expect("still in state"));
    let held = emulator.authorized_apps("svc-1", "api-1", "0");
    assert!(
        before.iter().all(|a| after.contains(a)),
        "{name}: lost: {after:?}"
    );
    assert!(
        after.iter().all(|a| held.contains(a)),
        "{name}: {after:?} vs {held:?}"
    );
    assert_next_apply_converges(&workspace, &emulator, &wider);
}

/// Truncated JSON, HTML and an empty body fail clearly and leave a truthful state.
#[test]
fn unreadable_answers_fail_clearly_and_leave_a_truthful_state() {
    let truncated = "{\"auth_result\": [{\"api_id\": \"api-1\", \"app_";
    assert_malformed_answer_fails_clearly("truncated JSON", truncated);
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    assert_malformed_answer_fails_clearly("HTML", html);
    assert_malformed_answer_fails_clearly("empty body", "");
}

/// Wrong types, missing fields and a huge unterminated body fail clearly and leave a
/// truthful state.
#[test]
fn misshapen_answers_fail_clearly_and_leave_a_truthful_state() {
    let wrong_types = "{\"auth_result\": \"yes\", \"auths\": \"yes\", \"count\": \"two\"}";
    assert_malformed_answer_fails_clearly("wrong types", wrong_types);
    assert_malformed_answer_fails_clearly("missing fields", "{}");
    let element = "{\"api_id\": \"api-1\", \"app_id\": \"app-z\", \"success\": true},";
    // About 500 KB per rule: the emulator's control API takes bodies up to 2 MB.
    let huge = format!("{{\"auth_result\": [{}", element.repeat(8_000));
    assert_malformed_answer_fails_clearly("huge unterminated body", &huge);
}

/// A malformed answer to an authorize that did happen is either confirmed by reading
/// it back (the state then equals the service) or reported as an error naming the
/// operation; never a dead plugin.
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

/// A malformed answer to the read during plan fails the plan naming the operation and
/// leaves the state file as it was.
#[test]
fn a_malformed_read_fails_the_plan_and_leaves_the_state_file_alone() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &["app-a", "app-b"]));
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
