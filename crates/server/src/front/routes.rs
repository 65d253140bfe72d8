//! Which paths and methods the server serves, so the front can answer the rest
//! itself: 404 for an unknown path (`GET /` among them, pointing at `/docs`), 405
//! with an `Allow` header for a method the path does not serve.
//!
//! The table is read from the finished contract (every operation needs the API key;
//! one with a `requestBody` takes a body) plus the unpublished documentation routes
//! of [`crate::docs`] and the review page of [`crate::review`], so it cannot drift
//! from what dropshot routes. A path the
//! contract publishes elsewhere than dropshot routes it
//! (`feather_api::openapi::PATH_ALIASES`) is forwarded to the routed path
//! ([`Routes::routed_path`]).

use http::Method;
use serde_json::Value;

/// One path of the table and what it serves.
#[derive(Debug, Clone)]
pub struct Route {
    /// The path template, `{name}` standing for one segment.
    segments: Vec<Segment>,
    methods: Vec<Endpoint>,
    /// The `Allow` header's value: the methods, comma separated.
    allow: String,
    /// The path dropshot routes this one at, when it differs
    /// (`feather_api::openapi::PATH_ALIASES`).
    routed: Option<Vec<Segment>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Literal(String),
    Parameter,
}

/// What one method on a route needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub method: Method,
    /// An API key must be presented (every operation of the contract).
    pub needs_key: bool,
    /// The operation reads a request body; the others never read one.
    pub takes_body: bool,
}

/// What the table says about a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    Found(Endpoint),
    /// The path exists but not with this method; the `Allow` value.
    WrongMethod(&'a str),
    NoSuchPath,
}

/// The routes the server serves.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    routes: Vec<Route>,
}

impl Routes {
    /// The operations of an OpenAPI document (`paths`), each needing a key, plus
    /// `extra_get` paths served by `GET` without a key (documentation).
    pub fn from_openapi(document: &Value, extra_get: &[&str]) -> Routes {
        let mut routes = Routes::default();
        if let Some(paths) = document.get("paths").and_then(Value::as_object) {
            for (path, operations) in paths {
                let Some(operations) = operations.as_object() else {
                    continue;
                };
                for (method, operation) in operations {
                    let Ok(method) = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
                    else {
                        continue;
                    };
                    routes.add(
                        path,
                        Endpoint {
                            method,
                            needs_key: true,
                            takes_body: operation.get("requestBody").is_some(),
                        },
                    );
                }
            }
        }
        for (routed, published) in feather_api::openapi::PATH_ALIASES {
            let routed = segments(routed);
            if let Some(route) = routes
                .routes
                .iter_mut()
                .find(|r| r.segments == segments(published))
            {
                route.routed = Some(routed);
            }
        }
        for path in extra_get {
            routes.add(
                path,
                Endpoint {
                    method: Method::GET,
                    needs_key: false,
                    takes_body: false,
                },
            );
        }
        routes
    }

    /// Adds one method on a path.
    pub fn add(&mut self, path: &str, endpoint: Endpoint) {
        let segments = segments(path);
        let route = match self.routes.iter_mut().find(|r| r.segments == segments) {
            Some(route) => route,
            None => {
                self.routes.push(Route {
                    segments,
                    methods: Vec::new(),
                    allow: String::new(),
                    routed: None,
                });
                self.routes.last_mut().expect("just pushed")
            }
        };
        route.methods.push(endpoint);
        route
            .methods
            .sort_by(|a, b| a.method.as_str().cmp(b.method.as_str()));
        route.allow = route
            .methods
            .iter()
            .map(|e| e.method.as_str())
            .collect::<Vec<_>>()
            .join(", ");
    }

    /// The methods a path serves (the `Allow` value), if it is one of the table's.
    pub fn allow(&self, path: &str) -> Option<&str> {
        match self.lookup(&Method::from_bytes(b"-").expect("a token"), path) {
            Lookup::WrongMethod(allow) => Some(allow),
            Lookup::Found(_) | Lookup::NoSuchPath => None,
        }
    }

    /// The path to forward a request for `path` to, when dropshot routes its
    /// route at another path: the routed template with `path`'s parameters, in
    /// order. `None` when the path is forwarded as it is.
    pub fn routed_path(&self, path: &str) -> Option<String> {
        let given: Vec<&str> = split(path).collect();
        let route = self.best(&given)?;
        let routed = route.routed.as_ref()?;
        let mut parameters = route
            .segments
            .iter()
            .zip(&given)
            .filter(|(s, _)| **s == Segment::Parameter)
            .map(|(_, given)| *given);
        let mut out = String::new();
        for segment in routed {
            out.push('/');
            match segment {
                Segment::Literal(literal) => out.push_str(literal),
                Segment::Parameter => out.push_str(parameters.next()?),
            }
        }
        Some(out)
    }

