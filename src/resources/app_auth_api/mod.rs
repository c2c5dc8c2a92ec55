//! `modelarts_app_auth_api`: one API of one real-time service, authorized to a set of
//! apps. This module wires the Terraform hooks to validation, planning and the apply,
//! read and import steps, each under the panic guard.

pub mod apply;
pub mod batch;
pub mod claims;
#[cfg(test)]
mod fixtures;
pub mod holds;
pub mod plan;
pub mod read;
pub mod recent;
pub mod report;
pub mod schema;
pub mod state;
pub mod successor;

use async_trait::async_trait;
use tf_provider::schema::Schema;
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{AttributePath, Diagnostics, Resource};

use crate::provider::shared::SharedProvider;
use crate::resources::guard::guarded;
use crate::resources::strict::Strict;
use recent::Private;
use state::AppAuthApiState;
use successor::{Carried, Successor};

/// The resource, holding the slot `configure` fills.
#[derive(Debug, Clone)]
pub struct AppAuthApiResource {
    provider: SharedProvider,
}

impl AppAuthApiResource {
    /// A resource served by the provider behind `provider`.
    pub fn new(provider: SharedProvider) -> Self {
        AppAuthApiResource { provider }
    }
}

type State = Strict<AppAuthApiState>;

/// The state inside a value Terraform promised is not null, or an error saying otherwise.
fn present(diags: &mut Diagnostics, state: State, what: &str) -> Option<AppAuthApiState> {
    match state.0 {
        Value::Value(state) => Some(state),
        _ => {
            crate::diagnostics::root_error(
                diags,
                "Provider bug: please report",
                format!("Terraform sent no {what} for modelarts_app_auth_api."),
            );
            None
        }
    }
}

