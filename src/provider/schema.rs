//! The provider block's schema. Descriptions are user documentation: each names its
//! environment variable, its default and whether it is sensitive.

use std::collections::HashMap;

use tf_provider::schema::{
    Attribute, AttributeConstraint, AttributeType, Block, Description, Schema,
};

fn optional(attr_type: AttributeType, sensitive: bool, description: &str) -> Attribute {
    Attribute {
        attr_type,
        description: Description::markdown(description),
        constraint: AttributeConstraint::Optional,
        sensitive,
        deprecated: false,
    }
}

/// The schema of the `provider "modelarts"` block.
pub fn provider_schema() -> Schema {
    use AttributeType::{Bool, Number, String};
    let attributes: HashMap<std::string::String, Attribute> = [
        (
            "region",
            optional(
                String,
                false,
                "Region of the ModelArts endpoint, for example `cn-north-4`. \
             Environment variable `HW_REGION_NAME`. Required unless `endpoint` is set.",
            ),
        ),
        (
            "project_id",
            optional(
                String,
                false,
                "Project that owns the services and apps. Environment \
             variable `HW_PROJECT_ID`. Required.",
            ),
        ),
        (
            "access_key",
            optional(
                String,
                false,
                "Access key ID of an AK/SK pair. Environment variable \
             `HW_ACCESS_KEY`. Used with `secret_key` when no `token` is set.",
            ),
        ),
        (
            "secret_key",
            optional(
                String,
                true,
                "Secret access key of the AK/SK pair. Environment variable \
             `HW_SECRET_KEY`. Sensitive.",
            ),
        ),
        (
            "security_token",
            optional(
                String,
                true,
                "Security token of temporary AK/SK credentials. \
             Environment variable `HW_SECURITY_TOKEN`. Sensitive; needs `access_key` and \
             `secret_key`.",
            ),
        ),
        (
            "token",
            optional(
                String,
                true,
                "IAM token, sent as `X-Auth-Token`. Environment variable \
             `HW_AUTH_TOKEN`. Sensitive. Takes precedence over `access_key`/`secret_key` \
             when both are configured.",
            ),
        ),
        (
            "endpoint",
            optional(
                String,
                false,
                "Full URL of the ModelArts API, overriding the one built \
             from `region` and `cloud`. Environment variable `HW_MODELARTS_ENDPOINT`. \
             Default `https://modelarts.{region}.{cloud}`.",
            ),
        ),
        (
            "cloud",
            optional(
                String,
                false,
                "Domain suffix of the endpoints. Environment variable \
             `HW_CLOUD`. Default `myhuaweicloud.com`.",
            ),
        ),
        (
            "insecure",
            optional(
                Bool,
                false,
                "Accept TLS certificates that cannot be verified. \
             Environment variable `HW_INSECURE`. Default `false`. Only for test endpoints.",
            ),
        ),
        (
            "max_retries",
            optional(
                Number,
                false,
                "How many times a request is retried after the first \
             attempt on throttling (429), server errors (5xx) and connection errors; 0 or \
             more. Environment variable `HW_MAX_RETRIES`. Default `5`. The resources' \
             timeouts bound the retries too.",
            ),
        ),
        (
            "max_apps_per_call",
            optional(
                Number,
                false,
                "The most apps one authorize or cancel call carries, from 1 to 100. \
             Environment variable `MODELARTS_MAX_APPS_PER_CALL`. Default `100`, the limit \
             the service documents. Set it lower when the service refuses calls of that \
             size (400 `ModelArts.0107`) because your region or account allows fewer.",
            ),
        ),
        (
            "read_lag_seconds",
            optional(
                Number,
                false,
                "How long, in whole seconds from 0 to 300, a refresh right after an apply \
             keeps re-reading an API whose answer does not show that apply yet (apps just \
             authorized missing, or apps just cancelled still there) before it believes \
             the answer. Environment variable `MODELARTS_READ_LAG_SECONDS`. Default `10`. \
             Raise it where the service's reads lag longer; `0` believes the first answer.",
            ),
        ),
        (
            "workspace_id",
            optional(
                String,
                false,
                "Workspace of resources that do not set their own. \
             Environment variable `HW_WORKSPACE_ID`. Default `0`, the default workspace.",
            ),
        ),
    ]
    .into_iter()
    .map(|(name, attribute)| (name.to_string(), attribute))
    .collect();

    Schema {
        version: 0,
        block: Block {
            version: 0,
            attributes,
            description: Description::markdown(
                "The ModelArts provider manages app authentication of Huawei Cloud ModelArts \
                 real-time services. Every setting can come from an environment variable; a \
                 value in this block wins over the environment.",
            ),
            ..Default::default()
        },
    }
}
