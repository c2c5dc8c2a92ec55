//! Launching the provider binary as Terraform does, and reading its handshake line.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

use super::tls::ClientIdentity;

/// The provider binary under test, unless `MODELARTS_TEST_PROVIDER` names another
/// build (a release build, say).
pub const PROVIDER_BINARY: &str = env!("CARGO_BIN_EXE_terraform-provider-modelarts");
/// Names a provider binary to test instead of [`PROVIDER_BINARY`].
pub const PROVIDER_OVERRIDE: &str = "MODELARTS_TEST_PROVIDER";
/// The variable go-plugin checks to tell a plugin launch from a person running it.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Terraform's value for [`MAGIC_COOKIE_KEY`].
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// How long a plugin may take to print its handshake line.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Provider settings a developer's shell may hold; a test must not inherit them.
const PROVIDER_ENVIRONMENT: &[&str] = &[
    "HW_REGION_NAME",
    "HW_PROJECT_ID",
    "HW_ACCESS_KEY",
    "HW_SECRET_KEY",
    "HW_SECURITY_TOKEN",
    "HW_AUTH_TOKEN",
    "HW_MODELARTS_ENDPOINT",
    "HW_CLOUD",
    "HW_INSECURE",
    "HW_MAX_RETRIES",
    "HW_WORKSPACE_ID",
    "PLUGIN_LOG_FILE",
];

/// How to launch the plugin; the default is exactly what Terraform does.
#[derive(Clone)]
pub struct Launch {
    /// Set Terraform's magic cookie.
    pub magic_cookie: bool,
    /// Client certificate handed over in `PLUGIN_CLIENT_CERT`; `None` turns AutoMTLS off.
    pub identity: Option<ClientIdentity>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
}

impl Default for Launch {
    fn default() -> Self {
        Launch {
            magic_cookie: true,
            identity: Some(ClientIdentity::generate()),
            env: Vec::new(),
        }
    }
}

/// The line a plugin prints once it serves: `CORE|PROTOCOL|NETWORK|ADDR|grpc|CERT`.
#[derive(Clone, Debug)]
pub struct Handshake {
    /// go-plugin's core protocol version, `1`.
    pub core_version: String,
    /// The Terraform plugin protocol the plugin chose.
    pub protocol_version: String,
    /// `tcp` or `unix`.
    pub network: String,
    /// Where the gRPC server listens.
    pub address: String,
    /// `grpc` (the old `netrpc` is not for protocol 6).
    pub protocol: String,
    /// The server certificate in DER, empty when AutoMTLS is off.
    pub server_cert: Vec<u8>,
}

impl Handshake {
    /// Parses a handshake line. Fails on a missing field or a certificate that is not
    /// base64 (go-plugin writes it without padding).
    pub fn parse(line: &str) -> Result<Handshake, String> {
        let fields: Vec<&str> = line.trim_end().split('|').collect();
        let [core, protocol_version, network, address, protocol, rest @ ..] = fields.as_slice()
        else {
            return Err(format!("a handshake line has at least 5 fields: {line:?}"));
        };
        let cert = rest.first().copied().unwrap_or_default();
        let lenient = GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
        );
        let server_cert = lenient
            .decode(cert)
            .map_err(|error| format!("the server certificate is not base64 ({error}): {line:?}"))?;
        Ok(Handshake {
            core_version: core.to_string(),
            protocol_version: protocol_version.to_string(),
            network: network.to_string(),
            address: address.to_string(),
            protocol: protocol.to_string(),
            server_cert,
        })
    }
}

/// A running plugin process whose output is collected; killed when dropped.
pub struct PluginProcess {
    child: Child,
    stdout_lines: mpsc::Receiver<String>,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<thread::JoinHandle<()>>,
}

impl PluginProcess {
    /// Starts the provider binary with the environment `launch` describes.
    pub fn spawn(launch: &Launch) -> PluginProcess {
        let binary = std::env::var(PROVIDER_OVERRIDE).unwrap_or(PROVIDER_BINARY.to_string());
        let mut command = Command::new(&binary);
        for name in PROVIDER_ENVIRONMENT {
            command.env_remove(name);
        }
        command
            .env_remove(MAGIC_COOKIE_KEY)
            .env_remove("PLUGIN_CLIENT_CERT")
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            .env("PLUGIN_MIN_PORT", "10000")
            .env("PLUGIN_MAX_PORT", "25000");
        if launch.magic_cookie {
            command.env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE);
        }
        if let Some(identity) = &launch.identity {
            command.env("PLUGIN_CLIENT_CERT", &identity.cert_pem);
        }
        command.envs(launch.env.iter().map(|(k, v)| (k, v)));
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {binary}: {error}"));

        let (line_tx, stdout_lines) = mpsc::channel();
        let stdout = Arc::new(Mutex::new(String::new()));
        let stdout_pipe = child.stdout.take().expect("piped stdout");
        let stdout_sink = stdout.clone();
        let stdout_reader = thread::spawn(move || {
            for line in BufReader::new(stdout_pipe).lines().map_while(Result::ok) {
                stdout_sink.lock().unwrap().push_str(&format!("{line}\n"));
                let _ = line_tx.send(line);
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut stderr_pipe = child.stderr.take().expect("piped stderr");
        let stderr_sink = stderr.clone();
        let stderr_reader = thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(read) = stderr_pipe.read(&mut chunk) {
                if read == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&chunk[..read]);
                stderr_sink.lock().unwrap().push_str(&text);
            }
        });

        PluginProcess {
            child,
            stdout_lines,
            stdout,
            stderr,
            readers: vec![stdout_reader, stderr_reader],
        }
    }

    /// Waits for the handshake line; panics with the process's stderr if none comes.
    pub fn handshake(&mut self) -> Handshake {
        let line = self
            .stdout_lines
            .recv_timeout(HANDSHAKE_TIMEOUT)
            .unwrap_or_else(|_| {
                panic!(
                    "no handshake line within {HANDSHAKE_TIMEOUT:?}; exit: {:?}; stderr:\n{}",
                    self.child.try_wait(),
                    self.stderr()
                )
            });
        Handshake::parse(&line).unwrap_or_else(|error| panic!("{error}"))
    }

    /// Everything the plugin wrote to stdout so far.
    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// Everything the plugin wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The process id, for sending it signals.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits up to `timeout` for the process to exit and returns how it ended; once it
    /// has, its whole output has been collected.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                for reader in self.readers.drain(..) {
                    let _ = reader.join();
                }
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for PluginProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
