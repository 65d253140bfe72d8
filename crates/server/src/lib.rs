//! The Feather scenario-drafting server: the [`feather_api::FeatherApi`] trait
//! implemented over the session store and the drafter.
//!
//! The binary (`src/main.rs`) is a thin CLI over this library, so the end-to-end
//! tests start the very same server on an ephemeral port. Modules, in the order a
//! request meets them: [`config`] (what the operator chose), [`context`] (the
//! per-server state and API-key authentication), [`handlers`] (the three
//! operations), [`drafts`] (drafts made at capture and served as stored),
//! [`front`] (the listener, before dropshot) and [`inline`] (the draft endpoint,
//! answered by the front itself: no loopback hop, issue 24), and
//! [`import`] / [`demo`] for loading sessions outside HTTP.

pub mod config;
pub mod context;
pub mod demo;
pub mod docs;
pub mod drafts;
pub mod front;
pub mod handlers;
pub mod import;
pub mod inline;
pub mod logging;
pub mod review;
pub mod scenarios;
pub mod triage;

use std::net::SocketAddr;
use std::sync::Arc;

use dropshot::{ApiDescription, ConfigDropshot, HandlerTaskMode, HttpServer, ServerBuilder};
use feather_api::feather_api_mod;
use feather_store::Store;

pub use config::ServerConfig;
pub use context::ServerContext;
pub use handlers::FeatherServer;

/// The API as this server implements it, plus the unpublished documentation
/// routes of [`docs`] (`/openapi.json`, `/docs`) and the review page of [`review`]
/// (`/review`), which stay out of the contract.
pub fn api_description() -> ApiDescription<ServerContext> {
    let mut api = feather_api_mod::api_description::<FeatherServer>()
        .expect("the implementation registers every endpoint of the trait");
    docs::register(&mut api).expect("the documentation routes do not clash with the API");
    review::register(&mut api).expect("the review page's routes do not clash with the API");
    api
}

/// The finished OpenAPI document of this implementation; it must equal `openapi.json`.
pub fn openapi_document() -> serde_json::Value {
    feather_api::openapi::document_for(&api_description())
}

/// The front's route table: the contract's operations, the documentation and the
/// review page.
pub fn routes() -> front::routes::Routes {
    let pages: Vec<&str> = docs::PATHS.iter().chain(review::PATHS).copied().collect();
    front::routes::Routes::from_openapi(&openapi_document(), &pages)
}

/// A running server: the front on the public address, dropshot behind it.
pub struct RunningServer {
    server: HttpServer<ServerContext>,
    front: front::Front,
}

impl RunningServer {
    /// The address the server listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.front.local_addr()
    }

    /// What the front has answered by itself (401, 404, 405, 429, 431, 501) since
    /// it started; the log reports them too, once a second at most.
    pub fn refusals(&self) -> front::refusals::RefusalCounts {
        self.front.refusals()
    }

    /// Waits until the server stops by itself.
    pub async fn wait(self) -> Result<(), String> {
        let RunningServer { server, mut front } = self;
        tokio::select! {
            result = server => result,
            () = front.wait() => Err("the front stopped".to_owned()),
        }
    }

    /// Stops the server gracefully: the front first, then dropshot.
    pub async fn close(self) -> Result<(), String> {
        self.front.close().await;
        self.server.close().await
    }
}

/// Starts `api` on an ephemeral loopback port and [`front::Front`] on `bind` before
/// it. The benchmark's baseline starts through this too, so both pay the same.
pub fn start_behind_front<C: dropshot::ServerContext>(
    api: ApiDescription<C>,
    context: C,
    gate: Arc<dyn front::Gate>,
    routes: front::routes::Routes,
    bind: SocketAddr,
    options: &front::FrontOptions,
    log: slog::Logger,
) -> anyhow::Result<(HttpServer<C>, front::Front)> {
    start_with_inline(api, context, gate, None, routes, bind, options, log)
}

/// As [`start_behind_front`], the front answering what `inline` (made with the
/// public address) serves itself.
#[allow(clippy::too_many_arguments)]
fn start_with_inline<C: dropshot::ServerContext>(
    api: ApiDescription<C>,
    context: C,
    gate: Arc<dyn front::Gate>,
    inline: Option<&dyn Fn(SocketAddr) -> Arc<dyn front::Inline>>,
    routes: front::routes::Routes,
    bind: SocketAddr,
    options: &front::FrontOptions,
    log: slog::Logger,
) -> anyhow::Result<(HttpServer<C>, front::Front)> {
    options.limits.check()?;
    let mut options = options.clone();
    let limits = &mut options.limits;
    if let Some(warning) = front::fit_descriptors(limits) {
        slog::warn!(log, "{warning}");
    }
    let listener = std::net::TcpListener::bind(bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?;
    let dropshot = ConfigDropshot {
        bind_address: SocketAddr::from(([127, 0, 0, 1], 0)),
        // The front has read the whole body within its limit already.
        default_request_body_max_bytes: limits.max_body_bytes,
        default_handler_task_mode: HandlerTaskMode::Detached,
        // Dropshot sees the front's address; its request log names the client's.
        log_headers: vec!["x-forwarded-for".to_owned()],
        ..Default::default()
    };
    // Dropshot's records name the address clients reach, not its loopback port.
    let public = listener.local_addr()?;
    let inline = inline.map(|make| make(public));
    let server = ServerBuilder::new(api, context, config::public_addr_logger(&log, public))
        .config(dropshot)
        .start()
        .map_err(|e| anyhow::anyhow!("cannot start the API server behind the front: {e}"))?;
    let front = front::Front::start_with_inline(
        listener,
        server.local_addr(),
        routes,
        gate,
        inline,
        &options,
        log,
    )
    .map_err(|e| anyhow::anyhow!("cannot serve on {bind}: {e:#}"))?;
    Ok((server, front))
}

/// Connects the store and starts serving. Returns once the socket is bound.
pub async fn start(config: &ServerConfig) -> anyhow::Result<RunningServer> {
    let store = Store::connect(&config.database_url).await?;
    start_with_store(config, store)
}

/// Starts serving over an already connected store.
pub fn start_with_store(config: &ServerConfig, store: Store) -> anyhow::Result<RunningServer> {
    // One context: the front's gate holds a clone of the handlers', so both share
    // the admission secret and the handlers trust what the gate found.
    let context = ServerContext::new(config, store);
    let gate = Arc::new(context.clone());
    let log = config.logger()?;
    // The draft and capture endpoints are answered on the front's connection
    // (issue 24); their records name the public address, as dropshot's do.
    let handlers = context.clone();
    let inline_log = log.clone();
    let inline = move |public: SocketAddr| -> Arc<dyn front::Inline> {
        let log = inline_log.new(slog::o!("local_addr" => public));
        Arc::new(inline::InlineOperations::new(handlers.clone(), log))
    };
    let (server, front) = start_with_inline(
        api_description(),
        context,
        gate,
        Some(&inline),
        routes(),
        config.bind,
        &config.front,
        log,
    )?;
    Ok(RunningServer { server, front })
}
