//! Credential checks in the order the API gateway makes them: which credential the
//! request presents, whether it is known, and for AK/SK whether the signing time is
//! fresh and the SDK-HMAC-SHA256 signature recomputes from the declared headers.
//!
//! Secrets never leave this module: errors name what failed, never a value.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, NaiveDateTime, Utc};
use percent_encoding::percent_decode_str;
use serde::Serialize;

use super::error::ApiError;
use crate::modelarts::signing::{self, SignableRequest};

/// Longest accepted distance between `X-Sdk-Date` and the emulator's clock.
pub const MAX_CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(15);

/// Which credential a request presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    /// `X-Auth-Token`.
    Token,
    /// An SDK-HMAC-SHA256 `Authorization` header.
    Aksk,
    /// Nothing.
    None,
}

/// The credentials the emulator accepts, from the command line.
#[derive(Clone, Default)]
pub struct Credentials {
    /// Accepted `X-Auth-Token` values.
    pub tokens: Vec<String>,
    /// Secret key by access key.
    pub keys: BTreeMap<String, String>,
    /// The only project id accepted in paths, when set.
    pub project_id: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("tokens", &self.tokens.len())
            .field("access_keys", &self.keys.keys().collect::<Vec<_>>())
            .field("project_id", &self.project_id)
            .finish()
    }
}

/// The parts of a request the checks read.
#[derive(Debug, Clone, Copy)]
pub struct Presented<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Raw (percent-encoded) path.
    pub path: &'a str,
    /// Raw query string, without `?`.
    pub query: &'a str,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Exact body bytes.
    pub body: &'a [u8],
}

/// Decodes a raw query string into pairs, reading `+` as a space like form encoding.
pub fn decode_query(raw: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(pair), String::new()),
        })
        .collect()
}

fn unauthorized(code: &str, message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, code, message)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

impl Credentials {
    /// Checks the request's credential and that the path's project is theirs.
    ///
    /// Returns the kind of credential presented and, when refused, the error:
    /// 401 `ModelArts.0201` when none is presented, `ModelArts.0203` for an unknown
    /// token or a project the credentials do not cover, `APIGW.0301` for a malformed
    /// header, unknown access key or wrong signature, `APIGW.0303` for a stale date.
    pub fn authenticate(
        &self,
        request: &Presented<'_>,
        project_id: &str,
        check_skew: bool,
        now: DateTime<Utc>,
    ) -> (AuthKind, Result<(), ApiError>) {
        let token = header(request.headers, "x-auth-token").filter(|t| !t.is_empty());
        let authorization = header(request.headers, "authorization").filter(|a| !a.is_empty());
        let (kind, verdict) = match (token, authorization) {
            (Some(token), _) => (AuthKind::Token, self.check_token(token)),
            (None, Some(authorization)) => (
                AuthKind::Aksk,
                self.check_signature(request, authorization, check_skew, now),
            ),
            (None, None) => (
                AuthKind::None,
                Err(unauthorized(
                    "ModelArts.0201",
                    "Authentication required: send X-Auth-Token or an AK/SK signature",
                )),
            ),
        };
        let verdict = verdict.and_then(|()| self.check_project(request, kind, project_id));
        (kind, verdict)
    }

    fn check_token(&self, token: &str) -> Result<(), ApiError> {
        if self.tokens.iter().any(|t| t == token) {
            Ok(())
        } else {
            Err(unauthorized(
                "ModelArts.0203",
                "The token is invalid or has expired",
            ))
        }
    }

    fn check_project(
        &self,
        request: &Presented<'_>,
        kind: AuthKind,
        project_id: &str,
    ) -> Result<(), ApiError> {
        let declared = match kind {
            AuthKind::Aksk => header(request.headers, "x-project-id"),
            _ => None,
        };
        let wrong_configured = self.project_id.as_deref().is_some_and(|p| p != project_id);
        if wrong_configured || declared.is_some_and(|p| p != project_id) {
            return Err(unauthorized(
                "ModelArts.0203",
                "The project ID in the request path does not match the project of the credentials",
            ));
        }
        Ok(())
    }

    fn check_signature(
        &self,
        request: &Presented<'_>,
        authorization: &str,
        check_skew: bool,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let bad = |why: &str| {
            unauthorized(
                "APIGW.0301",
                &format!("Incorrect IAM authentication information: {why}"),
            )
        };
        let parsed = signing::parse_authorization(authorization)
            .ok_or_else(|| bad("the Authorization header is not a valid SDK-HMAC-SHA256 header"))?;
        let secret = self
            .keys
            .get(&parsed.access_key)
            .ok_or_else(|| bad("the access key is unknown"))?;
        if !parsed.signed_headers.iter().any(|h| h == "x-sdk-date") {
            return Err(bad("X-Sdk-Date must be a signed header"));
        }
        let date =
            header(request.headers, "x-sdk-date").ok_or_else(|| bad("X-Sdk-Date is missing"))?;
        let signed_at = NaiveDateTime::parse_from_str(date, signing::DATE_FORMAT)
            .map_err(|_| bad("X-Sdk-Date is not in the YYYYMMDDTHHMMSSZ format"))?
            .and_utc();
        if check_skew && (now - signed_at).abs() > MAX_CLOCK_SKEW {
            return Err(unauthorized(
                "APIGW.0303",
                "Incorrect app authentication information: X-Sdk-Date is more than 15 minutes off",
            ));
        }

        let decoded_path = percent_decode_str(request.path).decode_utf8_lossy();
        let query = decode_query(request.query);
        let headers: Vec<(String, String)> = request
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let signable = SignableRequest {
            method: request.method,
            path: &decoded_path,
            query: &query,
            headers: &headers,
            body: request.body,
        };
        let mut canonical = signing::canonical_request(&signable, &parsed.signed_headers);
        // Clients may sign a declared payload hash instead of the body (the SDKs send
        // `UNSIGNED-PAYLOAD` for bodies that are not JSON); it then replaces the body
        // hash, the last line of the canonical request.
        let declared_hash = header(request.headers, "x-sdk-content-sha256");
        if let (Some(declared), false) = (declared_hash, request.body.is_empty()) {
            if let Some((head, _)) = canonical.rsplit_once('\n') {
                canonical = format!("{head}\n{declared}");
            }
        }
        let expected = signing::signature(
            secret.as_bytes(),
            &signing::string_to_sign(date, &canonical),
        );
        if constant_time_eq(expected.as_bytes(), parsed.signature.as_bytes()) {
            Ok(())
        } else {
            Err(bad("verify aksk signature fail"))
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Raw query strings decode into pairs, with `+` and percent escapes undone.
    #[test]
    fn queries_decode_like_form_encoding() {
        let cases = [
            ("empty", "", vec![]),
            ("plain", "a=1&b=2", vec![("a", "1"), ("b", "2")]),
            ("no value", "flag", vec![("flag", "")]),
            ("escapes", "t=%E4%B8%80%20%26+x", vec![("t", "一 & x")]),
        ];
        for (name, raw, expected) in cases {
            let expected: Vec<(String, String)> = expected
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
            assert_eq!(decode_query(raw), expected, "{name}");
        }
    }
}
