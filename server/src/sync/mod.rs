//! The one write path (`sync`): `POST /api/sync` takes a batch of operations, applies
//! them through `apply`, and answers each one; `POST /api/pull` answers what changed
//! since a client's cursor; `GET /api/events` tells browsers when something did.

mod apply;
mod faults;
mod gantt;
pub mod live;
mod mentors;
mod projects;
mod volunteers;
pub mod pull;

pub use apply::{ApplyError, Busy, Context, Writer};

use crate::state::AppState;
use app::auth::store::{resolve_session, session_id, token_from_headers};
use app::auth::SessionUser;
use app::domain::ops::{SyncRequest, SyncResponse, MAX_BATCH};
use app::domain::org::Actor;
use app::i18n::Locale;
use axum::extract::{rejection::JsonRejection, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The signed-in person of a request, and their language; or the answer to give.
pub(crate) async fn session_user(state: &AppState, headers: &HeaderMap) -> Result<(SessionUser, Locale), Response> {
    let locale = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(Locale::from_cookie_header)
        .unwrap_or_default();
    let Some(token) = token_from_headers(headers) else {
        return Err(error(StatusCode::UNAUTHORIZED, "unauthenticated", app::i18n::t(locale, app::i18n::Msg::SessionExpired)));
    };
    match resolve_session(&state.db, &token).await {
        Ok(Some(user)) => Ok((user, locale)),
        Ok(None) => Err(error(StatusCode::UNAUTHORIZED, "unauthenticated", app::i18n::t(locale, app::i18n::Msg::SessionExpired))),
        Err(_) => Err(error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", app::i18n::t(locale, app::i18n::Msg::ServerError))),
    }
}

pub async fn sync_handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<SyncRequest>, JsonRejection>,
) -> Response {
    let (user, locale) = match session_user(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let zh = locale == Locale::ZhCn;
    let Some(token) = token_from_headers(&headers) else {
        return error(StatusCode::UNAUTHORIZED, "unauthenticated", app::i18n::t(locale, app::i18n::Msg::SessionExpired));
    };
    let mut request = match body {
        Ok(Json(request)) => request,
        Err(rejection) => {
            tracing::info!(%rejection, "malformed sync batch");
            let text = if zh { "提交的数据格式不正确，未做任何修改" } else { "The batch is malformed; nothing was changed" };
            return error(StatusCode::BAD_REQUEST, "malformed", text);
        }
    };
    if request.ops.len() > MAX_BATCH || request.client.is_empty() || request.client.len() > 64 {
        let text = if zh { "一次提交的操作过多或设备标识无效" } else { "Too many operations in one batch, or a bad device id" };
        return error(StatusCode::BAD_REQUEST, "malformed", text);
    }
    // Residents' names and phones (walk-ins a tablet added) are sealed before anything
    // else sees them, the operation log included.
    state.pii.seal_ops(&mut request.ops);
    let actor = Actor { account: user.account.clone(), role: user.role, branch: user.branch.clone() };
    let context = apply::Context { actor, actor_name: user.display_name, client: request.client, session: session_id(&token), locale };
    match state.writer.submit(context, request.ops).await {
        Ok(Ok((results, clock))) => Json(SyncResponse { results, clock }).into_response(),
        Ok(Err(failure)) => {
            tracing::error!(%failure, "sync batch failed");
            error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", app::i18n::t(locale, app::i18n::Msg::ServerError))
        }
        // The writer's queue is full: the client keeps its operations and comes back.
        Err(Busy) => {
            let mut response = error(StatusCode::TOO_MANY_REQUESTS, "busy", app::i18n::t(locale, app::i18n::Msg::ServerError));
            response.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
            response
        }
    }
}

/// A person on a device: what pull cursors and operation numbers are kept per.
pub(crate) fn device_key(account: &str, client: &str) -> String {
    format!("{account}/{client}")
}

pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "code": code, "message": message }))).into_response()
}
