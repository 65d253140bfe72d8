//! The Feather scenario-drafting server: the [`feather_api::FeatherApi`] trait
//! implemented over the session store and the drafter.
//!
//! The binary (`src/main.rs`) is a thin CLI over this library, so the end-to-end
//! tests start the very same server on an ephemeral port. Modules, in the order a
//! request meets them: [`config`] (what the operator chose), [`context`] (the
//! per-server state and API-key authentication), [`handlers`] (the three
//! operations), [`drafts`] (drafts made at capture and served as stored), and
//! [`import`] / [`demo`] for loading sessions outside HTTP.

pub mod config;
pub mod context;
pub mod demo;
pub mod docs;
pub mod drafts;
pub mod handlers;
pub mod import;

use std::net::SocketAddr;

use dropshot::{ApiDescription, ConfigDropshot, HandlerTaskMode, HttpServer, ServerBuilder};
use feather_api::feather_api_mod;
use feather_store::Store;

pub use config::ServerConfig;
pub use context::ServerContext;
pub use handlers::FeatherServer;

/// The API as this server implements it, plus the unpublished documentation
/// routes of [`docs`] (`/openapi.json`, `/docs`), which stay out of the contract.
pub fn api_description() -> ApiDescription<ServerContext> {
    let mut api = feather_api_mod::api_description::<FeatherServer>()
        .expect("the implementation registers every endpoint of the trait");
    docs::register(&mut api).expect("the documentation routes do not clash with the API");
    api
}

/// The finished OpenAPI document of this implementation; it must equal `openapi.json`.
pub fn openapi_document() -> serde_json::Value {
    feather_api::openapi::document_for(&api_description())
}

/// A running server.
pub struct RunningServer {
    server: HttpServer<ServerContext>,
}

impl RunningServer {
    /// The address the server listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// Waits until the server stops by itself.
    pub async fn wait(self) -> Result<(), String> {
        self.server.await
    }

    /// Stops the server gracefully.
    pub async fn close(self) -> Result<(), String> {
        self.server.close().await
    }
}

/// Connects the store and starts serving. Returns once the socket is bound.
pub async fn start(config: &ServerConfig) -> anyhow::Result<RunningServer> {
    let store = Store::connect(&config.database_url).await?;
    start_with_store(config, store)
}

/// Starts serving over an already connected store.
pub fn start_with_store(config: &ServerConfig, store: Store) -> anyhow::Result<RunningServer> {
    let context = ServerContext::new(config, store);
    let log = config.logger()?;
    let dropshot = ConfigDropshot {
        bind_address: config.bind,
        default_request_body_max_bytes: config.max_body_bytes,
        default_handler_task_mode: HandlerTaskMode::Detached,
        ..Default::default()
    };
    let server = ServerBuilder::new(api_description(), context, log)
        .config(dropshot)
        .start()
        .map_err(|e| anyhow::anyhow!("cannot start the server on {}: {e}", config.bind))?;
    Ok(RunningServer { server })
}
