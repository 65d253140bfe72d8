//! Drafts made once: at capture, kept beside the session, sent as stored.
//!
//! A draft depends only on the session, its attribution and the redaction switch,
//! so every way a session gets into the store (the capture endpoint, `feather
//! import`, the demo data) drafts it right away with [`prepare`] and stores the
//! draft's JSON text beside it, under a version naming the drafter and the switch
//! ([`version`]). The draft endpoint then costs one indexed read, and the stored
//! text is the response body ([`draft_for`]).
//!
//! When no draft of the server's version is stored (a session that cannot be
//! drafted, a session stored before this existed, an upgraded drafter, a replica
//! started with the other redaction switch), the endpoint drafts the session as it
//! always did, answers with that, and stores it for the next request, unless the
//! session was captured again in the meantime.

use dropshot::RequestContext;
use feather_api::error::codes;
use feather_api::{ApiError, ScenarioDraft, SerializedOk};
use feather_drafter::{CapturedSession, DraftOptions};
use feather_store::{DraftSource, OrgScope, StoredDraft, StoredSessionText};
use slog::{error, warn};
use uuid::Uuid;

use crate::context::{ServerContext, store_error};

/// The version under which drafts made with `options` are stored: the drafter's
/// [`feather_drafter::DRAFTS_VERSION`] and the redaction switch.
pub fn version(options: &DraftOptions) -> String {
    let redaction = if options.redact_pii {
        "redacted"
    } else {
        "unredacted"
    };
    format!("{}/{redaction}", feather_drafter::DRAFTS_VERSION)
}

/// The draft to store beside `session`, or `None` when it cannot be drafted (the
/// draft endpoint then gives the reason each time it is asked).
pub fn prepare(session: &CapturedSession, options: &DraftOptions) -> Option<StoredDraft> {
    let draft = feather_drafter::draft(session, options).ok()?;
    let json = serde_json::to_string(&draft).expect("a draft serialises");
    Some(StoredDraft {
        version: version(options),
        json,
    })
}

/// The draft of `session_id` as `scope` sees it: the stored one when it is
/// current, else made now (and stored). 404 for a session `scope` does not see.
pub async fn draft_for(
    rqctx: &RequestContext<ServerContext>,
    scope: OrgScope,
    session_id: Uuid,
) -> Result<SerializedOk<ScenarioDraft>, ApiError> {
    let context = rqctx.context();
    let source = context
        .store
        .get_draft_source(scope, session_id, &context.drafts_version)
        .await
        .map_err(|err| {
            error!(rqctx.log, "reading a session failed"; "error" => %err);
            store_error(err)
        })?
        .ok_or_else(|| not_found(session_id))?;
    match source {
        // Stored by `prepare`, or below, by a drafter of this version.
        DraftSource::Current(json) => Ok(SerializedOk::from_json_text(json)),
        DraftSource::Stale { session, revision } => {
            let organization_id = session.organization_id;
            let captured = captured_session(rqctx, session)?;
            let draft =
                feather_drafter::draft(&captured, &context.draft_options).map_err(|err| {
                    ApiError::bad_request(codes::SESSION_NOT_DRAFTABLE, err.to_string())
                })?;
            let serialized = SerializedOk::new(&draft).map_err(|_| ApiError::internal())?;
            let stored = StoredDraft {
                version: context.drafts_version.clone(),
                json: serialized.json_text().to_owned(),
            };
            // Keeping the draft is an optimisation: the answer stands whatever
            // happens to it.
            if let Err(err) = context
                .store
                .put_draft(organization_id, session_id, revision, &stored)
                .await
            {
                warn!(rqctx.log, "keeping a remade draft failed"; "session_id" => %session_id, "error" => %err);
            }
            Ok(serialized)
        }
    }
}

/// The answer for a session that `scope` does not see; another organization's
/// session is not admitted to exist.
pub fn not_found(session_id: Uuid) -> ApiError {
    ApiError::not_found(format!("No session {session_id} was found."))
}

/// A stored session in the drafter's model, parsed once from the stored JSON text
/// straight into the API's types.
fn captured_session(
    rqctx: &RequestContext<ServerContext>,
    stored: StoredSessionText,
) -> Result<CapturedSession, ApiError> {
    let input = serde_json::from_str(&stored.analysis_input).map_err(|err| {
        error!(rqctx.log, "a stored session cannot be decoded"; "session_id" => %stored.session_id, "error" => %err);
        ApiError::internal()
    })?;
    Ok(CapturedSession {
        input,
        attribution: stored.attribution,
    })
}
