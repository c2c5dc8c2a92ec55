//! Provider logs as JSON lines on stderr, in the shape Terraform's plugin log reader
//! (hclog) understands: `@level`, `@message`, `@timestamp`, `@module`, then the fields.
//!
//! Terraform shows what a provider writes to stderr whenever `TF_LOG` is set, so these
//! lines are public: fields whose name suggests a credential are written as `***`. The
//! same lines are appended to the file `PLUGIN_LOG_FILE` names, when it is set.

use std::fs::OpenOptions;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

use chrono::{Local, SecondsFormat};
use serde_json::{Map, Value as Json};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Filtered;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

use crate::stop::{self, StopRequestLayer};

/// The `@module` every line carries, so Terraform's log names the provider.
pub const MODULE: &str = "provider.modelarts";

/// Our own crate, logged at the level asked for; dependencies stay at info or quieter.
const OWN_TARGET: &str = "terraform_provider_modelarts";

/// Name fragments that mark a field as a credential whose value must never be written.
const SECRET_FIELD_MARKERS: [&str; 8] = [
    "secret",
    "token",
    "password",
    "passwd",
    "authorization",
    "signature",
    "credential",
    "private_key",
];

/// The level Terraform asked for: `TF_LOG_PROVIDER` wins over `TF_LOG`; `None` when
/// logging is off. Values are read like Terraform reads them: case-insensitive level
/// names, `JSON` meaning trace, `OFF` meaning off, anything else non-empty meaning trace.
pub fn level_from_env(tf_log: Option<&str>, tf_log_provider: Option<&str>) -> Option<Level> {
    let raw = [tf_log_provider, tf_log]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|value| !value.is_empty())?;
    match raw.to_ascii_uppercase().as_str() {
        "OFF" => None,
        "ERROR" => Some(Level::ERROR),
        "WARN" => Some(Level::WARN),
        "INFO" => Some(Level::INFO),
        "DEBUG" => Some(Level::DEBUG),
        _ => Some(Level::TRACE),
    }
}

/// Set by `tf-provider` users to get a log file; this provider writes it itself.
const LOG_FILE_VAR: &str = "PLUGIN_LOG_FILE";

/// Why the `PLUGIN_LOG_FILE` file could not be opened, for the provider to say so in a
/// diagnostic: the plugin's stderr reaches users only when `TF_LOG` is set.
static LOG_FILE_PROBLEM: OnceLock<String> = OnceLock::new();

/// Installs the process's one subscriber: the stop watch (see [`crate::stop`]) always,
/// the JSON logger on stderr at Terraform's level when `TF_LOG` asks for logs, and the
/// same lines appended to the file `PLUGIN_LOG_FILE` names, when it is set (at
/// Terraform's level, or trace when it asked for none). Every provider process that
/// Terraform starts appends to that file.
///
/// Removes `PLUGIN_LOG_FILE` from the environment, so that `tf_provider::serve` does not
/// install a subscriber of its own (it would panic on finding this one, and would log
/// every dependency at trace, unredacted). Call it before any other thread starts.
pub fn init_from_env() {
    let log_file = std::env::var_os(LOG_FILE_VAR);
    if log_file.is_some() {
        std::env::remove_var(LOG_FILE_VAR);
    }
    let tf_log = std::env::var("TF_LOG").ok();
    let tf_log_provider = std::env::var("TF_LOG_PROVIDER").ok();
    let level = level_from_env(tf_log.as_deref(), tf_log_provider.as_deref());

    let to_file =
        log_file.and_then(
            |path| match OpenOptions::new().create(true).append(true).open(&path) {
                Ok(file) => Some(hclog(
                    BoxMakeWriter::new(Mutex::new(file)),
                    level.unwrap_or(Level::TRACE),
                )),
                Err(error) => {
                    let _ = LOG_FILE_PROBLEM.set(format!(
                        "{LOG_FILE_VAR} is {path:?}, which cannot be opened for appending \
                     ({error}), so the provider writes no log file. Point it at a file in a \
                     writable directory, or unset it."
                    ));
                    None
                }
            },
        );
    let to_stderr = level.map(|level| hclog(BoxMakeWriter::new(std::io::stderr), level));
    // Without any subscriber, `tracing` would hand every span of the gRPC stack to the
    // `log` crate; with this one, everything but the request spans the stop watch reads
    // is disabled at its call site when no log was asked for.
    let stop_watch =
        StopRequestLayer::new(stop::global().clone()).with_filter(StopRequestLayer::filter());
    // A second initialisation (tests) is harmless: keep the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(stop_watch)
        .with(to_stderr)
        .with(to_file)
        .try_init();
}

