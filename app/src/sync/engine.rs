//! The browser's sync engine: queue, push with retry and backoff, pull by cursor, and
//! the live event stream. Only one push or pull runs at a time, so operations reach the
//! server in the order they were made.

use super::store::{self, Queued};
use super::{Problem, ProblemKind, PushError, Submitted, SyncState, ENDPOINT, EVENTS, PULL};
use crate::domain::hlc::{Clock, Stamp};
use crate::domain::ops::{OpKind, OpResult, OpStatus, Operation, SyncRequest, SyncResponse};
use crate::domain::outbox::{self, QueueStore, Settlement, Transport};
use crate::domain::replica::{apply_own, base_for, rebase, record_id, PullRequest, PullResponse, RecordState};
use crate::i18n::{t, Locale, Msg};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

const DEVICE_KEY: &str = "xf_device";
/// The clock's last stamp, kept so a reload never stamps earlier than before.
const CLOCK_KEY: &str = "xf_clock";

thread_local! {
    static CLOCK: RefCell<Clock> = RefCell::new(start_clock());
    /// One push or pull at a time.
    static IN_ORDER: Rc<futures::lock::Mutex<()>> = Rc::new(futures::lock::Mutex::new(()));
    static ENGINE: RefCell<Option<(SyncState, String)>> = const { RefCell::new(None) };
    static CURSOR: Cell<i64> = const { Cell::new(-1) };
    static FAILURES: Cell<u32> = const { Cell::new(0) };
    static RETRY_SET: Cell<bool> = const { Cell::new(false) };
    static PULL_AGAIN: Cell<bool> = const { Cell::new(false) };
    /// The newest commit the event stream announced.
    static ANNOUNCED: Cell<i64> = const { Cell::new(-1) };
    /// Operations a page waits on, and their answers: whichever push carries one (the
    /// page's own, or another already running), the answer reaches the page.
    static AWAITED: RefCell<std::collections::HashSet<uuid::Uuid>> = RefCell::new(Default::default());
    static ANSWERS: RefCell<HashMap<uuid::Uuid, OpResult>> = RefCell::new(HashMap::new());
}

fn is_awaited(id: uuid::Uuid) -> bool {
    AWAITED.with(|a| a.borrow().contains(&id))
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The device's clock for this page: its node is the device plus a tab of its own (two
/// tabs never make the same stamp), and it starts after the last stamp this device made.
fn start_clock() -> Clock {
    let tab = format!("{:04x}", (js_sys::Math::random() * 65536.0) as u32);
    let mut clock = Clock::new(format!("{}.{tab}", device_id()));
    if let Some(last) = local_storage().and_then(|s| s.get_item(CLOCK_KEY).ok().flatten()).and_then(|t| t.parse::<Stamp>().ok()) {
        clock.adopt(&last, now_ms());
    }
    clock
}

fn remember_clock(stamp: &Stamp) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(CLOCK_KEY, &stamp.to_string());
    }
}

/// A stable id for this browser, kept in local storage; also the node of its clock.
pub fn device_id() -> String {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let Some(id) = storage.as_ref().and_then(|s| s.get_item(DEVICE_KEY).ok().flatten()) {
        return id;
    }
    let id = uuid::Uuid::now_v7().simple().to_string();
    if let Some(storage) = storage {
        let _ = storage.set_item(DEVICE_KEY, &id);
    }
    id
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

pub fn stamp() -> Stamp {
    let stamp = CLOCK.with(|c| c.borrow_mut().tick(now_ms()));
    remember_clock(&stamp);
    stamp
}

/// Moves the clock past a stamp the server gave or a pulled value carries.
fn adopt(stamp: &Stamp) {
    let last = CLOCK.with(|c| {
        let mut clock = c.borrow_mut();
        clock.adopt(stamp, now_ms());
        clock.last().clone()
    });
    remember_clock(&last);
}

fn engine() -> Option<(SyncState, String)> {
    ENGINE.with(|e| e.borrow().clone())
}

fn navigator_online() -> bool {
    web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true)
}

// ---- HTTP

