//! `modelarts_apps`: the caller's apps, filtered by exact name or by regular expression.
//! Secrets never appear here; use the `modelarts_app` resource for an app's secret.

use std::collections::HashMap;

use async_trait::async_trait;
use regex::Regex;
use serde::{Deserialize, Serialize};
use tf_provider::schema::{AttributeConstraint, AttributeType, Block, Description, Schema};
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{AttributePath, DataSource, Diagnostics};

use super::{read_deadline, scope};
use crate::diagnostics::{attribute_error, client_error};
use crate::modelarts::App;
use crate::provider::shared::SharedProvider;
use crate::resources::app::state::{app_name_problem, format_millis};
use crate::resources::guard::guarded;
use crate::resources::{attribute, check_identifier};

/// One app as the data source lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSummary {
    /// App ID.
    pub id: Value<String>,
    /// App name.
    pub name: Value<String>,
    /// Description, null when none.
    pub description: Value<String>,
    /// App key.
    pub app_key: Value<String>,
    /// App type.
    pub app_type: Value<String>,
    /// Creation time, RFC 3339 UTC.
    pub created_at: Value<String>,
}

impl From<&App> for AppSummary {
    fn from(app: &App) -> Self {
        AppSummary {
            id: Value::Value(app.app_id.clone()),
            name: Value::Value(app.app_name.clone()),
            description: app.app_remark.clone().filter(|r| !r.is_empty()).into(),
            app_key: Value::Value(app.app_key.clone()),
            app_type: Value::Value(app.app_type.clone()),
            created_at: Value::Value(format_millis(app.created_at)),
        }
    }
}

/// The data source's configuration and result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppsState {
    /// Exact name filter.
    pub name: Value<String>,
    /// Regular expression filter on the name.
    pub name_regex: Value<String>,
    /// Workspace.
    pub workspace_id: Value<String>,
    /// Project.
    pub project_id: Value<String>,
    /// The apps found.
    pub apps: Value<Vec<AppSummary>>,
}

/// Keeps the apps whose name equals `name` and matches `pattern`, when given.
pub fn filter_apps<'a>(
    apps: &'a [App],
    name: Option<&str>,
    pattern: Option<&Regex>,
) -> Vec<&'a App> {
    apps.iter()
        .filter(|app| name.is_none_or(|n| app.app_name == n))
        .filter(|app| pattern.is_none_or(|p| p.is_match(&app.app_name)))
        .collect()
}

fn compile(diags: &mut Diagnostics, pattern: &Value<String>) -> Option<Option<Regex>> {
    match pattern {
        Value::Value(text) => match Regex::new(text) {
            Ok(regex) => Some(Some(regex)),
            Err(error) => {
                attribute_error(
                    diags,
                    AttributePath::new("name_regex"),
                    "Invalid regular expression",
                    format!("name_regex {text:?} is not a valid regular expression: {error}"),
                );
                None
            }
        },
        _ => Some(None),
    }
}

/// The data source, holding the slot `configure` fills.
#[derive(Debug, Clone)]
pub struct AppsDataSource {
    provider: SharedProvider,
}

impl AppsDataSource {
    /// A data source served by the provider behind `provider`.
    pub fn new(provider: SharedProvider) -> Self {
        AppsDataSource { provider }
    }
}

fn validate(diags: &mut Diagnostics, config: &AppsState) {
    compile(diags, &config.name_regex);
    if let Value::Value(name) = &config.name {
        // The filter is exact, so a name no app can have would silently list nothing.
        if let Some(why) = app_name_problem(name) {
            attribute_error(
                diags,
                AttributePath::new("name"),
                "Invalid app name",
                format!(
                    "name {why}, so no app can match it. Omit name to list every app, \
                     or set an app's exact name."
                ),
            );
        }
    }
    check_identifier(
        diags,
        AttributePath::new("workspace_id"),
        "workspace ID",
        &config.workspace_id,
    );
    check_identifier(
        diags,
        AttributePath::new("project_id"),
        "project ID",
        &config.project_id,
    );
}

