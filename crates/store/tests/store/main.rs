//! The store's test suite, one binary for both backends.
//!
//! Every test in [`sessions`], [`drafts`], [`keys`] and [`migrations`] is an async function
//! taking a [`TestDb`]; [`on_both_backends`] runs it on a fresh SQLite file and then,
//! when `FEATHER_TEST_DATABASE_URL` names a PostgreSQL database (for example
//! `postgres://postgres@127.0.0.1:5432/test`), on PostgreSQL in a schema of its own
//! that is dropped afterwards. Without that variable the suite says loudly, once,
//! that PostgreSQL was not tested. [`snapshots`] tests what SQLite's readers
//! share between reads. [`unavailable`] holds the failure-mode tests,
//! some of which only make sense on one backend.

mod drafts;
mod keys;
mod migrations;
mod sessions;
mod snapshots;
mod unavailable;

use std::io::Write;
use std::sync::Once;

use feather_store::{Backend, NewSession, Store};
use feather_types::SessionAttribution;
use sqlx::Connection;
use uuid::Uuid;

/// The variable that names the PostgreSQL database to test against.
pub const POSTGRES_URL_VAR: &str = "FEATHER_TEST_DATABASE_URL";

/// A connected store on a database made for one test, and what is needed to reach
/// that database behind the store's back.
pub struct TestDb {
    pub store: Store,
    /// The URL the store was connected with; connecting again reaches the same data.
    pub url: String,
    /// Where the data lives, to be removed when the test ends.
    place: Place,
}

enum Place {
    Sqlite {
        /// Deleted on drop.
        dir: tempfile::TempDir,
    },
    Postgres {
        /// The URL without the search path, for creating and dropping the schema.
        base_url: String,
        schema: String,
    },
}

impl TestDb {
    /// A store on a new SQLite file in a temporary directory.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = dir.path().join("feather.db").display().to_string();
        let store = Store::connect(&url).await.expect("SQLite store connects");
        assert_eq!(store.backend(), Backend::Sqlite);
        TestDb {
            store,
            url,
            place: Place::Sqlite { dir },
        }
    }

    /// A store on a new schema of the PostgreSQL database named by
    /// [`POSTGRES_URL_VAR`], or `None` (after the banner) when it is not set.
    pub async fn postgres() -> Option<TestDb> {
        let Some(base_url) = postgres_url() else {
            postgres_not_tested_banner();
            return None;
        };
        let schema = format!("feather_test_{}", Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&base_url)
            .await
            .unwrap_or_else(|err| panic!("{POSTGRES_URL_VAR} is set but cannot connect: {err}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut admin)
            .await
            .expect("creating the test schema");
        admin.close().await.expect("closing the admin connection");
        // From here on the schema is dropped even if connecting fails.
        let place = Place::Postgres {
            base_url: base_url.clone(),
            schema: schema.clone(),
        };
        let separator = if base_url.contains('?') { '&' } else { '?' };
        let url = format!("{base_url}{separator}options=-csearch_path%3D{schema}");
        let store = match Store::connect(&url).await {
            Ok(store) => store,
            Err(err) => {
                drop(place);
                panic!("PostgreSQL store connects: {err}");
            }
        };
        assert_eq!(store.backend(), Backend::Postgres);
        Some(TestDb { store, url, place })
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// The SQLite database file, for tests that look at it directly.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        match &self.place {
            Place::Sqlite { dir } => Some(dir.path().join("feather.db")),
            Place::Postgres { .. } => None,
        }
    }

    /// Every row of `table` as text, read behind the store's back (PostgreSQL only;
    /// SQLite tests read the file itself).
    pub async fn postgres_rows_as_text(&self, table: &str) -> Vec<String> {
        let mut connection = sqlx::PgConnection::connect(&self.url)
            .await
            .expect("a raw connection");
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT t::text FROM {table} t"
        )))
        .fetch_all(&mut connection)
        .await
        .expect("reading the table")
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let Place::Postgres { base_url, schema } = self else {
            return;
        };
        // Drop runs outside async code (and also while a failed test unwinds), so
        // the schema is dropped on a thread with a runtime of its own.
        let (base_url, schema) = (base_url.clone(), schema.clone());
        let statement = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
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
                "warning: could not drop test schema {schema}"
            );
        }
    }
}

/// The PostgreSQL URL to test against, if configured.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// Says, once and past the test harness's output capture, that PostgreSQL was not
/// tested.
fn postgres_not_tested_banner() {
    static BANNER: Once = Once::new();
    BANNER.call_once(|| {
        // Writing to the stderr handle directly, not with eprintln!, so that the
        // harness does not swallow the banner of a passing test.
        let _ = std::io::stderr().write_all(
            format!(
                "\n\
                 ************************************************************************\n\
                 *  PostgreSQL was NOT tested: {POSTGRES_URL_VAR} is not set.\n\
                 *  Only the SQLite backend ran. To test both, run for example\n\
                 *  {POSTGRES_URL_VAR}=postgres://postgres@127.0.0.1:5432/test \\\n\
                 *      cargo test -p feather-store\n\
                 ************************************************************************\n\n"
            )
            .as_bytes(),
        );
    });
}

/// Runs `test` on a fresh SQLite store, then on a fresh PostgreSQL schema when one
/// is configured.
pub async fn on_both_backends(test: impl AsyncFn(&TestDb)) {
    let sqlite = TestDb::sqlite().await;
    test(&sqlite).await;
    drop(sqlite);
    if let Some(postgres) = TestDb::postgres().await {
        test(&postgres).await;
    }
}

/// A session of `organization_id` with a small analysis input that names it.
pub fn session(organization_id: Uuid, session_id: Uuid, label: &str) -> NewSession {
    NewSession {
        organization_id,
        session_id,
        analysis_input: serde_json::json!({
            "organization_id": organization_id,
            "session_id": session_id,
            "label": label,
            "transcript": [{"role": "customer", "text": "Where is my order?"}],
        }),
        attribution: SessionAttribution {
            agent_name: Some(format!("agent of {label}")),
            persona_id: None,
            persona_name: Some("Patient Pat".to_owned()),
        },
        draft: None,
    }
}
