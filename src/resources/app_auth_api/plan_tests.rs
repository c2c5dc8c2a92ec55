//! Tests of validation and planning of `modelarts_app_auth_api`.

use tf_provider::value::Value;

use super::*;
use crate::modelarts::{ClientConfig, Credentials, ModelArtsClient, Secret};
use crate::resources::app_auth_api::state::AppIdSet;
use crate::resources::timeouts::Timeouts;
use crate::stop::StopFlag;

fn known(text: &str) -> Value<String> {
    Value::Value(text.to_string())
}

fn apps(ids: &[&str]) -> Value<AppIdSet> {
    Value::Value(ids.iter().map(|id| known(id)).collect())
}

fn config() -> AppAuthApiState {
    AppAuthApiState {
        service_id: known("svc-1"),
        api_id: known("api-1"),
        app_ids: apps(&["app-a", "app-b"]),
        timeouts: Value::Value(Timeouts::default()),
        ..Default::default()
    }
}

fn provider() -> ProviderData {
    let client = ModelArtsClient::new(ClientConfig {
        endpoint: "http://127.0.0.1:9".into(),
        credentials: Credentials::Token(Secret::new("t".into())),
        insecure: false,
        max_retries: 0,
    })
    .unwrap();
    ProviderData {
        client,
        project_id: "p1".into(),
        workspace_id: "0".into(),
        stop: StopFlag::default(),
        holds: Default::default(),
        claims: Default::default(),
        read_lag_window: crate::resources::app_auth_api::recent::GRACE_WINDOW,
    }
}

fn errors_of(state: &AppAuthApiState) -> Vec<(String, AttributePath)> {
    let mut diags = Diagnostics::default();
    validate(&mut diags, state);
    diags
        .errors
        .into_iter()
        .map(|e| (e.summary.into_owned(), e.attribute))
        .collect()
}

/// Every bad value is refused on its own attribute path, naming the problem.
#[test]
fn bad_values_are_refused_on_their_attribute() {
    let app_path = |id: &str| AttributePath::new("app_ids").key(id.to_string());
    let cases = [
        (
            "empty set",
            AppAuthApiState {
                app_ids: apps(&[]),
                ..config()
            },
            "Empty app set",
            AttributePath::new("app_ids"),
        ),
        (
            "empty app",
            AppAuthApiState {
                app_ids: apps(&["", "app-a"]),
                ..config()
            },
            "Invalid app ID",
            app_path(""),
        ),
        (
            "leading space",
            AppAuthApiState {
                app_ids: apps(&[" app-a"]),
                ..config()
            },
            "Invalid app ID",
            app_path(" app-a"),
        ),
        (
            "inner space",
            AppAuthApiState {
                app_ids: apps(&["app a"]),
                ..config()
            },
            "Invalid app ID",
            app_path("app a"),
        ),
        (
            "slash in app",
            AppAuthApiState {
                app_ids: apps(&["a/b"]),
                ..config()
            },
            "Invalid app ID",
            app_path("a/b"),
        ),
        (
            "empty service",
            AppAuthApiState {
                service_id: known(""),
                ..config()
            },
            "Invalid service ID",
            AttributePath::new("service_id"),
        ),
        (
            "api with tab",
            AppAuthApiState {
                api_id: known("api\t1"),
                ..config()
            },
            "Invalid API ID",
            AttributePath::new("api_id"),
        ),
        (
            "workspace slash",
            AppAuthApiState {
                workspace_id: known("w/1"),
                ..config()
            },
            "Invalid workspace ID",
            AttributePath::new("workspace_id"),
        ),
        (
            "project space",
            AppAuthApiState {
                project_id: known("p 1"),
                ..config()
            },
            "Invalid project ID",
            AttributePath::new("project_id"),
        ),
        (
            "bad timeout",
            AppAuthApiState {
                timeouts: Value::Value(Timeouts {
                    create: known("soon"),
                    ..Default::default()
                }),
                ..config()
            },
            "Invalid timeout",
            AttributePath::new("timeouts").attribute("create"),
        ),
    ];
    for (name, state, summary, path) in cases {
        let errors = errors_of(&state);
        assert_eq!(errors, vec![(summary.to_string(), path)], "{name}");
    }
}

/// Unknown values, whole or in part, pass validation; so does a good configuration.
#[test]
fn unknown_and_good_values_pass_validation() {
    let partly: AppIdSet = vec![known("app-a"), Value::Unknown, Value::Unknown];
    let cases = [
        ("good", config()),
        (
            "unknown set",
            AppAuthApiState {
                app_ids: Value::Unknown,
                ..config()
            },
        ),
        (
            "unknown member",
            AppAuthApiState {
                app_ids: Value::Value(partly),
                ..config()
            },
        ),
        (
            "unknown service",
            AppAuthApiState {
                service_id: Value::Unknown,
                ..config()
            },
        ),
    ];
    for (name, state) in cases {
        assert!(errors_of(&state).is_empty(), "{name}");
    }
}

