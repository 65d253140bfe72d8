//! The one error type every handler returns, and how it becomes a response body.
//!
//! The contract promises two bodies: `ErrorResponse` (`{"error": <snake_case code>,
//! "message": <sentence>}`) for 400, 401, 404, 413, 500, 503 ..., and FastAPI's
//! `HTTPValidationError` for 422. [`ApiError`] holds one of them with its status.
//! Extractor failures reach it through `From<HttpError>`, which keeps dropshot's
//! status and external message but never its body shape.

use std::fmt;

use dropshot::{ClientErrorStatusCode, ErrorStatusCode, HttpError};
use schemars::JsonSchema;
use schemars::r#gen::SchemaGenerator;
use schemars::schema::{Schema, SchemaObject, SubschemaValidation};
use serde::{Serialize, Serializer};

use feather_types::{ErrorResponse, HTTPValidationError, ValidationError};
use feather_validation::Rejection;

pub use feather_types::codes;

/// An error response: a status and the body the contract documents for it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    status: ErrorStatusCode,
    body: ErrorBody,
}

/// The two documented error bodies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ErrorBody {
    Error(ErrorResponse),
    Validation(HTTPValidationError),
}

impl ApiError {
    /// An `ErrorResponse` with the given status, code and message.
    pub fn new(status: ErrorStatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody::Error(ErrorResponse {
                error: code.to_owned(),
                message: message.into(),
            }),
        }
    }

    /// 400 with a specific code.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorStatusCode::BAD_REQUEST, code, message)
    }

    /// 401: the `x-api-key` header is missing or not a valid key.
    pub fn unauthorized() -> Self {
        Self::new(
            ErrorStatusCode::UNAUTHORIZED,
            codes::UNAUTHORIZED,
            "A valid API key is required in the x-api-key header.",
        )
    }

    /// 404 for a resource that does not exist (or that the caller may not see).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorStatusCode::NOT_FOUND, codes::NOT_FOUND, message)
    }

    /// 413: the request body is larger than the endpoint accepts.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            ErrorStatusCode::PAYLOAD_TOO_LARGE,
            codes::PAYLOAD_TOO_LARGE,
            format!("The request body is larger than the limit of {limit} bytes."),
        )
    }

    /// 422 with pydantic-style details.
    pub fn validation(detail: Vec<ValidationError>) -> Self {
        ApiError {
            status: ErrorStatusCode::UNPROCESSABLE_ENTITY,
            body: ErrorBody::Validation(HTTPValidationError { detail }),
        }
    }

    /// 500. The message never carries internals; log them where this is built.
    pub fn internal() -> Self {
        Self::new(
            ErrorStatusCode::INTERNAL_SERVER_ERROR,
            codes::INTERNAL_ERROR,
            "The server failed to handle the request.",
        )
    }

    /// 503: the session store cannot be reached right now.
    pub fn unavailable() -> Self {
        Self::new(
            ErrorStatusCode::SERVICE_UNAVAILABLE,
            codes::SERVICE_UNAVAILABLE,
            "The session store is unavailable; try again shortly.",
        )
    }

    pub fn status(&self) -> ErrorStatusCode {
        self.status
    }

    pub fn body(&self) -> &ErrorBody {
        &self.body
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.body {
            ErrorBody::Error(e) => write!(f, "{} {}: {}", self.status, e.error, e.message),
            ErrorBody::Validation(v) => {
                write!(
                    f,
                    "{} validation failed ({} errors)",
                    self.status,
                    v.detail.len()
                )
            }
        }
    }
}

impl std::error::Error for ApiError {}

impl Serialize for ApiError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body.serialize(serializer)
    }
}

// Dropshot documents every error as one schema; the finished document replaces that
// with explicit per-status responses, so this union only has to pull both bodies
// into `components.schemas`.
impl JsonSchema for ApiError {
    fn schema_name() -> String {
        "ApiError".to_owned()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        Schema::Object(SchemaObject {
            subschemas: Some(Box::new(SubschemaValidation {
                any_of: Some(vec![
                    generator.subschema_for::<ErrorResponse>(),
                    generator.subschema_for::<HTTPValidationError>(),
                ]),
                ..Default::default()
            })),
            ..Default::default()
        })
    }
}

