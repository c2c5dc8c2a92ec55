//! End to end with the real Terraform: Ctrl-C during a slow apply ends Terraform
//! cleanly, the state records what was really done, and the next apply finishes.

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::emulator::Emulator;
use support::terraform::checks::{
    assert_next_apply_converges, assert_state_matches_emulator, fixture, planned_change, set,
};
use support::terraform::{hcl, Running, Workspace};

/// Starts an apply of a fast resource (api-1, app-a) and a slow one (api-2, app-b,
/// whose authorize waits 4 s), and returns once the fast one is authorized.
fn start_apply_with_a_slow_resource() -> (Emulator, Workspace, Running) {
    let (emulator, workspace) = fixture();
    emulator.put_faults(&json!([{"operation": "authorize", "app_id": "app-b",
        "delay_ms": 4000}]));
    workspace.write_main(&format!(
        "{}{}",
        hcl::auth_api("fast", "svc-1", "api-1", &["app-a"]),
        hcl::auth_api("slow", "svc-1", "api-2", &["app-b"])
    ));
    let running = workspace.spawn(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    wait_until_api_1_holds_an_app(&emulator);
    (emulator, workspace, running)
}

/// Returns once api-1 of svc-1 holds an app. The call log shows a call only once
/// answered, so the emulator's state is the earliest sign that an apply is under way.
fn wait_until_api_1_holds_an_app(emulator: &Emulator) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while emulator.authorized_apps("svc-1", "api-1", "0").is_empty() {
        assert!(Instant::now() < deadline, "api-1 was never authorized");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Clears the faults, applies, and fails unless both APIs then hold their app and
/// the next plan is empty.
fn assert_next_apply_finishes(emulator: &Emulator, workspace: &Workspace) {
    emulator.clear_faults();
    workspace.apply();
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-a"])
    );
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-2", "0"),
        set(&["app-b"])
    );
    workspace.assert_no_changes();
}

/// SIGINT while one authorization is slow: Terraform exits without a crash, every
/// resource in state matches the service, and the next apply converges.
#[test]
fn an_interrupted_apply_records_what_was_done_and_the_next_apply_finishes() {
    let (emulator, workspace, running) = start_apply_with_a_slow_resource();
    running.interrupt();
    let output = running.wait();

    assert_ne!(
        output.code, 0,
        "an interrupted apply does not report success: {output}"
    );
    assert!(
        output.text().contains("Interrupt received"),
        "Terraform saw Ctrl-C: {output}"
    );
    assert!(
        output.elapsed < Duration::from_secs(30),
        "ends promptly: {output}"
    );
    for crash in ["panic", "crash", "did not respond", "plugin exited"] {
        assert!(
            !output.text().to_lowercase().contains(crash),
            "{crash}: {output}"
        );
    }
    let state: serde_json::Value =
        serde_json::from_str(&workspace.state_file()).expect("the state file is valid JSON");
    assert!(state["resources"].is_array(), "{state}");
    assert!(
        workspace.resource("modelarts_app_auth_api.fast").is_some(),
        "the finished resource is recorded"
    );
    for address in ["modelarts_app_auth_api.fast", "modelarts_app_auth_api.slow"] {
        assert_state_matches_emulator(&workspace, &emulator, address);
    }

    assert_next_apply_finishes(&emulator, &workspace);
}

/// A provider killed outright mid-apply: Terraform fails, and the next plan shows
/// the truth and the next apply converges.
#[test]
fn a_provider_killed_mid_apply_is_recovered_by_the_next_apply() {
    let (emulator, workspace, running) = start_apply_with_a_slow_resource();
    assert!(
        running.kill_providers() >= 1,
        "a provider process was running"
    );
    let output = running.wait();

    assert_ne!(output.code, 0, "{output}");
    emulator.clear_faults();
    for address in ["modelarts_app_auth_api.fast", "modelarts_app_auth_api.slow"] {
        assert_state_matches_emulator(&workspace, &emulator, address);
    }
    let plan = workspace.saved_plan(&[]);
    let slow = planned_change(&plan, "modelarts_app_auth_api.slow");
    if workspace.resource("modelarts_app_auth_api.slow").is_none() {
        assert_eq!(slow["change"]["actions"], json!(["create"]), "{plan}");
    }
    assert_next_apply_finishes(&emulator, &workspace);
}

/// How long the emulator holds each authorize call in the test below.
const SLOW_CALL: Duration = Duration::from_secs(3);

/// SIGTERM to `terraform` alone (a cancelled CI job): Terraform's StopProvider call stops
/// a five-call apply after the call in flight, not after all five; the state records
/// the apps really authorized, and the next apply finishes.
#[test]
fn a_signal_to_terraform_alone_stops_a_long_apply_between_calls() {
    let (emulator, workspace) = fixture();
    let apps = ["app-a", "app-b", "app-c", "app-d", "app-x"];
    let delay_ms = SLOW_CALL.as_millis() as u64;
    emulator.put_faults(&json!([{"operation": "authorize", "delay_ms": delay_ms}]));
    workspace.write_main(&format!(
        "{}{}",
        hcl::provider(&[("max_apps_per_call", "1")]),
        hcl::auth_api("t", "svc-1", "api-1", &apps)
    ));
    let running = workspace.spawn(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    wait_until_api_1_holds_an_app(&emulator);
    let interrupted = Instant::now();
    running.terminate_terraform_only();
    let output = running.wait();

    assert_ne!(
        output.code, 0,
        "an interrupted apply is no success: {output}"
    );
    assert!(
        output.text().contains("Interrupt received"),
        "Terraform saw the signal: {output}"
    );
    // At most the call in flight is left to wait for; without the stop, the three or
    // four calls left would take 9 s or more.
    assert!(
        interrupted.elapsed() < SLOW_CALL * 2,
        "Terraform took {:?} to stop: {output}",
        interrupted.elapsed()
    );
    let held = emulator.authorized_apps("svc-1", "api-1", "0");
    assert!(
        !held.is_empty() && held.len() < apps.len(),
        "stopped part way: {held:?}"
    );
    assert_state_matches_emulator(&workspace, &emulator, "modelarts_app_auth_api.t");

    assert_next_apply_converges(&workspace, &emulator, &apps);
}
