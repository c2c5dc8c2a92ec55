//! Which credentials the provider uses. Credentials written in the provider block beat
//! those in the environment as a whole, so a leftover `HW_AUTH_TOKEN` in a CI job never
//! overrides the access key the configuration names; within one source a token comes
//! first, then an access key pair.

use tf_provider::value::Value;

use super::config::{ConfigProblem, ProviderConfig};
use crate::modelarts::auth::{Credentials, Secret};

/// The credential settings of one source, blank ones already refused.
#[derive(Default)]
struct Source {
    /// "the provider block" or "the environment", for messages.
    name: &'static str,
    token: Option<String>,
    access_key: Option<String>,
    secret_key: Option<String>,
    security_token: Option<String>,
    /// The attributes set to only whitespace, already reported as blank.
    blank: Vec<&'static str>,
}

impl Source {
    /// Whether the source names credentials (a security token alone does not).
    fn has_credentials(&self) -> bool {
        self.token.is_some() || self.access_key.is_some() || self.secret_key.is_some()
    }

    /// What it sets, in words: "a token and an access key".
    fn describe(&self) -> String {
        let parts: Vec<&str> = [
            (self.token.is_some(), "a token"),
            (self.access_key.is_some(), "an access key"),
            (self.secret_key.is_some(), "a secret key"),
            (self.security_token.is_some(), "a security token"),
        ]
        .into_iter()
        .filter_map(|(set, what)| set.then_some(what))
        .collect();
        parts.join(" and ")
    }
}

/// The attribute of a problem about a token or security token that is set: none.
/// Terraform prints the configuration line an attribute's diagnostic points at, which
/// holds the secret when it is written in the block; the detail names it in words.
const SECRET_LINE: Option<&str> = None;

/// The four settings: attribute and environment variable.
const SETTINGS: [(&str, &str); 4] = [
    ("token", "HW_AUTH_TOKEN"),
    ("access_key", "HW_ACCESS_KEY"),
    ("secret_key", "HW_SECRET_KEY"),
    ("security_token", "HW_SECURITY_TOKEN"),
];

/// An empty string counts as unset (as for every setting); a value of only whitespace
/// is a mistake and refused, naming where it came from.
fn usable(
    value: Option<String>,
    attribute: &'static str,
    origin: String,
    problems: &mut Vec<ConfigProblem>,
) -> Option<String> {
    let value = value.filter(|v| !v.is_empty())?;
    if value.trim().is_empty() {
        problems.push(ConfigProblem::error(
            Some(attribute),
            "Blank credential",
            format!(
                "{attribute} ({origin}) holds only whitespace. Set it to the credential, or \
                 leave it out."
            ),
        ));
        return None;
    }
    Some(value)
}

fn read_source(
    name: &'static str,
    get: impl Fn(&'static str, &'static str) -> (Option<String>, String),
    problems: &mut Vec<ConfigProblem>,
) -> Source {
    let mut blank = Vec::new();
    let mut values = SETTINGS.map(|(attribute, env_name)| {
        let (value, origin) = get(attribute, env_name);
        let reported = problems.len();
        let value = usable(value, attribute, origin, problems);
        if problems.len() > reported {
            blank.push(attribute);
        }
        value
    });
    Source {
        name,
        token: values[0].take(),
        access_key: values[1].take(),
        secret_key: values[2].take(),
        security_token: values[3].take(),
        blank,
    }
}

