//! The provider plugin binary. Terraform starts it; all logic lives in the library.

use std::process::ExitCode;

use terraform_provider_modelarts::provider::ModelArtsProvider;
use terraform_provider_modelarts::{logging, stop};

/// The cookie go-plugin hosts set, proving Terraform (not a person) started the plugin.
const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// Stack of each runtime worker, where requests are decoded.
const WORKER_STACK_BYTES: usize = 64 * 1024 * 1024;

fn main() -> ExitCode {
    if std::env::var(MAGIC_COOKIE_KEY).as_deref() != Ok(MAGIC_COOKIE_VALUE) {
        eprintln!(
            "This binary is a plugin for Terraform and is not meant to be run directly.\n\
             Install it (see the README) and run terraform instead."
        );
        return ExitCode::FAILURE;
    }
    // tf-provider appends a backtrace to the detail of every diagnostic it builds when
    // library backtraces are on, and CI machines often turn them on for their own
    // reasons. Users need the message; panics still print theirs (RUST_BACKTRACE).
    // Set before any thread starts.
    std::env::set_var("RUST_LIB_BACKTRACE", "0");
    logging::init_from_env();
    // Decoding a value nested as deep as the msgpack decoder allows (1024 levels) needs
    // more stack than Tokio's default in unoptimised builds; the memory is only reserved.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(WORKER_STACK_BYTES)
        .build();
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("terraform-provider-modelarts: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        if let Err(error) = stop::install_interrupt_handler() {
            tracing::warn!(error = %error, "could not install the interrupt handler");
        }
        match tf_provider::serve("modelarts", ModelArtsProvider::new()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                tracing::error!(error = %error, "the plugin server stopped with an error");
                ExitCode::FAILURE
            }
        }
    })
}
