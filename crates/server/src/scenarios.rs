//! Saved scenarios, proposals and the lists of the review flow, over the store
//! and the drafter.
//!
//! A scenario is kept as one JSON document (its content as `createScenario`
//! answers it, without the id, organization and timestamps, which the store
//! keeps as columns), so the store knows nothing of a scenario's fields but the
//! two a list filters on. A scenario drafted from a session remembers that
//! session and the drafter version, so a reviewer sees when the drafter has
//! moved on since.
//!
//! The lists are newest first and paged by an opaque cursor: URL-safe base64
//! (no padding) of `<created_at>|<id>`, the last item's store timestamp (RFC
//! 3339 UTC with milliseconds) and id. A page asks the store for one item more
//! than its limit, to know whether there is a next page.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use dropshot::RequestContext;
use feather_api::error::codes;
use feather_api::session::KnowledgeGapAnalysisOutcome;
use feather_api::{
    ApiError, ScenarioAgentRef, ScenarioCreate, ScenarioList, ScenarioResponse, SessionList,
    SessionSummary, SuccessCriterion, SuccessCriterionOutputType,
};
use feather_drafter::criteria::OutputType;
use feather_drafter::{CapturedSession, DraftOptions};
use feather_store::{
    NewScenario, OrgScope, PageAfter, ScenarioFilter, StoreError, StoredScenario,
    StoredSessionSummary, StoredSessionText,
};
use serde_json::{Map, Value};
use slog::error;
use uuid::Uuid;

use crate::context::{ServerContext, store_error};
use crate::drafts;

/// The organization of a scenario saved with the development key from no
/// session: the development key sees every organization, so it names none.
pub const DEVELOPMENT_ORGANIZATION: Uuid = Uuid::nil();

/// The fields of a stored document that the store keeps as columns instead.
const COLUMNS: [&str; 4] = ["id", "organization_id", "created_at", "updated_at"];

/// The answer for a scenario `scope` does not see; another organization's is not
/// admitted to exist.
pub fn scenario_not_found(id: Uuid) -> ApiError {
    ApiError::not_found(format!("No scenario {id} was found."))
}

/// Logs a store failure and gives the answer for it.
fn failed(rqctx: &RequestContext<ServerContext>, what: &str, err: StoreError) -> ApiError {
    error!(rqctx.log, "{what} failed"; "error" => %err);
    store_error(err)
}

/// Saves `create` for `scope`: 404 when its source session is not one `scope` sees.
pub async fn create(
    rqctx: &RequestContext<ServerContext>,
    scope: OrgScope,
    create: ScenarioCreate,
) -> Result<ScenarioResponse, ApiError> {
    let context = rqctx.context();
    let session = match create.source_session_id {
        None => None,
        Some(session_id) => Some(
            context
                .store
                .get_session_text(scope, session_id)
                .await
                .map_err(|err| failed(rqctx, "reading a session", err))?
                .ok_or_else(|| drafts::not_found(session_id))?,
        ),
    };
    let organization_id = match (&session, scope) {
        (Some(session), _) => session.organization_id,
        (None, OrgScope::Organization(organization)) => organization,
        (None, OrgScope::Any) => DEVELOPMENT_ORGANIZATION,
    };
    let drafter_version = create
        .drafter_version
        .clone()
        .or_else(|| session.as_ref().map(|_| context.draft_options.version()));
    let (source_agent_name, source_persona_name) = session
        .as_ref()
        .map(|session| names(session, &create))
        .unwrap_or_default();
    let agents = create
        .agent_ids
        .iter()
        .map(|&id| ScenarioAgentRef {
            id,
            // This service keeps no directory of agents: an agent is named when
            // it is the source session's, else by its id.
            name: match (&source_agent_name, create.source_agent_id) {
                (Some(name), Some(source)) if source == id => name.clone(),
                _ => id.to_string(),
            },
        })
        .collect();
    let scenario = ScenarioResponse {
        // Time-ordered (and, within this process, increasing) ids: scenarios made in
        // the same millisecond are listed newest first like all others.
        id: Uuid::now_v7(),
        organization_id,
        name: create.name,
        intent: create.intent,
        journey: create.journey,
        success_criteria: create.success_criteria,
        mock_world: create.mock_world,
        source: create.source,
        source_brief: create.source_brief,
        source_agent_id: create.source_agent_id,
        source_agent_name,
        source_persona_id: create.source_persona_id,
        source_persona_name,
        tags: create.tags,
        agents,
        created_by: None,
        created_at: String::new(),
        updated_at: String::new(),
        source_session_id: create.source_session_id,
        drafter_version,
    };
    let mut document = serde_json::to_value(&scenario).expect("a scenario serialises");
    if let Some(fields) = document.as_object_mut() {
        for column in COLUMNS {
            fields.remove(column);
        }
    }
    let new = NewScenario {
        id: scenario.id,
        organization_id,
        source_session_id: scenario.source_session_id,
        tags: scenario.tags.clone(),
        document: document.to_string(),
    };
    let stored = context
        .store
        .create_scenario(&new)
        .await
        .map_err(|err| failed(rqctx, "storing a scenario", err))?;
    Ok(ScenarioResponse {
        created_at: stored.created_at,
        updated_at: stored.updated_at,
        ..scenario
    })
}

