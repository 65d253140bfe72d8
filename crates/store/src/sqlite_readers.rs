//! One-row reads of the SQLite backend, run on the caller's own thread.
//!
//! sqlx runs each SQLite connection on a thread of its own: every statement is
//! handed to that thread over a channel and the caller is woken when the answer is
//! ready. For the draft endpoint's single-row read those two hand-overs cost more
//! than the read itself; under `bench/run.sh` the futex waits and wake-ups behind
//! them took about 40% of the server's CPU. So the reads on the request path (a
//! session's draft or text, an API key) go through [`Readers`] instead: plain
//! rusqlite connections used directly by the calling thread, with their statements
//! prepared once. Reading one row from cached pages takes microseconds, well within
//! what an async task may hold its thread for. Writes, migrations and everything
//! else stay on sqlx.
//!
//! Readers are opened lazily and kept in a free list: a caller that finds none idle
//! opens another (in WAL mode any number of readers run beside the one writer), and
//! up to [`MAX_IDLE`] are kept for reuse. They are opened read-write but set
//! `query_only`, so they can take part in WAL recovery yet never change the data.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Params, Row};

use crate::StoreError;

/// Idle connections kept for reuse: more than the server's worker threads, which
/// are the most that read at once.
const MAX_IDLE: usize = 8;

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 16;

/// Read-only access to one SQLite file, on the calling thread.
pub struct Readers {
    path: PathBuf,
    busy_timeout: Duration,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    /// Readers of the database file at `path`, which must exist and be migrated.
    pub fn new(path: PathBuf, busy_timeout: Duration) -> Readers {
        Readers {
            path,
            busy_timeout,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `sql` (a cached statement) with `params` and maps its first row, if any.
    pub fn query_optional<T>(
        &self,
        sql: &str,
        params: impl Params,
        map: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>, StoreError> {
        let connection = self.take()?;
        let found = connection
            .prepare_cached(sql)
            .and_then(|mut statement| statement.query_row(params, map).optional());
        self.give_back(connection);
        Ok(found?)
    }

    fn take(&self) -> Result<Connection, StoreError> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        match idle {
            Some(connection) => Ok(connection),
            None => self.open(),
        }
    }

    fn give_back(&self, connection: Connection) {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(connection);
        }
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags)?;
        connection.busy_timeout(self.busy_timeout)?;
        connection.pragma_update(None, "query_only", true)?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(connection)
    }
}
