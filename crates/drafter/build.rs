//! Computes `DRAFTS_VERSION`: which drafts this build makes.
//!
//! The server stores each session's draft beside the session, made once at capture,
//! and serves it as long as it was made by a drafter that drafts the same way. The
//! version is the crate version plus a digest of every source file that decides a
//! draft: this crate's and `feather-api`'s (the draft types and limits). Any change
//! to them gives a new version, so stored drafts are remade instead of served stale,
//! without anyone having to remember to bump a number.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let roots = [manifest.join("src"), manifest.join("../api/src")];
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
    let digest = hasher.finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets it");
    println!("cargo:rustc-env=FEATHER_DRAFTS_VERSION={version}+{hex}");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("a source folder is readable") {
        let path = entry.expect("a source folder lists").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}
