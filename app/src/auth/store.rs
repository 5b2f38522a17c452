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
    // Every server function starts here: the one place a test's fault is injected.
    if let Some(parts) = leptos::prelude::use_context::<axum::http::request::Parts>() {
        if crate::db::injected_fault(parts.uri.path()) {
            return Err(AppError::Internal);
        }
    }
    leptos::prelude::use_context::<Db>().ok_or_else(|| AppError::internal("no database in context"))
}

/// Argon2 takes tens of milliseconds and 19 MiB on purpose: at most one per core runs at
/// once, and a flood of sign-ins waits here instead of exhausting memory.
async fn argon2_permit() -> Option<tokio::sync::SemaphorePermit<'static>> {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let permits = PERMITS.get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)));
    // The semaphore is never closed, so a permit always comes.
    permits.acquire().await.ok()
}

/// Hashes a password with Argon2id off the async threads.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    let _permit = argon2_permit().await;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)
}

pub async fn verify_password(password: String, hash: String) -> bool {
    let _permit = argon2_permit().await;
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()).unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Deserialize)]
struct LoginRow {
    password_hash: String,
    locked_until: i64,
}

/// What a password check found.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Right,
    /// Wrong, with this many tries left before the lock.
    Wrong {
        left: u32,
    },
    /// Wrong, and the last try: the account is locked from now.
    LockedNow,
    /// Locked before this try, for this many more minutes; the password was not checked.
    Locked {
        minutes: i64,
    },
}

/// Checks the password of an account, counting a wrong one and locking the account after
/// too many: the one rule for sign-in and for a password change's current password.
pub async fn check_password(db: &Db, account: &str, password: &str) -> Result<Verdict, AppError> {
    let now = now_ms();
    let stored: Option<LoginRow> =
        row(db, "SELECT password_hash, locked_until FROM ONLY type::record('account', $key)", json!({ "key": account })).await.map_err(AppError::internal)?;
    let Some(stored) = stored else { return Err(AppError::NotFound) };
    if stored.locked_until > now {
        return Ok(Verdict::Locked { minutes: (stored.locked_until - now + 59_999) / 60_000 });
    }
    // Each try is counted before its password is checked, in one statement: tries made
    // at once each take their own number, and no more than the limit are ever checked.
    let try_number: Option<u32> = crate::db::retrying(|| {
        row(
            db,
            "UPDATE ONLY type::record('account', $key) SET failed_logins += 1 WHERE locked_until <= $now RETURN VALUE failed_logins",
            json!({ "key": account, "now": now }),
        )
    })
    .await
    .map_err(AppError::internal)?;
    let Some(try_number) = try_number.filter(|n| *n <= MAX_FAILED_LOGINS) else {
        // Locked meanwhile, or the last tries are being checked by parallel requests.
        return Ok(Verdict::Locked { minutes: LOCK_MINUTES });
    };
    if verify_password(password.to_string(), stored.password_hash).await {
        crate::db::retrying(|| async { db.query("UPDATE type::record('account', $key) SET failed_logins = 0").bind(json!({ "key": account })).await?.check() })
            .await
            .map_err(AppError::internal)?;
        return Ok(Verdict::Right);
    }
    let (failures, locked) = after_failed_login(try_number - 1);
    if !locked {
        return Ok(Verdict::Wrong { left: MAX_FAILED_LOGINS - failures });
    }
    crate::db::retrying(|| async {
        db.query("UPDATE type::record('account', $key) SET failed_logins = 0, locked_until = $locked_until")
            .bind(json!({ "key": account, "locked_until": now + LOCK_MINUTES * 60_000 }))
            .await?
            .check()
    })
    .await
    .map_err(AppError::internal)?;
    Ok(Verdict::LockedNow)
}

/// Checks a username and password (`check_password`). Returns a new session token.
pub async fn sign_in(db: &Db, username: &str, password: &str, locale: Locale) -> Result<String, AppError> {
    let account: Option<String> =
        row(db, "SELECT VALUE record::id(id) FROM account WHERE username = $username", json!({ "username": username })).await.map_err(AppError::internal)?;
    let now = now_ms();
    let Some(key) = account else {
        // Answered as a wrong password would be, in the same time, with the same count and
        // lock: which names exist cannot be probed. Counted under a hash of what was typed
        // (it may be a password typed in the wrong box), which the audit log never keeps.
        let _ = hash_password(password.to_string()).await;
        let typed = hex::encode(Sha256::digest(username.as_bytes()));
        let tries: Option<u32> = crate::db::retrying(|| {
            row(
                db,
                "UPSERT ONLY type::record('login_unknown', $typed) SET n = IF first_at > $since THEN n + 1 ELSE 1 END, first_at = IF first_at > $since THEN first_at ELSE $now END RETURN VALUE n",
                json!({ "typed": typed, "now": now, "since": now - LOCK_MINUTES * 60_000 }),
            )
        })
        .await
        .map_err(AppError::internal)?;
        audit(db, None, "login_unknown_user", "").await;
        let tries = tries.unwrap_or(1);
        return Err(AppError::Message(if tries >= MAX_FAILED_LOGINS {
            i18n::account_locked(locale, LOCK_MINUTES)
        } else {
            i18n::login_failed(locale, MAX_FAILED_LOGINS - tries)
        }));
    };
    match check_password(db, &key, password).await? {
        Verdict::Right => {}
        Verdict::Wrong { left } => {
            audit(db, Some(&key), "login_failed", username).await;
            return Err(AppError::Message(i18n::login_failed(locale, left)));
        }
        Verdict::LockedNow => {
            audit(db, Some(&key), "account_locked", username).await;
            return Err(AppError::Message(i18n::account_locked(locale, LOCK_MINUTES)));
        }
        Verdict::Locked { minutes } => return Err(AppError::Message(i18n::account_locked(locale, minutes))),
    }
    let token = new_token();
    db.query("CREATE type::record('session', $id) SET account = $key, created = $now, last_seen = $now, expires = $expires;")
        .bind(json!({ "key": key, "id": token_hash(&token), "now": now, "expires": now + MAX_SESSION_HOURS * 3_600_000 }))
        .await
        .and_then(|r| r.check())
        .map_err(AppError::internal)?;
    audit(db, Some(&key), "login", username).await;
    Ok(token)
}

