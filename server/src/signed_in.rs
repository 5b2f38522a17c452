//! Who is signed in, for the server's own handlers (sync, pulls, events, exports, photo
//! uploads): one extractor, one answer when nobody is. Server functions ask
//! `app::auth::store::require_user`, which reads the same session the same way.

use crate::state::AppState;
use app::auth::store::{resolve_session, token_from_headers};
use app::auth::SessionUser;
use app::i18n::{t, Locale, Msg};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The person a request comes from, their session token and their language.
pub struct SignedIn {
    pub user: SessionUser,
    pub token: String,
    pub locale: Locale,
}

impl SignedIn {
    /// Reads the session named by the request's cookie. Nobody signed in (no cookie, an
    /// ended session): 401 "unauthenticated"; the database could not say: 503
    /// "unavailable". Both as `{code, message}` in the person's language.
    pub async fn from_headers(state: &AppState, headers: &HeaderMap) -> Result<SignedIn, Response> {
        let locale = locale_of(headers);
        let unauthenticated = || refusal(StatusCode::UNAUTHORIZED, "unauthenticated", t(locale, Msg::SessionExpired));
        let Some(token) = token_from_headers(headers) else { return Err(unauthenticated()) };
        match resolve_session(&state.db, &token).await {
            Ok(Some(user)) => Ok(SignedIn { user, token, locale }),
            Ok(None) => Err(unauthenticated()),
            Err(error) => {
                tracing::warn!(%error, "could not read a session");
                Err(refusal(StatusCode::SERVICE_UNAVAILABLE, "unavailable", t(locale, Msg::ServerError)))
            }
        }
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<SignedIn, Response> {
        SignedIn::from_headers(state, &parts.headers).await
    }
}

/// The language a request asks for (its language cookie).
pub fn locale_of(headers: &HeaderMap) -> Locale {
    Locale::from_headers(headers)
}

/// A refusal as the server's own endpoints give it: `{code, message}`.
pub fn refusal(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "code": code, "message": message }))).into_response()
}