async fn post_json(url: &str, body: String) -> Result<String, PushError> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    init.set_body(&JsValue::from_str(&body));
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(|_| PushError::Network)?;
    let _ = request.headers().set("content-type", "application/json");
    let window = web_sys::window().ok_or(PushError::Network)?;
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_request(&request)).await.map_err(|_| PushError::Network)?.dyn_into().map_err(|_| PushError::Network)?;
    let retry_after = response.headers().get("retry-after").ok().flatten().and_then(|s| s.trim().parse().ok());
    outbox::status_outcome(response.status(), retry_after)?;
    let text = JsFuture::from(response.text().map_err(|_| PushError::Network)?).await.map_err(|_| PushError::Network)?;
    Ok(text.as_string().unwrap_or_default())
}

/// How sending a photo ended.
pub enum PhotoSent {
    Kept,
    /// Refused for good, with the server's reason when it gave one.
    Refused(Option<crate::domain::photos::PhotoProblem>, String),
    Offline,
}

/// `PUT /api/photos/{hash}` with the photo's bytes (a `File` or a `Uint8Array`).
pub async fn put_photo(hash: &str, body: &JsValue) -> PhotoSent {
    let init = web_sys::RequestInit::new();
    init.set_method("PUT");
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    init.set_body(body);
    let Ok(request) = web_sys::Request::new_with_str_and_init(&format!("/api/photos/{hash}"), &init) else { return PhotoSent::Offline };
    let Some(window) = web_sys::window() else { return PhotoSent::Offline };
    let response: web_sys::Response = match JsFuture::from(window.fetch_with_request(&request)).await.map(|r| r.dyn_into()) {
        Ok(Ok(response)) => response,
        _ => return PhotoSent::Offline,
    };
    if response.ok() {
        return PhotoSent::Kept;
    }
    if response.status() >= 500 || response.status() == 401 {
        return PhotoSent::Offline;
    }
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    };
    PhotoSent::Refused(serde_json::from_str(&text).ok(), text)
}

/// Uploads the photos kept while offline. Stops at the first that cannot be sent now; one
/// refused for good is dropped (the operation naming it is then refused and shown).
async fn upload_waiting_photos() -> Result<(), PushError> {
    let Ok(waiting) = store::waiting_photos().await else { return Ok(()) };
    for (hash, bytes) in waiting {
        match put_photo(&hash, &bytes).await {
            PhotoSent::Offline => return Err(PushError::Network),
            PhotoSent::Kept | PhotoSent::Refused(..) => {
                let _ = store::forget_photo(&hash).await;
            }
        }
    }
    Ok(())
}

/// Sends a batch as it is and returns the server's answer.
pub async fn push(ops: Vec<Operation>) -> Result<SyncResponse, PushError> {
    let body = serde_json::to_string(&SyncRequest { client: device_id(), ops }).map_err(|_| PushError::Network)?;
    let text = post_json(ENDPOINT, body).await?;
    // An answer cut short is as if none came: the operations stay queued and the
    // replay is answered as duplicates.
    let answer: SyncResponse = serde_json::from_str(&text).map_err(|_| PushError::Network)?;
    adopt(&answer.clock);
    Ok(answer)
}

// ---- starting

/// Starts the engine for `account` once per page load.
pub fn start(state: SyncState, account: String) {
    if engine().is_some_and(|(_, a)| a == account) {
        return;
    }
    let first = engine().is_none();
    ENGINE.with(|e| *e.borrow_mut() = Some((state, account.clone())));
    if first {
        listen(state);
    }
    leptos::task::spawn_local(async move {
        prepare(&state, &account).await;
        refresh(&state, false).await;
        sync_now().await;
    });
    warm_pages();
}

/// Calls a function `pwa.js` defines on `window`, if it is there.
pub fn call_page_hook(name: &str, argument: Option<&JsValue>) {
    let Some(window) = web_sys::window() else { return };
    if let Ok(f) = js_sys::Reflect::get(&window, &JsValue::from_str(name)) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = match argument {
                Some(a) => f.call1(&window, a),
                None => f.call0(&window),
            };
            return;
        }
    }
    // `pwa.js` has not run yet (the wasm can hydrate first): it calls these when it does.
    let key = JsValue::from_str("__xfPendingHooks");
    let pending = match js_sys::Reflect::get(&window, &key).ok().and_then(|p| p.dyn_into::<js_sys::Array>().ok()) {
        Some(pending) => pending,
        None => {
            let pending = js_sys::Array::new();
            let _ = js_sys::Reflect::set(&window, &key, &pending);
            pending
        }
    };
    pending.push(&js_sys::Array::of2(&JsValue::from_str(name), argument.unwrap_or(&JsValue::UNDEFINED)));
}

