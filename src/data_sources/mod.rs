//! Data sources: look up apps, and the apps an API is authorized to.

pub mod app_auth_api;
pub mod apps;

use tf_provider::value::Value;

use crate::provider::shared::ProviderData;
use crate::resources::timeouts::DEFAULT_TIMEOUT;

/// The deadline of a data source read (data sources have no `timeouts` block).
pub fn read_deadline() -> tokio::time::Instant {
    tokio::time::Instant::now() + DEFAULT_TIMEOUT
}

/// The configured value, else the provider's default.
pub fn or_default(configured: &Value<String>, default: &str) -> String {
    configured
        .as_ref_option()
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

/// The project and workspace a data source reads, from its configuration or the
/// provider.
pub fn scope(
    provider: &ProviderData,
    project_id: &Value<String>,
    workspace_id: &Value<String>,
) -> (String, String) {
    (
        or_default(project_id, &provider.project_id),
        or_default(workspace_id, &provider.workspace_id),
    )
}
