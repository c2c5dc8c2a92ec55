//! End to end with the real Terraform: two objects of the resource on one API in one
//! run. A replacement with `create_before_destroy` creates the new object before it
//! deletes the old one, both on the same API; any other replacement (of a tainted
//! object, or by `-replace`) deletes first and creates after; a renamed resource is
//! deleted at its old address while it is created at the new one. No delete may revoke
//! what the new object has recorded, or will record, as authorized.

mod support;

use serde_json::json;
use support::emulator::Emulator;
use support::terraform::calls::{self, Operation};
use support::terraform::checks::{
    app_ids_of, assert_next_apply_converges, assert_state_matches_emulator, fixture, normalized,
    set, sorted,
};
use support::terraform::{hcl, world, Workspace};

const ADDRESS: &str = "modelarts_app_auth_api.t";
const ABC: [&str; 3] = ["app-a", "app-b", "app-c"];
const CREATE_BEFORE_DESTROY: &str = "  lifecycle {\n    create_before_destroy = true\n  }\n";

/// `main.tf` with one resource named `name` on api-1 of svc-1 holding a, b and c,
/// with `extra` lines in its block.
fn write_config(workspace: &Workspace, name: &str, extra: &str) {
    workspace.write_main(&format!(
        "{}{}",
        hcl::provider_with_few_retries(),
        hcl::auth_api_with(name, "svc-1", "api-1", &ABC, extra)
    ));
}

/// A create that failed part way leaves a tainted object; with
/// `create_before_destroy`, the replacement the next apply makes authorizes only what
/// is missing and cancels nothing, so no app loses access.
#[test]
fn a_tainted_partial_create_is_finished_without_cancelling_anything() {
    let (emulator, workspace) = fixture();
    emulator.refuse_authorize_once("app-c");
    write_config(&workspace, "t", CREATE_BEFORE_DESTROY);

    let failed = workspace.apply_json();
    assert_eq!(failed.code, 1, "{failed}");
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-a", "app-b"])
    );
    assert!(
        workspace.state_file().contains("\"status\": \"tainted\""),
        "Terraform taints a failed create"
    );

    emulator.clear_calls();
    assert_next_apply_converges(&workspace, &emulator, &ABC);
    let writes = calls::writes(&emulator);
    assert!(
        calls::apps_sent(&writes, Operation::Cancel, "api-1").is_empty(),
        "nothing is cancelled: {}",
        calls::describe(&writes)
    );
    assert_eq!(
        calls::of(&emulator, Operation::Authorize).len(),
        1,
        "one authorize call: {}",
        calls::describe(&writes)
    );
}

/// Fails unless the calls logged since the last clear cancelled nothing on api-1 and
/// api-1 now holds exactly `apps`.
fn assert_nothing_cancelled_and_api_holds(emulator: &Emulator, apps: &[&str]) {
    let writes = calls::writes(emulator);
    assert!(
        calls::apps_sent(&writes, Operation::Cancel, "api-1").is_empty(),
        "{}",
        calls::describe(&writes)
    );
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(apps));
}

/// Applies the common configuration with `extra` lines in its block, then
/// `terraform apply -replace` of it; checks that the API and the state end with every
/// app and the next plan is empty, and returns the replacement's write calls.
fn replaced_with(extra: &str) -> Vec<calls::Call> {
    let (emulator, workspace) = fixture();
    write_config(&workspace, "t", extra);
    workspace.apply();

    emulator.clear_calls();
    let replaced = workspace.run_ok(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        &format!("-replace={ADDRESS}"),
    ]);
    assert!(
        replaced.text().contains("1 added, 0 changed, 1 destroyed"),
        "{replaced}"
    );
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
    assert_state_matches_emulator(&workspace, &emulator, ADDRESS);
    workspace.assert_no_changes();
    calls::writes(&emulator)
}

/// `terraform apply -replace` with `create_before_destroy`: the old object's delete
/// runs after the new object authorized the same apps, and leaves them authorized.
#[test]
fn a_replacement_created_before_the_delete_keeps_every_app() {
    let writes = replaced_with(CREATE_BEFORE_DESTROY);
    assert!(
        calls::apps_sent(&writes, Operation::Cancel, "api-1").is_empty(),
        "the delete leaves the replacement's apps alone: {}",
        calls::describe(&writes)
    );
}

