//! Dynamic values no Terraform would send: malformed msgpack and values of the wrong
//! type. Each must come back as a diagnostic; the provider must not crash.

use super::fixture::{self, configured};
use crate::support::plugin::tfplugin6::*;
use crate::support::plugin::value::{self, dynamic, raw_msgpack, Value};
use crate::support::plugin::APP_AUTH_API;
use crate::support::plugin::{describe, errors, no_provider_meta, status_text, Provider};

/// Sends `bad` in every place a call takes a dynamic value (the provider configuration
/// too when `not_an_object`); returns every way the provider fell short: a call that
/// failed or accepted it, an exit, a panic, no answer afterwards.
fn shortcomings(
    provider: &mut Provider,
    case: &str,
    bad: &DynamicValue,
    not_an_object: bool,
) -> Vec<String> {
    let good_config = fixture::config_with_apps(provider, value::strings(&["app-a"]));
    let good = dynamic(&good_config);
    let resource = || APP_AUTH_API.to_string();
    let mut calls: Vec<(&str, Result<Vec<Diagnostic>, tonic::Status>)> = vec![
        (
            "ValidateResourceConfig",
            provider
                .validate_resource_config(validate_resource_config::Request {
                    type_name: resource(),
                    config: Some(bad.clone()),
                    client_capabilities: None,
                })
                .map(|r| r.diagnostics),
        ),
        (
            "PlanResourceChange (config)",
            provider
                .plan_resource_change(plan_resource_change::Request {
                    type_name: resource(),
                    prior_state: Some(dynamic(&Value::Nil)),
                    proposed_new_state: Some(bad.clone()),
                    config: Some(bad.clone()),
                    provider_meta: no_provider_meta(),
                    ..Default::default()
                })
                .map(|r| r.diagnostics),
        ),
        (
            "PlanResourceChange (prior state)",
            provider
                .plan_resource_change(plan_resource_change::Request {
                    type_name: resource(),
                    prior_state: Some(bad.clone()),
                    proposed_new_state: Some(good.clone()),
                    config: Some(good.clone()),
                    provider_meta: no_provider_meta(),
                    ..Default::default()
                })
                .map(|r| r.diagnostics),
        ),
        (
            "ApplyResourceChange",
            provider
                .apply_resource_change(apply_resource_change::Request {
                    type_name: resource(),
                    prior_state: Some(dynamic(&Value::Nil)),
                    planned_state: Some(bad.clone()),
                    config: Some(bad.clone()),
                    provider_meta: no_provider_meta(),
                    ..Default::default()
                })
                .map(|r| r.diagnostics),
        ),
        (
            "ReadResource",
            provider
                .read_resource(read_resource::Request {
                    type_name: resource(),
                    current_state: Some(bad.clone()),
                    provider_meta: no_provider_meta(),
                    ..Default::default()
                })
                .map(|r| r.diagnostics),
        ),
    ];
    // A resource-shaped object is not wrong for the provider block, only foreign to it.
    if not_an_object {
        let request = validate_provider_config::Request {
            config: Some(bad.clone()),
        };
        let answer = provider.validate_provider_config(request);
        calls.push(("ValidateProviderConfig", answer.map(|r| r.diagnostics)));
    }
    let mut problems = Vec::new();
    for (call, answer) in calls {
        match answer {
            Err(status) => {
                problems.push(format!("{case}: {call} failed: {}", status_text(&status)))
            }
            Ok(diagnostics) if errors(&diagnostics).is_empty() => problems.push(format!(
                "{case}: {call} accepted it [{}]",
                describe(&diagnostics)
            )),
            Ok(_) => {}
        }
    }
    if !provider.process().is_running() {
        problems.push(format!(
            "{case}: the provider exited; stderr:\n{}",
            provider.stderr()
        ));
        return problems;
    }
    let schema = provider.get_provider_schema(get_provider_schema::Request {});
    if let Err(status) = schema {
        problems.push(format!(
            "{case}: no longer serving: {}",
            status_text(&status)
        ));
    }
    if provider.stderr().contains("panicked") {
        problems.push(format!("{case}: a panic: {}", provider.stderr()));
    }
    problems
}

/// Bytes that are not a well-formed value get an error diagnostic from every call.
#[test]
fn malformed_dynamic_values_get_a_diagnostic_and_the_provider_keeps_serving() {
    let (_emulator, mut provider) = configured();
    let valid = dynamic(&fixture::config_with_apps(
        &provider,
        value::strings(&["app-a"]),
    ));
    let mut deeply_nested = vec![0x91; 100_000];
    deeply_nested.push(0xc0);
    let cases = [
        ("a reserved msgpack byte", raw_msgpack(&[0xc1])),
        (
            "a truncated object",
            raw_msgpack(&valid.msgpack[..valid.msgpack.len() / 2]),
        ),
        ("a string cut short", raw_msgpack(&[0xa5, b'a', b'b'])),
        (
            "an array claiming 4 billion members",
            raw_msgpack(&[0xdd, 0xff, 0xff, 0xff, 0xff]),
        ),
        ("a value nested 100000 deep", raw_msgpack(&deeply_nested)),
        (
            "JSON that is not JSON",
            DynamicValue {
                msgpack: Vec::new(),
                json: b"{\"service_id\": ".to_vec(),
            },
        ),
    ];
    let mut problems = Vec::new();
    for (case, bad) in cases {
        problems.extend(shortcomings(&mut provider, case, &bad, true));
        if !provider.process().is_running() {
            break;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Well-formed values of the wrong type get an error diagnostic from every call.
#[test]
fn wrongly_typed_dynamic_values_get_a_diagnostic_and_the_provider_keeps_serving() {
    let (_emulator, mut provider) = configured();
    let config = fixture::config_with_apps(&provider, value::strings(&["app-a"]));
    let cases = [
        ("a string instead of an object", value::string("modelarts")),
        ("a list instead of an object", value::strings(&["a", "b"])),
        (
            "a number for service_id",
            value::with(&config, "service_id", value::number(42)),
        ),
        (
            "a string for app_ids",
            value::with(&config, "app_ids", value::string("app-a")),
        ),
        (
            "a bool inside app_ids",
            value::with(&config, "app_ids", value::set([true.into()])),
        ),
        (
            "an object for api_id",
            value::with(&config, "api_id", config.clone()),
        ),
        (
            "a number for exclusive",
            value::with(&config, "exclusive", value::number(1)),
        ),
        (
            "an attribute name that is not a string",
            Value::Map(vec![(value::number(1), value::string("svc-1"))]),
        ),
    ];
    let mut problems = Vec::new();
    for (case, bad) in cases {
        let not_an_object = !matches!(&bad, Value::Map(pairs) if pairs[0].0.is_str());
        let bad = dynamic(&bad);
        problems.extend(shortcomings(&mut provider, case, &bad, not_an_object));
        if !provider.process().is_running() {
            break;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
