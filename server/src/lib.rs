//! The Xianfeng server: configuration, the router, the database, and the sync endpoint.

pub mod brand;
pub mod config;
pub mod db;
pub mod export;
pub mod page_renders;
pub mod photos;
pub mod pii;
pub mod signed_in;
pub mod starting;
pub mod state;
pub mod sync;
pub mod throttle;

use app::{shell, App};
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use state::AppState;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// The whole HTTP surface. Kept apart from `main` so tests drive it directly.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let site_root = state.leptos_options.site_root.to_string();
    // The build's id, written by `make site` beside the wasm; asset URLs carry it.
    if let Ok(id) = std::fs::read_to_string(format!("{site_root}/pkg/build.txt")) {
        let _ = app::BUILD.set(id.trim().to_string());
    }
    let db = state.db.clone();
    let pii = state.pii.clone();
    // Staff pages open residents' names (and, audited, a phone) through this.
    let opener = app::volunteers::Opener(std::sync::Arc::new(move |sealed: &str| pii.open(sealed)));
    let leptos_state = state.clone();
    // File names are not hashed yet, so the browser revalidates (cheap: Last-Modified).
    let pkg = Router::new()
        .nest_service("/pkg", ServeDir::new(format!("{site_root}/pkg")).precompressed_gzip())
        .layer(middleware::from_fn(only_this_build))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")));
    let x_request_id = header::HeaderName::from_static("x-request-id");
    // Served over https: browsers are told to come back only so (a year).
    let hsts = state.brand.base_url.starts_with("https://").then(|| HeaderValue::from_static("max-age=31536000"));
    Router::new()
        .route("/api/sync", post(sync::sync_handler))
        .route("/api/pull", post(sync::pull::pull_handler))
        .route("/api/events", get(sync::live::events_handler))
        .route("/api/export/register.xlsx", get(export::register))
        .route("/api/export/nominations.xlsx", get(export::nominations))
        .route("/api/export/gantt/{file}", get(export::gantt))
        .route("/api/export/mentoring.xlsx", get(export::mentoring))
        .route("/api/export/volunteers/{file}", get(export::signups))
        .route("/api/export/hours.xlsx", get(export::hours))
        .route(
            "/api/photos/{hash}",
            axum::routing::put(photos::upload)
                .layer(axum::extract::DefaultBodyLimit::max(app::domain::photos::MAX_BYTES + 1))
                .layer(middleware::from_fn_with_state(state.clone(), photos::staff_only)),
        )
        .route("/p/{hash}/{file}", get(photos::serve))
        .route("/sw.js", get(service_worker))
        .route("/manifest.webmanifest", get(manifest))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .merge(brand::routes())
        .leptos_routes_with_context(
            &leptos_state,
            routes,
            move || {
                provide_context(db.clone());
                provide_context(opener.clone());
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .merge(pkg)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(page_renders::finish_page_renders))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(x_request_id.clone(), MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::new(x_request_id))
                .layer(CompressionLayer::new())
                .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
                .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
                .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
                // Pages the app renders send their own, with the response's nonce.
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_str(&app::csp::other()).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'")),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, move |_: &Response| hsts.clone()))
                .layer(middleware::from_fn(refuse_cross_site_writes))
                .layer(middleware::from_fn(server_fn_status))
                .layer(middleware::from_fn_with_state(state.clone(), throttled)),
        )
        .with_state(state)
}

/// Serves `app` on `listener` exactly as production does, for the binary, the tests and
/// the benchmarks alike: TCP_NODELAY (Leptos streams responses in small writes, and
/// without it each waits ~40 ms for the peer's ACK), the peer's address for the throttle,
/// and a graceful stop when `shutdown` completes.
pub async fn serve(listener: tokio::net::TcpListener, app: Router, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).with_graceful_shutdown(shutdown).await
}

/// A server function's `Err` is answered 500 by Leptos whatever it was: a refused sign-in,
/// a missing record and a lost database alike. The error's own status goes out instead
/// (`AppError::status`), so logs and monitors tell a person's mistake from a failure.
async fn server_fn_status(request: Request<axum::body::Body>, next: Next) -> Response {
    let from_a_function = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !from_a_function || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        parts.status = error.status();
        parts.headers.remove(header::CONTENT_LENGTH);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Writes that one address could flood, each against its own budget (`throttle`). A
/// resident's sign-up form counts itself (`Limit::PublicForm`), to keep what was typed.
async fn throttled(State(state): State<AppState>, request: Request<axum::body::Body>, next: Next) -> Response {
    use throttle::Limit;
    let path = request.uri().path();
    let limit = if path == "/api/login" {
        Some(Limit::SignIn)
    } else if path.starts_with("/api/photos/") {
        Some(Limit::Upload)
    } else if path.starts_with("/s/") {
        Some(Limit::LinkAction)
    } else {
        None
    };
    match limit {
        Some(limit) => throttle::guard(limit, &state.throttle, request, next).await,
        None => next.run(request).await,
    }
}

/// The service worker: never cached by HTTP, so a new build is found on the next visit.
async fn service_worker(State(state): State<AppState>) -> Response {
    site_file(&state, "sw.js", "text/javascript; charset=utf-8").await
}

async fn manifest(State(state): State<AppState>) -> Response {
    site_file(&state, "manifest.webmanifest", "application/manifest+json").await
}

async fn site_file(state: &AppState, name: &str, content_type: &'static str) -> Response {
    match tokio::fs::read(format!("{}/{name}", state.leptos_options.site_root)).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type)), (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))], bytes)
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if db::ping(&state.db).await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// `/pkg/…?v=<build>` answers only for this instance's build: during a rolling deploy a
/// browser (or its service worker) must never keep one build's file under another's name.
async fn only_this_build(request: Request<axum::body::Body>, next: Next) -> Response {
    let asked = request.uri().query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("v=")));
    if let (Some(asked), Some(build)) = (asked, app::BUILD.get()) {
        if asked != build {
            return StatusCode::NOT_FOUND.into_response();
        }
    }
    next.run(request).await
}

/// CSRF defence in depth, beside SameSite=Lax cookies: a browser marks a request from
/// another site, and no such request may change anything.
/// Is `origin` (`scheme://host[:port]`) the host the request was sent to?
fn same_origin(origin: &[u8], host: Option<&[u8]>) -> bool {
    let Ok(origin) = std::str::from_utf8(origin) else { return false };
    let authority = origin.split_once("://").map(|(_, rest)| rest).unwrap_or_default();
    host.is_some_and(|host| !authority.is_empty() && authority.as_bytes().eq_ignore_ascii_case(host))
}

async fn refuse_cross_site_writes(request: Request<axum::body::Body>, next: Next) -> Response {
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let headers = request.headers();
    // Browsers that do not send `Sec-Fetch-Site` still send `Origin` with a cross-site write.
    let cross_site = match headers.get("sec-fetch-site") {
        Some(site) => site.as_bytes() == b"cross-site",
        None => headers.get(header::ORIGIN).is_some_and(|origin| !same_origin(origin.as_bytes(), headers.get(header::HOST).map(|h| h.as_bytes()))),
    };
    if writes && cross_site {
        return (StatusCode::FORBIDDEN, "cross-site requests may not change anything").into_response();
    }
    next.run(request).await
}
