//! The memory launcher: Terraform starts it in place of the provider, it runs the real
//! provider as its child with the same stdio and environment, and when the child exits
//! it appends the child's peak resident memory to a file. The kernel's own accounting
//! (`ru_maxrss` from `wait4`) sees the whole life of the process, which polling /proc
//! cannot promise for a process that may end between two polls.

use std::io::Write;
use std::process::{Command, ExitCode};

/// Names the provider binary the launcher runs.
pub const PROVIDER_VAR: &str = "MODELARTS_BENCH_PROVIDER";
/// Names the file that collects one peak (KiB) per provider process.
pub const PEAKS_VAR: &str = "MODELARTS_BENCH_PEAKS";

/// Runs the provider named in [`PROVIDER_VAR`] and records its peak in [`PEAKS_VAR`].
pub fn run() -> ExitCode {
    let (Ok(provider), Ok(peaks)) = (std::env::var(PROVIDER_VAR), std::env::var(PEAKS_VAR)) else {
        eprintln!("memory launcher: {PROVIDER_VAR} and {PEAKS_VAR} must be set");
        return ExitCode::FAILURE;
    };
    let child = match Command::new(&provider).spawn() {
        Ok(child) => child,
        Err(error) => {
            eprintln!("memory launcher: cannot start {provider}: {error}");
            return ExitCode::FAILURE;
        }
    };

    let mut status = 0;
    // SAFETY: rusage is plain old data, so all zeroes is a valid value, and wait4 only
    // writes through the two pointers, which live across the call.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    if waited < 0 {
        eprintln!(
            "memory launcher: wait4 failed: {}",
            std::io::Error::last_os_error()
        );
        return ExitCode::FAILURE;
    }

    let line = format!("{}\n", usage.ru_maxrss);
    let recorded = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&peaks)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(error) = recorded {
        eprintln!("memory launcher: cannot record the peak in {peaks}: {error}");
        return ExitCode::FAILURE;
    }
    if libc::WIFEXITED(status) {
        ExitCode::from(libc::WEXITSTATUS(status) as u8)
    } else {
        ExitCode::FAILURE
    }
}

/// The peaks recorded in `path`, in KiB, one per provider process.
pub fn read_peaks(path: &std::path::Path) -> Vec<u64> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.trim().parse().ok())
        .collect()
}
