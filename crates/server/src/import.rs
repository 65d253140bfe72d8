//! `feather import`: captured sessions from files into the store, streamed; and
//! the one session-file reader that `feather import` and `feather draft` share.
//!
//! Accepts JSON files (one session, an array of sessions, or a bare array of
//! chat-completions messages, which is one chat log), JSONL / NDJSON files (one
//! session a line) and folders of them (walked with `walkdir`, `.json`, `.jsonl`
//! and `.ndjson` files in name order), in both capture formats. Nothing is read
//! whole: a JSONL file is read line by line, and a JSON array of sessions element
//! by element (a serde `SeqAccess` visitor hands each element over as soon as it is
//! parsed), so memory stays flat however large the input. An array whose first
//! element is a chat message (an object with a `role`) is one chat log and is
//! collected whole.
//!
//! A reader thread parses, converts and drafts the records while the async side stores
//! them, `batch_size` sessions a transaction: an interrupted import leaves every
//! committed session whole and nothing of the batch in flight. A bad record is
//! reported with its place (`file:line` or `file[index]`) and reason and never
//! stops the rest; only a JSON array whose syntax breaks cannot be read past the
//! break, which is reported as the rejection of that element.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use feather_drafter::{CapturedSession, DraftOptions};
use feather_store::{NewSession, Store, StoreError};

use crate::drafts::new_session;
use serde::de::{Deserializer as _, SeqAccess, Visitor};
use serde_json::Value;
use tokio::sync::mpsc;
use uuid::Uuid;

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ImportSummary {
    /// Sessions stored for the first time.
    pub imported: u64,
    /// Sessions that replaced a stored one with the same id.
    pub updated: u64,
    /// Records refused: where (`file:line` or `file[index]`) and why.
    pub rejected: Vec<(String, String)>,
    /// The id of every stored session, with its place, when asked for
    /// ([`ImportOptions::list_ids`]).
    pub ids: Vec<(Uuid, String)>,
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Sessions stored per transaction.
    pub batch_size: usize,
    /// The organization of chat logs that name none; without it they are refused.
    pub organization_id: Option<Uuid>,
    /// Keep the id and place of every stored session in the summary.
    pub list_ids: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            batch_size: 500,
            organization_id: None,
            list_ids: false,
        }
    }
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported {}, updated {}, rejected {}",
            self.imported,
            self.updated,
            self.rejected.len()
        )
    }
}

/// Where an import stands, given to the progress callback after every batch.
#[derive(Debug, Clone, Copy)]
pub struct ImportProgress<'a> {
    /// The running totals.
    pub summary: &'a ImportSummary,
    /// Bytes of input read so far.
    pub bytes_read: u64,
    /// Bytes of input in all, as the files' sizes were when the import started.
    pub bytes_total: u64,
    /// Whether this is the last call, made once everything is stored: its totals
    /// are the summary's, so a caller that prints the summary need not print them.
    pub finished: bool,
}

/// A record the reader thread hands to the storing side.
enum Item {
    Session(Box<NewSession>, String),
    Rejected { place: String, reason: String },
}

/// One record of a session file: where it is (`file`, `file:line`, `file[index]`,
/// `file#n`) and its JSON, or why it could not be read.
#[derive(Debug)]
pub struct Record {
    pub place: String,
    pub value: Result<Value, String>,
}

