//! The models of the Feather scenario-drafting contract: the request, the draft, the
//! captured session and the two error bodies, with their limits and error codes.
//!
//! Why a crate of its own: the drafter and the store need the models but nothing of
//! HTTP. Here they are plain serde + schemars types, so `feather-drafter` and
//! `feather-store` build without dropshot or hyper, and the drafter's version (a
//! digest of what can change a draft, `crates/drafter/build.rs`) covers this crate's
//! sources instead of the whole API crate.
//!
//! The schemas these types emit are the contract: `feather-api` finishes them into
//! `openapi.json`, and the conformance tests compare each with upstream's.

pub mod models;
pub mod session;

pub use models::*;
pub use session::SessionAnalysisInput;

/// The stable `error` codes of [`ErrorResponse`] bodies. The README lists them.
pub mod codes {
    pub const BAD_REQUEST: &str = "bad_request";
    pub const INVALID_BODY: &str = "invalid_body";
    pub const NON_FINITE_NUMBER: &str = "non_finite_number";
    pub const JSON_TOO_DEEP: &str = "json_too_deep";
    pub const TOO_MANY_ITEMS: &str = "too_many_items";
    pub const STRING_TOO_LONG: &str = "string_too_long";
    pub const SESSION_ID_MISMATCH: &str = "session_id_mismatch";
    pub const SESSION_NOT_DRAFTABLE: &str = "session_not_draftable";
    pub const ORGANIZATION_MISMATCH: &str = "organization_mismatch";
    pub const UNAUTHORIZED: &str = "unauthorized";
    pub const NOT_FOUND: &str = "not_found";
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    pub const INTERNAL_ERROR: &str = "internal_error";
    pub const SERVICE_UNAVAILABLE: &str = "service_unavailable";
}
