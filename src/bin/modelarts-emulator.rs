//! `modelarts-emulator`: a local ModelArts app-authentication API for tests and demos.
//! All logic lives in the library's `emulator` module; see docs/guides/emulator.md.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use terraform_provider_modelarts::emulator::{Config, Credentials, Emulator};

/// A local ModelArts app-authentication API.
#[derive(Debug, Parser)]
#[command(name = "modelarts-emulator", version)]
struct Args {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// An accepted X-Auth-Token (repeatable).
    #[arg(long = "token", value_name = "TOKEN")]
    tokens: Vec<String>,
    /// An accepted access key, paired in order with --secret-key (repeatable).
    #[arg(long = "access-key", value_name = "AK", requires = "secret_keys")]
    access_keys: Vec<String>,
    /// The secret key of the access key in the same position (repeatable).
    #[arg(long = "secret-key", value_name = "SK", requires = "access_keys")]
    secret_keys: Vec<String>,
    /// Accept only this project id in request paths.
    #[arg(long)]
    project_id: Option<String>,
    /// World document loaded at start when the state file does not exist yet.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
    /// Persist the world here after every change, and load it at start.
    #[arg(long, value_name = "FILE")]
    state_file: Option<PathBuf>,
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler installs");
    tokio::select! {
        _ = interrupt => {}
        _ = terminate.recv() => {}
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MODELARTS_EMULATOR_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let args = Args::parse();
    if args.access_keys.len() != args.secret_keys.len() {
        eprintln!("error: give one --secret-key for every --access-key");
        return std::process::ExitCode::from(2);
    }
    if args.tokens.is_empty() && args.access_keys.is_empty() {
        tracing::warn!("no --token or --access-key given: every API request will be refused");
    }
    let credentials = Credentials {
        tokens: args.tokens,
        keys: args.access_keys.into_iter().zip(args.secret_keys).collect(),
        project_id: args.project_id,
    };
    let config = Config {
        listen: args.listen,
        credentials,
        seed: args.seed,
        state_file: args.state_file,
    };

    let emulator = match Emulator::bind(config).await {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let address = emulator
        .local_addr()
        .expect("a bound listener has an address");
    let mut stdout = std::io::stdout();
    // The first stdout line is the contract tests and scripts read the port from.
    let _ = writeln!(stdout, "listening on http://{address}");
    let _ = stdout.flush();
    if let Err(e) = emulator.serve(shutdown_signal()).await {
        eprintln!("error: {e}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
