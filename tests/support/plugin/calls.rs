//! The RPCs as the harness makes them: one raw wrapper per call for tests that craft
//! requests by hand, and the requests Terraform would send for the usual steps.

use tonic::Status;

use super::tfplugin6::*;
use super::value::{self, decode, dynamic, Value};
use super::{assert_no_errors, TERRAFORM_VERSION};
use super::{no_provider_meta, path_text, schema, Outcome, Provider, APP_AUTH_API};

/// One blocking method per RPC, taking and returning the protocol messages unchanged.
macro_rules! raw_calls {
    ($($(#[$doc:meta])* $method:ident;)*) => {
        // tonic's Status is what a failed call is; boxing it would only hide that.
        #[allow(clippy::result_large_err)]
        impl Provider {
            $(
                $(#[$doc])*
                pub fn $method(
                    &self,
                    request: $method::Request,
                ) -> Result<$method::Response, Status> {
                    let mut client = self.client.clone();
                    self.runtime
                        .block_on(client.$method(request))
                        .map(tonic::Response::into_inner)
                }
            )*
        }
    };
}

raw_calls! {
    /// Calls GetProviderSchema.
    get_provider_schema;
    /// Calls ValidateProviderConfig.
    validate_provider_config;
    /// Calls ConfigureProvider.
    configure_provider;
    /// Calls ValidateResourceConfig.
    validate_resource_config;
    /// Calls PlanResourceChange.
    plan_resource_change;
    /// Calls ApplyResourceChange.
    apply_resource_change;
    /// Calls ReadResource.
    read_resource;
    /// Calls ImportResourceState.
    import_resource_state;
    /// Calls UpgradeResourceState.
    upgrade_resource_state;
    /// Calls StopProvider.
    stop_provider;
}

#[allow(clippy::result_large_err)]
impl Provider {
    /// Calls the RPC at `path` (`/tfplugin6.Provider/Name`) with any message: for
    /// requests and calls the generated client cannot express.
    pub fn call_raw<Req, Resp>(&self, path: &'static str, request: Req) -> Result<Resp, Status>
    where
        Req: prost::Message + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + Sync + 'static,
    {
        let mut grpc = tonic::client::Grpc::new(self.channel.clone());
        self.runtime.block_on(async move {
            grpc.ready()
                .await
                .map_err(|error| Status::unavailable(error.to_string()))?;
            let path = tonic::codegen::http::uri::PathAndQuery::from_static(path);
            let codec = tonic::codec::ProstCodec::default();
            grpc.unary(tonic::Request::new(request), path, codec)
                .await
                .map(tonic::Response::into_inner)
        })
    }
}

/// Panics with the status and the provider's stderr when a call failed at the gRPC
/// level, which Terraform reports as a broken plugin.
fn answered<T>(provider: &Provider, rpc: &str, result: Result<T, Status>) -> T {
    result.unwrap_or_else(|status| {
        panic!(
            "{rpc} failed instead of answering: {}; stderr:\n{}",
            super::status_text(&status),
            provider.stderr()
        )
    })
}

impl Provider {
    /// A provider configuration with the given attributes set and the rest null.
    pub fn provider_config(&self, set: &[(&str, Value)]) -> Value {
        schema::config(self.provider_block(), set)
    }

    /// A `modelarts_app_auth_api` configuration with the given attributes set.
    pub fn resource_config(&self, set: &[(&str, Value)]) -> Value {
        schema::config(self.resource_block(APP_AUTH_API), set)
    }

    /// Validates then configures the provider, as Terraform does; returns the
    /// diagnostics of both calls (configure is skipped when validation fails).
    pub fn configure(&self, config: &Value) -> Vec<Diagnostic> {
        let request = validate_provider_config::Request {
            config: Some(dynamic(config)),
        };
        let validation = self.validate_provider_config(request);
        let mut diagnostics = answered(self, "ValidateProviderConfig", validation).diagnostics;
        if !super::errors(&diagnostics).is_empty() {
            return diagnostics;
        }
        let request = configure_provider::Request {
            terraform_version: TERRAFORM_VERSION.to_string(),
            config: Some(dynamic(config)),
            client_capabilities: None,
        };
        let configured = self.configure_provider(request);
        diagnostics.extend(answered(self, "ConfigureProvider", configured).diagnostics);
        diagnostics
    }

    /// Configures the provider for an emulator with a token; panics on any error.
    pub fn configure_for(&self, endpoint: &str, token: &str, project_id: &str) {
        let config = self.provider_config(&[
            ("endpoint", value::string(endpoint)),
            ("token", value::string(token)),
            ("project_id", value::string(project_id)),
            ("region", value::string("cn-north-4")),
        ]);
        assert_no_errors(&self.configure(&config), "configuring the provider");
    }

    /// Validates a resource configuration; returns the diagnostics.
    pub fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let request = validate_resource_config::Request {
            type_name: APP_AUTH_API.to_string(),
            config: Some(dynamic(config)),
            client_capabilities: None,
        };
        answered(
            self,
            "ValidateResourceConfig",
            self.validate_resource_config(request),
        )
        .diagnostics
    }

    /// The plan request Terraform sends for `config` over `prior` (null to create).
    pub fn plan_request(&self, prior: &Value, config: &Value) -> plan_resource_change::Request {
        let block = self.resource_block(APP_AUTH_API);
        plan_resource_change::Request {
            type_name: APP_AUTH_API.to_string(),
            prior_state: Some(dynamic(prior)),
            proposed_new_state: Some(dynamic(&schema::proposed_new(block, prior, config))),
            config: Some(dynamic(config)),
            prior_private: Vec::new(),
            provider_meta: no_provider_meta(),
            client_capabilities: None,
            prior_identity: None,
        }
    }

    /// Plans `config` over `prior`; panics if the call itself fails.
    pub fn plan(&self, prior: &Value, config: &Value) -> Outcome {
        let request = self.plan_request(prior, config);
        planned(answered(
            self,
            "PlanResourceChange",
            self.plan_resource_change(request),
        ))
    }

    /// The apply request Terraform sends after `planned`.
    pub fn apply_request(
        &self,
        prior: &Value,
        planned: &Outcome,
        config: &Value,
    ) -> apply_resource_change::Request {
        apply_resource_change::Request {
            type_name: APP_AUTH_API.to_string(),
            prior_state: Some(dynamic(prior)),
            planned_state: Some(dynamic(&planned.value)),
            config: Some(dynamic(config)),
            planned_private: planned.private.clone(),
            provider_meta: no_provider_meta(),
            planned_identity: None,
        }
    }

    /// Applies `planned`; panics if the call itself fails.
    pub fn apply(&self, prior: &Value, planned: &Outcome, config: &Value) -> Outcome {
        let request = self.apply_request(prior, planned, config);
        let response = answered(
            self,
            "ApplyResourceChange",
            self.apply_resource_change(request),
        );
        Outcome {
            value: decode(response.new_state.as_ref()),
            private: response.private,
            requires_replace: Vec::new(),
            diagnostics: response.diagnostics,
        }
    }

    /// Plans and applies a creation of `config`; panics on any error.
    pub fn create(&self, config: &Value) -> Outcome {
        let plan = self.plan(&Value::Nil, config);
        assert_no_errors(&plan.diagnostics, "planning the creation");
        let applied = self.apply(&Value::Nil, &plan, config);
        assert_no_errors(&applied.diagnostics, "applying the creation");
        applied
    }

    /// Reads `state` back from the service.
    pub fn read(&self, state: &Value, private: &[u8]) -> Outcome {
        let request = read_resource::Request {
            type_name: APP_AUTH_API.to_string(),
            current_state: Some(dynamic(state)),
            private: private.to_vec(),
            provider_meta: no_provider_meta(),
            client_capabilities: None,
            current_identity: None,
        };
        let response = answered(self, "ReadResource", self.read_resource(request));
        Outcome {
            value: decode(response.new_state.as_ref()),
            private: response.private,
            requires_replace: Vec::new(),
            diagnostics: response.diagnostics,
        }
    }

    /// Imports `id`; returns each imported state and the diagnostics.
    pub fn import(&self, id: &str) -> (Vec<Outcome>, Vec<Diagnostic>) {
        let request = import_resource_state::Request {
            type_name: APP_AUTH_API.to_string(),
            id: id.to_string(),
            client_capabilities: None,
            identity: None,
        };
        let response = answered(
            self,
            "ImportResourceState",
            self.import_resource_state(request),
        );
        let imported = response
            .imported_resources
            .into_iter()
            .map(|resource| Outcome {
                value: decode(resource.state.as_ref()),
                private: resource.private,
                requires_replace: Vec::new(),
                diagnostics: Vec::new(),
            })
            .collect();
        (imported, response.diagnostics)
    }

    /// Upgrades a stored state (JSON, as in a state file) written at schema `version`.
    pub fn upgrade(&self, version: i64, state: &serde_json::Value) -> Outcome {
        let request = upgrade_resource_state::Request {
            type_name: APP_AUTH_API.to_string(),
            version,
            raw_state: Some(RawState {
                json: serde_json::to_vec(state).expect("serialize a state"),
                flatmap: Default::default(),
            }),
        };
        let response = answered(
            self,
            "UpgradeResourceState",
            self.upgrade_resource_state(request),
        );
        Outcome {
            value: decode(response.upgraded_state.as_ref()),
            private: Vec::new(),
            requires_replace: Vec::new(),
            diagnostics: response.diagnostics,
        }
    }
}

/// A plan response as an [`Outcome`].
pub fn planned(response: plan_resource_change::Response) -> Outcome {
    Outcome {
        value: decode(response.planned_state.as_ref()),
        private: response.planned_private,
        requires_replace: response.requires_replace.iter().map(path_text).collect(),
        diagnostics: response.diagnostics,
    }
}