/// A new resource gets an unknown ID and the provider's defaults; unknowns stay unknown.
#[test]
fn plan_create_fills_defaults_from_the_provider() {
    let data = provider();
    let planned = plan_create(&config(), config(), Some(&data));
    assert_eq!(planned.id, Value::Unknown);
    assert_eq!(planned.workspace_id, known("0"));
    assert_eq!(planned.project_id, known("p1"));
    assert_eq!(planned.exclusive, Value::Value(false));
    assert_eq!(planned.app_ids, config().app_ids);

    let unconfigured = plan_create(&config(), config(), None);
    assert_eq!(unconfigured.workspace_id, Value::Unknown);
    assert_eq!(unconfigured.project_id, Value::Unknown);

    let unknown_apps = AppAuthApiState {
        app_ids: Value::Unknown,
        ..config()
    };
    let planned = plan_create(&unknown_apps, unknown_apps.clone(), Some(&data));
    assert_eq!(planned.app_ids, Value::Unknown);
}

/// Changing an identity attribute requires replacement; changing apps does not.
#[test]
fn plan_update_replaces_only_on_identity_changes() {
    let data = provider();
    let prior = AppAuthApiState {
        id: known("svc-1/api-1"),
        workspace_id: known("0"),
        project_id: known("p1"),
        exclusive: Value::Value(false),
        ..config()
    };
    let cases = [
        (
            "apps change",
            AppAuthApiState {
                app_ids: apps(&["app-b", "app-c"]),
                ..config()
            },
            vec![],
        ),
        ("same", config(), vec![]),
        (
            "api change",
            AppAuthApiState {
                api_id: known("api-2"),
                ..config()
            },
            vec!["api_id"],
        ),
        (
            "service change",
            AppAuthApiState {
                service_id: known("svc-2"),
                ..config()
            },
            vec!["service_id"],
        ),
        (
            "workspace change",
            AppAuthApiState {
                workspace_id: known("ws-1"),
                ..config()
            },
            vec!["workspace_id"],
        ),
        (
            "project change",
            AppAuthApiState {
                project_id: known("p2"),
                ..config()
            },
            vec!["project_id"],
        ),
        (
            "unknown api",
            AppAuthApiState {
                api_id: Value::Unknown,
                ..config()
            },
            vec!["api_id"],
        ),
    ];
    for (name, config, expected) in cases {
        let proposed = AppAuthApiState {
            id: prior.id.clone(),
            ..config.clone()
        };
        let (planned, replace) = plan_update(&prior, proposed, &config, Some(&data));
        let expected: Vec<AttributePath> = expected.into_iter().map(AttributePath::new).collect();
        assert_eq!(replace, expected, "{name}");
        if replace.is_empty() {
            assert_eq!(planned.id, prior.id, "{name}");
        }
    }
}

/// Removing `exclusive` from the configuration plans it back to false.
#[test]
fn plan_update_resets_exclusive_to_its_default() {
    let prior = AppAuthApiState {
        id: known("svc-1/api-1"),
        workspace_id: known("0"),
        project_id: known("p1"),
        exclusive: Value::Value(true),
        ..config()
    };
    let proposed = AppAuthApiState {
        exclusive: Value::Value(true),
        ..prior.clone()
    };
    let (planned, replace) = plan_update(&prior, proposed, &config(), Some(&provider()));
    assert_eq!(planned.exclusive, Value::Value(false));
    assert!(replace.is_empty());
}

/// Turning `exclusive` off warns on `exclusive`, naming the apps the update cancels;
/// no other change warns.
#[test]
fn turning_exclusive_off_warns_about_the_apps_it_cancels() {
    let state = |exclusive: bool, ids: &[&str]| AppAuthApiState {
        exclusive: Value::Value(exclusive),
        app_ids: apps(ids),
        ..config()
    };
    let unknown_apps = AppAuthApiState {
        app_ids: Value::Unknown,
        ..state(false, &[])
    };
    let cases = [
        (
            "off, foreign app removed",
            state(true, &["a", "x"]),
            state(false, &["a"]),
            true,
        ),
        (
            "off, nothing removed",
            state(true, &["a"]),
            state(false, &["a", "b"]),
            false,
        ),
        (
            "stays on",
            state(true, &["a", "x"]),
            state(true, &["a"]),
            false,
        ),
        (
            "never on",
            state(false, &["a", "x"]),
            state(false, &["a"]),
            false,
        ),
        (
            "off, apps unknown",
            state(true, &["a", "x"]),
            unknown_apps,
            false,
        ),
    ];
    for (name, prior, planned, expected) in cases {
        let mut diags = Diagnostics::default();
        warn_exclusive_turned_off(&mut diags, &prior, &planned);
        assert_eq!(diags.warnings.len(), usize::from(expected), "{name}");
        if expected {
            let warning = &diags.warnings[0];
            assert_eq!(warning.attribute, AttributePath::new("exclusive"), "{name}");
            assert!(
                warning.detail.contains("\"x\""),
                "{name}: {}",
                warning.detail
            );
        }
    }
}
