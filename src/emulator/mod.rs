//! A local ModelArts: the app-authentication API with its documented paths, bodies,
//! status codes and errors, credential checks like the cloud's (IAM tokens and
//! SDK-HMAC-SHA256 AK/SK signatures), workspaces, paging, and a control API under
//! `/_emulator/` to inspect the world, read the call log, inject faults and change
//! settings. `docs/guides/emulator.md` is the user guide.
//!
//! The world lives in one struct behind one lock; every API call runs, is logged and
//! is persisted inside that lock, so the call log replays to the world exactly.

pub mod authorizations;
pub mod calls;
pub mod connections;
pub mod control;
pub mod credentials;
pub mod error;
pub mod faults;
pub mod handlers;
pub mod persist;
pub mod routes;
pub mod server;
pub mod settings;
pub mod world;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::http::HeaderValue;
use axum::response::Response;
use axum::Router;

pub use credentials::Credentials;
pub use server::Shared;
pub use settings::Settings;
pub use world::{World, WorldDoc};

/// How to start the emulator.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Accepted credentials and project.
    pub credentials: Credentials,
    /// A world document loaded at start when there is no state file yet.
    pub seed: Option<PathBuf>,
    /// Where the world is persisted after every change and loaded from at start.
    pub state_file: Option<PathBuf>,
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listen address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The seed or state file could not be loaded.
    #[error("{0}")]
    World(String),
}

/// A bound emulator, ready to serve.
#[derive(Debug)]
pub struct Emulator {
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
}

fn load_world(config: &Config) -> Result<World, StartError> {
    let from_state = match &config.state_file {
        Some(path) => persist::load(path).map_err(StartError::World)?,
        None => None,
    };
    let doc = match (from_state, &config.seed) {
        (Some(doc), _) => doc,
        (None, Some(seed)) => persist::load(seed)
            .map_err(StartError::World)?
            .ok_or_else(|| {
                StartError::World(format!("seed file {} does not exist", seed.display()))
            })?,
        (None, None) => WorldDoc::default(),
    };
    if let Some(project_id) = &config.credentials.project_id {
        if !doc.projects.is_empty() && !doc.projects.contains_key(project_id) {
            let held: Vec<&str> = doc.projects.keys().map(String::as_str).collect();
            return Err(StartError::World(format!(
                "the world holds project(s) {} but --project-id is {project_id}, so no \
                 request could reach them; pass one of them as --project-id",
                held.join(", ")
            )));
        }
    }
    World::from_doc(doc).map_err(|e| StartError::World(format!("invalid world: {e}")))
}

/// Adds `X-Request-Id` to answers that do not carry one yet (the control API's).
async fn request_id(mut response: Response) -> Response {
    if !response.headers().contains_key("x-request-id") {
        if let Ok(value) = HeaderValue::from_str(&world::new_id()) {
            response.headers_mut().insert("x-request-id", value);
        }
    }
    response
}

impl Emulator {
    /// Loads the world (state file, else seed, else empty) and binds the address.
    ///
    /// Returns [`StartError::World`] for an unreadable or inconsistent document and
    /// [`StartError::Bind`] when the address is taken or not local.
    pub async fn bind(config: Config) -> Result<Emulator, StartError> {
        let world = load_world(&config)?;
        let shared = Arc::new(Shared::new(world, config.credentials, config.state_file));
        {
            let inner = shared.lock();
            shared.persist(&inner.world);
        }
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| StartError::Bind {
                address: config.listen,
                source,
            })?;
        Ok(Emulator { listener, shared })
    }

    /// The bound address (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The routes: the control API, and everything else to the ModelArts API.
    pub fn router(shared: Arc<Shared>) -> Router {
        control::router()
            .fallback(server::api)
            .layer(axum::middleware::map_response(request_id))
            .with_state(shared)
    }

    /// Serves until `shutdown` completes, then finishes the requests in progress.
    ///
    /// Returns the I/O error that stopped the server, if any.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        connections::serve(self.listener, Self::router(self.shared), shutdown).await
    }
}
