//! End to end with the real Terraform at `TF_LOG=TRACE`: no credential, signature or
//! app secret appears in anything Terraform prints or stores.

mod support;

use serde_json::json;
use support::emulator::Emulator;
use support::terraform::world::World;
use support::terraform::{hcl, Output, Workspace};

const TOKEN: &str = "tok-SENTINEL-4b1d9e7a2c";
const ACCESS_KEY: &str = "AKSENTINEL7Q2W9E4R1T";
const SECRET_KEY: &str = "sk-SENTINEL-8c3f6a0d5e9b";
const SECURITY_TOKEN: &str = "sts-SENTINEL-1e7b4c9f2a6d";
const APP_SECRET: &str = "appsecret-SENTINEL-5d2a8f3c0b";

/// Everything one run produced that a user or a CI log could see.
#[derive(Default)]
struct Exposure {
    texts: Vec<(String, String)>,
}

impl Exposure {
    fn add(&mut self, what: &str, output: &Output) {
        self.texts
            .push((format!("{what} stdout"), output.stdout.clone()));
        self.texts
            .push((format!("{what} stderr"), output.stderr.clone()));
    }

    fn add_text(&mut self, what: &str, text: String) {
        self.texts.push((what.to_owned(), text));
    }

    /// Adds every file under `dir` (state, backups, saved output), read as text.
    fn add_files(&mut self, dir: &std::path::Path) {
        for entry in std::fs::read_dir(dir)
            .expect("read the workspace")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                self.add_files(&path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                self.add_text(&path.display().to_string(), text);
            }
        }
    }

    /// Fails unless the provider's own log lines, including those of its authorize
    /// and cancel calls, reached the output, so the check below saw them.
    fn assert_provider_logged_its_writes(&self) {
        let logged = |needle: &str| self.texts.iter().any(|(_, t)| t.contains(needle));
        assert!(logged("[TRACE]"), "TF_LOG=TRACE took effect");
        assert!(
            logged("provider.terraform-provider-modelarts"),
            "the provider logged"
        );
        assert!(
            logged("/app-auth-apis/api-1/app-auth-api"),
            "its writes were logged"
        );
    }

    /// Fails naming where a secret or a signature appeared.
    fn assert_clean(&self) {
        for (what, text) in &self.texts {
            for secret in [TOKEN, ACCESS_KEY, SECRET_KEY, SECURITY_TOKEN, APP_SECRET] {
                assert!(!text.contains(secret), "{secret} leaked into {what}");
            }
            for marker in ["Signature=", "SDK-HMAC-SHA256 Access"] {
                assert!(!text.contains(marker), "a signature leaked into {what}");
            }
        }
    }
}

/// An emulator accepting the sentinel credentials, whose apps carry the sentinel
/// app secret.
fn sentinel_emulator() -> Emulator {
    let emulator = Emulator::start_with(&[
        "--token",
        TOKEN,
        "--access-key",
        ACCESS_KEY,
        "--secret-key",
        SECRET_KEY,
    ]);
    World::new()
        .service("0", "svc-1", &["api-1"])
        .app_with_secret("0", "app-a", APP_SECRET)
        .app_with_secret("0", "app-b", APP_SECRET)
        .load(&emulator);
    emulator
}

/// Runs apply, plan, a saved plan, show, a failing apply and destroy at TRACE and
/// collects everything they exposed, including the state file and the plan JSON.
fn run_everything(workspace: &Workspace, emulator: &Emulator) -> Exposure {
    let mut exposure = Exposure::default();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &["app-a"]));
    exposure.add("apply", &workspace.apply());
    exposure.add("plan", &workspace.assert_plan_exit_code(0));
    exposure.add_text("state file", workspace.state_file());
    exposure.add_text("show", workspace.show().to_string());

    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &["app-a", "app-b"]));
    exposure.add_text("plan JSON", workspace.saved_plan(&[]).to_string());
    emulator.put_faults(&json!([{"operation": "authorize", "status": 403,
        "error_code": "ModelArts.0105"}]));
    let failed = workspace.apply_json();
    assert_eq!(failed.code, 1, "{failed}");
    exposure.add("failing apply", &failed);
    emulator.clear_faults();
    exposure.add("second apply", &workspace.apply());
    exposure.add_text("state file after update", workspace.state_file());
    exposure.add("destroy", &workspace.destroy());
    exposure.add_text("state file after destroy", workspace.state_file());
    assert!(emulator.authorized_apps("svc-1", "api-1", "0").is_empty());
    exposure.add_files(workspace.path());
    exposure
}

