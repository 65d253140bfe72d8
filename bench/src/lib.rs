//! What the benchmark binaries share.

use std::future::Future;
use std::pin::Pin;

use feather_api::ApiError;

/// The key check of the binaries that stand behind the front: the development
/// key's comparison, with the one key it accepts.
pub struct BenchKey(pub String);

impl feather_server::front::Gate for BenchKey {
    fn admit<'a>(
        &'a self,
        headers: &'a http::HeaderMap,
    ) -> Pin<Box<dyn Future<Output = Result<Option<http::HeaderValue>, ApiError>> + Send + 'a>>
    {
        Box::pin(async move {
            match headers.get(feather_api::API_KEY_HEADER) {
                Some(key) if feather_store::constant_time_eq(key.as_bytes(), self.0.as_bytes()) => {
                    Ok(None)
                }
                _ => Err(ApiError::unauthorized()),
            }
        })
    }
}
