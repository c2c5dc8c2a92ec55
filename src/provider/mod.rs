//! The `modelarts` provider: its block, its configuration into a client, and the
//! resources and data sources it serves.

pub mod config;
mod credentials;
mod location;
pub mod schema;
pub mod shared;

use std::collections::HashMap;

use async_trait::async_trait;
use tf_provider::schema::Schema;
use tf_provider::value::ValueEmpty;
use tf_provider::{AttributePath, Diagnostics, DynamicDataSource, DynamicResource, Provider};

use crate::data_sources::app_auth_api::AppAuthApiDataSource;
use crate::data_sources::apps::AppsDataSource;
use crate::diagnostics::{
    attribute_error, attribute_warning, client_error, root_error, root_warning,
};
use crate::modelarts::{ClientConfig, ModelArtsClient};
use crate::resources::app::AppResource;
use crate::resources::app_auth_api::AppAuthApiResource;
use crate::resources::guard::guarded;
use config::{ConfigProblem, ProviderConfig, ResolvedConfig};
use shared::{ProviderData, SharedProvider};

/// The provider. Its resources share the slot that `configure` fills.
#[derive(Debug, Default, Clone)]
pub struct ModelArtsProvider {
    shared: SharedProvider,
}

impl ModelArtsProvider {
    /// A provider that is not configured yet.
    pub fn new() -> Self {
        Self::default()
    }
}

fn add_problems(diags: &mut Diagnostics, problems: Vec<ConfigProblem>) {
    for problem in problems {
        match (problem.is_warning, problem.attribute) {
            (false, Some(a)) => attribute_error(
                diags,
                AttributePath::new(a),
                problem.summary,
                problem.detail,
            ),
            (false, None) => root_error(diags, problem.summary, problem.detail),
            (true, Some(a)) => attribute_warning(
                diags,
                AttributePath::new(a),
                problem.summary,
                problem.detail,
            ),
            (true, None) => root_warning(diags, problem.summary, problem.detail),
        }
    }
}

/// Builds the client and the shared data from resolved settings.
fn connect(diags: &mut Diagnostics, resolved: ResolvedConfig) -> Option<ProviderData> {
    let host = resolved.endpoint.host_str().unwrap_or_default().to_string();
    let kind = resolved.credentials.kind();
    let client = ModelArtsClient::new(ClientConfig {
        endpoint: resolved.endpoint.to_string(),
        credentials: resolved.credentials,
        insecure: resolved.insecure,
        max_retries: resolved.max_retries,
    });
    let client = match client {
        Ok(client) => client
            .with_max_apps_per_call(resolved.max_apps_per_call)
            .with_stop(crate::stop::global().clone()),
        Err(error) => {
            client_error(diags, "Failed to set up the ModelArts client", &error);
            return None;
        }
    };
    tracing::info!(
        endpoint_host = %host,
        region = resolved.region.as_deref().unwrap_or("-"),
        auth_method = kind,
        workspace_id = %resolved.workspace_id,
        max_retries = resolved.max_retries,
        max_apps_per_call = resolved.max_apps_per_call,
        read_lag_seconds = resolved.read_lag_window.as_secs(),
        insecure = resolved.insecure,
        "provider configured"
    );
    Some(ProviderData {
        client,
        project_id: resolved.project_id,
        workspace_id: resolved.workspace_id,
        stop: crate::stop::global().clone(),
        holds: Default::default(),
        claims: Default::default(),
        read_lag_window: resolved.read_lag_window,
    })
}

#[async_trait]
impl Provider for ModelArtsProvider {
    type Config<'a> = ProviderConfig;
    type MetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(schema::provider_schema())
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: ProviderConfig) -> Option<()> {
        guarded(diags, "validation of the provider block", async {
            let mut d = Diagnostics::default();
            add_problems(&mut d, config::validate_explicit(&config));
            (d, Some(()))
        })
        .await
    }

    async fn configure<'a>(
        &self,
        diags: &mut Diagnostics,
        terraform_version: String,
        config: ProviderConfig,
    ) -> Option<()> {
        guarded(diags, "configuration of the provider", async {
            let mut d = Diagnostics::default();
            tracing::debug!(terraform_version = %terraform_version, "configuring the provider");
            if let Some(problem) = crate::logging::log_file_problem() {
                root_warning(&mut d, "Log file not written", problem);
            }
            if config.has_unknown() {
                tracing::info!("provider block holds values known only after apply");
                self.shared.defer();
                return (d, Some(()));
            }
            let env = |name: &str| std::env::var(name).ok();
            match config::resolve(&config, &env) {
                Err(problems) => {
                    add_problems(&mut d, problems);
                    (d, None)
                }
                Ok((resolved, warnings)) => {
                    add_problems(&mut d, warnings);
                    match connect(&mut d, resolved) {
                        Some(data) => {
                            self.shared.set(data);
                            (d, Some(()))
                        }
                        None => (d, None),
                    }
                }
            }
        })
        .await
    }

    fn get_resources(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicResource>>> {
        let resources: [(&str, Box<dyn DynamicResource>); 2] = [
            (
                "app_auth_api",
                Box::new(AppAuthApiResource::new(self.shared.clone())),
            ),
            ("app", Box::new(AppResource::new(self.shared.clone()))),
        ];
        Some(
            resources
                .into_iter()
                .map(|(name, resource)| (name.to_string(), resource))
                .collect(),
        )
    }

    fn get_data_sources(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicDataSource>>> {
        let data_sources: [(&str, Box<dyn DynamicDataSource>); 2] = [
            ("apps", Box::new(AppsDataSource::new(self.shared.clone()))),
            (
                "app_auth_api",
                Box::new(AppAuthApiDataSource::new(self.shared.clone())),
            ),
        ];
        Some(
            data_sources
                .into_iter()
                .map(|(name, data_source)| (name.to_string(), data_source))
                .collect(),
        )
    }
}