/// Explicit block credentials, else the environment's; token first, then AK/SK within
/// the chosen source (a key pair half written in the block is completed from the
/// environment). Warnings name where each ignored value came from.
pub(super) fn resolve_credentials(
    config: &ProviderConfig,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<ConfigProblem>,
    warnings: &mut Vec<ConfigProblem>,
) -> Option<Credentials> {
    let explicit = |value: &Value<String>| value.as_ref_option().cloned();
    let block_values = [
        explicit(&config.token),
        explicit(&config.access_key),
        explicit(&config.secret_key),
        explicit(&config.security_token),
    ];
    let block = read_source(
        "the provider block",
        |attribute, _| {
            let index = SETTINGS.iter().position(|(a, _)| *a == attribute);
            let value = index.and_then(|i| block_values[i].clone());
            (value, "in the provider block".into())
        },
        problems,
    );
    let environment = read_source(
        "the environment",
        |_, env_name| (env(env_name), format!("from {env_name}")),
        problems,
    );

    let (mut chosen, ignored) = if block.has_credentials() {
        let (mut block, mut environment) = (block, environment);
        if block.token.is_none() {
            // Half a key pair in the block takes the other half from the environment,
            // attribute by attribute; an environment token is never used then.
            block.access_key = block.access_key.or(environment.access_key.take());
            block.secret_key = block.secret_key.or(environment.secret_key.take());
            block.security_token = block.security_token.or(environment.security_token.take());
        }
        (block, environment)
    } else {
        // A security token written in the block still beats the environment's.
        let mut environment = environment;
        if block.security_token.is_some() {
            environment.security_token = block.security_token;
        }
        environment.blank.extend(block.blank);
        (environment, Source::default())
    };
    if ignored.has_credentials() || ignored.security_token.is_some() {
        warnings.push(warning(
            None,
            "Credentials in the environment ignored",
            format!(
                "Credentials written in the provider block are used, so {} from the \
                 environment is ignored. Unset the HW_* credential variables to silence \
                 this warning.",
                ignored.describe()
            ),
        ));
    }
    // A credential refused as blank already has its error; saying it is missing too
    // would only mislead.
    chosen.blank.extend(ignored.blank);
    let described = chosen.describe();
    if let Some(token) = chosen.token.take() {
        if chosen.access_key.is_some() || chosen.secret_key.is_some() {
            warnings.push(warning(
                SECRET_LINE,
                "Token and access key both configured",
                format!(
                    "{} sets {}. The token is used and the access key pair is ignored; \
                     remove one of them to silence this warning.",
                    capitalized(chosen.name),
                    described
                ),
            ));
        } else if chosen.security_token.is_some() {
            warnings.push(warning(
                SECRET_LINE,
                "Security token ignored",
                format!(
                    "A security token is set but is ignored with a token ({} sets {}). A \
                     security token only goes with temporary access keys; remove it.",
                    chosen.name, described
                ),
            ));
        }
        return Some(Credentials::Token(Secret::new(token)));
    }
    aksk(chosen, problems)
}

fn aksk(source: Source, problems: &mut Vec<ConfigProblem>) -> Option<Credentials> {
    let problem = match (source.access_key, source.secret_key) {
        (Some(access_key), Some(secret_key)) => {
            return Some(Credentials::AkSk {
                access_key,
                secret_key: Secret::new(secret_key),
                security_token: source.security_token.map(Secret::new),
            })
        }
        (Some(_), None) => ConfigProblem::error(
            Some("secret_key"),
            "Missing secret key",
            format!(
                "An access key is configured in {} but no secret key. Set secret_key (or \
                 HW_SECRET_KEY) to the secret of that access key.",
                source.name
            ),
        ),
        (None, Some(_)) => ConfigProblem::error(
            Some("access_key"),
            "Missing access key",
            format!(
                "A secret key is configured in {} but no access key. Set access_key (or \
                 HW_ACCESS_KEY) to the access key ID that goes with it.",
                source.name
            ),
        ),
        (None, None) if source.security_token.is_some() => ConfigProblem::error(
            SECRET_LINE,
            "Security token without access key",
            "A security token only works together with temporary AK/SK credentials. Set \
             access_key and secret_key (or HW_ACCESS_KEY and HW_SECRET_KEY) too."
                .into(),
        ),
        (None, None) => ConfigProblem::error(
            None,
            "Missing credentials",
            "No credentials are configured. Set token (or HW_AUTH_TOKEN), or access_key \
             and secret_key (or HW_ACCESS_KEY and HW_SECRET_KEY)."
                .into(),
        ),
    };
    let blank_instead = match problem.attribute {
        Some(attribute @ ("access_key" | "secret_key")) => source.blank.contains(&attribute),
        _ => ["token", "access_key", "secret_key"]
            .iter()
            .any(|attribute| source.blank.contains(attribute)),
    };
    if !blank_instead {
        problems.push(problem);
    }
    None
}

fn warning(
    attribute: Option<&'static str>,
    summary: &'static str,
    detail: String,
) -> ConfigProblem {
    ConfigProblem {
        is_warning: true,
        ..ConfigProblem::error(attribute, summary, detail)
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
#[path = "credentials_tests.rs"]
mod tests;
