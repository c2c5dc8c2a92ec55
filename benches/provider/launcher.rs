//! The memory launcher: Terraform starts it in place of the provider, it runs the real
//! provider as its child with the same stdio and environment, and when the child exits
//! it appends the child's peak resident memory and CPU time to a file. The kernel's own
//! accounting (`ru_maxrss` from `wait4`) sees the whole life of the process, which
//! polling /proc cannot promise for a process that may end between two polls.

use std::io::Write;
use std::process::{Command, ExitCode};
use std::time::Duration;

/// Names the provider binary the launcher runs.
pub const PROVIDER_VAR: &str = "MODELARTS_BENCH_PROVIDER";
/// Names the file that collects one line per provider process: peak resident memory in
/// KiB, then user and system CPU time in microseconds.
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

    let micros = |t: libc::timeval| t.tv_sec * 1_000_000 + t.tv_usec;
    let line = format!(
        "{} {} {}\n",
        usage.ru_maxrss,
        micros(usage.ru_utime),
        micros(usage.ru_stime)
    );
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

/// What one provider process used, as the launcher recorded it.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    /// Peak resident memory (VmHWM), KiB.
    pub peak_kib: u64,
    /// User plus system CPU time.
    pub cpu: Duration,
}

/// The usage of every provider process recorded in `path`.
pub fn read_usage(path: &std::path::Path) -> Vec<Usage> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let numbers: Vec<u64> = line
                .split_whitespace()
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()?;
            match numbers[..] {
                [peak_kib, user, system] => Some(Usage {
                    peak_kib,
                    cpu: Duration::from_micros(user + system),
                }),
                _ => None,
            }
        })
        .collect()
}
