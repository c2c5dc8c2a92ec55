//! Cross-checks the emulator's AK/SK verifier with a signer no one here wrote: the
//! official Huawei Cloud Python SDK core signs many random requests (unicode and
//! reserved characters in paths, queries and bodies) and the emulator must accept all
//! of them, and refuse one that was changed after signing.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use support::emulator::{Answer, Auth, Emulator, TEST_AK, TEST_PROJECT, TEST_SK};
use terraform_provider_modelarts::modelarts::signing::encode_component;

const REQUESTS: usize = 300;

/// Characters that stress the canonical form: reserved, unreserved, unicode.
const POOL: &[char] = &[
    'a', 'b', 'Z', '0', '9', '-', '_', '.', '~', ' ', '!', '"', '#', '$', '%', '&', '\'', '(', ')',
    '*', '+', ',', '/', ':', ';', '<', '=', '>', '?', '@', '[', '\\', ']', '^', '`', '{', '|', '}',
    'é', '一', '€', '😀',
];
/// Characters a path segment may carry unescaped.
const PATH_SAFE: &[char] = &[
    'a', 'Z', '7', '-', '.', '_', '~', '!', '$', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@',
];

/// The Python with the official SDK: `MODELARTS_TEST_PYTHON`, or the one `make tools`
/// installs under `.tools/venv`. A missing one fails the test, saying how to get it.
fn python() -> String {
    let path = std::env::var_os("MODELARTS_TEST_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/venv/bin/python")
        });
    assert!(
        path.is_file(),
        "the Python with the signing SDK is not at {} (MODELARTS_TEST_PYTHON): run `make \
         tools` in the repository root to install it",
        path.display()
    );
    path.display().to_string()
}

fn text(rng: &mut StdRng, pool: &[char], max: usize) -> String {
    let len = rng.gen_range(1..=max);
    (0..len).map(|_| *pool.choose(rng).unwrap()).collect()
}

/// A random path segment, escaped or not. Segments of dots only are left out: URL
/// libraries resolve them before sending, so the request would not be the one signed.
fn segment(rng: &mut StdRng) -> String {
    loop {
        let segment = if rng.gen_bool(0.5) {
            text(rng, PATH_SAFE, 12)
        } else {
            encode_component(&text(rng, POOL, 12))
        };
        if segment.chars().any(|c| c != '.') {
            return segment;
        }
    }
}

/// Random query parameters, names and values drawn from the whole pool, some names
/// repeated so that values must be put in order too.
fn random_query(rng: &mut StdRng) -> Vec<(String, String)> {
    let mut query: Vec<(String, String)> = Vec::new();
    for _ in 0..rng.gen_range(0..6) {
        let value = match rng.gen_bool(0.2) {
            true => String::new(),
            false => text(rng, POOL, 10),
        };
        let name = match query.choose(rng) {
            Some((name, _)) if rng.gen_bool(0.3) => name.clone(),
            _ => text(rng, POOL, 6),
        };
        query.push((name, value));
    }
    query
}

/// One random request for the Python signer.
fn random_spec(rng: &mut StdRng, host: &str) -> Value {
    let (method, path, body) = match rng.gen_range(0..5) {
        0 => (
            "GET",
            format!("/v1/{TEST_PROJECT}/app-auth/apps"),
            String::new(),
        ),
        1 => (
            "GET",
            format!("/v1/{TEST_PROJECT}/app-auth/apps/{}", segment(rng)),
            String::new(),
        ),
        2 => (
            "GET",
            format!(
                "/v1/{TEST_PROJECT}/services/{}/app-auth-apis/{}/api-auths",
                segment(rng),
                segment(rng)
            ),
            String::new(),
        ),
        n => {
            let body =
                json!({"apps": [{"app_id": text(rng, POOL, 20)}], "note": text(rng, POOL, 40)});
            let method = if n == 3 { "POST" } else { "DELETE" };
            let path = format!(
                "/v1/{TEST_PROJECT}/services/{}/app-auth-apis/{}/app-auth-api",
                segment(rng),
                segment(rng)
            );
            (method, path, body.to_string())
        }
    };
    let query = random_query(rng);
    // A body that is not JSON makes the SDK sign `UNSIGNED-PAYLOAD` instead of it.
    let content_type = match body.is_empty() || rng.gen_bool(0.7) {
        true => "application/json",
        false => "text/plain; charset=utf-8",
    };
    let mut headers = json!({"Content-Type": content_type});
    if rng.gen_bool(0.5) {
        headers["X-Project-Id"] = TEST_PROJECT.into();
    }
    json!({"method": method, "host": host, "path": path, "query": query, "headers": headers,
        "body": body, "ak": TEST_AK, "sk": TEST_SK})
}

