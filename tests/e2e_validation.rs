//! End to end with the real Terraform: invalid input is refused at plan time with the
//! attribute that caused it and no call to the service; values unknown at plan time
//! are accepted.

mod support;

use serde_json::Value;
use support::terraform::calls::{self, Operation};
use support::terraform::checks::{app_ids_of, fixture, planned_change, set, sorted};
use support::terraform::world::World;
use support::terraform::{hcl, Output};

const ADDRESS: &str = "modelarts_app_auth_api.t";

/// Fails unless the `-json` plan failed with an error on `attribute` and no other
/// kind of failure; returns the error's text.
fn assert_plan_error_on(output: &Output, attribute: &str) -> String {
    assert_eq!(output.code, 1, "the plan fails: {output}");
    let errors = output.errors();
    let error = errors
        .iter()
        .find(|d| d.attribute().as_deref() == Some(attribute))
        .unwrap_or_else(|| panic!("an error on {attribute}: {errors:#?}\n{output}"));
    assert_eq!(error.address.as_deref(), Some(ADDRESS), "{error:#?}");
    for d in &errors {
        assert!(
            !d.summary.contains("Provider produced") && !d.text().contains("inconsistent"),
            "a validation error, not a protocol failure: {d:#?}"
        );
    }
    error.text()
}

/// True when a plan's `after_unknown` marks the value, or one of its members, unknown.
fn marked_unknown(marks: &Value) -> bool {
    match marks {
        Value::Bool(b) => *b,
        Value::Array(items) => items.iter().any(|i| i == &Value::Bool(true)),
        _ => false,
    }
}

/// `app_ids = []` is refused on create with an error on `app_ids` saying at least one
/// app is needed, before any call to the service.
#[test]
fn an_empty_app_set_is_refused_on_create_without_calling_the_service() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &[]));

    let output = workspace.plan_json();

    let text = assert_plan_error_on(&output, "app_ids").to_lowercase();
    assert!(text.contains("at least one"), "says what is needed: {text}");
    assert!(!text.contains("null"), "never 'empty became null': {text}");
    assert!(
        emulator.calls().is_empty(),
        "no call: {:?}",
        emulator.calls()
    );
    let apply = workspace.apply_json();
    assert_eq!(apply.code, 1, "{apply}");
    assert!(emulator.calls().is_empty(), "no call on apply either");
    assert!(workspace.state_list().is_empty());
}

/// Changing an applied set to `[]` is refused at plan time on `app_ids`, with no call
/// to the service, and the authorizations stay.
#[test]
fn an_empty_app_set_is_refused_as_an_update_without_calling_the_service() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &["app-a"]));
    workspace.apply();
    workspace.assert_no_changes();

    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &[]));
    emulator.clear_calls();
    let output = workspace.plan_json();

    let text = assert_plan_error_on(&output, "app_ids").to_lowercase();
    assert!(text.contains("at least one"), "{text}");
    let log = calls::calls(&emulator);
    assert!(log.is_empty(), "no call: {}", calls::describe(&log));
    let apply = workspace.apply_json();
    assert_eq!(apply.code, 1, "{apply}");
    assert!(calls::writes(&emulator).is_empty());
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-a"])
    );
    let values = workspace.resource(ADDRESS).expect("still in state");
    assert_eq!(app_ids_of(&values), ["app-a"]);
}

/// Empty and whitespace-padded IDs are refused at plan time on the attribute that
/// holds them, with no call to the service.
#[test]
fn bad_ids_are_refused_at_plan_time_with_their_attribute() {
    let cases: [(&str, &str, &str, &[&str], &str); 7] = [
        ("empty app id", "svc-1", "api-1", &["", "app-a"], "app_ids"),
        (
            "app id with leading space",
            "svc-1",
            "api-1",
            &[" app-a"],
            "app_ids",
        ),
        (
            "app id with inner space",
            "svc-1",
            "api-1",
            &["app a"],
            "app_ids",
        ),
        ("empty service id", "", "api-1", &["app-a"], "service_id"),
        (
            "service id with trailing space",
            "svc-1 ",
            "api-1",
            &["app-a"],
            "service_id",
        ),
        ("empty api id", "svc-1", "", &["app-a"], "api_id"),
        ("api id with a tab", "svc-1", "api\t1", &["app-a"], "api_id"),
    ];
    let (emulator, workspace) = fixture();
    for (name, service_id, api_id, apps, attribute) in cases {
        workspace.write_main(&hcl::auth_api("t", service_id, api_id, apps));

        let output = workspace.plan_json();

        assert_eq!(output.code, 1, "{name}: {output}");
        let errors = output.errors();
        assert!(
            errors
                .iter()
                .any(|d| d.attribute().as_deref() == Some(attribute)
                    && d.address.as_deref() == Some(ADDRESS)),
            "{name}: an error on {ADDRESS}.{attribute}: {errors:#?}"
        );
        let log = calls::calls(&emulator);
        assert!(log.is_empty(), "{name}: no call: {}", calls::describe(&log));
    }
    assert!(workspace.state_list().is_empty());
}

