//! The review page, `GET /review`: a person opens a captured session, reads the
//! proposed scenario beside its mock world, edits it and saves it, all through the
//! public API with their own key (issue 21).
//!
//! The page is three static files under `src/review/`, built into the binary with
//! `include_str!`, so it works offline and needs no build step: `index.html`,
//! `app.js` (plain modern JavaScript, no framework) and `style.css`. Like `/docs`,
//! the routes are unpublished endpoints that need no key: the page itself holds no
//! data, and every call it makes is an operation of the contract, sent with the
//! key the person typed (kept in the tab's `sessionStorage`).
//!
//! Because the page holds a key, every file is sent with headers that keep it to
//! itself: a `Content-Security-Policy` that lets it load and call only this origin
//! and run no inline script, `X-Content-Type-Options: nosniff`,
//! `Referrer-Policy: no-referrer` (the page's address never leaves it), framing
//! refused, and `Cache-Control` that keeps the page out of caches and makes the
//! assets revalidate, so a new binary's page never runs an old script.
//!
//! `docs/review.md` says what the page does and the rule that links a journey step
//! to its recorded call.

use dropshot::{Body, HttpError, RequestContext, endpoint};
use http::{Response, header};

use crate::ServerContext;

/// The page's markup; it loads the two assets below.
pub const INDEX_HTML: &str = include_str!("review/index.html");
/// The page's behaviour: the API calls, the editor and its limits.
pub const APP_JS: &str = include_str!("review/app.js");
/// The page's layout, one column on a narrow window.
pub const STYLE_CSS: &str = include_str!("review/style.css");

/// What the page may load and call: this origin only, no inline script or style,
/// no plugin, no framing, and forms that post nowhere else.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

/// The paths [`register`] serves (`GET`, no key); the front's route table lists them.
pub const PATHS: &[&str] = &["/review", "/review/app.js", "/review/style.css"];

/// Registers the review page's routes on an API description.
pub fn register(
    api: &mut dropshot::ApiDescription<ServerContext>,
) -> Result<(), dropshot::ApiDescriptionRegisterError> {
    api.register(review_page)?;
    api.register(review_app_js)?;
    api.register(review_style_css)?;
    Ok(())
}

/// A 200 response with a static body and the page's security headers. The page is
/// never stored (it is where a key is typed); the assets are revalidated on every
/// load.
fn respond(content_type: &str, body: &'static str) -> Result<Response<Body>, HttpError> {
    let cache = if content_type.starts_with("text/html") {
        "no-store"
    } else {
        "no-cache"
    };
    let headers = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    crate::docs::static_body(content_type, cache, &headers, body)
}

/// The review page.
#[endpoint { method = GET, path = "/review", unpublished = true }]
async fn review_page(_rqctx: RequestContext<ServerContext>) -> Result<Response<Body>, HttpError> {
    respond("text/html; charset=utf-8", INDEX_HTML)
}

#[endpoint { method = GET, path = "/review/app.js", unpublished = true }]
async fn review_app_js(_rqctx: RequestContext<ServerContext>) -> Result<Response<Body>, HttpError> {
    respond("text/javascript; charset=utf-8", APP_JS)
}

#[endpoint { method = GET, path = "/review/style.css", unpublished = true }]
async fn review_style_css(
    _rqctx: RequestContext<ServerContext>,
) -> Result<Response<Body>, HttpError> {
    respond("text/css; charset=utf-8", STYLE_CSS)
}
