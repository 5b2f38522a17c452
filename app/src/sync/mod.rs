//! The browser's side of the one write path (`sync`). Every change is an operation,
//! stamped with the device's clock, applied to the local store at once and queued there
//! (IndexedDB), then pushed to `POST /api/sync` when the network allows; the server's
//! changes come back through `POST /api/pull`, woken by `GET /api/events`. The server's
//! side is `server::sync`.

#[cfg(feature = "hydrate")]
pub mod engine;
mod pages;
#[cfg(feature = "hydrate")]
pub mod store;

pub use pages::{SyncBar, SyncPage};

#[cfg(not(feature = "hydrate"))]
use crate::domain::hlc::Stamp;
#[cfg(not(feature = "hydrate"))]
use crate::domain::ops::SyncResponse;
use crate::domain::ops::{OpResult, Operation};
use crate::domain::replica::RecordState;
use crate::i18n::{t, Locale, Msg};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const ENDPOINT: &str = "/api/sync";
pub const PULL: &str = "/api/pull";
pub const EVENTS: &str = "/api/events";

pub use crate::domain::outbox::PushError;

impl PushError {
    pub fn message(&self, locale: Locale) -> String {
        match self {
            PushError::Network => t(locale, Msg::NetworkError).into(),
            PushError::Unauthenticated => t(locale, Msg::SessionExpired).into(),
            PushError::Busy { .. } | PushError::Refused(_) => t(locale, Msg::ServerError).into(),
        }
    }
}

/// Something the person has to look at: an operation the server refused, a value of
/// theirs that a concurrent edit replaced, or a queue entry the browser could not read.
/// It stays until they retry, edit or discard it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub id: String,
    /// Whose it is: on a shared tablet each person sees only their own.
    #[serde(default)]
    pub account: String,
    pub kind: ProblemKind,
    pub table: String,
    pub key: String,
    pub field: Option<String>,
    /// The value the person typed.
    pub yours: Value,
    /// The value that won, when the server told it (otherwise the current one is shown).
    pub winner: Option<Value>,
    pub winner_name: Option<String>,
    pub message: String,
    /// The operation as it was made, for "retry".
    pub op: Option<Operation>,
    pub at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    Rejected,
    Conflict,
    Damaged,
}

/// What the pages know of sync, as signals. Server and browser start from the same
/// values, so hydration matches; the browser's engine then fills them in.
#[derive(Clone, Copy)]
pub struct SyncState {
    pub online: RwSignal<bool>,
    /// When this device lost the network (ms), kept across reloads.
    pub offline_since: RwSignal<Option<i64>>,
    /// Operations waiting for the server.
    pub pending: RwSignal<usize>,
    pub problems: RwSignal<Vec<Problem>>,
    /// Raised whenever the local store changed: pages that read it read again.
    pub changes: RwSignal<u64>,
    /// The session ended while operations wait: the person must sign in again.
    pub signed_out: RwSignal<bool>,
    /// A new version of the app is installed and waits for a reload.
    pub update_ready: RwSignal<bool>,
    /// The newest commit the server's event stream announced (`-1` before any).
    pub announced: RwSignal<i64>,
}

pub fn provide_sync() -> SyncState {
    let state = fresh_state();
    provide_context(state);
    state
}

/// Sync as a page starts: online, nothing waiting.
fn fresh_state() -> SyncState {
    SyncState {
        online: RwSignal::new(true),
        offline_since: RwSignal::new(None),
        pending: RwSignal::new(0),
        problems: RwSignal::new(vec![]),
        changes: RwSignal::new(0),
        signed_out: RwSignal::new(false),
        update_ready: RwSignal::new(false),
        announced: RwSignal::new(-1),
    }
}

/// The page's sync state. On the server a suspended page can resume after the browser
/// left it, when the context is gone: it then gets a fresh state (the answer goes
/// nowhere) instead of a panic.
pub fn use_sync() -> SyncState {
    use_context::<SyncState>().unwrap_or_else(fresh_state)
}

/// How an operation ended for the page that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Submitted {
    /// The server accepted it.
    Accepted,
    /// No network: it is applied locally and queued, and will be sent later.
    Queued,
}

impl Submitted {
    /// What the person is told: saved, or saved on this device until the network is back.
    pub fn message(self, locale: Locale) -> String {
        t(locale, if self == Submitted::Queued { Msg::SavedOnDevice } else { Msg::Saved }).to_string()
    }
}

