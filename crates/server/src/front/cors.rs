//! CORS, off unless `--cors-allow-origin` names origins: a browser application on
//! one of them may call the API. A preflight (`OPTIONS` with
//! `Access-Control-Request-Method`) on a served path is answered 204 with the path's
//! methods and the two request headers the API reads (`x-api-key`,
//! `content-type`); every other answer to an allowed origin, errors included (a 401
//! or a 422), carries `Access-Control-Allow-Origin`, so the browser application can
//! read why a call failed. The front adds the headers because dropshot's handlers
//! do not see the answers it makes itself.

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderValue};
use http::{Response, StatusCode};
use http_body_util::{Either, Full};

use super::FrontBody;

/// How long a browser may keep a preflight's answer, in seconds.
const MAX_AGE: &str = "600";

/// The origins allowed to call the API from a browser.
#[derive(Debug, Clone)]
pub struct Cors {
    any: bool,
    origins: Vec<HeaderValue>,
}

impl Cors {
    /// `None` for no origins (CORS off). `*` allows every origin; otherwise each is
    /// `scheme://host[:port]`, compared exactly.
    pub fn new(origins: &[String]) -> anyhow::Result<Option<Cors>> {
        if origins.is_empty() {
            return Ok(None);
        }
        let mut cors = Cors {
            any: false,
            origins: Vec::new(),
        };
        for origin in origins {
            let origin = origin.trim().trim_end_matches('/');
            if origin == "*" {
                cors.any = true;
                continue;
            }
            let uri: http::Uri = origin
                .parse()
                .map_err(|e| anyhow::anyhow!("CORS origin {origin:?}: {e}"))?;
            anyhow::ensure!(
                uri.scheme().is_some()
                    && uri.authority().is_some()
                    && uri.path_and_query().is_none_or(|p| p.as_str() == "/"),
                "CORS origin {origin:?} is not scheme://host[:port]"
            );
            cors.origins.push(HeaderValue::from_str(origin)?);
        }
        Ok(Some(cors))
    }

    /// Whether a request's `Origin` may call the API.
    pub fn allows(&self, origin: &HeaderValue) -> bool {
        self.any || self.origins.iter().any(|o| o == origin)
    }

    /// The 204 answer to a preflight on a path serving `allow`.
    pub fn preflight(&self, allow: &str) -> Response<FrontBody> {
        let mut response = Response::new(Either::Left(Full::new(Bytes::new())));
        *response.status_mut() = StatusCode::NO_CONTENT;
        let headers = response.headers_mut();
        if let Ok(allow) = HeaderValue::from_str(allow) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, allow);
        }
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("x-api-key, content-type"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE),
        );
        response
    }

    /// Lets the browser at `origin` read this answer.
    pub fn decorate(&self, headers: &mut HeaderMap, origin: HeaderValue) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("x-request-id"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_and_compared_exactly() {
        assert!(Cors::new(&[]).unwrap().is_none());
        let cors = Cors::new(&["https://app.example.com/".to_owned()])
            .unwrap()
            .unwrap();
        assert!(cors.allows(&HeaderValue::from_static("https://app.example.com")));
        assert!(!cors.allows(&HeaderValue::from_static("https://evil.example.com")));
        assert!(Cors::new(&["app.example.com".to_owned()]).is_err());
        assert!(Cors::new(&["https://a.example/path".to_owned()]).is_err());
        let any = Cors::new(&["*".to_owned()]).unwrap().unwrap();
        assert!(any.allows(&HeaderValue::from_static("http://localhost:3000")));
    }
}
