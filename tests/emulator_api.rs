//! The emulated ModelArts operations: happy paths with the API reference's example
//! values.

mod support;

use serde_json::{json, Value};
use support::emulator_fixture::*;

/// Authorize answers one result per app, and an unknown app fails only its element.
#[test]
fn authorize_answers_one_result_per_app() {
    let emulator = start_reference_world();
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
    let emulator = start_reference_world();
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
    let emulator = start_reference_world();
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
    let emulator = start_reference_world();
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
    let emulator = start_reference_world();
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
    let emulator = start_reference_world();
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
    let emulator = start_reference_world();
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
    let emulator = start_reference_world();
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

/// `bounded_api_count` follows authorize, create-and-auth, cancel, API deletion and a
/// reload of the world, in every read that shows an app.
#[test]
fn bounded_api_count_follows_every_change() {
    let emulator = start_reference_world();
    let counts = || {
        let listed = emulator.call("GET", "/app-auth/apps", None);
        [APP_1, APP_2, APP_3].map(|app| {
            let shown = emulator.call("GET", &format!("/app-auth/apps/{app}"), None);
            let count = shown.body["app"]["bounded_api_count"].clone();
            let in_list = listed.body["apps"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["app_id"] == app)
                .map(|a| a["bounded_api_count"].clone());
            assert_eq!(in_list.as_ref(), Some(&count), "{app}: list and show agree");
            count.as_u64().unwrap()
        })
    };
    let create_and_auth = format!("/services/{BARE_SERVICE}/app-auth-api");
    let steps: [(&str, &str, String, Value, [u64; 3]); 5] = [
        (
            "authorize 1 and 2",
            "POST",
            auth_path(SERVICE, API),
            apps(&[APP_1, APP_2]),
            [1, 1, 0],
        ),
        (
            "create and auth 1",
            "POST",
            create_and_auth,
            apps(&[APP_1]),
            [2, 1, 0],
        ),
        (
            "authorize 1 again",
            "POST",
            auth_path(SERVICE, API),
            apps(&[APP_1]),
            [2, 1, 0],
        ),
        (
            "cancel 2",
            "DELETE",
            auth_path(SERVICE, API),
            apps(&[APP_2]),
            [2, 0, 0],
        ),
        (
            "delete the API",
            "DELETE",
            format!("/services/{SERVICE}/app-auth-apis/{API}"),
            Value::Null,
            [1, 0, 0],
        ),
    ];
    for (name, method, path, body, expected) in steps {
        let body = (!body.is_null()).then_some(&body);
        let answer = emulator.call(method, &path, body);
        assert!(answer.status < 300, "{name}: {}", answer.body);
        assert_eq!(counts(), expected, "{name}");
    }
    emulator.put_state(&emulator.state());
    assert_eq!(counts(), [1, 0, 0], "after reloading the world");
}
