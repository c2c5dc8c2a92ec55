//! Credential checks of the emulator: IAM tokens, SDK-HMAC-SHA256 signatures with the
//! reference's known answers, clock skew, and the project in the path.

mod support;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use chrono::{Duration, Utc};
use serde_json::json;
use support::emulator::{Auth, Emulator, TEST_AK, TEST_PROJECT, TEST_SK, TEST_TOKEN};
use terraform_provider_modelarts::emulator::credentials::{AuthKind, Credentials, Presented};
use terraform_provider_modelarts::modelarts::signing;

const APPS: &str = "/app-auth/apps";

/// Extra request headers of one case.
type Headers<'a> = &'a [(&'a str, &'a str)];

fn apps_path() -> String {
    format!("/v1/{TEST_PROJECT}{APPS}")
}

fn date(offset: Duration) -> String {
    (Utc::now() + offset)
        .format(signing::DATE_FORMAT)
        .to_string()
}

/// Tokens are checked against the configured list; none at all is ModelArts.0201.
#[test]
fn tokens_are_checked_against_the_configured_list() {
    let emulator = Emulator::start();
    let cases: [(&str, Headers, u16, &str); 4] = [
        ("configured token", &[("X-Auth-Token", TEST_TOKEN)], 200, ""),
        (
            "unknown token",
            &[("X-Auth-Token", "forged")],
            401,
            "ModelArts.0203",
        ),
        ("no credential", &[], 401, "ModelArts.0201"),
        (
            "empty token",
            &[("X-Auth-Token", "")],
            401,
            "ModelArts.0201",
        ),
    ];
    for (name, headers, status, code) in cases {
        let answer = emulator.send("GET", &apps_path(), b"", Auth::Headers(headers));
        assert_eq!(
            (answer.status, answer.error_code()),
            (status, code),
            "{name}"
        );
    }
}

