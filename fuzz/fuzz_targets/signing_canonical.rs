//! Drives the signer's canonical forms with arbitrary paths, queries, headers and
//! bodies: nothing may panic, and the forms must keep the properties the verifier on
//! the other side relies on.
//!
//! Input layout: fields separated by 0xFF bytes: method, path, then query pairs as
//! `name=value` items, then `;;` and header pairs; the last field is the body.

#![no_main]

use libfuzzer_sys::fuzz_target;
use percent_encoding::percent_decode_str;
use terraform_provider_modelarts::modelarts::signing::{
    authorization_header, canonical_query, canonical_request, canonical_uri, encode_component,
    parse_authorization, sign, signed_header_names, SignableRequest,
};

fn is_encoded(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b))
}

fn pair(item: &str) -> (String, String) {
    match item.split_once('=') {
        Some((name, value)) => (name.to_string(), value.to_string()),
        None => (item.to_string(), String::new()),
    }
}

fuzz_target!(|data: &[u8]| {
    let fields: Vec<String> = data
        .split(|b| *b == 0xFF)
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    let method = fields.first().cloned().unwrap_or_default();
    let path = fields.get(1).cloned().unwrap_or_default();
    let body = fields.last().cloned().unwrap_or_default();
    let middle = if fields.len() > 3 {
        &fields[2..fields.len() - 1]
    } else {
        &[][..]
    };
    let split = middle
        .iter()
        .position(|f| f == ";;")
        .unwrap_or(middle.len());
    let query: Vec<(String, String)> = middle[..split].iter().map(|i| pair(i)).collect();
    let headers: Vec<(String, String)> = middle
        .get(split + 1..)
        .unwrap_or(&[])
        .iter()
        .map(|i| pair(i))
        .collect();

    // Each component encodes to unreserved characters and escapes, and decodes back.
    let encoded = encode_component(&path);
    assert!(is_encoded(&encoded));
    assert_eq!(percent_decode_str(&encoded).decode_utf8().unwrap(), path);

    // The URI ends in '/', and its segments decode back to the path's segments.
    let uri = canonical_uri(&path);
    assert!(uri.ends_with('/'));
    assert!(uri.split('/').all(is_encoded));
    let decoded: Vec<String> = uri
        .split('/')
        .map(|s| percent_decode_str(s).decode_utf8().unwrap().into_owned())
        .collect();
    let mut original: Vec<&str> = path.split('/').collect();
    if !path.ends_with('/') {
        original.push("");
    }
    assert_eq!(decoded, original);

    // The query has one sorted `name=value` item per pair, whatever the input order.
    let canonical = canonical_query(&query);
    if query.is_empty() {
        assert!(canonical.is_empty());
    } else {
        let items: Vec<&str> = canonical.split('&').collect();
        assert_eq!(items.len(), query.len());
        let pairs: Vec<(&str, &str)> = items
            .iter()
            .map(|i| i.split_once('=').expect("every item has a '='"))
            .collect();
        assert!(pairs.iter().all(|(n, v)| is_encoded(n) && is_encoded(v)));
        // Sorted by encoded name, then value (not as whole `name=value` strings).
        assert!(pairs.windows(2).all(|w| w[0] <= w[1]));
        let mut reversed = query.clone();
        reversed.reverse();
        assert_eq!(canonical_query(&reversed), canonical);
    }

    // The canonical request and the signature are deterministic and never panic.
    let names = signed_header_names(headers.iter().map(|(n, _)| n.as_str()));
    let request = SignableRequest {
        method: &method,
        path: &path,
        query: &query,
        headers: &headers,
        body: body.as_bytes(),
    };
    let first = canonical_request(&request, &names);
    assert_eq!(first, canonical_request(&request, &names));
    assert_ends_with_a_body_hash(&first);
    let signature = sign(&request, &names, body.as_bytes());
    assert_eq!(signature.len(), 64);

    // Header parsing never panics, and a header we build parses back when the access
    // key and names cannot be confused with its separators.
    let _ = parse_authorization(&path);
    let access_key: String = method
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let clean = names
        .iter()
        .all(|n| !n.is_empty() && !n.contains([',', ';', '=']) && n.trim() == n);
    if !access_key.is_empty() && !names.is_empty() && clean {
        let header = authorization_header(&access_key, &names, &signature);
        let parsed = parse_authorization(&header).expect("our own header parses");
        assert_eq!(parsed.access_key, access_key);
        assert_eq!(parsed.signed_headers, names);
        assert_eq!(parsed.signature, signature);
    }
});

/// The last line of a canonical request is the body hash: 64 lower-case hex characters.
fn assert_ends_with_a_body_hash(canonical: &str) {
    let last = canonical.rsplit('\n').next().unwrap_or_default();
    assert_eq!(last.len(), 64);
    assert!(last
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
}
