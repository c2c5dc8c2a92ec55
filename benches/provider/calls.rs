//! Figure 4: the HTTP calls each Terraform operation costs, read from the emulator's
//! call log, and how many reads a refresh of many resources on one API makes.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::emulator::{service_ids, world, Emulator};
use crate::report::{Row, Section};
use crate::terraform::{app_range, resources, resources_on, Plugin, Plugins, Workspace};

/// The most apps one authorize or cancel call may carry.
const CHUNK: usize = 100;
/// Operations that only read (the emulator's fault names).
const READS: [&str; 7] = [
    "read_api_auths",
    "list_relations",
    "list_apps",
    "show_app",
    "app_apis",
    "list_apis",
    "show_api",
];
/// How long each read takes in the second coalescing run, like a cloud answer.
const READ_DELAY_MS: u64 = 50;

/// Calls per operation name.
type Tally = BTreeMap<String, usize>;

fn tally(calls: &[Value]) -> Tally {
    let mut tally = Tally::new();
    for call in calls {
        let name = call["operation"].as_str().unwrap_or("unknown route");
        *tally.entry(name.to_string()).or_default() += 1;
    }
    tally
}

fn describe(tally: &Tally) -> String {
    if tally.is_empty() {
        return "no calls".to_string();
    }
    let parts: Vec<String> = tally.iter().map(|(op, n)| format!("{op} {n}")).collect();
    parts.join(", ")
}

fn count(tally: &Tally, operation: &str) -> usize {
    tally.get(operation).copied().unwrap_or(0)
}

fn writes_other_than(tally: &Tally, allowed: &[&str]) -> usize {
    tally
        .iter()
        .filter(|(op, _)| !READS.contains(&op.as_str()) && !allowed.contains(&op.as_str()))
        .map(|(_, n)| n)
        .sum()
}

/// Create, no-op plan, update and delete of one resource with `apps` apps.
fn one_resource(emulator: &Emulator, plugins: &Plugins, apps: usize) -> Vec<Row> {
    emulator.reset(&world(&service_ids(1), apps + 1));
    let workspace = Workspace::new(plugins, Plugin::Provider, emulator);
    let chunks = apps.div_ceil(CHUNK);
    let mut rows = Vec::new();

    workspace.write_config(&resources(1, &app_range("0", apps)));
    workspace.run(&["apply", "-auto-approve", "-input=false"]);
    let created = tally(&emulator.take_calls());
    rows.push(Row::check(
        format!("create, {apps} apps (apply)"),
        describe(&created),
        &format!("authorize {chunks}, no other write"),
        count(&created, "authorize") == chunks && writes_other_than(&created, &["authorize"]) == 0,
    ));

    workspace.run(&["plan", "-detailed-exitcode", "-input=false"]);
    let refreshed = tally(&emulator.take_calls());
    rows.push(Row::check(
        format!("no-op plan, {apps} apps"),
        describe(&refreshed),
        "reads only",
        writes_other_than(&refreshed, &[]) == 0,
    ));

    // One app out (the first), one in (the one after the last).
    workspace.write_config(&resources(1, &app_range("1", apps)));
    workspace.run(&["apply", "-auto-approve", "-input=false"]);
    let updated = tally(&emulator.take_calls());
    rows.push(Row::check(
        format!("update +1 -1 app, {apps} apps (apply, with its refresh)"),
        describe(&updated),
        "<= 1 authorize, <= 1 cancel",
        count(&updated, "authorize") <= 1
            && count(&updated, "cancel") <= 1
            && writes_other_than(&updated, &["authorize", "cancel"]) == 0,
    ));

    workspace.run(&["destroy", "-auto-approve", "-input=false"]);
    let deleted = tally(&emulator.take_calls());
    rows.push(Row::info(
        format!("delete, {apps} apps (destroy, with its refresh)"),
        describe(&deleted),
    ));
    rows
}

/// Reads of a refreshing plan of `resources` resources that share one API, 10 apps
/// each, without and with a delay on reads. The verdict is on the delayed run, where
/// the reads are in flight at the same time as they are against the cloud.
fn shared_api(emulator: &Emulator, plugins: &Plugins, resources: usize) -> Vec<Row> {
    emulator.reset(&world(&service_ids(1), resources * 10));
    let workspace = Workspace::new(plugins, Plugin::Provider, emulator);
    workspace.write_config(&resources_on(
        resources,
        "\"svc-0000\"",
        &app_range("count.index * 10", 10),
    ));
    workspace.run(&["apply", "-auto-approve", "-input=false"]);
    let _ = emulator.take_calls();

    let mut rows = Vec::new();
    for delay_ms in [0, READ_DELAY_MS] {
        let faults: Vec<Value> = READS
            .iter()
            .filter(|_| delay_ms > 0)
            .map(|op| json!({"operation": op, "delay_ms": delay_ms}))
            .collect();
        emulator.put_faults(&Value::Array(faults));
        workspace.run(&["plan", "-detailed-exitcode", "-input=false"]);
        emulator.put_faults(&json!([]));
        let refreshed = tally(&emulator.take_calls());
        let reads: usize = READS.iter().map(|op| count(&refreshed, op)).sum();
        let figure = format!(
            "refresh of {resources} resources on one API, reads taking {}",
            if delay_ms == 0 {
                "no added time".to_string()
            } else {
                format!("{delay_ms} ms")
            }
        );
        let value = format!("{reads} reads ({})", describe(&refreshed));
        rows.push(if delay_ms == 0 {
            Row::info(figure, value)
        } else {
            Row::check(
                figure,
                value,
                &format!("<= {} (N/4)", resources / 4),
                reads <= resources / 4,
            )
        });
    }
    rows
}

/// Figure 4.
pub fn measure(emulator: &Emulator, plugins: &Plugins, quick: bool) -> Section {
    let app_counts: &[usize] = if quick { &[10, 150] } else { &[10, 1000] };
    let shared = if quick { 20 } else { 100 };
    let mut rows = Vec::new();
    for &apps in app_counts {
        rows.extend(one_resource(emulator, plugins, apps));
    }
    rows.extend(shared_api(emulator, plugins, shared));
    Section {
        title: "4. HTTP calls per operation (emulator call log)".to_string(),
        method: format!(
            "One resource with 10, then 1,000 apps: `apply` creates it, a `plan` finds no \
             change, an `apply` swaps one app for another, `destroy` removes it; each \
             step's calls are counted by operation from `GET /_emulator/calls`. Then \
             {shared} resources on one API (10 apps each) are refreshed by a `plan` at \
             default parallelism, once as the emulator answers and once with every read \
             delayed {READ_DELAY_MS} ms (a `delay_ms` fault), so that reads are in flight \
             together as against the cloud."
        ),
        rows,
    }
}
