//! Applying a batch of operations: validated with the shared domain rules, written in
//! one transaction together with the operation log, idempotent by operation id.

use app::auth::store::verify_password;
use app::db::{now_ms, rows, Db};
use app::domain::hlc::{Clock, Stamp};
use app::domain::ops::{OpKind, OpResult, Operation, Reason};
use app::domain::org::Actor;
use app::domain::projects::Status;
use app::domain::records::{valid_key, validate, Table, Target};
use app::i18n::{reason_message, Locale};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use tokio::sync::Mutex;

/// Attempts of a transaction that the database answers with a write conflict
/// (another instance wrote the same records); the retry stays idempotent.
const MAX_ATTEMPTS: usize = 8;

/// One per server instance: serialises this instance's writes (so they do not conflict
/// with each other) and keeps the server's clock.
pub struct Writer {
    clock: Mutex<Clock>,
}

impl Writer {
    pub fn new(node: &str) -> Writer {
        Writer { clock: Mutex::new(Clock::new(node)) }
    }
}

/// Who sent the batch, from the session.
pub struct Context {
    pub actor: Actor,
    pub actor_name: String,
    pub client: String,
    /// The id of the session that sent it (kept when the password changes).
    pub session: String,
    pub locale: Locale,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("database: {0}")]
    Database(#[from] surrealdb::Error),
    #[error("gave up after {MAX_ATTEMPTS} write conflicts")]
    Conflicts,
}

