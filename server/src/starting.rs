//! The server listens as soon as it starts, before the database is open: opening replays the
//! storage engine's log, which takes longer the more was written since the last flush.
//! Meanwhile `/healthz` says the process is alive and every other path, `/readyz` among
//! them, answers 503 with `Retry-After`, so a load balancer sends nothing here until the
//! replay is done and no request meets a half-open database.

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

/// The application, once the database is open; until then, the answers above.
#[derive(Clone, Default)]
pub struct Gate(Arc<OnceLock<Router>>);

impl Gate {
    /// Opens the gate: from now on every request goes to `app`.
    pub fn open(&self, app: Router) {
        let _ = self.0.set(app);
    }

    /// The router to serve: it forwards to the application once the gate is open.
    pub fn router(&self) -> Router {
        let gate = self.clone();
        Router::new().fallback(move |request: Request| {
            let gate = gate.clone();
            async move {
                match gate.0.get() {
                    Some(app) => app.clone().oneshot(request).await.into_response(),
                    None => starting(request.uri().path()),
                }
            }
        })
    }
}

fn starting(path: &str) -> Response {
    if path == "/healthz" {
        return (StatusCode::OK, "ok").into_response();
    }
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1"), (header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "starting: the database is replaying its log\n正在启动：数据库正在恢复日志，请稍候",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;

    async fn status(router: &Router, path: &str) -> StatusCode {
        router.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap().status()
    }

    #[tokio::test]
    async fn not_ready_until_the_database_is_open_then_the_application_answers() {
        let gate = Gate::default();
        let serving = gate.router();
        assert_eq!(status(&serving, "/readyz").await, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(status(&serving, "/projects").await, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(status(&serving, "/healthz").await, StatusCode::OK, "alive while starting");
        gate.open(Router::new().route("/readyz", get(|| async { "ready" })));
        assert_eq!(status(&serving, "/readyz").await, StatusCode::OK);
        assert_eq!(status(&serving, "/projects").await, StatusCode::NOT_FOUND, "the application's own answer");
    }
}
