//! SDK-HMAC-SHA256, the AK/SK request signature that Huawei Cloud's API gateway checks.
//!
//! Pure functions over a request's parts, shared by the client (which signs) and the
//! emulator (which verifies), so both follow the one canonical form described in the API
//! reference. No secret is stored or logged here: the key is borrowed for one HMAC.

use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

/// The algorithm name that opens the string to sign and the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// The header carrying the signing time, `YYYYMMDDTHHMMSSZ` in UTC.
pub const DATE_HEADER: &str = "X-Sdk-Date";

/// Format of [`DATE_HEADER`] for `chrono`.
pub const DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";

/// Everything but the unreserved characters `A-Z a-z 0-9 - _ . ~` is escaped.
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The parts of an HTTP request that the signature covers.
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    /// HTTP method, any case.
    pub method: &'a str,
    /// The path as sent, without query, not yet percent-encoded.
    pub path: &'a str,
    /// Decoded query parameters, in any order.
    pub query: &'a [(String, String)],
    /// Headers as `(name, value)`; names in any case.
    pub headers: &'a [(String, String)],
    /// The exact body bytes.
    pub body: &'a [u8],
}

/// Percent-encodes one path segment or query component the way the signer expects.
pub fn encode_component(raw: &str) -> String {
    utf8_percent_encode(raw, ESCAPED).to_string()
}

/// The canonical URI: every segment encoded, always ending in `/`.
pub fn canonical_uri(path: &str) -> String {
    let mut uri = path
        .split('/')
        .map(encode_component)
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// The canonical query: pairs sorted by raw name then raw value (byte order), then
/// encoded and joined by `&`.
///
/// Sorting happens before encoding, as the official SDK does: the two orders differ when
/// names differ at a character that encoding expands (`a:` sorts before `a0` encoded,
/// after it raw).
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<&(String, String)> = query.iter().collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Lower-cases, sorts and de-duplicates header names for the `SignedHeaders` list.
pub fn signed_header_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = names.into_iter().map(str::to_ascii_lowercase).collect();
    names.sort();
    names.dedup();
    names
}

/// Builds the six-line canonical request over the given signed header names.
///
/// A signed header that the request does not carry contributes an empty value, which
/// makes the signature fail to verify rather than panic.
pub fn canonical_request(request: &SignableRequest<'_>, signed_headers: &[String]) -> String {
    let mut headers = String::new();
    for name in signed_headers {
        let value = request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .unwrap_or("");
        headers.push_str(name);
        headers.push(':');
        headers.push_str(value);
        headers.push('\n');
    }
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method.to_ascii_uppercase(),
        canonical_uri(request.path),
        canonical_query(request.query),
        headers,
        signed_headers.join(";"),
        hex::encode(Sha256::digest(request.body)),
    )
}

/// The string to sign: algorithm, signing time, and the hash of the canonical request.
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{sdk_date}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    )
}

/// Lower-case hex HMAC-SHA256 of `string_to_sign` keyed with the secret key bytes.
pub fn signature(secret_key: &[u8], string_to_sign: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Signs a request: returns the signature over the given signed headers.
///
/// The request must already carry the [`DATE_HEADER`] among its headers.
pub fn sign(request: &SignableRequest<'_>, signed_headers: &[String], secret_key: &[u8]) -> String {
    let date = request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(DATE_HEADER))
        .map(|(_, v)| v.trim())
        .unwrap_or("");
    let canonical = canonical_request(request, signed_headers);
    signature(secret_key, &string_to_sign(date, &canonical))
}

/// The `Authorization` header value for a signature.
pub fn authorization_header(
    access_key: &str,
    signed_headers: &[String],
    signature: &str,
) -> String {
    format!(
        "{ALGORITHM} Access={access_key}, SignedHeaders={}, Signature={signature}",
        signed_headers.join(";")
    )
}

/// The three fields of an `Authorization: SDK-HMAC-SHA256 ...` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    /// The access key the client declared.
    pub access_key: String,
    /// The signed header names, as declared.
    pub signed_headers: Vec<String>,
    /// The hex signature, as declared.
    pub signature: String,
}

