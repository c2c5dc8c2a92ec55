//! End to end with the real Terraform: the `modelarts_app` resource and the
//! `modelarts_apps` and `modelarts_app_auth_api` data sources.

mod support;

use serde_json::{json, Value};
use support::emulator::{Emulator, TEST_PROJECT};
use support::terraform::calls;
use support::terraform::checks::{app_ids_of, normalized, set, sorted};
use support::terraform::hcl;
use support::terraform::world::World;
use support::terraform::{Output, Workspace};

const APP: &str = "modelarts_app.billing";

/// The emulator's record of the app with `app_id`, if it has one.
fn app_in_emulator(emulator: &Emulator, app_id: &str) -> Option<Value> {
    emulator.state()["projects"][TEST_PROJECT]["apps"]
        .as_array()?
        .iter()
        .find(|a| a["app_id"] == app_id)
        .cloned()
}

/// An emulator with svc-1/api-1 authorized to app-a and app-b, and app-c unused.
fn seeded() -> (Emulator, Workspace) {
    let emulator = Emulator::start();
    World::new()
        .service("0", "svc-1", &["api-1"])
        .apps("0", &["app-a", "app-b", "app-c"])
        .authorized("0", "svc-1", "api-1", &["app-a", "app-b"])
        .load(&emulator);
    let workspace = Workspace::new(&emulator);
    (emulator, workspace)
}

/// An app is created with its name and description, its secret never shows in
/// Terraform's output, it imports back to the same state, a new name replaces it, and
/// destroy deletes it.
#[test]
fn an_app_is_created_imported_replaced_and_deleted() {
    let (emulator, workspace) = seeded();
    let config = |name: &str| {
        format!(
            "resource \"modelarts_app\" \"billing\" {{\n  name        = \"{name}\"\n  \
             description = \"Calls the fraud model\"\n}}\n"
        )
    };
    workspace.write_main(&config("billing"));

    let applied = workspace.apply();

    let values = workspace.resource(APP).expect("the app is in state");
    let app_id = values["id"].as_str().expect("an ID").to_owned();
    let record = app_in_emulator(&emulator, &app_id).expect("the emulator holds the app");
    assert_eq!(record["app_name"], "billing");
    assert_eq!(record["app_remark"], "Calls the fraud model");
    assert_eq!(values["name"], "billing");
    assert_eq!(values["app_key"], record["app_key"]);
    let secret = record["app_secret"].as_str().expect("a secret").to_owned();
    assert!(!secret.is_empty());
    let plan = workspace.assert_plan_exit_code(0);
    for output in [&applied, &plan] {
        assert!(
            !output.text().contains(&secret),
            "the app secret is hidden: {output}"
        );
    }
    let writes: Vec<_> = calls::calls(&emulator)
        .into_iter()
        .filter(|c| c.method == "POST" || c.method == "DELETE")
        .collect();
    assert_eq!(writes.len(), 1, "one create: {}", calls::describe(&writes));

    workspace.state_rm(APP);
    let imported = workspace.import(APP, &app_id);
    assert_eq!(imported.code, 0, "{imported}");
    assert!(!imported.text().contains(&secret), "{imported}");
    let again = workspace.resource(APP).expect("imported");
    for attribute in [
        "id",
        "name",
        "description",
        "app_key",
        "app_type",
        "workspace_id",
    ] {
        assert_eq!(
            again[attribute], values[attribute],
            "{attribute} after import"
        );
    }
    workspace.assert_no_changes();

    workspace.state_rm(APP);
    let missing = workspace.import(APP, "app-404");
    assert_ne!(missing.code, 0, "{missing}");
    let text = support::terraform::checks::normalized(&missing.stderr);
    for needle in [
        "Cannot import: app not found",
        "\"app-404\"",
        "Check the app ID",
    ] {
        assert!(text.contains(needle), "{needle}: {missing}");
    }
    let imported = workspace.import(APP, &app_id);
    assert_eq!(imported.code, 0, "{imported}");

    workspace.write_main(&config("billing-v2"));
    workspace.apply();
    let renamed = workspace.resource(APP).expect("in state");
    let new_id = renamed["id"].as_str().expect("an ID").to_owned();
    assert_ne!(new_id, app_id, "a new name gives a new app");
    assert!(
        app_in_emulator(&emulator, &app_id).is_none(),
        "the old app is deleted"
    );
    assert_eq!(
        app_in_emulator(&emulator, &new_id).expect("created")["app_name"],
        "billing-v2"
    );
    workspace.assert_no_changes();

    workspace.destroy();
    assert!(
        app_in_emulator(&emulator, &new_id).is_none(),
        "destroy deletes the app"
    );
}

