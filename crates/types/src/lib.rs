//! The models of the Feather scenario-drafting contract: the request, the draft, the
//! captured session, saved scenarios and their lists ([`scenarios`]) and the two
//! error bodies, with their limits and error codes.
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
pub mod scenarios;
pub mod schema;
pub mod session;
pub mod triage;

pub use models::*;
pub use scenarios::*;
pub use session::SessionAnalysisInput;
pub use triage::*;

/// The stable `error` codes of [`ErrorResponse`] bodies.
///
/// [`codes::ALL`] is the documented table: the contract's `ErrorResponse.error`
/// description and the README's error table are both checked against it. The set is
/// open: a client must not break when a code is added.
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
    pub const INVALID_CURSOR: &str = "invalid_cursor";
    pub const TOO_MANY_REQUESTS: &str = "too_many_requests";

    /// Every code a client may meet today: (code, HTTP status, when).
    pub const ALL: &[(&str, u16, &str)] = &[
        (
            SESSION_ID_MISMATCH,
            400,
            "a capture whose body names another session than its path",
        ),
        (
            ORGANIZATION_MISMATCH,
            400,
            "a capture for another organization than the key's",
        ),
        (
            SESSION_NOT_DRAFTABLE,
            400,
            "the session has no messages or no customer turn",
        ),
        (
            INVALID_BODY,
            400,
            "the body could not be read, is not UTF-8/16/32 text, or holds an unpaired surrogate escape",
        ),
        (
            NON_FINITE_NUMBER,
            400,
            "the JSON holds NaN, Infinity or a number beyond a float's range",
        ),
        (
            JSON_TOO_DEEP,
            400,
            "arrays and objects nest deeper than 64 levels",
        ),
        (
            TOO_MANY_ITEMS,
            400,
            "an array or object has more than 10,000 entries, or the body more than 1,000,000 values",
        ),
        (STRING_TOO_LONG, 400, "one string is longer than 1 MiB"),
        (
            INVALID_CURSOR,
            400,
            "a list's cursor is not a next_cursor this server gave",
        ),
        (
            BAD_REQUEST,
            400,
            "any other request refused before it is handled",
        ),
        (UNAUTHORIZED, 401, "x-api-key missing or not a valid key"),
        (
            NOT_FOUND,
            404,
            "no such session or scenario, or another organization's",
        ),
        (
            METHOD_NOT_ALLOWED,
            405,
            "a method the path does not serve; with an Allow header",
        ),
        (
            PAYLOAD_TOO_LARGE,
            413,
            "the body is larger than the server's limit",
        ),
        (
            UNSUPPORTED_MEDIA_TYPE,
            415,
            "reserved: a body of a media type the server cannot read",
        ),
        (
            TOO_MANY_REQUESTS,
            429,
            "too many requests with a missing or wrong key from this address; with Retry-After",
        ),
        (
            INTERNAL_ERROR,
            500,
            "a fault of the server; details are logged, never sent",
        ),
        (
            SERVICE_UNAVAILABLE,
            503,
            "the session store cannot be reached; retry",
        ),
    ];

    /// The description of `ErrorResponse.error` in the contract.
    pub fn description() -> String {
        let mut text = String::from(
            "A stable, machine-readable code. The set is open: a newer server may add \
             codes, so handle the ones you know and treat any other by its HTTP status.",
        );
        for (code, status, when) in ALL {
            text.push_str(&format!("\n- `{code}` ({status}): {when}"));
        }
        text
    }
}
