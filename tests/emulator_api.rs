//! The emulated ModelArts operations: happy paths with the API reference's example
//! values, every documented error, workspace isolation and paging.

mod support;

use serde_json::{json, Value};
use support::emulator::{Auth, Emulator, TEST_PROJECT};

const SERVICE: &str = "2bc4b2d5-8d37-4ae3-a0e9-0c6b3b4ef8c1";
const BARE_SERVICE: &str = "7f0a7f61-31b5-4c53-9d2e-0d9b1b1fd5a0";
const API: &str = "logic-api-fe84e858-49ec-41c6-80d7-a34fc22435c2";
const IAM_API: &str = "logic-api-0c2c7f8e-6b1e-4a43-9f0b-7a3a8e1c2d4f";
const WS_API: &str = "logic-api-5d1b2f7c-8e9a-4b3c-a2d1-e0f9c8b7a6d5";
const APP_1: &str = "e2fb64be3be9418bb0f570c60f0ed93f";
const APP_2: &str = "fb1a9eadd87b48abbd74b8ba1755dffd";
const APP_3: &str = "logic-app-ce0d0a41-451d-4563-94d9-acc75b5e440f";
const WS_APP: &str = "logic-app-9b9acb40-6df6-4623-9f87-e0dae781d867";

/// One service with an APP API, an IAM API and an API in workspace `ws-1`; a second
/// service without APIs; three apps in the default workspace and one in `ws-1`.
fn start() -> Emulator {
    let emulator = Emulator::start();
    let app = |id: &str, name: &str, ws: &str, at: i64| {
        json!({"app_id": id, "app_name": name, "app_key": format!("k-{name}"),
            "app_secret": format!("s-{name}"), "workspace_id": ws, "created_at": at,
            "updated_at": at})
    };
    emulator.put_state(&json!({"projects": {TEST_PROJECT: {
        "services": [
            {"service_id": SERVICE, "service_name": "infer-demo", "apis": [
                {"api_id": API, "api_name": "infer", "auth_type": "APP", "workspace_id": "0"},
                {"api_id": IAM_API, "api_name": "iam", "auth_type": "IAM", "workspace_id": "0"},
                {"api_id": WS_API, "api_name": "ws", "auth_type": "APP", "workspace_id": "ws-1"}]},
            {"service_id": BARE_SERVICE, "service_name": "bare", "apis": []}],
        "apps": [app(APP_1, "alpha", "0", 3000), app(APP_2, "beta", "0", 1000),
            app(APP_3, "gamma", "0", 2000), app(WS_APP, "walpha", "ws-1", 500)],
        "authorizations": []}}}));
    emulator
}

fn auth_path(service: &str, api: &str) -> String {
    format!("/services/{service}/app-auth-apis/{api}/app-auth-api")
}

fn apps(ids: &[&str]) -> Value {
    json!({"apps": ids.iter().map(|id| json!({"app_id": id})).collect::<Vec<_>>()})
}