/// Asks the service worker (through `pwa.js`) to keep the pages a person opens first,
/// so that the app starts offline after one online visit.
fn warm_pages() {
    let Some(window) = web_sys::window() else { return };
    let here = window.location().pathname().unwrap_or_default() + &window.location().search().unwrap_or_default();
    let urls = js_sys::Array::new();
    // The sign-in page is not one to keep (a signed-in visit is only a redirect).
    let here = if here.starts_with("/login") { "/home".to_string() } else { here };
    for url in [here.as_str(), "/home", "/projects", "/sync"] {
        urls.push(&JsValue::from_str(url));
    }
    call_page_hook("xfWarm", Some(&urls));
}

/// A different person on this device starts from an empty copy; queued operations stay
/// with the person who made them.
async fn prepare(state: &SyncState, account: &str) {
    // Under the lock: a pull for the previous person must not land in this one's copy.
    let order = IN_ORDER.with(|m| m.clone());
    let _turn = order.lock().await;
    let previous: Option<String> = store::meta("account").await;
    if previous.as_deref() != Some(account) {
        let _ = store::clear_records().await;
        let _ = store::set_meta("cursor", &-1i64).await;
        let _ = store::set_meta("account", &account).await;
        // Pages kept for the previous person show their data. (Not on a first sign-in:
        // the pages just kept for this person would go.)
        if previous.is_some() {
            call_page_hook("xfForgetPages", None);
        }
    }
    // Queued operations of anyone stay queued (each is sent at its author's sign-in);
    // the clock starts after the newest of them.
    if let Ok((queue, _)) = store::queue().await {
        if let Some(latest) = queue.iter().map(|q| q.op.clock.clone()).max() {
            adopt(&latest);
        }
    }
    let cursor: i64 = store::meta("cursor").await.unwrap_or(-1);
    CURSOR.with(|c| c.set(cursor));
    let since: Option<i64> = store::meta("offline_since").await;
    if !navigator_online() {
        mark_offline(state).await;
    } else if since.is_some() {
        state.offline_since.set(since);
    }
}

fn listen(state: SyncState) {
    let Some(window) = web_sys::window() else { return };
    let on_online = Closure::<dyn Fn()>::new(move || leptos::task::spawn_local(sync_now()));
    let on_offline = Closure::<dyn Fn()>::new(move || leptos::task::spawn_local(async move { mark_offline(&state).await }));
    let on_visible = Closure::<dyn Fn()>::new(move || {
        let visible = web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
        if visible {
            leptos::task::spawn_local(sync_now());
        }
    });
    let on_update = Closure::<dyn Fn()>::new(move || state.update_ready.set(true));
    let _ = window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("offline", on_offline.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("xf-update-ready", on_update.as_ref().unchecked_ref());
    if let Some(document) = window.document() {
        let _ = document.add_event_listener_with_callback("visibilitychange", on_visible.as_ref().unchecked_ref());
    }
    // Announced before the app was hydrated.
    if js_sys::Reflect::get(&window, &JsValue::from_str("__xfUpdateReady")).ok().is_some_and(|v| v.is_truthy()) {
        state.update_ready.set(true);
    }
    // A slow safety net beside the live stream (a proxy may cut it): sync every 30 s.
    let on_timer = Closure::<dyn Fn()>::new(move || leptos::task::spawn_local(sync_now()));
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(on_timer.as_ref().unchecked_ref(), 30_000);
    for closure in [on_online, on_offline, on_visible, on_update, on_timer] {
        closure.forget();
    }
    follow_events();
}

/// The server's live stream: each event carries the number of a commit; a number past
/// our cursor means there is something to pull.
fn follow_events() {
    let Ok(source) = web_sys::EventSource::new(EVENTS) else { return };
    let on_change = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        let seq = event.data().as_string().and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or(i64::MAX);
        ANNOUNCED.with(|a| a.set(a.get().max(seq)));
        if let Some((state, _)) = engine() {
            if seq != i64::MAX && seq > state.announced.get_untracked() {
                state.announced.set(seq);
            }
        }
        if seq > CURSOR.with(Cell::get) {
            leptos::task::spawn_local(async { pull().await });
        }
    });
    let on_open = Closure::<dyn Fn()>::new(move || leptos::task::spawn_local(sync_now()));
    // A browser reconnects by itself after a network error, not after an HTTP error
    // (a 401 while signed out, a 502 during a deploy): then open a new stream later.
    let watched = source.clone();
    let on_error = Closure::<dyn Fn()>::new(move || {
        if watched.ready_state() == web_sys::EventSource::CLOSED {
            let again = Closure::once_into_js(follow_events);
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(again.unchecked_ref(), 5_000);
            }
        }
    });
    let _ = source.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    on_change.forget();
    on_open.forget();
    on_error.forget();
}

