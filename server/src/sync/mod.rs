//! The one write path (`sync`): `POST /api/sync` takes a batch of operations, applies
//! them through `apply`, and answers each one.

mod apply;
mod projects;

pub use apply::{apply_batch, ApplyError, Writer};

use crate::state::AppState;
use app::auth::store::{resolve_session, session_id, token_from_headers};
use app::domain::ops::{SyncRequest, SyncResponse, MAX_BATCH};
use app::domain::org::Actor;
use app::i18n::Locale;
use axum::extract::{rejection::JsonRejection, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

pub async fn sync_handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<SyncRequest>, JsonRejection>,
) -> Response {
    let locale = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(Locale::from_cookie_header)
        .unwrap_or_default();
    let zh = locale == Locale::ZhCn;
    let Some(token) = token_from_headers(&headers) else {
        return error(StatusCode::UNAUTHORIZED, "unauthenticated", if zh { "请先登录" } else { "Please sign in" });
    };
    let user = match resolve_session(&state.db, &token).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            let text = app::i18n::t(locale, app::i18n::Msg::SessionExpired);
            return error(StatusCode::UNAUTHORIZED, "unauthenticated", text);
        }
        Err(_) => return error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", app::i18n::t(locale, app::i18n::Msg::ServerError)),
    };
    let request = match body {
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
    let actor = Actor { account: user.account.clone(), role: user.role, branch: user.branch.clone() };
    let context = apply::Context { actor, actor_name: user.display_name, client: request.client, session: session_id(&token), locale };
    match apply_batch(&state.db, &state.writer, &context, request.ops).await {
        Ok((results, clock)) => Json(SyncResponse { results, clock }).into_response(),
        Err(failure) => {
            tracing::error!(%failure, "sync batch failed");
            error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", app::i18n::t(locale, app::i18n::Msg::ServerError))
        }
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "code": code, "message": message }))).into_response()
}
