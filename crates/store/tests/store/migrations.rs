//! Migrations are applied at connect and are idempotent; SQLite URL forms.

use feather_store::{DraftSource, OrgScope, Store, StoredDraft};
use sqlx::Connection;
use uuid::Uuid;

use crate::{TestDb, on_every_backend, session};

#[tokio::test]
async fn connecting_again_keeps_the_data() {
    on_every_backend(connecting_again_keeps_the_data_on).await;
}

async fn connecting_again_keeps_the_data_on(db: &TestDb) {
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    db.store
        .put_session(&session(organization, id, "kept"))
        .await
        .unwrap();
    let (key_info, key) = db.store.create_api_key(organization, None).await.unwrap();

    // Two more stores on the same database, one while the first is still open:
    // the migrations run again and change nothing.
    for _ in 0..2 {
        let again = Store::connect(&db.url)
            .await
            .expect("connecting again succeeds");
        assert_eq!(again.backend(), db.backend());
        assert_eq!(again.count_sessions().await.unwrap(), 1);
        let stored = again
            .get_session(OrgScope::Organization(organization), id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.analysis_input["label"], "kept");
        assert_eq!(
            again.resolve_api_key(&key).await.unwrap(),
            Some(organization)
        );
        assert_eq!(
            again.list_api_keys(None).await.unwrap(),
            vec![key_info.clone()]
        );
    }
    // The first store still works beside them.
    assert!(
        !db.store
            .put_session(&session(organization, id, "kept"))
            .await
            .unwrap()
            .created
    );
}

#[tokio::test]
async fn sqlite_urls_name_the_same_file_and_create_directories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/feather.db");
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();

    let plain = Store::connect(&path.display().to_string())
        .await
        .expect("parent directories are created");
    assert!(path.is_file(), "the database file exists");
    plain
        .put_session(&session(organization, id, "plain"))
        .await
        .unwrap();

    for url in [
        format!("sqlite:{}", path.display()),
        format!("sqlite://{}", path.display()),
    ] {
        let store = Store::connect(&url)
            .await
            .unwrap_or_else(|err| panic!("{url}: {err}"));
        assert_eq!(
            store.count_sessions().await.unwrap(),
            1,
            "{url} reaches the same file"
        );
        assert!(
            store
                .get_session(OrgScope::Any, id)
                .await
                .unwrap()
                .is_some()
        );
    }
}

// An in-memory database has no file for the request-path readers to open, so it
// is read through the pool: every read is checked here on that path.
#[tokio::test]
async fn sqlite_in_memory_works_across_calls() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    let mut stored = session(organization, id, "memory");
    stored.draft = Some(StoredDraft {
        version: "v1".to_owned(),
        json: r#"{"name": "memory"}"#.to_owned(),
    });
    assert!(store.put_session(&stored).await.unwrap().created);
    assert_eq!(store.count_sessions().await.unwrap(), 1);
    for scope in [OrgScope::Organization(organization), OrgScope::Any] {
        let text = store.get_session_text(scope, id).await.unwrap().unwrap();
        assert!(text.analysis_input.contains("memory"));
        assert_eq!(
            store.get_draft_source(scope, id, "v1").await.unwrap(),
            Some(DraftSource::Current(r#"{"name": "memory"}"#.to_owned()))
        );
        assert!(matches!(
            store.get_draft_source(scope, id, "v2").await.unwrap(),
            Some(DraftSource::Stale { revision: 1, .. })
        ));
    }
    let (_, key) = store.create_api_key(organization, None).await.unwrap();
    assert_eq!(
        store.resolve_api_key(&key).await.unwrap(),
        Some(organization)
    );
    assert_eq!(store.resolve_api_key("not a key").await.unwrap(), None);
}

// Migration 0003 gives every session a row in `session_drafts`: drafts stored
// before it stay current, and sessions stored without one are drafted on request.
#[tokio::test]
async fn migration_0003_gives_every_session_a_draft_row() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feather.db");
    let url = file.display().to_string();
    let organization = Uuid::new_v4();
    let (with_draft, without) = (Uuid::new_v4(), Uuid::new_v4());
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
        sqlx::migrate::Migrator::new(migrations)
            .await
            .unwrap()
            .run_to(2, &pool)
            .await
            .unwrap();
        for id in [with_draft, without] {
            sqlx::query(
                "INSERT INTO sessions (organization_id, session_id, analysis_input, \
                     created_at, updated_at) \
                 VALUES (?, ?, '{}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
            )
            .bind(organization.to_string())
            .bind(id.to_string())
            .execute(&pool)
            .await
            .unwrap();
        }
        sqlx::query("INSERT INTO session_drafts VALUES (?, ?, ?, '{\"name\": \"kept\"}')")
            .bind(organization.to_string())
            .bind(with_draft.to_string())
            .bind("0.1.0+0123456789abcdef/redacted")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }

    let store = Store::connect(&url).await.unwrap();
    let version = "0.1.0+0123456789abcdef/redacted";
    for scope in [OrgScope::Any, OrgScope::Organization(organization)] {
        assert_eq!(
            store
                .get_draft_source(scope, with_draft, version)
                .await
                .unwrap(),
            Some(DraftSource::Current("{\"name\": \"kept\"}".to_owned()))
        );
        assert!(matches!(
            store
                .get_draft_source(scope, without, version)
                .await
                .unwrap(),
            Some(DraftSource::Stale { revision: 1, .. })
        ));
    }
    let rows: i64 = rusqlite::Connection::open(&file)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM session_drafts d JOIN sessions s \
             ON s.organization_id = d.organization_id AND s.session_id = d.session_id",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(rows, 2);
    // A draft made now is kept beside the migrated rows.
    let draft = StoredDraft {
        version: version.to_owned(),
        json: "{\"name\": \"new\"}".to_owned(),
    };
    assert!(
        store
            .put_draft(organization, without, 1, &draft)
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .get_draft_source(OrgScope::Any, without, version)
            .await
            .unwrap(),
        Some(DraftSource::Current("{\"name\": \"new\"}".to_owned()))
    );
}

