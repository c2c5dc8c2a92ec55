//! Tests of what an empty string means, as docs/index.md states it: unset for every
//! setting but `project_id` and `workspace_id`, which refuse it in the block.

use std::collections::HashMap;

use super::*;

fn with_env(config: &ProviderConfig, pairs: &[(&str, &str)]) -> ResolveResult {
    let env: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    resolve(config, &|name: &str| env.get(name).cloned())
}

type ResolveResult = Result<(ResolvedConfig, Vec<ConfigProblem>), Vec<ConfigProblem>>;

fn empty() -> Value<String> {
    Value::Value(String::new())
}

/// An empty string in the block falls back to the environment, like an unset attribute.
#[test]
fn an_empty_string_in_the_block_counts_as_unset() {
    let env = [
        ("HW_REGION_NAME", "env-region"),
        ("HW_PROJECT_ID", "env-project"),
        ("HW_AUTH_TOKEN", "env-token"),
        ("HW_CLOUD", "example.org"),
    ];
    let config = ProviderConfig {
        region: empty(),
        cloud: empty(),
        endpoint: empty(),
        token: empty(),
        access_key: empty(),
        secret_key: empty(),
        security_token: empty(),
        ..Default::default()
    };
    let (resolved, warnings) = with_env(&config, &env).expect("resolves");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        resolved.endpoint.as_str(),
        "https://modelarts.env-region.example.org/"
    );
    assert!(matches!(resolved.credentials, Credentials::Token(_)));
    assert!(validate_explicit(&config).is_empty());
}

/// An empty project_id or workspace_id in the block is an error naming the setting,
/// while an empty environment variable counts as unset.
#[test]
fn an_empty_project_or_workspace_in_the_block_is_refused_by_name() {
    let base = ProviderConfig {
        region: Value::Value("cn-north-4".into()),
        project_id: Value::Value("p1".into()),
        token: Value::Value("tok".into()),
        ..Default::default()
    };
    let cases = [
        (
            "empty project_id",
            ProviderConfig {
                project_id: empty(),
                ..base.clone()
            },
            "project_id",
        ),
        (
            "empty workspace_id",
            ProviderConfig {
                workspace_id: empty(),
                ..base.clone()
            },
            "workspace_id",
        ),
    ];
    for (name, config, attribute) in cases {
        let problems = validate_explicit(&config);
        assert_eq!(problems.len(), 1, "{name}: {problems:?}");
        assert_eq!(problems[0].attribute, Some(attribute), "{name}");
        assert_eq!(
            problems[0].summary,
            format!("Invalid {attribute}"),
            "{name}"
        );
        assert!(
            problems[0].detail.contains(&format!("Remove {attribute}")),
            "{name}: {}",
            problems[0].detail
        );
    }
    let (resolved, _) = with_env(&base, &[("HW_WORKSPACE_ID", "")]).expect("resolves");
    assert_eq!(resolved.workspace_id, DEFAULT_WORKSPACE);
}
