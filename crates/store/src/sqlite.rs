//! The SQLite backend: its connection, its pool and its dialect.
//!
//! Ids are stored as lowercase hyphenated UUID text. Timestamps are made by SQLite
//! itself as RFC 3339 UTC text with milliseconds, by the one expression [`now!`].
//! Attribution strings arrive as bytes and are cast to TEXT, the column type they
//! have always had; a NUL character in them is kept like any other.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection};

use crate::dialect::{Dialect, Scoped};
use crate::group_commit::Queue;
use crate::sqlite_readers::Readers;
use crate::{ACQUIRE_TIMEOUT, Backend, SqliteSynchronous, StoreError, StoreOptions};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a statement waits for another connection's write lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections in the pool: WAL lets readers run beside the one writer, and the
/// machines this runs on have few cores.
const MAX_CONNECTIONS: u32 = 4;

/// The current time as the store keeps it.
macro_rules! now {
    () => {
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    };
}

/// A session's columns as `rows::SessionRecord` reads them, then `$condition`.
macro_rules! select_session {
    ($condition:literal) => {
        concat!(
            "SELECT organization_id, session_id, analysis_input, \
                 CAST(agent_name AS BLOB) AS agent_name, \
                 CAST(persona_id AS BLOB) AS persona_id, \
                 CAST(persona_name AS BLOB) AS persona_name, \
                 created_at, updated_at, revision \
             FROM sessions WHERE ",
            $condition
        )
    };
}

/// A key's columns as `rows::KeyRecord` reads them, then `$condition`.
macro_rules! select_keys {
    ($condition:literal) => {
        concat!(
            "SELECT id, organization_id, name, created_at, revoked_at FROM api_keys ",
            $condition,
            " ORDER BY created_at, id"
        )
    };
}

/// A scenario's columns as `rows::ScenarioRecord` reads them, then `$condition`.
macro_rules! select_scenarios {
    ($($condition:tt)*) => {
        concat!(
            "SELECT id, organization_id, source_session_id, document, created_at, updated_at \
             FROM scenarios WHERE ",
            $($condition)*
        )
    };
}

/// The conditions of a page of scenarios: after the cursor, with the tag, from
/// the session (each skipped when its parameter is NULL). The tag comes as JSON
/// text (`dialect.rs`).
macro_rules! scenario_page {
    () => {
        "(?1 IS NULL OR created_at < ?1 OR (created_at = ?1 AND id < ?2)) \
         AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(scenarios.tags) AS t \
             WHERE t.value = json_extract(?3, '$'))) \
         AND (?4 IS NULL OR source_session_id = ?4)"
    };
}

/// A page of sessions as `rows::SessionSummaryRecord` reads them, after the cursor.
macro_rules! select_summaries {
    () => {
        "SELECT s.organization_id AS organization_id, s.session_id AS session_id, \
             d.draft AS draft, s.analysis_input AS analysis_input, \
             s.created_at AS created_at, s.updated_at AS updated_at \
         FROM sessions s LEFT JOIN session_drafts d \
             ON d.session_id = s.session_id AND d.organization_id = s.organization_id \
         WHERE (?1 IS NULL OR s.created_at < ?1 OR (s.created_at = ?1 AND s.session_id < ?2))"
    };
}

/// Triage's groups (`Dialect::triage_groups`), then `$scope` and the grouping.
macro_rules! triage_groups {
    ($scope:literal) => {
        concat!(
            "SELECT d.signature_key, COUNT(*), MAX(d.severity), \
                 SUM(d.signals & 1), SUM((d.signals >> 1) & 1), SUM((d.signals >> 2) & 1), \
                 SUM((d.signals >> 3) & 1), SUM((d.signals >> 4) & 1), SUM((d.signals >> 5) & 1), \
                 SUM((d.signals >> 6) & 1), SUM((d.signals >> 7) & 1), SUM((d.signals >> 8) & 1) \
             FROM session_drafts d \
             WHERE d.signature_key IS NOT NULL \
                 AND (?1 IS NULL OR EXISTS (SELECT 1 FROM sessions s \
                     WHERE s.organization_id = d.organization_id \
                         AND s.session_id = d.session_id AND s.created_at >= ?1)) ",
            $scope,
            " GROUP BY d.signature_key"
        )
    };
}

