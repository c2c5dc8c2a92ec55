//! End to end with the real Terraform: regressions found in review, each kept by the
//! test that reproduces it.

mod support;

use serde_json::json;
use support::terraform::calls::{self, Operation};
use support::terraform::checks::{app_ids_of, fixture, set, sorted};
use support::terraform::hcl;

const ADDRESS: &str = "modelarts_app_auth_api.t";
const ABC: [&str; 3] = ["app-a", "app-b", "app-c"];

/// An "already authorized" failure during read lag keeps the apps in the state, so a
/// later destroy still cancels them instead of leaking them.
#[test]
fn already_authorized_during_read_lag_keeps_the_apps_in_state() {
    let (emulator, workspace) = fixture();
    emulator.put_settings(&json!({"read_lag_reads": 2, "already_authorized": "failure"}));
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
    workspace.apply();

    // The refresh and the re-read after the failure (two reads) do not see the apps
    // yet, so the plan adds them again and the service answers that each one is
    // already authorized.
    let output = workspace.apply_json();
    assert_eq!(output.code, 0, "{output}");
    let values = workspace.resource(ADDRESS).expect("still in the state");
    assert_eq!(app_ids_of(&values), sorted(&ABC));

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
