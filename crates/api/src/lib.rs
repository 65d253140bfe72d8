//! The Feather scenario-drafting API, as a dropshot trait with no implementation.
//!
//! Why a trait: the OpenAPI document comes from this crate alone
//! ([`openapi::document`]), so `openapi.json` and the generated client never wait on
//! the server's storage or drafting code, and the server cannot drift from the
//! contract without the conformance tests noticing.
//!
//! Why the handlers take [`JsonBody`] and string path parameters instead of dropshot's
//! `TypedBody` and typed `Path`: upstream is FastAPI, which checks the API key before
//! the body and answers a bad body with pydantic's 422 list. Dropshot would answer
//! first, with its own 400 body. So the extractors here only read, and handlers call
//! [`feather_validation`] after authentication. The schemas still document the real types.
//!
//! Why the unpublished endpoints: dropshot answers a wrong method on a known path
//! itself, with its own body. Each other method dropshot can route on our two paths
//! is registered here, unpublished (absent from the contract), and answers 405 with
//! an `ErrorResponse` and an `Allow` header. They have default bodies, so the server
//! implements only the three operations. The server's front (`crates/server/src/front`)
//! answers what dropshot cannot route at all (unknown paths, `TRACE`, custom methods),
//! and on the documented paths answers 405 itself before these are reached.
//!
//! Why [`SerializedOk`]: a draft is made once, when its session is captured, and
//! its stored JSON text is what the draft endpoint sends (see [`response`]). It is
//! documented exactly as `HttpResponseOk<ScenarioDraft>` would be.
//!
//! Why two paths differ from dropshot's routes: dropshot cannot route a literal
//! and a variable segment at the same place, and upstream has both under
//! `/v1/scenarios/` (`draft-from-session` and `{scenario_id}`). So `getScenario`
//! and `deleteScenario` are routed at `/v1/scenarios/by-id/{scenario_id}`, the
//! finishing step publishes them at `/v1/scenarios/{scenario_id}`
//! ([`openapi::PATH_ALIASES`]), and the server's front, which routes by the
//! published document, forwards such a request to the routed path. Likewise
//! `listSessionCandidates`, published at `/v1/sessions/candidates` beside
//! `/v1/sessions/{session_id}/analysis-input` (dropshot 0.18 refuses that
//! literal beside the variable: "attempted to register route for literal path
//! segment"), is routed at `/v1/triage/candidates`.
//!
//! Why a finishing step: dropshot emits OpenAPI 3.0.3 but cannot write `servers`,
//! security schemes, per-operation security or per-status error responses.
//! [`openapi::document`] adds them deterministically; see that module.

pub mod body;
pub mod error;
pub mod openapi;
pub mod query;
pub mod response;

use dropshot::{
    Body, HttpResponseCreated, HttpResponseDeleted, HttpResponseOk, Path, RequestContext,
};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

pub use body::JsonBody;
pub use error::{ApiError, ErrorBody};
pub use query::QueryParams;
pub use response::SerializedOk;
// The models are the contract's; they live in `feather-types` so that crates without
// HTTP can use them, and are re-exported here for the API's users.
pub use feather_types::*;

/// The header that carries the API key (`APIKeyHeader` in the contract).
pub const API_KEY_HEADER: &str = "x-api-key";

/// The Feather API operations this service implements.
#[dropshot::api_description]
pub trait FeatherApi {
    type Context;

