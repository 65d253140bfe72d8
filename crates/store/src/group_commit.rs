//! Captures through the pool (PostgreSQL, and an in-memory SQLite database),
//! committed in groups.
//!
//! A capture on PostgreSQL is one statement (`Dialect::upsert_capture`), and each
//! used to commit on its own: a transaction's start and end, and a flush of the
//! WAL to the disk, per capture, all of it on the database server, which shares
//! the machine's cores with the rest in `bench/run.sh`. So captures wait in a
//! queue, and a few tasks ([`TASKS`]) each take whatever is queued when they are
//! free (up to [`MAX_GROUP`] sessions) and write it in one transaction on a pooled
//! connection: one commit for the group. Nothing waits on purpose to gather a
//! group. A capture is answered after the commit that holds it, so a 2xx means
//! what it meant before.
//!
//! The queue and the gathering of a group ([`Queue`], [`gather`]) are shared with
//! SQLite's writer thread (`sqlite_writer.rs`), which writes its groups itself.
//!
//! A group that fails as unavailable fails every capture in it (each would have
//! failed alone). A group the database refuses for another reason (one capture
//! breaking a constraint) is tried again one capture at a time, each in its own
//! transaction, so that one bad capture never fails its neighbours.

use std::sync::Arc;

use sqlx::AnyPool;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::dialect::Dialect;
use crate::{CaptureRow, PutOutcome, StoreError, put_rows};

/// Groups written at once, each on a connection of its own.
const TASKS: usize = 4;

/// The most sessions in one group.
const MAX_GROUP: usize = 64;

/// One call of `Store::put_sessions`: its sessions, all or none, and where the
/// outcome goes.
pub struct Job {
    pub rows: Vec<CaptureRow>,
    pub reply: oneshot::Sender<Result<Vec<PutOutcome>, StoreError>>,
}

/// The captures waiting for a group; whoever writes the groups holds the other end.
pub struct Queue {
    jobs: mpsc::UnboundedSender<Job>,
    /// Who writes the groups, for the error when they are gone.
    writer: &'static str,
}

impl Queue {
    /// A queue, and its end for `writer` (named in the error should it stop).
    pub fn new(writer: &'static str) -> (Queue, mpsc::UnboundedReceiver<Job>) {
        let (jobs, receiver) = mpsc::unbounded_channel();
        (Queue { jobs, writer }, receiver)
    }

    /// Writes `rows` in one transaction, shared with other captures, and answers
    /// once it is committed (or has failed).
    pub async fn put(&self, rows: Vec<CaptureRow>) -> Result<Vec<PutOutcome>, StoreError> {
        let (reply, outcome) = oneshot::channel();
        let stopped = || StoreError::Unavailable(format!("{} stopped", self.writer));
        self.jobs.send(Job { rows, reply }).map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }
}

/// `first` and the jobs queued behind it, up to `max` sessions.
pub fn gather(first: Job, jobs: &mut mpsc::UnboundedReceiver<Job>, max: usize) -> Vec<Job> {
    let mut sessions = first.rows.len();
    let mut group = vec![first];
    while sessions < max {
        match jobs.try_recv() {
            Ok(job) => {
                sessions += job.rows.len();
                group.push(job);
            }
            Err(_) => break,
        }
    }
    group
}

/// Starts the tasks that commit captures through `pool` in groups, on the current
/// tokio runtime; they end when the queue is dropped.
pub fn start(pool: AnyPool, dialect: &'static Dialect) -> Queue {
    let (queue, jobs) = Queue::new("the store's committing tasks");
    let jobs = Arc::new(Mutex::new(jobs));
    for _ in 0..TASKS {
        tokio::spawn(commit(pool.clone(), dialect, Arc::clone(&jobs)));
    }
    queue
}

/// One committing task: a group at a time, until the queue is dropped.
async fn commit(
    pool: AnyPool,
    dialect: &'static Dialect,
    jobs: Arc<Mutex<mpsc::UnboundedReceiver<Job>>>,
) {
    loop {
        let group = {
            let mut jobs = jobs.lock().await;
            let Some(first) = jobs.recv().await else {
                return;
            };
            gather(first, &mut jobs, MAX_GROUP)
        };
        write(&pool, dialect, group).await;
    }
}

/// Writes a group and answers each of its jobs.
async fn write(pool: &AnyPool, dialect: &Dialect, group: Vec<Job>) {
    let rows: Vec<&CaptureRow> = group.iter().flat_map(|job| &job.rows).collect();
    match put_rows(pool, dialect, &rows).await {
        Ok(outcomes) => {
            let mut outcomes = outcomes.into_iter();
            for job in group {
                let size = job.rows.len();
                // A caller that stopped waiting no longer needs its answer.
                let _ = job.reply.send(Ok(outcomes.by_ref().take(size).collect()));
            }
        }
        // Unavailable, or a job alone: trying again now would fail the same way.
        Err(err) if err.is_unavailable() || group.len() == 1 => {
            for job in group {
                let _ = job.reply.send(Err(err.clone()));
            }
        }
        Err(_) => {
            for job in group {
                let rows: Vec<&CaptureRow> = job.rows.iter().collect();
                let outcome = put_rows(pool, dialect, &rows).await;
                let _ = job.reply.send(outcome);
            }
        }
    }
}
