//! Small builders for the configurations the end-to-end tests write.

/// Declares where the `modelarts` provider comes from; every `main.tf` starts with it.
pub const REQUIRED_PROVIDERS: &str = r#"terraform {
  required_providers {
    modelarts = {
      source = "modelarts/modelarts"
    }
  }
}
"#;

/// A `modelarts_app_auth_api` block named `name` with the given keys and apps.
pub fn auth_api(name: &str, service_id: &str, api_id: &str, app_ids: &[&str]) -> String {
    auth_api_with(name, service_id, api_id, app_ids, "")
}

/// Like [`auth_api`], with extra lines (arguments or blocks) inside the block.
pub fn auth_api_with(
    name: &str,
    service_id: &str,
    api_id: &str,
    app_ids: &[&str],
    extra: &str,
) -> String {
    format!(
        "resource \"modelarts_app_auth_api\" \"{name}\" {{\n  service_id = \"{service_id}\"\n  \
         api_id     = \"{api_id}\"\n  app_ids    = {}\n{extra}}}\n",
        string_list(app_ids)
    )
}

/// Like [`auth_api`], in the workspace `workspace_id` rather than the provider's.
pub fn auth_api_in(
    workspace_id: &str,
    name: &str,
    service_id: &str,
    api_id: &str,
    app_ids: &[&str],
) -> String {
    let workspace = format!("  workspace_id = {workspace_id:?}\n");
    auth_api_with(name, service_id, api_id, app_ids, &workspace)
}

/// An HCL list of string literals.
pub fn string_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

/// A `provider "modelarts"` block with the given argument lines.
pub fn provider(arguments: &[(&str, &str)]) -> String {
    let mut block = String::from("provider \"modelarts\" {\n");
    for (name, value) in arguments {
        block.push_str(&format!("  {name} = {value}\n"));
    }
    block.push_str("}\n");
    block
}

/// An HCL string literal.
pub fn quoted(value: &str) -> String {
    format!("{value:?}")
}

/// A provider block allowing one retry, so that fault tests fail fast.
pub fn provider_with_few_retries() -> String {
    provider(&[("max_retries", "1")])
}