/// The sessions of one key (`Dialect::triage_members`), then `$scope` and the order.
macro_rules! triage_members {
    ($scope:literal) => {
        concat!(
            "SELECT d.organization_id, d.session_id, d.severity, d.signals \
             FROM session_drafts d \
             WHERE d.signature_key = ?1 \
                 AND (?2 IS NULL OR EXISTS (SELECT 1 FROM sessions s \
                     WHERE s.organization_id = d.organization_id \
                         AND s.session_id = d.session_id AND s.created_at >= ?2)) ",
            $scope,
            " ORDER BY d.severity DESC, d.session_id LIMIT ?3"
        )
    };
}

pub static DIALECT: Dialect = Dialect {
    backend: Backend::Sqlite,
    upsert_session: concat!(
        "INSERT INTO sessions (organization_id, session_id, analysis_input, \
             agent_name, persona_id, persona_name, created_at, updated_at) \
         VALUES (?1, ?2, ?3, CAST(?4 AS TEXT), CAST(?5 AS TEXT), CAST(?6 AS TEXT), ",
        now!(),
        ", ",
        now!(),
        ") ON CONFLICT (organization_id, session_id) DO UPDATE SET \
             analysis_input = excluded.analysis_input, \
             agent_name = excluded.agent_name, \
             persona_id = excluded.persona_id, \
             persona_name = excluded.persona_name, \
             revision = revision + 1, \
             updated_at = excluded.updated_at \
         RETURNING revision"
    ),
    upsert_draft_row: "INSERT INTO session_drafts (organization_id, session_id, version, draft, \
             signature_key, signature, signals, severity) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT (session_id, organization_id) DO UPDATE SET \
             version = excluded.version, draft = excluded.draft, \
             signature_key = excluded.signature_key, signature = excluded.signature, \
             signals = excluded.signals, severity = excluded.severity",
    // SQLite has no data-modifying common table expressions; its captures go to
    // the writer thread (`sqlite_writer.rs`), which runs the two upserts.
    upsert_capture: None,
    put_draft: "INSERT INTO session_drafts (organization_id, session_id, version, draft) \
         SELECT organization_id, session_id, ?1, ?2 FROM sessions \
         WHERE organization_id = ?3 AND session_id = ?4 AND revision = ?5 \
         ON CONFLICT (session_id, organization_id) DO UPDATE SET \
             version = excluded.version, draft = excluded.draft",
    session: Scoped {
        any: select_session!("session_id = ?1 ORDER BY organization_id LIMIT 1"),
        organization: select_session!("session_id = ?1 AND organization_id = ?2"),
    },
    draft: Scoped {
        any: "SELECT organization_id, CASE WHEN version = ?1 THEN draft END \
             FROM session_drafts WHERE session_id = ?2 ORDER BY organization_id LIMIT 1",
        organization: "SELECT organization_id, CASE WHEN version = ?1 THEN draft END \
             FROM session_drafts WHERE session_id = ?2 AND organization_id = ?3",
    },
    session_organization: Scoped {
        any: "SELECT organization_id, NULL FROM sessions \
             WHERE session_id = ?1 ORDER BY organization_id LIMIT 1",
        organization: "SELECT organization_id, NULL FROM sessions \
             WHERE session_id = ?1 AND organization_id = ?2",
    },
    count_sessions: "SELECT COUNT(*) FROM sessions",
    session_ids: Scoped {
        any: "SELECT DISTINCT session_id FROM sessions ORDER BY session_id LIMIT ?1",
        organization: "SELECT session_id FROM sessions WHERE organization_id = ?2 \
             ORDER BY session_id LIMIT ?1",
    },
    create_key: concat!(
        "INSERT INTO api_keys (id, organization_id, name, key_hash, created_at) \
         VALUES (?1, ?2, ?3, ?4, ",
        now!(),
        ") RETURNING created_at"
    ),
    keys: Scoped {
        any: select_keys!(""),
        organization: select_keys!("WHERE organization_id = ?1"),
    },
    revoke_key: concat!(
        "UPDATE api_keys SET revoked_at = ",
        now!(),
        " WHERE id = ?1 AND revoked_at IS NULL"
    ),
    live_key: "SELECT organization_id, key_hash FROM api_keys \
         WHERE key_hash = ?1 AND revoked_at IS NULL",
    insert_scenario: concat!(
        "INSERT INTO scenarios (id, organization_id, source_session_id, tags, document, \
             created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ",
        now!(),
        ", ",
        now!(),
        ") RETURNING created_at, updated_at"
    ),
    scenario: Scoped {
        any: select_scenarios!("id = ?1"),
        organization: select_scenarios!("id = ?1 AND organization_id = ?2"),
    },
    delete_scenario: Scoped {
        any: "DELETE FROM scenarios WHERE id = ?1",
        organization: "DELETE FROM scenarios WHERE id = ?1 AND organization_id = ?2",
    },
    scenarios: Scoped {
        any: concat!(
            select_scenarios!(scenario_page!()),
            " ORDER BY created_at DESC, id DESC LIMIT ?5"
        ),
        organization: concat!(
            select_scenarios!(scenario_page!()),
            " AND organization_id = ?6 ORDER BY created_at DESC, id DESC LIMIT ?5"
        ),
    },
    sessions: Scoped {
        any: concat!(
            select_summaries!(),
            " ORDER BY s.created_at DESC, s.session_id DESC LIMIT ?3"
        ),
        organization: concat!(
            select_summaries!(),
            " AND s.organization_id = ?4 ORDER BY s.created_at DESC, s.session_id DESC LIMIT ?3"
        ),
    },
    triage_groups: Scoped {
        any: triage_groups!(""),
        organization: triage_groups!("AND d.organization_id = ?2"),
    },
    triage_members: Scoped {
        any: triage_members!(""),
        organization: triage_members!("AND d.organization_id = ?4"),
    },
    triage_session: "SELECT signature, draft FROM session_drafts \
         WHERE organization_id = ?1 AND session_id = ?2",
    covered_keys: Scoped {
        any: "SELECT DISTINCT d.signature_key FROM scenarios sc JOIN session_drafts d \
             ON d.organization_id = sc.organization_id AND d.session_id = sc.source_session_id \
             WHERE d.signature_key IS NOT NULL",
        organization: "SELECT DISTINCT d.signature_key FROM scenarios sc JOIN session_drafts d \
             ON d.organization_id = sc.organization_id AND d.session_id = sc.source_session_id \
             WHERE d.signature_key IS NOT NULL AND sc.organization_id = ?1",
    },
    unsigned_sessions: "SELECT s.organization_id, s.session_id, s.analysis_input, \
             CAST(s.agent_name AS BLOB) AS agent_name, \
             CAST(s.persona_id AS BLOB) AS persona_id, \
             CAST(s.persona_name AS BLOB) AS persona_name, \
             s.created_at, s.updated_at, s.revision \
         FROM session_drafts d JOIN sessions s \
             ON s.organization_id = d.organization_id AND s.session_id = d.session_id \
         WHERE d.signature_key IS NULL LIMIT ?1",
    put_signature: "UPDATE session_drafts SET signature_key = ?1, signature = ?2, \
             signals = ?3, severity = ?4 \
         WHERE organization_id = ?5 AND session_id = ?6",
};

