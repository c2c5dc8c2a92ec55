//! Which credentials the provider uses: a token first, then an access key pair, each
//! attribute falling back to its environment variable.

use super::config::{pick, ConfigProblem, ProviderConfig};
use crate::modelarts::auth::{Credentials, Secret};

/// Token first, then AK/SK, as in Huawei Cloud's own provider.
pub(super) fn resolve_credentials(
    config: &ProviderConfig,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<ConfigProblem>,
    warnings: &mut Vec<ConfigProblem>,
) -> Option<Credentials> {
    let token = pick(&config.token, "HW_AUTH_TOKEN", env);
    let access_key = pick(&config.access_key, "HW_ACCESS_KEY", env);
    let secret_key = pick(&config.secret_key, "HW_SECRET_KEY", env);
    let security_token = pick(&config.security_token, "HW_SECURITY_TOKEN", env);

    if let Some(token) = token {
        if access_key.is_some() || secret_key.is_some() || security_token.is_some() {
            warnings.push(ConfigProblem {
                is_warning: true,
                attribute: Some("token"),
                summary: "Token and access key both configured",
                detail: "Both a token and AK/SK credentials are configured (in the provider \
                         block or the environment). The token is used; remove one of them to \
                         silence this warning."
                    .into(),
            });
        }
        return Some(Credentials::Token(Secret::new(token)));
    }
    match (access_key, secret_key) {
        (Some(access_key), Some(secret_key)) => Some(Credentials::AkSk {
            access_key,
            secret_key: Secret::new(secret_key),
            security_token: security_token.map(Secret::new),
        }),
        (Some(_), None) => {
            problems.push(ConfigProblem::error(
                Some("secret_key"),
                "Missing secret key",
                "An access key is configured but no secret key. Set secret_key (or \
                 HW_SECRET_KEY) to the secret of that access key."
                    .into(),
            ));
            None
        }
        (None, Some(_)) => {
            problems.push(ConfigProblem::error(
                Some("access_key"),
                "Missing access key",
                "A secret key is configured but no access key. Set access_key (or \
                 HW_ACCESS_KEY) to the access key ID that goes with it."
                    .into(),
            ));
            None
        }
        (None, None) if security_token.is_some() => {
            problems.push(ConfigProblem::error(
                Some("security_token"),
                "Security token without access key",
                "A security token only works together with temporary AK/SK credentials. Set \
                 access_key and secret_key (or HW_ACCESS_KEY and HW_SECRET_KEY) too."
                    .into(),
            ));
            None
        }
        (None, None) => {
            problems.push(ConfigProblem::error(
                None,
                "Missing credentials",
                "No credentials are configured. Set token (or HW_AUTH_TOKEN), or access_key \
                 and secret_key (or HW_ACCESS_KEY and HW_SECRET_KEY)."
                    .into(),
            ));
            None
        }
    }
}
