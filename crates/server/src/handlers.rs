//! The API operations, implemented over the store and the drafter.
//!
//! Each handler runs the same steps in the same order: authenticate, validate the
//! path and body (FastAPI-style 422), then the work. Store failures become 503 or
//! 500 with the details logged, never sent.

use dropshot::{HttpResponseCreated, HttpResponseDeleted, HttpResponseOk, Path, RequestContext};
use feather_api::error::codes;
use feather_api::{
    ApiError, CandidateList, CandidateQuery, FeatherApi, JsonBody, PageQuery, QueryParams,
    ScenarioCreate, ScenarioDraft, ScenarioDraftFromSessionRequest, ScenarioList,
    ScenarioListQuery, ScenarioPath, ScenarioResponse, SerializedOk, SessionAnalysisInput,
    SessionAttribution, SessionCaptured, SessionList, SessionPath,
};
use feather_drafter::{CapturedSession, DraftOptions};
use feather_store::{NewSession, OrgScope};
use slog::{Logger, error};
use uuid::Uuid;

use crate::context::{ServerContext, store_error};
use crate::{drafts, scenarios};

/// The server's implementation of [`FeatherApi`].
pub enum FeatherServer {}

impl FeatherApi for FeatherServer {
    type Context = ServerContext;

    async fn draft_scenario_from_session(
        rqctx: RequestContext<ServerContext>,
        body: JsonBody<ScenarioDraftFromSessionRequest>,
    ) -> Result<SerializedOk<ScenarioDraft>, ApiError> {
        let scope = rqctx
            .context()
            .authenticate(rqctx.request.headers())
            .await?;
        let request = body.parse()?;
        let json =
            drafts::draft_json(rqctx.context(), &rqctx.log, scope, request.session_id).await?;
        Ok(SerializedOk::from_json_text(json))
    }

    async fn get_session_analysis_input(
        rqctx: RequestContext<ServerContext>,
        path: Path<SessionPath>,
    ) -> Result<SerializedOk<SessionAnalysisInput>, ApiError> {
        let context = rqctx.context();
        let scope = context.authenticate(rqctx.request.headers()).await?;
        let session_id = path_session_id(&path.into_inner())?;
        let stored = context
            .store
            .get_session_text(scope, session_id)
            .await
            .map_err(|err| {
                error!(rqctx.log, "reading a session failed"; "error" => %err);
                store_error(err)
            })?
            .ok_or_else(|| drafts::not_found(session_id))?;
        // The stored text is the serialised input the capture validated, and the
        // store checked it is a JSON object.
        Ok(SerializedOk::from_json_text(stored.analysis_input))
    }

    async fn put_session_analysis_input(
        rqctx: RequestContext<ServerContext>,
        path: Path<SessionPath>,
        query: QueryParams<SessionAttribution>,
        body: JsonBody<SessionAnalysisInput>,
    ) -> Result<HttpResponseOk<SessionCaptured>, ApiError> {
        let context = rqctx.context();
        let scope = context.authenticate(rqctx.request.headers()).await?;
        let captured = store_capture(context, &rqctx.log, scope, path.into_inner(), query, body);
        Ok(HttpResponseOk(captured.await?))
    }

    async fn create_scenario(
        rqctx: RequestContext<ServerContext>,
        body: JsonBody<ScenarioCreate>,
    ) -> Result<HttpResponseCreated<ScenarioResponse>, ApiError> {
        let scope = rqctx
            .context()
            .authenticate(rqctx.request.headers())
            .await?;
        let create = body.parse()?;
        let created = scenarios::create(&rqctx, scope, create).await?;
        Ok(HttpResponseCreated(created))
    }

    async fn list_scenarios(
        rqctx: RequestContext<ServerContext>,
        query: QueryParams<ScenarioListQuery>,
    ) -> Result<HttpResponseOk<ScenarioList>, ApiError> {
        let scope = rqctx
            .context()
            .authenticate(rqctx.request.headers())
            .await?;
        let query = query.parse()?;
        Ok(HttpResponseOk(scenarios::list(&rqctx, scope, query).await?))
    }

    async fn get_scenario(
        rqctx: RequestContext<ServerContext>,
        path: Path<ScenarioPath>,
    ) -> Result<HttpResponseOk<ScenarioResponse>, ApiError> {
        let context = rqctx.context();
        let scope = context.authenticate(rqctx.request.headers()).await?;
        let id = path_scenario_id(&path.into_inner())?;
        let stored = context
            .store
            .get_scenario(scope, id)
            .await
            .map_err(|err| {
                error!(rqctx.log, "reading a scenario failed"; "error" => %err);
                store_error(err)
            })?
            .ok_or_else(|| scenarios::scenario_not_found(id))?;
        Ok(HttpResponseOk(scenarios::response(&rqctx, stored)?))
    }

    async fn delete_scenario(
        rqctx: RequestContext<ServerContext>,
        path: Path<ScenarioPath>,
    ) -> Result<HttpResponseDeleted, ApiError> {
        let context = rqctx.context();
        let scope = context.authenticate(rqctx.request.headers()).await?;
        let id = path_scenario_id(&path.into_inner())?;
        let deleted = context
            .store
            .delete_scenario(scope, id)
            .await
            .map_err(|err| {
                error!(rqctx.log, "deleting a scenario failed"; "error" => %err);
                store_error(err)
            })?;
        if !deleted {
            return Err(scenarios::scenario_not_found(id));
        }
        Ok(HttpResponseDeleted())
    }

