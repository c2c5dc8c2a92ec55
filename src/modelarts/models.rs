//! The API's own objects (`AppAuthResultInfo`, `ApigAppDetailInfo`, ...) and the decoders
//! that turn an answer's bytes into them.
//!
//! Decoders are strict about what the client relies on (an app's `app_id`, each result's
//! `success`) and lenient about the rest, and they never panic: every problem becomes a
//! short message, ready for [`super::ClientError`]. The JSON parser's message may quote
//! a value of the wrong type from the body; the client redacts credentials from it.

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::auth::Secret;

/// An app (`ApigAppDetailInfo`). `app_secret` is a credential: it prints `***`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    /// The app's ID.
    pub app_id: String,
    /// The app's name.
    pub app_name: String,
    /// The app's description, when it has one.
    pub app_remark: Option<String>,
    /// The app key callers sign inference requests with.
    pub app_key: String,
    /// The app secret; never log it.
    pub app_secret: Secret,
    /// `APIC`, `APIG` or `DEDICATE_APIG` (empty when the service did not say).
    pub app_type: String,
    /// Creation time, epoch milliseconds (0 when the service did not say).
    pub created_at: i64,
    /// Last update time, epoch milliseconds.
    pub updated_at: Option<i64>,
    /// The app codes of the app.
    pub app_codes: Vec<String>,
}

/// An app authorized to an API, as the paged relations read reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizedApp {
    /// The app's ID.
    pub app_id: String,
    /// The app's name (empty when the service did not say).
    pub app_name: String,
}

/// One element of an authorize or cancel answer (`AppAuthResultInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppAuthResult {
    /// The app the element is about.
    pub app_id: String,
    /// Whether this app's authorization (or cancellation) took place.
    pub success: bool,
    /// Why it failed, when it did and the service said.
    pub reason: Option<String>,
}

/// One page of a paged list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The number of items in the whole list, when the service said.
    pub total_count: Option<u64>,
}

/// One page of the relations read: each app, and whether it is authorized.
pub type RelationsPage = Page<(AuthorizedApp, bool)>;

#[derive(Deserialize)]
struct WireApp {
    app_id: String,
    app_name: Option<String>,
    app_remark: Option<String>,
    app_key: Option<String>,
    app_secret: Option<Secret>,
    app_type: Option<String>,
    created_at: Option<i64>,
    updated_at: Option<i64>,
    app_codes: Option<Vec<String>>,
}

impl WireApp {
    fn into_app(self) -> Result<App, String> {
        require_id("app_id", &self.app_id)?;
        Ok(App {
            app_id: self.app_id,
            app_name: self.app_name.unwrap_or_default(),
            app_remark: self.app_remark.filter(|remark| !remark.is_empty()),
            app_key: self.app_key.unwrap_or_default(),
            app_secret: self
                .app_secret
                .unwrap_or_else(|| Secret::new(String::new())),
            app_type: self.app_type.unwrap_or_default(),
            created_at: self.created_at.unwrap_or_default(),
            updated_at: self.updated_at,
            app_codes: self.app_codes.unwrap_or_default(),
        })
    }
}

#[derive(Deserialize)]
struct WireResult {
    app_id: String,
    success: bool,
    reason: Option<String>,
}

#[derive(Deserialize)]
struct WireAuthorizeAnswer {
    auth_result: Vec<WireResult>,
}

#[derive(Deserialize)]
struct WireCancelAnswer {
    unauth_result: Vec<WireResult>,
}

/// The part of an app the relations read uses. The service sends the whole app (key,
/// secret, codes, ...) with each relation; leaving the rest unparsed halves the cost of
/// decoding a page and keeps app secrets out of the provider's memory during reads.
#[derive(Deserialize)]
struct WireAuthorizedApp {
    app_id: String,
    app_name: Option<String>,
}

#[derive(Deserialize)]
struct WireRelation {
    app: WireAuthorizedApp,
    authed: Option<bool>,
}

#[derive(Deserialize)]
struct WireRelationsPage {
    auths: Vec<WireRelation>,
    total_count: Option<u64>,
}

#[derive(Deserialize)]
struct WireAppsPage {
    apps: Vec<WireApp>,
    total_count: Option<u64>,
}

#[derive(Deserialize)]
struct WireAppAnswer {
    app: WireApp,
}

/// Longest decoder message kept, so a pathological body cannot bloat a diagnostic.
const MAX_MESSAGE_CHARS: usize = 200;

/// Parses JSON after ruling out the usual non-JSON answers with a clearer message.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let trimmed = body.trim_ascii_start();
    if trimmed.is_empty() {
        return Err("the body was empty".into());
    }
    if trimmed.starts_with(b"<") {
        return Err("the body was not JSON (it looks like HTML or XML)".into());
    }
    // Checking the whole body as UTF-8 once lets the parser skip the check on each of
    // its strings and keys, which was a fifth of the cost of decoding a page.
    let parsed = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    };
    parsed.map_err(|error| shorten(format!("invalid JSON: {error}")))
}

