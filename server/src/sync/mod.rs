//! The one write path (`sync`): `POST /api/sync` takes a batch of operations, applies
//! them through `apply`, and answers each one; `POST /api/pull` answers what changed
//! since a client's cursor; `GET /api/events` tells browsers when something did.

mod apply;
mod faults;
mod gantt;
pub mod live;
mod mentors;
mod projects;
pub mod pull;
mod volunteers;

pub use apply::{ApplyError, Busy, Context, Writer};

use crate::signed_in::SignedIn;
use crate::state::AppState;
use app::auth::store::session_id;
use app::domain::ops::{SyncRequest, SyncResponse, MAX_BATCH};
use app::domain::org::Actor;
use app::i18n::Locale;
use axum::extract::{rejection::JsonRejection, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

pub async fn sync_handler(State(state): State<AppState>, signed_in: SignedIn, body: Result<Json<SyncRequest>, JsonRejection>) -> Response {
    let SignedIn { user, token, locale } = signed_in;
    let zh = locale == Locale::ZhCn;
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
    let password = match check_password_change(&state, &user.account, &request.ops).await {
        Ok(check) => check,
        Err(failure) => {
            tracing::error!(%failure, "password check failed");
            return error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", app::i18n::t(locale, app::i18n::Msg::ServerError));
        }
    };
    let context = apply::Context { actor, actor_name: user.display_name, client: request.client, session: session_id(&token), locale, password };
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

/// The push's first password change, checked outside the writer: its current password
/// counted like a sign-in (a wrong one towards the lock), its new one hashed. Only the
/// first is checked; a replay of one already applied costs nothing.
async fn check_password_change(
    state: &AppState,
    account: &str,
    ops: &[app::domain::ops::Operation],
) -> Result<Option<apply::PasswordCheck>, app::error::AppError> {
    use app::auth::store::{check_password, hash_password, Verdict};
    use app::domain::ops::{OpKind, Reason};
    let Some((op, current, new)) = ops.iter().find_map(|op| match &op.kind {
        OpKind::ChangePassword { current, new } => Some((op, current, new)),
        _ => None,
    }) else {
        return Ok(None);
    };
    // The policy is the writer's to refuse (no Argon2 for a password it would refuse).
    if op.key != account || app::domain::auth::check_password_change(current, new).is_err() {
        return Ok(None);
    }
    let logged: Option<serde_json::Value> = app::db::row(&state.db, "SELECT VALUE id FROM ONLY type::record('op', $id)", json!({ "id": op.id.to_string() }))
        .await
        .map_err(app::error::AppError::internal)?;
    if logged.is_some() {
        return Ok(None);
    }
    let outcome = match check_password(&state.db, account, current).await? {
        Verdict::Right => Ok(hash_password(new.clone()).await?),
        Verdict::Wrong { .. } => Err(Reason::WrongPassword),
        Verdict::LockedNow => Err(Reason::PasswordTriesUsed { minutes: app::domain::auth::LOCK_MINUTES }),
        Verdict::Locked { minutes } => Err(Reason::PasswordTriesUsed { minutes }),
    };
    Ok(Some(apply::PasswordCheck { op: op.id, outcome }))
}

/// A person on a device: what pull cursors and operation numbers are kept per.
pub(crate) fn device_key(account: &str, client: &str) -> String {
    format!("{account}/{client}")
}

pub(crate) use crate::signed_in::refusal as error;
