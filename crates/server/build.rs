//! Unpacks the Swagger UI files that `GET /docs` serves.
//!
//! The assets come from the `utoipa-swagger-ui-vendored` crate, which ships the
//! Swagger UI release as a zip archive; nothing is downloaded and no third-party
//! file is kept in this repository. The build writes the bundle, its stylesheet and
//! its licence into `OUT_DIR`, where `src/docs.rs` includes them into the binary.

use std::io::{Cursor, Read};
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
    let archive = Cursor::new(utoipa_swagger_ui_vendored::SWAGGER_UI_VENDORED);
    let mut archive = zip::ZipArchive::new(archive).expect("the Swagger UI archive is a zip file");
    let names: Vec<String> = archive
        .file_names()
        .map(|name| name.map(|name| name.into_owned()))
        .collect::<Result<_, _>>()
        .expect("the Swagger UI archive lists its files");
    for (suffix, name) in FILES {
        // The shortest match: the release's own file, not a copy deeper in the tree.
        let entry = names
            .iter()
            .filter(|entry| entry.ends_with(suffix))
            .min_by_key(|entry| entry.len())
            .unwrap_or_else(|| panic!("the Swagger UI archive has no file ending in {suffix}"));
        let mut contents = Vec::new();
        archive
            .by_name(entry)
            .and_then(|mut file| Ok(file.read_to_end(&mut contents)?))
            .unwrap_or_else(|e| panic!("cannot unpack {entry}: {e}"));
        std::fs::write(Path::new(&out_dir).join(name), contents)
            .unwrap_or_else(|e| panic!("cannot write {name}: {e}"));
    }
}
