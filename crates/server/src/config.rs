//! What the operator chooses: address, database, keys, redaction, limits.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use slog::{Drain, KV, Key, OwnedKVList, Record, Serializer};

pub use crate::front::{FrontOptions, Limits, TlsFiles};

/// The default address, as upstream's "Local dev" server.
pub const DEFAULT_BIND: &str = "127.0.0.1:8000";
/// The default database: an SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "feather.db";
/// The default largest request body: 8 MiB, enough for long captured sessions.
pub const DEFAULT_MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// The default bytes of all request bodies in flight together: one of the largest.
/// A body counts from its first byte read until dropshot has answered it, so the
/// budget bounds what bodies cost while they are validated, drafted and stored, not
/// only while they arrive. That costs far more than the body: an 8 MiB session (9,384
/// messages) took a release server from 18.6 to 102 MiB (about 10 bytes of memory a
/// body byte: the front's copy, dropshot's, the decoded tree, the typed session, the
/// draft, the stored text), so one such body at a time is what fits near the 64 MiB
/// target. Small bodies (at most [`crate::front::SMALL_BODY_BYTES`]) do not count
/// here: they have an allowance of their own, so they never wait behind large ones.
pub const DEFAULT_MAX_BODY_BYTES_IN_FLIGHT: usize = 8 * 1024 * 1024;
/// The default number of open client connections. Each holds up to three
/// descriptors, so 512 fit a common limit of 1,024 only if raised; `serve` raises
/// its soft limit to what this needs when the hard limit allows.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// The default wait for a request head (and of an idle keep-alive connection).
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 10;
/// The default longest gap in a body (and wait for its first byte).
pub const DEFAULT_BODY_IDLE_TIMEOUT_SECS: u64 = 10;
/// The default lowest average body rate: 8 KiB/s (an 8 MiB body in 17 minutes).
pub const DEFAULT_BODY_MIN_RATE: u64 = 8 * 1024;

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
    /// What replaces personal data in drafts: placeholders (the default), realistic
    /// surrogates, or nothing (redaction off).
    pub pii: feather_drafter::Pii,
    /// The front: what it allows each client and all of them together, CORS, TLS.
    pub front: FrontOptions,
    /// The log level: trace, debug, info, warn, error or critical.
    pub log_level: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: DEFAULT_BIND.parse().expect("the default address parses"),
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            api_key: None,
            pii: feather_drafter::Pii::Placeholders,
            front: FrontOptions::default(),
            log_level: "info".to_owned(),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_body_bytes_in_flight: DEFAULT_MAX_BODY_BYTES_IN_FLIGHT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_timeout: Duration::from_secs(DEFAULT_HEADER_TIMEOUT_SECS),
            body_idle_timeout: Duration::from_secs(DEFAULT_BODY_IDLE_TIMEOUT_SECS),
            body_min_rate: DEFAULT_BODY_MIN_RATE,
            wrong_key_burst: crate::front::refusals::WRONG_KEYS_BURST,
        }
    }
}

impl Limits {
    /// Refuses limits that cannot work together.
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.max_connections > 0,
            "the connection limit must be at least 1"
        );
        anyhow::ensure!(
            self.max_body_bytes <= self.max_body_bytes_in_flight,
            "the in-flight body budget ({} bytes) must hold at least one largest body ({} bytes)",
            self.max_body_bytes_in_flight,
            self.max_body_bytes
        );
        anyhow::ensure!(
            u32::try_from(self.max_body_bytes_in_flight).is_ok(),
            "the in-flight body budget must be under 4 GiB"
        );
        anyhow::ensure!(
            !self.header_timeout.is_zero() && !self.body_idle_timeout.is_zero(),
            "timeouts must be longer than zero"
        );
        Ok(())
    }
}

impl ServerConfig {
    /// The server's logger: see [`logger`].
    pub fn logger(&self) -> anyhow::Result<slog::Logger> {
        logger(&self.log_level)
    }
}

/// Human-readable lines on stderr at `level` (trace, debug, info, warn, error or
/// critical), written by a background thread from a bounded queue that never drops
/// a warning or an error unannounced: see [`crate::logging`].
///
/// On a terminal, in colour; otherwise each record is written whole, in one write
/// under the standard error lock that `eprintln!` takes too: written piece by piece
/// (as the terminal decorator writes), a record and the server's own lines (such as
/// "Feather API listening on ...") could interleave mid-line in a pipe, which a
/// test reading the log met.
pub fn logger(level: &str) -> anyhow::Result<slog::Logger> {
    use std::io::IsTerminal;
    let level = crate::logging::parse_level(level)?;
    let queue = crate::logging::QUEUE_RECORDS;
    if std::io::stderr().is_terminal() {
        let decorator = slog_term::TermDecorator::new().build();
        let format = slog_term::FullFormat::new(decorator).build().fuse();
        crate::logging::logger_to(level, format, queue)
    } else {
        let decorator = slog_term::PlainSyncDecorator::new(std::io::stderr());
        let format = slog_term::FullFormat::new(decorator).build().fuse();
        crate::logging::logger_to(level, format, queue)
    }
}

/// `log` for the API server behind the front: dropshot names its own address in a
/// `local_addr` value of every record ("listening", each request), which is the
/// loopback port only the front connects to. This logger writes `public`, the
/// address clients reach (the one `--bind` chose), in its place.
pub fn public_addr_logger(log: &slog::Logger, public: SocketAddr) -> slog::Logger {
    slog::Logger::root(
        PublicAddr {
            inner: log.clone(),
            public,
        },
        slog::o!(),
    )
}

/// The drain of [`public_addr_logger`].
struct PublicAddr {
    inner: slog::Logger,
    public: SocketAddr,
}

impl Drain for PublicAddr {
    type Ok = ();
    type Err = slog::Never;

    fn log(&self, record: &Record, values: &OwnedKVList) -> Result<(), slog::Never> {
        let values = OwnedKVList::from(slog::OwnedKV(Rewritten {
            values: values.clone(),
            public: self.public,
        }));
        // `Logger` as a drain: its own values are chained after these.
        let _ = Drain::log(&self.inner, record, &values);
        Ok(())
    }
}

/// A record's logger values with `local_addr` replaced.
struct Rewritten {
    values: OwnedKVList,
    public: SocketAddr,
}

impl KV for Rewritten {
    fn serialize(&self, record: &Record, serializer: &mut dyn Serializer) -> slog::Result {
        self.values.serialize(
            record,
            &mut Swap {
                inner: serializer,
                public: self.public,
            },
        )
    }
}

/// Passes every value on, with the public address as `local_addr`.
struct Swap<'a> {
    inner: &'a mut dyn Serializer,
    public: SocketAddr,
}

impl Serializer for Swap<'_> {
    fn emit_arguments(&mut self, key: Key, value: &fmt::Arguments) -> slog::Result {
        if key == "local_addr" {
            self.inner
                .emit_arguments(key, &format_args!("{}", self.public))
        } else {
            self.inner.emit_arguments(key, value)
        }
    }
}
