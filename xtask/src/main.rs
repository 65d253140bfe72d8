//! Project automation, run as `cargo xtask <task>`.
//!
//! - `cargo xtask openapi [--check]` writes `openapi.json`, the finished contract,
//!   from the `feather-api` crate.
//! - `cargo xtask codegen [--check]` regenerates the progenitor client
//!   (`crates/client/src/generated.rs`) from `openapi.json`.
//! - `cargo xtask openapi diff [--base <git-ref>]` reports what changed in
//!   `openapi.json` since a revision (`HEAD` by default), breaking or not for
//!   existing clients, and exits non-zero on a breaking change (see [`diff`]).
//!
//! With `--check` nothing is written: a stale file prints a unified diff and the
//! command that fixes it, and the task exits non-zero. The tests at the bottom run
//! the codegen check, so a plain `cargo test` catches a stale client too.

mod diff;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::{Value, json};

const OPENAPI_PATH: &str = "openapi.json";
const CLIENT_PATH: &str = "crates/client/src/generated.rs";

/// Project automation for the Feather workspace.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, PartialEq, Subcommand)]
enum Task {
    /// Write `openapi.json`, the finished contract, from the `feather-api` crate.
    #[command(args_conflicts_with_subcommands = true)]
    Openapi {
        /// Write nothing: fail with a unified diff when `openapi.json` is stale.
        #[arg(long)]
        check: bool,
        #[command(subcommand)]
        command: Option<OpenapiCommand>,
    },
    /// Regenerate the progenitor client (`crates/client/src/generated.rs`) from
    /// `openapi.json`.
    Codegen {
        /// Write nothing: fail with a unified diff when the client is stale.
        #[arg(long)]
        check: bool,
    },
}

#[derive(Debug, PartialEq, Subcommand)]
enum OpenapiCommand {
    /// Report what changed in `openapi.json` since a revision, breaking or not for
    /// existing clients; exit non-zero on a breaking change.
    Diff {
        /// The git revision to compare with.
        #[arg(long, default_value = "HEAD")]
        base: String,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().task {
        Task::Openapi {
            command: Some(OpenapiCommand::Diff { base }),
            ..
        } => diff::run(&workspace_root(), &base, OPENAPI_PATH).map(|report| print!("{report}")),
        Task::Openapi {
            check,
            command: None,
        } => ensure(
            OPENAPI_PATH,
            &feather_api::openapi::document_text(),
            "openapi",
            check,
        ),
        Task::Codegen { check } => {
            generate_client().and_then(|client| ensure(CLIENT_PATH, &client, "codegen", check))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

/// Writes `contents` to `path` (relative to the workspace root), or with `check`
/// fails with a unified diff when the file differs.
fn ensure(path: &str, contents: &str, task: &str, check: bool) -> Result<(), String> {
    let full = workspace_root().join(path);
    let current = std::fs::read_to_string(&full).unwrap_or_default();
    if current == contents {
        eprintln!("{path} is up to date");
        return Ok(());
    }
    if check {
        let diff = similar::TextDiff::from_lines(current.as_str(), contents)
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("{path} (checked in)"),
                &format!("{path} (generated)"),
            )
            .to_string();
        return Err(format!(
            "{diff}\n{path} is stale: run `cargo xtask {task}` and commit the result."
        ));
    }
    std::fs::write(&full, contents).map_err(|e| format!("cannot write {path}: {e}"))?;
    eprintln!("wrote {path}");
    Ok(())
}

/// The client source for the checked-in `openapi.json`.
fn generate_client() -> Result<String, String> {
    let path = workspace_root().join(OPENAPI_PATH);
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {OPENAPI_PATH}: {e}"))?;
    let document: Value =
        serde_json::from_str(&text).map_err(|e| format!("{OPENAPI_PATH}: {e}"))?;
    client_source(document)
}

fn client_source(document: Value) -> Result<String, String> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(for_progenitor(document))
        .map_err(|e| format!("{OPENAPI_PATH} is not an OpenAPI 3.0 document: {e}"))?;
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged);
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor: {e}"))?;
    let file = syn::parse2(tokens).map_err(|e| format!("progenitor emitted invalid Rust: {e}"))?;
    Ok(format!(
        "// Generated by `cargo xtask codegen` from openapi.json; do not edit.\n\n{}",
        prettyplease::unparse(&file)
    ))
}

/// Progenitor panics when one operation has two error schemas, so every error
/// response is given one union type, `ErrorBody`. `ErrorResponse` comes first: its
/// fields are required, so an untagged decode tries it before `HTTPValidationError`,
/// whose only field is optional and would match any body.
fn for_progenitor(mut document: Value) -> Value {
    document["components"]["schemas"]["ErrorBody"] = json!({
        "description": "An error body: `ErrorResponse`, or `HTTPValidationError` for 422.",
        "oneOf": [
            { "$ref": "#/components/schemas/ErrorResponse" },
            { "$ref": "#/components/schemas/HTTPValidationError" },
        ]
    });
    let error_schema = json!({ "$ref": "#/components/schemas/ErrorBody" });
    if let Some(paths) = document["paths"].as_object_mut() {
        for operation in paths
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|item| item.values_mut())
        {
            let Some(responses) = operation["responses"].as_object_mut() else {
                continue;
            };
            for (status, response) in responses.iter_mut() {
                if status.starts_with('4') || status.starts_with('5') {
                    response["content"]["application/json"]["schema"] = error_schema.clone();
                }
            }
        }
    }
    document
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo test` fails when the checked-in client is stale.
    #[test]
    fn client_is_fresh() {
        let client = generate_client().unwrap();
        if let Err(message) = ensure(CLIENT_PATH, &client, "codegen", true) {
            panic!("{message}");
        }
    }

    #[test]
    fn arguments_name_one_task() {
        let parse = |line: &str| {
            Cli::try_parse_from(std::iter::once("xtask").chain(line.split_whitespace()))
                .map(|cli| cli.task)
                .map_err(|err| err.kind())
        };
        let openapi = |check| Task::Openapi {
            check,
            command: None,
        };
        assert_eq!(parse("openapi"), Ok(openapi(false)));
        assert_eq!(parse("openapi --check"), Ok(openapi(true)));
        assert_eq!(parse("codegen --check"), Ok(Task::Codegen { check: true }));
        let diff = |base: &str| {
            Ok(Task::Openapi {
                check: false,
                command: Some(OpenapiCommand::Diff {
                    base: base.to_owned(),
                }),
            })
        };
        assert_eq!(parse("openapi diff"), diff("HEAD"));
        assert_eq!(parse("openapi diff --base main~2"), diff("main~2"));
        assert_eq!(parse("openapi diff --base=v1.0"), diff("v1.0"));
        for wrong in [
            "",
            "diff",
            "openapi --check diff",
            "openapi --base x",
            "openapi --force",
        ] {
            assert!(parse(wrong).is_err(), "{wrong:?} was accepted");
        }
        for help in [
            "--help",
            "openapi --help",
            "openapi diff --help",
            "codegen --help",
        ] {
            assert_eq!(
                parse(help),
                Err(clap::error::ErrorKind::DisplayHelp),
                "{help}"
            );
        }
    }

    #[test]
    fn every_error_response_uses_the_union() {
        let document = for_progenitor(feather_api::openapi::document());
        let draft = &document["paths"]["/v1/scenarios/draft-from-session"]["post"]["responses"];
        for status in ["400", "401", "404", "413", "422", "500", "503"] {
            assert_eq!(
                draft[status]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "status {status}"
            );
        }
    }
}