/// The `modelarts_app_auth_api` data source lists every app authorized to the API,
/// however it was authorized, and writes nothing.
#[test]
fn the_auth_api_data_source_lists_every_authorized_app() {
    let (emulator, workspace) = seeded();
    workspace.write_main(
        "data \"modelarts_app_auth_api\" \"api\" {\n  service_id = \"svc-1\"\n  \
         api_id     = \"api-1\"\n}\n",
    );

    workspace.apply();

    let values = workspace
        .resource("data.modelarts_app_auth_api.api")
        .expect("read");
    assert_eq!(app_ids_of(&values), sorted(&["app-a", "app-b"]));
    assert_eq!(values["workspace_id"], "0");
    assert!(calls::writes(&emulator).is_empty());
    workspace.assert_no_changes();
}

/// The `modelarts_apps` data source filters by exact name and by regular expression
/// and never lists app secrets.
#[test]
fn the_apps_data_source_filters_by_name_and_pattern() {
    let (emulator, workspace) = seeded();
    workspace.write_main(
        "data \"modelarts_apps\" \"exact\" {\n  name = \"name-app-a\"\n}\n\
         data \"modelarts_apps\" \"pattern\" {\n  name_regex = \"^name-app-[bc]$\"\n}\n",
    );

    let output = workspace.apply();

    let ids = |address: &str| -> Vec<String> {
        let values = workspace.resource(address).expect("read");
        let mut ids: Vec<String> = values["apps"]
            .as_array()
            .expect("apps is a list")
            .iter()
            .map(|a| a["id"].as_str().expect("an id").to_owned())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids("data.modelarts_apps.exact"), ["app-a"]);
    assert_eq!(
        ids("data.modelarts_apps.pattern"),
        sorted(&["app-b", "app-c"])
    );
    let state = workspace.state_file();
    assert!(!state.contains("\"secret\""), "no app secret in state");
    assert!(!output.text().contains("\"secret\""), "{output}");
    assert!(calls::writes(&emulator).is_empty());
}

/// An emulator with svc-1/api-1 and app-a, and an applied `main.tf` where the app
/// `billing` (with `lifecycle` lines inside its block) is authorized to api-1 beside
/// app-a; then `main.tf` is rewritten without the app, which the next apply removes.
/// Returns the ID of `billing`.
fn app_bound_then_removed(lifecycle: &str) -> (Emulator, Workspace, String) {
    let emulator = Emulator::start();
    World::new()
        .service("0", "svc-1", &["api-1"])
        .apps("0", &["app-a"])
        .load(&emulator);
    let workspace = Workspace::new(&emulator);
    workspace.write_main(&format!(
        "resource \"modelarts_app\" \"billing\" {{\n  name = \"billing\"\n{lifecycle}}}\n{}",
        hcl::auth_api(
            "x",
            "svc-1",
            "api-1",
            &["app-a", "${modelarts_app.billing.id}"]
        )
    ));
    workspace.apply();
    let app_id = workspace.resource(APP).expect("in state")["id"]
        .as_str()
        .expect("an ID")
        .to_owned();
    workspace.write_main(&hcl::auth_api("x", "svc-1", "api-1", &["app-a"]));
    (emulator, workspace, app_id)
}

