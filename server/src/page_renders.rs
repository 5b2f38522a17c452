//! A page's render runs to its end even when the browser goes away.
//!
//! Leptos disposes a page's reactive owner when its handler's future or its response body is
//! dropped, while the effect that resolves a `<Suspense/>` may still be reading that page's
//! signals on another thread: the read then panics ("already been disposed"). Any client can
//! cause it by closing a connection mid-page: a tablet losing the network, a tab closed, the
//! service worker's warm-up cut short, or someone doing it on purpose
//! (`tests/aborted_pages.rs` does). So a request is handled by a task of its own, not by the
//! connection's, and an HTML body is pumped to its end there; the client is handed the
//! chunks for as long as it is there. The cost is what the render would have cost anyway.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use tracing::Instrument;

/// Chunks rendered ahead of a slow client (a page is a few dozen).
const CHUNKS_AHEAD: usize = 16;

/// Middleware: every request is handled to its end whatever the client does, and an HTML
/// response's body rendered to its end. Other bodies (the live-update stream, files,
/// exports) pass untouched.
pub async fn finish_page_renders(request: Request, next: Next) -> Response {
    let (answer, response) = futures::channel::oneshot::channel::<Response>();
    let handling = async move {
        let response = next.run(request).await;
        let html = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
        if !html {
            let _ = answer.send(response);
            return;
        }
        let (parts, body) = response.into_parts();
        let (mut to_client, for_client) = futures::channel::mpsc::channel::<Result<Bytes, axum::Error>>(CHUNKS_AHEAD);
        let mut client_here = answer.send(Response::from_parts(parts, Body::from_stream(for_client))).is_ok();
        let mut render = body.into_data_stream();
        while let Some(chunk) = render.next().await {
            // Gone: the rest is rendered into nothing, so the page's owner ends with its render.
            client_here = client_here && to_client.send(chunk).await.is_ok();
        }
    };
    // In the request's span, so what the handler logs still names the request.
    tokio::spawn(handling.instrument(tracing::Span::current()));
    // The handler's task panicked (already logged): the client is told so.
    response.await.unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
