//! Figure 1: how long the provider takes from exec to its handshake line, launched the
//! way Terraform launches it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::report::{median, ms, percentile, Row, Section};
use crate::terraform::PROVIDER_BINARY;

/// Starts measured.
const STARTS: usize = 50;
/// Starts run first and not counted, so the binary and its libraries are in the page
/// cache as they are when Terraform starts the provider for the second time in a run.
const WARM_UP: usize = 3;
/// The target for the median.
const TARGET: Duration = Duration::from_millis(5);

/// go-plugin's magic cookie for Terraform.
const MAGIC_COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

/// A client certificate of the shape go-plugin hands each plugin: self-signed by
/// "HashiCorp", a CA for client and server authentication of `localhost`, on curve
/// P-521. The provider only parses it before its handshake, and the benchmark never
/// connects, so its private key was not kept.
const CLIENT_CERTIFICATE: &str = "\
-----BEGIN CERTIFICATE-----
MIICdTCCAdegAwIBAgIUEwJntUc3VbfPMvlfsQH9Gb2nE7AwCgYIKoZIzj0EAwIw
KDESMBAGA1UECgwJSGFzaGlDb3JwMRIwEAYDVQQDDAlsb2NhbGhvc3QwIBcNMjYx
MjAzMTQwMDUyWhgPMjA1NjExMjUxNDAwNTJaMCgxEjAQBgNVBAoMCUhhc2hpQ29y
cDESMBAGA1UEAwwJbG9jYWxob3N0MIGbMBAGByqGSM49AgEGBSuBBAAjA4GGAAQB
c7nIAeETadOlwCNHHUe4Dn4bC7zTAzXp1QeA0DpcGwSteChLuKy7SoZDxNOMDtZJ
c309RHjXpQ1WI+u7RWsIvwAAoZTyF8viPnhM4Ko/h03yrFgL0Hu49ms1D9z10T6g
l48rwTHfikVbD/ksLc4XZ1ICUoJNSzjTM8bOGcRlR6VrWnGjgZkwgZYwHQYDVR0O
BBYEFDprZ9U1WtJlTzGasooqsKrr1FDEMB8GA1UdIwQYMBaAFDprZ9U1WtJlTzGa
sooqsKrr1FDEMBQGA1UdEQQNMAuCCWxvY2FsaG9zdDAPBgNVHRMBAf8EBTADAQH/
MA4GA1UdDwEB/wQEAwICrDAdBgNVHSUEFjAUBggrBgEFBQcDAgYIKwYBBQUHAwEw
CgYIKoZIzj0EAwIDgYsAMIGHAkEF0dNpqIgHX54ZWR5RfWhI6ouUBOEdZFoIvVck
NDqCKbQuwGboT7m3PoNR4Vi5C89ScF2kvoAo7wIEEFXb7dcD7QJCAKprM8dxD6ge
yQfz/9jGqFnxGmhAEpIN+tFgSeBs01lluXyh6/xpBMZ/ny9GFRRUhy6MPrbXbAJi
kTwT8PgwStYl
-----END CERTIFICATE-----
";

/// One start: exec to the end of the handshake line, which must be protocol 6.
fn start_once(cert: &str) -> Duration {
    let started = Instant::now();
    let mut child = Command::new(PROVIDER_BINARY)
        .env(MAGIC_COOKIE.0, MAGIC_COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env("PLUGIN_CLIENT_CERT", cert)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the provider starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout is piped"))
        .read_line(&mut line)
        .expect("the provider prints a handshake line");
    let elapsed = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("1|6|tcp|"),
        "unexpected handshake line {line:?}"
    );
    elapsed
}

/// Figure 1.
pub fn measure() -> Section {
    for _ in 0..WARM_UP {
        start_once(CLIENT_CERTIFICATE);
    }
    let times: Vec<Duration> = (0..STARTS)
        .map(|_| start_once(CLIENT_CERTIFICATE))
        .collect();
    let (p50, p90) = (median(&times), percentile(&times, 90));
    Section {
        title: "1. Start-up: exec to handshake line".to_string(),
        method: format!(
            "{STARTS} starts of the release binary (after {WARM_UP} uncounted ones) with \
             Terraform's magic cookie, `PLUGIN_PROTOCOL_VERSIONS=6`, its port range and a \
             P-521 `PLUGIN_CLIENT_CERT` shaped like go-plugin's, timed from spawn to the end of the \
             `1|6|tcp|...` line, then killed."
        ),
        rows: vec![
            Row::check(
                "median",
                ms(p50),
                &format!("< {}", ms(TARGET)),
                p50 < TARGET,
            ),
            Row::info("p90", ms(p90)),
        ],
    }
}
