//! Terraform's side of the plugin protocol, played against the provider binary: launch
//! with the magic cookie and AutoMTLS, read the handshake, connect over mutual TLS, and
//! call the tfplugin6 RPCs with msgpack values, without the Terraform CLI.

mod calls;
mod process;
pub mod schema;
mod tls;
pub mod value;

/// Client stubs for Terraform's plugin protocol 6, from `proto/tfplugin6.proto`.
#[allow(clippy::all, clippy::pedantic)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// Client stubs for go-plugin's controller service, from `proto/plugin.proto`.
#[allow(clippy::all, clippy::pedantic)]
pub mod go_plugin {
    tonic::include_proto!("plugin");
}

/// Requests carrying fields from no released protocol, from `proto/unreleased.proto`.
#[allow(clippy::all, clippy::pedantic)]
pub mod unreleased {
    tonic::include_proto!("unreleased");
}

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tonic::transport::{Channel, Endpoint, Uri};
use tonic::Status;

// Re-exports for the test files; a suite that uses only part of them must not warn.
#[allow(unused_imports)]
pub use calls::planned;
#[allow(unused_imports)]
pub use process::{Handshake, Launch, PluginProcess};
pub use tls::ClientIdentity;

use go_plugin::grpc_controller_client::GrpcControllerClient;
use tfplugin6::diagnostic::Severity;
use tfplugin6::provider_client::ProviderClient;
use tfplugin6::*;
use value::{dynamic, Value};

/// Longest any single call may take before the test gives up on the provider.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// The Terraform version the harness claims to be in `ConfigureProvider`.
pub const TERRAFORM_VERSION: &str = "1.10.0";
/// The resource every protocol test is about.
pub const APP_AUTH_API: &str = "modelarts_app_auth_api";

/// What the provider answered to a plan, an apply, a read or an upgrade.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The planned, new, read or upgraded value (null when the provider sent none).
    pub value: Value,
    /// The provider's private bytes.
    pub private: Vec<u8>,
    /// Plans only: the attribute paths whose change forces replacement.
    pub requires_replace: Vec<String>,
    /// Every diagnostic, errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

/// A provider plugin launched and connected the way Terraform does it, with its
/// schema already fetched. Calls block; the process is killed when this is dropped.
pub struct Provider {
    channel: Channel,
    client: ProviderClient<Channel>,
    schema: get_provider_schema::Response,
    /// The parsed handshake line.
    pub handshake: Handshake,
    /// The client certificate the provider was told to trust.
    pub identity: Option<ClientIdentity>,
    process: PluginProcess,
    runtime: tokio::runtime::Runtime,
}

impl Provider {
    /// Launches the provider exactly as Terraform does and fetches its schema.
    pub fn start() -> Provider {
        Provider::start_with(Launch::default())
    }

    /// Launches the provider with `launch`, connects presenting its client certificate,
    /// and fetches the schema; panics with the provider's stderr if any step fails.
    pub fn start_with(launch: Launch) -> Provider {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let mut process = PluginProcess::spawn(&launch);
        let handshake = process.handshake();
        let identity = launch.identity;
        let channel = runtime
            .block_on(connect(&handshake, identity.as_ref()))
            .unwrap_or_else(|error| {
                panic!("cannot connect: {error}; stderr:\n{}", process.stderr())
            });
        let mut client = ProviderClient::new(channel.clone());
        let schema = runtime
            .block_on(client.get_provider_schema(get_provider_schema::Request {}))
            .unwrap_or_else(|status| {
                panic!(
                    "GetProviderSchema failed: {status}; stderr:\n{}",
                    process.stderr()
                )
            })
            .into_inner();
        Provider {
            channel,
            client,
            schema,
            handshake,
            identity,
            process,
            runtime,
        }
    }

    /// A second client on a new connection, presenting `identity` (or no certificate).
    /// Fails when the TCP connection or the TLS handshake does.
    pub fn connect_as(
        &self,
        identity: Option<&ClientIdentity>,
    ) -> Result<ProviderClient<Channel>, String> {
        let channel = self.block_on(connect(&self.handshake, identity))?;
        Ok(ProviderClient::new(channel))
    }