/// The display names of the source session's agent and persona, when the
/// scenario names the same agent and persona as the session (or none).
fn names(session: &StoredSessionText, create: &ScenarioCreate) -> (Option<String>, Option<String>) {
    let input: Value = serde_json::from_str(&session.analysis_input).unwrap_or_default();
    let session_agent = input["agent_id"]
        .as_str()
        .and_then(|id| Uuid::parse_str(id).ok());
    let session_persona = session
        .attribution
        .persona_id
        .as_deref()
        .and_then(|id| Uuid::parse_str(id).ok());
    let agent = match create.source_agent_id {
        Some(id) if Some(id) != session_agent => None,
        _ => session.attribution.agent_name.clone(),
    };
    let persona = match create.source_persona_id {
        Some(id) if Some(id) != session_persona => None,
        _ => session.attribution.persona_name.clone(),
    };
    (agent, persona)
}

/// A stored scenario as the API answers it; 500 when the stored document is not
/// one (damage, logged).
pub fn response(
    rqctx: &RequestContext<ServerContext>,
    stored: StoredScenario,
) -> Result<ScenarioResponse, ApiError> {
    let decoded =
        serde_json::from_str::<Map<String, Value>>(&stored.document).and_then(|mut fields| {
            fields.insert("id".into(), Value::String(stored.id.to_string()));
            fields.insert(
                "organization_id".into(),
                Value::String(stored.organization_id.to_string()),
            );
            fields.insert("created_at".into(), Value::String(stored.created_at));
            fields.insert("updated_at".into(), Value::String(stored.updated_at));
            serde_json::from_value(Value::Object(fields))
        });
    decoded.map_err(|err| {
        error!(rqctx.log, "a stored scenario cannot be decoded"; "scenario_id" => %stored.id, "error" => %err);
        ApiError::internal()
    })
}

/// One page of the scenarios `scope` sees.
pub async fn list(
    rqctx: &RequestContext<ServerContext>,
    scope: OrgScope,
    query: feather_api::ScenarioListQuery,
) -> Result<ScenarioList, ApiError> {
    let filter = ScenarioFilter {
        after: query.cursor.as_deref().map(decode_cursor).transpose()?,
        tag: query.tag,
        source_session_id: query.session_id,
    };
    let mut stored = rqctx
        .context()
        .store
        .list_scenarios(scope, &filter, query.limit + 1)
        .await
        .map_err(|err| failed(rqctx, "listing scenarios", err))?;
    let next_cursor = next_page(&mut stored, query.limit, |s| (&s.created_at, s.id));
    let items = stored
        .into_iter()
        .map(|stored| response(rqctx, stored))
        .collect::<Result<_, _>>()?;
    Ok(ScenarioList { items, next_cursor })
}

