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
//!
//! # Snapshots shared by consecutive reads
//!
//! A read in a transaction of its own begins and ends a WAL read transaction every
//! time: a lock in the shared-memory index (a mutex and an `fcntl`) and a check of
//! the file's size. That was as much as the read itself: a loop of draft reads over
//! 10,000 stored sessions took 7.8 µs a read with a transaction each against 4.9 µs
//! with a hundred reads a transaction, and 14.2 against 7.1 µs on two threads at
//! once, where those locks contend. So a reader keeps its read transaction (its
//! snapshot) open and serves the next reads from it, for as long as both hold:
//! - no write through this store has finished since the snapshot was taken
//!   ([`Readers::wrote`], called by every write), so a caller always reads what it
//!   or any other request of this process has written;
//! - the snapshot is younger than [`SNAPSHOT_REUSE`], which bounds how late a write
//!   by another process (`feather import`, `feather keys`) is seen.
//!
//! A read that finds nothing in a reused snapshot is made again in a fresh one
//! before it is believed, so a session or key that another process has just added
//! is found at once; only a change to a row already there (a session captured
//! again, a key revoked) can be seen up to [`SNAPSHOT_REUSE`] late.
//!
//! An open snapshot also holds back the WAL checkpoint, so a background thread ends
//! the snapshots of readers left idle ([`SWEEP_EVERY`]).
//!
//! A reader opened before the file guard's latest generation (`sqlite::FileGuard`
//! repaired the file's journals) is closed instead of being used or kept.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, Row};

use crate::StoreError;
use crate::rows::SessionRecord;
use crate::sqlite::FileGuard;

/// Idle connections kept for reuse: more than the server's worker threads, which
/// are the most that read at once.
const MAX_IDLE: usize = 8;

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 16;

/// The longest a snapshot serves reads: how late this process may see a write
/// made by another one.
pub const SNAPSHOT_REUSE: Duration = Duration::from_millis(10);

/// How often the snapshots of idle readers are ended, so they do not keep the WAL
/// from being checkpointed.
pub const SWEEP_EVERY: Duration = Duration::from_millis(100);

/// Read-only access to one SQLite file, on the calling thread.
pub struct Readers {
    path: PathBuf,
    guard: Arc<FileGuard>,
    idle: Mutex<Vec<Reader>>,
    /// Writes through this store finished so far.
    writes: AtomicU64,
}

/// A connection and the snapshot it is reading from, if any.
struct Reader {
    connection: Connection,
    snapshot: Option<Snapshot>,
    /// The file guard's generation when it was opened.
    generation: u64,
}

struct Snapshot {
    taken: Instant,
    /// [`Readers::writes`] just before it was taken.
    writes: u64,
}

impl Readers {
    /// Readers of the database file at `path`, which must exist and be migrated,
    /// with the thread that ends idle snapshots (it stops once they are dropped).
    pub fn new(path: PathBuf, guard: Arc<FileGuard>) -> Result<Arc<Readers>, StoreError> {
        let readers = Arc::new(Readers {
            path,
            guard,
            idle: Mutex::new(Vec::new()),
            writes: AtomicU64::new(0),
        });
        let weak = Arc::downgrade(&readers);
        std::thread::Builder::new()
            .name("sqlite-snapshots".to_owned())
            .spawn(move || sweep(weak))
            .map_err(|err| StoreError::Unavailable(format!("cannot start a thread: {err}")))?;
        Ok(readers)
    }

    /// Marks that a write through this store has finished: reads that follow see it.
    pub fn wrote(&self) {
        self.writes.fetch_add(1, Ordering::SeqCst);
    }

