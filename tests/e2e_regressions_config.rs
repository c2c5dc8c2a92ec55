//! End to end with the real Terraform: settings refused at plan time, each a regression
//! found in review (where requests go, app names, empty provider settings), and what a
//! 400 `ModelArts.0104` (invalid workspace) is taken to mean on delete.

mod support;

use serde_json::json;
use support::emulator::Emulator;
use support::terraform::checks::{fixture, set};
use support::terraform::diagnostics::{self, Diagnostic};
use support::terraform::{hcl, Workspace};

/// One refused configuration and the diagnostic it must produce.
struct Case {
    name: &'static str,
    /// Environment variables to set (an empty value removes the variable).
    env: &'static [(&'static str, &'static str)],
    main: String,
    summary: &'static str,
    /// The attribute the highlighted line sets, when the value is written in the block.
    attribute: Option<&'static str>,
    /// Fragments the detail must contain.
    detail: &'static [&'static str],
}

/// A `modelarts_apps` data source with the given argument lines.
fn apps_data_source(arguments: &str) -> String {
    format!("data \"modelarts_apps\" \"all\" {{\n{arguments}}}\n")
}

fn app_resource(name: &str) -> String {
    format!("resource \"modelarts_app\" \"a\" {{\n  name = {name:?}\n}}\n")
}