fn app_ids(list: &Value, pointer: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e.pointer(pointer)
                .and_then(Value::as_str)
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Authorize answers one result per app, and an unknown app fails only its element.
#[test]
fn authorize_answers_one_result_per_app() {
    let emulator = start();
    let answer = emulator.call(
        "POST",
        &auth_path(SERVICE, API),
        Some(&apps(&[APP_1, "missing"])),
    );
    assert_eq!(answer.status, 200);
    let results = &answer.body["auth_result"];
    assert_eq!(results[0]["api_id"], API);
    assert_eq!(results[0]["app_id"], APP_1);
    assert_eq!(results[0]["success"], true);
    assert!(!results[0]["auth_id"].as_str().unwrap().is_empty());
    assert_eq!(results[1]["success"], false);
    assert!(results[1]["reason"].as_str().unwrap().contains("missing"));
    assert_eq!(emulator.authorized_apps(SERVICE, API, "0").len(), 1);
}

/// Cancel removes the authorization; cancelling an app that is not authorized fails
/// that element only.
#[test]
fn cancel_removes_authorizations_and_reports_each_app() {
    let emulator = start();
    emulator.call(
        "POST",
        &auth_path(SERVICE, API),
        Some(&apps(&[APP_1, APP_2])),
    );
    let answer = emulator.call(
        "DELETE",
        &format!("{}?workspace_id=0", auth_path(SERVICE, API)),
        Some(&apps(&[APP_2, APP_3])),
    );
    assert_eq!(answer.status, 200);
    let results = &answer.body["unauth_result"];
    assert_eq!(
        (results[0]["app_id"].clone(), results[0]["success"].clone()),
        (json!(APP_2), json!(true))
    );
    assert_eq!(results[1]["success"], false);
    assert!(results[1]["reason"]
        .as_str()
        .unwrap()
        .contains("not authorized"));
    let left: Vec<String> = emulator
        .authorized_apps(SERVICE, API, "0")
        .into_iter()
        .collect();
    assert_eq!(left, [APP_1]);
}

/// CreateAndAuth registers the service's app-auth API once and authorizes the apps.
#[test]
fn create_and_auth_registers_the_api_and_authorizes() {
    let emulator = start();
    let path = format!("/services/{BARE_SERVICE}/app-auth-api");
    let first = emulator.call("POST", &path, Some(&apps(&[APP_1])));
    assert_eq!(first.status, 200, "{}", first.body);
    let api_id = first.body["api"]["api_id"].as_str().unwrap().to_string();
    assert_eq!(first.body["api"]["auth_type"], "APP");
    assert_eq!(first.body["api"]["service_id"], BARE_SERVICE);
    assert_eq!(first.body["auth_result"][0]["success"], true);
    let second = emulator.call("POST", &path, Some(&apps(&[APP_2])));
    assert_eq!(second.body["api"]["api_id"], api_id.as_str());
    assert_eq!(
        emulator.authorized_apps(BARE_SERVICE, &api_id, "0").len(),
        2
    );
}

/// GetServiceAppAuthApiAuthInfo shows the app-auth API with its authorized apps.
#[test]
fn read_api_auths_shows_the_authorized_apps() {
    let emulator = start();
    emulator.call(
        "POST",
        &auth_path(SERVICE, API),
        Some(&apps(&[APP_1, APP_3])),
    );
    let answer = emulator.call("GET", &format!("/services/{SERVICE}/api-auths"), None);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["enable_app_auth"], true);
    assert_eq!(answer.body["app_auth_api"]["api_id"], API);
    let authed = &answer.body["app_auth_api"]["authed_apps"];
    let mut ids = app_ids(authed, "/app_id");
    ids.sort();
    assert_eq!(ids, [APP_1, APP_3]);
    for field in [
        "app_name",
        "app_key",
        "app_type",
        "created_at",
        "project_id",
        "bounded_api_count",
    ] {
        assert!(!authed[0][field].is_null(), "authed app lacks {field}");
    }
    let bare = emulator.call("GET", &format!("/services/{BARE_SERVICE}/api-auths"), None);
    assert_eq!(bare.body, json!({"enable_app_auth": false}));
}

/// ShowApiAuthInfos filters by show_only and app_name, sorts, and pages by page number.
#[test]
fn list_relations_filters_sorts_and_pages() {
    let emulator = start();
    emulator.call(
        "POST",
        &auth_path(SERVICE, API),
        Some(&apps(&[APP_1, APP_2])),
    );
    let list = |query: &str| {
        let answer = emulator.call(
            "GET",
            &format!("/services/{SERVICE}/app-auth-apis/{API}/api-auths?{query}"),
            None,
        );
        assert_eq!(answer.status, 200, "{query}: {}", answer.body);
        answer.body
    };
    let cases: [(&str, &str, &[&str], u64); 8] = [
        ("everything by created_at", "", &[APP_2, APP_3, APP_1], 3),
        ("authorized only", "show_only=AUTH", &[APP_2, APP_1], 2),
        ("unauthorized only", "show_only=UNAUTH", &[APP_3], 1),
        ("fuzzy name", "app_name=LPh", &[APP_1], 1),
        (
            "by name descending",
            "sort_by=app_name&order=desc",
            &[APP_3, APP_2, APP_1],
            3,
        ),
        (
            "first page",
            "sort_by=app_name&limit=2&offset=0",
            &[APP_1, APP_2],
            3,
        ),
        (
            "second page",
            "sort_by=app_name&limit=2&offset=1",
            &[APP_3],
            3,
        ),
        ("past the end", "limit=2&offset=2", &[], 3),
    ];
    for (name, query, expected, total) in cases {
        let body = list(query);
        assert_eq!(app_ids(&body["auths"], "/app/app_id"), expected, "{name}");
        assert_eq!(body["count"], expected.len(), "{name}");
        assert_eq!(body["total_count"], total, "{name}");
    }
    let body = list("show_only=AUTH");
    assert!(body["auths"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["authed"] == true));
}

