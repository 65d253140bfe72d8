//! Rows as every backend returns them (`dialect.rs` says in which form), decoded
//! once: by sqlx's `FromRow` where sqlx reads, and into the store's types here.
//! The SQLite readers decode the same rows themselves (`sqlite_readers.rs`).

use feather_types::SessionAttribution;
use uuid::Uuid;

use crate::{ApiKeyInfo, StoreError, StoredSessionText};

/// A session's row, as [`crate::dialect::Dialect::session`] selects it.
#[derive(Debug, sqlx::FromRow)]
pub struct SessionRecord {
    pub organization_id: String,
    pub session_id: String,
    pub analysis_input: String,
    pub agent_name: Option<Vec<u8>>,
    pub persona_id: Option<Vec<u8>>,
    pub persona_name: Option<Vec<u8>>,
    pub created_at: String,
    pub updated_at: String,
    pub revision: i64,
}

impl SessionRecord {
    /// The session, with its revision.
    pub fn decode(self) -> Result<(StoredSessionText, i64), StoreError> {
        let session = StoredSessionText {
            organization_id: parse_uuid(&self.organization_id)?,
            session_id: parse_uuid(&self.session_id)?,
            analysis_input: self.analysis_input,
            attribution: SessionAttribution {
                agent_name: text(self.agent_name)?,
                persona_id: text(self.persona_id)?,
                persona_name: text(self.persona_name)?,
            },
            created_at: self.created_at,
            updated_at: self.updated_at,
        };
        Ok((session, self.revision))
    }
}

/// An API key's row, as [`crate::dialect::Dialect::keys`] selects it.
#[derive(Debug, sqlx::FromRow)]
pub struct KeyRecord {
    pub id: String,
    pub organization_id: String,
    pub name: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl KeyRecord {
    pub fn decode(self) -> Result<ApiKeyInfo, StoreError> {
        Ok(ApiKeyInfo {
            id: parse_uuid(&self.id)?,
            organization_id: parse_uuid(&self.organization_id)?,
            name: self.name,
            created_at: self.created_at,
            revoked_at: self.revoked_at,
        })
    }
}

/// A stored id; one that is not a UUID is damage.
pub fn parse_uuid(text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text)
        .map_err(|err| StoreError::Corrupt(format!("stored id {text:?} is not a UUID: {err}")))
}

/// An attribution string from its stored bytes.
fn text(bytes: Option<Vec<u8>>) -> Result<Option<String>, StoreError> {
    bytes
        .map(|bytes| {
            String::from_utf8(bytes).map_err(|err| {
                StoreError::Corrupt(format!("a stored attribution is not UTF-8: {err}"))
            })
        })
        .transpose()
}

/// A scenario's row, as [`crate::dialect::Dialect::scenario`] selects it.
#[derive(Debug, sqlx::FromRow)]
pub struct ScenarioRecord {
    pub id: String,
    pub organization_id: String,
    pub source_session_id: Option<String>,
    pub document: String,
    pub created_at: String,
    pub updated_at: String,
}

impl ScenarioRecord {
    pub fn decode(self) -> Result<crate::StoredScenario, StoreError> {
        Ok(crate::StoredScenario {
            id: parse_uuid(&self.id)?,
            organization_id: parse_uuid(&self.organization_id)?,
            source_session_id: self
                .source_session_id
                .as_deref()
                .map(parse_uuid)
                .transpose()?,
            document: self.document,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// A session of the session list, as [`crate::dialect::Dialect::sessions`]
/// selects it: the session's analysis input and its draft (if any) as JSON text.
#[derive(Debug, sqlx::FromRow)]
pub struct SessionSummaryRecord {
    pub organization_id: String,
    pub session_id: String,
    pub draft: Option<String>,
    pub analysis_input: String,
    pub created_at: String,
    pub updated_at: String,
}

/// What the session list reads of a session; the rest of it is skipped.
#[derive(serde::Deserialize)]
struct SummaryFields {
    #[serde(default)]
    agent_id: serde_json::Value,
    #[serde(default)]
    channel: serde_json::Value,
    #[serde(default)]
    knowledge_gap_analysis_outcome: serde_json::Value,
    #[serde(default)]
    completion_reason: serde_json::Value,
    #[serde(default)]
    ended_at: serde_json::Value,
}

/// What the session list reads of a draft.
#[derive(serde::Deserialize)]
struct DraftName {
    #[serde(default)]
    name: serde_json::Value,
}

impl SessionSummaryRecord {
    pub fn decode(self) -> Result<crate::StoredSessionSummary, StoreError> {
        let session_id = parse_uuid(&self.session_id)?;
        let fields: SummaryFields = serde_json::from_str(&self.analysis_input).map_err(|err| {
            StoreError::Corrupt(format!(
                "session {session_id}: analysis input is not JSON: {err}"
            ))
        })?;
        // A draft that cannot be read only loses its name in the list.
        let draft_name = self
            .draft
            .and_then(|draft| serde_json::from_str::<DraftName>(&draft).ok())
            .and_then(|draft| string(draft.name));
        Ok(crate::StoredSessionSummary {
            organization_id: parse_uuid(&self.organization_id)?,
            session_id,
            draft_name,
            agent_id: string(fields.agent_id),
            channel: string(fields.channel),
            outcome: string(fields.knowledge_gap_analysis_outcome),
            completion_reason: string(fields.completion_reason),
            ended_at: string(fields.ended_at),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The string a JSON value is; `None` for `null`, a missing value or anything else.
fn string(value: serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(value) => Some(value),
        _ => None,
    }
}
