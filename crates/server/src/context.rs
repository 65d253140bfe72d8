//! The state every request shares, and API-key authentication.
//!
//! A key is either the development key given to `serve` (it sees every
//! organization, for local use) or a key made with `feather keys create`, which the
//! store resolves to one organization. Authentication runs first in every handler,
//! before the body is looked at, so a missing or wrong key is always 401.

use feather_api::{API_KEY_HEADER, ApiError};
use feather_drafter::DraftOptions;
use feather_store::{OrgScope, Store, StoreError, constant_time_eq};

use crate::config::ServerConfig;

/// Per-server state, available to handlers as `rqctx.context()`.
pub struct ServerContext {
    pub store: Store,
    pub draft_options: DraftOptions,
    /// The version the drafts this server makes are stored under.
    pub drafts_version: String,
    development_key: Option<String>,
}

impl ServerContext {
    pub fn new(config: &ServerConfig, store: Store) -> Self {
        let draft_options = DraftOptions {
            redact_pii: config.redact_pii,
        };
        ServerContext {
            store,
            drafts_version: draft_options.version(),
            draft_options,
            development_key: config.api_key.clone().filter(|k| !k.is_empty()),
        }
    }

    /// Which sessions the caller may see, from the `x-api-key` header.
    pub async fn authenticate(&self, headers: &http::HeaderMap) -> Result<OrgScope, ApiError> {
        let Some(key) = headers.get(API_KEY_HEADER).and_then(|v| v.to_str().ok()) else {
            return Err(ApiError::unauthorized());
        };
        if let Some(development_key) = &self.development_key
            && constant_time_eq(key.as_bytes(), development_key.as_bytes())
        {
            return Ok(OrgScope::Any);
        }
        match self.store.resolve_api_key(key).await {
            Ok(Some(organization)) => Ok(OrgScope::Organization(organization)),
            Ok(None) => Err(ApiError::unauthorized()),
            Err(err) => Err(store_error(err)),
        }
    }
}

/// The front checks the key with the very function the handlers use.
impl crate::front::Gate for ServerContext {
    fn admit<'a>(
        &'a self,
        headers: &'a http::HeaderMap,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ApiError>> + Send + 'a>>
    {
        Box::pin(async move { self.authenticate(headers).await.map(|_| ()) })
    }
}

/// The response for a store failure: 503 while the store is unreachable, else 500.
pub fn store_error(err: StoreError) -> ApiError {
    if err.is_unavailable() {
        ApiError::unavailable()
    } else {
        ApiError::internal()
    }
}
