//! The baseline provider: the real provider's schema and state types with none of its
//! work. Plan returns Terraform's proposal with the defaults the real provider would plan,
//! apply returns the plan with its ID, read returns the state as it came. Terraform's own cost of a run is
//! what remains, so the real provider's time divided by this one's is the provider's
//! share.

use std::collections::HashMap;

use async_trait::async_trait;
use terraform_provider_modelarts::provider::config::ProviderConfig;
use terraform_provider_modelarts::provider::schema::provider_schema;
use terraform_provider_modelarts::provider::ModelArtsProvider;
use terraform_provider_modelarts::resources::app_auth_api::schema::schema as resource_schema;
use terraform_provider_modelarts::resources::app_auth_api::state::{AppAuthApiState, AuthApiId};
use tf_provider::schema::Schema;
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{AttributePath, Diagnostics, DynamicDataSource, DynamicResource};
use tf_provider::{Provider, Resource};

/// The resource type the benchmark configurations use.
const RESOURCE: &str = "app_auth_api";

/// Serves the baseline provider until Terraform stops it.
pub fn serve() -> std::process::ExitCode {
    let runtime = tokio::runtime::Runtime::new().expect("the async runtime starts");
    match runtime.block_on(tf_provider::serve("modelarts", BaselineProvider::default())) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("baseline provider: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Same provider block and resource types as the real provider; only `modelarts_app_auth_api`
/// does nothing. The other types are the real ones, so the schema Terraform loads is
/// identical; the benchmark never configures them.
#[derive(Default)]
struct BaselineProvider {
    real: ModelArtsProvider,
}

#[async_trait]
impl Provider for BaselineProvider {
    type Config<'a> = ProviderConfig;
    type MetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(provider_schema())
    }

    async fn validate<'a>(&self, _diags: &mut Diagnostics, _config: ProviderConfig) -> Option<()> {
        Some(())
    }

    async fn configure<'a>(
        &self,
        _diags: &mut Diagnostics,
        _terraform_version: String,
        _config: ProviderConfig,
    ) -> Option<()> {
        Some(())
    }

    fn get_resources(
        &self,
        diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicResource>>> {
        let mut resources = self.real.get_resources(diags)?;
        resources.insert(RESOURCE.to_string(), Box::new(BaselineAuthApi));
        Some(resources)
    }

    fn get_data_sources(
        &self,
        diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicDataSource>>> {
        self.real.get_data_sources(diags)
    }
}

/// `modelarts_app_auth_api` without HTTP and without checks.
struct BaselineAuthApi;

type State = Value<AppAuthApiState>;

/// The planned value of an attribute the configuration leaves out: the constant the real
/// provider plans in the benchmark, so that Terraform renders, compares and stores the
/// same values whichever provider runs.
fn or_default<T>(configured: Value<T>, default: impl FnOnce() -> T) -> Value<T> {
    match configured {
        Value::Null => Value::Value(default()),
        other => other,
    }
}

#[async_trait]
impl Resource for BaselineAuthApi {
    type State<'a> = State;
    type PrivateState<'a> = ValueEmpty;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(resource_schema())
    }

    async fn read<'a>(
        &self,
        _diags: &mut Diagnostics,
        state: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty)> {
        Some((state, private))
    }

    async fn plan_create<'a>(
        &self,
        _diags: &mut Diagnostics,
        proposed: State,
        _config: State,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty)> {
        let planned = proposed.map(|state| AppAuthApiState {
            id: Value::Unknown,
            workspace_id: or_default(state.workspace_id, || "0".to_string()),
            project_id: or_default(state.project_id, || {
                std::env::var("HW_PROJECT_ID").unwrap_or_default()
            }),
            exclusive: or_default(state.exclusive, || false),
            ..state
        });
        Some((planned, ValueEmpty::Null))
    }

    async fn plan_update<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: State,
        proposed: State,
        _config: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty, Vec<AttributePath>)> {
        Some((proposed, private, Vec::new()))
    }

    async fn plan_destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<ValueEmpty> {
        Some(private)
    }

    async fn create<'a>(
        &self,
        _diags: &mut Diagnostics,
        planned: State,
        _config: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty)> {
        let created = planned.map(|state| AppAuthApiState {
            id: state.api_ref().map_or(Value::Null, |api| {
                Value::Value(AuthApiId::from(&api).to_string())
            }),
            ..state
        });
        Some((created, private))
    }

    async fn update<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: State,
        planned: State,
        _config: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty)> {
        Some((planned, private))
    }

    async fn destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: State,
        _private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<()> {
        Some(())
    }
}
