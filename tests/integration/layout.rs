//! The direction of the crates' dependencies, as the README's "Layout" states it: the
//! drafter and the store know nothing of HTTP, and the client nothing of ours.

use std::process::Command;

use crate::support::workspace_root;

/// The names of the packages `package` depends on for its library (normal edges).
fn normal_dependencies(package: &str) -> Vec<String> {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "-p",
            package,
        ])
        .current_dir(workspace_root())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_drafter_and_the_store_build_without_http() {
    for package in [
        "feather-types",
        "feather-validation",
        "feather-drafter",
        "feather-store",
    ] {
        let dependencies = normal_dependencies(package);
        assert!(
            dependencies.iter().any(|d| d == "serde_json"),
            "{package}: {dependencies:?}"
        );
        for http in ["dropshot", "hyper", "feather-api", "feather-server"] {
            assert!(
                !dependencies.iter().any(|d| d == http),
                "{package} depends on {http}"
            );
        }
        if package == "feather-drafter" {
            assert!(
                !dependencies.iter().any(|d| d == "feather-store"),
                "the drafter knows nothing of storage"
            );
        }
    }
}

#[test]
fn the_client_depends_on_nothing_of_ours() {
    let ours = normal_dependencies("feather-client");
    assert!(ours.iter().any(|d| d == "progenitor-client"));
    assert!(
        !ours
            .iter()
            .any(|d| d.starts_with("feather-") && d != "feather-client"),
        "{ours:?}"
    );
}