/// Imports every record under `paths`, `batch_size` sessions a transaction.
/// `progress` is called after each stored batch and once at the end.
///
/// A store failure stops the import with that error; the batches committed before
/// it stay committed.
pub async fn import_paths(
    store: &Store,
    paths: &[PathBuf],
    batch_size: usize,
    progress: impl FnMut(ImportProgress<'_>),
) -> Result<ImportSummary, StoreError> {
    let options = ImportOptions {
        batch_size,
        ..ImportOptions::default()
    };
    import_paths_with(store, paths, &options, progress).await
}

/// As [`import_paths`], with every option.
pub async fn import_paths_with(
    store: &Store,
    paths: &[PathBuf],
    options: &ImportOptions,
    mut progress: impl FnMut(ImportProgress<'_>),
) -> Result<ImportSummary, StoreError> {
    let batch_size = options.batch_size.max(1);
    let organization_id = options.organization_id;
    let list_ids = options.list_ids;
    let mut summary = ImportSummary::default();
    let (files, unreadable) = session_files(paths);
    summary.rejected.extend(unreadable);
    let bytes_total = files
        .iter()
        .filter_map(|file| std::fs::metadata(file).ok())
        .map(|metadata| metadata.len())
        .sum();
    let bytes_read = Arc::new(AtomicU64::new(0));

    // Two batches in flight at most: one being stored, one being read.
    let (sender, mut receiver) = mpsc::channel(batch_size * 2);
    let reader = {
        let bytes_read = Arc::clone(&bytes_read);
        tokio::task::spawn_blocking(move || {
            for file in files {
                let keep_going = read_file(&file, &bytes_read, &mut |record| {
                    sender.blocking_send(item(record, organization_id)).is_ok()
                });
                if !keep_going {
                    break;
                }
            }
        })
    };

    let mut batch = Vec::with_capacity(batch_size);
    while let Some(item) = receiver.recv().await {
        match item {
            Item::Session(session, place) => {
                if list_ids {
                    summary.ids.push((session.session_id, place));
                }
                batch.push(*session)
            }
            Item::Rejected { place, reason } => summary.rejected.push((place, reason)),
        }
        if batch.len() >= batch_size {
            flush(store, &mut batch, &mut summary).await?;
            progress(ImportProgress {
                summary: &summary,
                bytes_read: bytes_read.load(Ordering::Relaxed),
                bytes_total,
                finished: false,
            });
        }
    }
    flush(store, &mut batch, &mut summary).await?;
    if let Err(err) = reader.await {
        return Err(StoreError::Other(format!(
            "the import's reader failed: {err}"
        )));
    }
    progress(ImportProgress {
        summary: &summary,
        bytes_read: bytes_read.load(Ordering::Relaxed),
        bytes_total,
        finished: true,
    });
    Ok(summary)
}

async fn flush(
    store: &Store,
    batch: &mut Vec<NewSession>,
    summary: &mut ImportSummary,
) -> Result<(), StoreError> {
    if batch.is_empty() {
        return Ok(());
    }
    for outcome in store.put_sessions(batch).await? {
        if outcome.created {
            summary.imported += 1;
        } else {
            summary.updated += 1;
        }
    }
    batch.clear();
    Ok(())
}

/// The session files named by `paths`: files as given, folders walked (with
/// `walkdir`, symbolic links not followed) for `.json`, `.jsonl` and `.ndjson`
/// files in name order, so an import is repeatable; and the places that could not
/// be read, with why.
pub fn session_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(String, String)>) {
    let mut out = Vec::new();
    let mut unreadable = Vec::new();
    for path in paths {
        if !path.is_dir() {
            out.push(path.clone());
            continue;
        }
        for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
            match entry {
                Ok(entry) => {
                    let is_session_file = entry.file_type().is_file()
                        && matches!(
                            entry.path().extension().and_then(|e| e.to_str()),
                            Some("json" | "jsonl" | "ndjson")
                        );
                    if is_session_file {
                        out.push(entry.into_path());
                    }
                }
                Err(err) => {
                    let place = err.path().unwrap_or(path).display().to_string();
                    unreadable.push((place, err.to_string()));
                }
            }
        }
    }
    (out, unreadable)
}

/// Counts the bytes read through it, for the progress bar.
struct Counting<'a, R> {
    inner: R,
    count: &'a AtomicU64,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads one file and hands each record to `emit`, which answers whether to go
/// on (it stops when the consumer has given up). Returns that answer.
pub fn read_file(
    path: &Path,
    bytes_read: &AtomicU64,
    emit: &mut dyn FnMut(Record) -> bool,
) -> bool {
    let name = path.display().to_string();
    let file = match File::open(path) {
        Ok(file) => file,
        Err(err) => {
            return emit(Record {
                place: name,
                value: Err(format!("cannot read the file: {err}")),
            });
        }
    };
    let mut reader = BufReader::with_capacity(
        256 * 1024,
        Counting {
            inner: file,
            count: bytes_read,
        },
    );
    let by_lines = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("jsonl" | "ndjson")
    );
    let result = if by_lines {
        read_lines(&name, &mut reader, emit)
    } else {
        match first_significant_byte(&mut reader) {
            Ok(Some(b'[')) => read_array(path, &name, &mut reader, emit),
            Ok(_) => read_documents(path, &name, &mut reader, emit),
            Err(err) => Err(err),
        }
    };
    match result {
        Ok(keep_going) => keep_going,
        Err(err) => emit(Record {
            place: name,
            value: Err(format!("cannot read the file: {err}")),
        }),
    }
}

