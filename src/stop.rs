//! Stopping early. Terraform asks a provider to stop in two ways: a terminal's Ctrl-C
//! sends SIGINT to its whole process group, the plugin included, and Terraform then
//! calls StopProvider over gRPC, which is all a provider gets when only the `terraform`
//! process is signalled (a cancelled CI job, a runner's timeout). Either sets one flag;
//! operations check it between batches and during waits, and return the true state.
//!
//! `tf-provider` answers StopProvider itself and does not pass it on, but its gRPC
//! server opens a `tracing` span named `request` (tower-http's trace layer) for every
//! call, carrying the call's URI. [`StopRequestLayer`] watches those spans, so the stop
//! reaches the provider the moment Terraform asks, before the crate even answers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, Filter, Layer};

/// How often a wait looks at the flag.
const POLL: Duration = Duration::from_millis(50);

/// Whether a stop was requested. Cheap to clone; all clones share one flag.
#[derive(Clone, Debug, Default)]
pub struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    /// Records that the user asked Terraform to stop.
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// True once a stop was requested.
    pub fn is_requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Sleeps for `pause`; returns false as soon as a stop is requested (at once when
    /// one already was), true when the whole pause went by.
    pub async fn sleep(&self, pause: Duration) -> bool {
        let until = Instant::now() + pause;
        loop {
            if self.is_requested() {
                return false;
            }
            let now = Instant::now();
            if now >= until {
                return true;
            }
            tokio::time::sleep((until - now).min(POLL)).await;
        }
    }
}

/// The flag the signal handler and the gRPC watch set, shared by everything in this
/// process.
pub fn global() -> &'static StopFlag {
    static FLAG: std::sync::OnceLock<StopFlag> = std::sync::OnceLock::new();
    FLAG.get_or_init(StopFlag::default)
}

/// Replaces the default "terminate" reaction to SIGINT with recording a stop.
///
/// Must run inside the Tokio runtime. Returns an error only when the handler cannot be
/// registered, in which case the default behaviour stays.
pub fn install_interrupt_handler() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        // Registration happens here, synchronously, not at the first poll.
        let mut interrupts = signal(SignalKind::interrupt())?;
        tokio::spawn(async move {
            while interrupts.recv().await.is_some() {
                global().request();
                tracing::warn!(
                    "interrupt received: finishing the operations in flight and recording \
                     what they did"
                );
            }
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async {
        while tokio::signal::ctrl_c().await.is_ok() {
            global().request();
            tracing::warn!("interrupt received: finishing the operations in flight");
        }
    });
    Ok(())
}

/// gRPC methods that mean "wrap up": Terraform's StopProvider, and go-plugin's
/// shutdown of the plugin (which Terraform also sends when it is killed off early).
const STOP_METHODS: [&str; 2] = [
    "/tfplugin6.Provider/StopProvider",
    "/plugin.GRPCController/Shutdown",
];

/// Where tower-http creates its per-request spans.
const REQUEST_SPAN_TARGET: &str = "tower_http::trace::make_span";

/// A `tracing` layer that sets a [`StopFlag`] when the gRPC server starts serving a
/// StopProvider (or plugin shutdown) call.
#[derive(Debug, Clone)]
pub struct StopRequestLayer {
    flag: StopFlag,
}

impl StopRequestLayer {
    /// A layer setting `flag`; the plugin passes [`global`].
    pub fn new(flag: StopFlag) -> Self {
        StopRequestLayer { flag }
    }

    /// The filter that lets exactly the request spans through to this layer, so that
    /// every other span and event of the process stays disabled for it.
    pub fn filter<S: Subscriber>() -> impl Filter<S> + Send + Sync + 'static {
        Targets::new().with_target(REQUEST_SPAN_TARGET, Level::TRACE)
    }
}

impl<S: Subscriber> Layer<S> for StopRequestLayer {
    fn on_new_span(&self, attributes: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
        if attributes.metadata().name() != "request" {
            return;
        }
        let mut uri = UriField(None);
        attributes.record(&mut uri);
        let Some(uri) = uri.0 else { return };
        // No log line here: `tracing` drops events emitted inside a subscriber's own
        // callback. The operations that stop say so in their diagnostics.
        if STOP_METHODS.iter().any(|method| uri.ends_with(method)) {
            self.flag.request();
        }
    }
}

/// Picks the `uri` field out of a span's attributes.
struct UriField(Option<String>);

impl Visit for UriField {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "uri" {
            self.0 = Some(value.to_string());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "uri" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// Emits a span shaped like tower-http's request span, from its target.
    fn request_span(uri: &str) {
        let span = tracing::span!(target: REQUEST_SPAN_TARGET, Level::DEBUG, "request",
            method = %"POST", uri = %uri, version = ?"HTTP/2.0");
        drop(span);
    }

    fn flag_after(emit: impl FnOnce()) -> bool {
        let flag = StopFlag::default();
        let layer = StopRequestLayer::new(flag.clone()).with_filter(StopRequestLayer::filter());
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, emit);
        flag.is_requested()
    }

    /// StopProvider and plugin shutdown set the flag; every other call leaves it.
    #[test]
    fn only_stop_calls_set_the_flag() {
        let cases = [
            (
                "stop provider",
                "https://127.0.0.1:10000/tfplugin6.Provider/StopProvider",
                true,
            ),
            (
                "shutdown",
                "https://127.0.0.1:10000/plugin.GRPCController/Shutdown",
                true,
            ),
            ("path only", "/tfplugin6.Provider/StopProvider", true),
            (
                "apply",
                "https://127.0.0.1:10000/tfplugin6.Provider/ApplyResourceChange",
                false,
            ),
            (
                "read",
                "https://127.0.0.1:10000/tfplugin6.Provider/ReadResource",
                false,
            ),
            (
                "stdio",
                "https://127.0.0.1:10000/plugin.GRPCStdio/StreamStdio",
                false,
            ),
        ];
        for (name, uri, expected) in cases {
            assert_eq!(flag_after(|| request_span(uri)), expected, "{name}");
        }
    }

    /// A span of another target or name with a stop URI is not a gRPC call.
    #[test]
    fn spans_that_are_not_requests_are_ignored() {
        let uri = "/tfplugin6.Provider/StopProvider";
        assert!(!flag_after(|| {
            let _span = tracing::span!(Level::DEBUG, "request", uri = %uri);
        }));
        assert!(!flag_after(|| {
            let _span = tracing::span!(target: REQUEST_SPAN_TARGET, Level::DEBUG, "other",
                uri = %uri);
        }));
    }

    /// A sleep ends early once a stop is requested, and not at all when one already was.
    #[tokio::test]
    async fn a_sleep_ends_when_a_stop_is_requested() {
        let flag = StopFlag::default();
        assert!(flag.sleep(Duration::from_millis(10)).await);
        let setter = flag.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            setter.request();
        });
        let started = std::time::Instant::now();
        assert!(!flag.sleep(Duration::from_secs(30)).await);
        assert!(started.elapsed() < Duration::from_secs(5));
        let started = std::time::Instant::now();
        assert!(!flag.sleep(Duration::from_secs(30)).await);
        assert!(started.elapsed() < Duration::from_millis(20));
    }
}
