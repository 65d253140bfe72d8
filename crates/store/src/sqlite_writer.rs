//! Captures into an SQLite file, committed in groups by one writer thread.
//!
//! SQLite has one writer at a time. With every capture in a transaction of its
//! own on a pool of sqlx connections, concurrent captures queued on the file's
//! write lock: a connection that found it taken slept in SQLite's busy handler and
//! tried again, and each of a transaction's four statements (begin, the session,
//! its draft row, commit) was a round trip to the connection's own sqlx thread.
//! Under `bench/run.sh`'s capture scenario (32 connections, 16-turn sessions) that
//! was 21 context switches and 560 µs of CPU per capture, a p99 of 74–110 ms, and
//! the server did 1.9k captures/s.
//!
//! So captures go to one thread that owns one connection and takes them in
//! groups: it waits for the first, takes whatever else is queued by then (up to
//! [`MAX_GROUP`] sessions), writes them all in one transaction and commits once.
//! Nothing waits on purpose to gather a group; captures that arrive while a group
//! is being written form the next one. Each capture's sessions sit in a savepoint
//! of their own, so a capture the database refuses (a constraint) is rolled back
//! alone and its neighbours commit; a failure that ends the transaction (a full
//! disk, an I/O error, a lost lock) fails the whole group, none of which is
//! acknowledged. A capture is answered only after the commit that holds it, and at
//! the same `synchronous` setting as any other write, so a 2xx means what it meant
//! before (the README's "Durability").
//!
//! Checkpoints (copying the WAL back into the database file, with an fsync of
//! each) are not the writer's: its connection would run one whenever a commit took
//! the WAL past 1,000 pages, which at thousands of captures a second is dozens a
//! second, each holding up a group. A second thread, `sqlite-checkpoint`, runs a
//! passive checkpoint every [`CHECKPOINT_EVERY`] instead, beside the writer (WAL
//! lets the two run at once), and finishes it between two of the writer's groups
//! so the WAL starts over ([`FALLBACK_CHECKPOINT_PAGES`] says why and what it
//! gave).
//!
//! The thread keeps the rules of every other write of the file
//! (`sqlite::FileGuard`): it writes only while the path names the file the store
//! opened and checks again after the commit; after a failure that makes the store
//! unavailable it reopens its connection, so it recovers without a restart. After
//! each group it tells the readers (`sqlite_readers.rs`), so a read that follows
//! an answer sees the write. Other writes (keys, remade drafts, migrations) stay on
//! the sqlx pool; they are rare, and SQLite's busy timeout orders them with this
//! thread.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::dialect::Dialect;
use crate::group_commit::{Job, Queue, gather};
use crate::sqlite::{DIALECT, FileGuard};
use crate::sqlite_readers::Readers;
use crate::{CaptureRow, PutOutcome, SqliteSynchronous, StoreError};

/// The most sessions written in one transaction: a bound on how long one commit
/// holds the readers' newest snapshot back and how much one failure can refuse.
const MAX_GROUP: usize = 256;

/// Prepared statements kept on the writer's connection.
const STATEMENT_CACHE: usize = 8;

/// How often the checkpoint thread copies what was committed into the database
/// file.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(10);

/// The WAL size, in pages, past which the writer checkpoints by itself (16 MiB of
/// 4 KiB pages): only should the checkpoint thread fail or fall behind.
///
/// SQLite starts the WAL over only after a checkpoint that copied every frame, and
/// a passive checkpoint beside a writer that never pauses never copies the very
/// last ones: with the checkpoint thread alone the WAL grew to whatever size made
/// the writer checkpoint by itself, and those checkpoints, in the writer's way,
/// were the tail of the capture latency. So the thread copies most of the WAL
/// beside the writer, then the few frames added meanwhile while holding the writer
/// between two groups ([`Shared::writing`]). Measured under `bench/run.sh`'s capture
/// scenario, side by side (captures/s, p99, WAL size): no checkpoint thread and
/// SQLite's 1,000 pages: 6,998, 13.0 ms, 4.6 MB; a thread every 50 ms and 16,384
/// pages: 7,293, 24.4 ms, 71 MB; every 10 ms and 4,096 pages: 6,739–7,569,
/// 11.8–12.7 ms, 18 MB; and with the last frames copied between two groups:
/// 7,465–7,629, 8.6–8.7 ms, 5 MB.
const FALLBACK_CHECKPOINT_PAGES: u32 = 4_096;

