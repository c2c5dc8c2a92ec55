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
/// to that file, not tf-provider's plain-text trace of every dependency: JSON lines,
/// appended by every provider process of the run, a line per call at debug, and no
/// credential.
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
    // The plan and the apply each start a provider; the second appends to the first.
    let configured = messages
        .iter()
        .filter(|m| **m == "provider configured")
        .count();
    assert!(configured >= 2, "{messages:#?}");
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

/// With both `TF_LOG` and `PLUGIN_LOG_FILE`, the lines go to Terraform's log and to the
/// file; a file that cannot be opened gets a warning, without `TF_LOG` too.
#[test]
fn plugin_log_file_adds_to_terraforms_log_and_says_when_it_cannot() {
    let (_emulator, mut workspace) = fixture();
    let log_path = workspace.path().join("provider.log");
    workspace.set_env("PLUGIN_LOG_FILE", &log_path.display().to_string());
    workspace.set_env("TF_LOG", "DEBUG");
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &["app-a"]));

    let output = workspace.plan();

    assert_eq!(output.code, 2, "{output}");
    let text = std::fs::read_to_string(&log_path).expect("the log file was written");
    assert!(text.contains("\"provider configured\""), "{text}");
    assert!(
        output.stderr.contains("provider configured"),
        "Terraform's log has the provider's lines too"
    );

    workspace.remove_env("TF_LOG");
    let unwritable = workspace.path().join("missing-dir").join("provider.log");
    workspace.set_env("PLUGIN_LOG_FILE", &unwritable.display().to_string());
    let output = workspace.plan_json();
    let warning = output
        .diagnostics()
        .into_iter()
        .find(|d| d.summary == "Log file not written")
        .unwrap_or_else(|| panic!("no warning about the log file: {output}"));
    assert!(warning.detail.contains("missing-dir"), "{warning:?}");
}