/// An app ID unknown at plan time plans as "known after apply", applies without an
/// "inconsistent final plan", and the result is stable.
#[test]
fn app_ids_unknown_at_plan_time_are_accepted() {
    let (emulator, workspace) = fixture();
    // timestamp() is unknown while planning and known while applying, so the first
    // member stays unknown until apply, like the ID of an app created in the same run.
    let unknown = "replace(timestamp(), \"/^.*$/\", \"app-d\")";
    workspace.write_main(&format!(
        "resource \"modelarts_app_auth_api\" \"t\" {{\n  service_id = \"svc-1\"\n  \
         api_id     = \"api-1\"\n  app_ids    = [{unknown}, \"app-a\"]\n}}\n"
    ));

    let plan = workspace.saved_plan(&[]);
    let change = planned_change(&plan, ADDRESS);
    assert_eq!(change["change"]["actions"], serde_json::json!(["create"]));
    assert!(
        marked_unknown(&change["change"]["after_unknown"]["app_ids"]),
        "app_ids is known after apply: {change}"
    );
    let text_plan = workspace.plan();
    assert_eq!(text_plan.code, 2, "{text_plan}");
    assert!(
        text_plan.stdout.contains("known after apply"),
        "{text_plan}"
    );
    assert!(emulator.calls().iter().all(|c| c["method"] != "POST"));

    let output = workspace.apply();

    assert!(!output.text().contains("inconsistent"), "{output}");
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-a", "app-d"])
    );
    let grants = calls::of(&emulator, Operation::Authorize);
    assert_eq!(grants.len(), 1, "{}", calls::describe(&grants));
    assert_eq!(grants[0].app_ids, sorted(&["app-a", "app-d"]));
    let values = workspace.resource(ADDRESS).expect("in state");
    assert_eq!(app_ids_of(&values), sorted(&["app-a", "app-d"]));

    // timestamp() is unknown again in every later plan, so the stable check uses the
    // values it resolved to.
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &["app-d", "app-a"]));
    emulator.clear_calls();
    workspace.assert_no_changes();
    assert!(calls::writes(&emulator).is_empty());
}

/// The ID of an app created in the same apply is unknown at plan time; the apply
/// creates the app first, authorizes it with a in one call, and the next plan is empty.
#[test]
fn an_app_created_in_the_same_apply_is_authorized() {
    let emulator = support::emulator::Emulator::start();
    World::new()
        .service("0", "svc-1", &["api-1"])
        .apps("0", &["app-a"])
        .load(&emulator);
    let workspace = support::terraform::Workspace::new(&emulator);
    workspace.write_main(
        "resource \"modelarts_app\" \"new\" {\n  name = \"e2e-new-app\"\n}\n\
         resource \"modelarts_app_auth_api\" \"t\" {\n  service_id = \"svc-1\"\n  \
         api_id     = \"api-1\"\n  app_ids    = [modelarts_app.new.id, \"app-a\"]\n}\n",
    );

    let plan = workspace.saved_plan(&[]);
    let change = planned_change(&plan, ADDRESS);
    assert!(
        marked_unknown(&change["change"]["after_unknown"]["app_ids"]),
        "{change}"
    );
    let output = workspace.apply();

    assert!(!output.text().contains("inconsistent"), "{output}");
    let app = workspace
        .resource("modelarts_app.new")
        .expect("the app is in state");
    let new_id = app["id"].as_str().expect("the app has an ID").to_owned();
    let expected = sorted(&["app-a", &new_id]);
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        expected.iter().cloned().collect()
    );
    let grants = calls::of(&emulator, Operation::Authorize);
    assert_eq!(grants.len(), 1, "{}", calls::describe(&grants));
    assert_eq!(grants[0].app_ids, expected);
    let values = workspace.resource(ADDRESS).expect("in state");
    assert_eq!(app_ids_of(&values), expected);
    emulator.clear_calls();
    workspace.assert_no_changes();
    assert!(calls::writes(&emulator).is_empty());

    workspace.destroy();
    assert!(emulator.authorized_apps("svc-1", "api-1", "0").is_empty());
    let apps = emulator.state()["projects"][support::emulator::TEST_PROJECT]["apps"].clone();
    assert!(
        !apps.to_string().contains(&new_id),
        "the app is deleted: {apps}"
    );
}
