//! Two stateless `feather serve` processes on one PostgreSQL database, as a
//! deployment with replicas runs them: a session captured through one is drafted
//! through the other, organizations stay apart on both, and a key revoked with
//! `feather keys revoke` is refused by both at once.

use uuid::Uuid;

use crate::{
    Serve, create_key, draft_session, feather, get_session, pg_schema, put_session, session_body,
};

#[tokio::test]
async fn two_replicas_share_sessions_keep_organizations_apart_and_refuse_a_revoked_key() {
    let Some(schema) = pg_schema().await else {
        return;
    };
    let (org_a, org_b) = (Uuid::new_v4(), Uuid::new_v4());
    let (key_a_id, key_a) = create_key(&schema.url, org_a, "replica test A");
    let (_, key_b) = create_key(&schema.url, org_b, "replica test B");
    // No --api-key and keys in the store: these replicas accept store keys only.
    let one = Serve::start(&schema.url, &[]);
    let two = Serve::start(&schema.url, &[]);

    let (session_id, body) = session_body("refund-voice.analysis-input.json", org_a);
    let captured = put_session(&one, &key_a, session_id, &body).await;
    assert_eq!(captured.status, 200, "{captured:?}\n{}", one.log());
    assert_eq!(captured.body["created"], true);

    let drafted = draft_session(&two, &key_a, session_id).await;
    assert_eq!(drafted.status, 200, "{drafted:?}\n{}", two.log());
    assert_eq!(drafted.body["source"], "drafted");
    let read = get_session(&two, &key_a, session_id).await;
    assert_eq!(read.status, 200, "{read:?}");
    assert_eq!(read.body["organization_id"], org_a.to_string());

    // Organization B learns nothing on either replica: its answer for A's session is
    // the answer for a session that does not exist, with that id swapped in.
    let unknown = Uuid::new_v4();
    for replica in [&one, &two] {
        for (hidden, missing) in [
            (
                get_session(replica, &key_b, session_id).await,
                get_session(replica, &key_b, unknown).await,
            ),
            (
                draft_session(replica, &key_b, session_id).await,
                draft_session(replica, &key_b, unknown).await,
            ),
        ] {
            assert_eq!(hidden.status, 404, "{hidden:?}");
            let swapped = serde_json::to_string(&missing.body)
                .unwrap()
                .replace(&unknown.to_string(), &session_id.to_string());
            assert_eq!(serde_json::to_string(&hidden.body).unwrap(), swapped);
        }
    }

    let revoke = feather(&[
        "keys",
        "revoke",
        "--database-url",
        &schema.url,
        &key_a_id.to_string(),
    ]);
    assert!(
        revoke.status.success(),
        "{}",
        String::from_utf8_lossy(&revoke.stderr)
    );
    let listed = feather(&["keys", "list", "--database-url", &schema.url]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with(&key_a_id.to_string()) && l.contains("revoked")),
        "{listed}"
    );
    assert!(
        !listed.contains(&key_a),
        "keys list shows no secret: {listed}"
    );

    for replica in [&one, &two] {
        let refused = get_session(replica, &key_a, session_id).await;
        assert_eq!(refused.status, 401, "{refused:?}");
        assert_eq!(refused.body["error"], "unauthorized");
        // Organization B's key is still good.
        assert_eq!(get_session(replica, &key_b, session_id).await.status, 404);
    }
}
