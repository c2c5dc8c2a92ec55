//! Fault rules of the emulator: errors with Retry-After, delays, failed elements,
//! raw bodies, `times`, and matching by operation and app.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::emulator::{Auth, Emulator, TEST_PROJECT};
use support::emulator_fixture::apps;

fn start() -> Emulator {
    let emulator = Emulator::start();
    emulator.seed_simple(&[("svc", &["api"]), ("svc-2", &["api-2"])], &["a1", "a2"]);
    emulator
}

const AUTHORIZE: &str = "/services/svc/app-auth-apis/api/app-auth-api";

/// A status rule answers its error with Retry-After instead of running the operation,
/// only as many times as `times` says.
#[test]
fn status_faults_answer_the_error_without_running_the_operation() {
    let emulator = start();
    emulator.put_faults(&json!([{"operation": "authorize", "status": 503,
        "error_code": "ModelArts.0010", "error_msg": "busy", "retry_after": 2, "times": 1}]));
    let answer = emulator.call("POST", AUTHORIZE, Some(&apps(&["a1"])));
    assert_eq!(
        (answer.status, answer.error_code()),
        (503, "ModelArts.0010")
    );
    assert_eq!(answer.body["error_msg"], "busy");
    assert_eq!(answer.headers["retry-after"], "2");
    assert!(emulator.authorized_apps("svc", "api", "0").is_empty());
    assert_eq!(emulator.calls()[0]["status"], 503);

    let answer = emulator.call("POST", AUTHORIZE, Some(&apps(&["a1"])));
    assert_eq!(answer.status, 200, "the rule fired once only");
    let faults = emulator.send("GET", "/_emulator/faults", b"", Auth::None);
    assert_eq!(faults.body, json!([]), "a used-up rule is removed");
}

/// Without an error code, a code fitting the status is sent; gateway codes carry the
/// request id in the body.
#[test]
fn status_faults_without_a_code_use_one_fitting_the_status() {
    let emulator = start();
    emulator.put_faults(&json!([{"operation": "list_apps", "status": 429}]));
    let answer = emulator.call("GET", "/app-auth/apps", None);
    assert_eq!((answer.status, answer.error_code()), (429, "APIGW.0308"));
    assert_eq!(answer.body["request_id"], answer.request_id());
    assert!(answer.headers.get("retry-after").is_none());
}

/// A delay rule holds the answer for at least that long, then runs the operation.
#[test]
fn delay_faults_hold_the_answer() {
    let emulator = start();
    emulator.put_faults(&json!([{"operation": "authorize", "delay_ms": 400}]));
    let started = Instant::now();
    let answer = emulator.call("POST", AUTHORIZE, Some(&apps(&["a1"])));
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(answer.status, 200);
    assert_eq!(emulator.authorized_apps("svc", "api", "0").len(), 1);
}

/// A fail_app_reason rule fails that app's element inside a 200; the others proceed.
#[test]
fn fail_app_reason_fails_one_element_inside_a_200() {
    let emulator = start();
    emulator.put_faults(&json!([{"operation": "authorize", "app_id": "a2",
        "fail_app_reason": "app creator mismatch"}]));
    let answer = emulator.call("POST", AUTHORIZE, Some(&apps(&["a1", "a2"])));
    assert_eq!(answer.status, 200);
    let results = &answer.body["auth_result"];
    assert_eq!(results[0]["success"], true);
    assert_eq!(
        (results[1]["success"].clone(), results[1]["reason"].clone()),
        (json!(false), json!("app creator mismatch"))
    );
    let authorized: Vec<String> = emulator
        .authorized_apps("svc", "api", "0")
        .into_iter()
        .collect();
    assert_eq!(authorized, ["a1"]);
}

/// A raw_body rule sends its body as is, after the operation changed the world.
#[test]
fn raw_body_faults_send_the_body_as_is() {
    let emulator = start();
    emulator.put_faults(
        &json!([{"operation": "authorize", "raw_body": "{\"auth_result\": [",
        "status": 200}]),
    );
    let answer = emulator.call("POST", AUTHORIZE, Some(&apps(&["a1"])));
    assert_eq!(
        (answer.status, answer.body.clone()),
        (200, json!("{\"auth_result\": ["))
    );
    assert_eq!(emulator.authorized_apps("svc", "api", "0").len(), 1);
}

