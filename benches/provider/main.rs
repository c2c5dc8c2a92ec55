//! Provider figures (issue #6): start-up, peak memory, plan and apply time against a
//! baseline provider, HTTP calls per operation, and apply under latency. Prints a table
//! with the targets beside the figures and rewrites BENCHMARKS.md; `make bench` runs it.
//!
//! The same executable plays two more parts when Terraform starts a copy of it with its
//! magic cookie: the baseline provider, and the launcher that records the real
//! provider's peak memory. `MODELARTS_BENCH_QUICK=1` runs small sizes for development
//! and leaves BENCHMARKS.md alone.

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

    let emulator = Emulator::start();
    let plugins = Plugins::install();
    let mut sections = vec![startup::measure()];
    let [memory, ratios] = compare::measure(
        &emulator,
        &plugins,
        if quick { &QUICK_SIZES } else { &SIZES },
    );
    sections.push(memory);
    sections.push(ratios);
    sections.push(calls::measure(&emulator, &plugins, quick));
    sections.push(latency::measure(&emulator, &plugins, quick));

    report::print(&sections);
    println!(
        "\nload average at start {load_at_start}, now {}; took {:.0} s",
        report::load_average(),
        started.elapsed().as_secs_f64()
    );
    if quick {
        println!("quick run: BENCHMARKS.md left unchanged");
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
