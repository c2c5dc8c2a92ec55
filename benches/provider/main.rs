//! Provider figures (issue #6): start-up, peak memory, plan and apply time against a
//! baseline provider, HTTP calls per operation, and apply under latency. Prints a table
//! with the targets beside the figures and rewrites BENCHMARKS.md; `make bench` runs it.
//!
//! The same executable plays two more parts when Terraform starts a copy of it with its
//! magic cookie: the baseline provider, and the launcher that records the real
//! provider's peak memory. `MODELARTS_BENCH_QUICK=1` runs small sizes for development;
//! `MODELARTS_BENCH_FIGURES=1,3` runs only the figures listed (figures 2 and 3 run
//! together) and `MODELARTS_BENCH_SIZES=1000x3` only those sizes (resources x
//! repetitions) of figure 3. Each leaves BENCHMARKS.md alone.

mod baseline;
mod calls;
mod compare;
mod emulator;
mod latency;
mod launcher;
mod report;
mod startup;
mod terraform;

use std::process::ExitCode;

use emulator::Emulator;
use terraform::{Plugins, ROLE_VAR};

/// Set by go-plugin hosts such as Terraform in every plugin they start.
const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";

/// Emulator figures written by `cargo bench --bench emulator`, included when present.
const EMULATOR_FIGURES_VAR: &str = "MODELARTS_BENCH_EMULATOR_FIGURES";

/// The figures named in `MODELARTS_BENCH_FIGURES` (`1,3`), or `None` for all of them.
fn selected_figures() -> Option<Vec<u8>> {
    let list = std::env::var("MODELARTS_BENCH_FIGURES").ok()?;
    Some(
        list.split(',')
            .map(|figure| {
                figure.trim().parse().unwrap_or_else(|_| {
                    panic!("MODELARTS_BENCH_FIGURES: {figure:?} is not a figure number (1-5)")
                })
            })
            .collect(),
    )
}

/// The `(resources, repetitions)` in `MODELARTS_BENCH_SIZES` (`100x5,1000x3`), if set.
fn selected_sizes() -> Option<Vec<(usize, usize)>> {
    let list = std::env::var("MODELARTS_BENCH_SIZES").ok()?;
    Some(
        list.split(',')
            .map(|size| {
                size.trim()
                    .split_once('x')
                    .and_then(|(count, reps)| Some((count.parse().ok()?, reps.parse().ok()?)))
                    .unwrap_or_else(|| {
                        panic!("MODELARTS_BENCH_SIZES: {size:?} is not resources x repetitions")
                    })
            })
            .collect(),
    )
}

/// Resource counts of figure 3 with their repetitions, full and quick.
const SIZES: [(usize, usize); 3] = [(1, 5), (100, 5), (1000, 3)];
const QUICK_SIZES: [(usize, usize); 3] = [(1, 2), (10, 2), (50, 2)];

fn main() -> ExitCode {
    if std::env::var_os(MAGIC_COOKIE_KEY).is_some() {
        match std::env::var(ROLE_VAR).as_deref() {
            Ok("baseline") => return baseline::serve(),
            Ok("launcher") => return launcher::run(),
            _ => {
                eprintln!("provider benchmark: started as a plugin without {ROLE_VAR}");
                return ExitCode::FAILURE;
            }
        }
    }

    // `cargo test --all-targets` runs bench executables too, without `--bench` and on a
    // debug build: minutes of measurements that would mean nothing, so decline.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("provider benchmark: run it with `cargo bench --bench provider` or `make bench`");
        return ExitCode::SUCCESS;
    }
    let quick = std::env::var_os("MODELARTS_BENCH_QUICK").is_some();
    let load_at_start = report::load_average();
    let terraform = terraform::terraform_binary();
    let started = std::time::Instant::now();

    let only = selected_figures();
    let wanted = |figure: u8| only.as_ref().is_none_or(|only| only.contains(&figure));

    let emulator = Emulator::start();
    let plugins = Plugins::install();
    let mut sections = Vec::new();
    if wanted(1) {
        sections.push(startup::measure());
    }
    if wanted(2) || wanted(3) {
        let sizes =
            selected_sizes().unwrap_or_else(|| if quick { QUICK_SIZES } else { SIZES }.to_vec());
        sections.extend(compare::measure(&emulator, &plugins, &sizes));
    }
    if wanted(4) {
        sections.push(calls::measure(&emulator, &plugins, quick));
    }
    if wanted(5) {
        sections.push(latency::measure(&emulator, &plugins, quick));
    }

    report::print(&sections);
    println!(
        "\nload average at start {load_at_start}, now {}; took {:.0} s",
        report::load_average(),
        started.elapsed().as_secs_f64()
    );
    if quick || only.is_some() || selected_sizes().is_some() {
        println!("partial run: BENCHMARKS.md left unchanged");
        return ExitCode::SUCCESS;
    }

    let notes = std::env::var(EMULATOR_FIGURES_VAR)
        .ok()
        .and_then(|path| std::fs::read_to_string(path).ok())
        .map(|text| {
            format!(
                "\n## Emulator\n\nFrom `cargo bench --bench emulator`:\n\n```\n{}\n```\n",
                text.trim_end()
            )
        })
        .unwrap_or_default();
    let machine = report::machine(&terraform, &load_at_start);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md");
    std::fs::write(&path, report::markdown(&sections, &machine, &notes))
        .expect("write BENCHMARKS.md");
    println!("wrote {}", path.display());
    ExitCode::SUCCESS
}
