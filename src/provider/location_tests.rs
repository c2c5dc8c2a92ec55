//! Tests of the region, cloud and endpoint checks that keep requests on the intended host.

use super::*;

/// Region names of the service pass; anything that could change the host is refused.
#[test]
fn region_allows_only_lower_case_letters_digits_and_hyphens() {
    let cases = [
        ("typical region", "cn-north-4", true),
        ("letters only", "eu", true),
        ("userinfo marker", "a@b", false),
        ("trailing space", "cn-north-4 ", false),
        ("upper case", "CN-NORTH-4", false),
        ("dot adds a label", "cn.north", false),
        ("slash starts a path", "cn/x", false),
        ("colon starts a port", "cn:1", false),
        ("empty", "", false),
        ("non-ascii letter", "cn-nörth", false),
    ];
    for (name, value, ok) in cases {
        let result = check_region(value, Source::Attribute);
        assert_eq!(result.is_ok(), ok, "{name}: {result:?}");
        if let Err(problem) = result {
            assert_eq!(problem.attribute, Some("region"), "{name}");
            assert_eq!(problem.summary, "Invalid region", "{name}");
            assert!(problem.detail.contains(&format!("{value:?}")), "{name}");
        }
    }
}

/// A cloud must be a host name; anything else is refused on `cloud`.
#[test]
fn cloud_must_be_a_host_name() {
    let cases = [
        ("default suffix", "myhuaweicloud.com", true),
        ("mixed case and digits", "Example-1.org", true),
        ("single label", "localhost", true),
        ("userinfo marker", "evil.com@x", false),
        ("empty label", "example..com", false),
        ("leading dot", ".example.com", false),
        ("trailing dot", "example.com.", false),
        ("port", "example.com:8080", false),
        ("path", "example.com/x", false),
        ("space", "example .com", false),
        ("empty", "", false),
    ];
    for (name, value, ok) in cases {
        let result = check_cloud(value, Source::Attribute);
        assert_eq!(result.is_ok(), ok, "{name}: {result:?}");
        if let Err(problem) = result {
            assert_eq!(problem.attribute, Some("cloud"), "{name}");
            assert_eq!(problem.summary, "Invalid cloud", "{name}");
            assert!(problem.detail.contains(&format!("{value:?}")), "{name}");
        }
    }
}

/// An error on a value from the environment names the variable as well as the attribute.
#[test]
fn problems_from_the_environment_name_the_variable() {
    let cases = [
        (
            "region",
            check_region("a@b", Source::Env("HW_REGION_NAME")),
            "HW_REGION_NAME",
        ),
        (
            "cloud",
            check_cloud("a@b", Source::Env("HW_CLOUD")),
            "HW_CLOUD",
        ),
        (
            "endpoint",
            parse_endpoint("http://u@h", Source::Env("HW_MODELARTS_ENDPOINT")).map(|_| ()),
            "HW_MODELARTS_ENDPOINT",
        ),
    ];
    for (name, result, variable) in cases {
        let problem = result.expect_err(name);
        assert!(
            problem.detail.starts_with(variable),
            "{name}: {}",
            problem.detail
        );
        assert!(problem.detail.contains(name), "{name}: {}", problem.detail);
    }
}

/// Only a plain http(s) URL with a host and, if any, a non-empty port is an endpoint.
#[test]
fn endpoint_refuses_userinfo_empty_ports_and_other_schemes() {
    let cases = [
        ("https with host", "https://modelarts.example.com", true),
        (
            "http with port and path",
            "http://127.0.0.1:8080/base",
            true,
        ),
        ("userinfo", "https://user@evil.example.com", false),
        ("user and password", "https://u:p@evil.example.com", false),
        ("empty userinfo", "https://@evil.example.com", false),
        ("empty port", "http://127.0.0.1:", false),
        ("empty port before path", "http://127.0.0.1:/v1", false),
        ("ftp scheme", "ftp://example.com", false),
        ("no scheme", "example.com", false),
        ("query", "https://example.com/?a=b", false),
        ("fragment", "https://example.com/#x", false),
    ];
    for (name, text, ok) in cases {
        let result = parse_endpoint(text, Source::Attribute);
        assert_eq!(result.is_ok(), ok, "{name}: {result:?}");
        if let Err(problem) = result {
            assert_eq!(problem.attribute, Some("endpoint"), "{name}");
            assert!(problem.detail.starts_with("endpoint is"), "{name}");
            assert!(problem.detail.contains(&format!("{text:?}")), "{name}");
        }
    }
}

/// Resolution refuses an environment region that would move the host, before any request.
#[test]
fn resolve_refuses_a_region_from_the_environment_that_moves_the_host() {
    use crate::provider::config::{resolve, ProviderConfig};
    let config = ProviderConfig {
        project_id: Value::Value("p1".into()),
        token: Value::Value("tok".into()),
        ..Default::default()
    };
    let cases = [
        ("userinfo in region", "HW_REGION_NAME", "a@b", "region"),
        (
            "trailing space in region",
            "HW_REGION_NAME",
            "cn-north-4 ",
            "region",
        ),
        ("userinfo in cloud", "HW_CLOUD", "x@evil.com", "cloud"),
    ];
    for (name, variable, value, attribute) in cases {
        let env = |key: &str| match key {
            "HW_REGION_NAME" if variable != "HW_REGION_NAME" => Some("cn-north-4".to_string()),
            _ if key == variable => Some(value.to_string()),
            _ => None,
        };
        let problems = resolve(&config, &env).expect_err(name);
        assert_eq!(problems.len(), 1, "{name}: {problems:?}");
        assert_eq!(problems[0].attribute, Some(attribute), "{name}");
        assert!(problems[0].detail.starts_with(variable), "{name}");
    }
}
