//! Demo data: the example sessions, so a fresh `feather serve` can draft at once.

use feather_store::{Store, StoreError};
use uuid::Uuid;

use feather_drafter::DraftOptions;

use crate::drafts::new_session;

/// The example sessions shipped with the repository, by file name.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "refund-voice.analysis-input.json",
        include_str!("../../../examples/refund-voice.analysis-input.json"),
    ),
    (
        "dispute-sms.analysis-input.json",
        include_str!("../../../examples/dispute-sms.analysis-input.json"),
    ),
    (
        "reschedule-chat.openai.json",
        include_str!("../../../examples/reschedule-chat.openai.json"),
    ),
];

/// Stores the example sessions and returns their ids, in the order of [`EXAMPLES`].
pub async fn load(store: &Store) -> Result<Vec<Uuid>, StoreError> {
    let sessions: Vec<_> = EXAMPLES
        .iter()
        .map(|(name, text)| {
            let value = serde_json::from_str(text)
                .unwrap_or_else(|err| panic!("example {name} is JSON: {err}"));
            let captured = feather_drafter::capture::parse_value(value)
                .unwrap_or_else(|err| panic!("example {name} is a valid capture: {err}"));
            new_session(captured, &DraftOptions::default())
        })
        .collect();
    store.put_sessions(&sessions).await?;
    Ok(sessions.iter().map(|s| s.session_id).collect())
}
