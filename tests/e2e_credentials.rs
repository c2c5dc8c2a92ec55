//! End to end with the real Terraform: credentials from the environment and the
//! provider block, their precedence, and clear errors when they are incomplete.

mod support;

use support::emulator::{Emulator, TEST_AK, TEST_PROJECT, TEST_SK, TEST_TOKEN};
use support::terraform::calls::{self, Call};
use support::terraform::checks::{fixture, set};
use support::terraform::{hcl, Output, Workspace};

const ABC: [&str; 3] = ["app-a", "app-b", "app-c"];

/// A workspace with the AK/SK pair in the environment and no token.
fn aksk_workspace(emulator: &Emulator) -> Workspace {
    let mut workspace = Workspace::new(emulator);
    workspace.remove_env("HW_AUTH_TOKEN");
    workspace.set_env("HW_ACCESS_KEY", TEST_AK);
    workspace.set_env("HW_SECRET_KEY", TEST_SK);
    workspace
}

/// Fails unless every logged call used `auth` and was accepted.
fn assert_every_call(log: &[Call], auth: &str) {
    assert!(!log.is_empty(), "the service was called");
    for call in log {
        assert_eq!(call.auth, auth, "{}", call.brief());
        assert!(call.status < 400, "accepted: {}", call.brief());
        assert_eq!(call.project_id(), Some(TEST_PROJECT), "{}", call.brief());
    }
}

/// Fails unless the run failed on a configuration error mentioning every word in
/// `mentions`, without calling the service.
fn assert_configuration_error(output: &Output, emulator: &Emulator, mentions: &[&str]) {
    assert_eq!(output.code, 1, "{output}");
    let errors = output.errors();
    let text = errors
        .iter()
        .map(|d| d.text())
        .collect::<Vec<_>>()
        .join("\n");
    for word in mentions {
        assert!(
            text.contains(word),
            "the error mentions {word}: {errors:#?}"
        );
    }
    assert!(
        emulator.calls().is_empty(),
        "no call: {:?}",
        emulator.calls()
    );
}

/// An AK/SK pair from the environment alone signs every call of a create, an update,
/// a plan and a destroy.
#[test]
fn aksk_from_the_environment_runs_the_whole_lifecycle() {
    let (emulator, _) = fixture();
    let workspace = aksk_workspace(&emulator);
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));

    workspace.apply();
    workspace.assert_no_changes();
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &["app-a", "app-d"]));
    workspace.apply();
    assert_eq!(
        emulator.authorized_apps("svc-1", "api-1", "0"),
        set(&["app-a", "app-d"])
    );
    workspace.assert_no_changes();
    workspace.destroy();

    assert_every_call(&calls::calls(&emulator), "aksk");
    assert!(emulator.authorized_apps("svc-1", "api-1", "0").is_empty());
}

/// Explicit AK/SK and project in the provider block win over different values in
/// the environment, in both directions.
#[test]
fn explicit_aksk_and_project_win_over_the_environment() {
    let (emulator, _) = fixture();
    let mut workspace = aksk_workspace(&emulator);
    workspace.set_env("HW_ACCESS_KEY", "ENVONLYUNKNOWNKEY000");
    workspace.set_env("HW_SECRET_KEY", "env-only-unknown-secret");
    workspace.set_env("HW_PROJECT_ID", "ffffffffffffffffffffffffffffffff");
    let provider = hcl::provider(&[
        ("access_key", &hcl::quoted(TEST_AK)),
        ("secret_key", &hcl::quoted(TEST_SK)),
        ("project_id", &hcl::quoted(TEST_PROJECT)),
    ]);
    workspace.write_main(&format!(
        "{provider}{}",
        hcl::auth_api("t", "svc-1", "api-1", &ABC)
    ));

    workspace.apply();
    workspace.assert_no_changes();
    assert_every_call(&calls::calls(&emulator), "aksk");
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));

    let (emulator, _) = fixture();
    let workspace = aksk_workspace(&emulator);
    let provider = hcl::provider(&[("secret_key", &hcl::quoted("explicit-wrong-secret"))]);
    workspace.write_main(&format!(
        "{provider}{}",
        hcl::auth_api("t", "svc-1", "api-1", &ABC)
    ));
    let output = workspace.apply_json();
    assert_eq!(
        output.code, 1,
        "the explicit, wrong secret key is used: {output}"
    );
    let log = calls::calls(&emulator);
    assert!(
        !log.is_empty() && log.iter().all(|c| c.status == 401),
        "{}",
        calls::describe(&log)
    );
    assert!(emulator.authorized_apps("svc-1", "api-1", "0").is_empty());
}

/// An explicit token wins over a different token in the environment.
#[test]
fn an_explicit_token_wins_over_the_environment() {
    let (emulator, mut workspace) = fixture();
    workspace.set_env("HW_AUTH_TOKEN", "env-only-unknown-token");
    let provider = hcl::provider(&[("token", &hcl::quoted(TEST_TOKEN))]);
    workspace.write_main(&format!(
        "{provider}{}",
        hcl::auth_api("t", "svc-1", "api-1", &ABC)
    ));

    workspace.apply();

    assert_every_call(&calls::calls(&emulator), "token");
    assert_eq!(emulator.authorized_apps("svc-1", "api-1", "0"), set(&ABC));
}

/// An access key without a secret key, from the environment or the provider block,
/// is a configuration error naming `secret_key`, before any call.
#[test]
fn an_access_key_without_a_secret_key_is_a_configuration_error() {
    let (emulator, mut workspace) = fixture();
    workspace.remove_env("HW_AUTH_TOKEN");
    workspace.set_env("HW_ACCESS_KEY", TEST_AK);
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));
    assert_configuration_error(&workspace.apply_json(), &emulator, &["secret_key"]);

    workspace.remove_env("HW_ACCESS_KEY");
    let provider = hcl::provider(&[("access_key", &hcl::quoted(TEST_AK))]);
    workspace.write_main(&format!(
        "{provider}{}",
        hcl::auth_api("t", "svc-1", "api-1", &ABC)
    ));
    assert_configuration_error(&workspace.apply_json(), &emulator, &["secret_key"]);
    assert!(workspace.state_list().is_empty());
}

/// With a token and an AK/SK pair both given, the token is used, as documented.
#[test]
fn a_token_takes_precedence_over_an_access_key_pair() {
    for (access_key, secret_key) in [(TEST_AK, TEST_SK), ("UNKNOWNKEY0000000000", "unknown")] {
        let (emulator, mut workspace) = fixture();
        workspace.set_env("HW_ACCESS_KEY", access_key);
        workspace.set_env("HW_SECRET_KEY", secret_key);
        workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));

        workspace.apply();
        workspace.assert_no_changes();

        assert_every_call(&calls::calls(&emulator), "token");
    }
}

/// No credentials at all is a configuration error that says what to set, before any
/// call.
#[test]
fn no_credentials_at_all_is_a_configuration_error() {
    let (emulator, mut workspace) = fixture();
    workspace.remove_env("HW_AUTH_TOKEN");
    workspace.write_main(&hcl::auth_api("t", "svc-1", "api-1", &ABC));

    let output = workspace.apply_json();

    assert_configuration_error(&output, &emulator, &["token", "access_key", "secret_key"]);
    assert!(workspace.state_list().is_empty());
}
