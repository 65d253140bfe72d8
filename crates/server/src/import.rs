//! `feather import`: captured sessions from files into the store.
//!
//! Accepts JSON files (one session, or an array of sessions), JSONL files (one
//! session a line) and folders of them, in both capture formats. Sessions are
//! stored in batches, one transaction a batch, so an interrupted import leaves
//! every committed session whole. A bad record is reported with its place and
//! reason and never stops the rest.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use feather_drafter::CapturedSession;
use feather_store::{NewSession, Store, StoreError};
use serde_json::Value;

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ImportSummary {
    /// Sessions stored for the first time.
    pub imported: u64,
    /// Sessions that replaced a stored one with the same id.
    pub updated: u64,
    /// Records refused: where (`file:line` or `file[index]`) and why.
    pub rejected: Vec<(String, String)>,
}

/// The stored form of a captured session.
pub fn new_session(captured: CapturedSession) -> NewSession {
    NewSession {
        organization_id: captured.input.organization_id,
        session_id: captured.input.session_id,
        analysis_input: serde_json::to_value(&captured.input).expect("a session serialises"),
        attribution: captured.attribution,
    }
}

/// Imports every record under `paths`, `batch_size` sessions a transaction.
/// `progress` is called after each batch with the running summary.
pub async fn import_paths(
    store: &Store,
    paths: &[PathBuf],
    batch_size: usize,
    mut progress: impl FnMut(&ImportSummary),
) -> Result<ImportSummary, StoreError> {
    let mut summary = ImportSummary::default();
    let mut batch = Vec::with_capacity(batch_size);
    for file in files(paths, &mut summary) {
        let mut records = Records::open(&file, &mut summary);
        while let Some((place, record)) = records.next(&mut summary) {
            match record.and_then(|value| {
                feather_drafter::capture::parse_value(value).map_err(|e| e.to_string())
            }) {
                Ok(captured) => batch.push(new_session(captured)),
                Err(reason) => summary.rejected.push((place, reason)),
            }
            if batch.len() >= batch_size.max(1) {
                flush(store, &mut batch, &mut summary).await?;
                progress(&summary);
            }
        }
    }
    flush(store, &mut batch, &mut summary).await?;
    progress(&summary);
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

// The files named, with folders expanded to their `.json` / `.jsonl` files in
// name order, so an import is repeatable.
fn files(paths: &[PathBuf], summary: &mut ImportSummary) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut stack = vec![path.clone()];
            let mut found = Vec::new();
            while let Some(dir) = stack.pop() {
                let entries = match std::fs::read_dir(&dir) {
                    Ok(entries) => entries,
                    Err(err) => {
                        summary
                            .rejected
                            .push((dir.display().to_string(), err.to_string()));
                        continue;
                    }
                };
                for entry in entries.flatten() {
                    let entry = entry.path();
                    if entry.is_dir() {
                        stack.push(entry);
                    } else if matches!(
                        entry.extension().and_then(|e| e.to_str()),
                        Some("json" | "jsonl")
                    ) {
                        found.push(entry);
                    }
                }
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(path.clone());
        }
    }
    out
}

/// The records of one file, read lazily: JSONL line by line, JSON as one document.
enum Records {
    Lines {
        name: String,
        lines: std::io::Lines<BufReader<File>>,
        number: usize,
    },
    Values {
        name: String,
        values: std::vec::IntoIter<Value>,
        index: usize,
        single: bool,
    },
    Done,
}

impl Records {
    fn open(path: &Path, summary: &mut ImportSummary) -> Records {
        let name = path.display().to_string();
        let file = match File::open(path) {
            Ok(file) => file,
            Err(err) => {
                summary
                    .rejected
                    .push((name, format!("cannot read the file: {err}")));
                return Records::Done;
            }
        };
        if path.extension().and_then(|e| e.to_str()) == Some("jsonl") {
            return Records::Lines {
                name,
                lines: BufReader::new(file).lines(),
                number: 0,
            };
        }
        match serde_json::from_reader::<_, Value>(BufReader::new(file)) {
            Ok(Value::Array(values)) => Records::Values {
                name,
                values: values.into_iter(),
                index: 0,
                single: false,
            },
            Ok(value) => Records::Values {
                name,
                values: vec![value].into_iter(),
                index: 0,
                single: true,
            },
            // Not one JSON document: read it as JSONL after all.
            Err(_) => match File::open(path) {
                Ok(file) => Records::Lines {
                    name,
                    lines: BufReader::new(file).lines(),
                    number: 0,
                },
                Err(err) => {
                    summary
                        .rejected
                        .push((name, format!("cannot read the file: {err}")));
                    Records::Done
                }
            },
        }
    }

    fn next(&mut self, summary: &mut ImportSummary) -> Option<(String, Result<Value, String>)> {
        match self {
            Records::Lines {
                name,
                lines,
                number,
            } => loop {
                *number += 1;
                match lines.next()? {
                    Ok(line) if line.trim().is_empty() => continue,
                    Ok(line) => {
                        let place = format!("{name}:{number}");
                        let record =
                            serde_json::from_str(&line).map_err(|e| format!("not JSON: {e}"));
                        return Some((place, record));
                    }
                    Err(err) => {
                        summary.rejected.push((
                            format!("{name}:{number}"),
                            format!("cannot read the line: {err}"),
                        ));
                        return None;
                    }
                }
            },
            Records::Values {
                name,
                values,
                index,
                single,
            } => {
                let value = values.next()?;
                let place = if *single {
                    name.clone()
                } else {
                    format!("{name}[{index}]")
                };
                *index += 1;
                Some((place, Ok(value)))
            }
            Records::Done => None,
        }
    }
}