impl From<HttpError> for ApiError {
    fn from(error: HttpError) -> Self {
        let status = error.status_code;
        let code = match status.as_u16() {
            400 => codes::BAD_REQUEST,
            401 => codes::UNAUTHORIZED,
            404 => codes::NOT_FOUND,
            405 => codes::METHOD_NOT_ALLOWED,
            413 => codes::PAYLOAD_TOO_LARGE,
            415 => codes::UNSUPPORTED_MEDIA_TYPE,
            503 => codes::SERVICE_UNAVAILABLE,
            _ if status.is_server_error() => codes::INTERNAL_ERROR,
            _ => codes::BAD_REQUEST,
        };
        if status.is_server_error() && status.as_u16() != 503 {
            return ApiError::internal();
        }
        ApiError::new(status, code, sentence(&error.external_message))
    }
}

impl From<Rejection> for ApiError {
    fn from(rejection: Rejection) -> Self {
        match rejection {
            Rejection::Invalid(detail) => ApiError::validation(detail),
            Rejection::BadRequest(body) => ApiError {
                status: ErrorStatusCode::BAD_REQUEST,
                body: ErrorBody::Error(body),
            },
        }
    }
}

/// Combines the path, query and body results of one request as FastAPI reports them:
/// a body that could not be read or decoded is answered alone (FastAPI reads it
/// first), and otherwise every 422 detail is listed, path first, then query, then
/// body.
pub fn all_of<P, Q, B>(
    path: Result<P, ApiError>,
    query: Result<Q, ApiError>,
    body: Result<B, ApiError>,
) -> Result<(P, Q, B), ApiError> {
    if let Err(err) = &body
        && !is_field_validation(err)
    {
        return Err(err.clone());
    }
    let mut detail = Vec::new();
    for err in [
        path.as_ref().err(),
        query.as_ref().err(),
        body.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    {
        match err.body() {
            ErrorBody::Validation(v) => detail.extend(v.detail.iter().cloned()),
            ErrorBody::Error(_) => return Err(err.clone()),
        }
    }
    match (path, query, body) {
        (Ok(p), Ok(q), Ok(b)) => Ok((p, q, b)),
        _ => Err(ApiError::validation(detail)),
    }
}

fn is_field_validation(err: &ApiError) -> bool {
    match err.body() {
        ErrorBody::Validation(v) => !v.detail.iter().any(|d| d.error_type == "json_invalid"),
        ErrorBody::Error(_) => false,
    }
}

impl dropshot::HttpResponseError for ApiError {
    fn status_code(&self) -> ErrorStatusCode {
        self.status
    }
}

impl From<ClientErrorStatusCode> for ApiError {
    fn from(status: ClientErrorStatusCode) -> Self {
        HttpError::for_client_error_with_status(None, status).into()
    }
}

/// The 405 response for a method the path does not serve: an `ErrorResponse` body
/// and the `Allow` header that RFC 9110 requires.
pub fn method_not_allowed(allow: &str) -> http::Response<dropshot::Body> {
    let body = ErrorResponse {
        error: codes::METHOD_NOT_ALLOWED.to_owned(),
        message: format!("This path does not serve that method; it serves {allow}."),
    };
    let json = serde_json::to_vec(&body).expect("an ErrorResponse always serialises");
    http::Response::builder()
        .status(http::StatusCode::METHOD_NOT_ALLOWED)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::ALLOW, allow)
        .body(dropshot::Body::from(json))
        .expect("a 405 response is well formed")
}

// Dropshot's messages are fragments ("unsupported media type"); ours are sentences.
fn sentence(message: &str) -> String {
    let mut chars = message.trim().chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "The request could not be handled".to_owned(),
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}
