//! The emulator's control API and process contract: state, calls, faults, settings,
//! persistence across restarts and a clean stop on signals.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::emulator::{read_until_closed, Auth, Emulator, TEST_PROJECT};

/// A seeded world comes back from the control API with its authorizations.
#[test]
fn seeded_world_round_trips_through_the_control_api() {
    let emulator = Emulator::start();
    emulator.seed_simple(&[("svc-1", &["api-1"])], &["app-1", "app-2"]);
    let mut state = emulator.state();
    state["projects"][TEST_PROJECT]["authorizations"] = json!([{"service_id": "svc-1",
        "api_id": "api-1", "app_id": "app-2", "workspace_id": "0", "auth_id": "a1"}]);
    emulator.put_state(&state);
    assert_eq!(emulator.state(), state);
    let apps = emulator.authorized_apps("svc-1", "api-1", "0");
    assert_eq!(apps.into_iter().collect::<Vec<_>>(), ["app-2"]);
}

/// Inconsistent or malformed world documents are refused and leave the world as it was.
#[test]
fn inconsistent_world_documents_are_refused() {
    let emulator = Emulator::start();
    emulator.seed_simple(&[("svc", &["api"])], &["app"]);
    let before = emulator.state();
    let cases = [
        (
            "dangling authorization",
            json!({"projects": {TEST_PROJECT: {"authorizations":
            [{"service_id": "svc", "api_id": "api", "app_id": "app"}]}}}),
        ),
        (
            "duplicate service",
            json!({"projects": {TEST_PROJECT: {"services":
            [{"service_id": "s"}, {"service_id": "s"}]}}}),
        ),
        ("unknown field", json!({"projects": {}, "extra": 1})),
        ("not an object", json!([])),
    ];
    for (name, doc) in cases {
        let answer = emulator.send(
            "PUT",
            "/_emulator/state",
            doc.to_string().as_bytes(),
            Auth::None,
        );
        assert_eq!(answer.status, 400, "{name}");
        assert!(answer.body["error"].is_string(), "{name}");
    }
    assert_eq!(emulator.state(), before);
}

/// The call log has one entry per API request with the documented fields, and can be
/// cleared; control requests are not logged.
#[test]
fn the_call_log_records_each_api_request() {
    let emulator = Emulator::start();
    emulator.seed_simple(&[("svc", &["api"])], &["app"]);
    let path = "/services/svc/app-auth-apis/api/app-auth-api?workspace_id=0";
    let answer = emulator.call("POST", path, Some(&json!({"apps": [{"app_id": "app"}]})));
    emulator.send(
        "GET",
        &format!("/v1/{TEST_PROJECT}/app-auth/apps/app"),
        b"",
        Auth::Aksk,
    );
    emulator.send(
        "GET",
        &format!("/v1/{TEST_PROJECT}/app-auth/apps"),
        b"",
        Auth::None,
    );
    let calls = emulator.calls();
    assert_eq!(
        calls[0],
        json!({"method": "POST", "path": format!("/v1/{TEST_PROJECT}/services/svc/app-auth-apis/api/app-auth-api"),
            "query": "workspace_id=0", "status": 200, "workspace_id": "0", "app_ids": ["app"],
            "auth": "token", "request_id": answer.request_id(), "operation": "authorize"})
    );
    assert_eq!(
        (calls[1]["auth"].clone(), calls[1]["app_ids"].clone()),
        (json!("aksk"), json!(["app"]))
    );
    assert_eq!(
        (calls[2]["auth"].clone(), calls[2]["status"].clone()),
        (json!("none"), json!(401))
    );
    assert_eq!(calls.len(), 3);
    emulator.clear_calls();
    assert!(emulator.calls().is_empty());
}