#[async_trait]
impl Resource for AppAuthApiResource {
    type State<'a> = State;
    /// What recent creates and updates authorized, so that a refresh right after them
    /// can wait for reads that lag behind (see [`recent`]). Terraform 1.0 hands it back to
    /// each read, passes it through plans, and stores what apply returns. A create's
    /// plan carries the create instead, for the delete half of a replacement (see
    /// [`successor`]).
    type PrivateState<'a> = Carried;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(schema::schema())
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: State) -> Option<()> {
        guarded(diags, "validation of modelarts_app_auth_api", async {
            let mut d = Diagnostics::default();
            if let Value::Value(config) = &config.0 {
                plan::validate(&mut d, config);
            }
            (d, Some(()))
        })
        .await
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        state: State,
        private: Carried,
        _meta: ValueEmpty,
    ) -> Option<(State, Carried)> {
        guarded(diags, "read of modelarts_app_auth_api", async {
            let mut d = Diagnostics::default();
            let Some(current) = present(&mut d, state.clone(), "state to read") else {
                return (d, Some((state, private)));
            };
            let Some(provider) = self.provider.require(&mut d) else {
                return (d, Some((state, private)));
            };
            let (new_state, recent) = read::read(&mut d, &provider, current, private.recent).await;
            (d, Some((Strict(new_state), recent.into())))
        })
        .await
    }

    async fn plan_create<'a>(
        &self,
        diags: &mut Diagnostics,
        proposed: State,
        config: State,
        _meta: ValueEmpty,
    ) -> Option<(State, Carried)> {
        guarded(diags, "plan of modelarts_app_auth_api", async {
            let mut d = Diagnostics::default();
            let (Some(proposed), Some(config)) = (
                present(&mut d, proposed, "proposed state"),
                present(&mut d, config, "configuration"),
            ) else {
                return (d, None);
            };
            plan::validate(&mut d, &config);
            let provider = self.provider.get();
            let planned = plan::plan_create(&config, proposed, provider.as_deref());
            if let Some(provider) = &provider {
                claims::check(&mut d, &provider.claims, &planned);
            }
            // Handed to the delete half too, when this create replaces an object.
            let private = Carried {
                recent: Private::default(),
                successor: Successor::of_plan(&planned),
            };
            (d, Some((Strict(Value::Value(planned)), private)))
        })
        .await
    }

    async fn plan_update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: State,
        proposed: State,
        config: State,
        private: Carried,
        _meta: ValueEmpty,
    ) -> Option<(State, Carried, Vec<AttributePath>)> {
        guarded(diags, "plan of modelarts_app_auth_api", async {
            let mut d = Diagnostics::default();
            let (Some(prior), Some(proposed), Some(config)) = (
                present(&mut d, prior, "prior state"),
                present(&mut d, proposed, "proposed state"),
                present(&mut d, config, "configuration"),
            ) else {
                return (d, None);
            };
            plan::validate(&mut d, &config);
            let provider = self.provider.get();
            let (planned, replace) =
                plan::plan_update(&prior, proposed, &config, provider.as_deref());
            if replace.is_empty() {
                plan::warn_exclusive_turned_off(&mut d, &prior, &planned);
            }
            if let Some(provider) = &provider {
                claims::check(&mut d, &provider.claims, &planned);
            }
            // Only the record of writes goes on: an update replaces no object.
            let private = Carried::from(private.recent);
            (d, Some((Strict(Value::Value(planned)), private, replace)))
        })
        .await
    }

    async fn plan_destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: State,
        private: Carried,
        _meta: ValueEmpty,
    ) -> Option<Carried> {
        Some(private.recent.into())
    }

    async fn create<'a>(
        &self,
        diags: &mut Diagnostics,
        planned: State,
        _config: State,
        _private: Carried,
        _meta: ValueEmpty,
    ) -> Option<(State, Carried)> {
        guarded(diags, "create of modelarts_app_auth_api", async {
            let mut d = Diagnostics::default();
            let (Some(planned), Some(provider)) = (
                present(&mut d, planned, "planned state"),
                self.provider.require(&mut d),
            ) else {
                return (d, None);
            };
            let created = apply::create(&mut d, &provider, planned).await;
            (d, created.map(|(s, recent)| (Strict(s), recent.into())))
        })
        .await
    }

    async fn update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: State,
        planned: State,
        _config: State,
        private: Carried,
        _meta: ValueEmpty,
    ) -> Option<(State, Carried)> {
        guarded(diags, "update of modelarts_app_auth_api", async {
            let mut d = Diagnostics::default();
            let (Some(prior), Some(planned), Some(provider)) = (
                present(&mut d, prior, "prior state"),
                present(&mut d, planned, "planned state"),
                self.provider.require(&mut d),
            ) else {
                return (d, None);
            };
            let updated = apply::update(&mut d, &provider, prior, planned).await;
            // An earlier write's record still running keeps its apps: a refresh right
            // after this update must wait for them too.
            let updated = updated.map(|(state, written)| {
                let held = match &state {
                    Value::Value(state) => state.known_app_ids().unwrap_or_default(),
                    _ => Default::default(),
                };
                let recent = private
                    .recent
                    .merged(written, &held, provider.read_lag_window);
                (Strict(state), recent.into())
            });
            (d, updated)
        })
        .await
    }

    async fn destroy<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: State,
        private: Carried,
        _meta: ValueEmpty,
    ) -> Option<()> {
        guarded(diags, "delete of modelarts_app_auth_api", async {
            let mut d = Diagnostics::default();
            let (Some(prior), Some(provider)) = (
                present(&mut d, prior, "prior state"),
                self.provider.require(&mut d),
            ) else {
                return (d, None);
            };
            // A delete planned as the first half of a replacement carries the
            // create's plan.
            apply::delete(&mut d, &provider, prior, private.successor).await;
            (d, Some(()))
        })
        .await
    }

    async fn import<'a>(&self, diags: &mut Diagnostics, id: String) -> Option<(State, Carried)> {
        guarded(diags, "import of modelarts_app_auth_api", async {
            let mut d = Diagnostics::default();
            // The ID is checked before anything else, so a malformed one never needs a
            // configured provider, let alone an API call.
            let Some(parsed) = read::parse_import_id(&mut d, &id) else {
                return (d, None);
            };
            let Some(provider) = self.provider.require(&mut d) else {
                return (d, None);
            };
            let state = read::import(&provider, parsed);
            (d, Some((Strict(Value::Value(state)), Carried::default())))
        })
        .await
    }
}
