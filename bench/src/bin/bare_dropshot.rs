//! The draft scenario's ceiling: a bare dropshot 0.18 server on its own listener, with
//! no front, answering `POST /v1/scenarios/draft-from-session` with the text of a
//! real draft read once from a file (`bench/run.sh` saves one the server made). It is
//! configured as dropshot is behind `feather serve`'s front (detached handler tasks,
//! the same body limit, the same warn-level logger, the same allocator); the handler
//! reads the body, checks the key with the development key's constant-time
//! comparison and sends the draft's bytes. What the draft endpoint costs beyond this
//! is the front, the store read and the handler's own work.
//!
//! With `--behind-front` the same handler is served behind the front
//! (`feather_server::start_behind_front`, default limits, the same key checked by its
//! gate as well), so the difference between the two modes is what the front costs
//! at a draft's size (docs/performance.md, "Where the front's time goes").
//!
//! Usage: `feather-bench-bare-dropshot ADDR KEY DRAFT_FILE [--behind-front]`.

use std::sync::Arc;

use bytes::Bytes;
use dropshot::{
    Body, ConfigDropshot, HandlerTaskMode, HttpError, RequestContext, ServerBuilder, UntypedBody,
};
use feather_server::config::FrontOptions;
use http::Response;

/// As in `feather serve`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What every request is answered from.
struct Bare {
    key: String,
    draft: Bytes,
}

/// Reads the body, checks the key and answers the draft's text.
#[dropshot::endpoint { method = POST, path = "/v1/scenarios/draft-from-session" }]
async fn draft(
    rqctx: RequestContext<Arc<Bare>>,
    _body: UntypedBody,
) -> Result<Response<Body>, HttpError> {
    let bare = rqctx.context();
    match rqctx.request.headers().get(feather_api::API_KEY_HEADER) {
        Some(key) if feather_store::constant_time_eq(key.as_bytes(), bare.key.as_bytes()) => {}
        _ => {
            return Err(HttpError::for_client_error(
                None,
                dropshot::ClientErrorStatusCode::UNAUTHORIZED,
                "unauthorized".to_owned(),
            ));
        }
    }
    Response::builder()
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Body::from(bare.draft.clone()))
        .map_err(|e| HttpError::for_internal_error(e.to_string()))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let behind_front = args.iter().any(|a| a == "--behind-front");
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let [bind, key, draft_file] = positional[..] else {
        anyhow::bail!("usage: feather-bench-bare-dropshot ADDR KEY DRAFT_FILE [--behind-front]");
    };
    let draft_text = std::fs::read(draft_file)
        .map_err(|e| anyhow::anyhow!("cannot read the draft {draft_file}: {e}"))?;
    let context = Arc::new(Bare {
        key: key.clone(),
        draft: Bytes::from(draft_text),
    });
    let mut api = dropshot::ApiDescription::new();
    api.register(draft).map_err(|e| anyhow::anyhow!("{e}"))?;
    let log = feather_server::config::logger("warn")?;
    let options = FrontOptions::default();
    if behind_front {
        let (server, front) = feather_server::start_behind_front(
            api,
            context,
            Arc::new(feather_bench::BenchKey(key.clone())),
            feather_server::routes(),
            bind.parse()?,
            &options,
            log,
        )?;
        eprintln!(
            "bare dropshot behind the front on http://{}",
            front.local_addr()
        );
        return server.await.map_err(anyhow::Error::msg);
    }
    let config = ConfigDropshot {
        bind_address: bind.parse()?,
        default_request_body_max_bytes: options.limits.max_body_bytes,
        default_handler_task_mode: HandlerTaskMode::Detached,
        ..Default::default()
    };
    let server = ServerBuilder::new(api, context, log)
        .config(config)
        .start()
        .map_err(|e| anyhow::anyhow!("cannot start dropshot on {bind}: {e}"))?;
    eprintln!("bare dropshot listening on http://{}", server.local_addr());
    server.await.map_err(anyhow::Error::msg)
}
