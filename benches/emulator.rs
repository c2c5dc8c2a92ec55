//! Emulator figures: the latency of reading one API with 10,000 authorized apps
//! (ShowApiAuthInfos covering all of them in one page, and GetServiceAppAuthApiAuthInfo),
//! the emulator's CPU time for one read of each of 1,000 APIs sharing 10 apps (the
//! refresh of the provider's 1,000-resource plan), and the idle memory of the process.
//! Prints a table with the targets beside the figures; run with
//! `cargo bench --bench emulator` (a release build).

#[allow(dead_code)]
#[path = "../tests/support/emulator.rs"]
mod emulator;

use std::time::{Duration, Instant};

use emulator::{Emulator, TEST_PROJECT, TEST_TOKEN};
use serde_json::{json, Value};

const APPS: usize = 10_000;
const SAMPLES: usize = 40;
/// Samples when `cargo test --all-targets` runs this file as a smoke test.
const SMOKE_SAMPLES: usize = 3;
const LATENCY_TARGET: Duration = Duration::from_millis(50);
const RSS_TARGET_KIB: u64 = 20 * 1024;
/// APIs (one per service) of the refresh figure, and the apps authorized to each.
const REFRESH_APIS: usize = 1_000;
const REFRESH_APPS: usize = 10;
/// APIs read when `cargo test` runs this file as a smoke test.
const SMOKE_REFRESH_APIS: usize = 20;

/// Resident memory of a process in KiB, from /proc.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc is readable");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS is present")
}

