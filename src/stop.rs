//! Surviving Ctrl-C. Terraform sends SIGINT to its whole process group, the plugin
//! included, and then asks the provider to stop over gRPC. A plugin that died on the
//! signal would lose what an operation in flight had already done, so the signal is
//! recorded instead; operations check it between batches and return the true state.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

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
}

// TODO(#4): Terraform's StopProvider call is handled inside tf-provider, which only
// cancels its own server token, invisible to resources; so only SIGINT stops an
// operation between batches. The mark can go when tf-provider lets a provider observe
// the stop request.

/// The flag the signal handler sets, shared by every resource in this process.
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
