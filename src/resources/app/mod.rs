//! `modelarts_app`: create, read, delete and import an app. Every configurable
//! attribute forces replacement, since the service cannot change an app in place.

mod advice;
pub mod state;

use async_trait::async_trait;
use tf_provider::schema::Schema;
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{AttributePath, Diagnostics, Resource};

use crate::diagnostics::{client_error, root_error, root_warning};
use crate::provider::shared::{ProviderData, SharedProvider};
use crate::resources::guard::guarded;
use crate::resources::is_gone;
use crate::resources::planned_default;
use crate::resources::strict::Strict;
use crate::resources::timeouts::{deadline_of, CreateDeleteTimeouts, Operation};
use state::AppState;

/// The resource, holding the slot `configure` fills.
#[derive(Debug, Clone)]
pub struct AppResource {
    provider: SharedProvider,
}

impl AppResource {
    /// A resource served by the provider behind `provider`.
    pub fn new(provider: SharedProvider) -> Self {
        AppResource { provider }
    }
}

type State = Strict<AppState>;

/// Attributes whose change replaces the app.
const REPLACING: [&str; 4] = ["name", "description", "workspace_id", "project_id"];

fn keys(state: &AppState) -> Option<(&str, &str, &str)> {
    match (&state.project_id, &state.workspace_id, &state.id) {
        (Value::Value(p), Value::Value(w), Value::Value(id)) => Some((p, w, id)),
        _ => None,
    }
}

fn missing_keys(diags: &mut Diagnostics) {
    root_error(
        diags,
        "Provider bug: please report",
        "The state of this modelarts_app lacks its ID, project or workspace. Please report \
         this bug; `terraform state rm` and a new import repair the entry.",
    );
}

async fn create(
    d: &mut Diagnostics,
    provider: &ProviderData,
    planned: AppState,
) -> Option<Value<AppState>> {
    state::validate(d, &planned);
    let (Value::Value(project), Value::Value(workspace), Value::Value(name)) =
        (&planned.project_id, &planned.workspace_id, &planned.name)
    else {
        root_error(
            d,
            "Provider bug: please report",
            "The plan of this modelarts_app still \
                   holds unknown keys at apply time. Please report this bug.",
        );
        return None;
    };
    if !d.errors.is_empty() {
        return None;
    }
    let deadline = deadline_of(&planned.timeouts, Operation::Create);
    let remark = planned.description.as_ref_option().map(String::as_str);
    match provider
        .client
        .create_app(project, workspace, name, remark, deadline)
        .await
    {
        Ok(app) => {
            tracing::info!(app_id = %app.app_id, "app created");
            Some(Value::Value(state::apply_remote(planned, &app)))
        }
        Err(error) => {
            advice::create_refused(d, &error);
            Some(Value::Null)
        }
    }
}

async fn read(d: &mut Diagnostics, provider: &ProviderData, current: AppState) -> Value<AppState> {
    let Some((project, workspace, id)) = keys(&current) else {
        missing_keys(d);
        return Value::Value(current);
    };
    let deadline = deadline_of(&current.timeouts, Operation::Read);
    match provider
        .client
        .show_app(project, workspace, id, deadline)
        .await
    {
        Ok(app) => Value::Value(state::apply_remote(current, &app)),
        Err(error) if is_gone(&error) => {
            if current.name.is_null() {
                // An import: the ID names an app that is not there.
                root_error(
                    d,
                    "Cannot import: app not found",
                    format!(
                        "The app {id:?} was not found in workspace {workspace:?} \
                         ({error}). Check the app ID, and the workspace \
                         (\"<workspace_id>/<app_id>\"), in the import ID."
                    ),
                );
            } else if current.name.is_value() {
                root_warning(
                    d,
                    "App no longer exists",
                    format!(
                        "The app {id:?} was not found ({error}). It is removed from the \
                         state; the next apply creates a new app if it is still configured."
                    ),
                );
            }
            Value::Null
        }
        Err(error) => {
            client_error(d, "Failed to read app", &error);
            Value::Value(current)
        }
    }
}

async fn delete(d: &mut Diagnostics, provider: &ProviderData, prior: AppState) {
    let Some((project, workspace, id)) = keys(&prior) else {
        return missing_keys(d);
    };
    let deadline = deadline_of(&prior.timeouts, Operation::Delete);
    match provider
        .client
        .delete_app(project, workspace, id, deadline)
        .await
    {
        Ok(()) => tracing::info!(app_id = %id, "app deleted"),
        // 0104 on a write may mean "workspace gone" or only "workspace_id inconsistent";
        // a read settles which, so an app that still exists is never dropped.
        Err(error) if error.is_not_found() || gone_on_reread(provider, &prior, &error).await => {
            tracing::warn!(app_id = %id, "app already deleted");
            root_warning(
                d,
                "App already deleted",
                format!("The app {id:?} no longer exists, so there was nothing to delete."),
            );
        }
        Err(error) => advice::delete_refused(d, id, &error),
    }
}

/// For a failed delete that says the workspace is invalid (400 `ModelArts.0104`): true
/// when a read of the app confirms it is gone.
async fn gone_on_reread(
    provider: &ProviderData,
    prior: &AppState,
    error: &crate::modelarts::ClientError,
) -> bool {
    let Some((project, workspace, id)) = keys(prior).filter(|_| is_gone(error)) else {
        return false;
    };
    let deadline = deadline_of(&prior.timeouts, Operation::Read);
    match provider
        .client
        .show_app(project, workspace, id, deadline)
        .await
    {
        Err(reread) => is_gone(&reread),
        Ok(_) => false,
    }
}

