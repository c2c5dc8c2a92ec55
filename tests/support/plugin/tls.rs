//! AutoMTLS as Terraform's plugin client does it: a fresh client certificate handed to
//! the plugin in `PLUGIN_CLIENT_CERT`, and a server certificate trusted only because the
//! handshake line carried it.

use std::fmt;
use std::sync::Arc;

use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// The name go-plugin puts in its certificates and expects the plugin's to carry.
pub const PLUGIN_HOST: &str = "localhost";

/// A client certificate and its key, as go-plugin generates one per plugin launch.
#[derive(Clone)]
pub struct ClientIdentity {
    /// PEM text, the form `PLUGIN_CLIENT_CERT` carries.
    pub cert_pem: String,
    cert_der: CertificateDer<'static>,
    key_der: Vec<u8>,
}

impl ClientIdentity {
    /// A self-signed end-entity certificate for `localhost`, for client authentication.
    ///
    /// go-plugin's own certificate is a CA on curve P-521; rustls refuses the first
    /// and its ring backend cannot verify the second, so the harness presents a plain
    /// one that the plugin can actually verify.
    pub fn generate() -> ClientIdentity {
        let mut params = rcgen::CertificateParams::new(vec![PLUGIN_HOST.to_string()])
            .expect("client certificate parameters");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, PLUGIN_HOST);
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        ClientIdentity::self_signed(params)
    }

    /// A certificate shaped like go-plugin's (self-signed, marked as a CA, client and
    /// server authentication), on P-256 since ring offers no P-521 signing.
    pub fn generate_like_go_plugin() -> ClientIdentity {
        use rcgen::{BasicConstraints, ExtendedKeyUsagePurpose, IsCa, KeyUsagePurpose};
        let mut params = rcgen::CertificateParams::new(vec![PLUGIN_HOST.to_string()])
            .expect("client certificate parameters");
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "HashiCorp");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, PLUGIN_HOST);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyAgreement,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ClientAuth,
            ExtendedKeyUsagePurpose::ServerAuth,
        ];
        ClientIdentity::self_signed(params)
    }

    fn self_signed(params: rcgen::CertificateParams) -> ClientIdentity {
        let key = rcgen::KeyPair::generate().expect("generate a client key");
        let cert = params
            .self_signed(&key)
            .expect("self-sign the client certificate");
        ClientIdentity {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            key_der: key.serialize_der(),
        }
    }
}

/// Trusts exactly one server certificate, the one announced on the handshake line.
///
/// Webpki's chain building cannot be used: the plugin's certificate is self-signed and
/// marked as a CA, which webpki refuses as an end-entity certificate. Pinning the exact
/// bytes is stricter than what go-plugin does, and the signature and name checks still
/// run.
struct PinnedServerCert {
    der: Vec<u8>,
    crypto: Arc<CryptoProvider>,
}

impl fmt::Debug for PinnedServerCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinnedServerCert").finish_non_exhaustive()
    }
}

impl ServerCertVerifier for PinnedServerCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() != self.der.as_slice() {
            return Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            ));
        }
        let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_name(&parsed, server_name)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.crypto.signature_verification_algorithms;
        verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.crypto.signature_verification_algorithms;
        verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.crypto
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A TLS client configuration trusting `server_der`, presenting `identity` if given.
pub fn client_config(server_der: &[u8], identity: Option<&ClientIdentity>) -> ClientConfig {
    let crypto = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(PinnedServerCert {
        der: server_der.to_vec(),
        crypto: crypto.clone(),
    });
    let builder = ClientConfig::builder_with_provider(crypto)
        .with_safe_default_protocol_versions()
        .expect("TLS protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match identity {
        Some(identity) => {
            let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key_der.clone()));
            builder
                .with_client_auth_cert(vec![identity.cert_der.clone()], key)
                .expect("client certificate and key match")
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    config
}

/// Opens a TCP connection to `addr` and runs the TLS handshake as `localhost`.
pub async fn connect(
    addr: String,
    config: Arc<ClientConfig>,
) -> std::io::Result<TokioIo<tokio_rustls::client::TlsStream<TcpStream>>> {
    let tcp = TcpStream::connect(&addr).await?;
    tcp.set_nodelay(true)?;
    let name = ServerName::try_from(PLUGIN_HOST).expect("a valid DNS name");
    let tls = TlsConnector::from(config).connect(name, tcp).await?;
    Ok(TokioIo::new(tls))
}
