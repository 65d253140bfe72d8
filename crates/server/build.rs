//! Unpacks the Swagger UI files that `GET /docs` serves.
//!
//! The assets come from the `utoipa-swagger-ui-vendored` crate, which ships the
//! Swagger UI release as a zip archive; nothing is downloaded and no third-party
//! file is kept in this repository. The build writes the bundle, its stylesheet and
//! its licence into `OUT_DIR`, where `src/docs.rs` includes them into the binary.

use std::path::Path;

/// The files taken from the archive: a path suffix inside it, and the name written.
const FILES: &[(&str, &str)] = &[
    ("/dist/swagger-ui-bundle.js", "swagger-ui-bundle.js"),
    ("/dist/swagger-ui.css", "swagger-ui.css"),
    ("/LICENSE", "swagger-ui-LICENSE"),
    ("/NOTICE", "swagger-ui-NOTICE"),
];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let archive = utoipa_swagger_ui_vendored::SWAGGER_UI_VENDORED;
    let entries = central_directory(archive);
    for (suffix, name) in FILES {
        let entry = entries
            .iter()
            .filter(|entry| entry.name.ends_with(suffix))
            .min_by_key(|entry| entry.name.len())
            .unwrap_or_else(|| panic!("the Swagger UI archive has no file ending in {suffix}"));
        let contents = extract(archive, entry);
        std::fs::write(Path::new(&out_dir).join(name), contents)
            .unwrap_or_else(|e| panic!("cannot write {name}: {e}"));
    }
}

/// One file of a zip archive, as its central directory describes it.
struct Entry {
    name: String,
    method: u16,
    compressed_size: usize,
    local_header: usize,
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> usize {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize
}

/// Reads the central directory, found through the end-of-central-directory record.
fn central_directory(zip: &[u8]) -> Vec<Entry> {
    let end = (0..zip.len().saturating_sub(21))
        .rev()
        .find(|&at| zip[at..].starts_with(b"PK\x05\x06"))
        .expect("the Swagger UI archive is a zip file");
    let count = u16_at(zip, end + 10) as usize;
    let mut at = u32_at(zip, end + 16);
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        assert!(
            zip[at..].starts_with(b"PK\x01\x02"),
            "malformed central directory"
        );
        let name_len = u16_at(zip, at + 28) as usize;
        let extra_len = u16_at(zip, at + 30) as usize;
        let comment_len = u16_at(zip, at + 32) as usize;
        entries.push(Entry {
            name: String::from_utf8_lossy(&zip[at + 46..at + 46 + name_len]).into_owned(),
            method: u16_at(zip, at + 10),
            compressed_size: u32_at(zip, at + 20),
            local_header: u32_at(zip, at + 42),
        });
        at += 46 + name_len + extra_len + comment_len;
    }
    entries
}

/// The contents of one file: stored (method 0) or deflated (method 8).
fn extract(zip: &[u8], entry: &Entry) -> Vec<u8> {
    let header = entry.local_header;
    assert!(
        zip[header..].starts_with(b"PK\x03\x04"),
        "malformed local header"
    );
    let start = header + 30 + u16_at(zip, header + 26) as usize + u16_at(zip, header + 28) as usize;
    let data = &zip[start..start + entry.compressed_size];
    match entry.method {
        0 => data.to_vec(),
        8 => miniz_oxide::inflate::decompress_to_vec(data)
            .unwrap_or_else(|e| panic!("cannot inflate {}: {e:?}", entry.name)),
        other => panic!("{} uses zip method {other}", entry.name),
    }
}