/// Why the log file `PLUGIN_LOG_FILE` names is not being written, if it is not.
pub fn log_file_problem() -> Option<&'static str> {
    LOG_FILE_PROBLEM.get().map(String::as_str)
}

/// An hclog layer through `writer`: our own events at `level`, dependencies' at `level`
/// or info, whichever is quieter.
fn hclog<S: Subscriber>(
    writer: BoxMakeWriter,
    level: Level,
) -> Filtered<HclogLayer<BoxMakeWriter>, Targets, S> {
    let dependencies = LevelFilter::from_level(level).min(LevelFilter::INFO);
    let filter = Targets::new()
        .with_default(dependencies)
        .with_target(OWN_TARGET, level);
    HclogLayer::new(writer).with_filter(filter)
}

/// A `tracing` layer writing each event as one hclog JSON line.
pub struct HclogLayer<W> {
    make_writer: W,
}

impl<W> HclogLayer<W>
where
    W: for<'w> MakeWriter<'w> + 'static,
{
    /// A layer writing through `make_writer` (stderr in the plugin, a buffer in tests).
    pub fn new(make_writer: W) -> Self {
        HclogLayer { make_writer }
    }
}

impl<S, W> Layer<S> for HclogLayer<W>
where
    S: Subscriber,
    W: for<'w> MakeWriter<'w> + 'static,
{
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut line = format_event(event);
        line.push('\n');
        // One write per line keeps lines whole; logging must never fail an operation.
        let _ = self.make_writer.make_writer().write_all(line.as_bytes());
    }
}

/// One event as an hclog JSON object (without the trailing newline).
pub fn format_event(event: &Event<'_>) -> String {
    let mut fields = FieldCollector::default();
    event.record(&mut fields);

    let mut object = Map::new();
    object.insert("@level".into(), level_name(event.metadata().level()).into());
    object.insert("@message".into(), fields.message.unwrap_or_default().into());
    object.insert(
        "@timestamp".into(),
        Local::now()
            .to_rfc3339_opts(SecondsFormat::Micros, false)
            .into(),
    );
    object.insert("@module".into(), MODULE.into());
    for (name, value) in fields.fields {
        object.entry(name).or_insert(value);
    }
    Json::Object(object).to_string()
}

fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

fn is_secret_field(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_FIELD_MARKERS
        .iter()
        .any(|marker| name.contains(marker))
}

/// Collects an event's message and fields, redacting credential-like fields.
#[derive(Default)]
struct FieldCollector {
    message: Option<String>,
    fields: Vec<(String, Json)>,
}

impl FieldCollector {
    fn push(&mut self, field: &Field, value: Json) {
        if field.name() == "message" {
            self.message = Some(match value {
                Json::String(text) => text,
                other => other.to_string(),
            });
        } else if is_secret_field(field.name()) {
            self.fields.push((field.name().to_string(), "***".into()));
        } else {
            self.fields.push((field.name().to_string(), value));
        }
    }
}

