//! `modelarts_app_auth_api` (data source): the apps one API is authorized to now.

use std::collections::BTreeSet;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_provider::schema::{AttributeConstraint, AttributeType, Block, Description, Schema};
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{AttributePath, DataSource, Diagnostics};

use super::{read_deadline, scope};
use crate::diagnostics::client_error;
use crate::modelarts::ApiRef;
use crate::provider::shared::SharedProvider;
use crate::resources::app_auth_api::batch::app_ids;
use crate::resources::guard::guarded;
use crate::resources::{attribute, check_identifier};

/// The data source's configuration and result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppAuthApiLookup {
    /// The service.
    pub service_id: Value<String>,
    /// The API.
    pub api_id: Value<String>,
    /// Workspace.
    pub workspace_id: Value<String>,
    /// Project.
    pub project_id: Value<String>,
    /// The apps authorized to the API.
    pub app_ids: Value<BTreeSet<String>>,
}

/// The data source, holding the slot `configure` fills.
#[derive(Debug, Clone)]
pub struct AppAuthApiDataSource {
    provider: SharedProvider,
}

impl AppAuthApiDataSource {
    /// A data source served by the provider behind `provider`.
    pub fn new(provider: SharedProvider) -> Self {
        AppAuthApiDataSource { provider }
    }
}

fn validate(diags: &mut Diagnostics, config: &AppAuthApiLookup) {
    for (name, what, value) in [
        ("service_id", "service ID", &config.service_id),
        ("api_id", "API ID", &config.api_id),
        ("workspace_id", "workspace ID", &config.workspace_id),
        ("project_id", "project ID", &config.project_id),
    ] {
        check_identifier(diags, AttributePath::new(name), what, value);
    }
}

#[async_trait]
impl DataSource for AppAuthApiDataSource {
    type State<'a> = AppAuthApiLookup;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        use AttributeConstraint::{Computed, OptionalComputed, Required};
        use AttributeType::String;
        let attributes = [
            (
                "service_id",
                attribute(String, Required, "ID of the real-time service."),
            ),
            (
                "api_id",
                attribute(
                    String,
                    Required,
                    "ID of the service's app-authentication \
              API.",
                ),
            ),
            (
                "workspace_id",
                attribute(
                    String,
                    OptionalComputed,
                    "Workspace of the service. \
              Default: the provider's `workspace_id`.",
                ),
            ),
            (
                "project_id",
                attribute(
                    String,
                    OptionalComputed,
                    "Project of the service. \
              Default: the provider's `project_id`.",
                ),
            ),
            (
                "app_ids",
                attribute(
                    AttributeType::Set(Box::new(String)),
                    Computed,
                    "IDs of \
              every app the API is authorized to now, whoever authorized them.",
                ),
            ),
        ]
        .into_iter()
        .map(|(name, attribute)| (name.to_string(), attribute))
        .collect();
        Some(Schema {
            version: 0,
            block: Block {
                version: 0,
                attributes,
                description: Description::markdown(
                    "Reads the apps an app-authentication API of a real-time service is \
                     authorized to.",
                ),
                ..Default::default()
            },
        })
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: AppAuthApiLookup) -> Option<()> {
        guarded(
            diags,
            "validation of data source modelarts_app_auth_api",
            async {
                let mut d = Diagnostics::default();
                validate(&mut d, &config);
                (d, Some(()))
            },
        )
        .await
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        config: AppAuthApiLookup,
        _meta: ValueEmpty,
    ) -> Option<AppAuthApiLookup> {
        guarded(diags, "read of data source modelarts_app_auth_api", async {
            let mut d = Diagnostics::default();
            validate(&mut d, &config);
            let Some(provider) = self.provider.require(&mut d) else {
                return (d, None);
            };
            let (Value::Value(service_id), Value::Value(api_id)) =
                (&config.service_id, &config.api_id)
            else {
                return (d, None);
            };
            if !d.errors.is_empty() {
                return (d, None);
            }
            let (project_id, workspace_id) =
                scope(&provider, &config.project_id, &config.workspace_id);
            let api = ApiRef {
                project_id: project_id.clone(),
                workspace_id: workspace_id.clone(),
                service_id: service_id.clone(),
                api_id: api_id.clone(),
            };
            match provider
                .client
                .list_authorized_apps(&api, read_deadline())
                .await
            {
                Ok(apps) => {
                    let state = AppAuthApiLookup {
                        project_id: Value::Value(project_id),
                        workspace_id: Value::Value(workspace_id),
                        app_ids: Value::Value(app_ids(apps)),
                        ..config
                    };
                    (d, Some(state))
                }
                Err(error) => {
                    client_error(&mut d, "Failed to read app authorizations", &error);
                    (d, None)
                }
            }
        })
        .await
    }
}
