//! End to end with the real Terraform: a service whose reads lag behind its writes. The
//! refresh right after an apply waits for the apps it just authorized instead of showing
//! them as missing (and, for an exclusive resource, for the apps it just cancelled to
//! go), trusts the apply when it cannot wait long enough, and never hides an app that
//! is really gone or authorized again.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};
use support::emulator::Emulator;
use support::terraform::calls::{self, Operation};
use support::terraform::checks::{app_ids_of, fixture, set, sorted};
use support::terraform::{hcl, world, Workspace};

const ADDRESS: &str = "modelarts_app_auth_api.t";
const AB: [&str; 2] = ["app-a", "app-b"];
const ABC: [&str; 3] = ["app-a", "app-b", "app-c"];

/// How many reads of an API after an authorization still do not show it: the first
/// read of the next refresh and the first re-read.
const LAG: u32 = 2;

/// More hidden reads than a refresh makes in its grace window.
const LONG_LAG: u32 = 20;

/// A read timeout too short for the whole grace window, as extra lines of the block.
const SHORT_READ: &str = "  timeouts {\n    read = \"2s\"\n  }\n";

/// The extra line of an exclusive resource.
const EXCLUSIVE: &str = "  exclusive = true\n";

/// The reads of api-1 the emulator logged since the last clear.
fn reads_of_api(emulator: &Emulator) -> Vec<calls::Call> {
    calls::of(emulator, Operation::ListRelations)
        .into_iter()
        .filter(|c| c.api_id() == Some("api-1"))
        .collect()
}

/// Runs a plan that must find no changes, and returns how many times it read api-1.
fn plan_without_changes(emulator: &Emulator, workspace: &Workspace) -> usize {
    emulator.clear_calls();
    workspace.assert_no_changes();
    let reads = reads_of_api(emulator);
    assert!(calls::writes(emulator).is_empty(), "plans never write");
    reads.len()
}

/// The private state Terraform stores for the resource, decoded (null when none).
fn stored_private(workspace: &Workspace) -> Value {
    let state: Value = serde_json::from_str(&workspace.state_file()).expect("a state file");
    let Some(encoded) = state
        .pointer("/resources/0/instances/0/private")
        .and_then(Value::as_str)
    else {
        return Value::Null;
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .expect("private is base64");
    rmp_serde::from_slice(&bytes).expect("private is MessagePack")
}

/// Terraform keeps the record an apply returns, and a refresh that sees the apps
/// clears it.
#[test]
fn the_record_is_stored_by_apply_and_cleared_by_a_refresh() {
    let (_emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &AB));

    workspace.apply();

    let private = stored_private(&workspace);
    assert!(
        is_stamp(&private),
        "a time stamp, and nothing else: {private}"
    );
    workspace.run_ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);
    assert_eq!(stored_private(&workspace), Value::Null);
}

/// A plan right after a create, while reads still hide the new apps, finds no changes:
/// its refresh reads the API again until the apps appear.
#[test]
fn a_plan_right_after_a_create_waits_for_lagging_reads() {
    let (emulator, workspace) = fixture();
    emulator.put_settings(&json!({ "read_lag_reads": LAG }));
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));

    workspace.apply();

    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
    let reads = plan_without_changes(&emulator, &workspace);
    assert_eq!(reads, LAG as usize + 1, "hidden twice, then shown");
    let values = workspace.resource(ADDRESS).expect("in the state");
    assert_eq!(app_ids_of(&values), sorted(&ABC));
}

/// With `read_lag_seconds = 0` the refresh believes its first answer: the plan right
/// after a create, while reads still hide the new apps, reads once and offers to
/// authorize them again, as the setting says.
#[test]
fn read_lag_seconds_zero_believes_the_first_answer() {
    let (emulator, workspace) = fixture();
    emulator.put_settings(&json!({ "read_lag_reads": LAG }));
    let provider = hcl::provider(&[("read_lag_seconds", "0")]);
    let resource = hcl::auth_api("t", "svc-1", "api-1", &AB);
    workspace.write_main(&format!("{provider}{resource}"));
    workspace.apply();
    emulator.clear_calls();

    let plan = workspace.assert_plan_exit_code(2);

    assert_eq!(reads_of_api(&emulator).len(), 1, "no re-read");
    assert!(marks(&plan.stdout, '+', "app-a"), "{plan}");
}

