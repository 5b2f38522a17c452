//! The browser's side of the one write path (`sync`): stamp an operation with the
//! device's clock and send it to `POST /api/sync`. The server's side is `server::sync`.

use crate::domain::hlc::Stamp;
use crate::domain::ops::{OpResult, OpStatus, Operation, SyncResponse};
#[cfg(feature = "hydrate")]
use crate::domain::ops::SyncRequest;
use crate::i18n::{t, Locale, Msg};

pub const ENDPOINT: &str = "/api/sync";

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PushError {
    #[error("network")]
    Network,
    #[error("signed out")]
    Unauthenticated,
    #[error("server answered {0}")]
    Server(u16),
}

impl PushError {
    pub fn message(&self, locale: Locale) -> String {
        match self {
            PushError::Network => t(locale, Msg::NetworkError).into(),
            PushError::Unauthenticated => t(locale, Msg::SessionExpired).into(),
            PushError::Server(_) => t(locale, Msg::ServerError).into(),
        }
    }
}

/// Sends one operation and answers with the person's message when it was not accepted.
pub async fn submit(op: Operation, locale: Locale) -> Result<OpResult, String> {
    let id = op.id;
    let response = push(vec![op]).await.map_err(|e| e.message(locale))?;
    let result = response.results.into_iter().find(|r| r.id == id).ok_or_else(|| t(locale, Msg::ServerError).to_string())?;
    match result.status {
        OpStatus::Accepted => Ok(result),
        OpStatus::Rejected => Err(result.message.clone().unwrap_or_else(|| t(locale, Msg::ServerError).into())),
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use crate::domain::hlc::Clock;
    use std::cell::RefCell;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    const DEVICE_KEY: &str = "xf_device";

    thread_local! {
        static CLOCK: RefCell<Clock> = RefCell::new(Clock::new(device_id()));
        /// One push at a time, so operations reach the server in the order they were made.
        static IN_ORDER: std::rc::Rc<futures::lock::Mutex<()>> = std::rc::Rc::new(futures::lock::Mutex::new(()));
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
        CLOCK.with(|c| c.borrow_mut().tick(now_ms()))
    }

    pub async fn push(ops: Vec<Operation>) -> Result<SyncResponse, PushError> {
        let order = IN_ORDER.with(|m| m.clone());
        let _turn = order.lock().await;
        let body = serde_json::to_string(&SyncRequest { client: device_id(), ops }).map_err(|_| PushError::Network)?;
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_credentials(web_sys::RequestCredentials::SameOrigin);
        init.set_body(&JsValue::from_str(&body));
        let request = web_sys::Request::new_with_str_and_init(ENDPOINT, &init).map_err(|_| PushError::Network)?;
        let _ = request.headers().set("content-type", "application/json");
        let window = web_sys::window().ok_or(PushError::Network)?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|_| PushError::Network)?
            .dyn_into()
            .map_err(|_| PushError::Network)?;
        match response.status() {
            200 => {}
            401 => return Err(PushError::Unauthenticated),
            status => return Err(PushError::Server(status)),
        }
        let text = JsFuture::from(response.text().map_err(|_| PushError::Network)?).await.map_err(|_| PushError::Network)?;
        let answer: SyncResponse =
            serde_json::from_str(&text.as_string().unwrap_or_default()).map_err(|_| PushError::Server(200))?;
        CLOCK.with(|c| c.borrow_mut().observe(&answer.clock, now_ms()));
        Ok(answer)
    }
}

#[cfg(feature = "hydrate")]
pub use browser::{device_id, push, stamp};

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
