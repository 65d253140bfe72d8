//! Drafts a scenario from a captured session: the first call of the client's README.
//!
//! ```sh
//! FEATHER_URL=http://127.0.0.1:8000 FEATHER_API_KEY=fk_... \
//!     cargo run -p feather-client --example draft -- 530c7c15-5f40-50b5-ad85-695b8f780877
//! ```
//!
//! The workspace's integration tests run [`draft`] against a live server, so this
//! file (and the README that quotes it) cannot go stale.

use feather_client::{Error, types};
use uuid::Uuid;

/// The draft of one session, `None` when the server knows no such session, or the
/// error the server answered.
pub async fn draft(
    base_url: &str,
    api_key: &str,
    session_id: Uuid,
) -> Result<Option<types::ScenarioDraft>, String> {
    let client = feather_client::with_api_key(base_url, api_key).map_err(|e| e.to_string())?;
    let answer = client
        .draft_scenario_from_session()
        .body_map(|body| body.session_id(session_id))
        .send()
        .await;
    match answer {
        Ok(draft) => Ok(Some(draft.into_inner())),
        // Every documented error decodes as an `ErrorBody`: an `ErrorResponse` with a
        // stable `error` code, or FastAPI's `HTTPValidationError` for a 422. Match the
        // codes you handle and keep a fallback arm: new codes may be added.
        Err(Error::ErrorResponse(answer)) => match answer.into_inner() {
            types::ErrorBody::ErrorResponse(e) if e.error == "not_found" => Ok(None),
            types::ErrorBody::ErrorResponse(e) => Err(format!("{}: {}", e.error, e.message)),
            types::ErrorBody::HttpValidationError(e) => Err(format!("invalid: {:?}", e.detail)),
        },
        // No answer (the server unreachable, its certificate not trusted, ...): the
        // reason is in the error's causes, so say all of them.
        Err(other) => Err(with_causes(&other)),
    }
}

/// `error` and its causes, outermost first: "error sending request for url (...):
/// client error (Connect): invalid peer certificate: ...".
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        let said = error.to_string();
        // Some errors repeat their cause's message in their own.
        if !text.contains(&said) {
            text = format!("{text}: {said}");
        }
        cause = error.source();
    }
    text
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let base_url = std::env::var("FEATHER_URL").unwrap_or("http://127.0.0.1:8000".into());
    let api_key = std::env::var("FEATHER_API_KEY").map_err(|_| "set FEATHER_API_KEY")?;
    let session_id = std::env::args()
        .nth(1)
        .ok_or("usage: draft SESSION_ID")?
        .parse::<Uuid>()
        .map_err(|e| format!("SESSION_ID must be a UUID: {e}"))?;
    match draft(&base_url, &api_key, session_id).await? {
        Some(draft) => println!("{}: {}", *draft.name, *draft.intent),
        None => println!("no session {session_id}"),
    }
    Ok(())
}
