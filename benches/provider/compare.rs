//! Figures 2 and 3: `terraform apply` and `plan` with the provider against the emulator,
//! each as a ratio to the same run with the baseline, and the provider's peak memory
//! during the largest plan.

use std::time::Duration;

use crate::emulator::{service_ids, world, Emulator};
use crate::launcher::read_usage;
use crate::report::{median, secs, Row, Section};
use crate::terraform::{app_range, resources, Plugin, Plugins, Workspace};

/// Apps per resource.
const APPS: usize = 10;
/// The resource count the ratio and memory targets are set for.
const TARGET_COUNT: usize = 1000;
/// The most a run with the provider may take, as a multiple of the baseline's.
const RATIO_TARGET: f64 = 1.15;
/// Plans run after each apply, for each plugin.
const PLANS_PER_APPLY: usize = 3;
/// The most resident memory a provider process may reach, in KiB.
const MEMORY_TARGET_KIB: u64 = 15 * 1024;

/// Wall times of one plugin at one size.
#[derive(Default)]
struct Times {
    apply: Vec<Duration>,
    plan: Vec<Duration>,
    /// CPU time the emulator spent answering each plan.
    emulator_cpu: Vec<Duration>,
    /// CPU time of Terraform and the plugin during each plan.
    terraform_cpu: Vec<Duration>,
}

/// Runs both plugins at each `(resources, repetitions)` size, alternating which goes
/// first, and measures memory at the largest size. Returns figures 2 and 3.
pub fn measure(emulator: &Emulator, plugins: &Plugins, sizes: &[(usize, usize)]) -> [Section; 2] {
    let mut ratios = Vec::new();
    let mut memory = Vec::new();
    let largest = sizes.iter().map(|(count, _)| *count).max().unwrap_or(0);
    for &(count, reps) in sizes {
        let seeded = world(&service_ids(count), APPS);
        let mut provider = Workspace::new(plugins, Plugin::Provider, emulator);
        let baseline = Workspace::new(plugins, Plugin::Baseline, emulator);
        let config = resources(count, &app_range("0", APPS));
        provider.write_config(&config);
        baseline.write_config(&config);

        let (mut with_provider, mut with_baseline) = (Times::default(), Times::default());
        for rep in 0..reps {
            // Alternating the order cancels a drift in the machine's load between runs.
            let mut order = [
                (&provider, &mut with_provider, true),
                (&baseline, &mut with_baseline, false),
            ];
            if rep % 2 == 1 {
                order.reverse();
            }
            for (workspace, times, is_provider) in order.iter_mut() {
                workspace.forget_state();
                if *is_provider {
                    emulator.reset(&seeded);
                }
                times
                    .apply
                    .push(workspace.run(&["apply", "-auto-approve", "-input=false"]));
            }
            // A plan after the apply refreshes every resource and must find no change.
            // Plans change nothing and take seconds, so several per apply steady the
            // median; the two plugins still alternate.
            for _ in 0..PLANS_PER_APPLY {
                for (workspace, times, _) in order.iter_mut() {
                    let cpu_before = emulator.cpu_time();
                    times
                        .plan
                        .push(workspace.run(&["plan", "-detailed-exitcode", "-input=false"]));
                    times.emulator_cpu.push(emulator.cpu_time() - cpu_before);
                    times.terraform_cpu.push(workspace.last_cpu());
                }
            }
        }
        for (what, ours, theirs) in [
            ("apply", &with_provider.apply, &with_baseline.apply),
            ("plan", &with_provider.plan, &with_baseline.plan),
        ] {
            let runs = ours.len();
            ratios.push(ratio_row(what, count, runs, median(ours), median(theirs)));
        }
        if count == largest {
            ratios.push(Row::info(
                format!("emulator CPU time during a {count}-resource plan (median)"),
                secs(median(&with_provider.emulator_cpu)),
            ));
            ratios.push(Row::info(
                format!(
                    "Terraform and plugin CPU time, {count}-resource plan (median), \
                     provider vs baseline"
                ),
                format!(
                    "{} vs {}",
                    secs(median(&with_provider.terraform_cpu)),
                    secs(median(&with_baseline.terraform_cpu))
                ),
            ));
        }

        if count == largest {
            memory = measure_memory(emulator, plugins, &mut provider, count);
        }
    }
    [
        Section {
            title: format!("2. Peak resident memory of the provider, {largest}-resource plan"),
            method: "Terraform runs the provider through a launcher in the override \
                     directory that waits for it with `wait4` and records its `ru_maxrss` \
                     (the kernel's high-water mark, VmHWM) at exit, for every provider \
                     process Terraform starts during a refreshing `terraform plan` of the \
                     applied resources (10 apps each); the largest is the figure."
                .to_string(),
            rows: memory,
        },
        Section {
            title: "3. Wall time as a ratio to the baseline provider".to_string(),
            method: format!(
                "Terraform 1.0.3 with `dev_overrides`, default parallelism, against the \
                 emulator; {APPS} apps per resource, one service per resource. `apply` \
                 creates every resource from an empty state (emulator reset first); \
                 {PLANS_PER_APPLY} `plan`s then refresh them all and must find no change. The baseline \
                 (same schema, no HTTP, no work) runs the same configuration in the same \
                 run, alternating with the provider; medians of the repetitions. Ratio = \
                 provider median / baseline median. The emulator shares the machine's \
                 CPUs with Terraform, so its CPU time (shown for the largest plan) counts \
                 against the provider here, as a remote service's would not."
            ),
            rows: ratios,
        },
    ]
}

