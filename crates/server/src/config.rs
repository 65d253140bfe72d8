//! What the operator chooses: address, database, keys, redaction, limits.

use std::net::SocketAddr;

use slog::{Drain, Level, LevelFilter};

/// The default address, as upstream's "Local dev" server.
pub const DEFAULT_BIND: &str = "127.0.0.1:8000";
/// The default database: an SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "feather.db";
/// The default largest request body: 8 MiB, enough for long captured sessions.
pub const DEFAULT_MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen.
    pub bind: SocketAddr,
    /// `postgres://...` for PostgreSQL, else an SQLite file path (or `sqlite:` URL).
    pub database_url: String,
    /// The development key: a caller presenting it sees every organization's
    /// sessions. Keys made with `feather keys create` work alongside it.
    pub api_key: Option<String>,
    /// Redact PII from drafts (on unless turned off).
    pub redact_pii: bool,
    /// The largest request body accepted; larger ones get 413.
    pub max_body_bytes: usize,
    /// The log level: trace, debug, info, warn, error or critical.
    pub log_level: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: DEFAULT_BIND.parse().expect("the default address parses"),
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            api_key: None,
            redact_pii: true,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            log_level: "info".to_owned(),
        }
    }
}

impl ServerConfig {
    /// The server's logger: see [`logger`].
    pub fn logger(&self) -> anyhow::Result<slog::Logger> {
        logger(&self.log_level)
    }
}

/// Human-readable lines on stderr at `level` (trace, debug, info, warn, error or
/// critical), written by a background thread as dropshot's own loggers are.
///
/// Not dropshot's `ConfigLogging::StderrTerminal`: that one filters by level on
/// the background thread, so every request's info-level records are still built,
/// sent over a channel and dropped there even when only warnings are wanted (about
/// 5% of the draft endpoint's CPU under load). Here the filter comes first and a
/// record below the level costs a comparison.
pub fn logger(level: &str) -> anyhow::Result<slog::Logger> {
    let level = match level.to_ascii_lowercase().as_str() {
        "trace" => Level::Trace,
        "debug" => Level::Debug,
        "info" => Level::Info,
        "warn" | "warning" => Level::Warning,
        "error" => Level::Error,
        "critical" => Level::Critical,
        other => anyhow::bail!("unknown log level {other:?}"),
    };
    let decorator = slog_term::TermDecorator::new().build();
    let format = slog_term::FullFormat::new(decorator).build().fuse();
    let background = slog_async::Async::new(format)
        .chan_size(1024)
        .build()
        .fuse();
    Ok(slog::Logger::root(
        LevelFilter::new(background, level).fuse(),
        slog::o!(),
    ))
}
