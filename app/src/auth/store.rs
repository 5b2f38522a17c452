//! Server side of sign-in: password hashes, lockout, and sessions kept in the
//! database (so any number of server instances share them).

use super::SessionUser;
use crate::db::{now_ms, row, Db};
use crate::domain::auth::{after_failed_login, IDLE_MINUTES, LOCK_MINUTES, MAX_FAILED_LOGINS};
use crate::domain::org::Role;
use crate::error::AppError;
use crate::i18n::{self, Locale};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::http::{header, HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "xf_session";
/// A session ends after this long even when used all along.
pub const MAX_SESSION_HOURS: i64 = 12;
const IDLE_MS: i64 = IDLE_MINUTES * 60 * 1000;
/// `last_seen` is written at most this often, so reading pages stays read-only.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// The database handle server functions find in their context.
pub fn db() -> Result<Db, AppError> {
    leptos::prelude::use_context::<Db>().ok_or_else(|| AppError::internal("no database in context"))
}

/// Hashes a password with Argon2id off the async threads (it takes tens of milliseconds on purpose).
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)
}

pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Deserialize)]
struct LoginRow {
    key: String,
    password_hash: String,
    failed_logins: u32,
    locked_until: i64,
}

/// Checks a username and password, counting failures and locking the account after
/// too many. Returns a new session token.
pub async fn sign_in(db: &Db, username: &str, password: &str, locale: Locale) -> Result<String, AppError> {
    let account: Option<LoginRow> = row(
        db,
        "SELECT record::id(id) AS key, password_hash, failed_logins, locked_until FROM account WHERE username = $username",
        json!({ "username": username }),
    )
    .await
    .map_err(AppError::internal)?;
    let now = now_ms();
    let Some(account) = account else {
        // Spend the same time as a real check so that names cannot be probed by timing.
        let _ = hash_password(password.to_string()).await;
        audit(db, None, "login_unknown_user", username).await;
        return Err(AppError::Message(i18n::t(locale, i18n::Msg::LoginFailed).into()));
    };
    if account.locked_until > now {
        let minutes = (account.locked_until - now + 59_999) / 60_000;
        return Err(AppError::Message(i18n::account_locked(locale, minutes)));
    }
    if !verify_password(password.to_string(), account.password_hash).await {
        let (failures, locked) = after_failed_login(account.failed_logins);
        let locked_until = if locked { now + LOCK_MINUTES * 60_000 } else { 0 };
        db.query("UPDATE type::record('account', $key) SET failed_logins = $failures, locked_until = $locked_until")
            .bind(json!({ "key": account.key, "failures": if locked { 0 } else { failures }, "locked_until": locked_until }))
            .await
            .and_then(|r| r.check())
            .map_err(AppError::internal)?;
        audit(db, Some(&account.key), if locked { "account_locked" } else { "login_failed" }, username).await;
        return Err(AppError::Message(if locked {
            i18n::account_locked(locale, LOCK_MINUTES)
        } else {
            i18n::login_failed(locale, MAX_FAILED_LOGINS - failures)
        }));
    }
    let token = new_token();
    db.query(
        "UPDATE type::record('account', $key) SET failed_logins = 0, locked_until = 0;
         CREATE type::record('session', $id) SET account = $key, created = $now, last_seen = $now, expires = $expires;",
    )
    .bind(json!({ "key": account.key, "id": token_hash(&token), "now": now, "expires": now + MAX_SESSION_HOURS * 3_600_000 }))
    .await
    .and_then(|r| r.check())
    .map_err(AppError::internal)?;
    audit(db, Some(&account.key), "login", username).await;
    Ok(token)
}

fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[derive(Deserialize)]
struct SessionRow {
    last_seen: i64,
    expires: i64,
    account: String,
}

#[derive(Deserialize)]
struct AccountRow {
    username: String,
    display_name: String,
    role: String,
    branch: Option<String>,
}

