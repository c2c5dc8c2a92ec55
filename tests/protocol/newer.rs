//! What Terraform and OpenTofu newer than the provider's protocol 6.5 send: client
//! capabilities, resource identities, fields and calls from later versions.

use tonic::Code;

use super::fixture::{self, configured, API, SERVICE};
use crate::support::emulator::{TEST_PROJECT, TEST_TOKEN};
use crate::support::plugin::tfplugin6::*;
use crate::support::plugin::unreleased;
use crate::support::plugin::value::{self, canonical, dynamic, Value};
use crate::support::plugin::{assert_no_errors, planned, status_text, Provider, APP_AUTH_API};

/// Everything Terraform 1.12 announces about itself.
fn capabilities() -> Option<ClientCapabilities> {
    Some(ClientCapabilities {
        deferral_allowed: true,
        write_only_attributes_allowed: true,
    })
}

/// An identity object, as newer Terraform sends for resources that declare none.
fn identity() -> Option<ResourceIdentityData> {
    let data = value::object([("id", value::string(&format!("{SERVICE}/{API}")))]);
    Some(ResourceIdentityData {
        identity_data: Some(dynamic(&data)),
    })
}

/// Configure, validate, plan, apply, read and import all succeed when the requests
/// carry client capabilities (deferral allowed) and resource identities, and a
/// provider that cannot defer never answers with a deferral.
#[test]
fn requests_with_client_capabilities_and_identities_are_served() {
    let emulator = fixture::seeded();
    let provider = Provider::start();
    let provider_config = provider.provider_config(&[
        ("endpoint", value::string(&emulator.url)),
        ("token", value::string(TEST_TOKEN)),
        ("project_id", value::string(TEST_PROJECT)),
    ]);
    let configured = provider.configure_provider(configure_provider::Request {
        terraform_version: "1.12.0".to_string(),
        config: Some(dynamic(&provider_config)),
        client_capabilities: capabilities(),
    });
    assert_no_errors(
        &configured.map_err(|s| status_text(&s)).unwrap().diagnostics,
        "configure",
    );

    let config = fixture::config_with_apps(&provider, value::strings(&["app-a", "app-b"]));
    let validated = provider.validate_resource_config(validate_resource_config::Request {
        type_name: APP_AUTH_API.to_string(),
        config: Some(dynamic(&config)),
        client_capabilities: capabilities(),
    });
    assert_no_errors(
        &validated.expect("ValidateResourceConfig").diagnostics,
        "validate",
    );

    let mut request = provider.plan_request(&Value::Nil, &config);
    request.client_capabilities = capabilities();
    request.prior_identity = identity();
    let response = provider
        .plan_resource_change(request)
        .expect("PlanResourceChange");
    assert!(
        response.deferred.is_none(),
        "deferred: {:?}",
        response.deferred
    );
    let plan = planned(response);
    assert_no_errors(&plan.diagnostics, "plan");

    let mut request = provider.apply_request(&Value::Nil, &plan, &config);
    request.planned_identity = identity();
    let applied = provider
        .apply_resource_change(request)
        .expect("ApplyResourceChange");
    assert_no_errors(&applied.diagnostics, "apply");
    let state = value::decode(applied.new_state.as_ref());
    assert_eq!(
        emulator.authorized_apps(SERVICE, API, "0"),
        ["app-a", "app-b"].map(String::from).into(),
        "the apply reached the service"
    );

    let read = provider.read_resource(read_resource::Request {
        type_name: APP_AUTH_API.to_string(),
        current_state: Some(dynamic(&state)),
        private: applied.private,
        provider_meta: Some(dynamic(&Value::Nil)),
        client_capabilities: capabilities(),
        current_identity: identity(),
    });
    let read = read.expect("ReadResource");
    assert_no_errors(&read.diagnostics, "read");
    assert!(read.deferred.is_none(), "deferred: {:?}", read.deferred);
    assert_eq!(
        canonical(&value::decode(read.new_state.as_ref())),
        canonical(&state)
    );

    let imported = provider.import_resource_state(import_resource_state::Request {
        type_name: APP_AUTH_API.to_string(),
        id: format!("{SERVICE}/{API}"),
        client_capabilities: capabilities(),
        identity: identity(),
    });
    let imported = imported.expect("ImportResourceState");
    assert_no_errors(&imported.diagnostics, "import");
    assert!(
        imported.deferred.is_none(),
        "deferred: {:?}",
        imported.deferred
    );
    assert_eq!(imported.imported_resources.len(), 1);
}

/// A plan request with fields numbered past any released protocol is answered exactly
/// like the same request without them.
#[test]
fn fields_from_an_unreleased_protocol_are_ignored() {
    let (_emulator, provider) = configured();
    let config = fixture::config_with_apps(&provider, value::strings(&["app-a"]));
    let released = provider.plan_request(&Value::Nil, &config);
    let expected = provider.plan(&Value::Nil, &config);

    let future = unreleased::PlanResourceChangeRequest {
        type_name: released.type_name,
        prior_state: released.prior_state,
        proposed_new_state: released.proposed_new_state,
        config: released.config,
        prior_private: released.prior_private,
        provider_meta: released.provider_meta,
        client_capabilities: capabilities(),
        prior_identity: identity(),
        unreleased_text: "from a later protocol".to_string(),
        unreleased_numbers: vec![1, -2, i64::MAX],
        unreleased_capabilities: Some(unreleased::UnreleasedCapabilities {
            deferral_allowed: true,
            write_only_attributes_allowed: true,
            unreleased_capability: true,
        }),
        unreleased_bytes: vec![0xc1; 64],
    };
    let path = "/tfplugin6.Provider/PlanResourceChange";
    let response: plan_resource_change::Response = provider
        .call_raw(path, future)
        .unwrap_or_else(|status| panic!("the plan failed: {}", status_text(&status)));
    let plan = planned(response);
    assert_no_errors(&plan.diagnostics, "planning with unreleased fields");
    assert_eq!(canonical(&plan.value), canonical(&expected.value));
}

/// Calls added after protocol 6.5 answer "unimplemented", which newer Terraform
/// treats as "not supported", and the provider keeps serving.
#[test]
fn calls_newer_than_the_provider_answer_unimplemented() {
    let (_emulator, mut provider) = configured();
    let newer_calls = [
        "/tfplugin6.Provider/GetResourceIdentitySchemas",
        "/tfplugin6.Provider/ValidateEphemeralResourceConfig",
        "/tfplugin6.Provider/GenerateResourceConfig",
        "/tfplugin6.Provider/ValidateListResourceConfig",
    ];
    for path in newer_calls {
        let answer: Result<unreleased::Empty, _> = provider.call_raw(path, unreleased::Empty {});
        let status = answer.expect_err(path);
        assert_eq!(
            status.code(),
            Code::Unimplemented,
            "{path}: {}",
            status_text(&status)
        );
    }
    assert!(provider.process().is_running());
    provider
        .get_provider_schema(get_provider_schema::Request {})
        .expect("still serving");
}
