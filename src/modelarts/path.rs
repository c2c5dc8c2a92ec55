//! Request paths: which IDs may become a segment (checked before anything is sent), and
//! how segments are encoded, so that no ID can make a request address something other
//! than what it names.

use super::signing::encode_component;

/// Characters an ID may never contain, besides whitespace and control characters: they
/// would end the segment, start a query or fragment, or be read as an escape.
pub const REFUSED_CHARS: [char; 5] = ['/', '\\', '?', '#', '%'];

/// Whole IDs refused because URL handling reads them as "this" or "the parent"
/// directory and drops them from the path.
pub const DOT_SEGMENTS: [&str; 2] = [".", ".."];

/// Whether `id` can be one path segment: not empty, not a dot segment, and free of
/// [`REFUSED_CHARS`], whitespace and control characters. Since `%` is refused, no
/// escape can decode into a dot segment or a separator on the service's side either.
pub fn is_path_safe(id: &str) -> bool {
    !id.is_empty()
        && !DOT_SEGMENTS.contains(&id)
        && !id
            .chars()
            .any(|c| REFUSED_CHARS.contains(&c) || c.is_whitespace() || c.is_control())
}

/// The rule in words, naming every refused form, for error messages.
pub fn id_rule() -> String {
    let dots: Vec<String> = DOT_SEGMENTS.iter().map(|d| format!("{d:?}")).collect();
    let chars: Vec<String> = REFUSED_CHARS.iter().map(|c| format!("'{c}'")).collect();
    format!(
        "an ID must not be empty or {}, nor contain {}, whitespace or a control character",
        dots.join(" or "),
        chars.join(", ")
    )
}

/// One path segment after the project.
#[derive(Debug, Clone)]
pub(crate) enum Segment {
    /// A fixed part of the API's path, such as `services`.
    Fixed(&'static str),
    /// An ID from the caller, with the name the API gives it (`service_id`).
    Id(&'static str, String),
}

impl Segment {
    /// The segment, unencoded.
    pub fn value(&self) -> &str {
        match self {
            Segment::Fixed(text) => text,
            Segment::Id(_, id) => id,
        }
    }
}

/// The path of a request under the endpoint's own path: `/v1/{project_id}/` and the
/// segments, each percent-encoded down to the unreserved characters so that no ID can
/// add a separator or an escape. Dot segments must have been refused before.
pub(crate) fn request_path(base_path: &str, project_id: &str, segments: &[Segment]) -> String {
    let mut path = base_path.trim_end_matches('/').to_string();
    let segments = ["v1", project_id]
        .into_iter()
        .chain(segments.iter().map(Segment::value));
    for segment in segments {
        path.push('/');
        path.push_str(&encode_component(segment));
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    /// IDs that would change the path or sign differently are refused.
    #[test]
    fn ids_that_would_change_the_path_are_refused() {
        let cases = [
            ("uuid", "3b1e2a4c-5d6f-4a8b-9c0d-1e2f3a4b5c6d", true),
            (
                "logic id",
                "logic-app-ce0d0a41-451d-4563-94d9-acc75b5e440f",
                true,
            ),
            ("three dots are an ordinary segment", "...", true),
            ("dot inside", "a.b", true),
            ("empty", "", false),
            ("dot", ".", false),
            ("dot dot", "..", false),
            ("encoded dot dot", "%2e%2e", false),
            ("half encoded dot dot", ".%2E", false),
            ("slash", "a/b", false),
            ("backslash", "a\\b", false),
            ("query", "a?b", false),
            ("fragment", "a#b", false),
            ("percent", "a%2Fb", false),
            ("space", "a b", false),
            ("no-break space", "a\u{a0}b", false),
            ("newline", "a\nb", false),
            ("delete", "a\u{7f}b", false),
        ];
        for (name, id, ok) in cases {
            assert_eq!(is_path_safe(id), ok, "{name}");
        }
    }

    /// The rule in words names every refused character and dot form.
    #[test]
    fn the_rule_in_words_names_every_refused_form() {
        let rule = id_rule();
        for c in REFUSED_CHARS {
            assert!(rule.contains(&format!("'{c}'")), "{c} missing from {rule}");
        }
        for dots in DOT_SEGMENTS {
            assert!(
                rule.contains(&format!("\"{dots}\"")),
                "{dots} missing from {rule}"
            );
        }
        for words in ["empty", "whitespace", "control character"] {
            assert!(rule.contains(words), "{words} missing from {rule}");
        }
    }

    /// Every segment is escaped down to the unreserved characters under the endpoint path.
    #[test]
    fn segments_are_escaped_under_the_endpoint_path() {
        let cases = [
            ("root endpoint", "/", "p1", vec![], "/v1/p1"),
            (
                "endpoint with a path",
                "/prefix/",
                "p1",
                vec![],
                "/prefix/v1/p1",
            ),
            (
                "plain ids",
                "/",
                "p1",
                vec![
                    Segment::Fixed("apps"),
                    Segment::Id("app_id", "a-1_b.c~d".into()),
                ],
                "/v1/p1/apps/a-1_b.c~d",
            ),
            (
                "reserved and non-ASCII",
                "/",
                "p1",
                vec![Segment::Id("service_id", "s:@;=é".into())],
                "/v1/p1/s%3A%40%3B%3D%C3%A9",
            ),
        ];
        for (name, base, project, segments, expected) in cases {
            assert_eq!(request_path(base, project, &segments), expected, "{name}");
        }
    }
}