/// Records an operation: applied locally and queued at once, then sent. Answers with the
/// person's message when the server refused it (it is then undone locally).
pub async fn submit(op: Operation, locale: Locale) -> Result<Submitted, String> {
    #[cfg(feature = "hydrate")]
    {
        engine::submit(op, locale).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (op, locale);
        Err(String::new())
    }
}

/// A record as this person sees it now: the server's copy with their queued operations
/// laid over it. `None` on the server, or when the browser does not hold it.
pub async fn local_record(table: &str, key: &str) -> Option<RecordState> {
    #[cfg(feature = "hydrate")]
    {
        engine::local_record(table, key).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (table, key);
        None
    }
}

/// Whether this person has operations on a record still waiting to be sent.
pub async fn has_pending(table: &str, key: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        engine::has_pending(table, key).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (table, key);
        false
    }
}

/// What this person's queued operations set on each record of `table` (see
/// `engine::queued_fields`); empty on the server.
pub async fn queued_fields(table: &str) -> Vec<(String, serde_json::Map<String, serde_json::Value>)> {
    #[cfg(feature = "hydrate")]
    {
        engine::queued_fields(table).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = table;
        vec![]
    }
}

/// Every record of a table that this person holds, queued operations laid over them.
pub async fn local_records(table: &str) -> Vec<RecordState> {
    #[cfg(feature = "hydrate")]
    {
        engine::local_records(table).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = table;
        vec![]
    }
}

/// Starts the browser's sync engine for the signed-in person (once per page load).
pub fn start(account: &str) {
    #[cfg(feature = "hydrate")]
    engine::start(use_sync(), account.to_string());
    #[cfg(not(feature = "hydrate"))]
    let _ = account;
}

/// Calls a function `public/pwa.js` puts on `window` (`xfApplyUpdate`, `xfForgetPages`,
/// `xfWarm`), if it is there; nothing on the server.
pub fn call_page_hook(name: &str) {
    #[cfg(feature = "hydrate")]
    engine::call_page_hook(name, None);
    #[cfg(not(feature = "hydrate"))]
    let _ = name;
}

/// Asks the service worker to keep these pages, so they open offline later (`xfWarm`).
pub fn warm(paths: &[String]) {
    #[cfg(feature = "hydrate")]
    {
        let urls = js_sys::Array::new();
        for path in paths.iter().take(20) {
            urls.push(&wasm_bindgen::JsValue::from_str(path));
        }
        engine::call_page_hook("xfWarm", Some(&urls));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = paths;
}

/// Sends one operation straight to the server without queueing it: for what must never
/// be stored in the browser (a password change).
pub async fn push_now(op: Operation, locale: Locale) -> Result<OpResult, String> {
    let id = op.id;
    let response = push(vec![op]).await.map_err(|e| e.message(locale))?;
    response.results.into_iter().find(|r| r.id == id).ok_or_else(|| t(locale, Msg::ServerError).to_string()).and_then(|r| match r.status {
        crate::domain::ops::OpStatus::Accepted => Ok(r),
        crate::domain::ops::OpStatus::Rejected | crate::domain::ops::OpStatus::Retry => {
            Err(r.message.clone().unwrap_or_else(|| t(locale, Msg::ServerError).into()))
        }
    })
}

#[cfg(feature = "hydrate")]
pub use engine::{device_id, push, stamp, sync_now};

/// Sends a problem's value again with a new clock (it then wins over the older one).
pub async fn retry(problem: Problem) -> Result<(), String> {
    #[cfg(feature = "hydrate")]
    {
        engine::retry(&problem).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = problem;
        Ok(())
    }
}

/// Drops a problem: the person has seen it and keeps what the server holds.
pub async fn discard(problem: Problem) {
    #[cfg(feature = "hydrate")]
    engine::discard(&problem).await;
    #[cfg(not(feature = "hydrate"))]
    let _ = problem;
}

/// This person's operations still waiting for the server, oldest first.
pub async fn queued() -> Vec<Operation> {
    #[cfg(feature = "hydrate")]
    {
        engine::queued().await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        vec![]
    }
}

/// Without the browser there is no device clock: these only exist so that the
/// server-side build of the pages compiles; event handlers never run there.
#[cfg(not(feature = "hydrate"))]
pub fn stamp() -> Stamp {
    Stamp { ms: chrono::Utc::now().timestamp_millis().max(0) as u64, counter: 0, node: "server-render".into() }
}

#[cfg(not(feature = "hydrate"))]
pub async fn push(_ops: Vec<Operation>) -> Result<SyncResponse, PushError> {
    Err(PushError::Network)
}