/// What [`connect`] opens: the pool, and for a database in a file what works on
/// the file beside it.
pub struct Connected {
    pub pool: AnyPool,
    pub file: Option<File>,
}

/// The request-path readers of a database file, the guard of its writes and the
/// queue of the thread that commits its captures.
pub struct File {
    pub readers: Arc<Readers>,
    pub guard: Arc<FileGuard>,
    pub captures: Queue,
}

/// A plain rusqlite connection to the database file at `path`, waiting up to
/// [`BUSY_TIMEOUT`] for a lock: what the readers, the writer thread and the
/// checkpoint thread each start from. The file must exist.
pub fn open(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let flags =
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = rusqlite::Connection::open_with_flags(path, flags)?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    Ok(connection)
}

/// The database file a store opened, watched so that its writes stay honest.
///
/// - A write is made, and acknowledged, only while the path still names the file
///   (device and inode) the store opened: a file removed or replaced under a
///   running server is [`StoreError::Unavailable`] with the reason, so no capture
///   is acknowledged into a file that a restart would not find.
/// - A write that fails as unavailable (a read-only file, a full disk, an I/O
///   error) retires the pool's connections opened before it: SQLite opens a file
///   it may not write read-only and keeps it so for the connection's life, so
///   only new connections see the file writable again, without a restart.
/// - A server started on a file it may not write makes the WAL and shared-memory
///   files (`-wal`, `-shm`) itself, and SQLite gives them the database file's mode:
///   read-only. Making the database writable again then left them read-only, and
///   every capture failed until a restart. So after a failed write, once the
///   database file is writable, [`FileGuard::repair`] gives those two files the
///   database's mode again (what SQLite would have given them) and asks every
///   connection of the process to the file to be opened anew
///   ([`FileGuard::generation`]): SQLite shares one mapping of the shared memory
///   between all the connections of a process, read-only if the first of them
///   found it so, until the last one closes.
pub struct FileGuard {
    path: PathBuf,
    /// Device and inode of the file as opened.
    identity: OnceLock<(u64, u64)>,
    /// When a write last failed as unavailable.
    failed_at: Mutex<Option<Instant>>,
    /// A write failed as unavailable and none has succeeded since.
    failing: AtomicBool,
    /// Bumped when every connection to the file must be opened anew.
    generation: AtomicU64,
}