    /// Runs `sql` (a cached statement) with `args` and maps its first row, if any.
    pub fn query_optional<T>(
        &self,
        sql: &str,
        args: &[&str],
        map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>, StoreError> {
        // A failed read drops its reader, and the snapshot with it.
        let mut reader = self.take()?;
        let reused = reader.fresh_snapshot(&self.writes)?;
        let mut found = reader.query_optional(sql, args, &map)?;
        if found.is_none() && reused {
            reader.end_snapshot()?;
            reader.fresh_snapshot(&self.writes)?;
            found = reader.query_optional(sql, args, &map)?;
        }
        self.give_back(reader);
        Ok(found)
    }

    /// The free list; a panic elsewhere while it was held leaves it usable.
    fn idle(&self) -> MutexGuard<'_, Vec<Reader>> {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn take(&self) -> Result<Reader, StoreError> {
        let generation = self.guard.generation();
        let idle = self.idle().pop();
        match idle {
            Some(reader) if reader.generation == generation => Ok(reader),
            Some(_) => {
                // The others idle are as old: all closed, outside the lock.
                let old = std::mem::take(&mut *self.idle());
                drop(old);
                self.open()
            }
            None => self.open(),
        }
    }

    fn give_back(&self, reader: Reader) {
        if reader.generation != self.guard.generation() {
            return;
        }
        let mut idle = self.idle();
        if idle.len() < MAX_IDLE {
            idle.push(reader);
        }
    }

    /// Closes the idle readers opened before the guard's latest generation.
    pub fn close_old(&self) {
        let generation = self.guard.generation();
        let old: Vec<Reader> = {
            let mut idle = self.idle();
            let (keep, old) = idle.drain(..).partition(|r| r.generation == generation);
            *idle = keep;
            old
        };
        drop(old);
    }

    fn open(&self) -> Result<Reader, StoreError> {
        let generation = self.guard.generation();
        let connection = crate::sqlite::open(&self.path)?;
        connection.pragma_update(None, "query_only", true)?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Reader {
            connection,
            snapshot: None,
            generation,
        })
    }

    /// Ends the snapshots of idle readers that may no longer serve reads.
    fn end_old_snapshots(&self) {
        let mut idle = self.idle();
        let writes = self.writes.load(Ordering::SeqCst);
        // A reader whose snapshot cannot be ended is closed instead.
        idle.retain_mut(|reader| !reader.is_stale(writes) || reader.end_snapshot().is_ok());
    }
}

impl Reader {
    fn is_stale(&self, writes: u64) -> bool {
        self.snapshot
            .as_ref()
            .is_some_and(|s| s.writes != writes || s.taken.elapsed() >= SNAPSHOT_REUSE)
    }

    /// Makes sure the next statement reads from a snapshot that may serve it;
    /// `true` when that is a snapshot taken for an earlier read.
    fn fresh_snapshot(&mut self, writes: &AtomicU64) -> rusqlite::Result<bool> {
        // Loaded before the snapshot is taken: a write counted here is in it.
        let writes = writes.load(Ordering::SeqCst);
        if self.is_stale(writes) {
            self.end_snapshot()?;
        }
        if self.snapshot.is_some() {
            return Ok(true);
        }
        // Deferred: the snapshot is taken by the statement that follows.
        self.connection.execute_batch("BEGIN")?;
        self.snapshot = Some(Snapshot {
            taken: Instant::now(),
            writes,
        });
        Ok(false)
    }

    fn query_optional<T>(
        &self,
        sql: &str,
        args: &[&str],
        map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Option<T>> {
        let mut statement = self.connection.prepare_cached(sql)?;
        statement
            .query_row(rusqlite::params_from_iter(args), map)
            .optional()
    }

    fn end_snapshot(&mut self) -> rusqlite::Result<()> {
        self.snapshot = None;
        self.connection.execute_batch("COMMIT")
    }
}

/// The background thread's loop: ends idle snapshots until the readers are gone.
fn sweep(readers: Weak<Readers>) {
    loop {
        std::thread::sleep(SWEEP_EVERY);
        match readers.upgrade() {
            Some(readers) => {
                readers.close_old();
                readers.end_old_snapshots();
            }
            None => return,
        }
    }
}

/// The readers' own decoder of a session's row (sqlx's `FromRow` decodes it
/// elsewhere), by the column names of the dialect's statement.
impl TryFrom<&Row<'_>> for SessionRecord {
    type Error = rusqlite::Error;

    fn try_from(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(SessionRecord {
            organization_id: row.get("organization_id")?,
            session_id: row.get("session_id")?,
            analysis_input: row.get("analysis_input")?,
            agent_name: row.get("agent_name")?,
            persona_id: row.get("persona_id")?,
            persona_name: row.get("persona_name")?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
            revision: row.get("revision")?,
        })
    }
}