/// Creates a street-staff account for a production start (`xianfeng admin create-account`)
/// and answers its one-time password, to be changed at the first sign-in.
pub async fn create_account(db: &Db, username: &str, display_name: &str) -> Result<String, AppError> {
    use rand::Rng;
    let username = username.trim();
    let display_name = display_name.trim();
    if !(2..=40).contains(&username.chars().count()) || !username.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
        return Err(AppError::Message("username: 2 to 40 letters, digits, '_' or '.'".into()));
    }
    if !(1..=40).contains(&display_name.chars().count()) {
        return Err(AppError::Message("display name: 1 to 40 characters".into()));
    }
    // Letters without look-alikes, with digits and a sign, so it passes the policy.
    const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let mut password: String = (0..14).map(|_| LETTERS[rng.gen_range(0..LETTERS.len())] as char).collect();
    password.push_str(&format!("-{}", rng.gen_range(10..100)));
    let hash = hash_password(password.clone()).await?;
    db.query("CREATE type::record('account', $username) SET username = $username, display_name = $name, role = 'street_staff', password_hash = $hash, must_change_password = true")
        .bind(json!({ "username": username, "name": display_name, "hash": hash }))
        .await
        .and_then(|r| r.check())
        .map_err(|e| if e.to_string().contains("already") { AppError::Message(format!("{username} exists already")) } else { AppError::internal(e) })?;
    audit(db, Some(username), "account_created", username).await;
    Ok(password)
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
    #[serde(default)]
    must_change_password: Option<bool>,
}

/// The person a session token belongs to, if the session is still alive. Touches the
/// session so that it stays alive while used.
pub async fn resolve_session(db: &Db, token: &str) -> Result<Option<SessionUser>, AppError> {
    let id = token_hash(token);
    let session: Option<SessionRow> =
        row(db, "SELECT last_seen, expires, account FROM ONLY type::record('session', $id)", json!({ "id": id })).await.map_err(AppError::internal)?;
    let Some(session) = session else { return Ok(None) };
    let now = now_ms();
    if now - session.last_seen > IDLE_MS || now > session.expires {
        end_session(db, token).await?;
        return Ok(None);
    }
    let account: Option<AccountRow> =
        row(db, "SELECT username, display_name, role, branch, must_change_password FROM ONLY type::record('account', $key)", json!({ "key": session.account }))
            .await
            .map_err(AppError::internal)?;
    let Some(account) = account else { return Ok(None) };
    let Some(role) = Role::from_code(&account.role) else { return Ok(None) };
    let branch_name = match &account.branch {
        Some(branch) => {
            row::<String>(db, "SELECT VALUE name FROM ONLY type::record('branch', $key)", json!({ "key": branch })).await.map_err(AppError::internal)?
        }
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
        must_change_password: account.must_change_password.unwrap_or(false),
    }))
}

pub async fn end_session(db: &Db, token: &str) -> Result<(), AppError> {
    db.query("DELETE type::record('session', $id)").bind(json!({ "id": token_hash(token) })).await.and_then(|r| r.check()).map_err(AppError::internal)?;
    Ok(())
}

/// The session token in a request's cookies.
pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    axum_extra::extract::CookieJar::from_headers(headers).get(SESSION_COOKIE).map(|c| c.value().to_string()).filter(|v| !v.is_empty())
}

/// The token hash of a session, as the server stores it (for ending the others).
/// Is the session of this id still alive? Read only: an open event stream must not keep
/// an idle session alive, and must end when the person signs out.
pub async fn session_alive(db: &Db, id: &str) -> Result<bool, AppError> {
    let session: Option<SessionRow> =
        row(db, "SELECT last_seen, expires, account FROM ONLY type::record('session', $id)", json!({ "id": id })).await.map_err(AppError::internal)?;
    let now = now_ms();
    Ok(session.is_some_and(|s| now - s.last_seen <= IDLE_MS && now <= s.expires))
}

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
    let cookie = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", MAX_SESSION_HOURS * 3600);
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
    let forwarded_https = parts.as_ref().and_then(|p| p.headers.get("x-forwarded-proto")).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let configured_https = std::env::var("XIANFENG_PUBLIC_URL").is_ok_and(|u| u.starts_with("https://"));
    if forwarded_https || configured_https {
        "; Secure"
    } else {
        ""
    }
}

/// Records a security event (sign-in, failure, lock). Failures to record are logged, not fatal.
pub async fn audit(db: &Db, account: Option<&str>, event: &str, detail: &str) {
    if let Err(error) = audit_committed(db, account, event, detail).await {
        tracing::warn!(%error, event, "could not write the audit log");
    }
}

/// Records an event that must be on record before what it records happens (a phone
/// number revealed): the caller goes on only when this committed.
pub async fn audit_committed(db: &Db, account: Option<&str>, event: &str, detail: &str) -> Result<(), surrealdb::Error> {
    crate::db::retrying(|| async {
        db.query("CREATE audit SET at = $at, account = $account, event = $event, detail = $detail")
            .bind(json!({ "at": now_ms(), "account": account.unwrap_or(""), "event": event, "detail": detail }))
            .await?
            .check()
    })
    .await
    .map(|_| ())
}
