//! The provider block as Terraform sends it, and its resolution against the environment
//! into the settings the client needs. Resolution is a pure function of the block and a
//! lookup of environment variables, so it is tested without touching the process env.

use std::fmt;
use std::time::Duration;

use reqwest::Url;
use serde::{Deserialize, Serialize};
use tf_provider::value::Value;

use super::credentials::resolve_credentials;
use super::location::{check_cloud, check_region, masked_endpoint, parse_endpoint, Source};
use crate::modelarts::auth::Credentials;
use crate::resources::identifier_problem;
use whole_number::{APPS_PER_CALL, MAX_RETRIES, READ_LAG};

/// Default DNS suffix of Huawei Cloud endpoints.
pub const DEFAULT_CLOUD: &str = "myhuaweicloud.com";
/// Retries after the first attempt when neither the block nor the environment says.
pub const DEFAULT_MAX_RETRIES: u32 = 5;
/// The workspace every ModelArts project has.
pub const DEFAULT_WORKSPACE: &str = "0";

/// The provider block. `Debug` says whether a secret is set, never what it is.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct ProviderConfig {
    /// Region, e.g. `cn-north-4`.
    pub region: Value<String>,
    /// Project the resources live in.
    pub project_id: Value<String>,
    /// Access key ID of an AK/SK pair.
    pub access_key: Value<String>,
    /// Secret key of an AK/SK pair.
    pub secret_key: Value<String>,
    /// Security token of temporary AK/SK credentials.
    pub security_token: Value<String>,
    /// IAM token.
    pub token: Value<String>,
    /// Full URL of the ModelArts endpoint.
    pub endpoint: Value<String>,
    /// DNS suffix used to build the endpoint.
    pub cloud: Value<String>,
    /// Accept invalid TLS certificates.
    pub insecure: Value<bool>,
    /// Retries after the first attempt. A float, so that `1.5` is reported as not a
    /// whole number rather than failing to decode.
    pub max_retries: Value<f64>,
    /// Default workspace of resources that do not set one.
    pub workspace_id: Value<String>,
    /// Most apps per authorize or cancel call; a float like `max_retries`.
    pub max_apps_per_call: Value<f64>,
    /// Seconds a refresh right after an apply waits for lagging reads; a float like
    /// `max_retries`.
    pub read_lag_seconds: Value<f64>,
}

impl fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn presence(value: &Value<String>) -> &'static str {
            match value {
                Value::Value(_) => "<set>",
                Value::Null => "<null>",
                Value::Unknown => "<unknown>",
            }
        }
        f.debug_struct("ProviderConfig")
            .field("region", &self.region)
            .field("project_id", &self.project_id)
            .field("access_key", &presence(&self.access_key))
            .field("secret_key", &presence(&self.secret_key))
            .field("security_token", &presence(&self.security_token))
            .field("token", &presence(&self.token))
            .field(
                "endpoint",
                &self.endpoint.as_ref().map(|e| masked_endpoint(e)),
            )
            .field("cloud", &self.cloud)
            .field("insecure", &self.insecure)
            .field("max_retries", &self.max_retries)
            .field("workspace_id", &self.workspace_id)
            .field("max_apps_per_call", &self.max_apps_per_call)
            .field("read_lag_seconds", &self.read_lag_seconds)
            .finish()
    }
}

impl ProviderConfig {
    /// True when some attribute is not known yet (it depends on another resource).
    pub fn has_unknown(&self) -> bool {
        let strings = [
            &self.region,
            &self.project_id,
            &self.access_key,
            &self.secret_key,
            &self.security_token,
            &self.token,
            &self.endpoint,
            &self.cloud,
            &self.workspace_id,
        ];
        strings.iter().any(|v| v.is_unknown())
            || self.insecure.is_unknown()
            || self.max_retries.is_unknown()
            || self.max_apps_per_call.is_unknown()
            || self.read_lag_seconds.is_unknown()
    }
}