#[async_trait]
impl DataSource for AppsDataSource {
    type State<'a> = AppsState;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        use AttributeConstraint::{Computed, Optional, OptionalComputed};
        use AttributeType::String;
        let app_object: HashMap<std::string::String, AttributeType> = [
            "id",
            "name",
            "description",
            "app_key",
            "app_type",
            "created_at",
        ]
        .into_iter()
        .map(|name| (name.to_string(), String))
        .collect();
        let attributes = [
            (
                "name",
                attribute(
                    String,
                    Optional,
                    "Only the app with exactly this name: 1 to 64 characters, not only \
                     whitespace. Omit it to list every app.",
                ),
            ),
            (
                "name_regex",
                attribute(
                    String,
                    Optional,
                    "Only apps whose name matches this \
              regular expression (Rust `regex` syntax; unanchored unless `^...$`).",
                ),
            ),
            (
                "workspace_id",
                attribute(
                    String,
                    OptionalComputed,
                    "Workspace to list. \
              Default: the provider's `workspace_id`.",
                ),
            ),
            (
                "project_id",
                attribute(
                    String,
                    OptionalComputed,
                    "Project to list. Default: \
              the provider's `project_id`.",
                ),
            ),
            (
                "apps",
                attribute(
                    AttributeType::List(Box::new(AttributeType::Object(app_object))),
                    Computed,
                    "The apps found, each with `id`, `name`, `description`, `app_key`, \
              `app_type` and `created_at` (RFC 3339). App secrets are not listed.",
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
                    "Lists the caller's ModelArts apps, optionally filtered by name.",
                ),
                ..Default::default()
            },
        })
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: AppsState) -> Option<()> {
        guarded(diags, "validation of modelarts_apps", async {
            let mut d = Diagnostics::default();
            validate(&mut d, &config);
            (d, Some(()))
        })
        .await
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        config: AppsState,
        _meta: ValueEmpty,
    ) -> Option<AppsState> {
        guarded(diags, "read of modelarts_apps", async {
            let mut d = Diagnostics::default();
            let Some(provider) = self.provider.require(&mut d) else {
                return (d, None);
            };
            let Some(pattern) = compile(&mut d, &config.name_regex) else {
                return (d, None);
            };
            let (project_id, workspace_id) =
                scope(&provider, &config.project_id, &config.workspace_id);
            let name = config.name.as_ref_option().map(String::as_str);
            let listed = provider
                .client
                .list_apps(&project_id, &workspace_id, name, read_deadline())
                .await;
            let apps = match listed {
                Ok(apps) => apps,
                Err(error) => {
                    client_error(&mut d, "Failed to list apps", &error);
                    return (d, None);
                }
            };
            let found: Vec<AppSummary> = filter_apps(&apps, name, pattern.as_ref())
                .into_iter()
                .map(AppSummary::from)
                .collect();
            let state = AppsState {
                project_id: Value::Value(project_id),
                workspace_id: Value::Value(workspace_id),
                apps: Value::Value(found),
                ..config
            };
            (d, Some(state))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modelarts::Secret;

    fn app(name: &str) -> App {
        App {
            app_id: format!("id-{name}"),
            app_name: name.to_string(),
            app_remark: None,
            app_key: "k".into(),
            app_secret: Secret::new("s".into()),
            app_type: "APIG".into(),
            created_at: 0,
            updated_at: None,
            app_codes: vec![],
        }
    }

    /// Exact names match whole names only; regexes match as written.
    #[test]
    fn filters_keep_only_matching_names() {
        let apps = [app("billing"), app("billing-eu"), app("search")];
        let regex = |p: &str| Regex::new(p).unwrap();
        let cases = [
            (
                "no filter",
                None,
                None,
                vec!["billing", "billing-eu", "search"],
            ),
            ("exact", Some("billing"), None, vec!["billing"]),
            ("exact none", Some("bill"), None, vec![]),
            (
                "regex",
                None,
                Some(regex("^billing")),
                vec!["billing", "billing-eu"],
            ),
            ("anchored", None, Some(regex("^billing$")), vec!["billing"]),
            (
                "both",
                Some("billing-eu"),
                Some(regex("eu")),
                vec!["billing-eu"],
            ),
        ];
        for (name, exact, pattern, expected) in cases {
            let names: Vec<&str> = filter_apps(&apps, exact, pattern.as_ref())
                .iter()
                .map(|a| a.app_name.as_str())
                .collect();
            assert_eq!(names, expected, "{name}");
        }
    }
}