/// The call log once it holds `count` entries, waiting for calls still running.
fn calls_once_logged(emulator: &Emulator, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let calls = emulator.calls();
        if calls.len() >= count {
            return calls;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {count} calls logged",
            calls.len()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Requests whose client went away before the answer are logged with `aborted`: one
/// closed during a delay, with the status it was not sent, and one whose body was cut
/// short. Answered calls, lost answers included, carry no `aborted`.
#[test]
fn requests_the_client_aborts_are_logged_as_aborted() {
    let emulator = Emulator::start();
    emulator.seed_simple(&[("svc", &["api"])], &["app"]);
    let authorize = "/services/svc/app-auth-apis/api/app-auth-api";
    emulator.put_faults(&json!([
        {"operation": "list_apps", "delay_ms": 300},
        {"operation": "cancel", "lose_answer": true}
    ]));

    let delayed = emulator.send_raw("GET", "/app-auth/apps", None, "");
    std::thread::sleep(Duration::from_millis(50));
    drop(delayed);
    let calls = calls_once_logged(&emulator, 1);
    assert_eq!(
        (calls[0]["operation"].clone(), calls[0]["status"].clone()),
        (json!("list_apps"), json!(200))
    );
    assert_eq!(calls[0]["aborted"], true, "{calls:?}");

    drop(emulator.send_raw("POST", authorize, Some(100), r#"{"apps": ["#));
    let calls = calls_once_logged(&emulator, 2);
    assert_eq!(
        (calls[1]["operation"].clone(), calls[1]["status"].clone()),
        (json!("authorize"), json!(400))
    );
    assert_eq!(
        (calls[1]["aborted"].clone(), calls[1]["auth"].clone()),
        (json!(true), json!("token"))
    );
    assert!(emulator.authorized_apps("svc", "api", "0").is_empty());

    let answered = emulator.call(
        "POST",
        authorize,
        Some(&json!({"apps": [{"app_id": "app"}]})),
    );
    assert_eq!(answered.status, 200);
    let lost = emulator.send_raw(
        "DELETE",
        authorize,
        None,
        r#"{"apps": [{"app_id": "app"}]}"#,
    );
    assert!(read_until_closed(lost).is_empty(), "no answer");
    let calls = calls_once_logged(&emulator, 4);
    assert_eq!(calls[3]["answer_lost"], true, "{calls:?}");
    for call in &calls[2..] {
        assert!(call.get("aborted").is_none(), "{call}");
    }
}

/// With a state file, every change survives a hard kill and a restart.
#[test]
fn the_world_survives_a_restart_with_a_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("world.json");
    let file_arg = file.to_str().unwrap();
    let emulator = Emulator::start_with(&["--state-file", file_arg]);
    emulator.seed_simple(&[("svc", &["api"])], &["app-1", "app-2"]);
    let path = "/services/svc/app-auth-apis/api/app-auth-api";
    emulator.call(
        "POST",
        path,
        Some(&json!({"apps": [{"app_id": "app-1"}, {"app_id": "app-2"}]})),
    );
    emulator.call(
        "DELETE",
        path,
        Some(&json!({"apps": [{"app_id": "app-2"}]})),
    );
    let before = emulator.state();
    drop(emulator);

    let restarted = Emulator::start_with(&["--state-file", file_arg]);
    assert_eq!(restarted.state(), before);
    let on_disk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(on_disk, before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

/// A seed file is loaded at start; an existing state file wins over it.
#[test]
fn a_seed_is_loaded_unless_a_state_file_exists() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.json");
    let world = json!({"projects": {TEST_PROJECT: {"services": [], "apps": [{"app_id": "seeded",
        "app_name": "seeded", "app_key": "k", "app_secret": "s", "workspace_id": "0"}],
        "authorizations": []}}});
    std::fs::write(&seed, world.to_string()).unwrap();
    let seeded = Emulator::start_with(&["--seed", seed.to_str().unwrap()]);
    assert_eq!(seeded.state(), world);

    let state = dir.path().join("state.json");
    std::fs::write(&state, r#"{"projects": {}}"#).unwrap();
    let args = [
        "--seed",
        seed.to_str().unwrap(),
        "--state-file",
        state.to_str().unwrap(),
    ];
    assert_eq!(Emulator::start_with(&args).state(), json!({"projects": {}}));
}

/// A seed none of whose projects is the one `--project-id` accepts is refused at start,
/// naming both, rather than served where no request can reach it.
#[test]
fn a_seed_for_another_project_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.json");
    let world = json!({"projects": {"other-project": {"services": [], "apps": [],
        "authorizations": []}}});
    std::fs::write(&seed, world.to_string()).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_modelarts-emulator"))
        .args(["--listen", "127.0.0.1:0", "--token", "t"])
        .args([
            "--project-id",
            TEST_PROJECT,
            "--seed",
            seed.to_str().unwrap(),
        ])
        .output()
        .expect("the emulator binary runs");
    assert!(!output.status.success(), "refused: {output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    for needle in ["other-project", TEST_PROJECT, "--project-id"] {
        assert!(stderr.contains(needle), "{needle} in {stderr}");
    }
}

/// SIGTERM and SIGINT stop the emulator with exit status 0.
#[test]
fn signals_stop_the_emulator_cleanly() {
    for signal in ["TERM", "INT"] {
        let emulator = Emulator::start();
        emulator.clear_calls();
        let status = emulator.stop_with(signal);
        assert!(status.success(), "SIG{signal}: {status}");
    }
}
