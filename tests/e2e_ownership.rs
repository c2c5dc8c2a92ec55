//! End to end with the real Terraform: a resource owns only the apps it lists,
//! unless `exclusive` makes its list the whole truth about the API.

mod support;

use support::terraform::calls::{self, Operation};
use support::terraform::checks::{app_ids_of, fixture, planned_change, set, sorted};
use support::terraform::{hcl, world};

const ADDRESS: &str = "modelarts_app_auth_api.t";
const ABC: [&str; 3] = ["app-a", "app-b", "app-c"];

/// Two resources on the same API each own their apps: both plans stay empty, and
/// destroying one cancels only its apps.
#[test]
fn two_resources_on_one_api_each_own_their_apps() {
    let (emulator, workspace) = fixture();
    let first = hcl::auth_api("first", "svc-1", "api-1", &["app-a", "app-b"]);
    let second = hcl::auth_api("second", "svc-1", "api-1", &["app-c"]);
    workspace.write_main(&format!("{first}{second}"));

    workspace.apply();

    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
    workspace.assert_no_changes();
    workspace.write_main(&first);
    emulator.clear_calls();
    workspace.apply();
    let writes = calls::writes(&emulator);
    assert_eq!(writes.len(), 1, "{}", calls::describe(&writes));
    assert_eq!(writes[0].operation(), Operation::Cancel);
    assert_eq!(writes[0].app_ids, ["app-c"]);
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-a", "app-b"])
    );
    workspace.assert_no_changes();
}

/// Without `exclusive`, an app authorized by other means is left alone by plan,
/// apply and destroy.
#[test]
fn a_foreign_app_is_left_alone_by_default() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
    workspace.apply();
    emulator.clear_calls();
    world::authorize_outside(&emulator, "svc-1", "api-1", "app-x");

    workspace.assert_no_changes();
    workspace.destroy();

    let cancelled = calls::apps_sent(&calls::writes(&emulator), Operation::Cancel, "api-1");
    assert_eq!(cancelled, sorted(&ABC), "only the owned apps are cancelled");
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-x"])
    );
}

/// With `exclusive = true`, an app authorized by other means shows in the plan as
/// one to remove, and apply cancels only that app.
#[test]
fn exclusive_shows_a_foreign_app_as_one_to_remove() {
    let (emulator, workspace) = fixture();
    let exclusive = "  exclusive  = true\n";
    workspace.write_main(&hcl::auth_api_with("t", "svc-1", "api-1", &ABC, exclusive));
    workspace.apply();
    workspace.assert_no_changes();
    world::authorize_outside(&emulator, "svc-1", "api-1", "app-x");
    emulator.clear_calls();

    let plan = workspace.saved_plan(&[]);
    assert_eq!(
        app_ids_of(&planned_change(&plan, ADDRESS)["change"]["before"]),
        sorted(&["app-a", "app-b", "app-c", "app-x"])
    );
    assert_eq!(
        app_ids_of(&planned_change(&plan, ADDRESS)["change"]["after"]),
        sorted(&ABC)
    );
    let text = workspace.assert_plan_exit_code(2);
    assert!(
        text.stdout.contains("app-x"),
        "the plan names app-x: {text}"
    );
    workspace.apply();

    let writes = calls::writes(&emulator);
    assert_eq!(writes.len(), 1, "{}", calls::describe(&writes));
    assert_eq!(writes[0].operation(), Operation::Cancel);
    assert_eq!(writes[0].app_ids, ["app-x"]);
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
    workspace.assert_no_changes();
}

/// Two resources listing the same app of one API get a plan warning on `app_ids`
/// naming it, and an exclusive resource beside another on its API one on `exclusive`:
/// each would undo the other.
#[test]
fn resources_that_fight_over_an_api_are_warned_at_plan_time() {
    let (_emulator, workspace) = fixture();
    let warnings_for = |main: String| {
        workspace.write_main(&main);
        let plan = workspace.plan_json();
        assert_eq!(plan.code, 2, "{plan}");
        plan.diagnostics()
            .into_iter()
            // Terraform's own warnings (dev overrides) name no resource.
            .filter(|d| d.severity == "warning" && d.address.is_some())
            .collect::<Vec<_>>()
    };

    let shared = warnings_for(format!(
        "{}{}",
        hcl::auth_api("first", "svc-1", "api-1", &["app-a", "app-b"]),
        hcl::auth_api("second", "svc-1", "api-1", &["app-b", "app-c"])
    ));
    assert_eq!(shared.len(), 1, "{shared:#?}");
    assert_eq!(shared[0].summary, "Another resource lists the same apps");
    assert_eq!(shared[0].attribute().as_deref(), Some("app_ids"));
    assert!(shared[0].detail.contains("\"app-b\""), "{shared:#?}");
    assert!(!shared[0].detail.contains("\"app-a\""), "{shared:#?}");

    let exclusive = warnings_for(format!(
        "{}{}",
        hcl::auth_api_with(
            "first",
            "svc-1",
            "api-1",
            &["app-a"],
            "  exclusive = true\n"
        ),
        hcl::auth_api("second", "svc-1", "api-1", &["app-c"])
    ));
    assert_eq!(exclusive.len(), 1, "{exclusive:#?}");
    assert_eq!(exclusive[0].summary, "Exclusive resource shares its API");

    let apart = warnings_for(format!(
        "{}{}",
        hcl::auth_api("first", "svc-1", "api-1", &["app-a"]),
        hcl::auth_api("second", "svc-1", "api-2", &["app-a"])
    ));
    assert!(apart.is_empty(), "{apart:#?}");
}
