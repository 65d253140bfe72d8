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

/// The HTTP client crate this one is built on, for [`http_client_builder`]'s
/// settings (`reqwest::Certificate` for another certificate authority) without a
/// dependency of your own that must match its version.
pub use reqwest;

use reqwest::header::{HeaderMap, HeaderValue, InvalidHeaderValue};

/// The header that carries the API key.
pub const API_KEY_HEADER: &str = "x-api-key";

/// A client for `base_url` (for example `http://127.0.0.1:8000`, or an `https://`
/// URL whose certificate the platform trusts) that sends `api_key`.
pub fn with_api_key(base_url: &str, api_key: &str) -> Result<Client, InvalidHeaderValue> {
    let http = http_client_builder(api_key)?
        .build()
        .expect("a reqwest client with default settings always builds");
    Ok(with_http_client(base_url, http))
}

/// A client for `base_url` that sends its requests through `http` (built from
/// [`http_client_builder`], so that it sends the key). Unlike the generated
/// [`Client::new_with_client`], it drops a trailing `/` of `base_url`: the
/// operations' paths are appended to it, and `https://host/` would make every path
/// start with `//`, which names no operation (404).
pub fn with_http_client(base_url: &str, http: reqwest::Client) -> Client {
    Client::new_with_client(base_url.trim_end_matches('/'), http)
}

/// The HTTP client settings of [`with_api_key`], to adjust before building (another
/// certificate authority, a proxy, other time-outs) and give to
/// [`with_http_client`].
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A base URL's trailing slashes are dropped, so paths are appended to it whole.
    #[test]
    fn a_trailing_slash_of_the_base_url_is_dropped() {
        for base in ["http://127.0.0.1:8000/", "http://127.0.0.1:8000//"] {
            let client = with_api_key(base, "key").unwrap();
            assert_eq!(client.baseurl(), "http://127.0.0.1:8000");
        }
        let client = with_http_client("https://feather.internal/api/", reqwest::Client::new());
        assert_eq!(client.baseurl(), "https://feather.internal/api");
    }
}
