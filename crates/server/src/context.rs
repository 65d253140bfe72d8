//! The state every request shares, and API-key authentication.
//!
//! A key is either the development key given to `serve` (it sees every
//! organization, for local use) or a key made with `feather keys create`, which the
//! store resolves to one organization. Authentication runs first in every handler,
//! before the body is looked at, so a missing or wrong key is always 401.
//!
//! The front checks the key before it reads a body ([`crate::front::Gate`]), so the
//! handler's check would resolve it a second time (for an organization's key, a
//! second store lookup per request). Instead the front passes what it found in an
//! internal header ([`crate::front::ADMISSION_HEADER`]): the process's secret and the
//! scope. Dropshot listens on loopback, where any local process could reach it
//! without the front, so the handler trusts that header only when its secret
//! matches (compared in constant time) and otherwise checks `x-api-key` itself. The
//! secret is 256 random bits from the operating system (`getrandom`), made once per
//! process and never written anywhere; the front removes the header from every
//! request it receives before its gate adds its own.

use std::sync::Arc;

use feather_api::{API_KEY_HEADER, ApiError};
use feather_drafter::DraftOptions;
use feather_store::{OrgScope, Store, StoreError, constant_time_eq};
use http::HeaderValue;
use uuid::Uuid;

use crate::config::ServerConfig;
use crate::front::ADMISSION_HEADER;

/// Per-server state, available to handlers as `rqctx.context()`. Cloning it is
/// cheap and the clone shares the store and the admission secret: the front's gate
/// and dropshot's handlers hold one each.
#[derive(Clone)]
pub struct ServerContext {
    pub store: Store,
    pub draft_options: DraftOptions,
    /// The version the drafts this server makes are stored under.
    pub drafts_version: String,
    development_key: Option<Arc<str>>,
    /// The secret that proves an admission header was written by this process's
    /// front: 64 hexadecimal digits.
    admission_secret: Arc<str>,
}

impl ServerContext {
    pub fn new(config: &ServerConfig, store: Store) -> Self {
        let draft_options = DraftOptions { pii: config.pii };
        ServerContext {
            store,
            drafts_version: draft_options.version(),
            draft_options,
            development_key: config
                .api_key
                .as_deref()
                .filter(|k| !k.is_empty())
                .map(Arc::from),
            admission_secret: Arc::from(new_secret()),
        }
    }

    /// Which sessions the caller may see: the front's admission if it carries this
    /// process's secret, else the `x-api-key` header.
    pub async fn authenticate(&self, headers: &http::HeaderMap) -> Result<OrgScope, ApiError> {
        if let Some(scope) = self.admitted(headers) {
            return Ok(scope);
        }
        self.resolve_key(headers).await
    }

    /// Resolves the `x-api-key` header: the development key, else the store's.
    async fn resolve_key(&self, headers: &http::HeaderMap) -> Result<OrgScope, ApiError> {
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

    /// The admission header's value for `scope`: `SECRET SCOPE`, where the scope is
    /// `any` or the organization's id.
    fn admission(&self, scope: OrgScope) -> HeaderValue {
        let scope = match scope {
            OrgScope::Any => "any".to_owned(),
            OrgScope::Organization(organization) => organization.to_string(),
        };
        HeaderValue::try_from(format!("{} {scope}", self.admission_secret))
            .expect("hexadecimal digits and a UUID are a header value")
    }

    /// The scope in a genuine admission header; `None` if there is none, or its
    /// secret is not this process's, or it cannot be read.
    fn admitted(&self, headers: &http::HeaderMap) -> Option<OrgScope> {
        let value = headers.get(ADMISSION_HEADER)?.to_str().ok()?;
        let (secret, scope) = value.split_once(' ')?;
        if !constant_time_eq(secret.as_bytes(), self.admission_secret.as_bytes()) {
            return None;
        }
        match scope {
            "any" => Some(OrgScope::Any),
            organization => Uuid::parse_str(organization)
                .ok()
                .map(OrgScope::Organization),
        }
    }
}

/// 256 random bits from the operating system, as hexadecimal digits.
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The front checks the key with the very function the handlers use, and passes
/// the scope it found on to them.
impl crate::front::Gate for ServerContext {
    fn admit<'a>(
        &'a self,
        headers: &'a http::HeaderMap,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Option<HeaderValue>, ApiError>> + Send + 'a>,
    > {
        Box::pin(async move {
            let scope = self.resolve_key(headers).await?;
            Ok(Some(self.admission(scope)))
        })
    }
}

/// The response for a store failure: 503 while the store is unreachable, else 500.
/// A database that lost the store's tables (dropped and made again under the
/// server) is a 503 that says so: the store has made them again by then, and what
/// the request asked about was lost with them.
pub fn store_error(err: StoreError) -> ApiError {
    if err.is_unmigrated() {
        ApiError::new(
            dropshot::ErrorStatusCode::SERVICE_UNAVAILABLE,
            feather_api::error::codes::SERVICE_UNAVAILABLE,
            "The session store's database had lost its tables (was it dropped and made \
             again?); the server runs its migrations again to make them: retry shortly.",
        )
    } else if err.is_unavailable() {
        ApiError::unavailable()
    } else {
        ApiError::internal()
    }
}

#[cfg(test)]
mod tests {
    //! The admission header on a real SQLite store: trusted only with this
    //! process's secret, so a request that reaches dropshot without the front (any
    //! local process can) is authenticated by its key as before.

