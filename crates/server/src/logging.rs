//! The server's log: human-readable lines on stderr, written by a background thread
//! from a bounded queue, that never drops a warning or an error without saying so.
//!
//! Why not `slog-async` alone: with its default strategy a full queue drops records
//! of every level alike and reports each drop as a record of its own. Under 10 s of
//! `wrk` it dropped 368,671 records, errors possibly among them, and wrote 113,530
//! "logger dropped messages" lines, themselves a flood. Here:
//! - the level filter runs first, so a record below the level costs a comparison;
//! - records below `warning` (the per-request lines) are queued if there is room and
//!   otherwise counted, never waited for: a request never waits on the log;
//! - warnings and errors wait up to [`IMPORTANT_WAIT`] for room, and are counted if
//!   there is still none;
//! - once a second at most, the writer writes one line with what it did not write
//!   since the last one (routine and important counts separately), so a gap in the
//!   log is always announced and the announcements cannot flood it themselves.
//!
//! Memory is bounded by the queue: [`QUEUE_RECORDS`] records.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{RecvTimeoutError, Sender, TrySendError};
use slog::{Drain, Level, LevelFilter, Never, OwnedKVList, Record};
use slog_async::AsyncRecord;

/// How many records the queue holds.
pub const QUEUE_RECORDS: usize = 4096;
/// How long a warning or an error waits for room in a full queue.
pub const IMPORTANT_WAIT: Duration = Duration::from_millis(20);
/// The least time between two lines about records not written.
pub const REPORT_INTERVAL: Duration = Duration::from_secs(1);

/// Counts of records not written since the last report.
#[derive(Default)]
struct Dropped {
    routine: AtomicU64,
    important: AtomicU64,
}