/// Apps can be created, listed, shown and deleted, each with the reference's fields.
#[test]
fn apps_can_be_created_listed_shown_and_deleted() {
    let emulator = start();
    emulator.put_settings(&json!({"app_quota": 10}));
    let created = emulator.call(
        "POST",
        "/app-auth/apps",
        Some(&json!({"app_name": "delta", "app_remark": "for tests"})),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    let app = &created.body["app"];
    let id = app["app_id"].as_str().unwrap().to_string();
    assert_eq!(app["app_name"], "delta");
    assert_eq!(app["app_remark"], "for tests");
    assert!(app["app_secret"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(app["created_at"].as_i64().unwrap() > 0);

    let listed = emulator.call("GET", "/app-auth/apps?app_name=delta", None);
    assert_eq!(app_ids(&listed.body["apps"], "/app_id"), [id.as_str()]);
    assert_eq!(listed.body["total_count"], 1);
    let all = emulator.call(
        "GET",
        "/app-auth/apps?limit=2&offset=1&sort_by=app_name",
        None,
    );
    assert_eq!(app_ids(&all.body["apps"], "/app_id"), [id.as_str(), APP_3]);
    assert_eq!(all.body["total_count"], 4);

    let shown = emulator.call("GET", &format!("/app-auth/apps/{id}"), None);
    assert_eq!(shown.body["app"]["app_key"], app["app_key"]);
    let deleted = emulator.call("DELETE", &format!("/app-auth/apps/{id}"), None);
    assert_eq!((deleted.status, deleted.body.clone()), (200, Value::Null));
    assert_eq!(
        emulator
            .call("GET", &format!("/app-auth/apps/{id}"), None)
            .status,
        404
    );
}

/// The APIs bound to an app are listed with AuthTypeApiBasicInfo fields.
#[test]
fn app_apis_lists_the_apis_bound_to_an_app() {
    let emulator = start();
    emulator.call("POST", &auth_path(SERVICE, API), Some(&apps(&[APP_1])));
    let answer = emulator.call("GET", &format!("/app-auth/apps/{APP_1}/auth-apis"), None);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["count"], 1);
    let api = &answer.body["apis"][0];
    assert_eq!(
        (api["api_id"].clone(), api["api_method"].clone()),
        (json!(API), json!("ANY"))
    );
    assert_eq!(api["service_name"], "infer-demo");
    assert_eq!(
        emulator
            .call("GET", &format!("/app-auth/apps/{APP_2}/auth-apis"), None)
            .body["count"],
        0
    );
}

/// A service's APIs can be listed and shown, and deleting one drops its authorizations.
#[test]
fn service_apis_can_be_listed_shown_and_deleted() {
    let emulator = start();
    let listed = emulator.call("GET", &format!("/services/{SERVICE}/app-auth-apis"), None);
    assert_eq!(app_ids(&listed.body["apis"], "/api_id"), [API, IAM_API]);
    assert_eq!(listed.body["total_count"], 2);
    let shown = emulator.call("GET", &format!("/app-auth/{SERVICE}/apis/{API}"), None);
    assert_eq!(
        (
            shown.body["api"]["api_name"].clone(),
            shown.body["api"]["auth_type"].clone()
        ),
        (json!("infer"), json!("APP"))
    );

    emulator.call("POST", &auth_path(SERVICE, API), Some(&apps(&[APP_1])));
    let deleted = emulator.call(
        "DELETE",
        &format!("/services/{SERVICE}/app-auth-apis/{API}"),
        None,
    );
    assert_eq!((deleted.status, deleted.body.clone()), (204, Value::Null));
    assert!(emulator.authorized_apps(SERVICE, API, "0").is_empty());
    assert_eq!(
        emulator
            .call("GET", &format!("/app-auth/{SERVICE}/apis/{API}"), None)
            .status,
        404
    );
}

/// Unknown services, APIs and apps answer 404 ModelArts.0102 in every operation.
#[test]
fn unknown_objects_answer_404_modelarts_0102() {
    let emulator = start();
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
}

/// Invalid bodies and parameters answer 400 ModelArts.0107.
#[test]
fn invalid_parameters_answer_400_modelarts_0107() {
    let emulator = start();
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
    let emulator = start();
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
    let emulator = start();
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
    let emulator = start();
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
    let emulator = start();
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
    let emulator = start();
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
    let emulator = start();
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