// ---- state shown to the person

/// Tells `pwa.js`, which then opens tapped links as page loads the service worker answers.
fn mark_document_offline(offline: bool) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = if offline { root.set_attribute("data-offline", "") } else { root.remove_attribute("data-offline") };
    }
}

async fn mark_offline(state: &SyncState) {
    mark_document_offline(true);
    state.online.set(false);
    if state.offline_since.get_untracked().is_none() {
        let since: i64 = store::meta("offline_since").await.unwrap_or(now_ms() as i64);
        let _ = store::set_meta("offline_since", &since).await;
        state.offline_since.set(Some(since));
    }
}

async fn mark_online(state: &SyncState) {
    mark_document_offline(false);
    FAILURES.with(|f| f.set(0));
    state.signed_out.set(false);
    if !state.online.get_untracked() || state.offline_since.get_untracked().is_some() {
        state.online.set(true);
        state.offline_since.set(None);
        let _ = store::set_meta("offline_since", &None::<i64>).await;
    }
}

/// Reads the queue's length and the problems again; tells pages the store changed when
/// it did (`changed`, or the queue or problems differ). A queue entry that no longer
/// parses becomes a problem, with its text kept.
async fn refresh(state: &SyncState, mut changed: bool) {
    let account = engine().map(|(_, a)| a).unwrap_or_default();
    if let Ok((queue, damaged)) = store::queue().await {
        if !damaged.is_empty() {
            let problems: Vec<Problem> = damaged
                .iter()
                .map(|(key, text)| Problem {
                    id: format!("damaged:{key}"),
                    account: account.clone(),
                    kind: ProblemKind::Damaged,
                    table: String::new(),
                    key: String::new(),
                    field: None,
                    yours: serde_json::Value::String(text.clone()),
                    winner: None,
                    winner_name: None,
                    message: String::new(),
                    op: None,
                    at: now_ms() as i64,
                })
                .collect();
            if store::put_problems(&problems).await.is_ok() {
                let _ = store::dequeue(damaged.into_iter().map(|(k, _)| k).collect()).await;
            }
        }
        let pending = queue.iter().filter(|q| q.account == account).count();
        if pending != state.pending.get_untracked() {
            state.pending.set(pending);
            changed = true;
        }
    }
    if let Ok(problems) = store::problems().await {
        let mut problems: Vec<Problem> = problems.into_iter().filter(|p| p.account == account || p.kind == ProblemKind::Damaged).collect();
        problems.sort_by_key(|p| std::cmp::Reverse(p.at));
        if problems != state.problems.get_untracked() {
            state.problems.set(problems);
            changed = true;
        }
    }
    if changed {
        state.changes.update(|n| *n += 1);
    }
}

// ---- push

/// Pushes the queue, then pulls.
pub async fn sync_now() {
    flush(None).await;
    pull().await;
}

fn schedule_retry(retry_after: Option<u32>) {
    if RETRY_SET.with(|r| r.replace(true)) {
        return;
    }
    let failures = FAILURES.with(|f| {
        f.set(f.get().saturating_add(1));
        f.get()
    });
    let delay = outbox::backoff_ms(failures, retry_after, js_sys::Math::random());
    let retry = Closure::once_into_js(move || {
        RETRY_SET.with(|r| r.set(false));
        leptos::task::spawn_local(sync_now());
    });
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(retry.unchecked_ref(), delay as i32);
    }
}

/// The browser's queue for `outbox::flush`: IndexedDB, with answers laid on the local
/// copy and refusals kept as problems.
struct BrowserQueue;

impl QueueStore for BrowserQueue {
    async fn queue(&mut self) -> Result<Vec<Queued>, String> {
        store::queue().await.map(|(queue, _)| queue)
    }
    async fn settled(&mut self, settlement: &Settlement) -> Result<(), String> {
        settle(settlement).await
    }
    async fn replace(&mut self, entries: Vec<(String, Queued)>) -> Result<(), String> {
        store::replace(entries).await
    }
}

struct Fetch;

