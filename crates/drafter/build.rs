//! Computes `DRAFTS_VERSION`: which drafts this build makes.
//!
//! The server stores each session's draft beside the session, made once at capture,
//! and serves it as long as it was made by a drafter that drafts the same way. The
//! version is the crate version plus a digest of what decides a draft:
//! - the sources of this crate and its data (the name gazetteer and common words of
//!   `data/names/`), of `feather-types` (the draft and session models and
//!   their limits) and of `feather-validation` (how a chat-log envelope and its
//!   timestamps are read);
//! - the locked versions of the crates whose behaviour shows in a draft's text
//!   ([`SHAPING_CRATES`]: serialisation, pattern matching, ids, date-times).
//!
//! Any change to them gives a new version, so stored drafts are remade instead of
//! served stale, without anyone having to remember to bump a number. The API crate
//! (dropshot, the OpenAPI finishing) is not part of it: editing it keeps every stored
//! draft.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The dependencies whose version can change a draft's bytes.
const SHAPING_CRATES: &[&str] = &["regex", "serde", "serde_json", "speedate", "uuid"];

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let roots = [
        manifest.join("src"),
        manifest.join("data"),
        manifest.join("../types/src"),
        manifest.join("../validation/src"),
    ];
    let mut hasher = Sha256::new();
    for root in &roots {
        println!("cargo:rerun-if-changed={}", root.display());
        let mut files = Vec::new();
        collect(root, &mut files);
        files.sort();
        for file in files {
            let relative = file.strip_prefix(&manifest).unwrap_or(&file);
            hasher.update(relative.to_string_lossy().as_bytes());
            hasher.update([0]);
            hasher.update(fs::read(&file).expect("a source file is readable"));
            hasher.update([0]);
        }
    }
    let lock = manifest.join("../../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let lock = fs::read_to_string(&lock).expect("the workspace's Cargo.lock is readable");
    for (name, version) in locked_versions(&lock) {
        hasher.update(format!("{name} {version}\0").as_bytes());
    }
    let digest = hasher.finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets it");
    println!("cargo:rustc-env=FEATHER_DRAFTS_VERSION={version}+{hex}");
}

/// The `(name, version)` of every locked package named in [`SHAPING_CRATES`], in the
/// lock file's order. A lock file lists each package as a `[[package]]` table whose
/// first two keys are `name` and `version`; reading those two lines needs no parser.
fn locked_versions(lock: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        let Some(name) = quoted(line, "name") else {
            continue;
        };
        if let Some(version) = lines.next().and_then(|line| quoted(line, "version"))
            && SHAPING_CRATES.contains(&name)
        {
            found.push((name, version));
        }
    }
    assert!(
        SHAPING_CRATES
            .iter()
            .all(|c| found.iter().any(|(n, _)| n == c)),
        "every crate in SHAPING_CRATES is in Cargo.lock"
    );
    found
}

fn quoted<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?
        .trim()
        .strip_prefix('"')?
        .strip_suffix('"')
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("a source folder is readable") {
        let path = entry.expect("a source folder lists").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path
            .extension()
            .is_some_and(|ext| ext == "rs" || ext == "txt")
        {
            files.push(path);
        }
    }
}
