//! Where requests go: checks on `region`, `cloud` and `endpoint`. A region or cloud is
//! pasted into a URL, so a character such as `@` or `/` would move the request (and the
//! credentials in it) to another host; these checks run before any URL is built.

use reqwest::Url;
use tf_provider::value::Value;

use super::config::ConfigProblem;

/// Where a setting came from: the attribute in the block or the environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    /// Written in the provider block.
    Attribute,
    /// Read from this environment variable.
    Env(&'static str),
}

impl Source {
    /// The source `pick` used for this attribute: the block when it holds a non-empty
    /// value, else the environment variable.
    pub(super) fn of(value: &Value<String>, env_name: &'static str) -> Source {
        match value {
            Value::Value(v) if !v.is_empty() => Source::Attribute,
            _ => Source::Env(env_name),
        }
    }

    /// How a detail names the setting, e.g. `region` or `HW_REGION_NAME (region)`.
    pub(super) fn describe(self, attribute: &str) -> String {
        match self {
            Source::Attribute => attribute.to_string(),
            Source::Env(name) => format!("{name} (used for {attribute})"),
        }
    }
}

/// Refuses a region that is not lower-case ASCII letters, digits and '-'.
pub(super) fn check_region(value: &str, source: Source) -> Result<(), ConfigProblem> {
    let fine = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if fine {
        return Ok(());
    }
    Err(ConfigProblem::error(
        Some("region"),
        "Invalid region",
        format!(
            "{} is {value:?}, which is not a region name: only lower-case letters, digits \
             and '-' are allowed. Set a region such as \"cn-north-4\".",
            source.describe("region")
        ),
    ))
}

/// Refuses a cloud that is not a host name: labels of ASCII letters, digits and '-',
/// separated by '.'.
pub(super) fn check_cloud(value: &str, source: Source) -> Result<(), ConfigProblem> {
    let label_ok = |label: &str| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !value.is_empty() && value.split('.').all(label_ok) {
        return Ok(());
    }
    Err(ConfigProblem::error(
        Some("cloud"),
        "Invalid cloud",
        format!(
            "{} is {value:?}, which is not a host name: only letters, digits and '-' in \
             labels separated by '.' are allowed. Set a domain such as \
             \"myhuaweicloud.com\".",
            source.describe("cloud")
        ),
    ))
}

/// The endpoint as a diagnostic or a log may show it: whatever comes before an '@'
/// after the scheme is replaced by `***`, since it may be a user name and password.
pub(super) fn masked_endpoint(text: &str) -> String {
    let start = text.find("://").map_or(0, |i| i + 3);
    match text[start..].rfind('@') {
        Some(at) => format!("{}***{}", &text[..start], &text[start + at..]),
        None => text.to_string(),
    }
}

/// Parses an endpoint URL, refusing anything but a plain http(s) base URL. Problems
/// show the endpoint masked ([`masked_endpoint`]), never a password in it; when
/// something was masked they name `endpoint` in words only, since Terraform prints the
/// configuration line an attribute's diagnostic points at, password included.
pub(super) fn parse_endpoint(text: &str, source: Source) -> Result<Url, ConfigProblem> {
    let shown = masked_endpoint(text);
    let attribute = (shown == text).then_some("endpoint");
    let invalid = |why: &str| {
        ConfigProblem::error(
            attribute,
            "Invalid endpoint",
            format!(
                "{} is {shown:?}, which {why}. Set a full URL such as \
                 \"https://modelarts.cn-north-4.myhuaweicloud.com\".",
                source.describe("endpoint")
            ),
        )
    };
    let userinfo = || {
        ConfigProblem::error(
            attribute,
            "Invalid endpoint",
            format!(
                "{} is {shown:?}: it holds a user name or password before '@' (hidden \
                 here), which the endpoint does not take. Remove it from the URL; \
                 credentials go in token, or access_key and secret_key.",
                source.describe("endpoint")
            ),
        )
    };
    // The URL parser forgets an empty port and empty userinfo, so look at the raw text.
    let authority = text
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""));
    if let Some(authority) = authority {
        if authority.contains('@') {
            return Err(userinfo());
        }
        if authority.ends_with(':') {
            return Err(invalid("has an empty port after ':'"));
        }
    }
    let url = Url::parse(text).map_err(|_| invalid("is not a URL"))?;
    // The parser also finds a user name and password in forms the check above does
    // not split, such as "https:user:pass@host"; the client would send them.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(userinfo());
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("does not start with http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("has a query or fragment"));
    }
    Ok(url)
}

#[cfg(test)]
#[path = "location_tests.rs"]
mod tests;