    /// Looks a request up. A literal segment wins over a parameter, as in dropshot.
    pub fn lookup(&self, method: &Method, path: &str) -> Lookup<'_> {
        let segments: Vec<&str> = split(path).collect();
        match self.best(&segments) {
            None => Lookup::NoSuchPath,
            Some(route) => match route.methods.iter().find(|e| e.method == method) {
                Some(endpoint) => Lookup::Found(endpoint.clone()),
                None => Lookup::WrongMethod(&route.allow),
            },
        }
    }

    /// The route of a path's segments, a literal segment winning over a parameter.
    fn best(&self, segments: &[&str]) -> Option<&Route> {
        let mut best: Option<(&Route, usize)> = None;
        for route in &self.routes {
            if route.segments.len() != segments.len() {
                continue;
            }
            let mut literals = 0;
            let matches = route
                .segments
                .iter()
                .zip(segments)
                .all(|(s, given)| match s {
                    Segment::Literal(l) => {
                        literals += 1;
                        l == given
                    }
                    Segment::Parameter => !given.is_empty(),
                });
            if matches && best.is_none_or(|(_, n)| literals > n) {
                best = Some((route, literals));
            }
        }
        best.map(|(route, _)| route)
    }
}

/// A path template's segments, `{name}` standing for a parameter.
fn segments(path: &str) -> Vec<Segment> {
    split(path)
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Parameter
            } else {
                Segment::Literal(s.to_owned())
            }
        })
        .collect()
}

/// A path's segments; `/` alone has none, a trailing slash gives an empty one.
fn split(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/').filter({
        let root = path == "/" || path.is_empty();
        move |_| !root
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Routes {
        let document = serde_json::json!({"paths": {
            "/v1/sessions/{session_id}/analysis-input": {
                "get": {}, "put": {"requestBody": {}}
            },
            "/v1/scenarios/draft-from-session": {"post": {"requestBody": {}}},
        }});
        Routes::from_openapi(&document, &["/docs", "/docs/swagger-ui.css"])
    }

    #[test]
    fn a_published_alias_is_forwarded_to_its_routed_path_and_literals_win() {
        let document = serde_json::json!({"paths": {
            "/v1/scenarios/{scenario_id}": {"get": {}, "delete": {}},
            "/v1/scenarios/draft-from-session": {"post": {"requestBody": {}}},
        }});
        let routes = Routes::from_openapi(&document, &[]);
        assert_eq!(
            routes.routed_path("/v1/scenarios/abc%2F").as_deref(),
            Some("/v1/scenarios/by-id/abc%2F")
        );
        assert_eq!(routes.routed_path("/v1/scenarios/draft-from-session"), None);
        assert_eq!(
            routes.lookup(&Method::GET, "/v1/scenarios/draft-from-session"),
            Lookup::WrongMethod("POST")
        );
        assert_eq!(
            routes.lookup(&Method::POST, "/v1/scenarios/abc"),
            Lookup::WrongMethod("DELETE, GET")
        );
        // The routed path itself is not published, so the front refuses it.
        assert_eq!(
            routes.lookup(&Method::GET, "/v1/scenarios/by-id/abc"),
            Lookup::NoSuchPath
        );
    }

    #[test]
    fn operations_parameters_and_documentation_are_found() {
        let routes = table();
        let put = routes.lookup(&Method::PUT, "/v1/sessions/abc/analysis-input");
        assert_eq!(
            put,
            Lookup::Found(Endpoint {
                method: Method::PUT,
                needs_key: true,
                takes_body: true
            })
        );
        let docs = routes.lookup(&Method::GET, "/docs/swagger-ui.css");
        assert!(matches!(docs, Lookup::Found(e) if !e.needs_key && !e.takes_body));
    }

    #[test]
    fn other_paths_and_methods_are_told_apart() {
        let routes = table();
        assert_eq!(routes.lookup(&Method::GET, "/"), Lookup::NoSuchPath);
        assert_eq!(
            routes.lookup(&Method::GET, "/v1/sessions//analysis-input"),
            Lookup::NoSuchPath
        );
        assert_eq!(
            routes.lookup(&Method::GET, "/v1/scenarios/draft-from-session/"),
            Lookup::NoSuchPath
        );
        assert_eq!(
            routes.lookup(&Method::DELETE, "/v1/sessions/x/analysis-input"),
            Lookup::WrongMethod("GET, PUT")
        );
        let trace = Method::from_bytes(b"TRACE").unwrap();
        assert_eq!(
            routes.lookup(&trace, "/v1/scenarios/draft-from-session"),
            Lookup::WrongMethod("POST")
        );
    }
}
