//! Drafts made once: at capture, kept beside the session, sent as stored.
//!
//! A draft depends only on the session, its attribution and the redaction switch,
//! so every way a session gets into the store (the capture endpoint, `feather
//! import`, the demo data) drafts it right away ([`new_session`]) and stores the
//! draft's JSON text beside it, under a version naming the drafter and the switch
//! ([`DraftOptions::version`]). The draft endpoint then costs one indexed read, and the stored
//! text is the response body ([`draft_json`]). Drafting a long session takes
//! milliseconds, so the capture endpoint does it, with the validation before it,
//! on a few threads of its own when the session is large ([`cpu_bound`]).
//!
//! When no draft of the server's version is stored (a session that cannot be
//! drafted, a session stored before this existed, an upgraded drafter, a replica
//! started with the other redaction switch), the endpoint drafts the session as it
//! always did, answers with that, and stores it for the next request, unless the
//! session was captured again in the meantime.

use std::sync::OnceLock;

use feather_api::ApiError;
use feather_api::error::codes;
use feather_drafter::{CapturedSession, DraftError, DraftOptions};
use feather_store::{DraftSource, NewSession, OrgScope, StoredDraft, StoredSessionText};
use slog::{Logger, error, warn};
use uuid::Uuid;

use crate::context::{ServerContext, store_error};

/// The stored form of a captured session, with its draft made with `options`.
pub fn new_session(captured: CapturedSession, options: &DraftOptions) -> NewSession {
    // What triage groups on (`crate::triage`) comes from the same reading of the
    // session as the draft: signed apart, it cost a third of a draft more.
    let (draft, signature) = feather_drafter::draft_and_sign(&captured, options);
    NewSession {
        organization_id: captured.input.organization_id,
        session_id: captured.input.session_id,
        analysis_input: serde_json::to_string(&captured.input).expect("a session serialises"),
        // None when the session cannot be drafted: the draft endpoint then gives
        // the reason each time it is asked.
        draft: draft.ok().map(|draft| stored(&draft, options)),
        signature: Some(crate::triage::stored(&signature)),
        attribution: captured.attribution,
    }
}

/// Work on a body up to this size runs on the request's own thread; larger ones
/// on the few threads [`cpu_bound`] keeps for it.
///
/// Validating and drafting a capture costs about 8 µs a turn, or 16 µs per KiB of
/// body (`cargo bench -p feather-server --bench capture`), so a body this size
/// takes up to about 0.25 ms, about the most an async worker thread should spend
/// between two awaits. Handing every capture to the blocking pool instead cost two
/// thread hand-overs a capture and a pool of threads each holding allocator pages:
/// under `bench/run.sh`'s capture scenario, 24 blocking threads and a peak RSS of
/// 148 MiB.
pub const INLINE_BYTES: usize = 16 * 1024;

/// Runs `work` on a body of `size` bytes: on this thread when the body is small,
/// else on one of a few threads kept for it, as many as the machine has cores.
///
/// The bound keeps what large bodies cost while they are worked on (their parsed
/// values, their drafts) to a few at a time, and so does the fixed set of threads
/// for the allocator pages each thread holds on to; the rest wait their turn with
/// only their bytes in memory. tokio's blocking pool, even behind a semaphore of
/// the same size, kept starting threads (16 in all under `bench/run.sh`'s 200-turn
/// captures, against 8 now), since a thread that has just finished is not yet idle
/// when the next job arrives.
pub async fn cpu_bound<T: Send + 'static>(
    size: usize,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    if size <= INLINE_BYTES {
        return work();
    }
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(std::thread::available_parallelism().map_or(2, usize::from))
            .thread_name(|index| format!("feather-cpu-{index}"))
            .build()
            .ok()
    });
    let Some(pool) = pool else {
        // No threads could be started: the work is done here rather than not at all.
        return work();
    };
    let (done, outcome) = tokio::sync::oneshot::channel();
    pool.spawn(move || {
        // A panic would abort the process from a rayon thread; caught, it drops
        // `done`, and the request is answered 500 like any other handler's panic.
        if let Ok(result) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
            // A caller that stopped waiting no longer needs the outcome.
            let _ = done.send(result);
        }
    });
    outcome.await.map_err(|_| ApiError::internal())?
}