/// The same after an update that adds an app: the plan waits for the new app, and
/// the apps authorized long before are not waited for again.
#[test]
fn a_plan_right_after_an_update_waits_for_the_added_app() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &AB));
    workspace.apply();
    emulator.put_settings(&json!({ "read_lag_reads": LAG }));
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));

    emulator.clear_calls();
    workspace.apply();

    let writes = calls::writes(&emulator);
    assert_eq!(writes.len(), 1, "{}", calls::describe(&writes));
    assert_eq!(writes[0].app_ids, ["app-c"], "only the new app is sent");
    let reads = plan_without_changes(&emulator, &workspace);
    assert_eq!(reads, LAG as usize + 1, "hidden twice, then shown");
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
}

/// An app cancelled behind Terraform's back right after the apply still shows as
/// drift: the refresh re-reads while the grace window lasts, then believes the service.
#[test]
fn an_app_cancelled_right_after_the_apply_is_still_drift() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
    workspace.apply();
    world::cancel_outside(&emulator, "api-1", &["app-b"]);
    emulator.clear_calls();

    let plan = workspace.assert_plan_exit_code(2);

    let reads = reads_of_api(&emulator);
    assert!(
        reads.len() > 1,
        "the refresh waited for app-b before believing it gone: {}",
        calls::describe(&reads)
    );
    assert!(
        marks(&plan.stdout, '+', "app-b"),
        "the plan authorizes app-b again: {plan}"
    );
    assert!(calls::writes(&emulator).is_empty(), "plans never write");
}

/// A destroy right after an apply, whose refresh may not wait the whole window (a
/// short read timeout), still cancels the apps reads do not show yet: the refresh keeps
/// them rather than trust an answer that may be stale.
#[test]
fn a_destroy_right_after_an_apply_cancels_apps_reads_do_not_show_yet() {
    let (emulator, workspace) =
        applied_with_long_lag(&hcl::auth_api_with("t", "svc-1", "api-1", &AB, SHORT_READ));

    workspace.destroy();

    let writes = calls::writes(&emulator);
    let cancelled = calls::apps_sent(&writes, Operation::Cancel, "api-1");
    assert_eq!(cancelled, sorted(&AB), "{}", calls::describe(&writes));
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&[]));
}

/// `apply -refresh-only` right after an apply, with a read timeout too short to wait
/// the whole window, keeps the apps reads do not show yet, and the record that makes
/// the next refresh wait for them.
#[test]
fn a_refresh_cut_short_by_its_timeout_keeps_the_apps_and_the_record() {
    let (emulator, workspace) =
        applied_with_long_lag(&hcl::auth_api_with("t", "svc-1", "api-1", &AB, SHORT_READ));

    workspace.run_ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);

    assert!(
        reads_of_api(&emulator).len() > 1,
        "the refresh re-read within its timeout"
    );
    assert_apps_and_record_kept(&workspace);
}

/// A refresh whose re-read fails is a failed read, not a believed answer: the command
/// fails with the error of a failed read, and the state keeps the apps and the record.
#[test]
fn a_refresh_whose_re_read_fails_keeps_the_apps_and_the_record() {
    let provider = hcl::provider_with_few_retries();
    let (emulator, workspace) = applied_with_long_lag(&format!(
        "{provider}{}",
        hcl::auth_api("t", "svc-1", "api-1", &AB)
    ));

    let output = with_rereads_failing(&emulator, || workspace.apply_json_with(&["-refresh-only"]));

    let failed = reads_of_api(&emulator)
        .into_iter()
        .filter(|read| read.status == 503)
        .count();
    assert!(failed > 0, "a re-read failed: {output}");
    assert_eq!(output.code, 1, "{output}");
    let summaries: Vec<String> = output.errors().into_iter().map(|e| e.summary).collect();
    assert_eq!(summaries, ["Failed to read app authorizations"], "{output}");
    assert_apps_and_record_kept(&workspace);
}

/// Two quick applies, the second changing no app (only a timeout): the plan right
/// after them still waits for the apps the first one authorized, because the update
/// keeps the create's record.
#[test]
fn an_update_keeps_the_record_of_the_create_before_it() {
    let (emulator, workspace) = fixture();
    emulator.put_settings(&json!({ "read_lag_reads": LAG }));
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
    workspace.apply();
    let created = stored_private(&workspace);
    let longer_update = "  timeouts {\n    update = \"4m\"\n  }\n";
    workspace.write_main(&hcl::auth_api_with(
        "t",
        "svc-1",
        "api-1",
        &ABC,
        longer_update,
    ));

    // No refresh in between, as with `-refresh=false` or a refresh cut short.
    workspace.run_ok(&["apply", "-refresh=false", "-auto-approve", "-input=false"]);

    assert!(is_stamp(&created), "the create leaves a record: {created}");
    assert_eq!(
        stored_private(&workspace),
        created,
        "the create's record is kept"
    );
    let reads = plan_without_changes(&emulator, &workspace);
    assert_eq!(reads, LAG as usize + 1, "hidden twice, then shown");
}

