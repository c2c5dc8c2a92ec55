//! Tests of the region, cloud and endpoint checks that keep requests on the intended host.

use super::*;

type Check = fn(&str, Source) -> Result<(), ConfigProblem>;

/// Region names and host names pass; anything that could change the host is refused on
/// the attribute, quoting the value.
#[test]
fn region_and_cloud_allow_only_what_keeps_the_host() {
    let region: (Check, &str, &str) = (check_region, "region", "Invalid region");
    let cloud: (Check, &str, &str) = (check_cloud, "cloud", "Invalid cloud");
    let cases = [
        ("typical region", region, "cn-north-4", true),
        ("region of letters only", region, "eu", true),
        ("userinfo marker in region", region, "a@b", false),
        ("trailing space in region", region, "cn-north-4 ", false),
        ("upper-case region", region, "CN-NORTH-4", false),
        ("dot in region adds a label", region, "cn.north", false),
        ("slash in region starts a path", region, "cn/x", false),
        ("colon in region starts a port", region, "cn:1", false),
        ("empty region", region, "", false),
        ("non-ascii region", region, "cn-n\u{f6}rth", false),
        ("default cloud", cloud, "myhuaweicloud.com", true),
        (
            "cloud with mixed case and digits",
            cloud,
            "Example-1.org",
            true,
        ),
        ("single-label cloud", cloud, "localhost", true),
        ("userinfo marker in cloud", cloud, "evil.com@x", false),
        ("empty label in cloud", cloud, "example..com", false),
        ("leading dot in cloud", cloud, ".example.com", false),
        ("trailing dot in cloud", cloud, "example.com.", false),
        ("port in cloud", cloud, "example.com:8080", false),
        ("path in cloud", cloud, "example.com/x", false),
        ("space in cloud", cloud, "example .com", false),
        ("empty cloud", cloud, "", false),
    ];
    for (name, (check, attribute, summary), value, ok) in cases {
        let result = check(value, Source::Attribute);
        assert_eq!(result.is_ok(), ok, "{name}: {result:?}");
        if let Err(problem) = result {
            assert_eq!(problem.attribute, Some(attribute), "{name}");
            assert_eq!(problem.summary, summary, "{name}");
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
        // The URL parser also reads these forms as user and password before the host.
        (
            "userinfo without slashes",
            "https:u:p@evil.example.com",
            false,
        ),
        (
            "userinfo after one slash",
            "https:/u:p@evil.example.com",
            false,
        ),
        (
            "userinfo after backslashes",
            "https:\\\\u:p@evil.example.com",
            false,
        ),
        ("userinfo after a tab", "http:\t//u:p@127.0.0.1:8080", false),
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
            let shown = masked_endpoint(text);
            let attribute = (shown == text).then_some("endpoint");
            assert_eq!(problem.attribute, attribute, "{name}");
            assert!(problem.detail.starts_with("endpoint is"), "{name}");
            assert!(problem.detail.contains(&format!("{shown:?}")), "{name}");
        }
    }
}

/// A password in the endpoint never shows in a problem, whatever else is wrong with the
/// URL, nor through an attribute path; a user name or password is refused naming where
/// credentials go.
#[test]
fn endpoint_problems_never_show_a_password() {
    let cases = [
        (
            "user and password",
            "http://u:pw-0@127.0.0.1:8080",
            "http://***@127.0.0.1:8080",
        ),
        (
            "password with '@'",
            "https://u:pw-0@x@h.example.com",
            "https://***@h.example.com",
        ),
        (
            "password with '#'",
            "http://u:pw-0#x@127.0.0.1",
            "http://***@127.0.0.1",
        ),
        (
            "password with '/'",
            "http://u:pw-0/x@127.0.0.1",
            "http://***@127.0.0.1",
        ),
        ("no scheme", "u:pw-0@127.0.0.1", "***@127.0.0.1"),
        (
            "other scheme",
            "ftp://u:pw-0@h.example.com",
            "ftp://***@h.example.com",
        ),
    ];
    for (name, text, shown) in cases {
        assert_eq!(masked_endpoint(text), shown, "{name}");
        for source in [Source::Attribute, Source::Env("HW_MODELARTS_ENDPOINT")] {
            let problem = parse_endpoint(text, source).expect_err(name);
            // Terraform would print the configuration line of an attribute path.
            assert_eq!(problem.attribute, None, "{name}");
            assert!(
                !problem.detail.contains("pw-0"),
                "{name}: {}",
                problem.detail
            );
        }
    }
    let problem = parse_endpoint("http://u:pw-0@127.0.0.1", Source::Attribute).unwrap_err();
    for part in [
        "user name or password",
        "token",
        "access_key and secret_key",
    ] {
        assert!(problem.detail.contains(part), "{part}: {}", problem.detail);
    }
    assert_eq!(masked_endpoint("http://127.0.0.1/a"), "http://127.0.0.1/a");
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
