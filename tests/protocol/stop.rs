//! Stopping during a slow apply: Terraform's StopProvider call, and the interrupt a
//! Ctrl-C sends to the whole process group.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::json;

use super::fixture::{API, SERVICE};
use crate::support::emulator::{Emulator, TEST_PROJECT, TEST_TOKEN};
use crate::support::plugin::tfplugin6::{apply_resource_change, stop_provider};
use crate::support::plugin::value::{self, Value};
use crate::support::plugin::{assert_no_errors, describe, errors, Provider};

/// Apps in the slow apply: three chunks of the client's 100 per call.
const APP_COUNT: usize = 250;
/// How long the emulator holds every authorize call.
const AUTHORIZE_DELAY: Duration = Duration::from_millis(700);

/// What a stop during the slow apply led to.
struct Stopped {
    stop_answer: Result<stop_provider::Response, tonic::Status>,
    stop_latency: Duration,
    apply: Option<apply_resource_change::Response>,
    apply_after_stop: Duration,
    authorized: BTreeSet<String>,
}

/// Starts applying [`APP_COUNT`] apps against an emulator that holds each authorize
/// call for [`AUTHORIZE_DELAY`], runs `stop` once the first chunk is through, and
/// reports what happened.
fn stop_during_slow_apply(provider: &mut Provider, stop: impl FnOnce(&mut Provider)) -> Stopped {
    let emulator = Emulator::start();
    let apps: Vec<String> = (0..APP_COUNT).map(|n| format!("app-{n:03}")).collect();
    let app_refs: Vec<&str> = apps.iter().map(String::as_str).collect();
    emulator.seed_simple(&[(SERVICE, &[API])], &app_refs);
    let delay_ms = AUTHORIZE_DELAY.as_millis() as u64;
    emulator.put_faults(&json!([{"operation": "authorize", "delay_ms": delay_ms}]));
    provider.configure_for(&emulator.url, TEST_TOKEN, TEST_PROJECT);

    let config = provider.resource_config(&[
        ("service_id", value::string(SERVICE)),
        ("api_id", value::string(API)),
        ("app_ids", value::strings(&app_refs)),
    ]);
    let plan = provider.plan(&Value::Nil, &config);
    assert_no_errors(&plan.diagnostics, "planning the slow creation");
    let request = provider.apply_request(&Value::Nil, &plan, &config);
    let mut client = provider.client();
    let apply = provider.spawn(async move { client.apply_resource_change(request).await });

    std::thread::sleep(AUTHORIZE_DELAY + AUTHORIZE_DELAY / 2);
    let before_stop = Instant::now();
    stop(provider);
    let stop_answer = provider.stop_provider(stop_provider::Request {});
    let stop_latency = before_stop.elapsed();
    let apply =
        provider.block_on(async { tokio::time::timeout(Duration::from_secs(20), apply).await });
    let apply_after_stop = before_stop.elapsed();
    let apply = match apply {
        Ok(Ok(Ok(response))) => Some(response.into_inner()),
        _ => None,
    };
    let authorized = emulator.authorized_apps(SERVICE, API, "0");
    Stopped {
        stop_answer,
        stop_latency,
        apply,
        apply_after_stop,
        authorized,
    }
}

/// Sends SIGINT to the plugin, as a Ctrl-C does to Terraform's whole process group.
fn interrupt(provider: &mut Provider) {
    let pid = provider.process().id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status();
    assert!(sent.expect("run kill").success(), "SIGINT not delivered");
}

/// Fails unless the apply returned within one authorize call of the stop, with an
/// error and a state that records exactly the (partial) apps the service authorized.
fn assert_stopped_promptly_with_the_true_state(stopped: Stopped) {
    let stop = stopped.stop_answer.expect("StopProvider answered");
    assert_eq!(stop.error, "", "StopProvider reported an error");
    assert!(
        stopped.stop_latency < Duration::from_millis(500),
        "StopProvider took {:?}",
        stopped.stop_latency
    );
    let apply = stopped.apply.expect("the apply answered within 20s");
    assert!(
        stopped.apply_after_stop < AUTHORIZE_DELAY + Duration::from_millis(500),
        "the apply took {:?} after the stop",
        stopped.apply_after_stop
    );
    assert!(
        !errors(&apply.diagnostics).is_empty(),
        "no error says it stopped early"
    );
    let state = value::decode(apply.new_state.as_ref());
    let recorded = value::string_set(value::get(&state, "app_ids"));
    assert_eq!(recorded, stopped.authorized, "state and service disagree");
    assert!(
        !recorded.is_empty() && recorded.len() < APP_COUNT,
        "not a partial apply: {} of {APP_COUNT} apps; {}",
        recorded.len(),
        describe(&apply.diagnostics)
    );
}

/// A Ctrl-C during a slow apply (SIGINT to the plugin, then StopProvider) makes the
/// apply return as soon as the call in flight ends, with an error and a state that
/// records exactly the apps the service authorized.
#[test]
fn an_interrupt_during_a_slow_apply_returns_promptly_with_the_true_partial_state() {
    let mut provider = Provider::start();
    let stopped = stop_during_slow_apply(&mut provider, interrupt);
    assert_stopped_promptly_with_the_true_state(stopped);
}

/// StopProvider alone, as Terraform sends when only its own process is signalled (a
/// cancelled CI job), stops the apply in flight just as a Ctrl-C does, and the plugin
/// exits once it has answered.
#[test]
fn stop_provider_alone_returns_promptly_with_the_true_partial_state() {
    let mut provider = Provider::start();
    let stopped = stop_during_slow_apply(&mut provider, |_| {});
    assert_stopped_promptly_with_the_true_state(stopped);
    let exit = provider.process().wait_exit(Duration::from_secs(2));
    assert!(exit.is_some(), "the plugin still serves after StopProvider");
}