/// An update that cancels records the apps it cancelled beside its stamp, whether or
/// not the resource is exclusive.
#[test]
fn a_cancel_is_recorded_by_name() {
    let (_emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
    workspace.apply();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &AB));

    workspace.run_ok(&["apply", "-refresh=false", "-auto-approve", "-input=false"]);

    let private = stored_private(&workspace);
    assert!(is_stamp(&private[0]), "a stamp: {private}");
    assert_eq!(private[1], json!(["app-c"]), "and the cancel: {private}");
}

/// A plan right after an exclusive resource cancelled an app, while reads still show
/// it, finds no changes: its refresh reads the API again until the app is gone,
/// instead of recording it as authorized by other means and offering to cancel it
/// again.
#[test]
fn a_plan_right_after_a_cancel_waits_for_lagging_reads() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api_with("t", "svc-1", "api-1", &ABC, EXCLUSIVE));
    workspace.apply();
    emulator.put_settings(&json!({ "read_lag_reads": LAG }));
    workspace.write_main(&hcl::auth_api_with("t", "svc-1", "api-1", &AB, EXCLUSIVE));

    workspace.apply();

    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&AB));
    let reads = plan_without_changes(&emulator, &workspace);
    assert_eq!(reads, LAG as usize + 1, "shown twice, then gone");
    let values = workspace.resource(ADDRESS).expect("in the state");
    assert_eq!(app_ids_of(&values), sorted(&AB));
}

/// An app authorized again behind Terraform's back right after an exclusive resource
/// cancelled it is drift all the same: the refresh waits out the window, then records
/// it, and the plan offers to cancel it.
#[test]
fn an_app_authorized_again_right_after_its_cancel_is_still_drift() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api_with("t", "svc-1", "api-1", &ABC, EXCLUSIVE));
    workspace.apply();
    workspace.write_main(&hcl::auth_api_with("t", "svc-1", "api-1", &AB, EXCLUSIVE));
    workspace.apply();
    world::authorize_outside(&emulator, "svc-1", "api-1", "app-c");
    emulator.clear_calls();

    let plan = workspace.assert_plan_exit_code(2);

    let reads = reads_of_api(&emulator);
    assert!(
        reads.len() > 1,
        "the refresh waited for app-c to go before believing it back: {}",
        calls::describe(&reads)
    );
    assert!(
        marks(&plan.stdout, '-', "app-c"),
        "the plan cancels app-c again: {plan}"
    );
}

/// A refresh cut short by its timeout while reads still show an app an exclusive
/// resource cancelled trusts the cancel: the app stays out of the state, and the
/// record stays for the next refresh.
#[test]
fn a_refresh_cut_short_after_a_cancel_keeps_the_app_out() {
    let extra = format!("{EXCLUSIVE}{SHORT_READ}");
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api_with("t", "svc-1", "api-1", &ABC, &extra));
    workspace.apply();
    emulator.put_settings(&json!({ "read_lag_reads": LONG_LAG }));
    workspace.write_main(&hcl::auth_api_with("t", "svc-1", "api-1", &AB, &extra));
    workspace.apply();
    emulator.clear_calls();

    workspace.run_ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);

    assert!(
        reads_of_api(&emulator).len() > 1,
        "the refresh re-read within its timeout"
    );
    let values = workspace.resource(ADDRESS).expect("in the state");
    assert_eq!(app_ids_of(&values), sorted(&AB));
    let private = stored_private(&workspace);
    assert_eq!(
        private[1],
        json!(["app-c"]),
        "the record is kept: {private}"
    );
}

/// A non-exclusive update cancels an app, and a quick second apply turns `exclusive`
/// on: the plan right after it, while reads still show the cancelled app, finds no
/// changes. The cancel is recorded although the first update was not exclusive, and
/// the refresh in between, which did not need it, keeps it.
#[test]
fn exclusive_turned_on_right_after_a_cancel_waits_for_it_too() {
    let (emulator, workspace) = fixture();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
    workspace.apply();
    emulator.put_settings(&json!({ "read_lag_reads": LAG }));
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &AB));
    workspace.apply();
    workspace.write_main(&hcl::auth_api_with("t", "svc-1", "api-1", &AB, EXCLUSIVE));

    workspace.apply();

    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&AB));
    plan_without_changes(&emulator, &workspace);
    let values = workspace.resource(ADDRESS).expect("in the state");
    assert_eq!(app_ids_of(&values), sorted(&AB));
}