fn require_id(field: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        Err(format!("an element had an empty {field}"))
    } else {
        Ok(())
    }
}

fn into_results(wire: Vec<WireResult>) -> Result<Vec<AppAuthResult>, String> {
    wire.into_iter()
        .map(|result| {
            require_id("app_id", &result.app_id)?;
            Ok(AppAuthResult {
                app_id: result.app_id,
                success: result.success,
                reason: result.reason.filter(|reason| !reason.trim().is_empty()),
            })
        })
        .collect()
}

/// Decodes an authorize answer (`{"auth_result": [...]}`).
pub fn decode_authorize_answer(body: &[u8]) -> Result<Vec<AppAuthResult>, String> {
    into_results(parse::<WireAuthorizeAnswer>(body)?.auth_result)
}

/// Decodes a cancel answer (`{"unauth_result": [...]}`).
pub fn decode_cancel_answer(body: &[u8]) -> Result<Vec<AppAuthResult>, String> {
    into_results(parse::<WireCancelAnswer>(body)?.unauth_result)
}

/// Decodes one page of the relations read (`ShowApiAuthInfos`). An element without
/// `authed` counts as authorized, since the client asks for authorized apps only.
pub fn decode_relations_page(body: &[u8]) -> Result<RelationsPage, String> {
    let wire = parse::<WireRelationsPage>(body)?;
    let items = wire
        .auths
        .into_iter()
        .map(|relation| {
            let app = relation.app;
            require_id("app_id", &app.app_id)?;
            let authorized = AuthorizedApp {
                app_id: app.app_id,
                app_name: app.app_name.unwrap_or_default(),
            };
            Ok((authorized, relation.authed.unwrap_or(true)))
        })
        .collect::<Result<_, String>>()?;
    Ok(Page {
        items,
        total_count: wire.total_count,
    })
}

/// Decodes one page of the apps list (`{"apps": [...], "total_count": n}`).
pub fn decode_apps_page(body: &[u8]) -> Result<Page<App>, String> {
    let wire = parse::<WireAppsPage>(body)?;
    let items = wire
        .apps
        .into_iter()
        .map(WireApp::into_app)
        .collect::<Result<_, String>>()?;
    Ok(Page {
        items,
        total_count: wire.total_count,
    })
}

/// Decodes a create or show answer (`{"app": {...}}`).
pub fn decode_app_answer(body: &[u8]) -> Result<App, String> {
    parse::<WireAppAnswer>(body)?.app.into_app()
}

/// The `error_code` and `error_msg` of an error answer, when it has them; anything else
/// (HTML from a proxy, an empty body) yields `(None, None)`.
pub fn decode_error_answer(body: &[u8]) -> (Option<String>, Option<String>) {
    decode_error_answer_redacted(body, str::to_string)
}

/// [`decode_error_answer`], passing each field through `redact` before it is cut to
/// length: a cut made first could split an echoed secret, and leave its start where
/// `redact` no longer recognises it.
pub(crate) fn decode_error_answer_redacted(
    body: &[u8],
    redact: impl Fn(&str) -> String,
) -> (Option<String>, Option<String>) {
    #[derive(Deserialize)]
    struct WireError {
        error_code: Option<String>,
        error_msg: Option<String>,
    }
    match serde_json::from_slice::<WireError>(body) {
        Ok(error) => {
            let clean = |text: String| shorten(redact(&text));
            (
                error.error_code.filter(|code| !code.is_empty()).map(clean),
                error.error_msg.filter(|msg| !msg.is_empty()).map(clean),
            )
        }
        Err(_) => (None, None),
    }
}