/// Parses an `Authorization` header; `None` when it is not a well-formed
/// SDK-HMAC-SHA256 header.
pub fn parse_authorization(value: &str) -> Option<ParsedAuthorization> {
    let rest = value.trim().strip_prefix(ALGORITHM)?.trim_start();
    let (mut access_key, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (name, val) = part.trim().split_once('=')?;
        match name.trim() {
            "Access" => access_key = Some(val.trim().to_string()),
            "SignedHeaders" => {
                signed_headers = Some(val.trim().split(';').map(str::to_string).collect())
            }
            "Signature" => signature = Some(val.trim().to_string()),
            _ => return None,
        }
    }
    Some(ParsedAuthorization {
        access_key: access_key.filter(|a| !a.is_empty())?,
        signed_headers: signed_headers?,
        signature: signature.filter(|s| !s.is_empty())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    struct Vector {
        name: &'static str,
        method: &'static str,
        path: &'static str,
        query: &'static [(&'static str, &'static str)],
        headers: &'static [(&'static str, &'static str)],
        body: &'static [u8],
        secret: &'static str,
        expected: &'static str,
    }

    const VECTORS: &[Vector] = &[
        Vector {
            name: "get with host and content type",
            method: "GET",
            path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
            query: &[
                ("limit", "2"),
                ("marker", "13551d6b-755d-4757-b956-536f674975c0"),
            ],
            headers: &[
                ("Content-Type", "application/json"),
                ("Host", "service.region.example.com"),
                ("X-Sdk-Date", "20191115T033655Z"),
            ],
            body: b"",
            secret: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
            expected: "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
        },
        Vector {
            name: "get with date only",
            method: "GET",
            path: "/path",
            query: &[("limit", "1")],
            headers: &[("X-Sdk-Date", "20060102T150405Z")],
            body: b"",
            secret: "SecretKey",
            expected: "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
        },
        Vector {
            name: "post with body",
            method: "POST",
            path: "/path",
            query: &[("key", "value")],
            headers: &[("X-Sdk-Date", "20060102T150405Z")],
            body: b"{\"Name\":\"test\",\"Id\":1}\n",
            secret: "SecretKey",
            expected: "cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59",
        },
    ];

    #[test]
    fn known_answer_vectors_match() {
        for v in VECTORS {
            let query = pairs(v.query);
            let headers = pairs(v.headers);
            let request = SignableRequest {
                method: v.method,
                path: v.path,
                query: &query,
                headers: &headers,
                body: v.body,
            };
            let names = signed_header_names(headers.iter().map(|(n, _)| n.as_str()));
            assert_eq!(
                sign(&request, &names, v.secret.as_bytes()),
                v.expected,
                "{}",
                v.name
            );
        }
    }

    #[test]
    fn canonical_query_sorts_and_encodes() {
        let query = pairs(&[
            ("limit", "1"),
            ("enable", "true"),
            ("test", "一 (&=?!#%.*)"),
            ("path", "/tmp/123"),
            ("multi", "3"),
            ("multi", "1"),
            ("multi", "2"),
        ]);
        assert_eq!(
            canonical_query(&query),
            "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123\
             &test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29"
        );
    }

    /// Names are ordered as sent, not as encoded, so `a0` precedes `a:`.
    #[test]
    fn canonical_query_sorts_before_encoding() {
        let query = pairs(&[("a:", "1"), ("a0", "2")]);
        assert_eq!(canonical_query(&query), "a0=2&a%3A=1");
    }

    #[test]
    fn canonical_uri_encodes_segments_and_appends_slash() {
        let cases = [
            ("root", "/", "/"),
            ("plain", "/v1/p/services", "/v1/p/services/"),
            ("trailing slash kept", "/v1/p/", "/v1/p/"),
            ("space and colon", "/a b/c:d", "/a%20b/c%3Ad/"),
        ];
        for (name, input, expected) in cases {
            assert_eq!(canonical_uri(input), expected, "{name}");
        }
    }

    #[test]
    fn authorization_header_round_trips() {
        let names = signed_header_names(["X-Sdk-Date", "host"]);
        let header = authorization_header("AK1", &names, "abc");
        assert_eq!(
            header,
            "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=abc"
        );
        let parsed = parse_authorization(&header).unwrap();
        assert_eq!(parsed.access_key, "AK1");
        assert_eq!(parsed.signed_headers, names);
        assert_eq!(parsed.signature, "abc");
    }

    #[test]
    fn malformed_authorization_headers_are_rejected() {
        let cases = [
            ("empty", ""),
            ("other scheme", "Bearer abc"),
            ("no access", "SDK-HMAC-SHA256 SignedHeaders=a, Signature=b"),
            (
                "empty signature",
                "SDK-HMAC-SHA256 Access=a, SignedHeaders=b, Signature=",
            ),
            (
                "unknown field",
                "SDK-HMAC-SHA256 Access=a, SignedHeaders=b, Signature=c, X=y",
            ),
            ("no equals", "SDK-HMAC-SHA256 Access"),
        ];
        for (name, input) in cases {
            assert!(parse_authorization(input).is_none(), "{name}");
        }
    }
}
