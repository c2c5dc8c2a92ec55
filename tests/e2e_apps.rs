//! End to end with the real Terraform: the `modelarts_app` resource and the
//! `modelarts_apps` and `modelarts_app_auth_api` data sources.

mod support;

use serde_json::Value;
use support::emulator::{Emulator, TEST_PROJECT};
use support::terraform::calls;
use support::terraform::checks::{app_ids_of, sorted};
use support::terraform::world::World;
use support::terraform::Workspace;

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