/// `terraform apply -replace` without `create_before_destroy`: the delete runs first
/// and leaves every app the new object lists authorized for its create, which
/// authorizes them again in one call: no app loses access.
#[test]
fn a_replacement_deleted_first_keeps_every_app_it_still_lists() {
    let writes = replaced_with("");
    assert_eq!(writes.len(), 1, "{}", calls::describe(&writes));
    assert_eq!(
        calls::apps_sent(&writes, Operation::Authorize, "api-1"),
        sorted(&ABC),
        "{}",
        calls::describe(&writes)
    );
}

/// A tainted object replaced under a changed configuration: the delete cancels only
/// the app the configuration dropped; the create authorizes the new set.
#[test]
fn a_tainted_object_replaced_under_new_apps_cancels_only_the_dropped_one() {
    let (emulator, workspace) = fixture();
    emulator.refuse_authorize_once("app-c");
    write_config(&workspace, "t", "");
    assert_eq!(workspace.apply_json().code, 1);
    assert!(workspace.state_file().contains("\"status\": \"tainted\""));

    emulator.clear_calls();
    let acd = ["app-a", "app-c", "app-d"];
    workspace.write_main(&format!(
        "{}{}",
        hcl::provider_with_few_retries(),
        hcl::auth_api("t", "svc-1", "api-1", &acd)
    ));
    assert_next_apply_converges(&workspace, &emulator, &acd);
    let writes = calls::writes(&emulator);
    calls::assert_sent(&writes, "api-1", &acd, &["app-b"]);
}

/// The create half of a replacement failing again still records the apps the delete
/// left authorized for it: the state never loses an authorization that exists.
#[test]
fn a_replacement_whose_create_fails_again_keeps_the_apps_handed_over() {
    let (emulator, workspace) = fixture();
    emulator.refuse_authorize_once("app-c");
    write_config(&workspace, "t", "");
    assert_eq!(workspace.apply_json().code, 1);

    emulator.refuse_authorize_once("app-c");
    emulator.clear_calls();
    let again = workspace.apply_json();
    assert_eq!(again.code, 1, "{again}");
    assert_nothing_cancelled_and_api_holds(&emulator, &["app-a", "app-b"]);
    let values = workspace.resource(ADDRESS).expect("still in state");
    assert_eq!(app_ids_of(&values), sorted(&["app-a", "app-b"]));

    assert_next_apply_converges(&workspace, &emulator, &ABC);
}

/// An app of a tainted object cancelled behind Terraform's back before the next apply
/// is authorized again by the replacement, and nothing is cancelled.
#[test]
fn a_tainted_object_whose_app_was_cancelled_outside_sends_it_again() {
    let (emulator, workspace) = fixture();
    emulator.refuse_authorize_once("app-c");
    // Reads are believed at once: the refresh right after the failed create would
    // otherwise wait out the window for app-b.
    workspace.write_main(&format!(
        "{}{}",
        hcl::provider(&[("max_retries", "1"), ("read_lag_seconds", "0")]),
        hcl::auth_api("t", "svc-1", "api-1", &ABC)
    ));
    assert_eq!(workspace.apply_json().code, 1);
    world::cancel_outside(&emulator, "api-1", &["app-b"]);

    emulator.clear_calls();
    assert_next_apply_converges(&workspace, &emulator, &ABC);
    calls::assert_sent(&calls::writes(&emulator), "api-1", &ABC, &[]);
}

/// A `-replace` plan saved, then applied after the cloud changed: the state the
/// plan's delete holds is out of date, so the create authorizes every app again and
/// records only what the service confirms. An app cancelled meanwhile is authorized
/// again; an API deleted meanwhile fails the apply and leaves no object.
#[test]
fn a_saved_replacement_applied_after_drift_records_only_what_exists() {
    for api_deleted in [false, true] {
        let (emulator, workspace) = fixture();
        write_config(&workspace, "t", "");
        workspace.apply();
        let replace = format!("-replace={ADDRESS}");
        workspace.run_ok(&["plan", "-input=false", "-out=saved.tfplan", &replace]);
        match api_deleted {
            false => world::cancel_outside(&emulator, "api-1", &["app-b"]),
            true => world::delete_api(&emulator, "svc-1", "api-1"),
        }

        let applied = workspace.run(&["apply", "-input=false", "-no-color", "saved.tfplan"]);
        assert_eq!(applied.code, i32::from(api_deleted), "{applied}");
        match api_deleted {
            false => {
                assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
                assert_state_matches_emulator(&workspace, &emulator, ADDRESS);
            }
            true => assert!(workspace.resource(ADDRESS).is_none(), "{applied}"),
        }
    }
}

