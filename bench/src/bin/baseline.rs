//! The benchmark's baseline: a dropshot server configured as `feather serve` is
//! (detached handler tasks, the same body limit, the same warn-level logger, the
//! same allocator, behind the same front with the same limits), whose endpoints
//! answer the draft and capture routes with a fixed small JSON body. Its key check is
//! a constant-time comparison with one key, as the development key's is. Whatever the
//! draft and capture endpoints cost beyond this is ours.
//!
//! Usage: `feather-bench-baseline [ADDR] [KEY]` (default 127.0.0.1:8001 and `bench`).

use std::sync::Arc;

use dropshot::{ApiDescription, HttpError, HttpResponseOk, RequestContext, UntypedBody};
use feather_server::config::FrontOptions;
use schemars::JsonSchema;
use serde::Serialize;

/// As in `feather serve`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Serialize, JsonSchema)]
struct Fixed {
    status: &'static str,
}

/// Reads the body, as the real endpoint does, and answers a constant.
#[dropshot::endpoint { method = POST, path = "/v1/scenarios/draft-from-session" }]
async fn fixed(
    _rqctx: RequestContext<()>,
    _body: UntypedBody,
) -> Result<HttpResponseOk<Fixed>, HttpError> {
    Ok(HttpResponseOk(Fixed { status: "ok" }))
}

/// Reads the capture's body, as the real endpoint does, and answers a constant.
#[dropshot::endpoint { method = PUT, path = "/v1/sessions/{session_id}/analysis-input" }]
async fn fixed_capture(
    _rqctx: RequestContext<()>,
    _path: dropshot::Path<SessionPath>,
    _body: UntypedBody,
) -> Result<HttpResponseOk<Fixed>, HttpError> {
    Ok(HttpResponseOk(Fixed { status: "ok" }))
}

#[derive(serde::Deserialize, JsonSchema)]
struct SessionPath {
    #[allow(dead_code)] // Routed on, never read.
    session_id: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8001".to_owned());
    let mut api = ApiDescription::new();
    api.register(fixed).map_err(|e| anyhow::anyhow!("{e}"))?;
    api.register(fixed_capture)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let log = feather_server::config::logger("warn")?;
    let (server, front) = feather_server::start_behind_front(
        api,
        (),
        Arc::new(feather_bench::BenchKey(
            std::env::args()
                .nth(2)
                .unwrap_or_else(|| "bench".to_owned()),
        )),
        feather_server::routes(),
        bind.parse()?,
        &FrontOptions::default(),
        log,
    )?;
    eprintln!("baseline listening on http://{}", front.local_addr());
    server.await.map_err(anyhow::Error::msg)
}
