//! End to end with the real Terraform against a service that allows fewer apps per
//! authorize or cancel call than the documented 100: the refusal is never resent, names
//! `max_apps_per_call`, loses nothing from the state, and the setting (in the block or
//! the environment) makes the same apply succeed in calls of the lower size.

mod support;

use serde_json::json;
use support::emulator::Emulator;
use support::terraform::calls::{self, Call, Operation};
use support::terraform::checks::{app_ids_of, normalized, set, sorted};
use support::terraform::world;
use support::terraform::{hcl, Workspace};

const ADDRESS: &str = "modelarts_app_auth_api.t";

/// The per-call limit of the emulated region, below the documented 100.
const SERVICE_LIMIT: usize = 20;

/// An emulator holding `svc-1`/`api-1` and 50 apps, answering 400 `ModelArts.0107` to
/// any authorize or cancel call of more than [`SERVICE_LIMIT`] apps.
fn limited_service() -> (Emulator, Vec<String>) {
    let apps: Vec<String> = (0..50).map(|n| format!("app-{n:02}")).collect();
    let refs: Vec<&str> = apps.iter().map(String::as_str).collect();
    let emulator = world::one_api(&refs);
    emulator.put_settings(&json!({ "max_apps_per_call": SERVICE_LIMIT }));
    (emulator, apps)
}

fn strs(apps: &[String]) -> Vec<&str> {
    apps.iter().map(String::as_str).collect()
}

/// The number of apps each call of `operation` carried, in order, after checking that
/// every one of them was accepted.
fn accepted_call_sizes(emulator: &Emulator, operation: Operation) -> Vec<usize> {
    let log: Vec<Call> = calls::of(emulator, operation);
    for call in &log {
        assert_eq!(call.status, 200, "{}", call.brief());
    }
    log.iter().map(|call| call.app_ids.len()).collect()
}

/// Applies `main` and fails the test unless the apply fails with one "Failed to
/// authorize apps" error whose detail names `max_apps_per_call` and the `sent` apps,
/// after exactly one authorize call, refused with 400 and not resent.
fn assert_refused_with_hint(workspace: &Workspace, emulator: &Emulator, sent: usize) {
    emulator.clear_calls();
    let output = workspace.apply_json();

    assert_eq!(output.code, 1, "{output}");
    let errors = output.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].summary, "Failed to authorize apps");
    let detail = normalized(&errors[0].detail);
    for needle in [
        "HTTP 400, ModelArts.0107",
        &format!("below the {sent} sent"),
        "set max_apps_per_call in the provider block",
    ] {
        assert!(detail.contains(needle), "{needle:?} in {detail}");
    }
    let authorize = calls::of(emulator, Operation::Authorize);
    let statuses: Vec<(u16, usize)> = authorize
        .iter()
        .map(|c| (c.status, c.app_ids.len()))
        .collect();
    assert_eq!(statuses, [(400, sent)], "one refused call, never resent");
}

/// Without the setting every call above the service's limit is refused: the apply
/// fails with the hint, the state holds only what the service holds, and
/// MODELARTS_MAX_APPS_PER_CALL then lets the next apply add the rest.
#[test]
fn a_lower_service_limit_fails_with_the_hint_and_loses_nothing() {
    let (emulator, apps) = limited_service();
    let mut workspace = Workspace::new(&emulator);
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &strs(&apps)));

    assert_refused_with_hint(&workspace, &emulator, 50);
    assert!(workspace.state_list().is_empty(), "nothing was authorized");
    assert!(emulator.authorized_apps("svc-1", "api-1", "0").is_empty());

    let first = strs(&apps[..10]);
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &first));
    workspace.apply();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &strs(&apps)));

    assert_refused_with_hint(&workspace, &emulator, 40);
    let values = workspace
        .resource(ADDRESS)
        .expect("the first ten stay in state");
    assert_eq!(app_ids_of(&values), sorted(&first));
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&first));

    workspace.set_env("MODELARTS_MAX_APPS_PER_CALL", &SERVICE_LIMIT.to_string());
    emulator.clear_calls();
    workspace.apply();
    assert_eq!(
        accepted_call_sizes(&emulator, Operation::Authorize),
        [20, 20]
    );
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&strs(&apps))
    );
    workspace.assert_no_changes();
}

/// With `max_apps_per_call = 20` in the block, 50 apps are authorized in exactly three
/// calls, the next plan is empty, and destroy cancels them in three calls too.
#[test]
fn max_apps_per_call_in_the_block_sends_calls_the_service_accepts() {
    let (emulator, apps) = limited_service();
    let workspace = Workspace::new(&emulator);
    let provider = hcl::provider(&[("max_apps_per_call", &SERVICE_LIMIT.to_string())]);
    let resource = hcl::auth_api("t", "svc-1", "api-1", &strs(&apps));
    workspace.write_main(&format!("{provider}{resource}"));

    workspace.apply();

    assert_eq!(
        accepted_call_sizes(&emulator, Operation::Authorize),
        [20, 20, 10]
    );
    let values = workspace.resource(ADDRESS).expect("in state");
    assert_eq!(app_ids_of(&values), sorted(&strs(&apps)));
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&strs(&apps))
    );
    workspace.assert_no_changes();

    emulator.clear_calls();
    workspace.destroy();
    assert_eq!(
        accepted_call_sizes(&emulator, Operation::Cancel),
        [20, 20, 10]
    );
    assert!(emulator.authorized_apps("svc-1", "api-1", "0").is_empty());
}

/// A max_apps_per_call outside 1 to 100, or not whole, is refused at plan time on the
/// attribute, saying the range, before any call is made.
#[test]
fn a_max_apps_per_call_out_of_range_is_refused_on_the_attribute() {
    let (emulator, apps) = limited_service();
    let workspace = Workspace::new(&emulator);
    let resource = hcl::auth_api("t", "svc-1", "api-1", &strs(&apps[..1]));
    for value in ["0", "101", "20.5"] {
        let provider = hcl::provider(&[("max_apps_per_call", value)]);
        workspace.write_main(&format!("{provider}{resource}"));

        let output = workspace.plan_json();

        assert_eq!(output.code, 1, "{value}: {output}");
        let errors = output.errors();
        assert_eq!(errors.len(), 1, "{value}: {errors:?}");
        assert_eq!(errors[0].summary, "Invalid max_apps_per_call", "{value}");
        assert_eq!(
            errors[0].attribute().as_deref(),
            Some("max_apps_per_call"),
            "{value}"
        );
        let detail = normalized(&errors[0].detail);
        assert!(detail.contains("from 1 to 100"), "{value}: {detail}");
    }
    assert!(calls::writes(&emulator).is_empty());
}
