//! Concurrent writers and readers on one API: the final world and every read equal a
//! sequential replay of the call log, so no write is lost or reordered.

mod support;

use std::collections::{BTreeSet, HashMap};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use support::emulator::{Emulator, TEST_PROJECT, TEST_TOKEN};

const CLIENTS: usize = 16;
const CALLS_PER_CLIENT: usize = 500;
const APPS: usize = 24;

/// What one client saw from each read, by request id.
type Reads = HashMap<String, BTreeSet<String>>;

fn app_ids_of(body: &Value) -> BTreeSet<String> {
    let apps = match &body["auths"] {
        Value::Array(auths) => auths.iter().map(|a| &a["app"]).collect::<Vec<_>>(),
        _ => body["app_auth_api"]["authed_apps"]
            .as_array()
            .unwrap()
            .iter()
            .collect(),
    };
    apps.iter()
        .map(|a| a["app_id"].as_str().unwrap().to_string())
        .collect()
}

fn client_run(url: &str, seed: u64, apps: &[String]) -> Reads {
    let mut rng = StdRng::seed_from_u64(seed);
    let client = reqwest::blocking::Client::new();
    let base = format!("{url}/v1/{TEST_PROJECT}/services/svc");
    let mut reads = Reads::new();
    for _ in 0..CALLS_PER_CLIENT {
        let how_many = rng.gen_range(1..=4);
        let chosen: Vec<Value> = apps
            .choose_multiple(&mut rng, how_many)
            .map(|id| json!({"app_id": id}))
            .collect();
        let request = match rng.gen_range(0..10) {
            0..=3 => client
                .post(format!("{base}/app-auth-apis/api/app-auth-api"))
                .json(&json!({"apps": chosen})),
            4..=7 => client
                .delete(format!("{base}/app-auth-apis/api/app-auth-api"))
                .json(&json!({"apps": chosen})),
            8 => client.get(format!("{base}/app-auth-apis/api/api-auths?show_only=AUTH")),
            _ => client.get(format!("{base}/api-auths")),
        };
        let response = request
            .header("X-Auth-Token", TEST_TOKEN)
            .send()
            .expect("the emulator answers");
        assert_eq!(response.status(), 200);
        let request_id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_string();
        let body: Value = response.json().expect("a JSON answer");
        if body.get("auths").is_some() || body.get("app_auth_api").is_some() {
            reads.insert(request_id, app_ids_of(&body));
        }
    }
    reads
}

/// 16 clients x 500 mixed authorize, cancel and read calls leave the state a
/// sequential replay of the call log gives, and each read saw the replayed state.
#[test]
fn concurrent_calls_equal_a_sequential_replay_of_the_call_log() {
    let emulator = Emulator::start();
    let apps: Vec<String> = (0..APPS).map(|i| format!("app-{i:02}")).collect();
    let app_refs: Vec<&str> = apps.iter().map(String::as_str).collect();
    emulator.seed_simple(&[("svc", &["api"])], &app_refs);
    let seed: u64 = rand::random();

    let reads: Reads = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS as u64)
            .map(|i| {
                let (url, apps) = (&emulator.url, &apps);
                scope.spawn(move || client_run(url, seed.wrapping_add(i), apps))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });

    let calls = emulator.calls();
    assert_eq!(
        calls.len(),
        CLIENTS * CALLS_PER_CLIENT,
        "every call is logged"
    );
    let mut replayed = BTreeSet::new();
    let mut checked_reads = 0;
    for call in &calls {
        assert_eq!(call["status"], 200, "{call}");
        let app_ids = call["app_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string());
        match call["operation"].as_str().unwrap() {
            "authorize" => replayed.extend(app_ids),
            "cancel" => app_ids.for_each(|a| {
                replayed.remove(&a);
            }),
            _ => {
                let seen = &reads[call["request_id"].as_str().unwrap()];
                assert_eq!(
                    seen, &replayed,
                    "seed {seed}: read {} saw another state",
                    call["request_id"]
                );
                checked_reads += 1;
            }
        }
    }
    assert_eq!(checked_reads, reads.len());
    assert_eq!(
        emulator.authorized_apps("svc", "api", "0"),
        replayed,
        "seed {seed}"
    );
}