/// A full AK/SK run with a security token at TRACE exposes no credential, signature
/// or app secret.
#[test]
fn aksk_credentials_and_signatures_never_appear_at_trace() {
    let emulator = sentinel_emulator();
    let mut workspace = Workspace::new(&emulator);
    workspace.remove_env("HW_AUTH_TOKEN");
    workspace.set_env("HW_ACCESS_KEY", ACCESS_KEY);
    workspace.set_env("HW_SECRET_KEY", SECRET_KEY);
    workspace.set_env("HW_SECURITY_TOKEN", SECURITY_TOKEN);
    workspace.set_env("TF_LOG", "TRACE");

    let exposure = run_everything(&workspace, &emulator);

    let log = emulator.calls();
    assert!(log.iter().all(|c| c["auth"] == "aksk"), "{log:?}");
    exposure.assert_provider_logged_its_writes();
    exposure.assert_clean();
}

/// A full token run at TRACE exposes no token or app secret.
#[test]
fn a_token_never_appears_at_trace() {
    let emulator = sentinel_emulator();
    let mut workspace = Workspace::new(&emulator);
    workspace.set_env("HW_AUTH_TOKEN", TOKEN);
    workspace.set_env("TF_LOG", "TRACE");

    let exposure = run_everything(&workspace, &emulator);

    let log = emulator.calls();
    assert!(log.iter().all(|c| c["auth"] == "token"), "{log:?}");
    exposure.assert_provider_logged_its_writes();
    exposure.assert_clean();
}

/// Applies `app-a` with the credentials in `env` once for each fault rule, each of
/// which must fail that apply; fails if any part of a credential shows in what the
/// applies exposed.
fn assert_echoes_stay_hidden(env: &[(&str, &str)], rules: &[serde_json::Value]) {
    let emulator = sentinel_emulator();
    let mut workspace = Workspace::new(&emulator);
    workspace.remove_env("HW_AUTH_TOKEN");
    for (name, value) in env {
        workspace.set_env(name, value);
    }
    let mut exposure = Exposure::default();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &["app-a"]));
    for rule in rules {
        emulator.put_faults(&json!([rule]));
        let failed = workspace.apply_json();
        assert_eq!(failed.code, 1, "{rule}: {failed}");
        exposure.add("failing apply", &failed);
    }
    // A read whose body has the wrong shape, which the decoder's complaint would quote.
    emulator.clear_faults();
    workspace.apply();
    let secret = env
        .iter()
        .filter(|(name, _)| *name != "HW_ACCESS_KEY")
        .map(|(_, value)| *value)
        .collect::<Vec<_>>()
        .join(" ");
    emulator.put_faults(&json!([{"operation": "list_relations",
        "raw_body": json!({"auths": format!("rejected {secret}")}).to_string()}]));
    let failed = workspace.plan_json();
    assert_eq!(failed.code, 1, "{failed}");
    exposure.add("failing plan", &failed);
    exposure.add_files(workspace.path());
    exposure.assert_clean();
    exposure.assert_no_part_of_a_credential();
}

/// Faults on authorize that echo `secret`: in an error message long enough to be cut
/// inside it and in the reason one app failed.
fn echoing_faults(secret: &str) -> Vec<serde_json::Value> {
    // The cut of a long message falls inside the echoed credential, after "SENTINEL".
    let cut_inside = format!("{} {secret} rejected", "x".repeat(186));
    vec![
        json!({"operation": "authorize", "status": 403, "error_code": "ModelArts.0105",
               "error_msg": cut_inside, "times": 1}),
        json!({"operation": "authorize", "app_id": "app-a", "times": 1,
               "fail_app_reason": format!("caller {secret} does not own the app")}),
    ]
}

