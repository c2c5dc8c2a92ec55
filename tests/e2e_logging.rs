//! End to end with the real Terraform: with `TF_LOG` set, the provider writes log
//! lines Terraform understands, one per HTTP call with the fields users debug with.

mod support;

use support::terraform::calls;
use support::terraform::checks::fixture;
use support::terraform::hcl;

/// At `TF_LOG=DEBUG` every call the emulator answered has one provider log line
/// with its method, path, status, duration, attempt and request ID, which Terraform
/// parsed (it shows the provider's module, not raw JSON).
#[test]
fn every_http_call_has_one_debug_line_that_terraform_understands() {
    let (emulator, mut workspace) = fixture();
    workspace.set_env("TF_LOG", "DEBUG");
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &["app-a", "app-b"]));

    let output = workspace.apply();

    let log = calls::calls(&emulator);
    assert!(!log.is_empty());
    let provider_lines: Vec<&str> = output
        .stderr
        .lines()
        .filter(|l| l.contains("provider.terraform-provider-modelarts"))
        .collect();
    assert!(
        provider_lines.iter().all(|l| !l.contains("\"@message\"")),
        "Terraform parsed the provider's JSON lines: {provider_lines:#?}"
    );
    for call in &log {
        let request_id = call.raw["request_id"].as_str().expect("a request id");
        let lines: Vec<&&str> = provider_lines
            .iter()
            .filter(|l| l.contains(request_id))
            .collect();
        assert_eq!(lines.len(), 1, "one line for {}: {lines:#?}", call.brief());
        let line = lines[0];
        for field in [
            "[DEBUG]".to_owned(),
            format!("method={}", call.method),
            format!("path={}", call.path),
            format!("status={}", call.status),
            "duration_ms=".to_owned(),
            "attempt=".to_owned(),
        ] {
            assert!(line.contains(&field), "{field} in {line}");
        }
    }
}
