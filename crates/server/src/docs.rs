//! The contract and an interactive reference page, as the upstream FastAPI service
//! serves them: `GET /openapi.json` and `GET /docs` (Swagger UI).
//!
//! These routes are registered as *unpublished* endpoints, so they are not
//! operations of the contract: they describe the API rather than being part of it,
//! they need no API key, and a client generated from `openapi.json` should not grow
//! methods for fetching its own documentation. FastAPI leaves them out of its
//! document for the same reason.
//!
//! `/openapi.json` answers the bytes of the checked-in file, included at build
//! time, so what the server publishes is exactly what `cargo xtask openapi --check`
//! keeps fresh. The Swagger UI assets are unpacked by `build.rs` from the
//! `utoipa-swagger-ui-vendored` crate and built into the binary: the page needs no
//! network. The page adds the server that serves it as the first entry of the
//! contract's `servers`, so "Try it out" calls this server, not the sandbox.

use dropshot::{Body, HttpError, RequestContext, endpoint};
use http::{Response, StatusCode, header};

use crate::ServerContext;

/// The contract, byte for byte as checked in.
pub const OPENAPI_JSON: &str = include_str!("../../../openapi.json");

/// The reference page; it loads the assets below from `/docs/`.
pub const DOCS_HTML: &str = r##"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Feather API reference</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/docs/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <p style="font: 12px sans-serif; text-align: center">
      <a href="/openapi.json">openapi.json</a> ·
      Swagger UI, <a href="/docs/swagger-ui-license.txt">Apache License 2.0</a>
    </p>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/swagger-initializer.js"></script>
  </body>
</html>
"##;

/// Starts Swagger UI on the contract, with this server first among the servers.
pub const INITIALIZER_JS: &str = r##"// Shows /openapi.json with Swagger UI. The server that serves this page comes
// first among the contract's servers, so "Try it out" calls it.
window.addEventListener("load", async () => {
  const response = await fetch("/openapi.json");
  const spec = await response.json();
  spec.servers = [
    { url: window.location.origin, description: "This server" },
    ...(spec.servers || []),
  ];
  window.ui = SwaggerUIBundle({
    spec,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
  });
});
"##;

/// The Swagger UI bundle, its stylesheet and its licence, unpacked by `build.rs`.
pub const SWAGGER_UI_BUNDLE_JS: &str =
    include_str!(concat!(env!("OUT_DIR"), "/swagger-ui-bundle.js"));
pub const SWAGGER_UI_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/swagger-ui.css"));
pub const SWAGGER_UI_LICENSE: &str = concat!(
    include_str!(concat!(env!("OUT_DIR"), "/swagger-ui-NOTICE")),
    "\n",
    include_str!(concat!(env!("OUT_DIR"), "/swagger-ui-LICENSE")),
);

/// The paths [`register`] serves (`GET`, no key); the front's route table lists them.
pub const PATHS: &[&str] = &[
    "/openapi.json",
    "/docs",
    "/docs/swagger-initializer.js",
    "/docs/swagger-ui-bundle.js",
    "/docs/swagger-ui.css",
    "/docs/swagger-ui-license.txt",
];

/// Registers the unpublished documentation routes on an API description.
pub fn register(
    api: &mut dropshot::ApiDescription<ServerContext>,
) -> Result<(), dropshot::ApiDescriptionRegisterError> {
    api.register(openapi_json)?;
    api.register(docs_page)?;
    api.register(initializer_js)?;
    api.register(swagger_ui_bundle_js)?;
    api.register(swagger_ui_css)?;
    api.register(swagger_ui_license)?;
    Ok(())
}

/// The contract and the page are revalidated on every load; the Swagger UI assets
/// may be cached for an hour.
fn respond(content_type: &str, body: &'static str) -> Result<Response<Body>, HttpError> {
    let cache =
        if content_type.starts_with("text/javascript") || content_type.starts_with("text/css") {
            "public, max-age=3600"
        } else {
            "no-cache"
        };
    static_body(content_type, cache, &[], body)
}

/// A 200 response with a static body, its `content-type`, `cache-control` and
/// `headers` (the pages served beside the API: this one and [`crate::review`]).
pub(crate) fn static_body(
    content_type: &str,
    cache: &str,
    headers: &[(header::HeaderName, &str)],
    body: &'static str,
) -> Result<Response<Body>, HttpError> {
    let mut response = Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, cache);
    for (name, value) in headers {
        response = response.header(name, *value);
    }
    response
        .body(Body::from(body))
        .map_err(|e| HttpError::for_internal_error(e.to_string()))
}

/// The contract.
#[endpoint { method = GET, path = "/openapi.json", unpublished = true }]
async fn openapi_json(_rqctx: RequestContext<ServerContext>) -> Result<Response<Body>, HttpError> {
    respond("application/json", OPENAPI_JSON)
}

/// The interactive API reference.
#[endpoint { method = GET, path = "/docs", unpublished = true }]
async fn docs_page(_rqctx: RequestContext<ServerContext>) -> Result<Response<Body>, HttpError> {
    respond("text/html; charset=utf-8", DOCS_HTML)
}

#[endpoint { method = GET, path = "/docs/swagger-initializer.js", unpublished = true }]
async fn initializer_js(
    _rqctx: RequestContext<ServerContext>,
) -> Result<Response<Body>, HttpError> {
    respond("text/javascript; charset=utf-8", INITIALIZER_JS)
}

#[endpoint { method = GET, path = "/docs/swagger-ui-bundle.js", unpublished = true }]
async fn swagger_ui_bundle_js(
    _rqctx: RequestContext<ServerContext>,
) -> Result<Response<Body>, HttpError> {
    respond("text/javascript; charset=utf-8", SWAGGER_UI_BUNDLE_JS)
}

#[endpoint { method = GET, path = "/docs/swagger-ui.css", unpublished = true }]
async fn swagger_ui_css(
    _rqctx: RequestContext<ServerContext>,
) -> Result<Response<Body>, HttpError> {
    respond("text/css; charset=utf-8", SWAGGER_UI_CSS)
}

#[endpoint { method = GET, path = "/docs/swagger-ui-license.txt", unpublished = true }]
async fn swagger_ui_license(
    _rqctx: RequestContext<ServerContext>,
) -> Result<Response<Body>, HttpError> {
    respond("text/plain; charset=utf-8", SWAGGER_UI_LICENSE)
}