    /// A client on the shared connection, for calls made concurrently.
    pub fn client(&self) -> ProviderClient<Channel> {
        self.client.clone()
    }

    /// A go-plugin controller client on the shared connection.
    pub fn controller(&self) -> GrpcControllerClient<Channel> {
        GrpcControllerClient::new(self.channel.clone())
    }

    /// Runs `future` on the harness's runtime and waits for it.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Starts `future` on the harness's runtime, for calls that must be in flight while
    /// the test does something else.
    pub fn spawn<F>(&self, future: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.runtime.spawn(future)
    }

    /// The plugin process, for its output and exit status.
    pub fn process(&mut self) -> &mut PluginProcess {
        &mut self.process
    }

    /// Everything the provider wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.process.stderr()
    }

    /// The schema response fetched at start.
    pub fn schema(&self) -> &get_provider_schema::Response {
        &self.schema
    }

    /// The provider configuration block.
    pub fn provider_block(&self) -> &schema::Block {
        let provider = self.schema.provider.as_ref().expect("a provider schema");
        provider.block.as_ref().expect("a provider schema block")
    }

    /// The schema of resource `type_name`; panics listing the resources there are.
    pub fn resource_schema(&self, type_name: &str) -> &Schema {
        self.schema
            .resource_schemas
            .get(type_name)
            .unwrap_or_else(|| {
                let names: Vec<&String> = self.schema.resource_schemas.keys().collect();
                panic!("no resource `{type_name}`; the provider has {names:?}")
            })
    }

    /// The configuration block of resource `type_name`.
    pub fn resource_block(&self, type_name: &str) -> &schema::Block {
        let schema = self.resource_schema(type_name);
        schema.block.as_ref().expect("a resource schema block")
    }
}

/// Opens a gRPC channel to the plugin over TLS, trusting the handshake's certificate
/// and presenting `identity` if given. Fails when the connection or TLS handshake does.
pub async fn connect(
    handshake: &Handshake,
    identity: Option<&ClientIdentity>,
) -> Result<Channel, String> {
    let config = Arc::new(tls::client_config(&handshake.server_cert, identity));
    let address = handshake.address.clone();
    let connector = tower::service_fn(move |_: Uri| tls::connect(address.clone(), config.clone()));
    Endpoint::from_static("http://localhost")
        .timeout(CALL_TIMEOUT)
        .connect_with_connector(connector)
        .await
        .map_err(|error| error_chain(&error))
}

/// An error with all its sources, the way a test failure should show it.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// The msgpack null Terraform sends as `provider_meta` when the provider declares none.
pub fn no_provider_meta() -> Option<DynamicValue> {
    Some(dynamic(&Value::Nil))
}

/// One line per diagnostic: severity, summary, detail and attribute path.
pub fn describe(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| {
            let path = d.attribute.as_ref().map(path_text).unwrap_or_default();
            format!(
                "{:?} {:?}: {:?} at [{path}]",
                d.severity(),
                d.summary,
                d.detail
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The error diagnostics among `diagnostics`.
pub fn errors(diagnostics: &[Diagnostic]) -> Vec<&Diagnostic> {
    diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .collect()
}

/// Panics with every diagnostic if any of them is an error.
pub fn assert_no_errors(diagnostics: &[Diagnostic], during: &str) {
    assert!(
        errors(diagnostics).is_empty(),
        "{during} reported errors:\n{}",
        describe(diagnostics)
    );
}

/// An attribute path as text: `app_ids`, `timeouts.create`, `tags["a"]`, `list[0]`.
pub fn path_text(path: &AttributePath) -> String {
    use attribute_path::step::Selector;
    let mut text = String::new();
    for step in &path.steps {
        match &step.selector {
            Some(Selector::AttributeName(name)) if text.is_empty() => text.push_str(name),
            Some(Selector::AttributeName(name)) => text.push_str(&format!(".{name}")),
            Some(Selector::ElementKeyString(key)) => text.push_str(&format!("[{key:?}]")),
            Some(Selector::ElementKeyInt(index)) => text.push_str(&format!("[{index}]")),
            None => text.push_str("[?]"),
        }
    }
    text
}

/// What a failed call looks like in a test message.
pub fn status_text(status: &Status) -> String {
    format!("{:?}: {}", status.code(), status.message())
}
