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

/// With `PLUGIN_LOG_FILE` set and `TF_LOG` not, the provider writes its own JSON lines
/// to that file, not tf-provider's plain-text trace of every dependency: JSON lines, a
/// line per call at debug, and no credential.
#[test]
fn plugin_log_file_gets_the_providers_own_lines() {
    let (emulator, mut workspace) = fixture();
    let log_path = workspace.path().join("provider.log");
    workspace.set_env("PLUGIN_LOG_FILE", &log_path.display().to_string());
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &["app-a"]));

    workspace.apply();

    let text = std::fs::read_to_string(&log_path).expect("the log file was written");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is JSON"))
        .collect();
    assert!(
        lines.iter().all(|l| l["@module"] == "provider.modelarts"),
        "{text}"
    );
    let messages: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["@message"].as_str())
        .collect();
    assert!(messages.contains(&"provider configured"), "{messages:#?}");
    let authorize_lines = lines
        .iter()
        .filter(|l| l["@level"] == "debug" && l["method"] == "POST")
        .count();
    assert_eq!(authorize_lines, calls::writes(&emulator).len(), "{text}");
    assert!(
        !text.contains(support::emulator::TEST_TOKEN),
        "the token leaked"
    );
}
