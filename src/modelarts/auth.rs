//! Credentials and the headers that prove them: the only module that sees a secret.
//!
//! A token goes out as `X-Auth-Token`. An access/secret key pair signs each request with
//! SDK-HMAC-SHA256 (see [`super::signing`]) over the exact method, path, query, headers
//! and body bytes that are sent.

use std::fmt;

use chrono::{DateTime, Utc};
use percent_encoding::percent_decode_str;
use reqwest::Url;

use super::signing::{self, SignableRequest};

/// A credential value. `Debug` and `Display` print `***`, so it never reaches a log.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential value.
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    /// The value itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How the client proves who it is. `Debug` shows the kind, never a value.
#[derive(Clone)]
pub enum Credentials {
    /// An IAM token, sent as `X-Auth-Token`.
    Token(Secret),
    /// A permanent or temporary access key pair, used to sign every request.
    AkSk {
        /// The access key ID, declared in the `Authorization` header.
        access_key: String,
        /// The secret key that keys the signature.
        secret_key: Secret,
        /// The security token of temporary credentials, sent as `X-Security-Token`.
        security_token: Option<Secret>,
    },
}

/// Longest service message kept in an error; the rest is cut, as gateways can answer with
/// whole pages.
const MAX_ECHOED_CHARS: usize = 500;

impl Credentials {
    /// The kind of credential, for logs: `"token"` or `"aksk"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Credentials::Token(_) => "token",
            Credentials::AkSk { .. } => "aksk",
        }
    }

    /// Makes a message from the service safe to show: every secret value of these
    /// credentials, and any signature, becomes `***`, and the text is capped in length.
    ///
    /// Gateways and proxies sometimes echo request headers in their error messages; what
    /// they echo must not reach a diagnostic or a CI log.
    pub fn redact(&self, message: &str) -> String {
        let mut text = message.to_string();
        let secrets: Vec<&str> = match self {
            Credentials::Token(token) => vec![token.expose()],
            Credentials::AkSk {
                secret_key,
                security_token,
                ..
            } => std::iter::once(secret_key.expose())
                .chain(security_token.iter().map(Secret::expose))
                .collect(),
        };
        for secret in secrets.into_iter().filter(|s| !s.is_empty()) {
            text = text.replace(secret, "***");
        }
        let text = redact_signatures(&text);
        match text.char_indices().nth(MAX_ECHOED_CHARS) {
            Some((cut, _)) => format!("{}...", &text[..cut]),
            None => text,
        }
    }
}

/// Replaces the value after every `Signature=` with `***`.
fn redact_signatures(text: &str) -> String {
    const MARK: &str = "Signature=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let value_start = at + MARK.len();
        out.push_str(&rest[..value_start]);
        out.push_str("***");
        let value_len = rest[value_start..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len() - value_start);
        rest = &rest[value_start + value_len..];
    }
    out.push_str(rest);
    out
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Token(token) => f.debug_tuple("Token").field(token).finish(),
            // The access key is not secret on its own, but it names an account; keep it out
            // of logs like the rest.
            Credentials::AkSk {
                secret_key,
                security_token,
                ..
            } => f
                .debug_struct("AkSk")
                .field("access_key", &"***")
                .field("secret_key", secret_key)
                .field("security_token", security_token)
                .finish(),
        }
    }
}

/// The parts of one outgoing request that authentication depends on.
pub(crate) struct OutgoingRequest<'a> {
    /// HTTP method, upper case.
    pub method: &'a str,
    /// The full URL as sent (path segments already encoded, query included).
    pub url: &'a Url,
    /// The project the request addresses, for `X-Project-Id`.
    pub project_id: &'a str,
    /// The exact body bytes, empty when there is none.
    pub body: &'a [u8],
    /// Whether the request carries `Content-Type: application/json`.
    pub json_body: bool,
}

/// The headers that authenticate `request` (and its `Content-Type`), signed at `now` when
/// the credentials are AK/SK. The caller sends them as they are and adds no other header
/// that the service would expect to be signed.
pub(crate) fn auth_headers(
    credentials: &Credentials,
    request: &OutgoingRequest<'_>,
    now: DateTime<Utc>,
) -> Vec<(&'static str, String)> {
    let content_type = request
        .json_body
        .then(|| ("Content-Type", "application/json".to_string()));
    match credentials {
        Credentials::Token(token) => {
            let mut headers = vec![("X-Auth-Token", token.expose().to_string())];
            headers.extend(content_type);
            headers
        }
        Credentials::AkSk {
            access_key,
            secret_key,
            security_token,
        } => {
            let mut headers: Vec<(&'static str, String)> = vec![
                ("Host", host_header(request.url)),
                (
                    signing::DATE_HEADER,
                    now.format(signing::DATE_FORMAT).to_string(),
                ),
                ("X-Project-Id", request.project_id.to_string()),
            ];
            headers.extend(content_type);
            if let Some(token) = security_token {
                headers.push(("X-Security-Token", token.expose().to_string()));
            }
            let signable: Vec<(String, String)> = headers
                .iter()
                .map(|(name, value)| (name.to_string(), value.clone()))
                .collect();
            let names = signing::signed_header_names(headers.iter().map(|(name, _)| *name));
            let path = percent_decode_str(request.url.path()).decode_utf8_lossy();
            let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
            let signature = signing::sign(
                &SignableRequest {
                    method: request.method,
                    path: &path,
                    query: &query,
                    headers: &signable,
                    body: request.body,
                },
                &names,
                secret_key.expose().as_bytes(),
            );
            headers.push((
                "Authorization",
                signing::authorization_header(access_key, &names, &signature),
            ));
            headers
        }
    }
}

