//! Errors of the emulated ModelArts API: every documented error code, workspace
//! isolation, unknown routes and request ids.

mod support;

use serde_json::{json, Value};
use support::emulator::{Auth, TEST_PROJECT};
use support::emulator_fixture::*;

/// Unknown services, APIs and apps answer 404 ModelArts.0102 in every operation.
#[test]
fn unknown_objects_answer_404_modelarts_0102() {
    let emulator = start_reference_world();
    let one = apps(&[APP_1]);
    let cases: [(&str, String, Option<&Value>); 11] = [
        ("POST", auth_path("nope", API), Some(&one)),
        ("POST", auth_path(SERVICE, "nope"), Some(&one)),
        ("DELETE", auth_path(SERVICE, "nope"), Some(&one)),
        ("POST", "/services/nope/app-auth-api".into(), Some(&one)),
        ("GET", "/services/nope/api-auths".into(), None),
        (
            "GET",
            format!("/services/{SERVICE}/app-auth-apis/nope/api-auths"),
            None,
        ),
        ("GET", "/services/nope/app-auth-apis".into(), None),
        ("GET", format!("/app-auth/{SERVICE}/apis/nope"), None),
        (
            "DELETE",
            format!("/services/{SERVICE}/app-auth-apis/nope"),
            None,
        ),
        ("GET", "/app-auth/apps/nope".into(), None),
        ("DELETE", "/app-auth/apps/nope".into(), None),
    ];
    for (method, path, body) in cases {
        let answer = emulator.call(method, &path, body);
        assert_eq!(
            (answer.status, answer.error_code()),
            (404, "ModelArts.0102"),
            "{method} {path}"
        );
        assert!(answer.body["error_msg"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    let answer = emulator.call("GET", "/app-auth/apps/nope/auth-apis", None);
    assert_eq!(answer.error_code(), "ModelArts.0102");

    // The message names the part of the path that is unknown: the service first.
    let unknown_service = emulator.call("POST", &auth_path("nope", API), Some(&one));
    assert_eq!(
        unknown_service.body["error_msg"], "service nope does not exist",
        "{:?}",
        unknown_service.body
    );
}

/// Invalid bodies and parameters answer 400 ModelArts.0107.
#[test]
fn invalid_parameters_answer_400_modelarts_0107() {
    let emulator = start_reference_world();
    let authorize = auth_path(SERVICE, API);
    let too_many: Vec<String> = (0..101).map(|i| format!("app-{i}")).collect();
    let too_many = apps(&too_many.iter().map(String::as_str).collect::<Vec<_>>());
    let relations = format!("/services/{SERVICE}/app-auth-apis/{API}/api-auths");
    let cases: [(&str, &str, String, Option<Value>); 13] = [
        ("no body", "POST", authorize.clone(), None),
        ("no apps", "POST", authorize.clone(), Some(json!({}))),
        (
            "empty apps",
            "POST",
            authorize.clone(),
            Some(json!({"apps": []})),
        ),
        (
            "apps not a list",
            "DELETE",
            authorize.clone(),
            Some(json!({"apps": "x"})),
        ),
        ("101 apps", "POST", authorize.clone(), Some(too_many)),
        (
            "API not of type APP",
            "POST",
            auth_path(SERVICE, IAM_API),
            Some(apps(&[APP_1])),
        ),
        ("limit zero", "GET", format!("{relations}?limit=0"), None),
        (
            "offset not a number",
            "GET",
            format!("{relations}?offset=x"),
            None,
        ),
        ("bad order", "GET", format!("{relations}?order=up"), None),
        (
            "bad sort_by",
            "GET",
            format!("{relations}?sort_by=size"),
            None,
        ),
        (
            "bad show_only",
            "GET",
            format!("{relations}?show_only=ALL"),
            None,
        ),
        (
            "app without name",
            "POST",
            "/app-auth/apps".into(),
            Some(json!({"app_remark": "x"})),
        ),
        (
            "taken app name",
            "POST",
            "/app-auth/apps".into(),
            Some(json!({"app_name": "alpha"})),
        ),
    ];
    for (name, method, path, body) in cases {
        let answer = emulator.call(method, &path, body.as_ref());
        assert_eq!(
            (answer.status, answer.error_code()),
            (400, "ModelArts.0107"),
            "{name}: {}",
            answer.body
        );
    }
    let path = format!("/v1/{TEST_PROJECT}{authorize}");
    let answer = emulator.send("POST", &path, b"{not json", Auth::Token);
    assert_eq!(
        (answer.status, answer.error_code()),
        (400, "ModelArts.0107")
    );
}

/// A workspace that does not exist, or two that disagree, answer 400 ModelArts.0104.
#[test]
fn workspace_errors_answer_400_modelarts_0104() {
    let emulator = start_reference_world();
    let cases = [
        (
            "unknown workspace",
            format!("{}?workspace_id=nope", auth_path(SERVICE, API)),
            json!({"apps": [{"app_id": APP_1}]}),
        ),
        (
            "query and body differ",
            format!("{}?workspace_id=0", auth_path(SERVICE, WS_API)),
            json!({"apps": [{"app_id": WS_APP}], "workspace_id": "ws-1"}),
        ),
    ];
    for (name, path, body) in cases {
        let answer = emulator.call("DELETE", &path, Some(&body));
        assert_eq!(
            (answer.status, answer.error_code()),
            (400, "ModelArts.0104"),
            "{name}"
        );
    }
}

/// Deleting an app that an API is still authorized to is refused with 403.
#[test]
fn deleting_a_bound_app_answers_403_modelarts_0105() {
    let emulator = start_reference_world();
    emulator.call("POST", &auth_path(SERVICE, API), Some(&apps(&[APP_1])));
    let answer = emulator.call("DELETE", &format!("/app-auth/apps/{APP_1}"), None);
    assert_eq!(
        (answer.status, answer.error_code()),
        (403, "ModelArts.0105")
    );
    assert!(
        emulator
            .call("GET", &format!("/app-auth/apps/{APP_1}"), None)
            .status
            == 200
    );
}

/// Creating an app past the quota (5 by default) answers 400 ModelArts.0116.
#[test]
fn the_app_quota_answers_400_modelarts_0116() {
    let emulator = start_reference_world();
    let create =
        |name: &str| emulator.call("POST", "/app-auth/apps", Some(&json!({"app_name": name})));
    assert_eq!(create("fifth").status, 200);
    let answer = create("sixth");
    assert_eq!(
        (answer.status, answer.error_code()),
        (400, "ModelArts.0116")
    );
}

/// APIs, apps and authorizations of one workspace are invisible from another.
#[test]
fn workspaces_isolate_apis_apps_and_authorizations() {
    let emulator = start_reference_world();
    let in_ws = |path: &str| format!("{path}?workspace_id=ws-1");
    let answer = emulator.call(
        "POST",
        &auth_path(SERVICE, WS_API),
        Some(&json!({"apps": [{"app_id": WS_APP}, {"app_id": APP_1}], "workspace_id": "ws-1"})),
    );
    assert_eq!(
        answer.body["auth_result"][0]["success"], true,
        "{}",
        answer.body
    );
    assert_eq!(
        answer.body["auth_result"][1]["success"], false,
        "an app of workspace 0 is unknown in ws-1"
    );
    assert_eq!(emulator.authorized_apps(SERVICE, WS_API, "ws-1").len(), 1);

    let default_ws = emulator.call("POST", &auth_path(SERVICE, WS_API), Some(&apps(&[WS_APP])));
    assert_eq!(
        default_ws.status, 404,
        "the ws-1 API does not exist in workspace 0"
    );
    let listed = emulator.call("GET", "/app-auth/apps", None);
    assert!(!app_ids(&listed.body["apps"], "/app_id").contains(&WS_APP.to_string()));
    let listed = emulator.call("GET", &in_ws("/app-auth/apps"), None);
    assert_eq!(app_ids(&listed.body["apps"], "/app_id"), [WS_APP]);
    let read = emulator.call(
        "GET",
        &in_ws(&format!("/services/{SERVICE}/api-auths")),
        None,
    );
    assert_eq!(read.body["app_auth_api"]["api_id"], WS_API);
    assert_eq!(
        app_ids(&read.body["app_auth_api"]["authed_apps"], "/app_id"),
        [WS_APP]
    );
    let read = emulator.call("GET", &format!("/services/{SERVICE}/api-auths"), None);
    assert_eq!(read.body["app_auth_api"]["authed_apps"], json!([]));
    assert_eq!(
        emulator
            .call("GET", &format!("/app-auth/apps/{WS_APP}"), None)
            .status,
        404
    );
}

/// Unknown routes and methods answer 404 APIGW.0101 with the request id in the body,
/// before credentials are looked at.
#[test]
fn unknown_routes_answer_like_the_gateway() {
    let emulator = start_reference_world();
    let cases = [
        ("GET", format!("/v1/{TEST_PROJECT}/nothing/here")),
        ("PUT", format!("/v1/{TEST_PROJECT}/app-auth/apps")),
        ("GET", "/".to_string()),
    ];
    for (method, path) in cases {
        let answer = emulator.send(method, &path, b"", Auth::None);
        assert_eq!(
            (answer.status, answer.error_code()),
            (404, "APIGW.0101"),
            "{method} {path}"
        );
        assert_eq!(answer.body["request_id"], answer.request_id());
    }
}

/// Every answer, success or error, API or control, carries a distinct X-Request-Id.
#[test]
fn every_answer_carries_a_request_id() {
    let emulator = start_reference_world();
    let answers = [
        emulator.call("GET", "/app-auth/apps", None),
        emulator.call("GET", "/app-auth/apps/nope", None),
        emulator.send(
            "GET",
            &format!("/v1/{TEST_PROJECT}/app-auth/apps"),
            b"",
            Auth::None,
        ),
        emulator.send("GET", "/_emulator/calls", b"", Auth::None),
    ];
    let mut ids: Vec<&str> = answers.iter().map(|a| a.request_id()).collect();
    assert!(ids.iter().all(|id| id.len() == 32), "{ids:?}");
    ids.dedup();
    assert_eq!(ids.len(), answers.len());
}

/// Services and apps created by another user (`user_id` in the world document) can
/// not be changed: 403 ModelArts.0105 for the service, a failed element for the app,
/// and other users' apps are left out of the caller's lists.
#[test]
fn objects_of_another_user_are_protected() {
    let emulator = start_reference_world();
    let mut world = emulator.state();
    let project = &mut world["projects"][TEST_PROJECT];
    project["services"][0]["user_id"] = json!("someone-else");
    project["services"]
        .as_array_mut()
        .unwrap()
        .push(json!({"service_id": "mine", "apis": [{"api_id": "mine-api"}]}));
    project["apps"][0]["user_id"] = json!("someone-else");
    emulator.put_state(&world);
    let foreign_app = world["projects"][TEST_PROJECT]["apps"][0]["app_id"]
        .as_str()
        .unwrap()
        .to_string();

    let cases = [
        ("POST", auth_path(SERVICE, API)),
        ("DELETE", auth_path(SERVICE, API)),
        ("POST", format!("/services/{SERVICE}/app-auth-api")),
        ("DELETE", format!("/services/{SERVICE}/app-auth-apis/{API}")),
        ("DELETE", format!("/app-auth/apps/{foreign_app}")),
    ];
    for (method, path) in cases {
        let answer = emulator.call(method, &path, Some(&apps(&[APP_2])));
        assert_eq!(
            (answer.status, answer.error_code()),
            (403, "ModelArts.0105"),
            "{method} {path}"
        );
    }
    let answer = emulator.call(
        "POST",
        &auth_path("mine", "mine-api"),
        Some(&apps(&[&foreign_app, APP_2])),
    );
    assert_eq!(answer.body["auth_result"][0]["success"], false);
    assert!(answer.body["auth_result"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("creator"));
    assert_eq!(answer.body["auth_result"][1]["success"], true);
    let listed = emulator.call("GET", "/app-auth/apps", None);
    assert!(!app_ids(&listed.body["apps"], "/app_id").contains(&foreign_app));
    let shown = emulator.call("GET", &format!("/app-auth/apps/{foreign_app}"), None);
    assert_eq!(shown.body["app"]["user_id"], "someone-else");
}
