//! Tests of provider configuration: precedence, defaults and every refused setting.

use std::collections::HashMap;

use super::*;

fn known(text: &str) -> Value<String> {
    Value::Value(text.to_string())
}

fn env_of(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn resolve_with(
    config: &ProviderConfig,
    pairs: &[(&str, &str)],
) -> Result<(ResolvedConfig, Vec<ConfigProblem>), Vec<ConfigProblem>> {
    let env = env_of(pairs);
    resolve(config, &|name: &str| env.get(name).cloned())
}

fn minimal() -> ProviderConfig {
    ProviderConfig {
        region: known("cn-north-4"),
        project_id: known("p1"),
        token: known("tok"),
        ..Default::default()
    }
}

/// The explicit attribute beats the environment, which beats the default.
#[test]
fn explicit_beats_environment_beats_default() {
    let full_env = [
        ("HW_REGION_NAME", "env-region"),
        ("HW_PROJECT_ID", "env-project"),
        ("HW_WORKSPACE_ID", "env-ws"),
        ("HW_MAX_RETRIES", "9"),
        ("HW_INSECURE", "true"),
        ("HW_CLOUD", "example.org"),
    ];
    let cases = [
        (
            "defaults",
            minimal(),
            vec![],
            (
                "cn-north-4",
                "p1",
                "0",
                5,
                false,
                "https://modelarts.cn-north-4.myhuaweicloud.com/",
            ),
        ),
        (
            "environment fills gaps",
            ProviderConfig {
                token: known("t"),
                ..Default::default()
            },
            full_env.to_vec(),
            (
                "env-region",
                "env-project",
                "env-ws",
                9,
                true,
                "https://modelarts.env-region.example.org/",
            ),
        ),
        (
            "explicit wins",
            ProviderConfig {
                workspace_id: known("ws1"),
                max_retries: Value::Value(2.0),
                insecure: Value::Value(false),
                cloud: known("c.example"),
                ..minimal()
            },
            full_env.to_vec(),
            (
                "cn-north-4",
                "p1",
                "ws1",
                2,
                false,
                "https://modelarts.cn-north-4.c.example/",
            ),
        ),
        (
            "empty explicit falls back",
            ProviderConfig {
                region: known(""),
                ..minimal()
            },
            vec![("HW_REGION_NAME", "r9")],
            (
                "r9",
                "p1",
                "0",
                5,
                false,
                "https://modelarts.r9.myhuaweicloud.com/",
            ),
        ),
        (
            "endpoint overrides region",
            ProviderConfig {
                endpoint: known("http://127.0.0.1:9/"),
                ..minimal()
            },
            vec![],
            ("cn-north-4", "p1", "0", 5, false, "http://127.0.0.1:9/"),
        ),
        (
            "endpoint from env",
            ProviderConfig {
                region: Value::Null,
                ..minimal()
            },
            vec![("HW_MODELARTS_ENDPOINT", "http://e.example")],
            ("", "p1", "0", 5, false, "http://e.example/"),
        ),
    ];
    for (name, config, env, (region, project, workspace, retries, insecure, endpoint)) in cases {
        let (resolved, warnings) =
            resolve_with(&config, &env).unwrap_or_else(|p| panic!("{name}: {p:?}"));
        assert!(warnings.is_empty(), "{name}");
        assert_eq!(resolved.region.as_deref().unwrap_or(""), region, "{name}");
        assert_eq!(resolved.project_id, project, "{name}");
        assert_eq!(resolved.workspace_id, workspace, "{name}");
        assert_eq!(resolved.max_retries, retries, "{name}");
        assert_eq!(resolved.insecure, insecure, "{name}");
        assert_eq!(resolved.endpoint.as_str(), endpoint, "{name}");
    }
}

/// max_apps_per_call: the attribute, then MODELARTS_MAX_APPS_PER_CALL, then 100.
#[test]
fn apps_per_call_comes_from_the_block_then_the_environment_then_100() {
    let cases = [
        ("default", None, vec![], 100),
        (
            "environment",
            None,
            vec![("MODELARTS_MAX_APPS_PER_CALL", " 20 ")],
            20,
        ),
        (
            "empty environment",
            None,
            vec![("MODELARTS_MAX_APPS_PER_CALL", "")],
            100,
        ),
        ("block", Some(1.0), vec![], 1),
        ("block at the limit", Some(100.0), vec![], 100),
        (
            "block wins",
            Some(30.0),
            vec![("MODELARTS_MAX_APPS_PER_CALL", "20")],
            30,
        ),
        (
            "block wins over a bad environment",
            Some(30.0),
            vec![("MODELARTS_MAX_APPS_PER_CALL", "x")],
            30,
        ),
    ];
    for (name, block, env, expected) in cases {
        let config = ProviderConfig {
            max_apps_per_call: block.map_or(Value::Null, Value::Value),
            ..minimal()
        };
        let (resolved, _) = resolve_with(&config, &env).unwrap_or_else(|p| panic!("{name}: {p:?}"));
        assert_eq!(resolved.max_apps_per_call, expected, "{name}");
    }
}

/// A max_apps_per_call outside 1..=100 or not whole is refused on the attribute, naming
/// where the value came from and the range to use.
#[test]
fn a_bad_apps_per_call_names_the_attribute_and_the_range() {
    let env_source = "MODELARTS_MAX_APPS_PER_CALL (used for max_apps_per_call) is";
    let cases = [
        ("zero", Some(0.0), vec![], "max_apps_per_call is 0."),
        (
            "above the limit",
            Some(101.0),
            vec![],
            "max_apps_per_call is 101.",
        ),
        ("fraction", Some(20.5), vec![], "max_apps_per_call is 20.5."),
        ("negative", Some(-5.0), vec![], "max_apps_per_call is -5."),
        (
            "environment zero",
            None,
            vec![("MODELARTS_MAX_APPS_PER_CALL", "0")],
            env_source,
        ),
        (
            "environment text",
            None,
            vec![("MODELARTS_MAX_APPS_PER_CALL", "lots")],
            env_source,
        ),
        (
            "environment infinite",
            None,
            vec![("MODELARTS_MAX_APPS_PER_CALL", "inf")],
            env_source,
        ),
    ];
    for (name, block, env, source) in cases {
        let config = ProviderConfig {
            max_apps_per_call: block.map_or(Value::Null, Value::Value),
            ..minimal()
        };
        let problems = resolve_with(&config, &env)
            .err()
            .unwrap_or_else(|| panic!("{name}: accepted"));
        assert_eq!(problems.len(), 1, "{name}: {problems:?}");
        let problem = &problems[0];
        assert_eq!(problem.attribute, Some("max_apps_per_call"), "{name}");
        assert_eq!(problem.summary, "Invalid max_apps_per_call", "{name}");
        for needle in [source, "whole number from 1 to 100"] {
            assert!(
                problem.detail.contains(needle),
                "{name}: {}",
                problem.detail
            );
        }
        let explicit = validate_explicit(&config);
        assert_eq!(
            explicit.len(),
            usize::from(block.is_some()),
            "{name}: {explicit:?}"
        );
    }
}

/// read_lag_seconds: the attribute, then MODELARTS_READ_LAG_SECONDS, then 10; a value
/// outside 0..=300 or not whole is refused on the attribute, naming the range.
#[test]
fn read_lag_comes_from_the_block_then_the_environment_then_10() {
    let env = "MODELARTS_READ_LAG_SECONDS";
    let cases = [
        ("default", None, vec![], Ok(10)),
        ("environment", None, vec![(env, "45")], Ok(45)),
        ("block off", Some(0.0), vec![(env, "45")], Ok(0)),
        ("block at the limit", Some(300.0), vec![], Ok(300)),
        (
            "above the limit",
            Some(301.0),
            vec![],
            Err("read_lag_seconds is 301."),
        ),
        (
            "fraction",
            Some(2.5),
            vec![],
            Err("read_lag_seconds is 2.5."),
        ),
        (
            "negative",
            Some(-1.0),
            vec![],
            Err("read_lag_seconds is -1."),
        ),
        (
            "environment text",
            None,
            vec![(env, "long")],
            Err("MODELARTS_READ_LAG_SECONDS (used for read_lag_seconds) is"),
        ),
    ];
    for (name, block, env, expected) in cases {
        let config = ProviderConfig {
            read_lag_seconds: block.map_or(Value::Null, Value::Value),
            ..minimal()
        };
        match (resolve_with(&config, &env), expected) {
            (Ok((resolved, _)), Ok(seconds)) => {
                assert_eq!(resolved.read_lag_window.as_secs(), seconds, "{name}")
            }
            (Err(problems), Err(needle)) => {
                assert_eq!(problems.len(), 1, "{name}: {problems:?}");
                let problem = &problems[0];
                assert_eq!(problem.attribute, Some("read_lag_seconds"), "{name}");
                assert_eq!(problem.summary, "Invalid read_lag_seconds", "{name}");
                for needle in [needle, "whole number from 0 to 300"] {
                    assert!(
                        problem.detail.contains(needle),
                        "{name}: {}",
                        problem.detail
                    );
                }
                let explicit = validate_explicit(&config);
                assert_eq!(explicit.len(), usize::from(block.is_some()), "{name}");
            }
            (outcome, expected) => panic!("{name}: {outcome:?}, expected {expected:?}"),
        }
    }
    let unknown = ProviderConfig {
        read_lag_seconds: Value::Unknown,
        ..minimal()
    };
    assert!(
        unknown.has_unknown(),
        "an unknown value defers configuration"
    );
}

/// A max_apps_per_call known only after apply defers configuration like any other.
#[test]
fn an_unknown_apps_per_call_is_an_unknown_block() {
    let config = ProviderConfig {
        max_apps_per_call: Value::Unknown,
        ..minimal()
    };
    assert!(config.has_unknown());
    assert!(validate_explicit(&config).is_empty());
    assert!(!minimal().has_unknown());
}

/// Credentials resolve per attribute, token first; explicit keys beat the environment.
#[test]
fn credentials_follow_the_documented_precedence() {
    let no_token = ProviderConfig {
        token: Value::Null,
        ..minimal()
    };
    let cases = [
        ("token attribute", minimal(), vec![], "token", None),
        (
            "aksk from env",
            no_token.clone(),
            vec![("HW_ACCESS_KEY", "ENVAK"), ("HW_SECRET_KEY", "envsk")],
            "aksk",
            Some("ENVAK"),
        ),
        (
            "explicit aksk beats env",
            ProviderConfig {
                access_key: known("AK1"),
                secret_key: known("sk1"),
                ..no_token.clone()
            },
            vec![("HW_ACCESS_KEY", "ENVAK"), ("HW_SECRET_KEY", "envsk")],
            "aksk",
            Some("AK1"),
        ),
        (
            "token from env",
            no_token.clone(),
            vec![("HW_AUTH_TOKEN", "t")],
            "token",
            None,
        ),
    ];
    for (name, config, env, kind, access) in cases {
        let (resolved, _) = resolve_with(&config, &env).unwrap_or_else(|p| panic!("{name}: {p:?}"));
        assert_eq!(resolved.credentials.kind(), kind, "{name}");
        if let (Credentials::AkSk { access_key, .. }, Some(expected)) =
            (&resolved.credentials, access)
        {
            assert_eq!(access_key, expected, "{name}");
        }
    }
}

/// A token together with AK/SK uses the token and warns on `token`.
#[test]
fn token_and_aksk_together_use_the_token_with_a_warning() {
    let config = ProviderConfig {
        access_key: known("AK"),
        secret_key: known("sk"),
        ..minimal()
    };
    let (resolved, warnings) = resolve_with(&config, &[]).unwrap();
    assert_eq!(resolved.credentials.kind(), "token");
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].is_warning);
    // Not on `token`: Terraform would print the line that holds it.
    assert_eq!(warnings[0].attribute, None);
}

