//! Request validation with the error bodies of FastAPI and pydantic v2.
//!
//! Upstream answers a bad body with a list of pydantic errors, each with `type`, `loc`,
//! `msg`, `input` and sometimes `ctx`. Clients parse those lists, so this crate
//! reproduces them. It does not hand-code each type: it walks the same JSON schema
//! that the contract documents for the type (schemars, OpenAPI 3.0 settings), checks
//! the JSON value against it the way pydantic's lax mode does, and coerces what
//! pydantic would coerce (`"5"` for an integer, any accepted UUID spelling) before
//! serde builds the Rust value. So one validator serves every body and parameter,
//! and it cannot drift from the documented schema.

//!
//! Why a crate of its own: this is an emulation of two Python libraries (pydantic's
//! lax validation and CPython's `json` module, [`pyjson`]) and knows nothing of HTTP.
//! The API crate's extractors call it after authentication and turn a [`Rejection`]
//! into a response; the drafter calls [`value_as`] to read chat-log envelopes with the
//! same messages, and [`datetime`] to read the timestamps validation accepted.

pub mod datetime;
pub mod pyjson;
mod schema;

pub use schema::{Rejection, json_body, parameter, value_as};