/// Everything the provider needs once the block and the environment are combined.
#[derive(Debug)]
pub struct ResolvedConfig {
    /// Base URL of the ModelArts API.
    pub endpoint: Url,
    /// Region, when one was given (the endpoint may have been given instead).
    pub region: Option<String>,
    /// Project of every request.
    pub project_id: String,
    /// Workspace of resources that do not set one.
    pub workspace_id: String,
    /// How requests are authenticated.
    pub credentials: Credentials,
    /// Accept invalid TLS certificates.
    pub insecure: bool,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Most apps one authorize or cancel call carries.
    pub max_apps_per_call: usize,
    /// How long after an apply a refresh re-reads an API whose answer lags behind it.
    pub read_lag_window: Duration,
}

/// A problem found while resolving the configuration, ready to become a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// Warnings do not stop the provider from working.
    pub is_warning: bool,
    /// The provider attribute at fault, when one is.
    pub attribute: Option<&'static str>,
    /// Short summary.
    pub summary: &'static str,
    /// What is wrong and what to set.
    pub detail: String,
}

impl ConfigProblem {
    pub(super) fn error(
        attribute: Option<&'static str>,
        summary: &'static str,
        detail: String,
    ) -> Self {
        ConfigProblem {
            is_warning: false,
            attribute,
            summary,
            detail,
        }
    }
}

/// The explicit value, else the environment variable's; an empty string counts as unset.
pub(super) fn pick(
    value: &Value<String>,
    env_name: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    match value {
        Value::Value(v) if !v.is_empty() => Some(v.clone()),
        _ => env(env_name).filter(|v| !v.is_empty()),
    }
}

/// Checks the values written in the block, without the environment. Unknown values and
/// unset attributes are skipped: they are checked when the provider is configured.
pub fn validate_explicit(config: &ProviderConfig) -> Vec<ConfigProblem> {
    let mut problems = Vec::new();
    for (setting, value) in [
        (&MAX_RETRIES, config.max_retries),
        (&APPS_PER_CALL, config.max_apps_per_call),
        (&READ_LAG, config.read_lag_seconds),
    ] {
        if let Value::Value(number) = value {
            problems.extend(setting.check(number, Source::Attribute).err());
        }
    }
    if let Value::Value(endpoint) = &config.endpoint {
        if !endpoint.is_empty() {
            if let Err(problem) = parse_endpoint(endpoint, Source::Attribute) {
                problems.push(problem);
            }
        }
    }
    if let Value::Value(region) = &config.region {
        if !region.is_empty() {
            problems.extend(check_region(region, Source::Attribute).err());
        }
    }
    if let Value::Value(cloud) = &config.cloud {
        if !cloud.is_empty() {
            problems.extend(check_cloud(cloud, Source::Attribute).err());
        }
    }
    for (attribute, value) in [
        ("project_id", &config.project_id),
        ("workspace_id", &config.workspace_id),
    ] {
        if let Value::Value(v) = value {
            if let Some(problem) = id_problem(attribute, v, Source::Attribute) {
                problems.push(problem);
            }
        }
    }
    problems
}