/// The drain the loggers write to: a bounded queue to the writer thread.
struct Queue {
    sender: Option<Sender<AsyncRecord>>,
    dropped: Arc<Dropped>,
    // In a mutex only because a drain must be unwind-safe.
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl Drain for Queue {
    type Ok = ();
    type Err = Never;

    fn log(&self, record: &Record<'_>, values: &OwnedKVList) -> Result<(), Never> {
        let Some(sender) = &self.sender else {
            return Ok(());
        };
        let queued = AsyncRecord::from(record, values);
        if record.level().is_at_least(Level::Warning) {
            if sender.send_timeout(queued, IMPORTANT_WAIT).is_err() {
                self.dropped.important.fetch_add(1, Ordering::Relaxed);
            }
        } else if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) =
            sender.try_send(queued)
        {
            self.dropped.routine.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

impl Drop for Queue {
    // The last logger is gone: the writer writes what is queued, then stops.
    fn drop(&mut self) {
        self.sender = None;
        let writer = self
            .writer
            .get_mut()
            .map_or_else(|e| e.into_inner().take(), Option::take);
        if let Some(writer) = writer {
            let _ = writer.join();
        }
    }
}

/// Parses a level name: trace, debug, info, warn (warning), error or critical.
pub fn parse_level(level: &str) -> anyhow::Result<Level> {
    Ok(match level.to_ascii_lowercase().as_str() {
        "trace" => Level::Trace,
        "debug" => Level::Debug,
        "info" => Level::Info,
        "warn" | "warning" => Level::Warning,
        "error" => Level::Error,
        "critical" => Level::Critical,
        other => anyhow::bail!("unknown log level {other:?}"),
    })
}

/// A logger at `level` writing to `output` (stderr in the server) through the queue.
pub fn logger_to<D>(level: Level, output: D, queue_records: usize) -> anyhow::Result<slog::Logger>
where
    D: Drain<Ok = (), Err = Never> + Send + 'static,
{
    let (sender, receiver) = crossbeam_channel::bounded::<AsyncRecord>(queue_records);
    let dropped = Arc::new(Dropped::default());
    let counts = Arc::clone(&dropped);
    let writer = std::thread::Builder::new()
        .name("feather-log".to_owned())
        .spawn(move || {
            let mut last_report = Instant::now();
            loop {
                match receiver.recv_timeout(REPORT_INTERVAL) {
                    Ok(record) => {
                        let _ = record.log_to(&output);
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => {
                        report(&output, &counts, last_report.elapsed());
                        break;
                    }
                }
                if last_report.elapsed() >= REPORT_INTERVAL {
                    report(&output, &counts, last_report.elapsed());
                    last_report = Instant::now();
                }
            }
        })?;
    let queue = Queue {
        sender: Some(sender),
        dropped,
        writer: Mutex::new(Some(writer)),
    };
    Ok(slog::Logger::root(
        LevelFilter::new(queue, level).fuse(),
        slog::o!(),
    ))
}

/// Writes one line about the records not written since the last, if any were not.
fn report<D: Drain<Ok = (), Err = Never>>(output: &D, dropped: &Dropped, interval: Duration) {
    let routine = dropped.routine.swap(0, Ordering::Relaxed);
    let important = dropped.important.swap(0, Ordering::Relaxed);
    if routine == 0 && important == 0 {
        return;
    }
    let seconds = format!("{:.1}", interval.as_secs_f64());
    let context = OwnedKVList::from(slog::o!());
    if important > 0 {
        let _ = output.log(
            &slog::record!(
                Level::Error,
                "",
                &format_args!("log records not written: the log queue was full"),
                slog::b!("warnings_and_errors" => important, "below_warning" => routine,
                    "seconds" => &seconds)
            ),
            &context,
        );
    } else {
        let _ = output.log(
            &slog::record!(
                Level::Info,
                "",
                &format_args!("log records below warning not written: the log queue was full"),
                slog::b!("below_warning" => routine, "seconds" => &seconds)
            ),
            &context,
        );
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Arguments;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use slog::{Drain, Key, Level, Never, OwnedKVList, Record, Serializer, info, warn};

    /// Collects each record as "LEVEL message key=value ...", slowly, like a
    /// terminal that cannot keep up.
    #[derive(Clone, Default)]
    struct SlowCollector(Arc<Mutex<Vec<String>>>);

    struct Line(String);

    impl Serializer for Line {
        fn emit_arguments(&mut self, key: Key, value: &Arguments<'_>) -> slog::Result {
            self.0.push_str(&format!(" {key}={value}"));
            Ok(())
        }
    }

    impl Drain for SlowCollector {
        type Ok = ();
        type Err = Never;

        fn log(&self, record: &Record<'_>, _: &OwnedKVList) -> Result<(), Never> {
            std::thread::sleep(Duration::from_millis(2));
            let mut line = Line(format!(
                "{} {}",
                record.level().as_short_str(),
                record.msg()
            ));
            let _ = slog::KV::serialize(&record.kv(), record, &mut line);
            self.0.lock().unwrap().push(line.0);
            Ok(())
        }
    }

    /// The value of `key=N` in the lines that carry it, summed.
    fn reported(lines: &[String], key: &str) -> u64 {
        lines
            .iter()
            .flat_map(|l| l.split(' '))
            .filter_map(|word| word.strip_prefix(&format!("{key}=")))
            .map(|n| n.parse::<u64>().unwrap())
            .sum()
    }

    #[test]
    fn every_record_is_written_or_counted_in_a_report() {
        let output = SlowCollector::default();
        let log = super::logger_to(Level::Info, output.clone(), 4).unwrap();
        for i in 0..300 {
            info!(log, "routine"; "i" => i);
            if i % 10 == 0 {
                warn!(log, "important"; "i" => i);
            }
        }
        // Dropping the last logger writes the queue out and a final report.
        drop(log);
        let lines = output.0.lock().unwrap().clone();
        let routine = lines
            .iter()
            .filter(|l| l.starts_with("INFO routine"))
            .count() as u64;
        let important = lines
            .iter()
            .filter(|l| l.starts_with("WARN important"))
            .count() as u64;
        assert!(routine < 300, "the queue of 4 never filled: {lines:?}");
        assert_eq!(
            routine + reported(&lines, "below_warning"),
            300,
            "{lines:?}"
        );
        assert_eq!(
            important + reported(&lines, "warnings_and_errors"),
            30,
            "{lines:?}"
        );
    }

    #[test]
    fn records_below_the_level_are_not_queued() {
        let output = SlowCollector::default();
        let log = super::logger_to(Level::Warning, output.clone(), 4).unwrap();
        for _ in 0..100 {
            info!(log, "routine");
        }
        warn!(log, "important");
        drop(log);
        assert_eq!(*output.0.lock().unwrap(), vec!["WARN important".to_owned()]);
    }
}