/// Every incomplete or invalid setting is refused on the attribute that must change.
#[test]
fn bad_settings_name_the_attribute_to_set() {
    let no_token = ProviderConfig {
        token: Value::Null,
        ..minimal()
    };
    type Case<'a> = (
        &'a str,
        ProviderConfig,
        Vec<(&'a str, &'a str)>,
        Option<&'a str>,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            "access key alone",
            ProviderConfig {
                access_key: known("AK"),
                ..no_token.clone()
            },
            vec![],
            Some("secret_key"),
            "Missing secret key",
        ),
        (
            "secret key alone",
            no_token.clone(),
            vec![("HW_SECRET_KEY", "sk")],
            Some("access_key"),
            "Missing access key",
        ),
        (
            "security token alone",
            ProviderConfig {
                security_token: known("sts"),
                ..no_token.clone()
            },
            vec![],
            // Not on `security_token`: Terraform would print the line that holds it.
            None,
            "Security token without access key",
        ),
        (
            "no credentials",
            no_token.clone(),
            vec![],
            None,
            "Missing credentials",
        ),
        (
            "no project",
            ProviderConfig {
                project_id: Value::Null,
                ..minimal()
            },
            vec![],
            Some("project_id"),
            "Missing project ID",
        ),
        (
            "no region nor endpoint",
            ProviderConfig {
                region: Value::Null,
                ..minimal()
            },
            vec![],
            Some("region"),
            "Missing region",
        ),
        (
            "negative retries",
            ProviderConfig {
                max_retries: Value::Value(-1.0),
                ..minimal()
            },
            vec![],
            Some("max_retries"),
            "Invalid max_retries",
        ),
        (
            "fractional retries",
            ProviderConfig {
                max_retries: Value::Value(1.5),
                ..minimal()
            },
            vec![],
            Some("max_retries"),
            "Invalid max_retries",
        ),
        (
            "retries env not a number",
            minimal(),
            vec![("HW_MAX_RETRIES", "lots")],
            Some("max_retries"),
            "Invalid max_retries",
        ),
        (
            "endpoint not a URL",
            ProviderConfig {
                endpoint: known("modelarts.example.com"),
                ..minimal()
            },
            vec![],
            Some("endpoint"),
            "Invalid endpoint",
        ),
        (
            "endpoint ftp",
            ProviderConfig {
                endpoint: known("ftp://x.example"),
                ..minimal()
            },
            vec![],
            Some("endpoint"),
            "Invalid endpoint",
        ),
        (
            "insecure env not a bool",
            minimal(),
            vec![("HW_INSECURE", "maybe")],
            Some("insecure"),
            "Invalid insecure setting",
        ),
        (
            "project with space",
            ProviderConfig {
                project_id: known("p 1"),
                ..minimal()
            },
            vec![],
            Some("project_id"),
            "Invalid project_id",
        ),
        (
            "workspace with slash",
            ProviderConfig {
                workspace_id: known("a/b"),
                ..minimal()
            },
            vec![],
            Some("workspace_id"),
            "Invalid workspace_id",
        ),
    ];
    for (name, config, env, attribute, summary) in cases {
        let problems = resolve_with(&config, &env)
            .err()
            .unwrap_or_else(|| panic!("{name}: accepted"));
        assert!(
            problems
                .iter()
                .any(|p| !p.is_warning && p.attribute == attribute && p.summary == summary),
            "{name}: {problems:?}"
        );
    }
}

