//! End to end with the real Terraform: large app sets go out in chunks the service
//! accepts, paged reads follow every page, and authorizations that reads do not show
//! yet are not lost.

mod support;

use serde_json::json;
use support::terraform::calls::{self, Operation};
use support::terraform::checks::{app_ids_of, set};
use support::terraform::world;
use support::terraform::{hcl, Workspace};

const ADDRESS: &str = "modelarts_app_auth_api.t";

/// `count` app IDs, `app-000` onwards.
fn many_apps(count: usize) -> Vec<String> {
    (0..count).map(|n| format!("app-{n:03}")).collect()
}

/// Fails unless every call of `operation` carried at most `limit` apps and together
/// they carried exactly `expected`.
fn assert_chunked(log: &[calls::Call], operation: Operation, limit: usize, expected: &[&str]) {
    let chunks: Vec<_> = log.iter().filter(|c| c.operation() == operation).collect();
    assert!(!chunks.is_empty(), "{operation:?} was called");
    for chunk in &chunks {
        assert!(chunk.app_ids.len() <= limit, "{}", chunk.brief());
        assert_eq!(chunk.status, 200, "{}", chunk.brief());
    }
    assert_eq!(
        chunks.len(),
        expected.len().div_ceil(limit),
        "as few calls as the limit allows"
    );
    assert_eq!(calls::apps_sent(log, operation, "api-1"), {
        let mut sorted: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        sorted.sort();
        sorted
    });
}

/// 250 apps are authorized in chunks of at most 100, read back through every page of
/// 40, updated and destroyed in chunks, with an empty plan after each step.
#[test]
fn a_large_app_set_is_chunked_and_read_through_every_page() {
    let apps = many_apps(250);
    let refs: Vec<&str> = apps.iter().map(String::as_str).collect();
    let emulator = world::one_api(&refs);
    emulator.put_settings(&json!({"max_apps_per_call": 100, "page_size_cap": 40}));
    let workspace = Workspace::new(&emulator);
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &refs));

    workspace.apply();

    assert_chunked(&calls::calls(&emulator), Operation::Authorize, 100, &refs);
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&refs));
    emulator.clear_calls();
    workspace.assert_no_changes();
    let pages = calls::of(&emulator, Operation::ListRelations);
    assert!(
        pages.len() >= 7,
        "250 apps in pages of 40: {}",
        calls::describe(&pages)
    );

    let kept = &refs[120..];
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", kept));
    emulator.clear_calls();
    workspace.apply();
    let log = calls::calls(&emulator);
    assert_chunked(&log, Operation::Cancel, 100, &refs[..120]);
    assert!(calls::of(&emulator, Operation::Authorize).is_empty());
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(kept));
    workspace.assert_no_changes();

    emulator.clear_calls();
    workspace.destroy();
    assert_chunked(&calls::calls(&emulator), Operation::Cancel, 100, kept);
    assert!(emulator.authorized_apps("svc-1", "api-1", "0").is_empty());
}

/// Authorizations that the service's reads do not show yet are kept in state, and
/// once reads catch up the plan is empty.
#[test]
fn authorizations_reads_do_not_show_yet_are_not_lost() {
    let emulator = world::one_api(&["app-a", "app-b", "app-c"]);
    emulator.put_settings(&json!({"read_lag_reads": 2}));
    let workspace = Workspace::new(&emulator);
    let apps = ["app-a", "app-b", "app-c"];
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &apps));

    let output = workspace.apply();

    assert!(!output.text().contains("inconsistent"), "{output}");
    let values = workspace.resource(ADDRESS).expect("in state");
    assert_eq!(app_ids_of(&values), ["app-a", "app-b", "app-c"]);
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&apps));
    // The first refresh after the apply re-reads until the lag runs out, so no plan
    // proposes authorizing the apps again.
    let mut exit_codes = Vec::new();
    for _ in 0..3 {
        let plan = workspace.plan();
        assert_ne!(plan.code, 1, "{plan}");
        exit_codes.push(plan.code);
    }
    assert_eq!(exit_codes, [0, 0, 0], "every plan is empty");
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&apps));
}

/// A chunk refused part way through a large update fails the apply, the state holds
/// exactly what the service holds, and the next apply sends only the missing apps.
#[test]
fn a_chunk_refused_part_way_is_finished_by_the_next_apply() {
    let apps = many_apps(250);
    let refs: Vec<&str> = apps.iter().map(String::as_str).collect();
    let emulator = world::one_api(&refs);
    let workspace = Workspace::new(&emulator);
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &refs[..1]));
    workspace.apply();
    emulator.put_faults(
        &json!([{"operation": "authorize", "app_id": "app-150", "times": 1,
        "status": 403, "error_code": "ModelArts.0105"}]),
    );
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &refs));

    let output = workspace.apply_json();

    assert_eq!(output.code, 1, "{output}");
    let held = emulator.authorized_apps("svc-1", "api-1", "0");
    assert!(
        !held.contains("app-150") && held.contains("app-000"),
        "{held:?}"
    );
    let in_state = app_ids_of(&workspace.resource(ADDRESS).expect("still in state"));
    assert_eq!(
        in_state
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>(),
        held
    );

    emulator.clear_calls();
    workspace.apply();
    let missing: Vec<&str> = refs
        .iter()
        .copied()
        .filter(|a| !held.contains(*a))
        .collect();
    assert_chunked(
        &calls::calls(&emulator),
        Operation::Authorize,
        100,
        &missing,
    );
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&refs));
    workspace.assert_no_changes();
}
