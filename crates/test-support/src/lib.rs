//! The PostgreSQL harness of the store's and the CLI's tests (a dev-dependency
//! only): the database to test against, a schema of its own per test, dropped when
//! the test ends, and what happens when there is no database.
//!
//! `FEATHER_TEST_DATABASE_URL` names the database (for example
//! `postgres://postgres@127.0.0.1:5432/test`). Without it a test on PostgreSQL
//! cannot run: on a developer's machine it says so loudly, once, past the test
//! harness's output capture, and carries on with SQLite; with `CI` set in the
//! environment (`.ci/run` exports it) it fails, so a CI that lost the variable
//! cannot pass without testing PostgreSQL. A database that is named but cannot be
//! reached fails the test everywhere.
//!
//! [`set_writable`] takes write access to a database file away and gives it back,
//! for the tests of a store that must recover without a restart.
//!
//! [`test_certificate`] makes a self-signed certificate for the TLS tests of the
//! server and of the Rust client.

use std::io::Write;
use std::sync::Once;

use sqlx::Connection;
use uuid::Uuid;

/// The variable that names the PostgreSQL database to test against.
pub const POSTGRES_URL_VAR: &str = "FEATHER_TEST_DATABASE_URL";

/// The PostgreSQL URL to test against; `None` after the banner when it is not set
/// outside CI.
///
/// # Panics
/// When `CI` is set and the variable is not.
pub fn postgres_url(suite: &str) -> Option<String> {
    let url = std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|url| !url.trim().is_empty());
    if url.is_none() {
        assert!(
            !in_ci(),
            "CI is set but {POSTGRES_URL_VAR} is not: the PostgreSQL tests of {suite} \
             would pass without testing anything"
        );
        not_tested_banner(suite);
    }
    url
}

/// Whether the tests run in CI, where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|value| !value.is_empty() && value != "false")
}

/// A schema of its own on the test PostgreSQL database, dropped when the value is.
#[derive(Debug)]
pub struct PgSchema {
    /// The URL that puts the store's tables in this schema.
    pub url: String,
    /// The URL of the database itself, without the search path.
    pub base_url: String,
    pub schema: String,
}

impl PgSchema {
    /// A new schema named `<prefix>_<random>`, or `None` when no PostgreSQL is
    /// configured (see [`postgres_url`]).
    ///
    /// # Panics
    /// When the database is named but cannot be reached or the schema made.
    pub async fn create(suite: &str, prefix: &str) -> Option<PgSchema> {
        let base_url = postgres_url(suite)?;
        let schema = format!("{prefix}_{}", Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&base_url)
            .await
            .unwrap_or_else(|err| panic!("{POSTGRES_URL_VAR} is set but cannot connect: {err}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut admin)
            .await
            .expect("creating the test schema");
        admin.close().await.expect("closing the admin connection");
        let separator = if base_url.contains('?') { '&' } else { '?' };
        let url = format!("{base_url}{separator}options=-csearch_path%3D{schema}");
        Some(PgSchema {
            url,
            base_url,
            schema,
        })
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        // Drop runs outside async code (and also while a failed test unwinds), so
        // the schema is dropped on a thread with a runtime of its own.
        let base_url = self.base_url.clone();
        let statement = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema);
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&base_url).await?;
                sqlx::query(sqlx::AssertSqlSafe(statement))
                    .execute(&mut admin)
                    .await?;
                admin.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            let _ = writeln!(
                std::io::stderr(),
                "warning: could not drop test schema {}",
                self.schema
            );
        }
    }
}

/// Makes `file` unwritable for this process (or writable again): by its mode, or,
/// for root, whom modes do not stop, by the immutable attribute (`chattr`).
///
/// # Panics
/// When the file's access cannot be changed as asked.
pub fn set_writable(file: &std::path::Path, writable: bool) {
    use std::os::unix::fs::PermissionsExt;
    let open_for_writing = || std::fs::OpenOptions::new().write(true).open(file).is_ok();
    let chattr = |flag: &str| {
        let status = std::process::Command::new("chattr")
            .arg(flag)
            .arg(file)
            .status()
            .unwrap_or_else(|err| panic!("chattr {flag} {}: {err}", file.display()));
        assert!(status.success(), "chattr {flag} {}", file.display());
    };
    if writable && open_for_writing() {
        return;
    }
    if writable && std::fs::symlink_metadata(file).is_ok() {
        // An immutable file refuses even a change of mode; only root makes one.
        let immutable = std::process::Command::new("lsattr")
            .arg(file)
            .output()
            .is_ok_and(|out| {
                String::from_utf8_lossy(&out.stdout)
                    .split(' ')
                    .next()
                    .is_some_and(|flags| flags.contains('i'))
            });
        if immutable {
            chattr("-i");
        }
    }
    let mode = if writable { 0o644 } else { 0o444 };
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode))
        .unwrap_or_else(|err| panic!("chmod {}: {err}", file.display()));
    if open_for_writing() != writable {
        chattr(if writable { "-i" } else { "+i" });
    }
    assert_eq!(open_for_writing(), writable, "{}", file.display());
}

/// Says, once per test binary and past the test harness's output capture, that
/// PostgreSQL was not tested.
fn not_tested_banner(suite: &str) {
    static BANNER: Once = Once::new();
    BANNER.call_once(|| {
        // Writing to the stderr handle directly, not with eprintln!, so that the
        // harness does not swallow the banner of a passing test.
        let _ = std::io::stderr().write_all(
            format!(
                "\n\
                 ************************************************************************\n\
                 *  PostgreSQL was NOT tested by {suite}: {POSTGRES_URL_VAR} is not set.\n\
                 *  Only SQLite ran; the PostgreSQL tests passed without testing.\n\
                 *  To test both, run for example\n\
                 *  {POSTGRES_URL_VAR}=postgres://postgres@127.0.0.1:5432/test \\\n\
                 *      cargo test -p feather-store -p feather-server\n\
                 ************************************************************************\n\n"
            )
            .as_bytes(),
        );
    });
}

/// A self-signed certificate for `localhost` and 127.0.0.1, made now by the
/// `openssl` command in `dir`: the paths of its PEM certificate and private key.
pub fn test_certificate(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .arg("ec_paramgen_curve:prime256v1")
        .args(["-nodes", "-days", "1", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        // An end-entity certificate, not a CA's (openssl's default), as rustls requires.
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", "extendedKeyUsage=serverAuth"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("the TLS tests need the openssl command to make their certificate");
    assert!(status.success(), "openssl could not make a certificate");
    (cert, key)
}