impl FileGuard {
    fn new(path: PathBuf) -> FileGuard {
        FileGuard {
            path,
            identity: OnceLock::new(),
            failed_at: Mutex::new(None),
            failing: AtomicBool::new(false),
            generation: AtomicU64::new(0),
        }
    }

    /// Which connections may be kept: one opened under an older generation must
    /// be closed and opened again ([`FileGuard::repair`]).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// After a write failed as unavailable: when the database file is writable
    /// again but its `-wal` or `-shm` file is not, gives them the database file's
    /// mode and starts a new [`FileGuard::generation`]. `true` when it did, so
    /// the caller closes what connections it can reach.
    ///
    /// Only a file this process may change the mode of is changed (its owner's,
    /// which is this process when it made them); a mode change that is refused is
    /// left to the operator, and the writes go on failing as unavailable.
    pub fn repair(&self) -> bool {
        if !self.failing.load(Ordering::SeqCst) || !writable(&self.path) {
            return false;
        }
        let Ok(metadata) = std::fs::metadata(&self.path) else {
            return false;
        };
        let mode = std::fs::Permissions::from_mode(metadata.mode() & 0o777);
        let mut repaired = false;
        for suffix in ["-wal", "-shm"] {
            let mut journal = self.path.clone().into_os_string();
            journal.push(suffix);
            let journal = PathBuf::from(journal);
            if journal.exists()
                && !writable(&journal)
                && std::fs::set_permissions(&journal, mode.clone()).is_ok()
            {
                repaired = true;
            }
        }
        if repaired {
            self.write_failed();
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
        repaired
    }

    /// Notes the identity of the file as it is now, once it exists.
    fn opened(&self) -> Result<(), StoreError> {
        let metadata = std::fs::metadata(&self.path).map_err(|err| {
            StoreError::Unavailable(format!(
                "the SQLite database {} cannot be examined: {err}",
                self.path.display()
            ))
        })?;
        let _ = self.identity.set((metadata.dev(), metadata.ino()));
        Ok(())
    }

    /// Whether the path still names the file the store opened.
    pub fn check(&self) -> Result<(), StoreError> {
        let Some(&(device, inode)) = self.identity.get() else {
            return Ok(());
        };
        let path = self.path.display();
        match std::fs::metadata(&self.path) {
            Ok(now) if (now.dev(), now.ino()) == (device, inode) => Ok(()),
            Ok(now) => Err(StoreError::Unavailable(format!(
                "the SQLite database {path} was replaced by another file (inode {inode} \
                 opened, inode {} there now); writes are refused until the server is \
                 restarted on the file meant",
                now.ino()
            ))),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                Err(StoreError::Unavailable(format!(
                    "the SQLite database {path} was removed while the server had it open; \
                     writes are refused, as nothing written now would be there after a restart"
                )))
            }
            Err(err) => Err(StoreError::Unavailable(format!(
                "the SQLite database {path} cannot be examined: {err}"
            ))),
        }
    }

    /// What a write that [`FileGuard::check`] let through comes to: a write that
    /// failed as unavailable retires the connections opened before it
    /// ([`FileGuard::write_failed`]), and a write is acknowledged only if the path
    /// still names the file after it.
    pub fn finish<T>(&self, written: Result<T, StoreError>) -> Result<T, StoreError> {
        match &written {
            Err(err) if err.is_unavailable() => {
                self.write_failed();
                self.failing.store(true, Ordering::SeqCst);
            }
            Err(_) => {}
            Ok(_) => self.failing.store(false, Ordering::SeqCst),
        }
        self.check()?;
        written
    }

    /// Notes that a write failed as unavailable: the connections opened before now
    /// are retired as they come back to be used.
    fn write_failed(&self) {
        *self.lock_failed_at() = Some(Instant::now());
    }

    /// Whether a connection of age `age` was opened before the last failed write.
    fn opened_before_failure(&self, age: Duration) -> bool {
        self.lock_failed_at()
            .is_some_and(|failed_at| age > failed_at.elapsed())
    }