// Migration 0004 turns PostgreSQL's attribution columns into bytes: the strings
// stored before it read back unchanged, and a NUL can be stored after it.
#[tokio::test]
async fn migration_0004_keeps_postgres_attribution_strings() {
    let Some(schema) =
        feather_test_support::PgSchema::create("the store's tests", "feather_test").await
    else {
        return;
    };
    let organization = Uuid::new_v4();
    let id = Uuid::new_v4();
    {
        let pool = sqlx::PgPool::connect(&schema.url).await.unwrap();
        let migrations =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
        sqlx::migrate::Migrator::new(migrations)
            .await
            .unwrap()
            .run_to(3, &pool)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO sessions (organization_id, session_id, analysis_input, agent_name, \
                 persona_id, persona_name) \
             VALUES ($1::uuid, $2::uuid, '{}', 'Agent Ä', NULL, 'Patient Pat')",
        )
        .bind(organization.to_string())
        .bind(id.to_string())
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }

    let store = Store::connect(&schema.url).await.unwrap();
    let read = store
        .get_session(OrgScope::Organization(organization), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.attribution.agent_name.as_deref(), Some("Agent Ä"));
    assert_eq!(read.attribution.persona_id, None);
    assert_eq!(
        read.attribution.persona_name.as_deref(),
        Some("Patient Pat")
    );
    let mut again = session(organization, id, "after 0004");
    again.attribution.agent_name = Some("a\u{0}b".to_owned());
    assert!(!store.put_session(&again).await.unwrap().created);
    let read = store.get_session(OrgScope::Any, id).await.unwrap().unwrap();
    assert_eq!(read.attribution, again.attribution);
}

/// Migration 0005: on PostgreSQL the session and draft columns compress with lz4
/// (the test server is built with it, as Debian's and the official images are),
/// and what is stored under it reads back unchanged.
#[tokio::test]
async fn postgres_compresses_sessions_and_drafts_with_lz4() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let mut connection = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let methods: Vec<(String, String)> = sqlx::query_as(
        "SELECT attrelid::regclass::text, attcompression::text FROM pg_attribute \
         WHERE (attrelid, attname) IN (('sessions'::regclass, 'analysis_input'), \
             ('session_drafts'::regclass, 'draft')) ORDER BY 1",
    )
    .fetch_all(&mut connection)
    .await
    .unwrap();
    assert_eq!(
        methods,
        [
            ("session_drafts".to_owned(), "l".to_owned()),
            ("sessions".to_owned(), "l".to_owned())
        ]
    );

    // A session large enough to be compressed comes back as stored.
    let (organization, id) = (Uuid::new_v4(), Uuid::new_v4());
    let mut large = session(organization, id, &"compressible ".repeat(2_000));
    large.draft = Some(StoredDraft {
        version: "v1".to_owned(),
        json: serde_json::json!({ "text": "draft ".repeat(2_000) }).to_string(),
    });
    db.store.put_session(&large).await.unwrap();
    let stored = db
        .store
        .get_session_text(OrgScope::Organization(organization), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.analysis_input, large.analysis_input);
    assert_eq!(
        db.store
            .get_draft_source(OrgScope::Any, id, "v1")
            .await
            .unwrap(),
        Some(DraftSource::Current(large.draft.unwrap().json))
    );
}