/// What the thread needs to open and guard its connection.
struct Thread {
    path: PathBuf,
    synchronous: SqliteSynchronous,
    guard: Arc<FileGuard>,
    readers: Arc<Readers>,
    connection: Option<Connection>,
    /// The guard's generation when `connection` was opened.
    generation: u64,
    /// What the writer shares with the checkpoint thread, which stops once this
    /// is dropped with the writer thread.
    shared: Arc<Shared>,
}

/// Between the writer and the checkpoint thread.
#[derive(Default)]
struct Shared {
    /// Groups committed so far.
    commits: AtomicU64,
    /// Held by the writer while it writes a group, and by the checkpoint thread to
    /// copy the last frames while no group is being written.
    writing: Mutex<()>,
}

impl Shared {
    fn writing(&self) -> MutexGuard<'_, ()> {
        self.writing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Starts the writer thread of the migrated database file at `path`, and its
/// checkpoint thread; they end when the queue is dropped.
pub fn start(
    path: PathBuf,
    synchronous: SqliteSynchronous,
    guard: Arc<FileGuard>,
    readers: Arc<Readers>,
) -> Result<Queue, StoreError> {
    let (queue, jobs) = Queue::new("the SQLite writer thread");
    let shared = Arc::new(Shared::default());
    let checkpoints = Checkpoints {
        path: path.clone(),
        guard: Arc::clone(&guard),
        shared: Arc::downgrade(&shared),
    };
    let mut thread = Thread {
        path,
        synchronous,
        guard,
        readers,
        connection: None,
        generation: 0,
        shared,
    };
    let cannot_start = |err| StoreError::Unavailable(format!("cannot start a thread: {err}"));
    std::thread::Builder::new()
        .name("sqlite-writer".to_owned())
        .spawn(move || thread.run(jobs))
        .map_err(cannot_start)?;
    std::thread::Builder::new()
        .name("sqlite-checkpoint".to_owned())
        .spawn(move || checkpoints.run())
        .map_err(cannot_start)?;
    Ok(queue)
}

impl Thread {
    fn run(&mut self, mut jobs: UnboundedReceiver<Job>) {
        while let Some(first) = jobs.blocking_recv() {
            let group = gather(first, &mut jobs, MAX_GROUP);
            let writing = Arc::clone(&self.shared);
            let writing = writing.writing();
            let outcomes = self.write(&group);
            drop(writing);
            // Before anyone is answered: the reads that follow see this group.
            self.readers.wrote();
            self.shared.commits.fetch_add(1, Ordering::Relaxed);
            for (job, outcome) in group.into_iter().zip(outcomes) {
                // A caller that stopped waiting no longer needs its answer.
                let _ = job.reply.send(outcome);
            }
        }
    }

    /// Writes a group; one outcome per job, in order.
    /// Under the rules of every write of the file (`FileGuard::check`,
    /// `FileGuard::finish`), as `Store::write` keeps them for the pool's.
    fn write(&mut self, group: &[Job]) -> Vec<Result<Vec<PutOutcome>, StoreError>> {
        let written = self.guard.check().and_then(|()| {
            let written = self.transaction(group);
            if written.as_ref().is_err_and(StoreError::is_unavailable) {
                // SQLite keeps a file it could not write read-only for the
                // connection's life: the next group opens a new one (and the guard
                // retires the pool's older connections likewise).
                self.connection = None;
            }
            self.guard.finish(written)
        });
        match written {
            Ok(outcomes) => outcomes,
            Err(err) => group.iter().map(|_| Err(err.clone())).collect(),
        }
    }

    /// The group in one transaction, each job in a savepoint. `Err` when the
    /// transaction as a whole failed; a job the database refused is an `Err` in
    /// its place.
    fn transaction(
        &mut self,
        group: &[Job],
    ) -> Result<Vec<Result<Vec<PutOutcome>, StoreError>>, StoreError> {
        let connection = self.connection()?;
        // IMMEDIATE: the write lock is taken now, waiting up to the busy timeout,
        // rather than by the first statement, which could not wait for it.
        connection.execute_batch("BEGIN IMMEDIATE")?;
        let mut outcomes = Vec::with_capacity(group.len());
        for job in group {
            connection.execute_batch("SAVEPOINT capture")?;
            match insert(connection, &job.rows) {
                Ok(outcome) => {
                    connection.execute_batch("RELEASE capture")?;
                    outcomes.push(Ok(outcome));
                }
                Err(err) if err.is_unavailable() || connection.is_autocommit() => {
                    // The transaction is gone, or should be: the group fails.
                    if !connection.is_autocommit() {
                        let _ = connection.execute_batch("ROLLBACK");
                    }
                    return Err(err);
                }
                Err(err) => {
                    connection.execute_batch("ROLLBACK TO capture; RELEASE capture")?;
                    outcomes.push(Err(err));
                }
            }
        }
        if let Err(err) = connection.execute_batch("COMMIT") {
            if !connection.is_autocommit() {
                let _ = connection.execute_batch("ROLLBACK");
            }
            return Err(err.into());
        }
        Ok(outcomes)
    }

