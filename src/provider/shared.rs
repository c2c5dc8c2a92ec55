//! What `configure` hands to resources and data sources. They are created before the
//! provider is configured, so they hold a shared slot that `configure` fills.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use tf_provider::Diagnostics;

use crate::diagnostics::root_error;
use crate::modelarts::ModelArtsClient;
use crate::resources::app_auth_api::claims::PlanClaims;
use crate::resources::app_auth_api::holds::ApiHolds;
use crate::stop::StopFlag;

/// The configured provider: the client and the defaults resources fall back to.
#[derive(Debug, Clone)]
pub struct ProviderData {
    /// The client every operation uses.
    pub client: ModelArtsClient,
    /// Project of resources that do not set one.
    pub project_id: String,
    /// Workspace of resources that do not set one.
    pub workspace_id: String,
    /// Set when the user interrupted Terraform.
    pub stop: StopFlag,
    /// Which apps objects of this run hold on each API, and the lock per API.
    pub holds: ApiHolds,
    /// What the plans of this process claimed on each API, to warn about conflicts.
    pub claims: PlanClaims,
    /// How long after an apply a refresh re-reads an API whose answer lags behind it.
    pub read_lag_window: Duration,
}

#[derive(Debug, Default)]
enum Slot {
    /// `configure` has not run.
    #[default]
    Unconfigured,
    /// The provider block holds values known only after apply.
    Deferred,
    /// Ready.
    Configured(Arc<ProviderData>),
}

/// The slot shared by the provider and everything it serves. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct SharedProvider(Arc<RwLock<Slot>>);

impl SharedProvider {
    /// Stores the configured provider.
    pub fn set(&self, data: ProviderData) {
        *self.write() = Slot::Configured(Arc::new(data));
    }

    /// Records that configuration waits for values known only after apply.
    pub fn defer(&self) {
        *self.write() = Slot::Deferred;
    }

    /// The configured provider, if `configure` succeeded.
    pub fn get(&self) -> Option<Arc<ProviderData>> {
        match &*self
            .0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
        {
            Slot::Configured(data) => Some(data.clone()),
            _ => None,
        }
    }

    /// The configured provider, or an error saying why there is none.
    pub fn require(&self, diags: &mut Diagnostics) -> Option<Arc<ProviderData>> {
        let slot = self
            .0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match &*slot {
            Slot::Configured(data) => Some(data.clone()),
            Slot::Deferred => {
                root_error(
                    diags,
                    "Provider configuration not known yet",
                    "The modelarts provider block uses values that are known only after \
                     apply, so the provider cannot reach ModelArts yet. Use values known at \
                     plan time, or apply the resources they come from first (-target).",
                );
                None
            }
            Slot::Unconfigured => {
                root_error(
                    diags,
                    "Provider not configured",
                    "The modelarts provider was used before Terraform configured it. This \
                     is a bug in the provider or in Terraform; please report it.",
                );
                None
            }
        }
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Slot> {
        self.0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