/// The create half of a replacement that times out waiting for its turn on the API
/// (another resource's slow cancel holds it) still records the apps the delete left
/// authorized for it, so removing the resource later cancels them.
#[test]
fn a_replacement_timing_out_before_its_turn_still_records_what_it_was_handed() {
    let (emulator, workspace) = fixture();
    emulator.refuse_authorize_once("app-c");
    let config = |t: Option<(&[&str], &str)>, u: &[&str], slow: &[&str]| {
        let t = t.map(|(apps, extra)| hcl::auth_api_with("t", "svc-1", "api-1", apps, extra));
        let after_slow = "  depends_on = [modelarts_app_auth_api.slowpoke]\n";
        format!(
            "{}{}{}{}",
            hcl::provider_with_few_retries(),
            t.unwrap_or_default(),
            hcl::auth_api_with("u", "svc-1", "api-1", u, after_slow),
            hcl::auth_api("slowpoke", "svc-1", "api-2", slow)
        )
    };
    workspace.write_main(&config(Some((&ABC, "")), &["app-x", "app-d"], &["app-a"]));
    assert_eq!(workspace.apply_json().code, 1);
    let values = workspace.resource(ADDRESS).expect("tainted in state");
    assert_eq!(app_ids_of(&values), sorted(&["app-a", "app-b"]));

    // t's delete cancels b (slowly) and hands a over; u's cancel of d then holds the
    // API past t's two-second create timeout.
    emulator.put_faults(&json!([
        {"operation": "cancel", "app_id": "app-b", "delay_ms": 1500},
        {"operation": "authorize", "app_id": "app-b", "delay_ms": 700},
        {"operation": "cancel", "app_id": "app-d", "delay_ms": 6000}
    ]));
    let short = "  timeouts {\n    create = \"2s\"\n  }\n";
    workspace.write_main(&config(
        Some((&["app-a"], short)),
        &["app-x"],
        &["app-a", "app-b"],
    ));
    let timed_out = workspace.apply_json();
    assert!(
        timed_out
            .text()
            .contains("Timed out before the create could start"),
        "{timed_out}"
    );
    let values = workspace.resource(ADDRESS).expect("recorded");
    assert_eq!(app_ids_of(&values), sorted(&["app-a"]));

    emulator.clear_faults();
    workspace.write_main(&config(None, &["app-x"], &["app-a", "app-b"]));
    workspace.apply();
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-x"])
    );
}

/// A delete that is not half of a replacement gets no successor, so it cancels every
/// app of a tainted object: `terraform destroy`, a saved destroy plan, and the
/// resource removed from the configuration.
#[test]
fn deletes_that_replace_nothing_cancel_every_app_of_a_tainted_object() {
    for way in [
        "destroy",
        "saved destroy plan",
        "removed from the configuration",
    ] {
        let (emulator, workspace) = fixture();
        emulator.refuse_authorize_once("app-c");
        write_config(&workspace, "t", "");
        assert_eq!(workspace.apply_json().code, 1, "{way}");
        emulator.clear_faults();

        match way {
            "destroy" => {
                workspace.destroy();
            }
            "saved destroy plan" => {
                workspace.run_ok(&["plan", "-destroy", "-input=false", "-out=d.tfplan"]);
                workspace.run_ok(&["apply", "-input=false", "d.tfplan"]);
            }
            _ => {
                workspace.write_main(&hcl::provider_with_few_retries());
                workspace.apply();
            }
        }
        assert_eq!(
            emulator.authorized_apps("svc-1", "api-1", "0"),
            set(&[]),
            "{way}"
        );
        assert!(workspace.state_list().is_empty(), "{way}");
    }
}