/// Reads one record as a captured session, in either format.
pub fn captured(record: Result<Value, String>) -> Result<CapturedSession, String> {
    record.and_then(|value| {
        feather_drafter::capture::parse_value(value).map_err(|err| err.to_string())
    })
}

/// Turns one read record into the item to store, or its rejection: a session
/// without messages is refused (there is nothing to draft), and a chat log that
/// names no organization takes `organization_id` or is refused.
fn item(record: Record, organization_id: Option<Uuid>) -> Item {
    let Record { place, value } = record;
    let checked = captured(value).and_then(|mut captured| {
        if captured.input.messages.is_empty() {
            return Err(
                "the session has no messages, so there is nothing to draft from it".to_owned(),
            );
        }
        if captured.input.organization_id.is_nil() {
            match organization_id {
                Some(org) => captured.input.organization_id = org,
                None => {
                    return Err(
                        "the chat log names no organization_id; pass --org UUID to import it"
                            .to_owned(),
                    );
                }
            }
        }
        Ok(captured)
    });
    match checked {
        Ok(captured) => Item::Session(
            // Drafted as `serve` drafts by default (PII redacted); a server started
            // with `--no-redact-pii` makes its own on first request.
            Box::new(new_session(captured, &DraftOptions::default())),
            place,
        ),
        Err(reason) => Item::Rejected { place, reason },
    }
}

/// JSONL: one record a line; blank lines are skipped, and a line that is not JSON
/// (or not UTF-8) is rejected on its own.
fn read_lines(
    name: &str,
    reader: &mut impl BufRead,
    emit: &mut dyn FnMut(Record) -> bool,
) -> std::io::Result<bool> {
    let mut line = Vec::new();
    let mut number = 0usize;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(true);
        }
        number += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let value = serde_json::from_slice(&line).map_err(|err| not_json(&err, Some(&line), true));
        let place = format!("{name}:{number}");
        if !emit(Record { place, value }) {
            return Ok(false);
        }
    }
}

/// Why a record is not JSON, in words a person can act on: serde_json's reason
/// ("expected ident") explained, where it broke (the column, and the line unless
/// the record's place names it already), and the text there, from `line` (the
/// bytes of the line it broke on) when known.
fn not_json(err: &serde_json::Error, line: Option<&[u8]>, place_has_line: bool) -> String {
    let reason = err.to_string();
    // serde_json appends " at line L column C" to its reason; the place is said below.
    let reason = match reason.rfind(" at line ") {
        Some(at) => &reason[..at],
        None => reason.as_str(),
    };
    let explained = match reason {
        "expected ident" => {
            "a bare word where a value belongs: only true, false and null go without \
             quotes (a string needs double quotes)"
        }
        "expected value" => {
            "expected a JSON value: an object, an array, a string in double quotes, a \
             number, true, false or null"
        }
        "key must be a string" => "an object's keys must be strings in double quotes",
        "trailing characters" => {
            "more text after a whole JSON value (a file of one session per line must be \
             named .jsonl or .ndjson)"
        }
        "trailing comma" => "a comma before a closing bracket or brace",
        "expected `,` or `}`" | "expected `,` or `]`" => {
            return with_place(
                &format!("{reason} (a comma missing between two items?)"),
                err,
                line,
                place_has_line,
            );
        }
        reason if reason.starts_with("EOF while parsing") => {
            "the text ends before the JSON does (a closing bracket, brace or quote missing?)"
        }
        other => other,
    };
    with_place(explained, err, line, place_has_line)
}

