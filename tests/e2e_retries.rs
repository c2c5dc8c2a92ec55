//! End to end with the real Terraform: throttling, server errors, hangs and write
//! conflicts are retried within the configured limits, and only those.

mod support;

use std::time::Duration;

use serde_json::json;
use support::terraform::calls::{self, Operation};
use support::terraform::checks::{fixture, set};
use support::terraform::{hcl, Workspace};

const ADDRESS: &str = "modelarts_app_auth_api.t";
const ABC: [&str; 3] = ["app-a", "app-b", "app-c"];

/// The statuses of the authorize calls, in order.
fn authorize_statuses(emulator: &support::emulator::Emulator) -> Vec<u16> {
    calls::of(emulator, Operation::Authorize)
        .iter()
        .map(|c| c.status)
        .collect()
}

/// Two 429 answers with `Retry-After: 2` are waited out and the third try succeeds.
#[test]
fn throttling_is_waited_out_as_the_service_asks() {
    let (emulator, workspace) = fixture();
    emulator.put_faults(
        &json!([{"operation": "authorize", "times": 2, "status": 429,
        "error_code": "APIGW.0308", "retry_after": 2}]),
    );
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));

    let output = workspace.apply();

    assert_eq!(authorize_statuses(&emulator), [429, 429, 200]);
    assert!(
        output.elapsed >= Duration::from_secs(4),
        "waited at least 2 s twice: {:?}",
        output.elapsed
    );
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
    workspace.assert_no_changes();
}

/// Throttling that never ends fails within `max_retries`, with a message that says
/// the service is throttling.
#[test]
fn endless_throttling_fails_within_the_retry_budget() {
    let (emulator, workspace) = fixture();
    emulator.put_faults(&json!([{"operation": "authorize", "status": 429,
        "error_code": "APIGW.0308", "retry_after": 1}]));
    let timeouts = "  timeouts {\n    create = \"30s\"\n  }\n";
    workspace.write_main(&format!(
        "{}{}",
        hcl::provider(&[("max_retries", "2")]),
        hcl::auth_api_with("t", "svc-1", "api-1", &ABC, timeouts)
    ));

    let output = workspace.apply_json();

    assert_eq!(output.code, 1, "{output}");
    assert_eq!(
        authorize_statuses(&emulator),
        [429, 429, 429],
        "1 try + max_retries"
    );
    assert!(
        output.elapsed < Duration::from_secs(25),
        "{:?}",
        output.elapsed
    );
    let errors = output.errors();
    assert!(
        errors
            .iter()
            .any(|d| d.text().to_lowercase().contains("throttl")),
        "says the service is throttling: {errors:#?}"
    );
    assert!(emulator.authorized_apps("svc-1", "api-1", "0").is_empty());
    assert!(workspace.resource(ADDRESS).is_none(), "nothing was created");
}

/// Throttling that never ends stops at the create timeout even when `max_retries`
/// would allow many more tries, and says so.
#[test]
fn endless_throttling_stops_at_the_create_timeout() {
    let (emulator, workspace) = fixture();
    emulator.put_faults(&json!([{"operation": "authorize", "status": 429,
        "error_code": "APIGW.0308", "retry_after": 2}]));
    let timeouts = "  timeouts {\n    create = \"5s\"\n  }\n";
    workspace.write_main(&format!(
        "{}{}",
        hcl::provider(&[("max_retries", "20")]),
        hcl::auth_api_with("t", "svc-1", "api-1", &ABC, timeouts)
    ));

    let output = workspace.apply_json();

    assert_eq!(output.code, 1, "{output}");
    let tries = authorize_statuses(&emulator).len();
    assert!(
        (1..=4).contains(&tries),
        "about 5 s of 2 s waits, not 21 tries: {tries}"
    );
    assert!(
        output.elapsed < Duration::from_secs(15),
        "near 5 s: {:?}",
        output.elapsed
    );
    assert!(
        output
            .errors()
            .iter()
            .any(|d| d.text().to_lowercase().contains("throttl")),
        "says the service is throttling: {output}"
    );
    assert!(workspace.resource(ADDRESS).is_none(), "nothing was created");
}

/// 400, 401, 403 and 404 answers to an authorize are reported once, never retried.
#[test]
fn client_errors_are_never_retried() {
    let cases = [
        (400, "ModelArts.0107"),
        (401, "ModelArts.0203"),
        (403, "ModelArts.0105"),
        (404, "ModelArts.0102"),
    ];
    let (emulator, _) = fixture();
    for (status, code) in cases {
        emulator.clear_calls();
        emulator.put_faults(&json!([{"operation": "authorize", "status": status,
            "error_code": code}]));
        let workspace = Workspace::new(&emulator);
        workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));

        let output = workspace.apply_json();

        assert_eq!(output.code, 1, "{status}: {output}");
        assert_eq!(
            authorize_statuses(&emulator),
            [status],
            "{status} is not retried"
        );
        let errors = output.errors();
        assert!(
            errors.iter().any(|d| d.text().contains(code)),
            "{status}: the error gives the service's code: {errors:#?}"
        );
        assert!(
            workspace.resource(ADDRESS).is_none(),
            "{status}: nothing in state"
        );
    }
}