/// A service that echoes a credential, in an error message long enough to be cut
/// inside the credential, in the reason one app failed or in a malformed answer,
/// exposes no part of it.
#[test]
fn credentials_echoed_by_the_service_never_appear_even_in_part() {
    assert_echoes_stay_hidden(&[("HW_AUTH_TOKEN", TOKEN)], &echoing_faults(TOKEN));
    let aksk = [
        ("HW_ACCESS_KEY", ACCESS_KEY),
        ("HW_SECRET_KEY", SECRET_KEY),
        ("HW_SECURITY_TOKEN", SECURITY_TOKEN),
    ];
    assert_echoes_stay_hidden(&aksk, &echoing_faults(SECURITY_TOKEN));
    assert_echoes_stay_hidden(&aksk, &echoing_faults(SECRET_KEY));
}

impl Exposure {
    /// Fails when the part every sentinel credential shares appears anywhere, as it
    /// does when a credential is cut rather than hidden.
    fn assert_no_part_of_a_credential(&self) {
        for (what, text) in &self.texts {
            assert!(
                !text.contains("SENTINEL"),
                "part of a credential leaked into {what}: {text}"
            );
        }
    }
}

/// Warnings about credentials written in the provider block point at no line that
/// holds a secret: Terraform prints the line a diagnostic's attribute is on.
#[test]
fn credential_warnings_never_print_the_line_of_a_secret() {
    let emulator = sentinel_emulator();
    let workspace = Workspace::new(&emulator);
    let cases = [
        (
            "token beside a key pair",
            [
                ("token", TOKEN),
                ("access_key", ACCESS_KEY),
                ("secret_key", SECRET_KEY),
            ]
            .as_slice(),
        ),
        (
            "token beside a security token",
            [("token", TOKEN), ("security_token", SECURITY_TOKEN)].as_slice(),
        ),
    ];
    for (name, arguments) in cases {
        let quoted: Vec<(&str, String)> = arguments
            .iter()
            .map(|(attribute, value)| (*attribute, hcl::quoted(value)))
            .collect();
        let lines: Vec<(&str, &str)> = quoted.iter().map(|(a, v)| (*a, v.as_str())).collect();
        workspace.write_main(&format!(
            "{}{}",
            hcl::provider(&lines),
            hcl::auth_api("t", "svc-1", "api-1", &["app-a"])
        ));
        let mut exposure = Exposure::default();
        let plan = workspace.plan();
        assert!(plan.text().contains("Warning"), "{name}: {plan}");
        exposure.add(name, &plan);
        exposure.assert_clean();
    }
}

/// The secret of an app that `modelarts_app` creates and imports, at TRACE, shows in
/// nothing but the state and the plan JSON, which marks it sensitive.
#[test]
fn a_created_app_secret_shows_only_in_the_state_at_trace() {
    let emulator = sentinel_emulator();
    let mut workspace = Workspace::new(&emulator);
    workspace.set_env("TF_LOG", "TRACE");
    workspace.write_main("resource \"modelarts_app\" \"billing\" {\n  name = \"billing\"\n}\n");
    let mut exposure = Exposure::default();

    exposure.add("apply", &workspace.apply());
    let state = workspace.state_file();
    let app = workspace
        .resource("modelarts_app.billing")
        .expect("the app is in state");
    let secret = app["app_secret"].as_str().expect("a secret").to_owned();
    assert!(state.contains(&secret), "the state holds the secret");
    exposure.add("plan", &workspace.assert_plan_exit_code(0));
    // The plan JSON carries the state's values, the secret marked sensitive as there.
    let change = &workspace.saved_plan(&[])["resource_changes"][0]["change"];
    for marks in ["before_sensitive", "after_sensitive"] {
        assert_eq!(change[marks]["app_secret"], true, "{marks}: {change}");
    }
    workspace.state_rm("modelarts_app.billing");
    exposure.add(
        "import",
        &workspace.import("modelarts_app.billing", app["id"].as_str().unwrap()),
    );
    exposure.add("destroy", &workspace.destroy());

    for (what, text) in &exposure.texts {
        assert!(!text.contains(&secret), "the app secret leaked into {what}");
    }
    exposure.assert_clean();
}