/// What one accepted operation writes.
pub(crate) enum Effect {
    Set { fields: Vec<(&'static str, Value)> },
    Create { fields: Vec<(&'static str, Value)> },
    Append { list: &'static str, item: Value },
    Password { hash: String },
    Transition { from: Status, to: Status, note: String, filing: Option<String> },
}

/// What validation of one batch has learned so far, beyond single rows.
#[derive(Default)]
pub(crate) struct BatchFacts {
    /// Filing numbers handed out in this batch, per year.
    pub filed: HashMap<i64, u32>,
    /// Projects nominated in this batch, per year.
    pub nominated: HashMap<i64, u32>,
    /// Key projects created or made key in this batch: (branch, year).
    pub key_projects: Vec<(String, i64, String)>,
}

/// Applies `ops` in order and answers each. Returns the server's clock afterwards.
pub async fn apply_batch(db: &Db, writer: &Writer, ctx: &Context, ops: Vec<Operation>) -> Result<(Vec<OpResult>, Stamp), ApplyError> {
    let mut clock = writer.clock.lock().await;
    let now = now_ms().max(0) as u64;
    for op in &ops {
        clock.observe(&op.clock, now);
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        match try_apply(db, ctx, &ops, now).await {
            Ok(results) => return Ok((results, clock.tick(now_ms().max(0) as u64))),
            Err(ApplyError::Database(e)) if is_conflict(&e) && attempt < MAX_ATTEMPTS => {
                tracing::debug!(attempt, "write conflict; retrying the batch");
                tokio::time::sleep(std::time::Duration::from_millis(2 * attempt as u64)).await;
            }
            Err(ApplyError::Database(e)) if is_conflict(&e) => return Err(ApplyError::Conflicts),
            Err(e) => return Err(e),
        }
    }
}

fn is_conflict(error: &surrealdb::Error) -> bool {
    let text = error.to_string();
    // A log entry created meanwhile by another instance also fails the transaction;
    // the retry then answers that operation as a duplicate.
    text.contains("can be retried") || (text.contains("already exists") && text.contains("op:"))
}

async fn try_apply(db: &Db, ctx: &Context, ops: &[Operation], now: u64) -> Result<Vec<OpResult>, ApplyError> {
    let t0 = std::time::Instant::now();
    let known = known_ops(db, ops).await?;
    let t1 = std::time::Instant::now();
    let mut seen = HashSet::new();
    let mut results: Vec<OpResult> = Vec::with_capacity(ops.len());
    let mut accepted: Vec<(usize, Effect)> = Vec::new();
    let mut rows: Rows = HashMap::new();
    let mut batch = BatchFacts::default();
    for (index, op) in ops.iter().enumerate() {
        // A replay, or a second copy inside this batch: accepted once, applied once.
        if known.contains(&op.id.to_string()) || !seen.insert(op.id) {
            results.push(OpResult::duplicate(op.id));
            continue;
        }
        match check(db, ctx, op, now, &mut rows, &mut batch).await? {
            Ok(effect) => {
                results.push(OpResult::accepted(op.id));
                accepted.push((index, effect));
            }
            Err(reason) => {
                let message = reason_message(ctx.locale, &reason);
                results.push(OpResult::rejected(op.id, reason, message));
            }
        }
    }
    if accepted.is_empty() {
        return Ok(results);
    }
    let t2 = std::time::Instant::now();
    let superseded = write(db, ctx, ops, &accepted).await?;
    tracing::debug!(ops = ops.len(), known = ?(t1 - t0), check = ?(t2 - t1), write = ?t2.elapsed(), "batch applied");
    for (index, fields) in superseded {
        results[index].superseded = fields;
    }
    Ok(results)
}

/// Ids among `ops` that the log already holds (looked up by record id, not scanned).
async fn known_ops(db: &Db, ops: &[Operation]) -> Result<HashSet<String>, surrealdb::Error> {
    let ids: Vec<String> = ops.iter().map(|op| op.id.to_string()).collect();
    let found: Vec<String> = rows(
        db,
        "RETURN array::filter($ids, |$i| record::exists(type::record('op', $i)))",
        json!({ "ids": ids }),
        0,
    )
    .await?;
    Ok(found.into_iter().collect())
}

/// A record as validation sees it: as stored, with this batch's accepted changes laid
/// over it (so a batch may fill in the budget and then submit).
pub(crate) type Row = Map<String, Value>;
pub(crate) type Rows = HashMap<(String, String), Option<Row>>;

/// Validates one operation against the record as it is. Returns what it will write.
async fn check(db: &Db, ctx: &Context, op: &Operation, now: u64, rows: &mut Rows, batch: &mut BatchFacts) -> Result<Result<Effect, Reason>, surrealdb::Error> {
    if op.clock.check_drift(now).is_err() {
        return Ok(Err(Reason::ClockAhead));
    }
    let Some(table) = Table::from_name(&op.table) else { return Ok(Err(Reason::UnknownTable)) };
    if !valid_key(&op.key) {
        return Ok(Err(Reason::UnknownRecord));
    }
    let cache_key = (op.table.clone(), op.key.clone());
    if !rows.contains_key(&cache_key) {
        let row = load_row(db, table, &op.key).await?;
        rows.insert(cache_key.clone(), row);
    }
    let row = rows.get(&cache_key).cloned().flatten();
    let creating = matches!(op.kind, OpKind::Create { .. });
    let row = match (row, creating) {
        (Some(_), true) => return Ok(Err(Reason::AlreadyExists)),
        (None, false) => return Ok(Err(Reason::UnknownRecord)),
        (None, true) => Row::new(),
        (Some(row), false) => row,
    };
    let text = |name: &str, row: &Row| row.get(name).and_then(Value::as_str).map(str::to_string);
    let target = match (table, &op.kind) {
        (Table::Branch, _) => Target { branch: Some(op.key.clone()), account: None },
        (Table::Account, _) => Target { branch: text("branch", &row), account: Some(op.key.clone()) },
        (Table::Project, OpKind::Create { fields }) => {
            Target { branch: fields.get("branch").and_then(Value::as_str).map(str::to_string), account: None }
        }
        (Table::Project, _) => Target { branch: text("branch", &row), account: None },
        (Table::CatalogEntry | Table::StreetYear, _) => Target { branch: None, account: None },
    };
    if let Err(reason) = validate(&ctx.actor, op, &target) {
        return Ok(Err(reason));
    }
    if table == Table::Project {
        if let Err(reason) = super::projects::check(db, op, &row, batch).await? {
            return Ok(Err(reason));
        }
    }
    let effect = match &op.kind {
        OpKind::Set { fields } | OpKind::Create { fields } => {
            let mut named = Vec::with_capacity(fields.len());
            for (name, value) in fields {
                let Some(name) = table.field_name(name) else {
                    return Ok(Err(Reason::UnknownField { field: name.clone() }));
                };
                named.push((name, normalise(value)));
            }
            if creating { Effect::Create { fields: named } } else { Effect::Set { fields: named } }
        }
        OpKind::Append { list, item } => match table.list_name(list) {
            Some(list) => Effect::Append { list, item: item.clone() },
            None => return Ok(Err(Reason::UnknownList { list: list.clone() })),
        },
        OpKind::ChangePassword { current, new } => {
            let hash = text("password_hash", &row).unwrap_or_default();
            if !verify_password(current.clone(), hash).await {
                return Ok(Err(Reason::WrongPassword));
            }
            match app::auth::store::hash_password(new.clone()).await {
                Ok(hash) => Effect::Password { hash },
                Err(_) => return Err(surrealdb::Error::internal("password hashing failed".into())),
            }
        }
        OpKind::Transition { to, note } => match super::projects::transition_effect(db, ctx, &row, to, note.as_deref(), batch).await? {
            Ok(effect) => effect,
            Err(reason) => return Ok(Err(reason)),
        },
    };
    // Later operations of this batch see this one's changes.
    let mut next = row;
    match &effect {
        Effect::Set { fields } | Effect::Create { fields } => {
            for (name, value) in fields {
                next.insert(name.to_string(), value.clone());
            }
        }
        Effect::Transition { to, .. } => {
            next.insert("status".into(), json!(to.code()));
        }
        _ => {}
    }
    rows.insert(cache_key, Some(next));
    Ok(Ok(effect))
}

/// Text values are stored trimmed (validation refuses padded text; this keeps it so).
fn normalise(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(s.trim().to_string()),
        other => other.clone(),
    }
}

async fn load_row(db: &Db, table: Table, key: &str) -> Result<Option<Row>, surrealdb::Error> {
    let sql = format!("SELECT * OMIT id, clocks FROM ONLY type::record('{}', $key)", table.name());
    let row: Option<Value> = app::db::row(db, &sql, json!({ "key": key })).await?;
    Ok(row.and_then(|r| match r {
        Value::Object(map) => Some(map),
        _ => None,
    }))
}

/// Writes the accepted operations and their log entries in one transaction. Returns,
/// per operation index, the fields whose value lost to a later clock.
async fn write(db: &Db, ctx: &Context, ops: &[Operation], accepted: &[(usize, Effect)]) -> Result<Vec<(usize, Vec<String>)>, surrealdb::Error> {
    let mut sql = String::from("BEGIN TRANSACTION;\n");
    let mut vars = Map::new();
    // Statement 0 is BEGIN; each pushed statement gets the next index.
    let mut statement = 0usize;
    let mut field_statements: Vec<(usize, usize, &'static str)> = Vec::new();
    let (mut log, mut notes, mut comments) = (Vec::new(), Vec::new(), Vec::new());
    let applied_at = now_ms();
    vars.insert("actor".into(), json!(ctx.actor.account));
    vars.insert("actor_name".into(), json!(ctx.actor_name));
    vars.insert("client".into(), json!(ctx.client));
    vars.insert("own_session".into(), json!(ctx.session));
    vars.insert("now".into(), json!(applied_at));
    // Every record this transaction changes carries its commit's number (see migration 3).
    sql.push_str("LET $seq = (UPDATE ONLY sync_seq:global SET n += 1 RETURN VALUE n);\n");
    statement += 1;
    for (n, (index, effect)) in accepted.iter().enumerate() {
        let op = &ops[*index];
        vars.insert(format!("id{n}"), json!(op.id.to_string()));
        vars.insert(format!("tb{n}"), json!(op.table));
        vars.insert(format!("key{n}"), json!(op.key));
        vars.insert(format!("clock{n}"), json!(op.clock.to_string()));
        log.push(json!({
            "id": op.id.to_string(), "tb": op.table, "key": op.key, "kind": serde_json::to_value(op.kind.redacted()).unwrap_or(Value::Null),
            "clock": op.clock.to_string(), "actor": ctx.actor.account, "client": ctx.client, "applied_at": applied_at,
        }));
        match effect {
            Effect::Create { fields } => {
                let mut content = Map::new();
                let mut clocks = Map::new();
                for (name, value) in fields {
                    content.insert(name.to_string(), value.clone());
                    clocks.insert(name.to_string(), json!(op.clock.to_string()));
                }
                content.insert("clocks".into(), Value::Object(clocks));
                if op.table == "project" {
                    content.insert("created_at".into(), json!(applied_at));
                    content.insert("updated_at".into(), json!(applied_at));
                }
                vars.insert(format!("content{n}"), Value::Object(content));
                sql.push_str(&format!(
                    "CREATE type::record($tb{n}, $key{n}) CONTENT $content{n} RETURN NONE;\n\
                     UPDATE type::record($tb{n}, $key{n}) SET seq = $seq RETURN NONE;\n"
                ));
                statement += 2;
            }
            Effect::Transition { from, to, note, filing } => {
                vars.insert(format!("from{n}"), json!(from.code()));
                vars.insert(format!("to{n}"), json!(to.code()));
                vars.insert(format!("note{n}"), json!(note));
                vars.insert(format!("filing{n}"), json!(filing));
                // Guarded by the status it was checked against: if another instance moved
                // the project meanwhile, the transaction fails and the batch is checked again.
                sql.push_str(&format!(
                    "LET $moved{n} = (UPDATE type::record('project', $key{n}) SET status = $to{n}, return_reason = $note{n}, \
                     filing_no = $filing{n} ?? filing_no, filed_at = IF $filing{n} THEN $now ELSE filed_at END, updated_at = $now, seq = $seq \
                     WHERE status = $from{n} RETURN VALUE id);\n\
                     IF array::len($moved{n}) = 0 {{ THROW 'status changed meanwhile; can be retried' }};\n"
                ));
                statement += 2;
            }
            Effect::Set { fields } => {
                if op.table == "project" {
                    sql.push_str(&format!("UPDATE type::record('project', $key{n}) SET updated_at = $now, seq = $seq;\n"));
                    statement += 1;
                }
                for (f, (name, value)) in fields.iter().enumerate() {
                    vars.insert(format!("v{n}_{f}"), value.clone());
                    // Field names come from the static registry in `domain::records`, never from the request.
                    let update = format!(
                        "UPDATE type::record($tb{n}, $key{n}) SET {name} = $v{n}_{f}, clocks.{name} = $clock{n}, seq = $seq \
                         WHERE clocks.{name} = NONE OR clocks.{name} < $clock{n} RETURN VALUE record::id(id);\n"
                    );
                    let Some(base) = op.base.get(*name) else {
                        // The client did not say what it saw: no conflict can be told.
                        sql.push_str(&update);
                        statement += 1;
                        field_statements.push((statement, *index, name));
                        continue;
                    };
                    vars.insert(format!("base{n}_{f}"), json!(base));
                    sql.push_str(&format!("LET $was{n}_{f} = (SELECT VALUE [clocks.{name}, {name}] FROM ONLY type::record($tb{n}, $key{n}));\n"));
                    sql.push_str(&update);
                    statement += 2;
                    field_statements.push((statement, *index, name));
                    // The value replaced was written concurrently (the client saw another):
                    // tell the device that wrote it that its value lost.
                    sql.push_str(&format!(
                        "IF $was{n}_{f}[0] != NONE AND $was{n}_{f}[0] != $base{n}_{f} AND $was{n}_{f}[0] < $clock{n} {{ \
                            LET $loser = (SELECT client, actor FROM op WHERE tb = $tb{n} AND key = $key{n} AND clock = $was{n}_{f}[0] LIMIT 1)[0]; \
                            IF $loser != NONE AND $loser.client != $client {{ \
                                CREATE conflict SET client = $loser.client, account = $loser.actor, tb = $tb{n}, key = $key{n}, field = '{name}', \
                                yours = $was{n}_{f}[1], winner = $v{n}_{f}, winner_name = $actor_name, at = $now, seq = $seq RETURN NONE; \
                            }}; \
                         }};\n"
                    ));
                    statement += 1;
                }
            }
            Effect::Append { list, item } => {
                let text = item.get("text").and_then(Value::as_str).unwrap_or_default().trim();
                let (rows, owner) = match *list {
                    "notes" => (&mut notes, "branch"),
                    "comments" => (&mut comments, "project"),
                    other => return Err(surrealdb::Error::internal(format!("no storage for list {other}"))),
                };
                // Keyed by the operation id, like the log entry: an item is appended once.
                rows.push(json!({
                    "id": op.id.to_string(), owner: op.key, "text": text, "author": ctx.actor.account,
                    "author_name": ctx.actor_name, "clock": op.clock.to_string(), "at": applied_at,
                }));
            }
            Effect::Password { hash } => {
                vars.insert(format!("hash{n}"), json!(hash));
                sql.push_str(&format!(
                    "UPDATE type::record('account', $key{n}) SET password_hash = $hash{n};\n\
                     DELETE session WHERE account = $key{n} AND record::id(id) != $own_session;\n"
                ));
                statement += 2;
            }
        }
    }
    // The log and appended items, each in one statement. A plain INSERT: if another
    // instance logged one of these ids meanwhile, the whole transaction fails and the
    // retry answers that operation as a duplicate.
    vars.insert("log".into(), Value::Array(log));
    sql.push_str("INSERT INTO op $log RETURN NONE;\n");
    for (table, rows) in [("branch_note", notes), ("project_comment", comments)] {
        if !rows.is_empty() {
            vars.insert(table.into(), Value::Array(rows));
            sql.push_str(&format!("INSERT INTO {table} ${table} RETURN NONE;\n"));
        }
    }
    sql.push_str("COMMIT TRANSACTION;\n");
    let mut response = db.query(sql).bind(Value::Object(vars)).await?;
    let errors = response.take_errors();
    if let Some((_, first)) = errors.into_iter().min_by_key(|(i, _)| *i) {
        return Err(first);
    }
    let mut superseded: HashMap<usize, Vec<String>> = HashMap::new();
    for (statement, index, name) in field_statements {
        let written: surrealdb::types::Value = response.take(statement)?;
        let lost = match written.into_json_value() {
            Value::Array(list) => list.is_empty(),
            Value::Null => true,
            _ => false,
        };
        if lost {
            superseded.entry(index).or_default().push(name.to_string());
        }
    }
    Ok(superseded.into_iter().collect())
}