/// Combines the block with the environment: explicit attribute, then environment
/// variable, then default. Returns the settings, or every problem found.
pub fn resolve(
    config: &ProviderConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(ResolvedConfig, Vec<ConfigProblem>), Vec<ConfigProblem>> {
    let region = pick(&config.region, "HW_REGION_NAME", env);
    let project_id = pick(&config.project_id, "HW_PROJECT_ID", env);
    let workspace_id = pick(&config.workspace_id, "HW_WORKSPACE_ID", env)
        .unwrap_or_else(|| DEFAULT_WORKSPACE.to_string());
    let cloud = pick(&config.cloud, "HW_CLOUD", env).unwrap_or_else(|| DEFAULT_CLOUD.to_string());
    let endpoint = pick(&config.endpoint, "HW_MODELARTS_ENDPOINT", env);

    let mut problems = Vec::new();
    let mut warnings = Vec::new();

    let project_id = match project_id {
        None => {
            problems.push(ConfigProblem::error(
                Some("project_id"),
                "Missing project ID",
                "No project ID is configured. Set project_id in the provider block or the \
                 HW_PROJECT_ID environment variable."
                    .into(),
            ));
            None
        }
        Some(id) => match id_problem(
            "project_id",
            &id,
            Source::of(&config.project_id, "HW_PROJECT_ID"),
        ) {
            Some(problem) => {
                problems.push(problem);
                None
            }
            None => Some(id),
        },
    };
    let workspace_source = Source::of(&config.workspace_id, "HW_WORKSPACE_ID");
    if let Some(problem) = id_problem("workspace_id", &workspace_id, workspace_source) {
        problems.push(problem);
    }

    let endpoint = match (endpoint, &region) {
        (Some(url), _) => {
            let source = Source::of(&config.endpoint, "HW_MODELARTS_ENDPOINT");
            parse_endpoint(&url, source).map_err(|p| problems.push(p))
        }
        (None, Some(region)) => {
            // Both go into the host name, so each is checked before the URL is built.
            let region_ok = check_region(region, Source::of(&config.region, "HW_REGION_NAME"))
                .map_err(|p| problems.push(p));
            let cloud_ok = check_cloud(&cloud, Source::of(&config.cloud, "HW_CLOUD"))
                .map_err(|p| problems.push(p));
            match (region_ok, cloud_ok) {
                (Ok(()), Ok(())) => {
                    let built = format!("https://modelarts.{region}.{cloud}");
                    Url::parse(&built).map_err(|_| {
                        problems.push(ConfigProblem::error(
                            Some("region"),
                            "Invalid region",
                            format!("The endpoint built from region and cloud, {built:?}, is not a URL."),
                        ))
                    })
                }
                _ => Err(()),
            }
        }
        (None, None) => {
            problems.push(ConfigProblem::error(
                Some("region"),
                "Missing region",
                "Neither a region nor an endpoint is configured. Set region (or \
                 HW_REGION_NAME), or the full endpoint URL (or HW_MODELARTS_ENDPOINT)."
                    .into(),
            ));
            Err(())
        }
    };

    let insecure = match &config.insecure {
        Value::Value(flag) => Ok(*flag),
        _ => match env("HW_INSECURE").filter(|v| !v.is_empty()) {
            None => Ok(false),
            Some(text) => parse_bool(&text).ok_or_else(|| {
                problems.push(ConfigProblem::error(
                    Some("insecure"),
                    "Invalid insecure setting",
                    format!(
                        "HW_INSECURE is {text:?}, which is not a boolean. Set it to true or \
                         false."
                    ),
                ))
            }),
        },
    };

    let max_retries = MAX_RETRIES
        .resolve(&config.max_retries, env)
        .map_err(|p| problems.push(p));
    let max_apps_per_call = APPS_PER_CALL
        .resolve(&config.max_apps_per_call, env)
        .map_err(|p| problems.push(p));
    let read_lag_seconds = READ_LAG
        .resolve(&config.read_lag_seconds, env)
        .map_err(|p| problems.push(p));

    let credentials = resolve_credentials(config, env, &mut problems, &mut warnings);

    let numbers =
        max_retries.and_then(|retries| Ok((retries, max_apps_per_call?, read_lag_seconds?)));
    match (project_id, endpoint, insecure, numbers, credentials) {
        (Some(project_id), Ok(endpoint), Ok(insecure), Ok(numbers), Some(credentials))
            if problems.is_empty() =>
        {
            let (max_retries, max_apps_per_call, read_lag_seconds) = numbers;
            Ok((
                ResolvedConfig {
                    endpoint,
                    region,
                    project_id,
                    workspace_id,
                    credentials,
                    insecure,
                    max_retries,
                    // Checked to lie within 1 and MAX_APPS_PER_CALL, so it fits.
                    max_apps_per_call: max_apps_per_call as usize,
                    read_lag_window: Duration::from_secs(read_lag_seconds.into()),
                },
                warnings,
            ))
        }
        _ => {
            problems.extend(warnings);
            Err(problems)
        }
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

fn id_problem(attribute: &'static str, value: &str, source: Source) -> Option<ConfigProblem> {
    let summary = match attribute {
        "project_id" => "Invalid project_id",
        _ => "Invalid workspace_id",
    };
    identifier_problem(value).map(|why| {
        // An empty string in the block is a likely slip for "unset"; say how to get that.
        let fix = if value.is_empty() {
            format!("Remove {attribute} to use the environment variable or the default, or set")
        } else {
            "Set".to_string()
        };
        ConfigProblem::error(
            Some(attribute),
            summary,
            format!(
                "{} is {value:?}, which {why}. {fix} it to the ID shown in the ModelArts \
                 console.",
                source.describe(attribute)
            ),
        )
    })
}

mod whole_number;

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "config_empty_tests.rs"]
mod empty_tests;