/// A rule scoped to an app fires only on calls naming that app, in the body or path.
#[test]
fn app_scoped_rules_fire_only_for_their_app() {
    let emulator = start();
    emulator.put_faults(&json!([{"operation": "any", "app_id": "a1", "status": 500}]));
    assert_eq!(emulator.call("GET", "/app-auth/apps", None).status, 200);
    assert_eq!(emulator.call("GET", "/app-auth/apps/a2", None).status, 200);
    assert_eq!(emulator.call("GET", "/app-auth/apps/a1", None).status, 500);
    assert_eq!(
        emulator
            .call("POST", AUTHORIZE, Some(&apps(&["a2"])))
            .status,
        200
    );
    assert_eq!(
        emulator
            .call("POST", AUTHORIZE, Some(&apps(&["a2", "a1"])))
            .status,
        500
    );
}

/// Each operation name matches its own operation and no other.
#[test]
fn operation_names_match_their_operations() {
    let emulator = start();
    let one = apps(&["a1"]);
    let cases: [(&str, &str, &str, Option<&Value>); 13] = [
        ("authorize", "POST", AUTHORIZE, Some(&one)),
        ("cancel", "DELETE", AUTHORIZE, Some(&one)),
        (
            "create_and_auth",
            "POST",
            "/services/svc/app-auth-api",
            Some(&one),
        ),
        ("read_api_auths", "GET", "/services/svc/api-auths", None),
        (
            "list_relations",
            "GET",
            "/services/svc/app-auth-apis/api/api-auths",
            None,
        ),
        ("list_apps", "GET", "/app-auth/apps", None),
        (
            "create_app",
            "POST",
            "/app-auth/apps",
            Some(&json!({"app_name": "new"})),
        ),
        ("show_app", "GET", "/app-auth/apps/a1", None),
        ("delete_app", "DELETE", "/app-auth/apps/a2", None),
        ("app_apis", "GET", "/app-auth/apps/a1/auth-apis", None),
        ("list_apis", "GET", "/services/svc/app-auth-apis", None),
        ("show_api", "GET", "/app-auth/svc/apis/api", None),
        (
            "delete_api",
            "DELETE",
            "/services/svc-2/app-auth-apis/api-2",
            None,
        ),
    ];
    for (name, method, path, body) in cases {
        emulator.put_faults(&json!([{"operation": name, "status": 502, "times": 1}]));
        let others: Vec<u16> = cases
            .iter()
            .filter(|(other, method, ..)| other != &name && *method == "GET")
            .map(|(_, method, path, body)| emulator.call(method, path, *body).status)
            .collect();
        assert!(
            others.iter().all(|s| *s != 502),
            "{name} fired on another operation"
        );
        assert_eq!(emulator.call(method, path, body).status, 502, "{name}");
    }
    let calls = emulator.calls();
    assert!(calls.iter().all(|c| c["operation"].is_string()));
}

/// Rules without exactly one action, or naming an unknown operation, are refused.
#[test]
fn invalid_rules_are_refused() {
    let emulator = start();
    let cases = [
        ("no action", json!([{"operation": "authorize"}])),
        (
            "two actions",
            json!([{"operation": "authorize", "status": 500, "delay_ms": 1}]),
        ),
        (
            "unknown operation",
            json!([{"operation": "reboot", "status": 500}]),
        ),
        (
            "unknown field",
            json!([{"operation": "any", "status": 500, "when": "now"}]),
        ),
        ("not a list", json!({"operation": "any", "status": 500})),
    ];
    for (name, rules) in cases {
        let answer = emulator.send(
            "PUT",
            "/_emulator/faults",
            rules.to_string().as_bytes(),
            Auth::None,
        );
        assert_eq!(answer.status, 400, "{name}");
    }
    let path = format!("/v1/{TEST_PROJECT}/app-auth/apps");
    assert_eq!(emulator.send("GET", &path, b"", Auth::Token).status, 200);
}
