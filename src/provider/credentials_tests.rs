//! Tests of credential resolution: sources as a whole, blank values, warnings.

use std::collections::HashMap;

use tf_provider::value::Value;

use super::super::config::{resolve, ConfigProblem, ProviderConfig};
use crate::modelarts::auth::Credentials;

fn known(text: &str) -> Value<String> {
    Value::Value(text.to_string())
}

fn resolve_with(
    config: &ProviderConfig,
    pairs: &[(&str, &str)],
) -> (Option<Credentials>, Vec<ConfigProblem>) {
    let env: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    match resolve(config, &|name: &str| env.get(name).cloned()) {
        Ok((resolved, warnings)) => (Some(resolved.credentials), warnings),
        Err(problems) => (None, problems),
    }
}

fn base() -> ProviderConfig {
    ProviderConfig {
        region: known("cn-north-4"),
        project_id: known("p1"),
        ..Default::default()
    }
}

/// Block credentials beat the environment's as a whole; warnings say where each came from.
#[test]
fn block_credentials_beat_the_environment_as_a_whole() {
    let aksk_block = ProviderConfig {
        access_key: known("AKID-XYZ"),
        secret_key: known("sk"),
        ..base()
    };
    let token_block = ProviderConfig {
        token: known("tok"),
        ..base()
    };
    let cases = [
        (
            "block AK/SK beats an environment token",
            aksk_block.clone(),
            vec![("HW_AUTH_TOKEN", "expired")],
            "aksk",
            Some("from the environment is ignored"),
        ),
        (
            "token first within the environment",
            base(),
            vec![
                ("HW_AUTH_TOKEN", "t"),
                ("HW_ACCESS_KEY", "AK"),
                ("HW_SECRET_KEY", "sk"),
            ],
            "token",
            Some("The environment sets a token and an access key"),
        ),
        (
            "token with a security token says the security token is ignored",
            base(),
            vec![("HW_AUTH_TOKEN", "t"), ("HW_SECURITY_TOKEN", "sts")],
            "token",
            Some("A security token is set but is ignored with a token"),
        ),
        (
            "block token, no environment, no warning",
            token_block,
            vec![],
            "token",
            None,
        ),
    ];
    for (name, config, env, kind, warning) in cases {
        let (credentials, warnings) = resolve_with(&config, &env);
        let credentials = credentials.unwrap_or_else(|| panic!("{name}: {warnings:?}"));
        assert_eq!(credentials.kind(), kind, "{name}");
        match warning {
            Some(text) => assert!(
                warnings.iter().any(|w| w.detail.contains(text)),
                "{name}: {warnings:?}"
            ),
            None => assert!(warnings.is_empty(), "{name}: {warnings:?}"),
        }
        if let Credentials::AkSk { access_key, .. } = &credentials {
            assert_eq!(access_key, "AKID-XYZ", "{name}");
        }
    }
}

/// A credential of only whitespace is a configuration error naming the attribute, and
/// the only error: it is not reported as missing too.
#[test]
fn blank_credentials_are_refused_naming_the_attribute() {
    let cases = [
        (
            "blank token",
            ProviderConfig {
                token: known("   "),
                ..base()
            },
            vec![],
            "token",
        ),
        (
            "blank access key",
            ProviderConfig {
                access_key: known(" "),
                secret_key: known("sk"),
                ..base()
            },
            vec![],
            "access_key",
        ),
        (
            "blank secret key in the environment",
            base(),
            vec![("HW_ACCESS_KEY", "AK"), ("HW_SECRET_KEY", "\t")],
            "secret_key",
        ),
        (
            "blank token in the environment",
            base(),
            vec![("HW_AUTH_TOKEN", "  ")],
            "token",
        ),
        (
            "blank security token",
            ProviderConfig {
                token: known("t"),
                security_token: known("  "),
                ..base()
            },
            vec![],
            "security_token",
        ),
    ];
    for (name, config, env, attribute) in cases {
        let (credentials, problems) = resolve_with(&config, &env);
        assert!(credentials.is_none(), "{name}");
        assert!(
            problems
                .iter()
                .any(|p| p.attribute == Some(attribute) && p.summary == "Blank credential"),
            "{name}: {problems:?}"
        );
        let errors = problems.iter().filter(|p| !p.is_warning).count();
        assert_eq!(errors, 1, "{name}: {problems:?}");
    }
}
