//! Fault rules of the emulator: errors with Retry-After, delays, failed elements,
//! raw bodies, lost answers, `times`, and matching by operation and app.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::emulator::{read_until_closed, Auth, Emulator, TEST_PROJECT};
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

/// `retry_after` may be an HTTP date instead of seconds; it is sent verbatim.
#[test]
fn retry_after_may_be_an_http_date() {
    let emulator = start();
    let date = "Wed, 21 Oct 2015 07:28:00 GMT";
    emulator.put_faults(&json!([{"operation": "authorize", "status": 429, "retry_after": date}]));
    let answer = emulator.call("POST", AUTHORIZE, Some(&apps(&["a1"])));
    assert_eq!(answer.status, 429);
    assert_eq!(answer.headers["retry-after"], date);
    let rules = emulator.send("GET", "/_emulator/faults", b"", Auth::None);
    assert_eq!(rules.body[0]["retry_after"], date, "listed as given");
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

/// A lose_answer rule runs the operation, logs it, then closes the connection without
/// sending a single byte; the next call is answered normally.
#[test]
fn lose_answer_faults_apply_the_write_and_close_the_connection() {
    let emulator = start();
    emulator.put_faults(&json!([{"operation": "authorize", "lose_answer": true, "times": 1}]));

    let stream = emulator.send_raw("POST", AUTHORIZE, None, &apps(&["a1"]).to_string());
    let received = read_until_closed(stream);

    assert!(
        received.is_empty(),
        "no answer at all: {:?}",
        String::from_utf8_lossy(&received)
    );
    assert_eq!(emulator.authorized_apps("svc", "api", "0").len(), 1);
    let calls = emulator.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        (calls[0]["status"].clone(), calls[0]["answer_lost"].clone()),
        (json!(200), json!(true))
    );
    let answer = emulator.call("POST", AUTHORIZE, Some(&apps(&["a1"])));
    assert_eq!(answer.status, 200, "the rule fired once only");
    assert!(emulator.calls()[1].get("answer_lost").is_none());
}

/// A write whose client gives up during a delay still runs to the end, as a request
/// that reached a real service does, and is logged.
#[test]
fn a_delayed_write_completes_after_its_client_went_away() {
    let emulator = start();
    emulator.put_faults(&json!([{"operation": "authorize", "delay_ms": 500}]));
    let stream = emulator.send_raw("POST", AUTHORIZE, None, &apps(&["a1"]).to_string());
    std::thread::sleep(Duration::from_millis(100));
    drop(stream);

    let deadline = Instant::now() + Duration::from_secs(10);
    while emulator.calls().is_empty() {
        assert!(Instant::now() < deadline, "the call was never logged");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(emulator.authorized_apps("svc", "api", "0").len(), 1);
    assert_eq!(emulator.calls()[0]["status"], 200);
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
            "lost and raw",
            json!([{"operation": "authorize", "lose_answer": true, "raw_body": "{}"}]),
        ),
        (
            "retry_after not a date",
            json!([{"operation": "any", "status": 503, "retry_after": "tomorrow"}]),
        ),
        (
            "retry_after an RFC 850 date",
            json!([{"operation": "any", "status": 503,
                "retry_after": "Wednesday, 21-Oct-15 07:28:00 GMT"}]),
        ),
        (
            "retry_after negative",
            json!([{"operation": "any", "status": 503, "retry_after": -1}]),
        ),
        (
            "lose_answer false alone",
            json!([{"operation": "authorize", "lose_answer": false}]),
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
