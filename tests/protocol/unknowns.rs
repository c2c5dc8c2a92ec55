//! Plans over configurations Terraform cannot fully know yet: values that come from
//! resources not created so far arrive as unknown, whole or member by member.

use super::fixture::{self, configured, API, SERVICE};
use crate::support::plugin::value::{self, canonical, is_unknown, Value};
use crate::support::plugin::{assert_no_errors, Provider};

/// Checks one plan of `config` over `prior`: no errors from validation or planning,
/// every configured attribute planned as configured (unknowns included), no
/// replacement for an update. Returns the planned state.
fn assert_plans_as_configured(
    provider: &Provider,
    case: &str,
    prior: &Value,
    config: &Value,
) -> Value {
    assert_no_errors(&provider.validate(config), &format!("validating {case}"));
    let plan = provider.plan(prior, config);
    assert_no_errors(&plan.diagnostics, &format!("planning {case}"));
    for attribute in ["service_id", "api_id", "app_ids"] {
        assert_eq!(
            canonical(value::get(&plan.value, attribute)),
            canonical(value::get(config, attribute)),
            "{case}: the planned {attribute} must equal the configured one, or Terraform \
             reports an invalid plan"
        );
    }
    if !prior.is_nil() {
        assert!(
            plan.requires_replace.is_empty(),
            "{case}: replaces {:?}",
            plan.requires_replace
        );
    }
    plan.value
}

/// A creation whose app_ids, service_id or api_id are unknown, wholly or in part,
/// validates and plans without error and keeps the unknowns where they were.
#[test]
fn create_plans_pass_unknown_values_through() {
    let (_emulator, provider) = configured();
    let known_apps = value::strings(&["app-a"]);
    let cases = [
        ("wholly unknown app_ids", "app_ids", value::unknown()),
        (
            "app_ids with an unknown member",
            "app_ids",
            value::set([value::unknown(), value::string("app-a")]),
        ),
        (
            "app_ids with two unknown members (two apps made in the same run)",
            "app_ids",
            value::set([value::unknown(), value::unknown()]),
        ),
        (
            "refined unknown app_ids (Terraform 1.6+)",
            "app_ids",
            value::refined_unknown(),
        ),
        (
            "app_ids with a refined unknown member",
            "app_ids",
            value::set([value::refined_unknown(), value::string("app-b")]),
        ),
        ("unknown service_id", "service_id", value::unknown()),
        ("unknown api_id", "api_id", value::unknown()),
    ];
    for (case, attribute, unknown) in cases {
        let config = value::with(
            &fixture::config_with_apps(&provider, known_apps.clone()),
            attribute,
            unknown,
        );
        let planned = assert_plans_as_configured(&provider, case, &Value::Nil, &config);
        assert!(
            is_unknown(value::get(&planned, "id")),
            "{case}: id before create"
        );
    }
}

/// Changing app_ids to values not known yet plans an in-place update that keeps them
/// unknown, never a replacement.
#[test]
fn update_plans_with_unknown_app_ids_stay_in_place() {
    let (_emulator, provider) = configured();
    let prior = fixture::prior_state(&provider, &["app-a", "app-b"]);
    let cases = [
        ("wholly unknown app_ids", value::unknown()),
        (
            "a known member kept and an unknown one added",
            value::set([value::string("app-a"), value::unknown()]),
        ),
        ("refined unknown app_ids", value::refined_unknown()),
    ];
    for (case, app_ids) in cases {
        let config = fixture::config_with_apps(&provider, app_ids);
        let planned = assert_plans_as_configured(&provider, case, &prior, &config);
        assert_eq!(
            value::get(&planned, "id"),
            &value::string(&format!("{SERVICE}/{API}")),
            "{case}: the id of an update is known"
        );
    }
}
