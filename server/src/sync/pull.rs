//! `POST /api/pull`: what changed in the person's working set since the client's cursor.
//! Read in one transaction, so the answer is a snapshot complete up to its cursor.

use super::error;
use crate::signed_in::SignedIn;
use crate::state::AppState;
use app::auth::SessionUser;
use app::db::{now_ms, Db};
use app::domain::org::Role;
use app::domain::replica::{ConflictNote, PullRequest, PullResponse, RecordState};
use app::i18n::{t, Msg};
use axum::extract::{rejection::JsonRejection, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

pub async fn pull_handler(State(state): State<AppState>, SignedIn { user, locale, .. }: SignedIn, body: Result<Json<PullRequest>, JsonRejection>) -> Response {
    let Ok(Json(request)) = body else {
        return error(StatusCode::BAD_REQUEST, "malformed", t(locale, Msg::ServerError));
    };
    if request.client.is_empty() || request.client.len() > 64 {
        return error(StatusCode::BAD_REQUEST, "malformed", t(locale, Msg::ServerError));
    }
    match pull(&state.db, &user, &request).await {
        Ok(answer) => Json(answer).into_response(),
        Err(failure) => {
            tracing::error!(%failure, "pull failed");
            error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", t(locale, Msg::ServerError))
        }
    }
}

/// The tables a client keeps, each with the fields it may see and who sees which rows.
/// Branch staff keep their own branch's projects and the people of their branch and the
/// liaison leaders (whom they pick from); everyone else keeps every project and person.
/// The volunteer tables go to those who run activities (branch staff, their own branch's)
/// and to street staff, so rosters open offline: residents' names and phones only masked.
fn scoped_queries(user: &SessionUser) -> Vec<(&'static str, String)> {
    let own_branch = user.role.is_branch_staff();
    let project_scope = if own_branch { "branch = $branch AND seq > $since" } else { "seq > $since" };
    let account_scope = if own_branch { "seq > $since AND (branch = $branch OR role = 'liaison_leader')" } else { "seq > $since" };
    let mut queries = vec![
        ("project", format!("SELECT *, record::id(id) AS key FROM project WHERE {project_scope}")),
        // Phone numbers and password hashes stay on the server.
        ("account", format!("SELECT record::id(id) AS key, display_name, role, branch, seq, clocks FROM account WHERE {account_scope}")),
        ("branch", "SELECT *, record::id(id) AS key FROM branch WHERE seq > $since".into()),
        ("catalog_entry", "SELECT *, record::id(id) AS key FROM catalog_entry WHERE seq > $since".into()),
        ("street_year", "SELECT *, record::id(id) AS key FROM street_year WHERE seq > $since".into()),
        ("gantt_task", format!("SELECT *, record::id(id) AS key FROM gantt_task WHERE {project_scope}")),
        ("gantt_link", format!("SELECT *, record::id(id) AS key FROM gantt_link WHERE {project_scope}")),
        ("calendar_day", "SELECT *, record::id(id) AS key FROM calendar_day WHERE seq > $since".into()),
        ("mentor", "SELECT *, record::id(id) AS key FROM mentor WHERE seq > $since".into()),
        ("mentor_pairing", "SELECT *, record::id(id) AS key FROM mentor_pairing WHERE seq > $since".into()),
        ("mentor_session", format!("SELECT *, record::id(id) AS key FROM mentor_session WHERE {project_scope}")),
    ];
    if own_branch || user.role == Role::StreetStaff {
        queries.extend([
            // Public pages, a few per branch.
            ("brand", "SELECT *, record::id(id) AS key FROM brand WHERE seq > $since".to_string()),
            ("volunteer_team", format!("SELECT *, record::id(id) AS key FROM volunteer_team WHERE {project_scope}")),
            ("activity", format!("SELECT *, record::id(id) AS key FROM activity WHERE {project_scope}")),
            ("signup", format!("SELECT *, record::id(id) AS key OMIT {SEALED} FROM signup WHERE {project_scope}")),
            ("partner", format!("SELECT *, record::id(id) AS key OMIT {SEALED} FROM partner WHERE {project_scope}")),
        ]);
    }
    queries
}

/// A resident's name and phone as sealed (ciphertext and keyed hash): never on a device.
const SEALED: &str = "name_cipher, phone_cipher, phone_hash";

pub async fn pull(db: &Db, user: &SessionUser, request: &PullRequest) -> Result<PullResponse, surrealdb::Error> {
    let since = match request.since {
        Some(since) => since,
        None => stored_cursor(db, &cursor_id(&user.account, &request.client)).await?.unwrap_or(-1),
    };
    let queries = scoped_queries(user);
    let mut sql = String::from("BEGIN TRANSACTION;\nSELECT VALUE n FROM ONLY sync_seq:global;\n");
    for (_, query) in &queries {
        sql.push_str(query);
        sql.push_str(";\n");
    }
    // A device's notes, and only the signed-in person's: a device id is no secret.
    sql.push_str("SELECT *, record::id(id) AS note_id FROM conflict WHERE client = $client AND account = $account AND seq > $since;\nCOMMIT TRANSACTION;\n");
    let vars = json!({ "since": since, "branch": user.branch, "client": request.client, "account": user.account });
    let mut response = db.query(sql).bind(vars).await?;
    if let Some((_, first)) = response.take_errors().into_iter().min_by_key(|(i, _)| *i) {
        return Err(first);
    }
    let cursor: surrealdb::types::Value = response.take(1)?;
    let cursor = cursor.into_json_value().as_i64().unwrap_or(0);
    let mut records = Vec::new();
    for (n, (table, _)) in queries.iter().enumerate() {
        let rows: surrealdb::types::Value = response.take(2 + n)?;
        for row in as_list(rows.into_json_value()) {
            if let Some(record) = record_state(table, row) {
                records.push(record);
            }
        }
    }
    records.sort_by_key(|r| r.seq);
    let notes: surrealdb::types::Value = response.take(2 + queries.len())?;
    let conflicts = as_list(notes.into_json_value()).into_iter().filter_map(conflict_note).collect();
    // The cursor this client has reached, kept in the database for any instance.
    db.query("UPSERT type::record('sync_client', $id) SET account = $account, cursor = $cursor, pulled_at = $now RETURN NONE")
        .bind(json!({ "id": cursor_id(&user.account, &request.client), "account": user.account, "cursor": cursor, "now": now_ms() }))
        .await?
        .check()?;
    Ok(PullResponse { cursor, records, conflicts })
}

/// A cursor belongs to a person on a device: one person cannot move another's.
fn cursor_id(account: &str, client: &str) -> String {
    super::device_key(account, client)
}

async fn stored_cursor(db: &Db, id: &str) -> Result<Option<i64>, surrealdb::Error> {
    app::db::row::<i64>(db, "SELECT VALUE cursor FROM ONLY type::record('sync_client', $id)", json!({ "id": id })).await
}

fn as_list(value: Value) -> Vec<Value> {
    match value {
        Value::Array(list) => list,
        Value::Null => vec![],
        single => vec![single],
    }
}

fn record_state(table: &str, row: Value) -> Option<RecordState> {
    let Value::Object(mut fields) = row else { return None };
    let key = fields.remove("key")?.as_str()?.to_string();
    fields.remove("id");
    let seq = fields.remove("seq").and_then(|s| s.as_i64()).unwrap_or(0);
    let clocks = match fields.remove("clocks") {
        Some(Value::Object(map)) => map.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))).collect(),
        _ => Default::default(),
    };
    Some(RecordState { table: table.into(), key, seq, fields, clocks })
}

fn conflict_note(row: Value) -> Option<ConflictNote> {
    let map: Map<String, Value> = match row {
        Value::Object(map) => map,
        _ => return None,
    };
    let text = |name: &str| map.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
    Some(ConflictNote {
        id: text("note_id"),
        table: text("tb"),
        key: text("key"),
        field: text("field"),
        yours: map.get("yours").cloned().unwrap_or(Value::Null),
        winner: map.get("winner").cloned().unwrap_or(Value::Null),
        winner_name: text("winner_name"),
        at: map.get("at").and_then(Value::as_i64).unwrap_or(0),
    })
}