impl Transport for Fetch {
    async fn push(&mut self, ops: Vec<Operation>) -> Result<SyncResponse, PushError> {
        push(ops).await
    }
}

/// Sends this person's queued operations in order, in batches (`outbox::flush`), and
/// decides when to try again. Returns the server's answer to `awaited` if it came.
async fn flush(awaited: Option<uuid::Uuid>) -> Option<OpResult> {
    let (state, account) = engine()?;
    let order = IN_ORDER.with(|m| m.clone());
    let _turn = order.lock().await;
    // Photos picked offline go first: the operations naming them are refused without them.
    if upload_waiting_photos().await.is_err() {
        mark_offline(&state).await;
        schedule_retry(None);
        return None;
    }
    let flushed = outbox::flush(&mut BrowserQueue, &mut Fetch, &account, outbox::BATCH).await;
    if flushed.answered {
        mark_online(&state).await;
    }
    match flushed.stopped {
        Some(PushError::Unauthenticated) => state.signed_out.set(true),
        Some(PushError::Network) => {
            mark_offline(&state).await;
            schedule_retry(None);
        }
        Some(PushError::Busy { retry_after }) => schedule_retry(retry_after),
        // Not the server's own refusal of the body (a proxy, a deploy): wait.
        Some(PushError::Refused(_)) => schedule_retry(None),
        None if flushed.again => schedule_retry(Some(1)),
        None => {}
    }
    refresh(&state, flushed.answered).await;
    awaited.and_then(|id| ANSWERS.with(|a| a.borrow_mut().remove(&id)))
}

/// Keeps what a push settled: accepted operations are laid on the server's copy;
/// refused ones become problems (unless a page is waiting for the answer and shows it);
/// values that lost become conflicts; both leave the queue.
async fn settle(settlement: &Settlement) -> Result<(), String> {
    let mut problems = Vec::new();
    let mut records: HashMap<String, RecordState> = HashMap::new();
    let locale = crate::i18n::Locale::default();
    for (entry, result) in &settlement.accepted {
        let op = &entry.op;
        if is_awaited(result.id) {
            ANSWERS.with(|a| a.borrow_mut().insert(result.id, result.clone()));
        }
        let id = record_id(&op.table, &op.key);
        let server = match records.remove(&id) {
            Some(laid) => Some(laid),
            None => store::record(&id).await.ok().flatten(),
        };
        if let Some(next) = apply_own(server, op) {
            records.insert(id, next);
        }
        if let OpKind::Set { fields } = &op.kind {
            for field in &result.superseded {
                problems.push(Problem {
                    id: format!("{}:{field}", op.id),
                    account: entry.account.clone(),
                    kind: ProblemKind::Conflict,
                    table: op.table.clone(),
                    key: op.key.clone(),
                    field: Some(field.clone()),
                    yours: fields.get(field).cloned().unwrap_or_default(),
                    winner: None,
                    winner_name: None,
                    message: t(locale, Msg::ConflictLater).into(),
                    op: None,
                    at: now_ms() as i64,
                });
            }
        }
    }
    for (entry, result) in &settlement.rejected {
        let op = &entry.op;
        if is_awaited(result.id) {
            ANSWERS.with(|a| a.borrow_mut().insert(result.id, result.clone()));
            continue;
        }
        problems.push(Problem {
            id: op.id.to_string(),
            account: entry.account.clone(),
            kind: ProblemKind::Rejected,
            table: op.table.clone(),
            key: op.key.clone(),
            field: None,
            yours: match &op.kind {
                OpKind::Set { fields } | OpKind::Create { fields } => serde_json::to_value(fields).unwrap_or_default(),
                OpKind::Transition { to, .. } => serde_json::Value::String(to.clone()),
                OpKind::Append { item, .. } => item.clone(),
                OpKind::ChangePassword { .. } => serde_json::Value::Null,
            },
            winner: None,
            winner_name: None,
            message: result.message.clone().filter(|m| !m.is_empty()).unwrap_or_else(|| t(locale, Msg::ServerError).into()),
            op: Some(op.clone()),
            at: now_ms() as i64,
        });
    }
    let records: Vec<RecordState> = records.into_values().collect();
    store::put_records(&records).await?;
    if !problems.is_empty() {
        store::put_problems(&problems).await?;
    }
    store::dequeue(settlement.done.clone()).await
}

// ---- pull