/// "not JSON at line L, column C: REASON (near "TEXT")".
fn with_place(
    reason: &str,
    err: &serde_json::Error,
    line: Option<&[u8]>,
    place_has_line: bool,
) -> String {
    let at = if place_has_line {
        format!("column {}", err.column())
    } else {
        format!("line {}, column {}", err.line(), err.column())
    };
    match line.and_then(|line| excerpt(line, err.column())) {
        Some(text) => format!("not JSON at {at}: {reason} (near {text:?})"),
        None => format!("not JSON at {at}: {reason}"),
    }
}

/// Up to 24 characters of `line` on either side of byte `column` (1-based, as
/// serde_json counts), trimmed; `None` when nothing but blanks is there.
fn excerpt(line: &[u8], column: usize) -> Option<String> {
    const SIDE: usize = 24;
    let at = column.saturating_sub(1).min(line.len());
    let text = String::from_utf8_lossy(line);
    // Character boundaries around the byte offset, so a multi-byte character is whole.
    let mut start = at.saturating_sub(SIDE * 4);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let before: String = {
        let chars: Vec<char> = text[start..at.min(text.len())].chars().collect();
        chars[chars.len().saturating_sub(SIDE)..].iter().collect()
    };
    let after: String = text
        .get(at.min(text.len())..)
        .unwrap_or("")
        .chars()
        .take(SIDE)
        .collect();
    let excerpt = format!("{before}{after}");
    let excerpt = excerpt.trim();
    (!excerpt.is_empty()).then(|| excerpt.to_owned())
}

/// The bytes of line `number` (1-based) of the file at `path`, read again to show
/// where its JSON broke; at most 64 KiB of it are kept, as only an excerpt is shown.
fn line_of(path: &Path, number: usize) -> Option<Vec<u8>> {
    const KEEP: usize = 64 * 1024;
    let mut reader = BufReader::new(File::open(path).ok()?);
    let mut current = 1;
    let mut line = Vec::new();
    loop {
        let buffer = reader.fill_buf().ok()?;
        if buffer.is_empty() {
            return (current == number).then_some(line);
        }
        let (chunk, newline) = match buffer.iter().position(|&b| b == b'\n') {
            Some(end) => (&buffer[..end], Some(end + 1)),
            None => (buffer, None),
        };
        if current == number && line.len() < KEEP {
            let room = KEEP - line.len();
            line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        let used = newline.unwrap_or(chunk.len());
        reader.consume(used);
        if newline.is_some() {
            if current == number {
                return Some(line);
            }
            current += 1;
        }
    }
}

/// Skips leading whitespace and returns the next byte without consuming it.
fn first_significant_byte(reader: &mut impl BufRead) -> std::io::Result<Option<u8>> {
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(None);
        }
        match buffer.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(at) => {
                let byte = buffer[at];
                reader.consume(at);
                return Ok(Some(byte));
            }
            None => {
                let all = buffer.len();
                reader.consume(all);
            }
        }
    }
}

/// A JSON array, element by element: each element is handed over as soon as it is
/// parsed, so the array is never held whole.
fn read_array(
    path: &Path,
    name: &str,
    reader: &mut impl Read,
    emit: &mut dyn FnMut(Record) -> bool,
) -> std::io::Result<bool> {
    let mut index = 0usize;
    let mut stopped = false;
    let mut messages = None;
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let visitor = EachElement {
        name,
        index: &mut index,
        stopped: &mut stopped,
        messages: &mut messages,
        emit,
    };
    let outcome = deserializer
        .deserialize_seq(visitor)
        .and_then(|()| deserializer.end());
    if stopped {
        return Ok(false);
    }
    match outcome {
        Ok(()) => Ok(match messages {
            // A bare array of chat messages is one chat log.
            Some(messages) => emit(Record {
                place: name.to_owned(),
                value: Ok(Value::Array(messages)),
            }),
            None if index == 0 => emit(Record {
                place: name.to_owned(),
                value: Err("the file holds an empty array: no sessions".to_owned()),
            }),
            None => true,
        }),
        Err(err) if err.is_io() => Err(err.into()),
        Err(err) => Ok(emit(Record {
            place: format!("{name}[{index}]"),
            value: Err(format!(
                "{}; the rest of the file was not read",
                not_json(&err, line_of(path, err.line()).as_deref(), false)
            )),
        })),
    }
}