/// The draft of `session` made with `options`, as it is stored beside the session.
pub fn prepare(
    session: &CapturedSession,
    options: &DraftOptions,
) -> Result<StoredDraft, DraftError> {
    feather_drafter::draft(session, options).map(|draft| stored(&draft, options))
}

fn stored(draft: &feather_api::ScenarioDraft, options: &DraftOptions) -> StoredDraft {
    StoredDraft {
        version: options.version(),
        json: serde_json::to_string(draft).expect("a draft serialises"),
    }
}

/// The draft of `session_id` as `scope` sees it, as JSON text: the stored one
/// when it is current, else made now (and stored). 404 for a session `scope` does
/// not see. Both ways of answering the draft endpoint call this: the dropshot
/// handler and the in-process path of [`crate::inline`].
pub async fn draft_json(
    context: &ServerContext,
    log: &Logger,
    scope: OrgScope,
    session_id: Uuid,
) -> Result<String, ApiError> {
    let source = context
        .store
        .get_draft_source(scope, session_id, &context.drafts_version)
        .await
        .map_err(|err| {
            error!(log, "reading a session failed"; "error" => %err);
            store_error(err)
        })?
        .ok_or_else(|| not_found(session_id))?;
    match source {
        // Stored by `prepare`, or below, by a drafter of this version.
        DraftSource::Current(json) => Ok(json),
        DraftSource::Stale { session, revision } => {
            let organization_id = session.organization_id;
            let (redraft_log, options) = (log.clone(), context.draft_options.clone());
            let size = session.analysis_input.len();
            let stored = cpu_bound(size, move || redraft(&redraft_log, session, &options)).await?;
            // Keeping the draft is an optimisation: the answer stands whatever
            // happens to it.
            if let Err(err) = context
                .store
                .put_draft(organization_id, session_id, revision, &stored)
                .await
            {
                warn!(log, "keeping a remade draft failed"; "session_id" => %session_id, "error" => %err);
            }
            Ok(stored.json)
        }
    }
}

/// The answer for a session that `scope` does not see; another organization's
/// session is not admitted to exist.
pub fn not_found(session_id: Uuid) -> ApiError {
    ApiError::not_found(format!("No session {session_id} was found."))
}

/// The draft of a stored session, made now; 400 when the session cannot be
/// drafted.
fn redraft(
    log: &Logger,
    stored: StoredSessionText,
    options: &DraftOptions,
) -> Result<StoredDraft, ApiError> {
    // Parsed once from the stored text straight into the API's types.
    let input = serde_json::from_str(&stored.analysis_input).map_err(|err| {
        error!(log, "a stored session cannot be decoded"; "session_id" => %stored.session_id, "error" => %err);
        ApiError::internal()
    })?;
    let captured = CapturedSession {
        input,
        attribution: stored.attribution,
    };
    prepare(&captured, options)
        .map_err(|err| ApiError::bad_request(codes::SESSION_NOT_DRAFTABLE, err.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thread_name() -> Result<String, ApiError> {
        Ok(std::thread::current().name().unwrap_or_default().to_owned())
    }

    #[tokio::test]
    async fn large_bodies_are_worked_on_the_pool_and_a_panic_there_is_a_500() {
        let small = cpu_bound(INLINE_BYTES, thread_name).await.unwrap();
        assert!(!small.starts_with("feather-cpu-"), "{small}");
        let large = cpu_bound(INLINE_BYTES + 1, thread_name).await.unwrap();
        assert!(large.starts_with("feather-cpu-"), "{large}");

        let panicked = cpu_bound::<()>(INLINE_BYTES + 1, || panic!("a bug in drafting")).await;
        let err = panicked.expect_err("a panic is an error");
        assert_eq!(err.status().as_u16(), 500);
        // The pool and the process are still there.
        let again = cpu_bound(INLINE_BYTES + 1, thread_name).await.unwrap();
        assert!(again.starts_with("feather-cpu-"), "{again}");
    }
}