/// One page of the sessions `scope` sees.
pub async fn list_sessions(
    rqctx: &RequestContext<ServerContext>,
    scope: OrgScope,
    query: feather_api::PageQuery,
) -> Result<SessionList, ApiError> {
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let mut stored = rqctx
        .context()
        .store
        .list_sessions(scope, after.as_ref(), query.limit + 1)
        .await
        .map_err(|err| failed(rqctx, "listing sessions", err))?;
    let next_cursor = next_page(&mut stored, query.limit, |s| (&s.created_at, s.session_id));
    let items = stored.into_iter().map(summary).collect();
    Ok(SessionList { items, next_cursor })
}

/// Cuts `items` (read with one more than `limit`) to `limit`, and gives the
/// cursor of the next page when there is one.
fn next_page<T>(
    items: &mut Vec<T>,
    limit: u32,
    key: impl Fn(&T) -> (&String, Uuid),
) -> Option<String> {
    let limit = limit as usize;
    if items.len() <= limit {
        return None;
    }
    items.truncate(limit);
    items.last().map(|last| {
        let (created_at, id) = key(last);
        encode_cursor(created_at, id)
    })
}

/// A session of the list as the API answers it. The stored session was
/// validated at capture, so its values read as their types; one that does not
/// (a stored value of a newer upstream, say) is left out rather than failing the
/// whole list.
fn summary(stored: StoredSessionSummary) -> SessionSummary {
    SessionSummary {
        session_id: stored.session_id,
        organization_id: stored.organization_id,
        name: stored.draft_name,
        agent_id: stored.agent_id.and_then(|id| Uuid::parse_str(&id).ok()),
        channel: stored.channel,
        outcome: stored.outcome.and_then(|outcome| {
            serde_json::from_value::<KnowledgeGapAnalysisOutcome>(Value::String(outcome)).ok()
        }),
        completion_reason: stored.completion_reason,
        ended_at: stored.ended_at,
        captured_at: stored.created_at,
        updated_at: stored.updated_at,
    }
}

/// The cursor that starts a page after the item of `created_at` and `id`.
pub fn encode_cursor(created_at: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{created_at}|{id}"))
}

/// 400 `invalid_cursor`: what any cursor this server did not give is answered.
fn invalid_cursor() -> ApiError {
    ApiError::bad_request(
        codes::INVALID_CURSOR,
        "The cursor is not one this server gave: pass a page's next_cursor as it is, or no cursor for the first page.",
    )
}

/// A cursor's text: URL-safe base64 of UTF-8, else [`invalid_cursor`].
fn cursor_text(cursor: &str) -> Result<String, ApiError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| invalid_cursor())?;
    String::from_utf8(bytes).map_err(|_| invalid_cursor())
}

/// The place a cursor names; 400 `invalid_cursor` for anything that is not a
/// cursor this server gives.
pub fn decode_cursor(cursor: &str) -> Result<PageAfter, ApiError> {
    let text = cursor_text(cursor)?;
    let (created_at, id) = text.split_once('|').ok_or_else(invalid_cursor)?;
    // The store's own form: `2025-01-31T12:00:00.000Z`, 24 characters.
    let store_form = created_at.len() == 24
        && created_at.ends_with('Z')
        && feather_validation::datetime::check(created_at).is_ok();
    let id = Uuid::try_parse(id).map_err(|_| invalid_cursor())?;
    if !store_form || id.hyphenated().to_string() != text[created_at.len() + 1..] {
        return Err(invalid_cursor());
    }
    Ok(PageAfter {
        created_at: created_at.to_owned(),
        id,
    })
}

/// The cursor of triage's page that starts at rank `offset`: URL-safe base64 of
/// `rank|<offset>`. Groups are ranked anew on each request, so a page is exact
/// while the sessions and scenarios do not change.
pub fn encode_offset_cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("rank|{offset}"))
}