/// The detail, whitespace collapsed, of the error with `summary` in a failed `-json` run.
fn error_detail(failed: &Output, summary: &str) -> String {
    assert_eq!(failed.code, 1, "{failed}");
    let errors = failed.errors();
    let error = errors.iter().find(|d| d.summary == summary);
    normalized(
        &error
            .unwrap_or_else(|| panic!("{summary:?}: {failed}"))
            .detail,
    )
}

/// An app removed together with its place in an authorization fails to delete (Terraform
/// deletes it first), and the error gives the way out that works: apply the
/// authorization with -target, then apply again; never the credentials hint.
#[test]
fn a_removed_app_still_authorized_fails_with_a_way_out_that_works() {
    let (emulator, workspace, app_id) = app_bound_then_removed("");

    let failed = workspace.apply_json();

    let detail = error_detail(&failed, "Failed to delete app");
    for part in [
        app_id.as_str(),
        "ModelArts.0105",
        "terraform apply -target=",
        "create_before_destroy = true",
    ] {
        assert!(detail.contains(part), "{part:?} missing from {detail}");
    }
    assert!(
        !detail.contains("credentials"),
        "no credentials hint: {detail}"
    );
    assert!(app_in_emulator(&emulator, &app_id).is_some());

    workspace.run_ok(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-target=modelarts_app_auth_api.x",
    ]);
    workspace.apply();
    assert!(app_in_emulator(&emulator, &app_id).is_none(), "deleted");
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-a"])
    );
    workspace.assert_no_changes();
}

/// With `create_before_destroy` applied on the app, as the delete error advises, removing
/// the app updates the authorization first and the apply succeeds.
#[test]
fn create_before_destroy_on_an_app_lets_its_removal_succeed() {
    let lifecycle = "  lifecycle {\n    create_before_destroy = true\n  }\n";
    let (emulator, workspace, app_id) = app_bound_then_removed(lifecycle);

    workspace.apply();

    assert!(app_in_emulator(&emulator, &app_id).is_none(), "deleted");
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-a"])
    );
}

/// Applies an app named `name`, which must fail to create with a detail holding every
/// one of `parts`, and leave nothing in the state.
fn assert_create_refused_saying(workspace: &Workspace, name: &str, parts: &[&str]) {
    workspace.write_main(&format!(
        "resource \"modelarts_app\" \"billing\" {{\n  name = \"{name}\"\n}}\n"
    ));

    let failed = workspace.apply_json();

    let detail = error_detail(&failed, "Failed to create app");
    for part in parts {
        assert!(detail.contains(part), "{part:?} missing from {detail}");
    }
    assert!(workspace.resource(APP).is_none());
}

/// Past the app quota, the create error says how to make room.
#[test]
fn the_app_quota_error_says_what_to_do() {
    let (emulator, workspace) = seeded();
    emulator.put_settings(&serde_json::json!({"app_quota": 3}));
    assert_create_refused_saying(
        &workspace,
        "billing",
        &[
            "ModelArts.0116",
            "Delete apps that are no longer used",
            "higher app quota",
        ],
    );
}

/// An app whose name is already taken in the workspace fails to create with a way out:
/// import the app that has the name, or choose another.
#[test]
fn a_taken_app_name_error_says_how_to_adopt_or_rename() {
    let (emulator, workspace) = seeded();
    assert_create_refused_saying(
        &workspace,
        "name-app-c",
        &[
            "ModelArts.0107",
            "terraform import modelarts_app.<name> <app_id>",
            "another name",
        ],
    );
    assert!(app_in_emulator(&emulator, "app-c").is_some());
}

