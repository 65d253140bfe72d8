//! API keys: create, resolve, list, revoke, and that no plaintext is stored.

use feather_store::Backend;
use uuid::Uuid;

use crate::{TestDb, on_every_backend};

#[tokio::test]
async fn a_key_resolves_until_revoked() {
    on_every_backend(a_key_resolves_until_revoked_on).await;
}

async fn a_key_resolves_until_revoked_on(db: &TestDb) {
    let store = &db.store;
    let (acme, globex) = (Uuid::new_v4(), Uuid::new_v4());
    assert!(store.list_api_keys(None).await.unwrap().is_empty());

    let (info, key) = store.create_api_key(acme, Some("ci")).await.unwrap();
    assert_eq!(info.organization_id, acme);
    assert_eq!(info.name.as_deref(), Some("ci"));
    assert_eq!(info.revoked_at, None);
    assert!(key.starts_with("fk_") && key.len() > 40, "{key}");
    let (other_info, other_key) = store.create_api_key(globex, None).await.unwrap();
    assert_ne!(key, other_key);

    assert_eq!(store.resolve_api_key(&key).await.unwrap(), Some(acme));
    assert_eq!(
        store.resolve_api_key(&other_key).await.unwrap(),
        Some(globex)
    );
    assert_eq!(store.resolve_api_key("fk_not-a-key").await.unwrap(), None);
    assert_eq!(store.resolve_api_key("").await.unwrap(), None);
    // A key differing in its last character does not resolve.
    let mut near_miss = key.clone();
    let last = near_miss.pop().unwrap();
    near_miss.push(if last == '0' { '1' } else { '0' });
    assert_eq!(store.resolve_api_key(&near_miss).await.unwrap(), None);

    let all = store.list_api_keys(None).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.contains(&info) && all.contains(&other_info), "{all:?}");
    assert_eq!(
        store.list_api_keys(Some(acme)).await.unwrap(),
        vec![info.clone()]
    );
    assert_eq!(
        store.list_api_keys(Some(Uuid::new_v4())).await.unwrap(),
        Vec::new()
    );

    assert!(store.revoke_api_key(info.id).await.unwrap());
    assert_eq!(
        store.resolve_api_key(&key).await.unwrap(),
        None,
        "a revoked key is refused"
    );
    assert_eq!(
        store.resolve_api_key(&other_key).await.unwrap(),
        Some(globex),
        "other keys still work"
    );
    assert!(
        !store.revoke_api_key(info.id).await.unwrap(),
        "revoking twice is reported"
    );
    assert!(
        !store.revoke_api_key(Uuid::new_v4()).await.unwrap(),
        "no such key"
    );

    let listed = store.list_api_keys(Some(acme)).await.unwrap();
    assert_eq!(listed.len(), 1, "revoked keys are still listed");
    assert_eq!(listed[0].id, info.id);
    let revoked_at = listed[0].revoked_at.as_deref().expect("revoked_at is set");
    assert!(
        revoked_at >= info.created_at.as_str(),
        "{revoked_at} vs {}",
        info.created_at
    );
}

#[tokio::test]
async fn only_the_hash_of_a_key_is_stored() {
    on_every_backend(only_the_hash_of_a_key_is_stored_on).await;
}

async fn only_the_hash_of_a_key_is_stored_on(db: &TestDb) {
    let organization = Uuid::new_v4();
    let (_, key) = db
        .store
        .create_api_key(organization, Some("scan me"))
        .await
        .unwrap();
    let secret = key.strip_prefix("fk_").unwrap();
    match db.backend() {
        Backend::Sqlite => {
            // Every byte SQLite wrote: the database file and its write-ahead log.
            let file = db.sqlite_file().unwrap();
            let mut bytes = std::fs::read(&file).unwrap();
            let wal = file.with_extension("db-wal");
            if let Ok(more) = std::fs::read(&wal) {
                bytes.extend(more);
            }
            let text = String::from_utf8_lossy(&bytes);
            assert!(text.contains("scan me"), "the scan reads the stored rows");
            assert!(
                !text.contains(secret),
                "the key's secret is in the database file"
            );
        }
        Backend::Postgres => {
            let rows = db.postgres_rows_as_text("api_keys").await;
            assert_eq!(rows.len(), 1);
            assert!(
                rows[0].contains("scan me"),
                "the scan reads the stored rows: {rows:?}"
            );
            assert!(
                !rows[0].contains(secret),
                "the key's secret is in the table: {rows:?}"
            );
        }
    }
    // And yet the key works.
    assert_eq!(
        db.store.resolve_api_key(&key).await.unwrap(),
        Some(organization)
    );
}