/// Plans `case` against a fresh emulator and returns the error it produced, after
/// checking that no request reached the service.
fn refused(case: &Case) -> Diagnostic {
    let emulator = Emulator::start();
    let mut workspace = Workspace::new(&emulator);
    for (variable, value) in case.env {
        match *value {
            "" => workspace.remove_env(variable),
            _ => workspace.set_env(variable, value),
        }
    }
    workspace.write_main(&case.main);
    let output = workspace.plan_json();
    assert_eq!(output.code, 1, "{}: {output}", case.name);
    let errors: Vec<Diagnostic> = diagnostics::parse(&output.stdout)
        .into_iter()
        .filter(|d| d.severity == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{}: {errors:?}", case.name);
    assert!(
        emulator.calls().is_empty(),
        "{}: {:?}",
        case.name,
        emulator.calls()
    );
    errors.into_iter().next().expect("one error")
}

/// Settings that would move requests to another host are refused before any request,
/// naming the setting (and the variable it came from) and quoting the value.
#[test]
fn settings_that_move_the_host_are_refused_naming_the_setting() {
    let data = apps_data_source("");
    // Without a provider block Terraform adds an error of its own.
    let bare = hcl::provider(&[]) + &data;
    let cases = [
        Case {
            name: "region from the environment with userinfo",
            env: &[("HW_MODELARTS_ENDPOINT", ""), ("HW_REGION_NAME", "a@b")],
            main: bare.clone(),
            summary: "Invalid region",
            attribute: None,
            detail: &["HW_REGION_NAME", "\"a@b\""],
        },
        Case {
            name: "region with a trailing space",
            env: &[("HW_MODELARTS_ENDPOINT", "")],
            main: hcl::provider(&[("region", "\"cn-north-4 \"")]) + &data,
            summary: "Invalid region",
            attribute: Some("region"),
            detail: &["\"cn-north-4 \""],
        },
        Case {
            name: "cloud from the environment with userinfo",
            env: &[
                ("HW_MODELARTS_ENDPOINT", ""),
                ("HW_CLOUD", "x@evil.example"),
            ],
            main: bare.clone(),
            summary: "Invalid cloud",
            attribute: None,
            detail: &["HW_CLOUD", "\"x@evil.example\""],
        },
        Case {
            name: "endpoint with an empty port",
            env: &[],
            main: hcl::provider(&[("endpoint", "\"http://127.0.0.1:\"")]) + &data,
            summary: "Invalid endpoint",
            attribute: Some("endpoint"),
            detail: &["\"http://127.0.0.1:\"", "empty port"],
        },
        Case {
            name: "endpoint with userinfo",
            env: &[],
            main: hcl::provider(&[("endpoint", "\"https://me@evil.example\"")]) + &data,
            summary: "Invalid endpoint",
            // No attribute path: Terraform would print the line, user name and all.
            attribute: None,
            detail: &["endpoint", "\"https://***@evil.example\"", "user name"],
        },
    ];
    for case in &cases {
        check(case, refused(case));
    }
}

/// App names no app can have are refused at plan time on `name`, each with its reason.
#[test]
fn impossible_app_names_are_refused_on_name() {
    let long = "n".repeat(65);
    let cases = [
        Case {
            name: "empty filter of the apps data source",
            env: &[],
            main: apps_data_source("  name = \"\"\n"),
            summary: "Invalid app name",
            attribute: Some("name"),
            detail: &["empty", "Omit name to list every app"],
        },
        Case {
            name: "blank app name",
            env: &[],
            main: app_resource("   "),
            summary: "Invalid app name",
            attribute: Some("name"),
            detail: &["blank"],
        },
        Case {
            name: "app name over 64 characters",
            env: &[],
            main: app_resource(&long),
            summary: "Invalid app name",
            attribute: Some("name"),
            detail: &["65 characters", "at most 64"],
        },
    ];
    for case in &cases {
        check(case, refused(case));
    }
}

/// Fails the test unless `error` is the one `case` expects.
fn check(case: &Case, error: Diagnostic) {
    assert_eq!(error.summary, case.summary, "{}: {error:?}", case.name);
    if let Some(attribute) = case.attribute {
        assert_eq!(
            error.attribute().as_deref(),
            Some(attribute),
            "{}: {error:?}",
            case.name
        );
    }
    for fragment in case.detail {
        assert!(error.detail.contains(fragment), "{}: {error:?}", case.name);
    }
}

/// `workspace_id = ""` and `project_id = ""` in the block are errors naming the setting,
/// as docs/index.md says.
#[test]
fn an_empty_project_or_workspace_in_the_block_names_the_setting() {
    let data = apps_data_source("");
    let cases = [
        Case {
            name: "empty workspace_id",
            env: &[],
            main: hcl::provider(&[("workspace_id", "\"\"")]) + &data,
            summary: "Invalid workspace_id",
            attribute: Some("workspace_id"),
            detail: &["Remove workspace_id"],
        },
        Case {
            name: "empty project_id",
            env: &[],
            main: hcl::provider(&[("project_id", "\"\"")]) + &data,
            summary: "Invalid project_id",
            attribute: Some("project_id"),
            detail: &["Remove project_id"],
        },
    ];
    for case in &cases {
        check(case, refused(case));
    }
}

const ZERO_ONE_O_FOUR: &str = "ModelArts.0104";

/// A delete answered with 400 `ModelArts.0104` keeps an app that a read still finds,
/// and counts it as deleted only when the read confirms it is gone.
#[test]
fn an_invalid_workspace_answer_deletes_an_app_only_when_a_read_confirms_it() {
    let cases = [
        ("read still finds the app", false, true),
        ("read says the workspace is gone too", true, false),
    ];
    for (name, read_fails, kept) in cases {
        let emulator = Emulator::start();
        let workspace = Workspace::new(&emulator);
        workspace.write_main(&app_resource("billing"));
        workspace.apply();
        let mut rules = vec![json!({"operation": "delete_app", "status": 400,
                                    "error_code": ZERO_ONE_O_FOUR})];
        if read_fails {
            rules.push(json!({"operation": "show_app", "status": 400,
                              "error_code": ZERO_ONE_O_FOUR}));
        }
        emulator.put_faults(&json!(rules));

        // Without a refresh, the read that follows the delete is the only one.
        let output = workspace.run(&["destroy", "-auto-approve", "-no-color", "-refresh=false"]);

        assert_eq!(output.code != 0, kept, "{name}: {output}");
        assert_eq!(
            workspace.resource("modelarts_app.a").is_some(),
            kept,
            "{name}"
        );
        if !kept {
            assert!(
                output.text().contains("App already deleted"),
                "{name}: {output}"
            );
        }
    }
}

/// A cancel answered with 400 `ModelArts.0104` removes no app from the state while a
/// re-read still shows it authorized.
#[test]
fn an_invalid_workspace_answer_to_a_cancel_is_not_a_cancel() {
    let (emulator, workspace) = fixture();
    let apps = ["app-a", "app-b"];
    workspace.write_main(&format!(
        "{}{}",
        hcl::provider_with_few_retries(),
        hcl::auth_api("t", "svc-1", "api-1", &apps)
    ));
    workspace.apply();
    emulator.put_faults(&json!([{"operation": "cancel", "status": 400,
                                 "error_code": ZERO_ONE_O_FOUR}]));

    let output = workspace.try_destroy();

    assert_ne!(output.code, 0, "{output}");
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&apps));
    assert!(
        workspace.resource("modelarts_app_auth_api.t").is_some(),
        "the authorization must stay in the state"
    );
}