fn shorten(text: String) -> String {
    if text.chars().count() > MAX_MESSAGE_CHARS {
        text.chars().take(MAX_MESSAGE_CHARS).collect::<String>() + "..."
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Malformed answers become a message, never a panic, for every decoder.
    #[test]
    fn malformed_answers_are_reported_not_panicked_on() {
        let huge_string = format!("{{\"auth_result\": \"{}\"}}", "x".repeat(10_000));
        let cases: &[(&str, &[u8], &str)] = &[
            ("empty", b"", "empty"),
            ("whitespace", b"  \n", "empty"),
            ("html", b"<html><body>502 Bad Gateway</body></html>", "HTML"),
            (
                "truncated",
                br#"{"auth_result": [{"app_id": "a", "succ"#,
                "invalid JSON",
            ),
            (
                "wrong type",
                br#"{"auth_result": {"app_id": "a"}}"#,
                "invalid JSON",
            ),
            ("missing list", br#"{"result": []}"#, "auth_result"),
            (
                "missing success",
                br#"{"auth_result": [{"app_id": "a"}]}"#,
                "success",
            ),
            (
                "success as string",
                br#"{"auth_result": [{"app_id": "a", "success": "yes"}]}"#,
                "invalid",
            ),
            (
                "empty app id",
                br#"{"auth_result": [{"app_id": " ", "success": true}]}"#,
                "empty app_id",
            ),
            ("null", b"null", "invalid JSON"),
            ("not utf-8", b"\xff\xfe{", "invalid JSON"),
            ("huge string", huge_string.as_bytes(), "..."),
        ];
        for (name, body, expected) in cases {
            let message = decode_authorize_answer(body).unwrap_err();
            assert!(message.contains(expected), "{name}: {message}");
            assert!(
                message.chars().count() <= MAX_MESSAGE_CHARS + 3,
                "{name}: too long"
            );
        }
    }

    /// Each decoder checks its own shape and rejects the others'.
    #[test]
    fn decoders_accept_their_shape_only() {
        let authorize = br#"{"auth_result": [{"api_id": "x", "app_id": "a", "success": true}]}"#;
        let cancel = br#"{"unauth_result": [{"app_id": "a", "success": false, "reason": "not authorized"}]}"#;
        let relations = br#"{"auths": [{"app": {"app_id": "a", "app_name": "n"}, "authed": true},
            {"app": {"app_id": "b"}, "authed": false}, {"app": {"app_id": "c"}}],
            "count": 3, "total_count": 9}"#;
        let apps = br#"{"apps": [{"app_id": "a", "app_name": "n", "app_secret": "s3cr3t",
            "created_at": 1700000000000, "app_remark": null}], "count": 1, "total_count": 1}"#;
        let app =
            br#"{"app": {"app_id": "a", "app_name": "n", "app_key": "k", "app_type": "APIG"}}"#;

        assert_eq!(
            decode_authorize_answer(authorize).unwrap(),
            [AppAuthResult {
                app_id: "a".into(),
                success: true,
                reason: None
            }]
        );
        assert_eq!(
            decode_cancel_answer(cancel).unwrap()[0].reason.as_deref(),
            Some("not authorized")
        );
        let page = decode_relations_page(relations).unwrap();
        let flags: Vec<(&str, bool)> = page
            .items
            .iter()
            .map(|(app, authed)| (app.app_id.as_str(), *authed))
            .collect();
        assert_eq!(flags, [("a", true), ("b", false), ("c", true)]);
        assert_eq!(page.total_count, Some(9));
        let listed = decode_apps_page(apps).unwrap();
        assert_eq!(listed.items[0].app_secret.expose(), "s3cr3t");
        assert_eq!(listed.items[0].app_remark, None);
        assert_eq!(decode_app_answer(app).unwrap().app_type, "APIG");

        assert!(decode_authorize_answer(cancel).is_err());
        assert!(decode_cancel_answer(authorize).is_err());
        assert!(decode_relations_page(apps).is_err());
        assert!(decode_app_answer(apps).is_err());
    }

    /// The relations read needs only each app's ID and name: an odd value in a field it
    /// does not use does not fail the read, an empty app ID still does.
    #[test]
    fn relations_pages_ignore_the_app_fields_the_read_does_not_use() {
        let odd = br#"{"auths": [{"app": {"app_id": "a", "app_name": "n", "app_secret": 7,
            "created_at": "yesterday", "app_codes": "none"}, "authed": true}]}"#;
        let page = decode_relations_page(odd).unwrap();
        assert_eq!(
            page.items,
            [(
                AuthorizedApp {
                    app_id: "a".into(),
                    app_name: "n".into()
                },
                true
            )]
        );

        let empty_id = br#"{"auths": [{"app": {"app_id": " "}, "authed": true}]}"#;
        let message = decode_relations_page(empty_id).unwrap_err();
        assert!(message.contains("empty app_id"), "{message}");
    }

    /// A named error body and the code and message expected from it.
    type ErrorCase = (
        &'static str,
        &'static [u8],
        Option<&'static str>,
        Option<&'static str>,
    );

    /// Error bodies yield their code and message; anything else yields nothing.
    #[test]
    fn error_answers_yield_code_and_message() {
        let cases: &[ErrorCase] = &[
            (
                "modelarts",
                br#"{"error_code": "ModelArts.0102", "error_msg": "gone"}"#,
                Some("ModelArts.0102"),
                Some("gone"),
            ),
            (
                "gateway",
                br#"{"error_code": "APIGW.0308", "error_msg": "slow down", "request_id": "r"}"#,
                Some("APIGW.0308"),
                Some("slow down"),
            ),
            (
                "empty strings",
                br#"{"error_code": "", "error_msg": ""}"#,
                None,
                None,
            ),
            ("html", b"<html>oops</html>", None, None),
            ("empty", b"", None, None),
            ("wrong types", br#"{"error_code": 5}"#, None, None),
        ];
        for (name, body, code, msg) in cases {
            let (got_code, got_msg) = decode_error_answer(body);
            assert_eq!(got_code.as_deref(), *code, "{name}");
            assert_eq!(got_msg.as_deref(), *msg, "{name}");
        }
    }

    /// Decoded apps never show their secret through Debug.
    #[test]
    fn debug_of_an_app_hides_its_secret() {
        let app = decode_app_answer(br#"{"app": {"app_id": "a", "app_secret": "s3cr3t-value"}}"#)
            .unwrap();
        assert!(!format!("{app:?}").contains("s3cr3t-value"));
    }
}
