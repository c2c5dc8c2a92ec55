//! End to end with the real Terraform: regressions found in review, each kept by the
//! test that reproduces it.

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::emulator::Emulator;
use support::terraform::calls::{self, Operation};
use support::terraform::checks::{app_ids_of, fixture, normalized, set, sorted};
use support::terraform::{hcl, world, Workspace};

const ADDRESS: &str = "modelarts_app_auth_api.t";
const ABC: [&str; 3] = ["app-a", "app-b", "app-c"];

/// An "already authorized" failure during read lag keeps the apps in the state, so a
/// later destroy still cancels them instead of leaking them.
#[test]
fn already_authorized_during_read_lag_keeps_the_apps_in_state() {
    let (emulator, workspace) = fixture();
    // More hidden reads than a refresh makes in its grace window after a write.
    emulator.put_settings(&json!({"read_lag_reads": 100, "already_authorized": "failure"}));
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
    workspace.apply();

    // The refresh and the re-read after the failure do not see the apps yet, so the
    // plan adds them again and the service answers that each one is already authorized.
    emulator.clear_calls();
    let output = workspace.apply_json();
    assert_eq!(output.code, 0, "{output}");
    let writes = calls::writes(&emulator);
    let authorized = calls::apps_sent(&writes, Operation::Authorize, "api-1");
    assert_eq!(authorized, sorted(&ABC), "{}", calls::describe(&writes));
    let values = workspace.resource(ADDRESS).expect("still in the state");
    assert_eq!(app_ids_of(&values), sorted(&ABC));

    // Reads catch up (reloading the world shows every authorization).
    world::edit(&emulator, |_| {});
    emulator.clear_calls();
    workspace.write_main("");
    workspace.apply();
    let writes = calls::writes(&emulator);
    assert_eq!(
        calls::apps_sent(&writes, Operation::Cancel, "api-1"),
        sorted(&ABC),
        "{}",
        calls::describe(&writes)
    );
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&[]));
}

/// An authorize sent without a usable answer, when no re-read is possible, keeps the
/// app in the state as possibly authorized and says "sent, outcome unknown".
#[test]
fn an_authorize_without_an_answer_keeps_the_app_as_possibly_authorized() {
    let (emulator, workspace) = fixture();
    let abcd = ["app-a", "app-b", "app-c", "app-d"];
    workspace.write_main(&format!(
        "{}{}",
        hcl::provider_with_few_retries(),
        hcl::auth_api("t", "svc-1", "api-1", &ABC)
    ));
    workspace.apply();
    // The service applies the authorize but every answer is lost, and no read works.
    emulator.put_faults(&json!([
        {"operation": "authorize", "status": 502, "raw_body": "<html>bad gateway</html>"},
        {"operation": "list_relations", "status": 503},
        {"operation": "read_api_auths", "status": 503}
    ]));
    workspace.write_main(&format!(
        "{}{}",
        hcl::provider_with_few_retries(),
        hcl::auth_api("t", "svc-1", "api-1", &abcd)
    ));

    let output = workspace.apply_json_with(&["-refresh=false"]);

    assert_eq!(output.code, 1, "{output}");
    let details: Vec<String> = output
        .errors()
        .iter()
        .map(|d| normalized(&d.detail))
        .collect();
    assert!(
        details
            .iter()
            .any(|d| d.contains("Sent, outcome unknown: \"app-d\"")),
        "{details:#?}"
    );
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&abcd));
    let values = workspace.resource(ADDRESS).expect("still in the state");
    assert_eq!(app_ids_of(&values), sorted(&abcd));
}

