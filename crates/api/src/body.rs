//! `JsonBody<T>`: a request body that the handler validates, not dropshot.
//!
//! Dropshot's `TypedBody` answers a bad body itself, with its own 400 body, before the
//! handler runs. The contract wants 401 before any body validation, 413 for an
//! oversized body, and FastAPI's 422 lists. So this extractor only reads the bytes (up
//! to the endpoint's limit, never more into memory) and documents `T` as the request
//! body; [`JsonBody::parse`] does the validation once the handler has checked the key.

use std::marker::PhantomData;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use dropshot::{
    ApiEndpointBodyContentType, ExclusiveExtractor, ExtractorMetadata, HttpError, RequestContext,
    ServerContext, TypedBody,
};
use http_body_util::BodyExt;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, codes};

/// The raw body of a JSON request, documented in the contract as `T`.
#[derive(Debug)]
pub struct JsonBody<T> {
    content: Content,
    content_type: Option<String>,
    _type: PhantomData<fn() -> T>,
}

#[derive(Debug)]
enum Content {
    Read(Bytes),
    TooLarge { limit: usize },
    Failed(String),
}

impl<T: JsonSchema + DeserializeOwned + 'static> JsonBody<T> {
    /// A body read whole by someone else (the server's front, answering in-process)
    /// with the request's `content-type`.
    pub fn from_bytes(bytes: Bytes, content_type: Option<String>) -> Self {
        JsonBody {
            content: Content::Read(bytes),
            content_type,
            _type: PhantomData,
        }
    }

    /// The bytes as received, or the error for a body that could not be read whole.
    pub fn bytes(&self) -> Result<&Bytes, ApiError> {
        match &self.content {
            Content::Read(bytes) => Ok(bytes),
            Content::TooLarge { limit } => Err(ApiError::payload_too_large(*limit)),
            Content::Failed(reason) => Err(ApiError::bad_request(
                codes::INVALID_BODY,
                format!("The request body could not be read: {reason}."),
            )),
        }
    }

    /// Validates the body as FastAPI would and returns `T`, or the 400 / 413 / 422 error.
    pub fn parse(&self) -> Result<T, ApiError> {
        let bytes = self.bytes()?;
        feather_validation::json_body::<T>(bytes, self.content_type.as_deref())
            .map_err(ApiError::from)
    }
}

#[async_trait]
impl<T> ExclusiveExtractor for JsonBody<T>
where
    T: JsonSchema + DeserializeOwned + Send + Sync + 'static,
{
    async fn from_request<Context: ServerContext>(
        rqctx: &RequestContext<Context>,
        request: hyper::Request<dropshot::Body>,
    ) -> Result<Self, HttpError> {
        let limit = rqctx.request_body_max_bytes();
        let content_type = request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let mut body = request.into_body();
        let mut buffer = BytesMut::new();
        let content = loop {
            match body.frame().await {
                None => break Content::Read(buffer.freeze()),
                Some(Err(err)) => break Content::Failed(err.to_string()),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        if buffer.len() + data.len() > limit {
                            break Content::TooLarge { limit };
                        }
                        buffer.extend_from_slice(&data);
                    }
                }
            }
        };
        Ok(JsonBody {
            content,
            content_type,
            _type: PhantomData,
        })
    }

    // Documented exactly as dropshot documents a `TypedBody<T>`.
    fn metadata(content_type: ApiEndpointBodyContentType) -> ExtractorMetadata {
        <TypedBody<T> as ExclusiveExtractor>::metadata(content_type)
    }
}