/// A read answered 503 once is retried and the refresh succeeds.
#[test]
fn a_read_failing_once_with_503_is_retried() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
    workspace.apply();
    emulator.clear_calls();
    emulator.put_faults(&json!([
        {"operation": "list_relations", "times": 1, "status": 503, "error_code": "ModelArts.0010"},
        {"operation": "read_api_auths", "times": 1, "status": 503, "error_code": "ModelArts.0010"},
    ]));

    workspace.assert_no_changes();

    let log = calls::calls(&emulator);
    let failed: Vec<_> = log.iter().filter(|c| c.status == 503).collect();
    assert_eq!(
        failed.len(),
        1,
        "one read failed: {}",
        calls::describe(&log)
    );
    let retried = log
        .iter()
        .skip_while(|c| c.status != 503)
        .any(|c| c.status == 200 && c.operation() == failed[0].operation());
    assert!(
        retried,
        "the same read succeeded after: {}",
        calls::describe(&log)
    );
}

/// An authorize that hangs fails near the create timeout and says it timed out.
#[test]
fn a_hanging_authorize_fails_at_the_create_timeout() {
    let (emulator, workspace) = fixture();
    emulator.put_faults(&json!([{"operation": "authorize", "delay_ms": 60000}]));
    let timeouts = "  timeouts {\n    create = \"3s\"\n  }\n";
    workspace.write_main(&hcl::auth_api_with("t", "svc-1", "api-1", &ABC, timeouts));

    let output = workspace.apply_json();

    assert_eq!(output.code, 1, "{output}");
    assert!(
        output.elapsed >= Duration::from_secs(3),
        "{:?}",
        output.elapsed
    );
    assert!(
        output.elapsed < Duration::from_secs(13),
        "near 3 s: {:?}",
        output.elapsed
    );
    let errors = output.errors();
    assert!(
        errors.iter().any(|d| {
            let text = d.text().to_lowercase();
            text.contains("timed out") || text.contains("timeout")
        }),
        "says it timed out: {errors:#?}"
    );

    emulator.clear_faults();
    workspace.apply();
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
    workspace.assert_no_changes();
}

/// Ten resources on one service at default parallelism all apply although the
/// service refuses concurrent writes with a retryable conflict.
#[test]
fn ten_resources_on_one_service_survive_write_conflicts() {
    let emulator = support::emulator::Emulator::start();
    let apis: Vec<String> = (1..=10).map(|n| format!("api-{n}")).collect();
    let api_refs: Vec<&str> = apis.iter().map(String::as_str).collect();
    emulator.seed_simple(&[("svc-1", &api_refs[..])], &["app-a", "app-b"]);
    emulator.put_settings(&json!({"conflict_on_concurrent_writes": true}));
    // Slow writes overlap, so the conflicts really happen.
    emulator.put_faults(&json!([{"operation": "authorize", "delay_ms": 150}]));
    let workspace = Workspace::new(&emulator);
    let config: String = apis
        .iter()
        .map(|api| {
            hcl::auth_api(
                &format!("t_{}", api.replace('-', "_")),
                "svc-1",
                api,
                &["app-a", "app-b"],
            )
        })
        .collect();
    workspace.write_main(&config);

    let output = workspace.apply();

    for api in &apis {
        assert_eq!(
            emulator.authorized_apps("svc-1", api, "0"),
            set(&["app-a", "app-b"]),
            "{api}: {output}"
        );
        let ok = calls::of(&emulator, Operation::Authorize)
            .into_iter()
            .filter(|c| c.api_id() == Some(api) && c.status == 200)
            .count();
        assert_eq!(ok, 1, "{api} authorized once");
    }
    let refused = calls::of(&emulator, Operation::Authorize)
        .iter()
        .filter(|c| c.status != 200)
        .count();
    assert!(
        refused > 0,
        "some concurrent writes were refused and retried"
    );
    assert_eq!(workspace.state_list().len(), 10);
    emulator.clear_faults();
    workspace.assert_no_changes();
}

/// A cancel that hangs fails destroy near the delete timeout, and the resource stays
/// in state because its apps are still authorized.
#[test]
fn a_hanging_cancel_fails_at_the_delete_timeout_and_keeps_the_state() {
    let (emulator, workspace) = fixture();
    let timeouts = "  timeouts {\n    delete = \"3s\"\n  }\n";
    workspace.write_main(&hcl::auth_api_with("t", "svc-1", "api-1", &ABC, timeouts));
    workspace.apply();
    emulator.put_faults(&json!([{"operation": "cancel", "delay_ms": 60000}]));

    let output = workspace.run(&["destroy", "-auto-approve", "-input=false", "-json"]);

    assert_eq!(output.code, 1, "{output}");
    assert!(
        output.elapsed < Duration::from_secs(13),
        "near 3 s: {:?}",
        output.elapsed
    );
    assert!(
        output.errors().iter().any(|d| {
            let text = d.text().to_lowercase();
            text.contains("timed out") || text.contains("timeout")
        }),
        "says it timed out: {output}"
    );
    assert!(workspace.resource(ADDRESS).is_some(), "still in state");
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));

    emulator.clear_faults();
    workspace.destroy();
    assert!(emulator.authorized_apps("svc-1", "api-1", "0").is_empty());
}
