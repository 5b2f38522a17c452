//! The residents' side (`brand`, `volunteers`): public pages for phones, read and used
//! without an account and without JavaScript. Plain HTML from `maud` (escaped by default)
//! with a small inline stylesheet, so a page is one request before its images.
//!
//! Every write is an operation on the one write path: a form carries a hidden operation
//! id made when the page was drawn, so a form posted twice is applied once; the resident
//! acts as `resident:<sign-up key>`, proven by the private link's keyed token.

mod forms;
mod gallery;
mod pages;
mod qr;
mod text;

use crate::state::AppState;
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A cached page is served while no commit happened since it was drawn, and for at most
/// this long (a commit on another TiKV node sends no event here).
const CACHE_FOR: std::time::Duration = std::time::Duration::from_millis(1000);

pub struct BrandSite {
    /// `XIANFENG_PUBLIC_URL`: the address residents reach, for QR codes and shared links.
    pub base_url: String,
    /// The last commit number this instance heard of.
    seq: Arc<AtomicI64>,
    cache: Mutex<HashMap<String, Cached>>,
    /// `XIANFENG_PUBLIC_CACHE=off` draws every page from the database (to measure it).
    caching: bool,
}

struct Cached {
    seq: i64,
    at: Instant,
    html: Arc<String>,
}

impl BrandSite {
    pub fn from_env(changes: &tokio::sync::broadcast::Sender<i64>) -> BrandSite {
        let base_url = std::env::var("XIANFENG_PUBLIC_URL").unwrap_or_else(|_| "http://127.0.0.1:3000".into()).trim_end_matches('/').to_string();
        let seq = Arc::new(AtomicI64::new(0));
        let mut receiver = changes.subscribe();
        let latest = seq.clone();
        tokio::spawn(async move {
            loop {
                match receiver.recv().await {
                    Ok(n) => latest.store(n, Ordering::Relaxed),
                    // Missed some: any newer number still invalidates.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        latest.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        let caching = std::env::var("XIANFENG_PUBLIC_CACHE").as_deref() != Ok("off");
        BrandSite { base_url, seq, cache: Mutex::new(HashMap::new()), caching }
    }

    fn cached(&self, path: &str) -> Option<Arc<String>> {
        if !self.caching {
            return None;
        }
        let cache = self.cache.lock().ok()?;
        let hit = cache.get(path)?;
        (hit.seq == self.seq.load(Ordering::Relaxed) && hit.at.elapsed() < CACHE_FOR).then(|| hit.html.clone())
    }

    fn keep(&self, path: &str, seq: i64, html: Arc<String>) {
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() > 2000 {
                cache.clear();
            }
            cache.insert(path.to_string(), Cached { seq, at: Instant::now(), html });
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::front))
        .route("/b/{branch}", get(pages::brand))
        .route("/b/{branch}/join", get(pages::join).post(forms::join))
        .route("/a/{activity}", get(pages::activity).post(forms::sign_up))
        .route("/s/{signup}/{token}", get(pages::signup).post(forms::act))
        .route("/qr/{kind}/{file}", get(qr::code))
        .route("/lang", get(switch_language))
}

/// The language of a request: the staff app's `lang` cookie, Chinese without one.
fn locale_of(headers: &axum::http::HeaderMap) -> app::i18n::Locale {
    app::i18n::Locale::from_headers(headers)
}

#[derive(serde::Deserialize)]
struct SwitchTo {
    #[serde(default)]
    to: String,
    #[serde(default)]
    back: String,
}

/// `GET /lang?to=en&back=/a/…`: sets the cookie the staff app sets (a year, the whole
/// site) and goes back to the page, which draws itself in that language. A plain link,
/// so it works without JavaScript; `back` must be a path on this site.
async fn switch_language(axum::extract::Query(query): axum::extract::Query<SwitchTo>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let locale = app::i18n::Locale::from_tag(&query.to);
    let mut response = axum::response::Redirect::to(text::local_path(&query.back)).into_response();
    let cookie = format!("{}={}; Path=/; Max-Age=31536000; SameSite=Lax", app::i18n::Locale::COOKIE, locale.tag());
    if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
        response.headers_mut().append(axum::http::header::SET_COOKIE, value);
    }
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response
}