    fn lock_failed_at(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.failed_at
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Whether this process may open `path` for writing (opening it changes nothing).
fn writable(path: &Path) -> bool {
    std::fs::OpenOptions::new().write(true).open(path).is_ok()
}

/// Opens (creating if needed) the database named by `url` and migrates it.
pub async fn connect(url: &str, store_options: StoreOptions) -> Result<Connected, StoreError> {
    let url = url.trim();
    let (options, in_memory) = match url.strip_prefix("sqlite:") {
        Some(rest) => {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|err| StoreError::Other(format!("bad SQLite URL {url:?}: {err}")))?;
            let rest = rest.trim_start_matches("//");
            let (path, params) = rest.split_once('?').unwrap_or((rest, ""));
            let in_memory = path.is_empty() || path == ":memory:" || params.contains("mode=memory");
            (options, in_memory)
        }
        None => (SqliteConnectOptions::new().filename(url), false),
    };
    if store_options.existing_only && !in_memory && !options.get_filename().exists() {
        return Err(StoreError::Other(format!(
            "there is no SQLite database at {}",
            options.get_filename().display()
        )));
    }
    let options = options.create_if_missing(true);

    // The `Any` driver takes only what a URL says, so the settings a URL cannot
    // carry are made on every new connection.
    let settings: Arc<str> = connection_settings(store_options.sqlite_synchronous).into();
    survive_file_size_limit();
    let guard = Arc::new(FileGuard::new(options.get_filename().to_owned()));
    let mut pool = AnyPoolOptions::new()
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(move |connection, _| {
            let settings = Arc::clone(&settings);
            Box::pin(async move {
                sqlx::raw_sql(sqlx::AssertSqlSafe(settings.to_string()))
                    .execute(&mut *connection)
                    .await?;
                Ok(())
            })
        });
    let file = if in_memory {
        // An in-memory database lives as long as a connection to it does, so keep
        // exactly one, forever; it has no file for readers to open.
        pool = pool
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
        None
    } else {
        let path = options.get_filename();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|err| {
                StoreError::Unavailable(format!(
                    "cannot create the directory {} for the SQLite database: {err}",
                    parent.display()
                ))
            })?;
        }
        let retire = Arc::clone(&guard);
        pool = pool
            .max_connections(MAX_CONNECTIONS)
            .before_acquire(move |_, metadata| {
                let keep = !retire.opened_before_failure(metadata.age);
                Box::pin(async move { Ok(keep) })
            });
        Some((path.to_owned(), guard))
    };
    let any_options = if in_memory {
        AnyConnectOptions::from_str(url)?
    } else {
        AnyConnectOptions::from_url(&options.to_url_lossy())?
    };
    crate::install_drivers();
    // One connection first, on its own: the pool would retry a file that is not a
    // database until its timeout and then report only that it timed out.
    let mut first = AnyConnection::connect_with(&any_options).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(connection_settings(
        store_options.sqlite_synchronous,
    )))
    .execute(&mut first)
    .await?;
    first.close().await?;
    let pool = pool.connect_with(any_options).await?;
    MIGRATOR.run(&pool).await?;
    let file = match file {
        None => None,
        Some((path, guard)) => {
            guard.opened()?;
            let readers = Readers::new(path.clone(), Arc::clone(&guard))?;
            let captures = crate::sqlite_writer::start(
                path,
                store_options.sqlite_synchronous,
                Arc::clone(&guard),
                Arc::clone(&readers),
            )?;
            Some(File {
                readers,
                guard,
                captures,
            })
        }
    };
    Ok(Connected { pool, file })
}

/// Makes a write beyond the process's file size limit (`RLIMIT_FSIZE`, `ulimit -f`)
/// fail like a full disk instead of killing the process: such a write raises
/// SIGXFSZ, whose default action ends the process, and with a handler installed it
/// fails with EFBIG, which SQLite reports as an I/O error (unavailable; the store
/// recovers once the limit is lifted). tokio never removes a handler it installed,
/// so the stream is not kept. Outside a tokio runtime nothing is installed.
fn survive_file_size_limit() {
    // SIGXFSZ on Linux and the BSDs, x86 and ARM alike.
    const SIGXFSZ: i32 = 25;
    if tokio::runtime::Handle::try_current().is_ok() {
        let _ = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::from_raw(SIGXFSZ));
    }
}

/// Set on every connection the pool opens: WAL so that readers run beside the one
/// writer, `synchronous` as chosen (the README's "Durability" says what each
/// keeps), a wait for a busy lock, and foreign keys.
fn connection_settings(synchronous: SqliteSynchronous) -> String {
    format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {}; \
         PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON;",
        synchronous.as_str(),
        BUSY_TIMEOUT.as_millis()
    )
}
