//! Figure 5: an apply bound by the service's latency, against the least time its calls
//! can take at Terraform's parallelism.

use std::time::Duration;

use serde_json::json;

use crate::emulator::{service_ids, world, Emulator};
use crate::report::{median, secs, Row, Section};
use crate::terraform::{app_range, resources, Plugin, Plugins, Workspace};

/// Latency the emulator adds to every call.
const DELAY: Duration = Duration::from_millis(50);
/// Terraform's `-parallelism`.
const PARALLELISM: u32 = 10;
/// The most the apply may take, as a multiple of the lower bound.
const TARGET: f64 = 1.2;

/// Figure 5.
pub fn measure(emulator: &Emulator, plugins: &Plugins, quick: bool) -> Section {
    let (count, reps) = if quick { (40, 1) } else { (200, 3) };
    let seeded = world(&service_ids(count), 10);
    let config = resources(count, &app_range("0", 10));
    let provider = Workspace::new(plugins, Plugin::Provider, emulator);
    let baseline = Workspace::new(plugins, Plugin::Baseline, emulator);
    provider.write_config(&config);
    baseline.write_config(&config);
    let parallelism = format!("-parallelism={PARALLELISM}");
    let apply = [
        "apply",
        "-auto-approve",
        "-input=false",
        parallelism.as_str(),
    ];

    let (mut ours, mut theirs, mut calls) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..reps {
        provider.forget_state();
        emulator.reset(&seeded);
        emulator.put_faults(&json!([{"operation": "any", "delay_ms": DELAY.as_millis()}]));
        ours.push(provider.run(&apply));
        emulator.put_faults(&json!([]));
        calls.push(emulator.take_calls().len());

        baseline.forget_state();
        theirs.push(baseline.run(&apply));
    }

    let calls = calls.iter().copied().max().unwrap_or(0);
    let bound = DELAY * calls as u32 / PARALLELISM;
    let (wall, base) = (median(&ours), median(&theirs));
    let ratio = wall.as_secs_f64() / bound.as_secs_f64();
    let beyond_terraform = wall.saturating_sub(base).as_secs_f64() / bound.as_secs_f64();
    Section {
        title: format!(
            "5. Apply of {count} resources, {} ms per call, -parallelism={PARALLELISM}",
            DELAY.as_millis()
        ),
        method: format!(
            "Every API call is delayed {} ms by a `delay_ms` fault on `any`; `apply` \
             creates {count} resources (10 apps each) from an empty state. Lower bound = \
             calls in the log x latency / parallelism. Median of {reps}; the baseline \
             applies the same configuration at the same parallelism in the same run, to \
             show the part of the wall time that is Terraform's own: the ratio cannot \
             fall below baseline apply / lower bound whatever the provider does.",
            DELAY.as_millis()
        ),
        rows: vec![
            Row::check(
                "apply wall time / lower bound",
                format!(
                    "{ratio:.2} ({} / {}, {calls} calls)",
                    secs(wall),
                    secs(bound)
                ),
                &format!("< {TARGET:.1}"),
                ratio < TARGET,
            ),
            Row::info("baseline apply, same configuration", secs(base)),
            Row::info(
                "(apply - baseline apply) / lower bound",
                format!("{beyond_terraform:.2}"),
            ),
        ],
    }
}
