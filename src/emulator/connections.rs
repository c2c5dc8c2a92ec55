//! The HTTP/1.1 server loop. Each connection carries a [`Hangup`] that its requests
//! find in their extensions, so that the `lose_answer` fault can close the connection
//! without sending anything; on shutdown, no connection is accepted any more and the
//! ones open finish the requests they are serving.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{service_fn, Service};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// Closes the connection a request came on, without an answer.
#[derive(Debug, Clone, Default)]
pub struct Hangup(Arc<Notify>);

impl Hangup {
    /// Closes the connection at once: the request being served gets no answer.
    pub fn close_connection(&self) {
        self.0.notify_one();
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then waits for the open
/// connections to finish their requests.
///
/// Returns only after shutdown; accept errors (such as running out of file
/// descriptors) are logged and retried, as a server must outlive them.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!(error = %e, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };

        // Answers go out as soon as they are written, as a cloud's servers send them,
        // rather than held back by Nagle's algorithm until the client acknowledges the
        // previous segment (which it may delay by tens of milliseconds).
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let hangup = Hangup::default();
        let app = TowerToHyperService::new(router.clone());
        let tagged = hangup.clone();
        let service = service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(tagged.clone());
            app.call(request)
        });
        let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // Dropping the connection closes the socket, whatever it was doing.
            tokio::select! {
                result = connection => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                }
                () = hangup.0.notified() => {}
            }
        });
    }
    graceful.shutdown().await;
    Ok(())
}