/// The rank a triage cursor starts at; 400 `invalid_cursor` for anything else.
pub fn decode_offset_cursor(cursor: &str) -> Result<usize, ApiError> {
    let text = cursor_text(cursor)?;
    let offset = text.strip_prefix("rank|").ok_or_else(invalid_cursor)?;
    if offset.is_empty() || !offset.bytes().all(|b| b.is_ascii_digit()) || offset.len() > 9 {
        return Err(invalid_cursor());
    }
    offset.parse().map_err(|_| invalid_cursor())
}

/// A scenario proposed from the stored session `session_id`: its draft made
/// with the server's options (the same redaction as the draft endpoint's), its
/// success criteria, and where it came from.
pub async fn propose(
    rqctx: &RequestContext<ServerContext>,
    scope: OrgScope,
    session_id: Uuid,
) -> Result<ScenarioCreate, ApiError> {
    let context = rqctx.context();
    let stored = context
        .store
        .get_session_text(scope, session_id)
        .await
        .map_err(|err| failed(rqctx, "reading a session", err))?
        .ok_or_else(|| drafts::not_found(session_id))?;
    let (log, options) = (rqctx.log.clone(), context.draft_options.clone());
    let size = stored.analysis_input.len();
    drafts::cpu_bound(size, move || proposal(&log, stored, &options)).await
}

fn proposal(
    log: &slog::Logger,
    stored: StoredSessionText,
    options: &DraftOptions,
) -> Result<ScenarioCreate, ApiError> {
    let session_id = stored.session_id;
    let input = serde_json::from_str(&stored.analysis_input).map_err(|err| {
        error!(log, "a stored session cannot be decoded"; "session_id" => %session_id, "error" => %err);
        ApiError::internal()
    })?;
    let captured = CapturedSession {
        input,
        attribution: stored.attribution,
    };
    let proposal = feather_drafter::propose(&captured, options)
        .map_err(|err| ApiError::bad_request(codes::SESSION_NOT_DRAFTABLE, err.to_string()))?;
    let draft = proposal.draft;
    Ok(ScenarioCreate {
        name: draft.name,
        intent: draft.intent,
        journey: draft.journey,
        mock_world: draft.mock_world,
        source: draft.source,
        source_brief: draft.source_brief,
        source_agent_id: draft.source_agent_id,
        source_persona_id: draft.source_persona_id,
        tags: draft.tags,
        agent_ids: draft.agent_ids,
        success_criteria: proposal
            .success_criteria
            .into_iter()
            .map(|criterion| SuccessCriterion {
                description: criterion.description,
                output_type: match criterion.output_type {
                    OutputType::Boolean => SuccessCriterionOutputType::Boolean,
                    OutputType::Score5 => SuccessCriterionOutputType::Score5,
                },
            })
            .collect(),
        source_session_id: Some(session_id),
        drafter_version: Some(options.version()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_anything_else_is_invalid() {
        let id = Uuid::new_v4();
        let cursor = encode_cursor("2025-01-31T12:00:00.123Z", id);
        assert_eq!(
            decode_cursor(&cursor).unwrap(),
            PageAfter {
                created_at: "2025-01-31T12:00:00.123Z".to_owned(),
                id
            }
        );
        let forged = [
            "not base64!".to_owned(),
            URL_SAFE_NO_PAD.encode("no separator"),
            URL_SAFE_NO_PAD.encode(format!("2025-01-31|{id}")),
            URL_SAFE_NO_PAD.encode("2025-01-31T12:00:00.123Z|not-a-uuid"),
            URL_SAFE_NO_PAD.encode(format!("2025-01-31T12:00:00.123Z|{}", id.simple())),
            URL_SAFE_NO_PAD.encode(format!("2025-13-31T12:00:00.123Z|{id}")),
        ];
        for cursor in forged {
            let err = decode_cursor(&cursor).expect_err(&cursor);
            assert_eq!(err.status().as_u16(), 400, "{cursor}");
        }
    }
}