/// Pulls what changed since the cursor into the local store. Pulls asked for while one
/// runs are folded into one more afterwards.
pub async fn pull() {
    let Some((state, pulled_for)) = engine() else { return };
    let order = IN_ORDER.with(|m| m.clone());
    let Some(_turn) = order.try_lock() else {
        PULL_AGAIN.with(|p| p.set(true));
        return;
    };
    loop {
        PULL_AGAIN.with(|p| p.set(false));
        let since = CURSOR.with(Cell::get);
        let body = serde_json::to_string(&PullRequest { client: device_id(), since: Some(since) }).unwrap_or_default();
        match post_json(PULL, body).await {
            Ok(text) => {
                let Ok(answer) = serde_json::from_str::<PullResponse>(&text) else { break };
                if engine().map(|(_, a)| a).as_deref() != Some(pulled_for.as_str()) {
                    break;
                }
                mark_online(&state).await;
                // The next edit must sort after every value this device has seen.
                let latest = answer.records.iter().flat_map(|r| r.clocks.values()).filter_map(|c| c.parse::<Stamp>().ok()).max();
                if let Some(latest) = latest {
                    adopt(&latest);
                }
                if store::put_records(&answer.records).await.is_ok() {
                    let problems: Vec<Problem> = answer
                        .conflicts
                        .iter()
                        .map(|note| Problem {
                            id: format!("conflict:{}", note.id),
                            account: pulled_for.clone(),
                            kind: ProblemKind::Conflict,
                            table: note.table.clone(),
                            key: note.key.clone(),
                            field: Some(note.field.clone()),
                            yours: note.yours.clone(),
                            winner: Some(note.winner.clone()),
                            winner_name: Some(note.winner_name.clone()),
                            message: t(Locale::default(), Msg::ConflictLater).into(),
                            op: None,
                            at: note.at,
                        })
                        .collect();
                    if !problems.is_empty() {
                        let _ = store::put_problems(&problems).await;
                    }
                    let _ = store::set_meta("cursor", &answer.cursor).await;
                    CURSOR.with(|c| c.set(answer.cursor));
                }
                refresh(&state, !answer.records.is_empty() || !answer.conflicts.is_empty()).await;
            }
            Err(PushError::Unauthenticated) => state.signed_out.set(true),
            Err(PushError::Network) => mark_offline(&state).await,
            Err(_) => {}
        }
        if !PULL_AGAIN.with(Cell::get) {
            break;
        }
    }
}

// ---- what pages call

pub async fn submit(mut op: Operation, locale: Locale) -> Result<Submitted, String> {
    // What the server would refuse for its shape alone is refused here, queued or not.
    if let Err(reason) = crate::domain::records::check_shape(&op) {
        return Err(crate::i18n::reason_message(locale, &reason));
    }
    let Some((state, account)) = engine().filter(|_| !matches!(op.kind, OpKind::ChangePassword { .. })) else {
        // Never queued: sent as it is, or refused with the reason.
        return super::push_now(op, locale).await.map(|_| Submitted::Accepted);
    };
    if let OpKind::Set { fields } = &op.kind {
        // The base is what the person saw: catch up first if a commit was announced
        // that this device has not pulled yet.
        if ANNOUNCED.with(Cell::get) > CURSOR.with(Cell::get) && navigator_online() {
            pull().await;
        }
        let seen = local_record(&op.table, &op.key).await;
        op.base = base_for(seen.as_ref(), fields);
    }
    let id = op.id;
    AWAITED.with(|a| a.borrow_mut().insert(id));
    if store::enqueue(&Queued { account, op: op.clone() }).await.is_err() {
        AWAITED.with(|a| a.borrow_mut().remove(&id));
        // No local store (a private window may refuse it): send straight away.
        return super::push_now(op, locale).await.map(|_| Submitted::Accepted);
    }
    state.pending.update(|n| *n += 1);
    state.changes.update(|n| *n += 1);
    if !navigator_online() {
        // Nobody waits now: a refusal later becomes a problem on /sync.
        AWAITED.with(|a| a.borrow_mut().remove(&id));
        mark_offline(&state).await;
        return Ok(Submitted::Queued);
    }
    let answer = flush(Some(id)).await;
    AWAITED.with(|a| a.borrow_mut().remove(&id));
    if PULL_AGAIN.with(Cell::get) || matches!(&answer, Some(r) if r.status == OpStatus::Accepted) {
        leptos::task::spawn_local(pull());
    }
    match answer {
        Some(result) if result.status == OpStatus::Accepted => Ok(Submitted::Accepted),
        Some(result) => Err(result.message.unwrap_or_else(|| t(locale, Msg::ServerError).into())),
        None if state.signed_out.get_untracked() => Err(t(locale, Msg::SignInToSend).into()),
        None => Ok(Submitted::Queued),
    }
}