/// Runs the Python SDK signer over the specs.
fn sign_with_python(specs: &[Value]) -> Vec<Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/sign_requests.py");
    let mut child = Command::new(python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("MODELARTS_TEST_PYTHON runs; if not, run `make tools`");
    let input = serde_json::to_vec(specs).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the Python signer failed (run `make tools` if huaweicloudsdkcore is missing): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the signer prints JSON")
}

fn send_signed(emulator: &Emulator, spec: &Value, signed: &Value, body: &str) -> Answer {
    let headers: Vec<(&str, &str)> = signed["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str().unwrap()))
        .collect();
    let method = spec["method"].as_str().unwrap();
    emulator.send(
        method,
        signed["uri"].as_str().unwrap(),
        body.as_bytes(),
        Auth::Headers(&headers),
    )
}

/// Requests signed by the official Python SDK are all accepted; a changed one is not.
#[test]
fn requests_signed_by_the_python_sdk_are_accepted() {
    let emulator = Emulator::start();
    let host = emulator.url.trim_start_matches("http://").to_string();
    let seed: u64 = rand::random();
    let mut rng = StdRng::seed_from_u64(seed);
    let specs: Vec<Value> = (0..REQUESTS)
        .map(|_| random_spec(&mut rng, &host))
        .collect();
    let signed = sign_with_python(&specs);

    for (spec, signed) in specs.iter().zip(&signed) {
        let answer = send_signed(&emulator, spec, signed, spec["body"].as_str().unwrap());
        assert!(
            answer.status != 401,
            "seed {seed}: the emulator refused a request the SDK signed: {} {} -> {}",
            spec["method"],
            signed["uri"],
            answer.body
        );
    }
    assert!(emulator.calls().iter().all(|c| c["auth"] == "aksk"));

    let (spec, signed) = specs
        .iter()
        .zip(&signed)
        .find(|(s, _)| {
            let signs_body = s["headers"]["Content-Type"] == "application/json";
            signs_body && !s["body"].as_str().unwrap().is_empty()
        })
        .expect("some requests have signed bodies");
    let tampered = spec["body"].as_str().unwrap().replacen("apps", "appz", 1);
    let answer = send_signed(&emulator, spec, signed, &tampered);
    assert_eq!(
        (answer.status, answer.error_code()),
        (401, "APIGW.0301"),
        "seed {seed}"
    );
}

/// Query parameters are put in order the way the SDK does it, by their raw (decoded)
/// names and values, even where that differs from the order of the encoded forms.
#[test]
fn query_order_follows_the_python_sdk() {
    let emulator = Emulator::start();
    let host = emulator.url.trim_start_matches("http://").to_string();
    let cases = [
        (
            "reserved before unreserved",
            json!([["*", "1"], [".", "2"]]),
        ),
        ("colon after digits", json!([["9", "1"], [":", "2"]])),
        ("unicode after letters", json!([["z", "1"], ["é", "2"]])),
        ("repeated name", json!([["k", "z"], ["k", "é"]])),
    ];
    for (name, query) in cases {
        let spec = json!({"method": "GET", "host": host, "path": format!("/v1/{TEST_PROJECT}/app-auth/apps"),
            "query": query, "headers": {"Content-Type": "application/json"}, "body": "",
            "ak": TEST_AK, "sk": TEST_SK});
        let signed = sign_with_python(std::slice::from_ref(&spec));
        let answer = send_signed(&emulator, &spec, &signed[0], "");
        assert_eq!(answer.status, 200, "{name}: {}", answer.body);
    }
}
