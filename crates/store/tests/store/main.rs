//! The store's test suite, one binary for both backends.
//!
//! Every test in [`sessions`], [`drafts`], [`keys`], [`scenarios`] and [`migrations`] is an async function
//! taking a [`TestDb`]; [`on_every_backend`] runs it on every backend in turn
//! ([`every_backend`]): a fresh SQLite file, then, when `FEATHER_TEST_DATABASE_URL`
//! names a PostgreSQL database (for example `postgres://postgres@127.0.0.1:5432/test`),
//! PostgreSQL in a schema of its own that is dropped afterwards. Without that
//! variable the suite says loudly, once, that PostgreSQL was not tested, and fails
//! when `CI` is set (`feather_test_support`). [`snapshots`] tests what SQLite's readers
//! share between reads. [`unavailable`] holds the failure-mode tests,
//! some of which only make sense on one backend.

mod drafts;
mod keys;
mod migrations;
mod scenarios;
mod sessions;
mod snapshots;
mod triage;
mod unavailable;

use feather_store::{Backend, NewSession, Store};
use feather_test_support::PgSchema;
use feather_types::SessionAttribution;
use sqlx::Connection;
use uuid::Uuid;

/// This suite, as the harness names it when PostgreSQL was not tested.
const SUITE: &str = "the store's tests (cargo test -p feather-store)";

/// A connected store on a database made for one test, and what is needed to reach
/// that database behind the store's back.
pub struct TestDb {
    pub store: Store,
    /// The URL the store was connected with; connecting again reaches the same data.
    pub url: String,
    /// Where the data lives, removed when the test ends.
    place: Place,
}

enum Place {
    /// The directory of the database file, deleted on drop.
    Sqlite(tempfile::TempDir),
    /// The test's schema, dropped on drop.
    Postgres { _schema: PgSchema },
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
            place: Place::Sqlite(dir),
        }
    }

    /// A store on a new schema of the PostgreSQL database under test, or `None`
    /// when none is configured outside CI (`feather_test_support` says so loudly).
    pub async fn postgres() -> Option<TestDb> {
        let schema = PgSchema::create(SUITE, "feather_test").await?;
        let url = schema.url.clone();
        // On a failure here the schema is dropped as `schema` goes.
        let store = Store::connect(&url)
            .await
            .unwrap_or_else(|err| panic!("PostgreSQL store connects: {err}"));
        assert_eq!(store.backend(), Backend::Postgres);
        Some(TestDb {
            store,
            url,
            place: Place::Postgres { _schema: schema },
        })
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// The SQLite database file, for tests that look at it directly.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        match &self.place {
            Place::Sqlite(dir) => Some(dir.path().join("feather.db")),
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

/// Every backend the store has, each on a database of its own for one test:
/// SQLite always, PostgreSQL when one is configured.
pub async fn every_backend() -> Vec<TestDb> {
    let mut databases = vec![TestDb::sqlite().await];
    databases.extend(TestDb::postgres().await);
    databases
}

/// Runs `test` on every backend in turn ([`every_backend`]), each database
/// removed before the next is made.
pub async fn on_every_backend(test: impl AsyncFn(&TestDb)) {
    for db in every_backend().await {
        test(&db).await;
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
        })
        .to_string(),
        attribution: SessionAttribution {
            agent_name: Some(format!("agent of {label}")),
            persona_id: None,
            persona_name: Some("Patient Pat".to_owned()),
        },
        draft: None,
        signature: None,
    }
}