/// The `Host` value the HTTP stack would send: host, plus the port when not the default.
fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "tok-very-secret-value";
    const SK: &str = "sk-very-secret-value";
    const STS: &str = "sts-very-secret-value";

    fn aksk() -> Credentials {
        Credentials::AkSk {
            access_key: "AKEXAMPLE".into(),
            secret_key: Secret::new(SK.into()),
            security_token: Some(Secret::new(STS.into())),
        }
    }

    /// Neither Debug nor Display of any credential shows a secret value.
    /// Secrets and signatures that a service echoes never survive into an error text.
    #[test]
    fn echoed_secrets_and_signatures_are_redacted() {
        let token = Credentials::Token(Secret::new("TOKEN-SECRET-123".into()));
        let aksk = Credentials::AkSk {
            access_key: "AKID".into(),
            secret_key: Secret::new("SK-456".into()),
            security_token: Some(Secret::new("STS-789".into())),
        };
        let cases = [
            (
                "token",
                &token,
                "token TOKEN-SECRET-123 rejected",
                "token *** rejected",
            ),
            ("secret key", &aksk, "bad key SK-456", "bad key ***"),
            ("security token", &aksk, "STS-789 expired", "*** expired"),
            (
                "signature",
                &aksk,
                "Access=AKID, Signature=abc123def, x",
                "Access=AKID, Signature=***, x",
            ),
            ("nothing to hide", &token, "plain message", "plain message"),
        ];
        for (name, credentials, input, expected) in cases {
            assert_eq!(credentials.redact(input), expected, "{name}");
        }
        let long = "x".repeat(2000);
        assert!(token.redact(&long).len() < 600, "long messages are capped");
    }

    #[test]
    fn debug_of_credentials_shows_no_secret() {
        let cases = [
            (
                "token",
                format!("{:?}", Credentials::Token(Secret::new(TOKEN.into()))),
            ),
            ("aksk", format!("{:?}", aksk())),
            ("aksk pretty", format!("{:#?}", aksk())),
            ("secret display", format!("{}", Secret::new(SK.into()))),
        ];
        for (name, text) in cases {
            for secret in [TOKEN, SK, STS, "AKEXAMPLE"] {
                assert!(!text.contains(secret), "{name} leaks {secret}: {text}");
            }
            assert!(text.contains("***"), "{name}: {text}");
        }
    }

    /// An AK/SK request carries a signature the shared verifier accepts.
    #[test]
    fn aksk_headers_verify_with_the_signing_module() {
        let url = Url::parse("http://127.0.0.1:8123/v1/p1/app-auth/apps?limit=10&app_name=a%20b")
            .unwrap();
        let body = br#"{"app_name":"x"}"#;
        let request = OutgoingRequest {
            method: "POST",
            url: &url,
            project_id: "p1",
            body,
            json_body: true,
        };
        let now = DateTime::parse_from_rfc3339("2024-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let headers = auth_headers(&aksk(), &request, now);

        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        assert_eq!(get("Host").as_deref(), Some("127.0.0.1:8123"));
        assert_eq!(get("X-Sdk-Date").as_deref(), Some("20240102T030405Z"));
        assert_eq!(get("X-Security-Token").as_deref(), Some(STS));
        let parsed = signing::parse_authorization(&get("Authorization").unwrap()).unwrap();
        assert_eq!(parsed.access_key, "AKEXAMPLE");
        assert_eq!(
            parsed.signed_headers,
            [
                "content-type",
                "host",
                "x-project-id",
                "x-sdk-date",
                "x-security-token"
            ]
        );

        let plain: Vec<(String, String)> = headers
            .iter()
            .filter(|(n, _)| *n != "Authorization")
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect();
        let query = vec![
            ("limit".to_string(), "10".to_string()),
            ("app_name".to_string(), "a b".to_string()),
        ];
        let expected = signing::sign(
            &SignableRequest {
                method: "POST",
                path: "/v1/p1/app-auth/apps",
                query: &query,
                headers: &plain,
                body,
            },
            &parsed.signed_headers,
            SK.as_bytes(),
        );
        assert_eq!(parsed.signature, expected);
    }

    /// A token is sent as X-Auth-Token and nothing else.
    #[test]
    fn token_headers_are_only_the_token() {
        let url = Url::parse("https://modelarts.example.com/v1/p/app-auth/apps").unwrap();
        let request = OutgoingRequest {
            method: "GET",
            url: &url,
            project_id: "p",
            body: b"",
            json_body: false,
        };
        let headers = auth_headers(
            &Credentials::Token(Secret::new(TOKEN.into())),
            &request,
            Utc::now(),
        );
        assert_eq!(headers, vec![("X-Auth-Token", TOKEN.to_string())]);
    }
}
