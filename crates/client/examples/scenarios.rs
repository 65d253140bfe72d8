//! Saves a scenario proposed from a captured session, then finds it again: the
//! review flow's calls, as the client's README shows them.
//!
//! ```sh
//! FEATHER_URL=http://127.0.0.1:8000 FEATHER_API_KEY=fk_... \
//!     cargo run -p feather-client --example scenarios -- 530c7c15-5f40-50b5-ad85-695b8f780877
//! ```
//!
//! The workspace's integration tests run [`save_proposal`] against a live server,
//! so this file (and the README that quotes it) cannot go stale.

use feather_client::types;
use uuid::Uuid;

/// Proposes a scenario from a session (the draft and suggested success criteria),
/// saves it as proposed, and returns it as the list of that session's scenarios
/// gives it back, with the newest captured session's draft name.
pub async fn save_proposal(
    base_url: &str,
    api_key: &str,
    session_id: Uuid,
) -> Result<(types::ScenarioResponse, Option<String>), String> {
    let client = feather_client::with_api_key(base_url, api_key).map_err(|e| e.to_string())?;
    // A ready-to-send ScenarioCreate: the draft, criteria, session and drafter version.
    let proposal = client
        .propose_scenario_from_session()
        .body_map(|body| body.session_id(session_id))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .into_inner();
    let saved = client
        .create_scenario()
        .body(proposal)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .into_inner();
    // Lists are newest first, a page at a time: `next_cursor` asks for the next.
    let page = client
        .list_scenarios()
        .session_id(session_id)
        .limit(10)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .into_inner();
    let listed = page
        .items
        .into_iter()
        .find(|scenario| scenario.id == saved.id)
        .ok_or("the saved scenario is not listed")?;
    let sessions = client
        .list_sessions()
        .limit(1)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .into_inner();
    let newest = sessions.items.into_iter().next().and_then(|s| s.name);
    Ok((listed, newest))
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let base_url = std::env::var("FEATHER_URL").unwrap_or("http://127.0.0.1:8000".into());
    let api_key = std::env::var("FEATHER_API_KEY").map_err(|_| "set FEATHER_API_KEY")?;
    let session_id = std::env::args()
        .nth(1)
        .ok_or("usage: scenarios SESSION_ID")?
        .parse::<Uuid>()
        .map_err(|e| format!("SESSION_ID must be a UUID: {e}"))?;
    let (scenario, newest) = save_proposal(&base_url, &api_key, session_id).await?;
    println!(
        "saved {} ({} criteria, drafter {}); newest session: {}",
        scenario.id,
        scenario.success_criteria.len(),
        scenario.drafter_version.as_deref().unwrap_or("unknown"),
        newest.as_deref().unwrap_or("(none)")
    );
    Ok(())
}
