//! A resource's life over the protocol: create, read, import, upgrade, and many plans at
//! once, checked against what the emulator holds.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use futures::future::join_all;

use super::fixture::{self, configured, API, SERVICE};
use crate::support::emulator::TEST_PROJECT;
use crate::support::plugin::tfplugin6::diagnostic::Severity;
use crate::support::plugin::value::{self, canonical, Value};
use crate::support::plugin::{assert_no_errors, describe, planned, status_text};

fn apps(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

/// A creation authorizes the apps, and read, import and a same-version upgrade all
/// return the state the apply recorded.
#[test]
fn apply_read_import_and_upgrade_agree_on_the_state() {
    let (emulator, provider) = configured();
    let config = fixture::config_with_apps(&provider, value::strings(&["app-a", "app-b"]));

    let applied = provider.create(&config);
    let state = &applied.value;
    assert_eq!(
        emulator.authorized_apps(SERVICE, API, "0"),
        apps(&["app-a", "app-b"])
    );
    let expected = [
        ("id", value::string(&format!("{SERVICE}/{API}"))),
        ("service_id", value::string(SERVICE)),
        ("api_id", value::string(API)),
        ("workspace_id", value::string("0")),
        ("project_id", value::string(TEST_PROJECT)),
        ("exclusive", value::boolean(false)),
        ("app_ids", value::strings(&["app-a", "app-b"])),
    ];
    for (attribute, wanted) in &expected {
        let recorded = value::get(state, attribute);
        assert_eq!(
            canonical(recorded),
            canonical(wanted),
            "applied {attribute}"
        );
    }

    let read = provider.read(state, &applied.private);
    assert_no_errors(&read.diagnostics, "reading the created resource");
    assert_eq!(
        canonical(&read.value),
        canonical(state),
        "read after create"
    );

    let (imported, diagnostics) = provider.import(&format!("{SERVICE}/{API}"));
    assert_no_errors(&diagnostics, "importing");
    assert_eq!(imported.len(), 1, "one resource per import ID");
    // Terraform reads an imported resource before it stores it.
    let refreshed = provider.read(&imported[0].value, &imported[0].private);
    assert_no_errors(&refreshed.diagnostics, "reading the imported resource");
    for (attribute, wanted) in &expected {
        let recorded = value::get(&refreshed.value, attribute);
        assert_eq!(
            canonical(recorded),
            canonical(wanted),
            "imported {attribute}"
        );
    }

    let version = provider
        .resource_schema(crate::support::plugin::APP_AUTH_API)
        .version;
    let upgraded = provider.upgrade(version, &value::to_json(state));
    assert_no_errors(&upgraded.diagnostics, "upgrading the state");
    assert_eq!(
        canonical(&upgraded.value),
        canonical(state),
        "state after upgrade"
    );
}

/// Reading a resource whose service was deleted behind Terraform's back answers a
/// null state (Terraform then drops it) with a warning, not an error.
#[test]
fn read_removes_a_resource_whose_service_was_deleted_outside_terraform() {
    let (emulator, provider) = configured();
    let config = fixture::config_with_apps(&provider, value::strings(&["app-a"]));
    let applied = provider.create(&config);

    let mut world = emulator.state();
    let project = &mut world["projects"][TEST_PROJECT];
    project["services"] = serde_json::json!([]);
    project["authorizations"] = serde_json::json!([]);
    emulator.put_state(&world);

    let read = provider.read(&applied.value, &applied.private);
    assert_no_errors(&read.diagnostics, "reading a deleted resource");
    assert!(read.value.is_nil(), "the read still reports {}", read.value);
    let warned = read
        .diagnostics
        .iter()
        .any(|d| d.severity() == Severity::Warning);
    assert!(warned, "no warning says why the resource left the state");
}

/// Fifty plans sent at once on one connection are all answered, each with its own
/// apps, well within the time Terraform's parallelism would allow.
#[test]
fn fifty_concurrent_plans_are_all_answered_correctly() {
    let (_emulator, provider) = configured();
    let requests: Vec<(BTreeSet<String>, _)> = (0..50)
        .map(|n| {
            let own = [format!("app-{n}"), format!("app-shared-{}", n % 7)];
            let ids = value::set(own.iter().map(|id| value::string(id)));
            let config = fixture::config_with_apps(&provider, ids);
            (
                own.into_iter().collect(),
                provider.plan_request(&Value::Nil, &config),
            )
        })
        .collect();

    let started = Instant::now();
    let calls = requests.iter().map(|(_, request)| {
        let mut client = provider.client();
        let request = request.clone();
        async move { client.plan_resource_change(request).await }
    });
    let answers = provider.block_on(join_all(calls));
    let elapsed = started.elapsed();

    for ((wanted, _), answer) in requests.iter().zip(answers) {
        let response = answer.unwrap_or_else(|status| panic!("{}", status_text(&status)));
        let plan = planned(response.into_inner());
        assert_no_errors(&plan.diagnostics, "a concurrent plan");
        let got = value::string_set(value::get(&plan.value, "app_ids"));
        assert_eq!(&got, wanted, "{}", describe(&plan.diagnostics));
    }
    assert!(
        elapsed < Duration::from_secs(10),
        "50 plans took {elapsed:?}"
    );
}