/// CPU time the process has used so far: the nanoseconds each of its threads spent
/// running (/proc/PID/task/*/schedstat), finer than the 10 ms ticks of /proc/PID/stat.
/// The emulator's threads (the runtime's workers) live as long as it does.
fn cpu_time(pid: u32) -> Duration {
    let threads = std::fs::read_dir(format!("/proc/{pid}/task")).expect("/proc is readable");
    let nanos = threads
        .filter_map(|thread| std::fs::read_to_string(thread.ok()?.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

/// The shape of the provider's 1,000-resource refresh: every service has one API, and
/// the same apps are authorized to all of them, so each app is bound to every API.
fn world_with_many_apis() -> Value {
    let services: Vec<Value> = (0..REFRESH_APIS)
        .map(|i| {
            json!({"service_id": format!("svc-{i:04}"), "service_name": format!("svc-{i:04}"),
            "apis": [{"api_id": "api", "api_name": "infer"}]})
        })
        .collect();
    let apps: Vec<Value> = (0..REFRESH_APPS)
        .map(|i| json!({"app_id": format!("app-{i:02}"), "app_name": format!("app-{i:02}")}))
        .collect();
    let auths: Vec<Value> = (0..REFRESH_APIS)
        .flat_map(|s| {
            (0..REFRESH_APPS).map(move |a| {
                json!({"service_id": format!("svc-{s:04}"), "api_id": "api",
                "app_id": format!("app-{a:02}")})
            })
        })
        .collect();
    json!({"projects": {TEST_PROJECT: {"services": services, "apps": apps,
        "authorizations": auths}}})
}

/// Reads the authorized apps of the first `apis` APIs once each, as the provider's
/// refresh does (ShowApiAuthInfos, `show_only=AUTH`), and returns the emulator's CPU
/// time for all of them.
fn refresh_cpu_time(emulator: &Emulator, apis: usize) -> Duration {
    let client = reqwest::blocking::Client::new();
    let started = cpu_time(emulator.pid());
    for i in 0..apis {
        let url = format!(
            "{}/v1/{TEST_PROJECT}/services/svc-{i:04}/app-auth-apis/api/api-auths?show_only=AUTH",
            emulator.url
        );
        let response = client
            .get(url)
            .header("X-Auth-Token", TEST_TOKEN)
            .send()
            .expect("an answer");
        let body: Value = response.json().expect("JSON");
        assert_eq!(
            body["total_count"], REFRESH_APPS,
            "the read returns every app"
        );
    }
    cpu_time(emulator.pid()).saturating_sub(started)
}

fn world_with_authorized_apps() -> Value {
    let apps: Vec<Value> = (0..APPS)
        .map(|i| {
            json!({"app_id": format!("{i:032x}"), "app_name": format!("app-{i:05}"),
            "app_key": format!("key-{i:05}"), "app_secret": format!("secret-{i:05}"),
            "workspace_id": "0", "created_at": 1_700_000_000_000i64 + i as i64})
        })
        .collect();
    let auths: Vec<Value> = (0..APPS)
        .map(|i| {
            json!({"service_id": "svc", "api_id": "api", "app_id": format!("{i:032x}"),
            "workspace_id": "0"})
        })
        .collect();
    json!({"projects": {TEST_PROJECT: {
        "services": [{"service_id": "svc", "service_name": "bench", "apis":
            [{"api_id": "api", "api_name": "infer", "auth_type": "APP", "workspace_id": "0"}]}],
        "apps": apps, "authorizations": auths}}})
}

/// Median and 90th percentile of `samples` full round trips: from sending the request
/// to the last byte of the answer. Parsing the body is the client's cost and is left
/// out of the figure; it is checked afterwards. The async client is used because the
/// blocking one adds a thread hand-off per chunk that would be counted too.
fn measure(url: &str, samples: usize, expect: impl Fn(&Value) -> usize) -> (Duration, Duration) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let client = reqwest::Client::new();
    let mut times = Vec::with_capacity(samples);
    for round in 0..samples + 3 {
        let started = Instant::now();
        let bytes = runtime.block_on(async {
            let response = client
                .get(url)
                .header("X-Auth-Token", TEST_TOKEN)
                .send()
                .await;
            response.expect("an answer").bytes().await.expect("a body")
        });
        let elapsed = started.elapsed();
        let body: Value = serde_json::from_slice(&bytes).expect("JSON");
        assert_eq!(expect(&body), APPS, "the read returns every app");
        if round >= 3 {
            times.push(elapsed);
        }
    }
    times.sort();
    (times[samples / 2], times[samples * 9 / 10])
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "MISSED"
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test` runs the same file without it, as a
    // quick check that the benchmark still works, whose figures mean nothing.
    let full = std::env::args().any(|a| a == "--bench");
    let samples = if full { SAMPLES } else { SMOKE_SAMPLES };
    let emulator = Emulator::start();
    std::thread::sleep(Duration::from_millis(500));
    let idle_rss = rss_kib(emulator.pid());

    emulator.put_state(&world_with_authorized_apps());
    let loaded_rss = rss_kib(emulator.pid());
    let base = format!("{}/v1/{TEST_PROJECT}/services/svc", emulator.url);
    let relations = measure(
        &format!("{base}/app-auth-apis/api/api-auths?show_only=AUTH&limit={APPS}"),
        samples,
        |b| b["auths"].as_array().map_or(0, Vec::len),
    );
    let api_auths = measure(&format!("{base}/api-auths"), samples, |b| {
        b["app_auth_api"]["authed_apps"]
            .as_array()
            .map_or(0, Vec::len)
    });
    let after_reads_rss = rss_kib(emulator.pid());
    emulator.put_state(&world_with_many_apis());
    let refresh_apis = if full {
        REFRESH_APIS
    } else {
        SMOKE_REFRESH_APIS
    };
    let refresh_cpu = refresh_cpu_time(&emulator, refresh_apis);

    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    let mib = |k: u64| format!("{:.1} MiB", k as f64 / 1024.0);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("?");
    if !full {
        println!("emulator benchmark smoke run: use `cargo bench --bench emulator` for figures");
        return;
    }
    println!("emulator benchmark ({APPS} authorized apps, {samples} samples, release build, load average {load})");
    println!(
        "{:<48} {:>12} {:>12} {:>10}",
        "figure", "value", "target", "verdict"
    );
    let rows = [
        (
            "ShowApiAuthInfos, all apps in one page: median",
            ms(relations.0),
            Some(relations.0 < LATENCY_TARGET),
        ),
        (
            "ShowApiAuthInfos, all apps in one page: p90",
            ms(relations.1),
            None,
        ),
        (
            "GetServiceAppAuthApiAuthInfo: median",
            ms(api_auths.0),
            Some(api_auths.0 < LATENCY_TARGET),
        ),
        ("GetServiceAppAuthApiAuthInfo: p90", ms(api_auths.1), None),
        (
            "CPU time, 1,000 APIs x 10 apps, one read each",
            ms(refresh_cpu),
            None,
        ),
        (
            "idle RSS (empty world)",
            mib(idle_rss),
            Some(idle_rss < RSS_TARGET_KIB),
        ),
        ("RSS with 10,000 apps loaded", mib(loaded_rss), None),
        ("RSS after the reads", mib(after_reads_rss), None),
    ];
    for (name, value, met) in rows {
        let (target, verdict) = match met {
            Some(ok) if name.contains("RSS") => ("< 20 MiB".to_string(), verdict(ok)),
            Some(ok) => (format!("< {} ms", LATENCY_TARGET.as_millis()), verdict(ok)),
            None => ("-".to_string(), ""),
        };
        println!("{name:<48} {value:>12} {target:>12} {verdict:>10}");
    }
}
