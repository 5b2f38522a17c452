//! Live updates: the database's own change stream (a LIVE SELECT on the commit counter
//! that every write transaction raises) fanned out to browsers over server-sent events.
//! Every instance follows the database, so a change committed through any instance
//! reaches the browsers of all. An event only says "commit N happened": the browser then
//! pulls what it may see, so nothing leaks through it.

use super::session_user;
use crate::state::AppState;
use app::db::Db;
use axum::extract::State;
use axum::http::HeaderMap;
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

/// `GET /api/events`: a stream of `change` events carrying commit numbers, starting with
/// the current one.
pub async fn events_handler(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(response) = session_user(&state, &headers).await {
        return response;
    }
    let receiver = state.changes.subscribe();
    let now: Option<i64> = app::db::row(&state.db, "SELECT VALUE n FROM ONLY sync_seq:global", serde_json::json!({})).await.ok().flatten();
    let first = futures::stream::iter(now.map(|n| Ok::<_, Infallible>(Event::default().event("change").data(n.to_string()))));
    let rest = futures::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(seq) => return Some((Ok(Event::default().event("change").data(seq.to_string())), receiver)),
                // A slow browser missed some numbers: the next one still makes it pull.
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(first.chain(rest)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}