#[async_trait]
impl Resource for AppResource {
    type State<'a> = State;
    type PrivateState<'a> = ValueEmpty;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(state::schema())
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: State) -> Option<()> {
        guarded(diags, "validation of modelarts_app", async {
            let mut d = Diagnostics::default();
            if let Value::Value(config) = &config.0 {
                state::validate(&mut d, config);
            }
            (d, Some(()))
        })
        .await
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        current: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty)> {
        guarded(diags, "read of modelarts_app", async {
            let mut d = Diagnostics::default();
            let (Value::Value(state), Some(provider)) = (&current.0, self.provider.require(&mut d))
            else {
                return (d, Some((current, private)));
            };
            let new_state = read(&mut d, &provider, state.clone()).await;
            (d, Some((Strict(new_state), private)))
        })
        .await
    }

    async fn plan_create<'a>(
        &self,
        diags: &mut Diagnostics,
        proposed: State,
        config: State,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty)> {
        guarded(diags, "plan of modelarts_app", async {
            let mut d = Diagnostics::default();
            let (Value::Value(proposed), Value::Value(config)) = (proposed.0, config.0) else {
                return (d, None);
            };
            state::validate(&mut d, &config);
            let provider = self.provider.get();
            let unknown = Value::Unknown;
            let planned = AppState {
                id: unknown.clone(),
                app_key: unknown.clone(),
                app_secret: unknown.clone(),
                app_type: unknown.clone(),
                created_at: unknown.clone(),
                workspace_id: planned_default(
                    &config.workspace_id,
                    provider.as_ref().map(|p| p.workspace_id.as_str()),
                    unknown.clone(),
                ),
                project_id: planned_default(
                    &config.project_id,
                    provider.as_ref().map(|p| p.project_id.as_str()),
                    unknown,
                ),
                ..proposed
            };
            (d, Some((Strict(Value::Value(planned)), ValueEmpty::Null)))
        })
        .await
    }

    async fn plan_update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: State,
        proposed: State,
        config: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty, Vec<AttributePath>)> {
        guarded(diags, "plan of modelarts_app", async {
            let mut d = Diagnostics::default();
            let (Value::Value(prior), Value::Value(proposed), Value::Value(config)) =
                (prior.0, proposed.0, config.0)
            else {
                return (d, None);
            };
            state::validate(&mut d, &config);
            let provider = self.provider.get();
            let planned = AppState {
                workspace_id: planned_default(
                    &config.workspace_id,
                    provider.as_ref().map(|p| p.workspace_id.as_str()),
                    prior.workspace_id.clone(),
                ),
                project_id: planned_default(
                    &config.project_id,
                    provider.as_ref().map(|p| p.project_id.as_str()),
                    prior.project_id.clone(),
                ),
                ..proposed
            };
            let value = |s: &AppState, name: &str| match name {
                "name" => s.name.clone(),
                "description" => s.description.clone(),
                "workspace_id" => s.workspace_id.clone(),
                _ => s.project_id.clone(),
            };
            let replace = REPLACING
                .into_iter()
                .filter(|name| value(&planned, name) != value(&prior, name))
                .map(AttributePath::new)
                .collect();
            (d, Some((Strict(Value::Value(planned)), private, replace)))
        })
        .await
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
        diags: &mut Diagnostics,
        planned: State,
        _config: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty)> {
        guarded(diags, "create of modelarts_app", async {
            let mut d = Diagnostics::default();
            let (Value::Value(planned), Some(provider)) =
                (planned.0, self.provider.require(&mut d))
            else {
                return (d, None);
            };
            let state = create(&mut d, &provider, planned).await;
            (d, state.map(|s| (Strict(s), private)))
        })
        .await
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
        // Only the timeouts can change in place; they live in the state alone.
        Some((planned, private))
    }

    async fn destroy<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: State,
        _private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<()> {
        guarded(diags, "delete of modelarts_app", async {
            let mut d = Diagnostics::default();
            let (Value::Value(prior), Some(provider)) = (prior.0, self.provider.require(&mut d))
            else {
                return (d, None);
            };
            delete(&mut d, &provider, prior).await;
            (d, Some(()))
        })
        .await
    }

    async fn import<'a>(&self, diags: &mut Diagnostics, id: String) -> Option<(State, ValueEmpty)> {
        guarded(diags, "import of modelarts_app", async {
            let mut d = Diagnostics::default();
            let (workspace_id, app_id) = match state::parse_app_id(&id) {
                Ok(parsed) => parsed,
                Err(why) => {
                    root_error(
                        &mut d,
                        "Invalid import ID",
                        format!(
                            "The import ID {id:?} {why}. Expected \"<app_id>\" (default \
                             workspace) or \"<workspace_id>/<app_id>\"."
                        ),
                    );
                    return (d, None);
                }
            };
            let Some(provider) = self.provider.require(&mut d) else {
                return (d, None);
            };
            let state = AppState {
                id: Value::Value(app_id),
                workspace_id: Value::Value(workspace_id),
                project_id: Value::Value(provider.project_id.clone()),
                timeouts: Value::Value(CreateDeleteTimeouts::default()),
                ..Default::default()
            };
            (d, Some((Strict(Value::Value(state)), ValueEmpty::Null)))
        })
        .await
    }
}
