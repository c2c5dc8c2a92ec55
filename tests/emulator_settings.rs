//! Settings of the emulator: limits, paging, and every choice the API reference leaves
//! open, switched at run time.

mod support;

use std::time::Duration;

use serde_json::json;
use support::emulator::{Answer, Auth, Emulator, TEST_PROJECT};
use support::emulator_fixture::apps;

const AUTHORIZE: &str = "/services/svc/app-auth-apis/api/app-auth-api";
const RELATIONS: &str = "/services/svc/app-auth-apis/api/api-auths";

fn start() -> Emulator {
    let emulator = Emulator::start();
    emulator.seed_simple(
        &[("svc", &["api"]), ("svc-2", &["api-2"])],
        &["a1", "a2", "a3"],
    );
    emulator
}

fn ids(answer: &Answer, list: &str) -> Vec<String> {
    answer.body[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e.get("app").unwrap_or(e)["app_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// `max_apps_per_call` bounds the apps of one call.
#[test]
fn max_apps_per_call_bounds_a_batch() {
    let emulator = start();
    emulator.put_settings(&json!({"max_apps_per_call": 2}));
    let answer = emulator.call("POST", AUTHORIZE, Some(&apps(&["a1", "a2", "a3"])));
    assert_eq!(
        (answer.status, answer.error_code()),
        (400, "ModelArts.0107")
    );
    assert_eq!(
        emulator
            .call("POST", AUTHORIZE, Some(&apps(&["a1", "a2"])))
            .status,
        200
    );
}

/// `page_size_cap` shortens pages whatever `limit` asks, and `offset` counts the
/// capped pages; `offset_unit: items` makes it count items.
#[test]
fn page_size_cap_and_offset_unit_shape_pages() {
    let emulator = start();
    emulator.put_settings(&json!({"page_size_cap": 2}));
    let first = emulator.call("GET", "/app-auth/apps?limit=1000", None);
    assert_eq!(
        (ids(&first, "apps"), first.body["total_count"].clone()),
        (vec!["a1".to_string(), "a2".into()], json!(3))
    );
    let second = emulator.call("GET", "/app-auth/apps?limit=1000&offset=1", None);
    assert_eq!(ids(&second, "apps"), ["a3"]);
    emulator.put_settings(&json!({"page_size_cap": null, "offset_unit": "items"}));
    let items = emulator.call("GET", &format!("{RELATIONS}?limit=2&offset=1"), None);
    assert_eq!(ids(&items, "auths"), ["a2", "a3"]);
}

/// `already_authorized` and `not_authorized` switch the element of a repeated
/// authorize or a cancel of an unauthorized app.
#[test]
fn repeated_writes_answer_as_the_settings_say() {
    let emulator = start();
    emulator.call("POST", AUTHORIZE, Some(&apps(&["a1"])));
    let again = emulator.call("POST", AUTHORIZE, Some(&apps(&["a1"])));
    assert_eq!(
        again.body["auth_result"][0]["success"], true,
        "default: success"
    );
    emulator.put_settings(&json!({"already_authorized": "failure", "not_authorized": "success"}));
    let again = emulator.call("POST", AUTHORIZE, Some(&apps(&["a1"])));
    assert_eq!(again.body["auth_result"][0]["success"], false);
    assert!(again.body["auth_result"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("already"));
    let cancel = emulator.call("DELETE", AUTHORIZE, Some(&apps(&["a2"])));
    assert_eq!(cancel.body["unauth_result"][0]["success"], true);
}

/// `unknown_app: reject_call` refuses the whole batch with 404 and changes nothing.
#[test]
fn unknown_app_can_reject_the_whole_call() {
    let emulator = start();
    emulator.put_settings(&json!({"unknown_app": "reject_call"}));
    let answer = emulator.call("POST", AUTHORIZE, Some(&apps(&["a1", "ghost"])));
    assert_eq!(
        (answer.status, answer.error_code()),
        (404, "ModelArts.0102")
    );
    assert!(emulator.authorized_apps("svc", "api", "0").is_empty());
}

/// `workspace_conflict` picks the query or the body instead of refusing.
#[test]
fn workspace_conflict_can_pick_a_side() {
    let emulator = start();
    let mut body = apps(&["a1"]);
    body["workspace_id"] = json!("elsewhere");
    let path = format!("{AUTHORIZE}?workspace_id=0");
    assert_eq!(
        emulator.call("POST", &path, Some(&body)).error_code(),
        "ModelArts.0104"
    );
    emulator.put_settings(&json!({"workspace_conflict": "query_wins"}));
    assert_eq!(emulator.call("POST", &path, Some(&body)).status, 200);
    emulator.put_settings(&json!({"workspace_conflict": "body_wins"}));
    assert_eq!(
        emulator.call("POST", &path, Some(&body)).error_code(),
        "ModelArts.0104"
    );
}

/// `read_lag_reads` hides a new authorization from that many reads.
#[test]
fn read_lag_hides_new_authorizations_from_the_next_reads() {
    let emulator = start();
    emulator.put_settings(&json!({"read_lag_reads": 2}));
    emulator.call("POST", AUTHORIZE, Some(&apps(&["a1"])));
    let read = || emulator.call("GET", &format!("{RELATIONS}?show_only=AUTH"), None);
    assert!(ids(&read(), "auths").is_empty());
    let authed = emulator.call("GET", "/services/svc/api-auths", None);
    assert_eq!(authed.body["app_auth_api"]["authed_apps"], json!([]));
    assert_eq!(ids(&read(), "auths"), ["a1"]);
    assert_eq!(
        emulator.authorized_apps("svc", "api", "0").len(),
        1,
        "the write itself is not lost"
    );
}

/// `read_lag_reads` also shows a cancelled authorization to that many reads, after
/// which it is gone; nothing else (the app's bound count) sees it.
#[test]
fn read_lag_shows_cancelled_authorizations_to_the_next_reads() {
    let emulator = start();
    emulator.call("POST", AUTHORIZE, Some(&apps(&["a1", "a2"])));
    emulator.put_settings(&json!({"read_lag_reads": 2}));
    let cancel = emulator.call("DELETE", AUTHORIZE, Some(&apps(&["a1"])));
    assert_eq!(cancel.body["unauth_result"][0]["success"], true);
    assert_eq!(
        emulator.authorized_apps("svc", "api", "0").len(),
        1,
        "cancelled"
    );
    let read = || emulator.call("GET", &format!("{RELATIONS}?show_only=AUTH"), None);
    let lagging = read();
    assert_eq!(ids(&lagging, "auths"), ["a1", "a2"]);
    assert_eq!(lagging.body["auths"][0]["app"]["bounded_api_count"], 0);
    let authed = emulator.call("GET", "/services/svc/api-auths", None);
    let authed_apps = &authed.body["app_auth_api"]["authed_apps"];
    assert_eq!(authed_apps[0]["app_id"], "a1", "{authed_apps}");
    assert_eq!(authed_apps[1]["app_id"], "a2", "{authed_apps}");
    assert_eq!(ids(&read(), "auths"), ["a2"]);

    // Reads that never saw an authorization do not see it after its cancel.
    emulator.call("POST", AUTHORIZE, Some(&apps(&["a3"])));
    emulator.call("DELETE", AUTHORIZE, Some(&apps(&["a3"])));
    for _ in 0..3 {
        assert_eq!(ids(&read(), "auths"), ["a2"]);
    }
}

/// `conflict_on_concurrent_writes` refuses a write on a service while another write
/// on it is in flight, with 429 APIGW.0308; other services are not affected.
#[test]
fn concurrent_writes_on_a_service_can_conflict() {
    let emulator = start();
    emulator.put_settings(&json!({"conflict_on_concurrent_writes": true}));
    emulator.put_faults(
        &json!([{"operation": "authorize", "app_id": "a1", "delay_ms": 2000,
        "times": 1}]),
    );
    std::thread::scope(|scope| {
        let slow = scope.spawn(|| emulator.call("POST", AUTHORIZE, Some(&apps(&["a1"]))));
        // The rule is used up in the same critical section that marks the service
        // busy, so once it is gone the slow write is in flight.
        while emulator
            .send("GET", "/_emulator/faults", b"", Auth::None)
            .body
            != json!([])
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        let other = emulator.call("DELETE", AUTHORIZE, Some(&apps(&["a2"])));
        assert_eq!((other.status, other.error_code()), (429, "APIGW.0308"));
        let elsewhere = emulator.call(
            "POST",
            "/services/svc-2/app-auth-apis/api-2/app-auth-api",
            Some(&apps(&["a2"])),
        );
        assert_eq!(elsewhere.status, 200);
        assert_eq!(slow.join().unwrap().status, 200);
    });
    assert_eq!(
        emulator
            .call("DELETE", AUTHORIZE, Some(&apps(&["a1"])))
            .status,
        200
    );
}

/// `app_quota` raises the number of apps a project may create.
#[test]
fn app_quota_is_a_setting() {
    let emulator = start();
    let create =
        |name: &str| emulator.call("POST", "/app-auth/apps", Some(&json!({"app_name": name})));
    assert_eq!(create("four").status, 200);
    assert_eq!(create("five").status, 200);
    assert_eq!(create("six").error_code(), "ModelArts.0116");
    emulator.put_settings(&json!({"app_quota": 6}));
    assert_eq!(create("six").status, 200);
}

/// `accept_token` and `accept_aksk` turn a credential kind off.
#[test]
fn credential_kinds_can_be_turned_off() {
    let emulator = start();
    let path = format!("/v1/{TEST_PROJECT}/app-auth/apps");
    emulator.put_settings(&json!({"accept_token": false}));
    assert_eq!(
        emulator.send("GET", &path, b"", Auth::Token).error_code(),
        "ModelArts.0203"
    );
    assert_eq!(emulator.send("GET", &path, b"", Auth::Aksk).status, 200);
    emulator.put_settings(&json!({"accept_token": true, "accept_aksk": false}));
    assert_eq!(
        emulator.send("GET", &path, b"", Auth::Aksk).error_code(),
        "ModelArts.0203"
    );
    assert_eq!(emulator.send("GET", &path, b"", Auth::Token).status, 200);
}

/// Unknown settings and wrong types are refused and change nothing.
#[test]
fn invalid_settings_are_refused() {
    let emulator = start();
    for patch in [
        json!({"max_apps": 3}),
        json!({"read_lag_reads": "2"}),
        json!({"already_authorized": "maybe"}),
    ] {
        let answer = emulator.send(
            "PUT",
            "/_emulator/settings",
            patch.to_string().as_bytes(),
            Auth::None,
        );
        assert_eq!(answer.status, 400, "{patch}");
    }
    let settings = emulator
        .send("GET", "/_emulator/settings", b"", Auth::None)
        .body;
    assert_eq!(settings["max_apps_per_call"], 100);
    assert_eq!(settings["already_authorized"], "success");
}