/// The person a session token belongs to, if the session is still alive. Touches the
/// session so that it stays alive while used.
pub async fn resolve_session(db: &Db, token: &str) -> Result<Option<SessionUser>, AppError> {
    let id = token_hash(token);
    let session: Option<SessionRow> = row(
        db,
        "SELECT last_seen, expires, account FROM ONLY type::record('session', $id)",
        json!({ "id": id }),
    )
    .await
    .map_err(AppError::internal)?;
    let Some(session) = session else { return Ok(None) };
    let now = now_ms();
    if now - session.last_seen > IDLE_MS || now > session.expires {
        end_session(db, token).await?;
        return Ok(None);
    }
    let account: Option<AccountRow> = row(
        db,
        "SELECT username, display_name, role, branch FROM ONLY type::record('account', $key)",
        json!({ "key": session.account }),
    )
    .await
    .map_err(AppError::internal)?;
    let Some(account) = account else { return Ok(None) };
    let Some(role) = Role::from_code(&account.role) else { return Ok(None) };
    let branch_name = match &account.branch {
        Some(branch) => row::<String>(db, "SELECT VALUE name FROM ONLY type::record('branch', $key)", json!({ "key": branch }))
            .await
            .map_err(AppError::internal)?,
        None => None,
    };
    if now - session.last_seen > TOUCH_EVERY_MS {
        // Best effort: a page's parallel requests touch one session at the same moment, and
        // the database refuses all but one of those writes (a write conflict). One is enough;
        // failing the request for it left pages that never hydrated (a server function 500).
        let touched = db.query("UPDATE type::record('session', $id) SET last_seen = $now").bind(json!({ "id": id, "now": now })).await.and_then(|r| r.check());
        if let Err(error) = touched {
            tracing::debug!(%error, "session not touched this time");
        }
    }
    Ok(Some(SessionUser {
        account: session.account,
        username: account.username,
        display_name: account.display_name,
        role,
        branch: account.branch,
        branch_name,
    }))
}

pub async fn end_session(db: &Db, token: &str) -> Result<(), AppError> {
    db.query("DELETE type::record('session', $id)")
        .bind(json!({ "id": token_hash(token) }))
        .await
        .and_then(|r| r.check())
        .map_err(AppError::internal)?;
    Ok(())
}

/// The session token in a request's cookies.
pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

/// The token hash of a session, as the server stores it (for ending the others).
pub fn session_id(token: &str) -> String {
    token_hash(token)
}

pub async fn request_token() -> Option<String> {
    let headers: HeaderMap = leptos_axum::extract().await.ok()?;
    token_from_headers(&headers)
}

/// The signed-in person of the request a server function serves.
pub async fn user_from_request() -> Result<Option<SessionUser>, AppError> {
    let Some(token) = request_token().await else { return Ok(None) };
    resolve_session(&db()?, &token).await
}

/// Like `user_from_request`, but a missing session is an error.
pub async fn require_user() -> Result<SessionUser, AppError> {
    user_from_request().await?.ok_or(AppError::Unauthenticated)
}

pub fn set_session_cookie(token: &str) {
    let response = leptos::prelude::expect_context::<leptos_axum::ResponseOptions>();
    let secure = secure_attribute();
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        MAX_SESSION_HOURS * 3600
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.append_header(header::SET_COOKIE, value);
    }
}

pub fn clear_session_cookie() {
    let response = leptos::prelude::expect_context::<leptos_axum::ResponseOptions>();
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}", secure_attribute());
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.append_header(header::SET_COOKIE, value);
    }
}

/// `; Secure` when the site is served over HTTPS (directly or behind a proxy).
fn secure_attribute() -> &'static str {
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>();
    let forwarded_https = parts
        .as_ref()
        .and_then(|p| p.headers.get("x-forwarded-proto"))
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let configured_https = std::env::var("XIANFENG_PUBLIC_URL").is_ok_and(|u| u.starts_with("https://"));
    if forwarded_https || configured_https { "; Secure" } else { "" }
}

/// Records a security event (sign-in, failure, lock). Failures to record are logged, not fatal.
pub async fn audit(db: &Db, account: Option<&str>, event: &str, detail: &str) {
    let result = db
        .query("CREATE audit SET at = $at, account = $account, event = $event, detail = $detail")
        .bind(json!({ "at": now_ms(), "account": account.unwrap_or(""), "event": event, "detail": detail }))
        .await
        .and_then(|r| r.check());
    if let Err(error) = result {
        tracing::warn!(%error, event, "could not write the audit log");
    }
}
