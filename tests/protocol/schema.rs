//! The schemas the provider announces, and which changes force replacement.

use serde_json::json;

use super::fixture::{self, configured};
use crate::support::plugin::schema::{self, nested_block, Block};
use crate::support::plugin::tfplugin6::schema::nested_block::NestingMode;
use crate::support::plugin::value::{self, Value};
use crate::support::plugin::{assert_no_errors, describe, Provider, APP_AUTH_API};

/// What an attribute must be: its type and flags.
struct Expected {
    name: &'static str,
    type_json: serde_json::Value,
    required: bool,
    optional: bool,
    /// `None` where either answer is valid, with the plan checked for consistency.
    computed: Option<bool>,
    sensitive: bool,
}

fn expect(name: &'static str, type_json: serde_json::Value, flags: &str) -> Expected {
    Expected {
        name,
        type_json,
        required: flags.contains("required"),
        optional: flags.contains("optional"),
        computed: if flags.contains("computed?") {
            None
        } else {
            Some(flags.contains("computed"))
        },
        sensitive: flags.contains("sensitive"),
    }
}

fn assert_attributes(block: &Block, expected: &[Expected], what: &str) {
    let mut announced: Vec<&str> = block.attributes.iter().map(|a| a.name.as_str()).collect();
    let mut wanted: Vec<&str> = expected.iter().map(|e| e.name).collect();
    announced.sort_unstable();
    wanted.sort_unstable();
    assert_eq!(announced, wanted, "the {what} attributes");

    for case in expected {
        let attribute = schema::attribute(block, case.name);
        let flags = (
            attribute.required,
            attribute.optional,
            attribute.sensitive,
            schema::type_of(attribute),
        );
        let wanted = (
            case.required,
            case.optional,
            case.sensitive,
            case.type_json.clone(),
        );
        assert_eq!(
            flags, wanted,
            "{what} attribute `{}`: (required, optional, sensitive, type)",
            case.name
        );
        if let Some(computed) = case.computed {
            assert_eq!(
                attribute.computed, computed,
                "{what} `{}` computed",
                case.name
            );
        }
        assert!(
            !attribute.write_only,
            "{what} `{}` is write-only",
            case.name
        );
    }
}

/// The provider block offers exactly the documented settings, optional, with the three
/// credentials marked sensitive.
#[test]
fn provider_schema_flags_match_the_configuration_contract() {
    let provider = Provider::start();
    let expected = [
        expect("region", json!("string"), "optional"),
        expect("project_id", json!("string"), "optional"),
        expect("access_key", json!("string"), "optional"),
        expect("secret_key", json!("string"), "optional sensitive"),
        expect("security_token", json!("string"), "optional sensitive"),
        expect("token", json!("string"), "optional sensitive"),
        expect("endpoint", json!("string"), "optional"),
        expect("cloud", json!("string"), "optional"),
        expect("insecure", json!("bool"), "optional"),
        expect("max_retries", json!("number"), "optional"),
        expect("max_apps_per_call", json!("number"), "optional"),
        expect("read_lag_seconds", json!("number"), "optional"),
        expect("workspace_id", json!("string"), "optional"),
    ];
    assert_attributes(provider.provider_block(), &expected, "provider");
}

/// The resource's attributes have the documented types and required, optional,
/// computed and sensitive flags, and a timeouts block with four durations.
#[test]
fn resource_schema_flags_match_the_resource_contract() {
    let provider = Provider::start();
    let block = provider.resource_block(APP_AUTH_API);
    let expected = [
        expect("service_id", json!("string"), "required"),
        expect("api_id", json!("string"), "required"),
        expect("app_ids", json!(["set", "string"]), "required"),
        expect("workspace_id", json!("string"), "optional computed"),
        expect("project_id", json!("string"), "optional computed"),
        expect("exclusive", json!("bool"), "optional computed?"),
        expect("id", json!("string"), "computed"),
    ];
    assert_attributes(block, &expected, "resource");

    let timeouts = nested_block(block, "timeouts").expect("a `timeouts` block");
    // All three read `timeouts { create = "30s" }` in HCL, and allow leaving it out.
    let one_block = match timeouts.nesting() {
        NestingMode::Single | NestingMode::Group => true,
        NestingMode::List => timeouts.max_items == 1,
        _ => false,
    };
    assert!(one_block, "timeouts nests as {:?}", timeouts.nesting());
    let inner = timeouts.block.as_ref().expect("the timeouts block schema");
    let durations: Vec<Expected> = ["create", "read", "update", "delete"]
        .into_iter()
        .map(|name| expect(name, json!("string"), "optional"))
        .collect();
    assert_attributes(inner, &durations, "timeouts");
}