    /// The writer's connection, opened if there is none.
    fn connection(&mut self) -> Result<&Connection, StoreError> {
        let generation = self.guard.generation();
        if self.generation != generation {
            // The guard repaired the file's journals: a connection opened before
            // would keep the shared memory read-only (`sqlite::FileGuard`).
            self.connection = None;
        }
        if self.connection.is_none() {
            self.generation = generation;
            let connection = crate::sqlite::open(&self.path)?;
            connection.pragma_update(None, "synchronous", self.synchronous.as_str())?;
            connection.pragma_update(None, "foreign_keys", true)?;
            connection.pragma_update(None, "wal_autocheckpoint", FALLBACK_CHECKPOINT_PAGES)?;
            connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
            self.connection = Some(connection);
        }
        Ok(self.connection.as_ref().expect("opened above"))
    }
}

/// The checkpoint thread: a passive checkpoint every [`CHECKPOINT_EVERY`] while
/// groups are being committed.
struct Checkpoints {
    path: PathBuf,
    guard: Arc<FileGuard>,
    shared: Weak<Shared>,
}

impl Checkpoints {
    fn run(self) {
        let mut connection = None;
        let mut checkpointed = 0;
        let mut generation = self.guard.generation();
        loop {
            std::thread::sleep(CHECKPOINT_EVERY);
            let Some(shared) = self.shared.upgrade() else {
                return;
            };
            if generation != self.guard.generation() {
                // Opened anew, as every connection to the file (`sqlite::FileGuard`).
                generation = self.guard.generation();
                connection = None;
            }
            let commits = shared.commits.load(Ordering::Relaxed);
            if commits == checkpointed {
                continue;
            }
            // Most of the WAL is copied beside the writer; then the frames it
            // added meanwhile, with the writer held between two groups, so that
            // the checkpoint is complete and the writer's next group starts the
            // WAL over. A checkpoint that fails (the file went away, the disk is
            // full) is tried again next time, on a new connection; the writer's
            // fallback keeps the WAL bounded meanwhile.
            let checkpointed_all = self.checkpoint(&mut connection).and_then(|()| {
                let _writing = shared.writing();
                self.checkpoint(&mut connection)
            });
            match checkpointed_all {
                Ok(()) => checkpointed = commits,
                Err(_) => connection = None,
            }
        }
    }

    fn checkpoint(&self, connection: &mut Option<Connection>) -> rusqlite::Result<()> {
        if connection.is_none() {
            *connection = Some(crate::sqlite::open(&self.path)?);
        }
        let connection = connection.as_ref().expect("opened above");
        // PASSIVE: copies what it can without waiting for readers or the writer.
        connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
    }
}

/// One job's sessions and their draft rows, by the SQLite dialect's statements.
fn insert(connection: &Connection, rows: &[CaptureRow]) -> Result<Vec<PutOutcome>, StoreError> {
    let dialect: &Dialect = &DIALECT;
    let mut upsert_session = connection.prepare_cached(dialect.upsert_session)?;
    let mut upsert_draft_row = connection.prepare_cached(dialect.upsert_draft_row)?;
    let mut outcomes = Vec::with_capacity(rows.len());
    for row in rows {
        let revision: i64 = upsert_session.query_row(
            rusqlite::params![
                row.organization_id,
                row.session_id,
                row.analysis_input,
                row.agent_name,
                row.persona_id,
                row.persona_name,
            ],
            |found| found.get(0),
        )?;
        upsert_draft_row.execute(rusqlite::params![
            row.organization_id,
            row.session_id,
            row.draft_version,
            row.draft,
            row.signature.as_ref().map(|s| s.key.as_str()),
            row.signature.as_ref().map(|s| s.json.as_str()),
            row.signature.as_ref().map(|s| s.signals),
            row.signature.as_ref().map(|s| s.severity),
        ])?;
        outcomes.push(PutOutcome {
            created: revision == 1,
        });
    }
    Ok(outcomes)
}
