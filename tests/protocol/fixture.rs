//! The world most protocol tests start from: an emulator with one service API and a
//! few apps, and a provider configured against it.

use crate::support::emulator::{Emulator, TEST_PROJECT, TEST_TOKEN};
use crate::support::plugin::value::{self, Value};
use crate::support::plugin::Provider;

/// The service every fixture world holds.
pub const SERVICE: &str = "svc-1";
/// The API of [`SERVICE`] the fixture authorizes apps to.
pub const API: &str = "api-1";
/// Apps that exist in the fixture world.
pub const APPS: &[&str] = &["app-a", "app-b", "app-c"];

/// An emulator seeded with [`SERVICE`]/[`API`] and [`APPS`], and a provider
/// configured to use it with a token.
pub fn configured() -> (Emulator, Provider) {
    let emulator = seeded();
    let provider = Provider::start();
    provider.configure_for(&emulator.url, TEST_TOKEN, TEST_PROJECT);
    (emulator, provider)
}

/// An emulator seeded with [`SERVICE`]/[`API`] and [`APPS`].
pub fn seeded() -> Emulator {
    let emulator = Emulator::start();
    emulator.seed_simple(&[(SERVICE, &[API])], APPS);
    emulator
}

/// A configuration authorizing `app_ids` to the fixture API.
pub fn config_with_apps(provider: &Provider, app_ids: Value) -> Value {
    provider.resource_config(&[
        ("service_id", value::string(SERVICE)),
        ("api_id", value::string(API)),
        ("app_ids", app_ids),
    ])
}

/// The state an earlier apply of the fixture API with `app_ids` in the default
/// workspace would have left.
pub fn prior_state(provider: &Provider, app_ids: &[&str]) -> Value {
    provider.resource_config(&[
        ("service_id", value::string(SERVICE)),
        ("api_id", value::string(API)),
        ("app_ids", value::strings(app_ids)),
        ("workspace_id", value::string("0")),
        ("project_id", value::string(TEST_PROJECT)),
        ("exclusive", value::boolean(false)),
        ("id", value::string(&format!("{SERVICE}/{API}"))),
    ])
}