async fn pending_ops(table: &str, key: Option<&str>) -> Vec<Operation> {
    let account = engine().map(|(_, a)| a).unwrap_or_default();
    store::queue()
        .await
        .map(|(queue, _)| {
            queue.into_iter().filter(|q| q.account == account && q.op.table == table && key.is_none_or(|k| q.op.key == k)).map(|q| q.op).collect()
        })
        .unwrap_or_default()
}

/// The fields this person's queued operations set on each record of `table`, in queue
/// order (later ones win): what a page lays over data it read from the server.
pub async fn queued_fields(table: &str) -> Vec<(String, serde_json::Map<String, serde_json::Value>)> {
    let mut out: Vec<(String, serde_json::Map<String, serde_json::Value>)> = Vec::new();
    for op in pending_ops(table, None).await {
        let (OpKind::Set { fields } | OpKind::Create { fields }) = &op.kind else { continue };
        let at = match out.iter().position(|(k, _)| *k == op.key) {
            Some(at) => at,
            None => {
                out.push((op.key.clone(), serde_json::Map::new()));
                out.len() - 1
            }
        };
        out[at].1.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    out
}

pub async fn has_pending(table: &str, key: &str) -> bool {
    !pending_ops(table, Some(key)).await.is_empty()
}

pub async fn local_record(table: &str, key: &str) -> Option<RecordState> {
    let server = store::record(&record_id(table, key)).await.ok().flatten();
    let pending = pending_ops(table, Some(key)).await;
    rebase(server, pending.iter())
}

pub async fn local_records(table: &str) -> Vec<RecordState> {
    let server = store::records(table).await.unwrap_or_default();
    let pending = pending_ops(table, None).await;
    let mut out: Vec<RecordState> = Vec::with_capacity(server.len());
    let mut held = std::collections::HashSet::new();
    for record in server {
        held.insert(record.key.clone());
        let key = record.key.clone();
        if let Some(seen) = rebase(Some(record), pending.iter().filter(|op| op.key == key)) {
            out.push(seen);
        }
    }
    // Records created here and not yet on the server.
    let mut created: Vec<&str> = pending.iter().filter(|op| !held.contains(&op.key)).map(|op| op.key.as_str()).collect();
    created.dedup();
    for key in created {
        if let Some(seen) = rebase(None, pending.iter().filter(|op| op.key == key)) {
            out.push(seen);
        }
    }
    out
}

/// Problems the person acts on: retry (send their value again, with a new clock),
/// or discard.
pub async fn retry(problem: &Problem) -> Result<(), String> {
    let locale = Locale::default();
    let op = match (&problem.kind, &problem.op, &problem.field) {
        (ProblemKind::Conflict, _, Some(field)) => {
            Operation::new(&problem.table, &problem.key, OpKind::Set { fields: [(field.clone(), problem.yours.clone())].into() }, stamp())
        }
        (ProblemKind::Rejected, Some(op), _) => Operation::new(&op.table, &op.key, op.kind.clone(), stamp()),
        _ => return Err(t(locale, Msg::ServerError).into()),
    };
    let outcome = submit(op, locale).await;
    match &outcome {
        Ok(_) => {
            let _ = store::remove_problem(&problem.id).await;
        }
        // Refused again: the problem stays, with the new reason.
        Err(message) => {
            let again = Problem { message: message.clone(), at: now_ms() as i64, ..problem.clone() };
            let _ = store::put_problems(&[again]).await;
        }
    }
    if let Some((state, _)) = engine() {
        refresh(&state, true).await;
    }
    outcome.map(|_| ())
}

pub async fn discard(problem: &Problem) {
    let _ = store::remove_problem(&problem.id).await;
    if let Some((state, _)) = engine() {
        refresh(&state, true).await;
    }
}

/// This person's operations still waiting for the server, oldest first.
pub async fn queued() -> Vec<Operation> {
    let account = engine().map(|(_, a)| a).unwrap_or_default();
    store::queue().await.map(|(queue, _)| queue.into_iter().filter(|q| q.account == account).map(|q| q.op).collect()).unwrap_or_default()
}
