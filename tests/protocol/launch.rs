//! Starting the plugin: the handshake, the magic cookie and mutual TLS.

use crate::support::plugin::Provider;

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