    use super::*;

    async fn context(dir: &tempfile::TempDir) -> ServerContext {
        let url = dir.path().join("context.db").display().to_string();
        let store = Store::connect(&url).await.unwrap();
        let config = ServerConfig {
            api_key: Some("development-key".to_owned()),
            ..ServerConfig::default()
        };
        ServerContext::new(&config, store)
    }

    fn headers(pairs: &[(&http::HeaderName, &str)]) -> http::HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| ((*name).clone(), HeaderValue::from_str(value).unwrap()))
            .collect()
    }

    #[tokio::test]
    async fn a_forged_admission_is_ignored_and_the_key_checked() {
        let dir = tempfile::tempdir().unwrap();
        let context = context(&dir).await;
        let api_key = http::HeaderName::from_static(API_KEY_HEADER);
        let organization = Uuid::new_v4();
        let forgeries = [
            format!("{} any", "0".repeat(64)),
            format!("{} {organization}", "f".repeat(64)),
            "any".to_owned(),
            format!("{} any", &context.admission_secret[..63]),
            String::new(),
        ];
        for forged in &forgeries {
            let without_key = headers(&[(&ADMISSION_HEADER, forged)]);
            let refused = context.authenticate(&without_key).await.unwrap_err();
            assert_eq!(refused.status().as_u16(), 401, "{forged:?}");
            let wrong_key = headers(&[(&ADMISSION_HEADER, forged), (&api_key, "fk_nope")]);
            let refused = context.authenticate(&wrong_key).await.unwrap_err();
            assert_eq!(refused.status().as_u16(), 401, "{forged:?}");
            let good_key = headers(&[(&ADMISSION_HEADER, forged), (&api_key, "development-key")]);
            assert_eq!(
                context.authenticate(&good_key).await.unwrap(),
                OrgScope::Any
            );
        }
    }

    #[tokio::test]
    async fn the_gates_admission_is_trusted_without_a_second_key_lookup() {
        let dir = tempfile::tempdir().unwrap();
        let context = context(&dir).await;
        let organization = Uuid::new_v4();
        let (record, key) = context
            .store
            .create_api_key(organization, Some("admission test"))
            .await
            .unwrap();
        let api_key = http::HeaderName::from_static(API_KEY_HEADER);
        let request = headers(&[(&api_key, &key)]);
        let admission = crate::front::Gate::admit(&context, &request)
            .await
            .unwrap()
            .expect("the gate writes an admission");
        // The key is revoked between the front's check and the handler's: the
        // handler trusts the front's finding, so it did not look the key up again.
        assert!(context.store.revoke_api_key(record.id).await.unwrap());
        let mut forwarded = request.clone();
        forwarded.insert(ADMISSION_HEADER, admission.clone());
        assert_eq!(
            context.authenticate(&forwarded).await.unwrap(),
            OrgScope::Organization(organization)
        );
        // Without the admission the revoked key is refused, and another process
        // (another secret) cannot use this one's admission.
        assert_eq!(
            context
                .authenticate(&request)
                .await
                .unwrap_err()
                .status()
                .as_u16(),
            401
        );
        let other = ServerContext {
            admission_secret: Arc::from(new_secret()),
            ..context.clone()
        };
        assert_eq!(
            other
                .authenticate(&forwarded)
                .await
                .unwrap_err()
                .status()
                .as_u16(),
            401
        );
        // A clone shares the secret: the gate's clone and the handlers' context agree.
        assert_eq!(
            context.clone().authenticate(&forwarded).await.unwrap(),
            OrgScope::Organization(organization)
        );
    }
}
