//! A Rust client for the Feather scenario-drafting API.
//!
//! [`generated`] is produced by `cargo xtask codegen` from `openapi.json` and never
//! edited by hand. This file adds the one thing the generator cannot: the contract's
//! `APIKeyHeader` security scheme, as a default `x-api-key` header on every request.
//! The README (below) shows installation, authentication and a first call.
#![doc = include_str!("../README.md")]

// Generated code is formatted by the generator (prettyplease), not by rustfmt.
#[rustfmt::skip]
#[allow(clippy::all, unused_imports, dead_code, missing_docs)]
mod generated;

pub use generated::*;

use reqwest::header::{HeaderMap, HeaderValue, InvalidHeaderValue};

/// The header that carries the API key.
pub const API_KEY_HEADER: &str = "x-api-key";

/// A client for `base_url` (for example `http://127.0.0.1:8000`, or an `https://`
/// URL whose certificate the platform trusts) that sends `api_key`.
pub fn with_api_key(base_url: &str, api_key: &str) -> Result<Client, InvalidHeaderValue> {
    let http = http_client_builder(api_key)?
        .build()
        .expect("a reqwest client with default settings always builds");
    Ok(Client::new_with_client(base_url, http))
}

/// The HTTP client settings of [`with_api_key`], to adjust before building (another
/// certificate authority, a proxy, other time-outs) and give to
/// [`Client::new_with_client`].
pub fn http_client_builder(api_key: &str) -> Result<reqwest::ClientBuilder, InvalidHeaderValue> {
    let mut key = HeaderValue::from_str(api_key)?;
    key.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert(API_KEY_HEADER, key);
    Ok(reqwest::Client::builder()
        .default_headers(headers)
        .connect_timeout(std::time::Duration::from_secs(15))
        .timeout(std::time::Duration::from_secs(60)))
}