/// A new resource created on the API before a replacement's delete runs does not make
/// that delete revoke what the replacement lists. A slow cancel elsewhere, which the
/// replaced resource waits for, lets the new resource's create go first; the
/// replacement's authorize of its app is then refused once, which only a re-read can
/// settle, so an app revoked by the delete would stay lost.
#[test]
fn a_new_resource_on_the_api_leaves_the_replacement_its_apps() {
    let (emulator, workspace) = fixture();
    let provider = hcl::provider_with_few_retries();
    let t = hcl::auth_api("t", "svc-1", "api-1", &["app-a"]);
    let first = "  depends_on = [modelarts_app_auth_api.t]\n";
    let elsewhere = hcl::auth_api_with("e", "svc-1", "api-2", &["app-c"], first);
    workspace.write_main(&format!("{provider}{t}{elsewhere}"));
    workspace.apply();

    let new = hcl::auth_api("n", "svc-1", "api-1", &["app-x"]);
    workspace.write_main(&format!("{provider}{t}{new}"));
    emulator.put_faults(&json!([
        {"operation": "cancel", "app_id": "app-c", "delay_ms": 3000},
        {"operation": "authorize", "app_id": "app-a", "times": 1,
        "fail_app_reason": "the app belongs to another user"}
    ]));
    emulator.clear_calls();
    workspace.run_ok(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        &format!("-replace={ADDRESS}"),
    ]);

    assert_nothing_cancelled_and_api_holds(&emulator, &["app-a", "app-x"]);
    for (address, apps) in [(ADDRESS, "app-a"), ("modelarts_app_auth_api.n", "app-x")] {
        let values = workspace.resource(address).expect("in state");
        assert_eq!(app_ids_of(&values), [apps], "{address}");
    }
}

/// An exclusive replacement cancels the app authorized by other means that its state
/// recorded; with reads lagging behind writes, the refresh right after must wait for
/// the cancel to show rather than report the app as drift.
#[test]
fn an_exclusive_replacement_waits_for_its_cancel_to_show() {
    let (emulator, workspace) = fixture();
    let exclusive = "  exclusive = true\n";
    workspace.write_main(&format!(
        "{}{}",
        hcl::provider_with_few_retries(),
        hcl::auth_api_with("t", "svc-1", "api-1", &["app-a", "app-b"], exclusive)
    ));
    workspace.apply();
    world::authorize_outside(&emulator, "svc-1", "api-1", "app-x");
    emulator.put_settings(&json!({"read_lag_reads": 1}));

    workspace.run_ok(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        &format!("-replace={ADDRESS}"),
    ]);
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-a", "app-b"])
    );
    workspace.assert_no_changes();
}

/// A handed-over app whose authorize is refused while reads lag behind writes: the
/// re-read does not show it yet, but it was authorized, so the state keeps it and
/// removing the resource later cancels it.
#[test]
fn a_refused_handed_over_app_a_lagging_read_misses_is_kept() {
    let (emulator, workspace) = fixture();
    emulator.put_settings(&json!({"read_lag_reads": 3}));
    emulator.refuse_authorize_once("app-c");
    write_config(&workspace, "t", "");
    assert_eq!(workspace.apply_json().code, 1);

    emulator.put_faults(
        &json!([{"operation": "authorize", "app_id": "app-a", "times": 1,
        "fail_app_reason": "try again later"}]),
    );
    let replaced = workspace.run(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-refresh=false",
    ]);
    assert_eq!(replaced.code, 1, "{replaced}");
    assert!(
        normalized(&replaced.text()).contains("\"app-a\" was not cancelled by the delete"),
        "{replaced}"
    );
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
    let values = workspace.resource(ADDRESS).expect("in state");
    assert_eq!(app_ids_of(&values), sorted(&ABC));

    emulator.clear_faults();
    workspace.write_main(&hcl::provider_with_few_retries());
    workspace.apply();
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&[]));
}

/// A tainted object replaced in the same apply that deletes another resource listing
/// one of its apps on the same API. Whichever delete runs first, the shared app ends
/// authorized and in the replacement's state: the other delete leaves an app handed
/// over to the replacement alone, and an app that delete cancelled first is sent
/// again, never recorded unsent. Run a few times, since Terraform picks the order.
#[test]
fn a_replacement_beside_a_delete_of_a_shared_app_records_only_what_exists() {
    for round in 0..3 {
        let (emulator, workspace) = fixture();
        emulator.refuse_authorize_once("app-d");
        let abd = ["app-a", "app-b", "app-d"];
        let replaced = hcl::auth_api("t", "svc-1", "api-1", &abd);
        let provider = hcl::provider_with_few_retries();
        workspace.write_main(&format!(
            "{provider}{replaced}{}",
            hcl::auth_api("other", "svc-1", "api-1", &["app-b"])
        ));
        assert_eq!(workspace.apply_json().code, 1, "round {round}");

        workspace.write_main(&format!("{provider}{replaced}"));
        assert_next_apply_converges(&workspace, &emulator, &abd);
        assert_eq!(workspace.state_list(), [ADDRESS], "round {round}");
    }
}