/// A create whose authorize answers are all lost (the service applied them) while
/// reads lag: the re-read that does not show the apps yet cannot prove they are not
/// authorized, so the state keeps them all, and nothing is left that Terraform would
/// never cancel.
#[test]
fn a_create_whose_answers_are_lost_keeps_apps_a_lagging_re_read_lacks() {
    let (emulator, workspace) = fixture();
    emulator.put_settings(&json!({ "read_lag_reads": LAG }));
    emulator.put_faults(&json!([{"operation": "authorize", "lose_answer": true}]));
    let provider = hcl::provider_with_few_retries();
    let resource = hcl::auth_api("t", "svc-1", "api-1", &ABC);
    workspace.write_main(&format!("{provider}{resource}"));

    let output = workspace.apply_json();

    assert_eq!(output.code, 1, "no answer confirms the apps: {output}");
    let authorize = calls::of(&emulator, Operation::Authorize);
    assert!(
        authorize
            .iter()
            .all(|c| c.raw["answer_lost"] == true && c.status == 200),
        "every authorize was applied, unanswered: {}",
        calls::describe(&authorize)
    );
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
    let values = workspace.resource(ADDRESS).expect("the apps are kept");
    assert_eq!(app_ids_of(&values), sorted(&ABC), "{output}");
}

/// The same on an update: the added app whose answer is lost stays in the state, so
/// that dropping it from the configuration later cancels it.
#[test]
fn an_update_whose_answer_is_lost_keeps_the_app_a_lagging_re_read_lacks() {
    let (emulator, workspace) = fixture();
    let provider = hcl::provider_with_few_retries();
    let abd = ["app-a", "app-b", "app-d"];
    let main = |apps: &[&str]| format!("{provider}{}", hcl::auth_api("t", "svc-1", "api-1", apps));
    workspace.write_main(&main(&AB));
    workspace.apply();
    emulator.put_settings(&json!({ "read_lag_reads": LAG }));
    emulator.put_faults(&json!([{"operation": "authorize", "lose_answer": true}]));
    workspace.write_main(&main(&abd));

    let output = workspace.apply_json();

    assert_eq!(output.code, 1, "{output}");
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&abd));
    let values = workspace.resource(ADDRESS).expect("in the state");
    assert_eq!(app_ids_of(&values), sorted(&abd), "{output}");
    emulator.clear_faults();
    workspace.write_main(&main(&AB));
    workspace.apply();
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&AB));
}

/// An emulator whose reads lag longer than a grace window, and a workspace that has
/// just applied `body` (apps [`AB`] on api-1); the call log starts empty.
fn applied_with_long_lag(body: &str) -> (Emulator, Workspace) {
    let (emulator, workspace) = fixture();
    emulator.put_settings(&json!({ "read_lag_reads": LONG_LAG }));
    workspace.write_main(body);
    workspace.apply();
    emulator.clear_calls();
    (emulator, workspace)
}

/// Fails unless the stored state still records apps [`AB`], and the record of them.
fn assert_apps_and_record_kept(workspace: &Workspace) {
    let values = workspace.resource(ADDRESS).expect("in the state");
    assert_eq!(app_ids_of(&values), sorted(&AB));
    assert!(is_stamp(&stored_private(workspace)), "the record is kept");
}

/// Whether a line of the plan marked `sign` (`+` added, `-` removed) names `app_id`.
fn marks(plan: &str, sign: char, app_id: &str) -> bool {
    let quoted = format!("\"{app_id}\"");
    plan.lines()
        .any(|line| line.trim_start().starts_with(sign) && line.contains(&quoted))
}

/// A record as the provider stores it: milliseconds since the Unix epoch, recent.
fn is_stamp(private: &Value) -> bool {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_millis() as u64;
    private
        .as_u64()
        .is_some_and(|at| at <= now_ms && now_ms - at < 10 * 60 * 1000)
}

/// Runs `command` while a watcher makes every read of the API fail from the moment the
/// first one is logged, so that a refresh's first read works and its re-reads fail.
fn with_rereads_failing<T>(emulator: &Emulator, command: impl FnOnce() -> T) -> T {
    emulator.clear_calls();
    let finished = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !finished.load(Ordering::SeqCst) {
                if !reads_of_api(emulator).is_empty() {
                    let rule = json!([{ "operation": "list_relations", "status": 503 }]);
                    emulator.put_faults(&rule);
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        let result = command();
        finished.store(true, Ordering::SeqCst);
        result
    })
}