/// The visitor behind [`read_array`].
struct EachElement<'a, 'e> {
    name: &'a str,
    index: &'a mut usize,
    stopped: &'a mut bool,
    /// The elements so far, once the first showed the array is one chat log.
    messages: &'a mut Option<Vec<Value>>,
    emit: &'e mut dyn FnMut(Record) -> bool,
}

impl<'de> Visitor<'de> for EachElement<'_, '_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON array of sessions")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<Value>()? {
            let place = format!("{}[{}]", self.name, self.index);
            *self.index += 1;
            if *self.index == 1 && feather_drafter::capture::is_chat_message(&value) {
                *self.messages = Some(Vec::new());
            }
            if let Some(messages) = self.messages.as_mut() {
                messages.push(value);
                continue;
            }
            if !(self.emit)(Record {
                place,
                value: Ok(value),
            }) {
                *self.stopped = true;
                // The rest is not wanted; reading it would only keep the reader busy.
                return Err(serde::de::Error::custom("the import stopped"));
            }
        }
        Ok(())
    }
}

/// A JSON file that is not an array: usually one session, but a file of several
/// concatenated documents is read one document at a time as well.
fn read_documents(
    path: &Path,
    name: &str,
    reader: &mut impl Read,
    emit: &mut dyn FnMut(Record) -> bool,
) -> std::io::Result<bool> {
    let mut documents = serde_json::Deserializer::from_reader(reader).into_iter::<Value>();
    let first = match documents.next() {
        None => {
            return Ok(emit(Record {
                place: name.to_owned(),
                value: Err("the file holds no JSON".to_owned()),
            }));
        }
        Some(Err(err)) if err.is_io() => return Err(err.into()),
        // The line where the JSON breaks is the place, as in a JSONL file.
        Some(Err(err)) => {
            return Ok(emit(Record {
                place: format!("{name}:{}", err.line()),
                value: Err(not_json(&err, line_of(path, err.line()).as_deref(), true)),
            }));
        }
        Some(Ok(first)) => first,
    };
    let Some(second) = documents.next() else {
        return Ok(emit(Record {
            place: name.to_owned(),
            value: Ok(first),
        }));
    };
    for (number, document) in std::iter::once(Ok(first))
        .chain(std::iter::once(second))
        .chain(documents)
        .enumerate()
    {
        let place = format!("{name}#{}", number + 1);
        match document {
            Ok(value) => {
                if !emit(Record {
                    place,
                    value: Ok(value),
                }) {
                    return Ok(false);
                }
            }
            Err(err) if err.is_io() => return Err(err.into()),
            // A syntax error leaves the stream without a known place to resume.
            Err(err) => {
                return Ok(emit(Record {
                    place,
                    value: Err(format!(
                        "{}; the rest of the file was not read",
                        not_json(&err, line_of(path, err.line()).as_deref(), false)
                    )),
                }));
            }
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(name: &str, text: &str) -> Vec<Result<Value, (String, String)>> {
        let path = Path::new(name);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(path);
        std::fs::write(&file, text).unwrap();
        let count = AtomicU64::new(0);
        let mut out = Vec::new();
        read_file(&file, &count, &mut |record| {
            out.push(match item(record, None) {
                Item::Session(session, _) => {
                    Ok(serde_json::from_str(&session.analysis_input).expect("stored as JSON"))
                }
                Item::Rejected { place, reason } => {
                    Err((place.rsplit('/').next().unwrap().to_owned(), reason))
                }
            });
            true
        });
        assert_eq!(count.load(Ordering::Relaxed), text.len() as u64);
        out
    }

    fn example() -> String {
        crate::demo::EXAMPLES[0].1.to_owned()
    }

    #[test]
    fn a_json_array_is_read_element_by_element_with_bad_elements_rejected() {
        let text = format!("  [{}, 42, {}]", example(), example());
        let items = collect("many.json", &text);
        assert_eq!(items.len(), 3);
        assert!(items[0].is_ok() && items[2].is_ok());
        let (place, _) = items[1].as_ref().unwrap_err();
        assert_eq!(place, "many.json[1]");
    }

    #[test]
    fn a_broken_array_rejects_at_the_break_and_keeps_what_came_before() {
        let text = format!("[{}, {{\"oops\": ]", example());
        let items = collect("broken.json", &text);
        assert_eq!(items.len(), 2);
        assert!(items[0].is_ok());
        let (place, reason) = items[1].as_ref().unwrap_err();
        assert_eq!(place, "broken.json[1]");
        assert!(
            reason.contains("the rest of the file was not read"),
            "{reason}"
        );
    }

    #[test]
    fn a_bare_array_of_messages_is_one_chat_log_that_needs_an_organization() {
        let text = r#"[{"role": "user", "content": "hi, where is order 88412?"},
                       {"role": "assistant", "content": "It shipped."}]"#;
        let items = collect("chat.json", text);
        assert_eq!(items.len(), 1);
        let (place, reason) = items[0].as_ref().unwrap_err();
        assert_eq!(place, "chat.json");
        assert!(reason.contains("--org"), "{reason}");
        let items = collect("empty.json", "[]");
        assert!(items[0].as_ref().unwrap_err().1.contains("no sessions"));
    }

    #[test]
    fn jsonl_lines_are_independent() {
        let one_line: Value = serde_json::from_str(&example()).unwrap();
        let line = serde_json::to_string(&one_line).unwrap();
        let text = format!("{line}\n\nnot json\n\u{0}\n{line}");
        let items = collect("lines.jsonl", &text);
        assert_eq!(items.len(), 4);
        assert!(items[0].is_ok() && items[3].is_ok());
        assert_eq!(items[1].as_ref().unwrap_err().0, "lines.jsonl:3");
        assert_eq!(items[2].as_ref().unwrap_err().0, "lines.jsonl:4");
    }

    #[test]
    fn a_single_document_and_concatenated_documents() {
        let items = collect("one.json", &example());
        assert_eq!(items.len(), 1);
        assert!(items[0].is_ok());
        let items = collect("two.json", &format!("{}\n{}", example(), example()));
        assert_eq!(items.len(), 2);
        assert!(items.iter().all(Result::is_ok));
        let items = collect("bad.json", "{\"a\": 1} {");
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].as_ref().unwrap_err().0, "bad.json#2");
    }

    /// A file of one document that is not JSON is rejected at `FILE:LINE`, the line
    /// where it breaks, with the column and the text there.
    #[test]
    fn a_single_document_that_breaks_is_rejected_at_its_line() {
        let items = collect("broken.json", "{\n  \"session_id\": 1,\n  oops\n}\n");
        assert_eq!(items.len(), 1);
        let (place, reason) = items[0].as_ref().unwrap_err();
        assert_eq!(place, "broken.json:3");
        assert!(reason.starts_with("not JSON at column 3: "), "{reason}");
        assert!(reason.contains("near \"oops\""), "{reason}");
    }

    /// serde_json's terse reasons ("expected ident", "expected value") are said in
    /// words a person can act on, with the text where the JSON broke.
    #[test]
    fn json_syntax_errors_say_what_is_wrong_and_where() {
        let items = collect(
            "lines.jsonl",
            "not json\n{'session_id': 1}\n{\"a\": 1} x\n{\"a\": [1\n",
        );
        let reasons: Vec<&str> = items
            .iter()
            .map(|item| item.as_ref().unwrap_err().1.as_str())
            .collect();
        assert_eq!(reasons.len(), 4);
        assert!(
            reasons[0].contains("only true, false and null go without quotes")
                && reasons[0].contains("near \"not json\"")
                && !reasons[0].contains("expected ident"),
            "{}",
            reasons[0]
        );
        assert!(
            reasons[1].contains("keys must be strings in double quotes"),
            "{}",
            reasons[1]
        );
        assert!(
            reasons[2].contains("more text after a whole JSON value"),
            "{}",
            reasons[2]
        );
        assert!(
            reasons[3].contains("the text ends before the JSON does"),
            "{}",
            reasons[3]
        );
        let items = collect("broken.json", "[{\"a\": tru}]");
        let (place, reason) = items[0].as_ref().unwrap_err();
        assert_eq!(place, "broken.json[0]");
        assert!(
            reason.starts_with("not JSON at line 1, column "),
            "{reason}"
        );
    }
}
