//! Live updates: the database's own change stream (a LIVE SELECT on the commit counter
//! that every write transaction raises) fanned out to browsers over server-sent events.
//! Every instance follows the database, so a change committed through any instance
//! reaches the browsers of all. An event only says "commit N happened": the browser then
//! pulls what it may see, so nothing leaks through it.

use crate::signed_in::SignedIn;
use crate::state::AppState;
use app::db::Db;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast;

/// Starts following the database's commits; each one's number is sent to `changes`.
pub fn follow(db: Db) -> broadcast::Sender<i64> {
    let (sender, _) = broadcast::channel(1024);
    let out = sender.clone();
    tokio::spawn(async move {
        loop {
            match db.select::<Vec<surrealdb::types::Value>>("sync_seq").live().await {
                Ok(mut stream) => {
                    tracing::debug!("following the database's commits");
                    while let Some(notification) = stream.next().await {
                        match notification {
                            Ok(note) => {
                                if let Some(seq) = note.data.into_json_value().get("n").and_then(|n| n.as_i64()) {
                                    let _ = out.send(seq);
                                }
                            }
                            Err(error) => {
                                tracing::warn!(%error, "live query failed");
                                break;
                            }
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot follow the database's commits"),
            }
            // The connection dropped or the query ended: follow again shortly. Browsers
            // pull on reconnection, so nothing committed meanwhile is missed.
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    sender
}

/// Event streams one sign-in may hold open at once (a few tabs).
pub const STREAMS_PER_SESSION: usize = 4;
/// How often an open stream checks that its session is still alive.
const SESSION_CHECK: Duration = Duration::from_secs(10);

/// The streams open per session on this instance.
#[derive(Default)]
pub struct Streams(std::sync::Mutex<std::collections::HashMap<String, usize>>);

/// One open stream, counted until it is dropped (the browser went, or the session ended).
struct Held {
    streams: std::sync::Arc<Streams>,
    session: String,
}

impl Streams {
    fn open(streams: &std::sync::Arc<Streams>, session: &str) -> Option<Held> {
        let mut open = streams.0.lock().ok()?;
        let count = open.entry(session.to_string()).or_default();
        if *count >= STREAMS_PER_SESSION {
            return None;
        }
        *count += 1;
        Some(Held { streams: streams.clone(), session: session.to_string() })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Ok(mut open) = self.streams.0.lock() {
            if let Some(count) = open.get_mut(&self.session) {
                *count -= 1;
                if *count == 0 {
                    open.remove(&self.session);
                }
            }
        }
    }
}

/// `GET /api/events`: a stream of `change` events carrying commit numbers, starting with
/// the current one. At most `STREAMS_PER_SESSION` per sign-in; each ends when its session does.
pub async fn events_handler(State(state): State<AppState>, SignedIn { token, .. }: SignedIn) -> Response {
    let session = app::auth::store::session_id(&token);
    let Some(held) = Streams::open(&state.streams, &session) else {
        return (StatusCode::TOO_MANY_REQUESTS, "too many open event streams").into_response();
    };
    let receiver = state.changes.subscribe();
    let now: Option<i64> = app::db::row(&state.db, "SELECT VALUE n FROM ONLY sync_seq:global", serde_json::json!({})).await.ok().flatten();
    let first = futures::stream::iter(now.map(|n| Ok::<_, Infallible>(Event::default().event("change").data(n.to_string()))));
    let mut check = tokio::time::interval(SESSION_CHECK);
    check.tick().await;
    let db = state.db.clone();
    let rest = futures::stream::unfold((receiver, check, held), move |(mut receiver, mut check, held)| {
        let db = db.clone();
        async move {
            loop {
                tokio::select! {
                    received = receiver.recv() => match received {
                        Ok(seq) => return Some((Ok(Event::default().event("change").data(seq.to_string())), (receiver, check, held))),
                        // A slow browser missed some numbers: the next one still makes it pull.
                        Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    },
                    _ = check.tick() => {
                        // Signed out, expired or idle: the stream ends (a database error ends it too;
                        // the browser reconnects and is asked again).
                        if !app::auth::store::session_alive(&db, &held.session).await.unwrap_or(false) {
                            return None;
                        }
                    }
                }
            }
        }
    });
    Sse::new(first.chain(rest)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}