/// Validation of the block alone skips unknown and unset values and the environment.
#[test]
fn validation_checks_only_explicit_known_values() {
    let cases = [
        ("all unset", ProviderConfig::default(), 0),
        (
            "unknowns",
            ProviderConfig {
                endpoint: Value::Unknown,
                max_retries: Value::Unknown,
                access_key: known("AK"),
                ..Default::default()
            },
            0,
        ),
        (
            "negative retries",
            ProviderConfig {
                max_retries: Value::Value(-3.0),
                ..Default::default()
            },
            1,
        ),
        (
            "bad endpoint",
            ProviderConfig {
                endpoint: known("not a url"),
                ..Default::default()
            },
            1,
        ),
        (
            "bad workspace",
            ProviderConfig {
                workspace_id: known(" "),
                ..Default::default()
            },
            1,
        ),
    ];
    for (name, config, count) in cases {
        assert_eq!(validate_explicit(&config).len(), count, "{name}");
    }
}

/// Debug of the block and of resolved credentials never shows a secret.
#[test]
fn debug_of_config_shows_no_secret() {
    let config = ProviderConfig {
        access_key: known("AKSECRETISH"),
        secret_key: known("sk-do-not-print"),
        security_token: known("sts-do-not-print"),
        token: known("tok-do-not-print"),
        ..minimal()
    };
    let text = format!("{config:?}");
    for secret in [
        "sk-do-not-print",
        "sts-do-not-print",
        "tok-do-not-print",
        "AKSECRETISH",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let (resolved, _) = resolve_with(&config, &[]).unwrap();
    let text = format!("{resolved:?}");
    assert!(!text.contains("tok-do-not-print"), "{text}");
    let with_password = ProviderConfig {
        endpoint: known("http://u:pw-do-not-print@127.0.0.1"),
        ..config
    };
    let text = format!("{with_password:?}");
    assert!(!text.contains("pw-do-not-print"), "{text}");
    assert!(text.contains("***@127.0.0.1"), "{text}");
}
