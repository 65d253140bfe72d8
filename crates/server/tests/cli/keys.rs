//! `feather keys` as a new user meets it: ids that must be UUIDs say so, the secret
//! given for an id is recognised, a mistyped database is not created, an empty list
//! says it is empty.

use uuid::Uuid;

use crate::{create_key, feather};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn arguments_that_must_be_uuids_say_which_uuid() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("feather.db").display().to_string();

    let output = feather(&["keys", "create", "--database-url", &url, "--org", "acme"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("expected an organization id, a UUID"),
        "{}",
        stderr(&output)
    );

    let (_, secret) = create_key(&url, Uuid::new_v4(), "bot");
    let output = feather(&["keys", "revoke", "--database-url", &url, &secret]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("that is a key's secret")
            && stderr(&output).contains("first column of `feather keys list`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn list_and_revoke_do_not_create_a_mistyped_database() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("fether.db");
    let typo_url = typo.display().to_string();
    for args in [
        vec!["keys", "list", "--database-url", &typo_url],
        vec![
            "keys",
            "revoke",
            "--database-url",
            &typo_url,
            "5089f4bc-8601-5899-8283-2b9a5d462041",
        ],
    ] {
        let output = feather(&args);
        assert!(!output.status.success(), "{args:?}");
        assert!(
            stderr(&output).contains("there is no SQLite database at"),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(!typo.exists(), "{args:?} created the file");
    }
}

#[test]
fn an_empty_list_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("feather.db").display().to_string();
    // `keys create` may make the database; one key of another organization.
    create_key(&url, Uuid::new_v4(), "other");
    let org = Uuid::new_v4().to_string();
    let output = feather(&["keys", "list", "--database-url", &url, "--org", &org]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "nothing on stdout for no keys");
    assert!(
        stderr(&output).contains("No API keys for that organization"),
        "{}",
        stderr(&output)
    );
}