/// Ctrl-C between chunks of a create gives one "Interrupted" error, not a second one
/// listing the apps that were never sent.
#[test]
fn an_interrupted_create_gives_one_interrupted_diagnostic() {
    let emulator = Emulator::start();
    let workspace = Workspace::new(&emulator);
    let apps: Vec<String> = (1000..1250).map(|i| format!("z{i}")).collect();
    let app_refs: Vec<&str> = apps.iter().map(String::as_str).collect();
    emulator.seed_simple(&[("svc-1", &["api-1"][..])], &app_refs);
    emulator.put_faults(&json!([{"operation": "authorize", "delay_ms": 3000}]));
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &app_refs));

    let running = workspace.spawn(&["apply", "-auto-approve", "-input=false", "-json"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while calls::of(&emulator, Operation::Authorize).is_empty() {
        assert!(Instant::now() < deadline, "no authorize call was made");
        std::thread::sleep(Duration::from_millis(20));
    }
    running.interrupt();
    let output = running.wait();

    assert_ne!(output.code, 0, "{output}");
    // Terraform adds its own "execution halted" errors, which name no resource.
    let summaries: Vec<String> = output
        .errors()
        .iter()
        .filter(|d| d.address.is_some())
        .map(|d| d.summary.clone())
        .collect();
    assert_eq!(summaries, ["Interrupted"], "{output}");
}

/// Turning `exclusive` on never cancels an app the plan did not show; the plan after
/// it shows the foreign app as one to remove.
#[test]
fn turning_exclusive_on_cancels_nothing_the_plan_did_not_show() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
    workspace.apply();
    world::authorize_outside(&emulator, "svc-1", "api-1", "app-d");
    workspace.write_main(&hcl::auth_api_with(
        "t",
        "svc-1",
        "api-1",
        &ABC,
        "  exclusive = true\n",
    ));
    emulator.clear_calls();

    workspace.apply();

    let writes = calls::writes(&emulator);
    assert!(writes.is_empty(), "{}", calls::describe(&writes));
    let abcd = ["app-a", "app-b", "app-c", "app-d"];
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&abcd));
    let next = workspace.assert_plan_exit_code(2);
    assert!(next.stdout.contains("app-d"), "{next}");
}

/// Turning `exclusive` off plans to cancel the foreign app an exclusive refresh
/// recorded, and the plan warns on `exclusive`, naming it; the apply does cancel it.
#[test]
fn turning_exclusive_off_warns_about_the_foreign_app_it_cancels() {
    let (emulator, workspace) = fixture();
    let exclusive = |on: bool| {
        hcl::auth_api_with(
            "t",
            "svc-1",
            "api-1",
            &ABC,
            &format!("  exclusive = {on}\n"),
        )
    };
    workspace.write_main(&exclusive(true));
    workspace.apply();
    world::authorize_outside(&emulator, "svc-1", "api-1", "app-d");
    workspace.write_main(&exclusive(false));

    let plan = workspace.plan_json();

    assert_eq!(plan.code, 2, "{plan}");
    let warning = plan
        .diagnostics()
        .into_iter()
        .find(|d| d.severity == "warning" && d.summary.contains("exclusive off"))
        .unwrap_or_else(|| panic!("no warning about exclusive: {plan}"));
    assert_eq!(
        warning.attribute().as_deref(),
        Some("exclusive"),
        "{warning:?}"
    );
    assert!(warning.detail.contains("\"app-d\""), "{warning:?}");
    emulator.clear_calls();
    workspace.apply();
    let writes = calls::writes(&emulator);
    assert_eq!(
        calls::apps_sent(&writes, Operation::Cancel, "api-1"),
        ["app-d"],
        "{}",
        calls::describe(&writes)
    );
    workspace.assert_no_changes();
}

/// A create with `exclusive = true` leaves apps authorized by other means alone.
#[test]
fn an_exclusive_create_cancels_no_foreign_app() {
    let (emulator, workspace) = fixture();
    world::authorize_outside(&emulator, "svc-1", "api-1", "app-d");
    workspace.write_main(&hcl::auth_api_with(
        "t",
        "svc-1",
        "api-1",
        &ABC,
        "  exclusive = true\n",
    ));

    workspace.apply();

    let writes = calls::writes(&emulator);
    assert!(
        calls::apps_sent(&writes, Operation::Cancel, "api-1").is_empty(),
        "{}",
        calls::describe(&writes)
    );
    let abcd = ["app-a", "app-b", "app-c", "app-d"];
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&abcd));
}

/// Non-ASCII and over-long IDs are refused at plan time, naming the attribute and
/// quoting the value, before any API call.
#[test]
fn non_ascii_and_over_long_ids_fail_the_plan_without_a_call() {
    let (emulator, workspace) = fixture();
    let long = "a".repeat(200);
    workspace.write_main(&hcl::auth_api("t", "svc-é", "api-1", &["app-a", &long]));
    emulator.clear_calls();

    let output = workspace.plan_json();

    assert_eq!(output.code, 1, "{output}");
    let errors = output.errors();
    let service = errors
        .iter()
        .find(|d| d.attribute().as_deref() == Some("service_id"))
        .unwrap_or_else(|| panic!("an error on service_id: {errors:#?}"));
    assert!(service.detail.contains("\"svc-é\""), "{service:?}");
    assert!(
        errors.iter().any(|d| d.detail.contains("200 characters")),
        "{errors:#?}"
    );
    assert!(emulator.calls().is_empty(), "{:?}", emulator.calls());
}