    async fn propose_scenario_from_session(
        rqctx: RequestContext<ServerContext>,
        body: JsonBody<ScenarioDraftFromSessionRequest>,
    ) -> Result<HttpResponseOk<ScenarioCreate>, ApiError> {
        let scope = rqctx
            .context()
            .authenticate(rqctx.request.headers())
            .await?;
        let request = body.parse()?;
        let proposal = scenarios::propose(&rqctx, scope, request.session_id).await?;
        Ok(HttpResponseOk(proposal))
    }

    async fn list_sessions(
        rqctx: RequestContext<ServerContext>,
        query: QueryParams<PageQuery>,
    ) -> Result<HttpResponseOk<SessionList>, ApiError> {
        let scope = rqctx
            .context()
            .authenticate(rqctx.request.headers())
            .await?;
        let query = query.parse()?;
        Ok(HttpResponseOk(
            scenarios::list_sessions(&rqctx, scope, query).await?,
        ))
    }

    async fn list_session_candidates(
        rqctx: RequestContext<ServerContext>,
        query: QueryParams<CandidateQuery>,
    ) -> Result<HttpResponseOk<CandidateList>, ApiError> {
        let context = rqctx.context();
        let scope = context.authenticate(rqctx.request.headers()).await?;
        let query = query.parse()?;
        let offset = match query.cursor.as_deref() {
            Some(cursor) => scenarios::decode_offset_cursor(cursor)?,
            None => 0,
        };
        // The schema checked the date-time; its instant is what the store compares.
        let since = query
            .since
            .as_deref()
            .and_then(feather_validation::datetime::millis)
            .map(crate::triage::store_time);
        let limit = query.limit as usize;
        let found = crate::triage::triage(
            &context.store,
            scope,
            since.as_deref(),
            offset..offset + limit,
        )
        .await
        .map_err(|err| {
            error!(rqctx.log, "triage failed"; "error" => %err);
            store_error(err)
        })?;
        let total = found.groups.len();
        let items: Vec<_> = found.groups.into_iter().skip(offset).take(limit).collect();
        let next_cursor =
            (offset + limit < total).then(|| scenarios::encode_offset_cursor(offset + limit));
        Ok(HttpResponseOk(CandidateList {
            items,
            next_cursor,
            coverage: found.coverage,
        }))
    }
}

/// A capture after its key was checked: validated, drafted and stored. Both ways of
/// answering the capture endpoint call this: the dropshot handler and the
/// in-process path of [`crate::inline`].
pub(crate) async fn store_capture(
    context: &ServerContext,
    log: &Logger,
    scope: OrgScope,
    path: SessionPath,
    query: QueryParams<SessionAttribution>,
    body: JsonBody<SessionAnalysisInput>,
) -> Result<SessionCaptured, ApiError> {
    let size = body.bytes().map_or(0, |bytes| bytes.len());
    let options = context.draft_options.clone();
    let session =
        drafts::cpu_bound(size, move || capture(&path, &query, &body, scope, &options)).await?;
    let session_id = session.session_id;
    let outcome = context.store.put_session(&session).await.map_err(|err| {
        error!(log, "storing a session failed"; "error" => %err);
        store_error(err)
    })?;
    Ok(SessionCaptured {
        session_id,
        created: outcome.created,
    })
}

/// A capture's work before the store: the path, query and body validated (every
/// problem of the three at once), checked against each other and the key's
/// organization, then serialised and drafted for storing.
fn capture(
    path: &SessionPath,
    query: &QueryParams<SessionAttribution>,
    body: &JsonBody<SessionAnalysisInput>,
    scope: OrgScope,
    options: &DraftOptions,
) -> Result<NewSession, ApiError> {
    let (session_id, attribution, input) =
        feather_api::error::all_of(path_session_id(path), query.parse(), body.parse())?;
    if input.session_id != session_id {
        return Err(ApiError::bad_request(
            codes::SESSION_ID_MISMATCH,
            format!(
                "The body's session_id {} differs from the path's {session_id}.",
                input.session_id
            ),
        ));
    }
    if let OrgScope::Organization(organization) = scope
        && input.organization_id != organization
    {
        return Err(ApiError::bad_request(
            codes::ORGANIZATION_MISMATCH,
            "The body's organization_id is not the organization of this API key.",
        ));
    }
    Ok(drafts::new_session(
        CapturedSession { input, attribution },
        options,
    ))
}

fn path_scenario_id(path: &ScenarioPath) -> Result<Uuid, ApiError> {
    feather_validation::parameter::<Uuid>("path", "scenario_id", &path.scenario_id)
        .map_err(ApiError::validation)
}

fn path_session_id(path: &SessionPath) -> Result<Uuid, ApiError> {
    feather_validation::parameter::<Uuid>("path", "session_id", &path.session_id)
        .map_err(ApiError::validation)
}