    /// Generate an unsaved scenario draft from a captured session
    #[endpoint {
        method = POST,
        path = "/v1/scenarios/draft-from-session",
        operation_id = "draftScenarioFromSession",
        tags = ["scenarios"],
    }]
    async fn draft_scenario_from_session(
        rqctx: RequestContext<Self::Context>,
        body: JsonBody<ScenarioDraftFromSessionRequest>,
    ) -> Result<SerializedOk<ScenarioDraft>, ApiError>;

    /// Fetch the canonical analysis input for a completed session
    ///
    /// Returns the captured `SessionAnalysisInput` as it was stored. `404`: no such
    /// session, or one owned by a different organization.
    #[endpoint {
        method = GET,
        path = "/v1/sessions/{session_id}/analysis-input",
        operation_id = "getSessionAnalysisInput",
        tags = ["sessions"],
    }]
    async fn get_session_analysis_input(
        rqctx: RequestContext<Self::Context>,
        path: Path<SessionPath>,
    ) -> Result<SerializedOk<SessionAnalysisInput>, ApiError>;

    /// Capture a completed session's analysis input
    ///
    /// Stores the session so that drafts can be made from it. Idempotent: capturing the
    /// same `session_id` again replaces the stored session. The body's `session_id`
    /// must equal the path's (`400 session_id_mismatch` otherwise). The agent's and
    /// persona's display names are not part of `SessionAnalysisInput`; pass them as
    /// the optional query parameters, and drafts fill `source_agent_name`,
    /// `source_persona_id` and `source_persona_name` from them.
    #[endpoint {
        method = PUT,
        path = "/v1/sessions/{session_id}/analysis-input",
        operation_id = "putSessionAnalysisInput",
        tags = ["sessions"],
    }]
    async fn put_session_analysis_input(
        rqctx: RequestContext<Self::Context>,
        path: Path<SessionPath>,
        query: QueryParams<SessionAttribution>,
        body: JsonBody<SessionAnalysisInput>,
    ) -> Result<HttpResponseOk<SessionCaptured>, ApiError>;

    /// Create a scenario
    #[endpoint {
        method = POST,
        path = "/v1/scenarios",
        operation_id = "createScenario",
        tags = ["scenarios"],
    }]
    async fn create_scenario(
        rqctx: RequestContext<Self::Context>,
        body: JsonBody<ScenarioCreate>,
    ) -> Result<HttpResponseCreated<ScenarioResponse>, ApiError>;

    /// List saved scenarios
    ///
    /// Addition to upstream Feather 1.21.0. The scenarios of the key's organization,
    /// newest first, a page at a time: pass a page's `next_cursor` as `cursor` for
    /// the next one (a cursor that is not one is `400 invalid_cursor`). `tag` keeps
    /// the scenarios with that tag, `session_id` those drafted from that session.
    #[endpoint {
        method = GET,
        path = "/v1/scenarios",
        operation_id = "listScenarios",
        tags = ["scenarios"],
    }]
    async fn list_scenarios(
        rqctx: RequestContext<Self::Context>,
        query: QueryParams<ScenarioListQuery>,
    ) -> Result<HttpResponseOk<ScenarioList>, ApiError>;

    /// Fetch a saved scenario
    ///
    /// Addition to upstream Feather 1.21.0. `404`: no such scenario, or one owned by
    /// a different organization.
    #[endpoint {
        method = GET,
        path = "/v1/scenarios/by-id/{scenario_id}",
        operation_id = "getScenario",
        tags = ["scenarios"],
    }]
    async fn get_scenario(
        rqctx: RequestContext<Self::Context>,
        path: Path<ScenarioPath>,
    ) -> Result<HttpResponseOk<ScenarioResponse>, ApiError>;

    /// Delete a saved scenario
    ///
    /// Addition to upstream Feather 1.21.0. `404`: no such scenario, or one owned by
    /// a different organization.
    #[endpoint {
        method = DELETE,
        path = "/v1/scenarios/by-id/{scenario_id}",
        operation_id = "deleteScenario",
        tags = ["scenarios"],
    }]
    async fn delete_scenario(
        rqctx: RequestContext<Self::Context>,
        path: Path<ScenarioPath>,
    ) -> Result<HttpResponseDeleted, ApiError>;

    /// Propose a scenario, with success criteria, from a captured session
    ///
    /// Addition to upstream Feather 1.21.0. The same body as
    /// `draftScenarioFromSession`; the answer is a `ScenarioCreate` ready to send to
    /// `createScenario`: the session's draft (the same fields as the draft
    /// endpoint's, redacted the same way), suggested `success_criteria`, and the
    /// `source_session_id` and `drafter_version` a saved scenario keeps.
    #[endpoint {
        method = POST,
        path = "/v1/scenarios/proposal-from-session",
        operation_id = "proposeScenarioFromSession",
        tags = ["scenarios"],
    }]
    async fn propose_scenario_from_session(
        rqctx: RequestContext<Self::Context>,
        body: JsonBody<ScenarioDraftFromSessionRequest>,
    ) -> Result<HttpResponseOk<ScenarioCreate>, ApiError>;

    /// List captured sessions
    ///
    /// Addition to upstream Feather 1.21.0. The captured sessions of the key's
    /// organization, newest capture first, a page at a time (`cursor` as for
    /// `listScenarios`), each with the name of its draft and how it ended, so that
    /// a list can be shown without drafting each.
    #[endpoint {
        method = GET,
        path = "/v1/sessions",
        operation_id = "listSessions",
        tags = ["sessions"],
    }]
    async fn list_sessions(
        rqctx: RequestContext<Self::Context>,
        query: QueryParams<PageQuery>,
    ) -> Result<HttpResponseOk<SessionList>, ApiError>;

    /// List the groups of captured sessions worth a regression test
    ///
    /// Addition to upstream Feather 1.21.0. Triage of the key's organization: its
    /// captured sessions (first captured at or after `since`, when given) grouped
    /// by signature (the goals the drafter names and the tool path; near matches
    /// joined), each group with its size, up to 10 member ids, a representative
    /// session, its draft's name, the signals that rank it (failures, handoffs,
    /// low CSAT, tool errors, reopens, novelty) and whether a saved scenario covers
    /// it; highest score first, a page at a time (`cursor` as for `listSessions`).
    /// `coverage` says what share of the sessions and of the groups the saved
    /// scenarios cover. docs/triage.md has the rules.
    #[endpoint {
        method = GET,
        path = "/v1/triage/candidates",
        operation_id = "listSessionCandidates",
        tags = ["sessions"],
    }]
    async fn list_session_candidates(
        rqctx: RequestContext<Self::Context>,
        query: QueryParams<CandidateQuery>,
    ) -> Result<HttpResponseOk<CandidateList>, ApiError>;

    // The 405 answers for the other methods on the documented paths.

    #[endpoint { method = GET, path = "/v1/scenarios/draft-from-session", unpublished = true }]
    async fn draft_scenario_from_session_get(
        _rqctx: RequestContext<Self::Context>,
    ) -> Result<http::Response<Body>, ApiError> {
        Ok(error::method_not_allowed("POST"))
    }

    #[endpoint { method = PUT, path = "/v1/scenarios/draft-from-session", unpublished = true }]
    async fn draft_scenario_from_session_put(
        _rqctx: RequestContext<Self::Context>,
    ) -> Result<http::Response<Body>, ApiError> {
        Ok(error::method_not_allowed("POST"))
    }

    #[endpoint { method = DELETE, path = "/v1/scenarios/draft-from-session", unpublished = true }]
    async fn draft_scenario_from_session_delete(
        _rqctx: RequestContext<Self::Context>,
    ) -> Result<http::Response<Body>, ApiError> {
        Ok(error::method_not_allowed("POST"))
    }

    #[endpoint { method = PATCH, path = "/v1/scenarios/draft-from-session", unpublished = true }]
    async fn draft_scenario_from_session_patch(
        _rqctx: RequestContext<Self::Context>,
    ) -> Result<http::Response<Body>, ApiError> {
        Ok(error::method_not_allowed("POST"))
    }

    #[endpoint { method = OPTIONS, path = "/v1/scenarios/draft-from-session", unpublished = true }]
    async fn draft_scenario_from_session_options(
        _rqctx: RequestContext<Self::Context>,
    ) -> Result<http::Response<Body>, ApiError> {
        Ok(error::method_not_allowed("POST"))
    }

    #[endpoint { method = HEAD, path = "/v1/scenarios/draft-from-session", unpublished = true }]
    async fn draft_scenario_from_session_head(
        _rqctx: RequestContext<Self::Context>,
    ) -> Result<http::Response<Body>, ApiError> {
        Ok(error::method_not_allowed("POST"))
    }

    #[endpoint { method = POST, path = "/v1/sessions/{session_id}/analysis-input", unpublished = true }]
    async fn session_analysis_input_post(
        _rqctx: RequestContext<Self::Context>,
        _path: Path<SessionPath>,
    ) -> Result<http::Response<Body>, ApiError> {
        Ok(error::method_not_allowed("GET, PUT"))
    }

    #[endpoint { method = DELETE, path = "/v1/sessions/{session_id}/analysis-input", unpublished = true }]
    async fn session_analysis_input_delete(
        _rqctx: RequestContext<Self::Context>,
        _path: Path<SessionPath>,
    ) -> Result<http::Response<Body>, ApiError> {
        Ok(error::method_not_allowed("GET, PUT"))
    }

    #[endpoint { method = PATCH, path = "/v1/sessions/{session_id}/analysis-input", unpublished = true }]
    async fn session_analysis_input_patch(
        _rqctx: RequestContext<Self::Context>,
        _path: Path<SessionPath>,
    ) -> Result<http::Response<Body>, ApiError> {
        Ok(error::method_not_allowed("GET, PUT"))
    }

    #[endpoint { method = OPTIONS, path = "/v1/sessions/{session_id}/analysis-input", unpublished = true }]
    async fn session_analysis_input_options(
        _rqctx: RequestContext<Self::Context>,
        _path: Path<SessionPath>,
    ) -> Result<http::Response<Body>, ApiError> {
        Ok(error::method_not_allowed("GET, PUT"))
    }

    #[endpoint { method = HEAD, path = "/v1/sessions/{session_id}/analysis-input", unpublished = true }]
    async fn session_analysis_input_head(
        _rqctx: RequestContext<Self::Context>,
        _path: Path<SessionPath>,
    ) -> Result<http::Response<Body>, ApiError> {
        Ok(error::method_not_allowed("GET, PUT"))
    }
}

/// The `{scenario_id}` path parameter, read as text like [`SessionPath`].
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ScenarioPath {
    #[schemars(title = "Scenario Id", with = "Uuid")]
    pub scenario_id: String,
}

/// The `{session_id}` path parameter. It is read as text and validated by the
/// handler (see [`feather_validation::parameter`]), so a bad id gets FastAPI's 422.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct SessionPath {
    #[schemars(title = "Session Id", with = "Uuid")]
    pub session_id: String,
}
