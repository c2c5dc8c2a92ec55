//! The ModelArts app-authentication API: request signing, credentials, and the client
//! with one function per operation.

mod apps;
mod attempt;
pub mod auth;
pub mod batch;
pub mod client;
mod coalesce;
pub mod error;
pub mod models;
pub mod paging;
pub mod path;
pub mod retry;
pub mod signing;
mod transport;

pub use auth::{Credentials, Secret};
pub use batch::{AppFailure, BatchOutcome, MAX_APPS_PER_CALL};
pub use client::{ApiRef, ClientConfig, ModelArtsClient};
pub use error::ClientError;
pub use models::{App, AuthorizedApp};
pub use retry::RetryPolicy;
pub use transport::MAX_BODY_BYTES;