/// An app deleted behind Terraform's back is dropped from the state with a warning at
/// refresh, the plan creates it again, and the apply after that leaves nothing to do.
#[test]
fn an_app_deleted_outside_terraform_is_planned_again() {
    let (emulator, workspace) = seeded();
    workspace.write_main("resource \"modelarts_app\" \"billing\" {\n  name = \"billing\"\n}\n");
    workspace.apply();
    let old_id = workspace.resource(APP).expect("in state")["id"]
        .as_str()
        .expect("an ID")
        .to_owned();
    let deleted = emulator.call("DELETE", &format!("/app-auth/apps/{old_id}"), None);
    assert_eq!(deleted.status, 200, "{deleted:?}");

    let plan = workspace.plan_json();

    assert_eq!(plan.code, 2, "changes planned: {plan}");
    let warned = plan
        .diagnostics()
        .into_iter()
        .any(|d| d.severity == "warning" && d.summary == "App no longer exists");
    assert!(warned, "{plan}");
    assert!(
        plan.text()
            .contains("Plan: 1 to add, 0 to change, 0 to destroy"),
        "{plan}"
    );
    workspace.apply();
    let new_id = workspace.resource(APP).expect("in state")["id"]
        .as_str()
        .expect("an ID")
        .to_owned();
    assert_ne!(new_id, old_id);
    assert!(app_in_emulator(&emulator, &new_id).is_some());
    workspace.assert_no_changes();
}

/// A create whose answer is lost after the service made the app is not sent again (a
/// service allowing two apps of one name would make a second) and records that app:
/// the apply succeeds, the emulator holds one app of the name, and the next plan is
/// empty.
#[test]
fn an_app_created_whose_answer_was_lost_is_recorded() {
    let (emulator, workspace) =
        billing_applied_despite(json!({"operation": "create_app", "lose_answer": true}));

    let made = apps_named(&emulator, "billing");
    assert_eq!(made.len(), 1, "one app made: {made:?}");
    let creates: Vec<_> = calls::calls(&emulator)
        .into_iter()
        .filter(|c| c.method == "POST" && c.path.ends_with("/app-auth/apps"))
        .collect();
    assert_eq!(
        creates.len(),
        1,
        "a create the service may have made is not sent again: {}",
        calls::describe(&creates)
    );
    let recorded = workspace.resource(APP).expect("the app is in state");
    assert_eq!(recorded["id"], made[0]["app_id"]);
    assert_eq!(recorded["app_secret"], made[0]["app_secret"]);
    workspace.assert_no_changes();
}

/// A create answered with a 5xx, which the service may or may not have acted on, is
/// sent again only after a look finds no app of that name: one app is made, in state.
#[test]
fn an_app_create_answered_with_a_server_error_is_checked_then_sent_again() {
    let (emulator, workspace) =
        billing_applied_despite(json!({"operation": "create_app", "status": 503}));

    let app_calls: Vec<_> = calls::calls(&emulator)
        .into_iter()
        .filter(|c| c.path.contains("/app-auth/apps"))
        .map(|c| format!("{} {}", c.method, c.status))
        .collect();
    assert_eq!(
        app_calls[..3],
        ["POST 503", "GET 200", "POST 200"],
        "create, a look for the app, create again: {app_calls:?}"
    );
    let recorded = workspace.resource(APP).expect("the app is in state");
    let made: Vec<Value> = (apps_named(&emulator, "billing").iter())
        .map(|a| a["app_id"].clone())
        .collect();
    assert_eq!(
        made,
        [recorded["id"].clone()],
        "one app made, the one in state"
    );
    workspace.assert_no_changes();
}

/// Applies an app named billing with `fault` on its first create, and checks that the
/// apply succeeds.
fn billing_applied_despite(mut fault: Value) -> (Emulator, Workspace) {
    let (emulator, workspace) = seeded();
    workspace.write_main("resource \"modelarts_app\" \"billing\" {\n  name = \"billing\"\n}\n");
    fault["times"] = json!(1);
    emulator.put_faults(&json!([fault]));
    let applied = workspace.apply_json();
    assert_eq!(applied.code, 0, "{applied}");
    (emulator, workspace)
}

/// The emulator's apps named `name`.
fn apps_named(emulator: &Emulator, name: &str) -> Vec<Value> {
    let state = emulator.state();
    let apps = state["projects"][TEST_PROJECT]["apps"]
        .as_array()
        .expect("apps");
    apps.iter()
        .filter(|a| a["app_name"] == name)
        .cloned()
        .collect()
}