fn ratio_row(what: &str, count: usize, reps: usize, ours: Duration, theirs: Duration) -> Row {
    let ratio = ours.as_secs_f64() / theirs.as_secs_f64();
    let figure = format!("{what}, {count} resources (median of {reps})");
    let value = format!("{ratio:.2} ({} vs {})", secs(ours), secs(theirs));
    if count == TARGET_COUNT {
        Row::check(
            figure,
            value,
            &format!("< {RATIO_TARGET:.2}"),
            ratio < RATIO_TARGET,
        )
    } else {
        Row::info(figure, value)
    }
}

/// Figure 2: a refreshing plan of the applied resources through the memory launcher.
fn measure_memory(
    emulator: &Emulator,
    plugins: &Plugins,
    provider: &mut Workspace,
    count: usize,
) -> Vec<Row> {
    let _ = std::fs::remove_file(plugins.peaks());
    provider.use_plugin(plugins, Plugin::Launcher);
    provider.run(&["plan", "-detailed-exitcode", "-input=false"]);
    provider.use_plugin(plugins, Plugin::Provider);
    let _ = emulator.take_calls();

    let usage = read_usage(&plugins.peaks());
    assert!(
        !usage.is_empty(),
        "the launcher recorded no provider process"
    );
    let peak = usage.iter().map(|u| u.peak_kib).max().unwrap_or_default();
    let mib = |kib: u64| format!("{:.1} MiB", kib as f64 / 1024.0);
    let mut peaks: Vec<u64> = usage.iter().map(|u| u.peak_kib).collect();
    peaks.sort_unstable();
    let each: Vec<String> = peaks.iter().map(|k| mib(*k)).collect();
    let cpu: Duration = usage.iter().map(|u| u.cpu).sum();
    let target = format!("< {}", mib(MEMORY_TARGET_KIB));
    let figure = format!("largest of {} provider processes", usage.len());
    let row = if count == TARGET_COUNT {
        Row::check(figure, mib(peak), &target, peak < MEMORY_TARGET_KIB)
    } else {
        Row::info(figure, mib(peak))
    };
    vec![
        row,
        Row::info("every process", each.join(", ")),
        Row::info("CPU time of those processes, together", secs(cpu)),
    ]
}