/// The same, with the order pinned and the shared app's authorize refused: the other
/// resource depends on the replaced one, so Terraform deletes it first and it cancels
/// the app. The replacement's delete must not hand that app over as authorized, so
/// when the create's authorize of it is refused, the state leaves it out, as the API
/// does.
#[test]
fn an_app_cancelled_before_the_replacement_and_then_refused_is_not_recorded() {
    let (emulator, workspace) = fixture();
    let abd = ["app-a", "app-b", "app-d"];
    let provider = hcl::provider_with_few_retries();
    let replaced = hcl::auth_api("t", "svc-1", "api-1", &abd);
    let after_t = "  depends_on = [modelarts_app_auth_api.t]\n";
    let other = hcl::auth_api_with("other", "svc-1", "api-1", &["app-b"], after_t);
    workspace.write_main(&format!("{provider}{replaced}{other}"));
    workspace.apply();

    workspace.write_main(&format!("{provider}{replaced}"));
    emulator.refuse_authorize_once("app-b");
    emulator.clear_calls();
    let replace = format!("-replace={ADDRESS}");
    let applied = workspace.apply_json_with(&[&replace]);
    assert_eq!(applied.code, 1, "{applied}");
    let writes = calls::writes(&emulator);
    assert_eq!(
        calls::apps_sent(&writes, Operation::Cancel, "api-1"),
        ["app-b"],
        "the other resource's delete cancels b first: {}",
        calls::describe(&writes)
    );
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-a", "app-d"])
    );
    assert_state_matches_emulator(&workspace, &emulator, ADDRESS);

    emulator.clear_faults();
    assert_next_apply_converges(&workspace, &emulator, &abd);
}

/// Renaming the resource makes Terraform 1.0 delete the old address and create the new
/// one in parallel. Cancels are slowed down so that, unless the two are kept apart,
/// the delete's cancel lands after the create; the API must end with every app.
#[test]
fn renaming_the_resource_never_revokes_what_the_new_address_holds() {
    let (emulator, workspace) = fixture();
    write_config(&workspace, "t", "");
    workspace.apply();

    emulator.put_faults(&json!([{"operation": "cancel", "delay_ms": 500}]));
    write_config(&workspace, "renamed", "");
    let renamed = workspace.apply();
    assert!(
        renamed.text().contains("1 added, 0 changed, 1 destroyed"),
        "{renamed}"
    );

    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
    assert_state_matches_emulator(&workspace, &emulator, "modelarts_app_auth_api.renamed");
    assert_eq!(workspace.state_list(), ["modelarts_app_auth_api.renamed"]);
    emulator.clear_faults();
    workspace.assert_no_changes();
}

/// Two resources share an API, each owning its own apps. Moving app-c from `first` to
/// `second` in one apply must leave it authorized whichever update Terraform runs first;
/// `depends_on` pins the order in which a blind cancel would revoke it (the adding
/// update first), and the other order is the one Terraform picks on its own half the
/// time.
#[test]
fn an_app_moved_between_two_resources_on_one_api_stays_authorized() {
    for pinned in [true, false] {
        let (emulator, workspace) = fixture();
        let config = |first: &[&str], second: &[&str]| {
            let order = match pinned {
                true => "  depends_on = [modelarts_app_auth_api.second]\n",
                false => "",
            };
            format!(
                "{}{}{}",
                hcl::provider_with_few_retries(),
                hcl::auth_api_with("first", "svc-1", "api-1", first, order),
                hcl::auth_api("second", "svc-1", "api-1", second)
            )
        };
        workspace.write_main(&config(&["app-a", "app-c"], &["app-b"]));
        workspace.apply();

        emulator.clear_calls();
        workspace.write_main(&config(&["app-a"], &["app-b", "app-c"]));
        workspace.apply();

        assert_eq!(
            emulator.authorized_apps("svc-1", "api-1", "0"),
            set(&ABC),
            "pinned order: {pinned}"
        );
        for (name, apps) in [("first", &["app-a"][..]), ("second", &["app-b", "app-c"])] {
            let values = workspace
                .resource(&format!("modelarts_app_auth_api.{name}"))
                .expect("in state");
            assert_eq!(
                app_ids_of(&values),
                sorted(apps),
                "{name}, pinned: {pinned}"
            );
        }
        workspace.assert_no_changes();
    }
}