/// Every attribute of the provider and the resource carries a description for the docs.
#[test]
fn every_schema_attribute_is_described() {
    let provider = Provider::start();
    let resource = provider.resource_block(APP_AUTH_API);
    let timeouts = nested_block(resource, "timeouts").and_then(|t| t.block.as_ref());
    let blocks = [Some(provider.provider_block()), Some(resource), timeouts];
    for block in blocks.into_iter().flatten() {
        for attribute in &block.attributes {
            assert!(
                attribute.description.trim().len() > 10,
                "`{}` has no real description: {:?}",
                attribute.name,
                attribute.description
            );
        }
    }
}

/// Leaving `exclusive` out plans a value its schema flags allow: `false` when computed,
/// null when not (Terraform rejects anything else for a non-computed attribute).
#[test]
fn an_unset_exclusive_plans_consistently_with_its_flags() {
    let (_emulator, provider) = configured();
    let config = fixture::config_with_apps(&provider, value::strings(&["app-a"]));
    let plan = provider.plan(&Value::Nil, &config);
    assert_no_errors(&plan.diagnostics, "planning the creation");

    let block = provider.resource_block(APP_AUTH_API);
    let planned = value::get(&plan.value, "exclusive");
    if schema::attribute(block, "exclusive").computed {
        assert_eq!(planned, &value::boolean(false), "the documented default");
    } else {
        assert_eq!(
            planned,
            &Value::Nil,
            "a non-computed attribute keeps its config"
        );
    }
}

/// Changing service_id, api_id, workspace_id or project_id plans a replacement naming
/// that attribute.
#[test]
fn changing_an_identifying_attribute_forces_replacement() {
    let (_emulator, provider) = configured();
    let prior = fixture::prior_state(&provider, &["app-a"]);
    let cases = [
        ("service_id", "svc-2"),
        ("api_id", "api-2"),
        ("workspace_id", "ws-2"),
        ("project_id", "another-project"),
    ];
    for (attribute, changed) in cases {
        let config = value::with(
            &fixture::config_with_apps(&provider, value::strings(&["app-a"])),
            attribute,
            value::string(changed),
        );
        let plan = provider.plan(&prior, &config);
        assert_no_errors(&plan.diagnostics, &format!("planning a new {attribute}"));
        assert_eq!(
            plan.requires_replace,
            vec![attribute.to_string()],
            "changing {attribute}; diagnostics:\n{}",
            describe(&plan.diagnostics)
        );
    }
}

/// Changing app_ids or exclusive updates in place: no attribute forces replacement.
#[test]
fn changing_app_ids_or_exclusive_updates_in_place() {
    let (_emulator, provider) = configured();
    let prior = fixture::prior_state(&provider, &["app-a"]);
    let base = fixture::config_with_apps(&provider, value::strings(&["app-a"]));
    let cases = [
        ("app_ids", value::strings(&["app-a", "app-b"])),
        ("app_ids", value::strings(&["app-c"])),
        ("exclusive", value::boolean(true)),
    ];
    for (attribute, changed) in cases {
        let config = value::with(&base, attribute, changed.clone());
        let plan = provider.plan(&prior, &config);
        assert_no_errors(
            &plan.diagnostics,
            &format!("planning {attribute} = {changed}"),
        );
        assert!(
            plan.requires_replace.is_empty(),
            "{attribute} = {changed} forces replacement of {:?}",
            plan.requires_replace
        );
        let planned = value::canonical(value::get(&plan.value, attribute));
        assert_eq!(
            planned,
            value::canonical(&changed),
            "the planned {attribute}"
        );
    }
}
