//! End to end with the real Terraform: provider settings other than credentials
//! (workspace, endpoint, retries) come from the environment, and an explicit value in
//! the provider block wins.

mod support;

use serde_json::json;
use support::terraform::calls::{self, Operation};
use support::terraform::checks::{fixture, normalized, set};
use support::terraform::world;
use support::terraform::{hcl, Workspace};

const ADDRESS: &str = "modelarts_app_auth_api.t";
const ABC: [&str; 3] = ["app-a", "app-b", "app-c"];

/// `HW_WORKSPACE_ID` sets the default workspace: the resource computes it, its ID
/// carries it, and every call goes to it.
#[test]
fn the_default_workspace_comes_from_the_environment() {
    let emulator = support::emulator::Emulator::start();
    world::workspace_two().load(&emulator);
    let mut workspace = Workspace::new(&emulator);
    workspace.set_env("HW_WORKSPACE_ID", "ws-2");
    workspace.write_main(&hcl::auth_api("t", "svc-9", "api-9", &["app-w1"]));

    workspace.apply();

    let values = workspace.resource(ADDRESS).expect("in state");
    assert_eq!(values["workspace_id"], "ws-2");
    assert_eq!(values["id"], "ws-2/svc-9/api-9");
    let log = calls::calls(&emulator);
    assert!(
        log.iter().all(|c| c.workspace_id == "ws-2"),
        "{}",
        calls::describe(&log)
    );
    assert_eq!(
        emulator.authorized_apps("svc-9", "api-9", "ws-2"),
        set(&["app-w1"])
    );
    workspace.assert_no_changes();
}

/// An explicit `endpoint` wins over `HW_MODELARTS_ENDPOINT`.
#[test]
fn an_explicit_endpoint_wins_over_the_environment() {
    let (emulator, mut workspace) = fixture();
    // Nothing listens on port 9 of the loopback address.
    workspace.set_env("HW_MODELARTS_ENDPOINT", "http://127.0.0.1:9");
    let provider = hcl::provider(&[("endpoint", &hcl::quoted(&emulator.url))]);
    workspace.write_main(&format!(
        "{provider}{}",
        hcl::auth_api("t", "svc-1", "api-1", &ABC)
    ));

    workspace.apply();

    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
    workspace.assert_no_changes();
}

/// `HW_MAX_RETRIES=0` turns retries off, and an explicit `max_retries` wins over it.
#[test]
fn max_retries_comes_from_the_environment_unless_set_explicitly() {
    let (emulator, mut workspace) = fixture();
    workspace.set_env("HW_MAX_RETRIES", "0");
    let unavailable_once = json!([{"operation": "authorize", "times": 1, "status": 503,
        "error_code": "ModelArts.0010"}]);
    emulator.put_faults(&unavailable_once);
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));

    let output = workspace.apply_json();

    assert_eq!(output.code, 1, "no retry: {output}");
    let statuses: Vec<u16> = calls::of(&emulator, Operation::Authorize)
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, [503]);

    emulator.clear_calls();
    emulator.put_faults(&unavailable_once);
    let provider = hcl::provider(&[("max_retries", "2")]);
    workspace.write_main(&format!(
        "{provider}{}",
        hcl::auth_api("t", "svc-1", "api-1", &ABC)
    ));
    workspace.apply();
    let statuses: Vec<u16> = calls::of(&emulator, Operation::Authorize)
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, [503, 200], "the explicit budget allows a retry");
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
    workspace.assert_no_changes();
}

/// An endpoint where nothing listens fails within the retry budget with an error
/// that names the endpoint, instead of hanging.
#[test]
fn an_unreachable_endpoint_fails_quickly_and_names_it() {
    let (emulator, mut workspace) = fixture();
    workspace.set_env("HW_MODELARTS_ENDPOINT", "http://127.0.0.1:9");
    let timeouts = "  timeouts {\n    create = \"20s\"\n  }\n";
    workspace.write_main(&format!(
        "{}{}",
        hcl::provider_with_few_retries(),
        hcl::auth_api_with("t", "svc-1", "api-1", &ABC, timeouts)
    ));

    let output = workspace.apply_json();

    assert_eq!(output.code, 1, "{output}");
    assert!(
        output.elapsed < std::time::Duration::from_secs(20),
        "{:?}",
        output.elapsed
    );
    assert!(
        output
            .errors()
            .iter()
            .any(|d| d.text().contains("127.0.0.1:9")),
        "the error names the endpoint: {output}"
    );
    assert!(!output.text().contains("did not respond"), "{output}");
    assert!(emulator.calls().is_empty());
    assert!(workspace.resource(ADDRESS).is_none());
}

/// An endpoint with a user name and password, in `HW_MODELARTS_ENDPOINT` or in the
/// provider block, is refused at plan time, and the password shows nowhere in
/// Terraform's output, even at `TF_LOG=TRACE`.
#[test]
fn a_password_in_the_endpoint_is_refused_and_never_shown() {
    let (emulator, mut workspace) = fixture();
    let password = "pw-endpoint-7e2b91";
    let endpoint = emulator.url.replace("://", &format!("://user:{password}@"));
    workspace.set_env("TF_LOG", "TRACE");
    let resource = hcl::auth_api("t", "svc-1", "api-1", &ABC);
    let provider = hcl::provider(&[("endpoint", &hcl::quoted(&endpoint))]);

    for (name, environment, main) in [
        ("environment", endpoint.as_str(), resource.clone()),
        (
            "provider block",
            emulator.url.as_str(),
            format!("{provider}{resource}"),
        ),
    ] {
        workspace.set_env("HW_MODELARTS_ENDPOINT", environment);
        workspace.write_main(&main);

        let output = workspace.plan();

        assert_eq!(output.code, 1, "{name}: {output}");
        let text = normalized(&output.text());
        assert!(text.contains("[TRACE]"), "{name}: TF_LOG took effect");
        assert!(text.contains("Error: Invalid endpoint"), "{name}: {text}");
        assert!(text.contains("credentials go in token"), "{name}: {text}");
        assert!(
            !text.contains(password),
            "{name}: the password is shown: {text}"
        );
    }
    assert!(emulator.calls().is_empty());
}