impl Visit for FieldCollector {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.push(field, format!("{value:?}").into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.push(field, value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.push(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.push(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.push(field, value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.push(field, value.into());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A writer factory that appends every line to a shared buffer.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'w self) -> Self::Writer {
            self.clone()
        }
    }

    fn capture(emit: impl FnOnce()) -> Vec<Json> {
        let buffer = Buffer::default();
        let subscriber = tracing_subscriber::registry().with(HclogLayer::new(buffer.clone()));
        tracing::subscriber::with_default(subscriber, emit);
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|line| serde_json::from_str(line).expect("every line is JSON"))
            .collect()
    }

    /// Each event becomes one JSON line with the four hclog keys and its fields.
    #[test]
    fn an_event_becomes_an_hclog_json_line() {
        let lines = capture(|| {
            tracing::info!(
                endpoint_host = "example.com",
                attempt = 2,
                "provider configured"
            )
        });
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line["@level"], "info");
        assert_eq!(line["@message"], "provider configured");
        assert_eq!(line["@module"], MODULE);
        assert_eq!(line["endpoint_host"], "example.com");
        assert_eq!(line["attempt"], 2);
        let stamp = line["@timestamp"].as_str().unwrap();
        chrono::DateTime::parse_from_rfc3339(stamp).expect("RFC 3339 timestamp");
        // hclog's reader wants exactly six fractional digits.
        let fraction = stamp.split('.').nth(1).unwrap();
        assert_eq!(fraction.chars().take_while(char::is_ascii_digit).count(), 6);
    }

    /// Every tracing level maps to the lower-case name hclog expects.
    #[test]
    fn levels_are_written_in_hclog_words() {
        let lines = capture(|| {
            tracing::trace!("t");
            tracing::debug!("d");
            tracing::info!("i");
            tracing::warn!("w");
            tracing::error!("e");
        });
        let levels: Vec<_> = lines.iter().map(|l| l["@level"].clone()).collect();
        assert_eq!(levels, ["trace", "debug", "info", "warn", "error"]);
    }

    /// A field named like a credential is written as `***`, never with its value.
    #[test]
    fn a_field_named_like_a_secret_never_shows_its_value() {
        let cases = [
            ("secret_key", "sk-value-1"),
            ("token", "tok-value-2"),
            ("x_auth_token", "tok-value-3"),
            ("authorization", "SDK-HMAC-SHA256 Signature=abc"),
            ("app_secret", "app-secret-4"),
            ("security_token", "sts-value-5"),
        ];
        for (name, value) in cases {
            let lines = capture(|| match name {
                "secret_key" => tracing::info!(secret_key = value, "m"),
                "token" => tracing::info!(token = value, "m"),
                "x_auth_token" => tracing::info!(x_auth_token = value, "m"),
                "authorization" => tracing::info!(authorization = value, "m"),
                "app_secret" => tracing::info!(app_secret = value, "m"),
                _ => tracing::info!(security_token = value, "m"),
            });
            let text = lines[0].to_string();
            assert!(!text.contains(value), "{name} leaked: {text}");
            assert_eq!(lines[0][name], "***", "{name}");
        }
    }

    /// TF_LOG_PROVIDER wins over TF_LOG, and levels are read as Terraform reads them.
    #[test]
    fn the_log_level_follows_terraforms_variables() {
        let cases = [
            ("nothing set", None, None, None),
            ("empty", Some(""), None, None),
            ("tf_log debug", Some("DEBUG"), None, Some(Level::DEBUG)),
            ("lower case", Some("info"), None, Some(Level::INFO)),
            (
                "provider wins",
                Some("TRACE"),
                Some("WARN"),
                Some(Level::WARN),
            ),
            ("provider off wins", Some("TRACE"), Some("OFF"), None),
            ("json is trace", Some("JSON"), None, Some(Level::TRACE)),
            (
                "unknown is trace",
                Some("verbose"),
                None,
                Some(Level::TRACE),
            ),
            ("error", None, Some("ERROR"), Some(Level::ERROR)),
        ];
        for (name, tf_log, provider, expected) in cases {
            assert_eq!(level_from_env(tf_log, provider), expected, "{name}");
        }
    }
}
