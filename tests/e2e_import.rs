//! End to end with the real Terraform: `terraform import` adopts an existing
//! authorization by its documented ID, refuses malformed IDs before any call, and
//! refuses what is not there.

mod support;

use support::emulator::Emulator;
use support::terraform::calls::{self, Operation};
use support::terraform::checks::{app_ids_of, assert_common_state, normalized, sorted};
use support::terraform::world::{self, World};
use support::terraform::{hcl, Workspace};

const ADDRESS: &str = "modelarts_app_auth_api.t";
const ABC: [&str; 3] = ["app-a", "app-b", "app-c"];

/// An emulator where api-1 of svc-1 is already authorized to a, b and c, and a
/// workspace configured for it but with an empty state.
fn existing_authorization() -> (Emulator, Workspace) {
    let emulator = Emulator::start();
    World::new()
        .service("0", "svc-1", &["api-1", "api-2"])
        .apps("0", &["app-a", "app-b", "app-c", "app-d"])
        .authorized("0", "svc-1", "api-1", &ABC)
        .load(&emulator);
    let workspace = Workspace::new(&emulator);
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
    (emulator, workspace)
}

/// Import fills every attribute from the documented ID, the plan after it is empty,
/// a second import with the `id` shown gives the same state, and destroy cancels
/// exactly the imported apps.
#[test]
fn import_round_trip_adopts_the_authorization() {
    let (emulator, workspace) = existing_authorization();

    let output = workspace.import(ADDRESS, "svc-1/api-1");

    assert_eq!(output.code, 0, "{output}");
    let log = calls::calls(&emulator);
    assert!(
        !log.is_empty() && log.iter().all(|c| !c.is_write()),
        "{}",
        calls::describe(&log)
    );
    assert!(
        log.iter().all(|c| c.status == 200),
        "{}",
        calls::describe(&log)
    );
    let imported = workspace.resource(ADDRESS).expect("imported");
    assert_common_state(&imported, &ABC);
    workspace.assert_no_changes();

    workspace.state_rm(ADDRESS);
    assert!(workspace.state_list().is_empty());
    let shown_id = imported["id"].as_str().expect("id is a string");
    let again = workspace.import(ADDRESS, shown_id);
    assert_eq!(again.code, 0, "{again}");
    assert_eq!(
        workspace.resource(ADDRESS).expect("imported again"),
        imported
    );
    workspace.assert_no_changes();

    emulator.clear_calls();
    workspace.destroy();
    let writes = calls::writes(&emulator);
    assert!(writes.iter().all(|c| c.operation() == Operation::Cancel));
    assert_eq!(
        calls::apps_sent(&writes, Operation::Cancel, "api-1"),
        sorted(&ABC)
    );
    assert!(emulator.authorized_apps("svc-1", "api-1", "0").is_empty());
}

/// The three-part ID imports an API of a non-default workspace.
#[test]
fn import_accepts_the_workspace_form_of_the_id() {
    let emulator = Emulator::start();
    world::workspace_two()
        .authorized("ws-2", "svc-9", "api-9", &["app-w1"])
        .load(&emulator);
    let workspace = Workspace::new(&emulator);
    workspace.write_main(&hcl::auth_api_in(
        "ws-2",
        "t",
        "svc-9",
        "api-9",
        &["app-w1"],
    ));

    let output = workspace.import(ADDRESS, "ws-2/svc-9/api-9");

    assert_eq!(output.code, 0, "{output}");
    let log = calls::calls(&emulator);
    assert!(
        log.iter().all(|c| c.workspace_id == "ws-2"),
        "{}",
        calls::describe(&log)
    );
    let imported = workspace.resource(ADDRESS).expect("imported");
    assert_eq!(imported["id"], "ws-2/svc-9/api-9");
    assert_eq!(imported["workspace_id"], "ws-2");
    assert_eq!(app_ids_of(&imported), ["app-w1"]);
    workspace.assert_no_changes();
}

/// Malformed import IDs fail before any call, quoting the value and the expected
/// format, and leave nothing in state.
#[test]
fn malformed_import_ids_are_refused_before_any_call() {
    let cases = [
        ("empty", ""),
        ("one part", "svc-1"),
        ("too many parts", "ws-2/svc-1/api-1/extra"),
        ("an empty part", "ws-2//api-1"),
        ("an empty api part", "svc-1/"),
        ("a leading separator", "/svc-1/api-1"),
        ("a trailing separator", "svc-1/api-1/"),
        ("only separators", "//"),
        ("whitespace around a part", "svc-1/ api-1"),
    ];
    let (emulator, workspace) = existing_authorization();
    for (name, id) in cases {
        let output = workspace.import(ADDRESS, id);

        assert_ne!(output.code, 0, "{name}: {output}");
        let text = normalized(&output.stderr);
        assert!(text.contains("Error: Invalid import ID"), "{name}: {text}");
        assert!(
            text.contains(&format!("\"{id}\"")),
            "{name}: quotes {id:?}: {text}"
        );
        assert!(
            text.contains("service_id") && text.contains("api_id"),
            "{name}: gives the expected format: {text}"
        );
        assert!(!text.contains("did not respond"), "{name}: {text}");
        assert!(
            emulator.calls().is_empty(),
            "{name}: no call: {:?}",
            emulator.calls()
        );
        assert!(
            workspace.state_list().is_empty(),
            "{name}: nothing in state"
        );
    }
}

/// Importing a well-formed ID for an API without apps, or for an API that does not
/// exist, fails with the provider's own error, which says which and what to do, and
/// changes nothing.
#[test]
fn importing_what_is_not_there_is_refused() {
    let not_found = "Error: Cannot import: API not found";
    let check_ids = "Check the service and API IDs";
    for (name, id, api_id, summary, advice) in [
        (
            "an API with no apps",
            "svc-1/api-2",
            "api-2",
            "Error: Nothing to import",
            "write the resource in the configuration and apply it",
        ),
        (
            "an API that does not exist",
            "svc-1/api-404",
            "api-404",
            not_found,
            check_ids,
        ),
        (
            "a service that does not exist",
            "svc-404/api-1",
            "api-1",
            not_found,
            check_ids,
        ),
    ] {
        let (emulator, workspace) = existing_authorization();
        let service_id = id.split('/').next().expect("two parts");
        workspace.write_main(&hcl::auth_api("t", service_id, api_id, &ABC));

        let output = workspace.import(ADDRESS, id);

        assert_ne!(output.code, 0, "{name}: {output}");
        let text = normalized(&output.stderr);
        for needle in [summary, advice, &format!("{api_id:?}")] {
            assert!(text.contains(needle), "{name}: {needle}: {output}");
        }
        let writes = calls::writes(&emulator);
        assert!(writes.is_empty(), "{name}: {}", calls::describe(&writes));
        assert!(workspace.state_list().is_empty(), "{name}: state unchanged");
        assert_eq!(
            emulator.authorized_apps("svc-1", "api-1", "0"),
            support::terraform::checks::set(&ABC)
        );
    }
}