/// A request signed with the configured AK/SK is accepted and logged as `aksk`.
#[test]
fn signed_requests_are_accepted() {
    let emulator = Emulator::start();
    emulator.seed_simple(&[("svc", &["api"])], &["app"]);
    let body = json!({"apps": [{"app_id": "app"}]}).to_string();
    let path =
        format!("/v1/{TEST_PROJECT}/services/svc/app-auth-apis/api/app-auth-api?workspace_id=0");
    let answer = emulator.send("POST", &path, body.as_bytes(), Auth::Aksk);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let answer = emulator.send(
        "GET",
        &format!("{}?app_name=a%20b+c&limit=10", apps_path()),
        b"",
        Auth::Aksk,
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let kinds: Vec<_> = emulator.calls().iter().map(|c| c["auth"].clone()).collect();
    assert_eq!(kinds, [json!("aksk"), json!("aksk")]);
}

/// A signature that does not recompute, or an unusable Authorization header, is
/// refused with APIGW.0301, and the answer never echoes a secret.
#[test]
fn bad_signatures_are_refused_with_apigw_0301() {
    let emulator = Emulator::start();
    let now = date(Duration::zero());
    let host = emulator.url.trim_start_matches("http://").to_string();
    let good_names = ["host", "x-sdk-date"].map(String::from);
    let request = signing::SignableRequest {
        method: "GET",
        path: &apps_path(),
        query: &[],
        headers: &[
            ("Host".into(), host.clone()),
            ("X-Sdk-Date".into(), now.clone()),
        ],
        body: b"",
    };
    let good = signing::sign(&request, &good_names, TEST_SK.as_bytes());
    let header = |ak: &str, names: &str, sig: &str| {
        format!("SDK-HMAC-SHA256 Access={ak}, SignedHeaders={names}, Signature={sig}")
    };
    let cases = [
        (
            "wrong signature",
            header(TEST_AK, "host;x-sdk-date", &"0".repeat(64)),
        ),
        (
            "unknown access key",
            header("OTHERAK", "host;x-sdk-date", &good),
        ),
        ("date not signed", header(TEST_AK, "host", &good)),
        ("other scheme", format!("Bearer {good}")),
        ("missing fields", "SDK-HMAC-SHA256 Access=x".to_string()),
    ];
    for (name, authorization) in cases {
        let headers = [
            ("Host", host.as_str()),
            ("X-Sdk-Date", now.as_str()),
            ("Authorization", authorization.as_str()),
        ];
        let answer = emulator.send("GET", &apps_path(), b"", Auth::Headers(&headers));
        assert_eq!(
            (answer.status, answer.error_code()),
            (401, "APIGW.0301"),
            "{name}"
        );
        assert_eq!(answer.body["request_id"], answer.request_id(), "{name}");
        assert!(!answer.body.to_string().contains(TEST_SK), "{name}");
    }
    let signed = [("Host", host.as_str()), ("X-Sdk-Date", now.as_str())];
    let authorization = header(TEST_AK, "host;x-sdk-date", &good);
    let mut headers = signed.to_vec();
    headers.push(("Authorization", &authorization));
    assert_eq!(
        emulator
            .send("GET", &apps_path(), b"", Auth::Headers(&headers))
            .status,
        200
    );
    let tampered = emulator.send(
        "GET",
        &format!("{}?limit=1", apps_path()),
        b"",
        Auth::Headers(&headers),
    );
    assert_eq!(
        tampered.error_code(),
        "APIGW.0301",
        "an added query parameter breaks the signature"
    );
}

/// An X-Sdk-Date more than 15 minutes off is refused with APIGW.0303, closer is
/// accepted, and the `clock_skew_check` setting turns the check off.
#[test]
fn clock_skew_over_15_minutes_is_refused_with_apigw_0303() {
    let emulator = Emulator::start();
    let cases = [
        ("14 minutes behind", Duration::minutes(-14), 200, ""),
        ("14 minutes ahead", Duration::minutes(14), 200, ""),
        (
            "16 minutes behind",
            Duration::minutes(-16),
            401,
            "APIGW.0303",
        ),
        ("a day ahead", Duration::days(1), 401, "APIGW.0303"),
    ];
    for (name, offset, status, code) in cases {
        let answer = emulator.send("GET", &apps_path(), b"", Auth::AkskAt(&date(offset)));
        assert_eq!(
            (answer.status, answer.error_code()),
            (status, code),
            "{name}"
        );
    }
    emulator.put_settings(&json!({"clock_skew_check": false}));
    let answer = emulator.send("GET", &apps_path(), b"", Auth::AkskAt("20060102T150405Z"));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let answer = emulator.send("GET", &apps_path(), b"", Auth::AkskAt("yesterday"));
    assert_eq!(
        answer.error_code(),
        "APIGW.0301",
        "an unreadable date is still refused"
    );
}

/// A project other than the configured one, in the path or in X-Project-Id, is
/// refused with 401 ModelArts.0203.
#[test]
fn a_foreign_project_is_refused_with_modelarts_0203() {
    let emulator = Emulator::start();
    let other = "/v1/ffffffffffffffffffffffffffffffff/app-auth/apps";
    for auth in [Auth::Token, Auth::Aksk] {
        let answer = emulator.send("GET", other, b"", auth);
        assert_eq!(
            (answer.status, answer.error_code()),
            (401, "ModelArts.0203"),
            "{auth:?}"
        );
    }
}

struct Vector {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    query: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static [u8],
    secret: &'static str,
    signature: &'static str,
}

/// The three known-answer vectors of the API reference.
const VECTORS: [Vector; 3] = [
    Vector {
        name: "get with host and content type",
        method: "GET",
        path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
        query: "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
        headers: &[
            ("content-type", "application/json"),
            ("host", "service.region.example.com"),
            ("x-sdk-date", "20191115T033655Z"),
        ],
        body: b"",
        secret: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
        signature: "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
    },
    Vector {
        name: "get with date only",
        method: "GET",
        path: "/path",
        query: "limit=1",
        headers: &[("x-sdk-date", "20060102T150405Z")],
        body: b"",
        secret: "SecretKey",
        signature: "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
    },
    Vector {
        name: "post with body",
        method: "POST",
        path: "/path",
        query: "key=value",
        headers: &[("x-sdk-date", "20060102T150405Z")],
        body: b"{\"Name\":\"test\",\"Id\":1}\n",
        secret: "SecretKey",
        signature: "cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59",
    },
];

/// Requests built from the reference's known-answer vectors pass the emulator's
/// verifier with the skew check off, and fail it when one signature digit changes.
#[test]
fn known_answer_vectors_pass_the_verifier() {
    for vector in VECTORS {
        let credentials = Credentials {
            keys: [("KAT-AK".to_string(), vector.secret.to_string())].into(),
            ..Credentials::default()
        };
        let names: Vec<&str> = vector.headers.iter().map(|(n, _)| *n).collect();
        let verify = |signature: &str| {
            let mut headers = HeaderMap::new();
            for (name, value) in vector.headers {
                headers.insert(
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                );
            }
            let authorization = format!(
                "SDK-HMAC-SHA256 Access=KAT-AK, SignedHeaders={}, Signature={signature}",
                names.join(";")
            );
            headers.insert("authorization", authorization.parse().unwrap());
            let presented = Presented {
                method: vector.method,
                path: vector.path,
                query: vector.query,
                headers: &headers,
                body: vector.body,
            };
            credentials.authenticate(&presented, "any-project", false, Utc::now())
        };
        let (kind, verdict) = verify(vector.signature);
        assert_eq!(kind, AuthKind::Aksk, "{}", vector.name);
        assert_eq!(verdict, Ok(()), "{}", vector.name);
        let mut tampered = vector.signature.to_string();
        tampered.replace_range(0..1, if tampered.starts_with('0') { "1" } else { "0" });
        let (_, verdict) = verify(&tampered);
        assert_eq!(verdict.unwrap_err().code, "APIGW.0301", "{}", vector.name);
    }
}
