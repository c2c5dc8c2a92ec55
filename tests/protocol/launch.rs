//! Starting the plugin: the handshake, the magic cookie and mutual TLS.

use std::time::{Duration, Instant};

use crate::support::plugin::go_plugin;
use crate::support::plugin::tfplugin6::get_provider_schema;
use crate::support::plugin::tfplugin6::provider_client::ProviderClient;
use crate::support::plugin::Provider;
use crate::support::plugin::{connect, status_text, ClientIdentity, Launch, PluginProcess};

/// The handshake line announces protocol 6 over TCP with gRPC and a server certificate.
#[test]
fn handshake_announces_protocol_six_over_grpc_with_a_certificate() {
    let provider = Provider::start();
    let handshake = &provider.handshake;
    assert_eq!(handshake.core_version, "1");
    assert_eq!(handshake.protocol_version, "6");
    assert_eq!(handshake.network, "tcp");
    assert_eq!(handshake.protocol, "grpc");
    assert!(!handshake.server_cert.is_empty());
}

/// Run by hand, without Terraform's magic cookie, the binary says what it is on stderr,
/// prints no handshake and exits with a failure status within a second.
#[test]
fn without_the_magic_cookie_the_binary_explains_itself_and_exits() {
    let launch = Launch {
        magic_cookie: false,
        ..Launch::default()
    };
    let started = Instant::now();
    let mut process = PluginProcess::spawn(&launch);
    let status = process
        .wait_exit(Duration::from_secs(1))
        .unwrap_or_else(|| panic!("still running after 1s; stdout: {}", process.stdout()));
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(!status.success(), "exit status {status}");
    assert!(
        !process.stdout().contains("|grpc|"),
        "a handshake: {}",
        process.stdout()
    );
    let message = process.stderr().to_lowercase();
    assert!(
        message.contains("plugin") && message.contains("terraform"),
        "stderr does not tell a person what this is: {message:?}"
    );
}

/// A client presenting a certificate other than the one Terraform handed over is
/// refused: its first call fails.
#[test]
fn a_client_with_another_certificate_is_refused() {
    let provider = Provider::start();
    let stranger = ClientIdentity::generate();
    let refused = match provider.connect_as(Some(&stranger)) {
        Err(_) => true,
        Ok(mut client) => provider
            .block_on(client.get_provider_schema(get_provider_schema::Request {}))
            .is_err(),
    };
    assert!(refused, "a stranger's certificate was accepted");
}

/// A certificate shaped like go-plugin's (a self-signed CA) is refused when presented:
/// the plugin's TLS stack does not accept a CA as a client's own certificate.
#[test]
fn a_certificate_shaped_like_go_plugins_is_refused_when_presented() {
    let identity = ClientIdentity::generate_like_go_plugin();
    let mut process = PluginProcess::spawn(&Launch {
        identity: Some(identity.clone()),
        ..Launch::default()
    });
    let handshake = process.handshake();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let answer = runtime.block_on(async {
        let mut client = ProviderClient::new(connect(&handshake, Some(&identity)).await?);
        let request = get_provider_schema::Request {};
        client
            .get_provider_schema(request)
            .await
            .map_err(|s| status_text(&s))
    });
    assert!(
        answer.is_err(),
        "a CA certificate was accepted as a client's"
    );
}

// TODO(#4): tf-provider 0.2.2 makes client authentication optional
// (`client_auth_optional(true)` in its server), and the provider cannot change that. It
// cannot be made mandatory as things are: Terraform's go-plugin certificate (P-521, CA)
// is one the plugin could not verify, so Terraform connects without presenting it.
// When tf-provider can require a certificate that Terraform's client can present,
// assert here that this connection is refused, and drop this mark.
/// A client that presents no certificate at all is served today; AutoMTLS
/// authenticates the plugin to Terraform but not Terraform to the plugin.
#[test]
fn a_client_without_a_certificate_is_served_today() {
    let provider = Provider::start();
    let mut client = provider
        .connect_as(None)
        .unwrap_or_else(|error| panic!("the TLS handshake failed: {error}"));
    let answer = provider.block_on(client.get_provider_schema(get_provider_schema::Request {}));
    assert!(answer.is_ok(), "refused: {answer:?}");
}

/// go-plugin's controller Shutdown, which Terraform calls when it is done with a
/// plugin, ends the process cleanly.
#[test]
fn the_controller_shutdown_ends_the_process_cleanly() {
    let mut provider = Provider::start();
    let mut controller = provider.controller();
    let answer = provider.block_on(controller.shutdown(go_plugin::Empty {}));
    assert!(answer.is_ok(), "Shutdown failed: {answer:?}");
    let status = provider.process().wait_exit(Duration::from_secs(5));
    let status = status.expect("the provider still runs 5s after Shutdown");
    assert!(
        status.success(),
        "exit {status}; stderr:\n{}",
        provider.stderr()
    );
}
