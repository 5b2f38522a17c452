//! Applying a batch of operations: validated with the shared domain rules, written in
//! one transaction together with the operation log, idempotent by operation id.

use app::db::{now_ms, rows, Db};
use app::domain::hlc::{Clock, Stamp};
use app::domain::ops::{OpKind, OpResult, OpStatus, Operation, Reason};
use app::domain::org::Actor;
use app::domain::projects::Status;
use app::domain::records::{valid_key, validate, Table, Target};
use app::i18n::{reason_message, Locale};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use tokio::sync::Mutex;

/// Attempts of a transaction that the database answers with a write conflict
/// (another instance wrote the same records); the retry stays idempotent.
const MAX_ATTEMPTS: usize = 8;

/// Pushes waiting for the writer at most (`XIANFENG_WRITE_QUEUE`); beyond it a push is
/// answered 429 rather than the queue growing without bound.
const QUEUE_LIMIT: usize = 256;
/// The most operations one group commit gathers.
const GROUP_OPS: usize = 1_000;

/// One per server instance: a task that gathers the operations of concurrent pushes into
/// one transaction (group commit), so this instance's writes never conflict with each
/// other and one durable commit serves many pushes. It also keeps the server's clock.
pub struct Writer {
    clock: Mutex<Clock>,
    queue: tokio::sync::mpsc::Sender<Job>,
}

type Reply = tokio::sync::oneshot::Sender<Result<Vec<OpResult>, ApplyError>>;

/// A push waiting for the writer, and where its answer goes.
struct Job {
    ctx: Context,
    ops: Vec<Operation>,
    reply: Option<Reply>,
}

/// The writer's queue is full: the push is answered 429 and retried later.
#[derive(Debug)]
pub struct Busy;

impl Writer {
    /// Starts this instance's writer on `db`.
    pub fn start(db: Db, node: &str) -> std::sync::Arc<Writer> {
        let capacity = std::env::var("XIANFENG_WRITE_QUEUE").ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(QUEUE_LIMIT);
        let (queue, jobs) = tokio::sync::mpsc::channel(capacity);
        tracing::debug!(capacity, "writer started");
        let writer = std::sync::Arc::new(Writer { clock: Mutex::new(Clock::new(node)), queue });
        // `XIANFENG_GROUP_COMMIT=off` commits each push alone (to measure what grouping gives).
        let limit = if std::env::var("XIANFENG_GROUP_COMMIT").as_deref() == Ok("off") { 0 } else { GROUP_OPS };
        tokio::spawn(run_writer(db, std::sync::Arc::downgrade(&writer), jobs, limit));
        writer
    }

    /// A stamp from the server's clock, for operations the server makes on someone's
    /// behalf (a resident's public form).
    pub async fn stamp(&self) -> Stamp {
        self.clock.lock().await.tick(now_ms().max(0) as u64)
    }

    /// Applies one push with whatever else arrives meanwhile; answers after the commit.
    pub async fn submit(&self, ctx: Context, ops: Vec<Operation>) -> Result<Result<(Vec<OpResult>, Stamp), ApplyError>, Busy> {
        let clocks: Vec<Stamp> = ops.iter().map(|op| op.clock.clone()).collect();
        let (reply, answer) = tokio::sync::oneshot::channel();
        match self.queue.try_send(Job { ctx, ops, reply: Some(reply) }) {
            Ok(()) => {}
            Err(tokio::sync::mpsc::error::TrySendError::Full(_)) => return Err(Busy),
            // No writer: an error for the operator, not "busy" for a tablet to retry forever.
            Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => return Ok(Err(ApplyError::Stopped)),
        }
        let results = match answer.await {
            Ok(results) => results,
            Err(_) => Err(ApplyError::Stopped),
        };
        let mut clock = self.clock.lock().await;
        let now = now_ms().max(0) as u64;
        // Only the clocks of operations that were applied: a refused one, whatever its
        // stamp, moves nothing (a crafted counter must not reach every device's answers).
        if let Ok(results) = &results {
            for (stamp, result) in clocks.iter().zip(results) {
                if result.status == OpStatus::Accepted && !result.duplicate {
                    clock.observe(stamp, now);
                }
            }
        }
        let answer_clock = clock.tick(now);
        Ok(results.map(|r| (r, answer_clock)))
    }
}

async fn run_writer(db: Db, writer: std::sync::Weak<Writer>, mut jobs: tokio::sync::mpsc::Receiver<Job>, limit: usize) {
    while let Some(first) = jobs.recv().await {
        if writer.upgrade().is_none() {
            return;
        }
        // Whatever arrived while the last commit ran joins this one: a lone push is
        // committed at once, and under load each commit serves many pushes.
        let mut group = vec![first];
        let mut ops = group[0].ops.len();
        while ops < limit {
            match jobs.try_recv() {
                Ok(job) => {
                    ops += job.ops.len();
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        let mut replies: Vec<Option<Reply>> = group.iter_mut().map(|j| j.reply.take()).collect();
        let pushes: Vec<(&Context, &[Operation])> = group.iter().map(|j| (&j.ctx, j.ops.as_slice())).collect();
        #[cfg(feature = "broken-answer-early")]
        let outcome = {
            // Deliberately wrong (see Cargo.toml): answers before the commit.
            let mut early = |answers: &[Vec<OpResult>]| {
                for (reply, answer) in replies.iter_mut().zip(answers) {
                    if let Some(reply) = reply.take() {
                        let _ = reply.send(Ok(answer.clone()));
                    }
                }
            };
            unwound(apply_group(&db, &pushes, &mut early)).await
        };
        #[cfg(not(feature = "broken-answer-early"))]
        let outcome = unwound(apply_group(&db, &pushes, &mut |_| {})).await;
        let mut answer = |p: usize, result: Result<Vec<OpResult>, ApplyError>| {
            if let Some(reply) = replies[p].take() {
                let _ = reply.send(result);
            }
        };
        match outcome {
            Ok(answers) => {
                for (p, results) in answers.into_iter().enumerate() {
                    answer(p, Ok(results));
                }
            }
            // The group failed as a whole: apply each push alone, so that one push the
            // database refuses never fails the others.
            Err(_) if pushes.len() > 1 => {
                for (p, push) in pushes.iter().enumerate() {
                    let alone = unwound(apply_group(&db, &[*push], &mut |_| {})).await.map(|mut a| a.remove(0));
                    answer(p, alone);
                }
            }
            Err(error) => answer(0, Err(error)),
        }
    }
}

/// A group's application with a panic caught: the pushes in it are answered with an
/// error (their transaction never committed) and the writer goes on serving the rest.
async fn unwound<T>(apply: impl std::future::Future<Output = Result<T, ApplyError>>) -> Result<T, ApplyError> {
    use futures::FutureExt;
    match std::panic::AssertUnwindSafe(apply).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(panic) => {
            let what = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default();
            tracing::error!(panic = %what, "the writer panicked applying a group; its pushes were answered with an error");
            Err(ApplyError::Failed("the writer panicked".into()))
        }
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
    /// The push's one password change, checked before the writer sees it (Argon2 takes
    /// tens of milliseconds, and the writer serves everyone).
    pub password: Option<PasswordCheck>,
}

/// A password change's current password, checked, and its new one hashed if it was right.
pub struct PasswordCheck {
    pub op: uuid::Uuid,
    pub outcome: Result<String, Reason>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("database: {0}")]
    Database(#[from] surrealdb::Error),
    #[error("gave up after {MAX_ATTEMPTS} write conflicts")]
    Conflicts,
    #[error("the writer stopped")]
    Stopped,
    #[error("{0}")]
    Failed(String),
}

/// What one accepted operation writes.
pub(crate) enum Effect {
    Set {
        fields: Vec<(&'static str, Value)>,
    },
    Create {
        fields: Vec<(&'static str, Value)>,
    },
    Append {
        list: &'static str,
        item: Value,
    },
    Password {
        hash: String,
    },
    /// `baseline`: on filing, each plan task's scheduled `{key, start, finish}`.
    Transition {
        from: Status,
        to: Status,
        note: String,
        filing: Option<String>,
        baseline: Vec<Value>,
    },
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
    /// The plans this batch touched, as its accepted operations leave them.
    pub plans: HashMap<String, app::domain::gantt::Plan>,
    pub calendar: Option<app::domain::schedule::Calendar>,
    /// Every mentor pairing, as this batch leaves them.
    pub pairings: Option<Vec<app::domain::mentors::Pairing>>,
    /// Each touched record's field clocks, as stored and then as this batch leaves them:
    /// what decides which of an operation's fields will be stored (`winning`).
    pub clocks: HashMap<(String, String), Map<String, Value>>,
    /// Wrong check-in codes refused in this batch: (sign-up, activity). The write counts
    /// them in the database with the refusals.
    pub wrong_codes: Vec<(String, String)>,
    /// What this batch read whole to check a rule across records, with its highest commit
    /// number when read: the write checks that no other instance changed it meanwhile.
    pub watched: HashMap<Watched, i64>,
}

/// A set of records a rule reads whole (a plan for its cycles, the pairings for "one
/// mentor per branch"), watched by its highest commit number between the check and the
/// write: two instances checking at once cannot both write what only one may.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Watched {
    /// One project's plan: its tasks and links.
    Plan(String),
    /// Every mentor pairing.
    Pairings,
}

/// The highest commit number over every pairing (0 for none), as a SurrealQL expression.
pub const PAIRINGS_SEQ: &str = "(math::max(array::concat((SELECT VALUE seq ?? 0 FROM mentor_pairing), [0])))";

impl Watched {
    /// The expression of its highest commit number, naming `$watch<i>` for its key.
    fn expression(&self, i: usize) -> String {
        match self {
            Watched::Plan(_) => app::gantt::store::PLAN_SEQ.replace("$project", &format!("$watch{i}")),
            Watched::Pairings => PAIRINGS_SEQ.to_string(),
        }
    }

    fn key(&self) -> Value {
        match self {
            Watched::Plan(project) => json!(project),
            Watched::Pairings => Value::Null,
        }
    }
}

/// Changes that belong in the audit log besides the operation log, written in the same
/// transaction: a volunteer's hours changed by hand (who, whose, how much, why).
fn audit_entry(ctx: &Context, op: &Operation, at: i64) -> Option<Value> {
    let OpKind::Set { fields } = &op.kind else { return None };
    if op.table != "signup" {
        return None;
    }
    let text = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or_default().trim().to_string();
    let (event, detail) = if let Some(minutes) = fields.get("adjust_minutes").and_then(Value::as_i64) {
        ("adjust_hours", format!("signup:{} {minutes:+} 分钟 {}", op.key, text("adjust_reason")))
    } else if let (Some(out), reason) = (fields.get("checked_out_at").and_then(Value::as_i64), text("checkout_reason")) {
        if reason.is_empty() {
            return None;
        }
        ("adjust_checkout", format!("signup:{} 签退 {out} {reason}", op.key))
    } else {
        return None;
    };
    Some(json!({ "at": at, "account": ctx.actor.account, "event": event, "detail": detail }))
}

/// Applies pushes together, in one transaction, and answers each push's operations.
/// Write conflicts (another instance wrote the same records) retry the whole group.
/// `planned` sees the answers before the commit (only the deliberately broken build
/// uses it, to answer early).
async fn apply_group(
    db: &Db,
    pushes: &[(&Context, &[Operation])],
    planned: &mut (dyn FnMut(&[Vec<OpResult>]) + Send),
) -> Result<Vec<Vec<OpResult>>, ApplyError> {
    let now = now_ms().max(0) as u64;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match try_apply(db, pushes, now, planned).await {
            Ok(results) => return Ok(results),
            Err(ApplyError::Database(e)) if is_conflict(&e) && attempt < MAX_ATTEMPTS => {
                tracing::debug!(attempt, "write conflict; retrying the group");
                tokio::time::sleep(std::time::Duration::from_millis(2 * attempt as u64)).await;
            }
            Err(ApplyError::Database(e)) if is_conflict(&e) => return Err(ApplyError::Conflicts),
            Err(e) => return Err(e),
        }
    }
}

/// A sign-up was checked before its transaction began (one phone once per activity, a
/// place free unless it waits): another instance may have taken the phone or the last
/// place meanwhile. Checked again inside the transaction; if either changed, the
/// transaction fails and the group is checked again (and then refused by the rule).
/// Answers how many statements it added.
fn signup_guard(n: usize, fields: &[(&'static str, Value)], sql: &mut String, vars: &mut Map<String, Value>) -> usize {
    let field = |name: &str| fields.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()).unwrap_or(Value::Null);
    let flag = |name: &str| field(name).as_bool().unwrap_or(false);
    vars.insert(format!("activity{n}"), field("activity"));
    vars.insert(format!("phone{n}"), field("phone_hash"));
    vars.insert(format!("needs_place{n}"), json!(!flag("wait") && !flag("walk_in")));
    sql.push_str(&format!(
        "IF $phone{n} != NONE AND $phone{n} != '' AND array::len(SELECT VALUE id FROM signup WHERE activity = $activity{n} AND phone_hash = $phone{n}) > 0 \
         {{ THROW 'phone signed up meanwhile; can be retried' }};\n\
         IF $needs_place{n} AND array::len(SELECT VALUE id FROM signup WHERE activity = $activity{n} AND active = true AND walk_in != true) \
         >= ((SELECT VALUE capacity FROM ONLY type::record('activity', $activity{n})) ?? 0) {{ THROW 'places taken meanwhile; can be retried' }};\n"
    ));
    2
}

fn is_conflict(error: &surrealdb::Error) -> bool {
    let text = error.to_string();
    // A log entry or device mark written meanwhile by another instance also fails the
    // transaction; the retry then answers that operation as a duplicate.
    text.contains("can be retried") || (text.contains("already exists") && (text.contains("op:") || text.contains("client_mark:")))
}

/// One operation of a group: the push it came with and its place there.
#[derive(Clone, Copy)]
pub(crate) struct Slot {
    pub push: usize,
    pub index: usize,
}

/// What a group will write: accepted operations with their effects, refused ones (logged
/// with the reason, so a replay gets the same answer), and each device's new mark.
struct Plan {
    results: Vec<Vec<OpResult>>,
    accepted: Vec<(Slot, Effect)>,
    refused: Vec<(Slot, Reason)>,
    /// Device key → (account, last number applied).
    marks: HashMap<String, (String, u64)>,
    wrong_codes: Vec<(String, String)>,
    watched: HashMap<Watched, i64>,
}

/// The order a group is checked in: operations in clock order across pushes, so two state
/// changes of one project are checked one after the other as they were made; but each
/// device's numbered operations in their numbers' order, in the places its operations hold.
fn check_order(pushes: &[(&Context, &[Operation])]) -> Vec<Slot> {
    let op = |slot: &Slot| &pushes[slot.push].1[slot.index];
    let mut order: Vec<Slot> = pushes.iter().enumerate().flat_map(|(push, (_, ops))| (0..ops.len()).map(move |index| Slot { push, index })).collect();
    order.sort_by(|a, b| op(a).clock.cmp(&op(b).clock).then(a.push.cmp(&b.push)).then(a.index.cmp(&b.index)));
    let mut places: HashMap<String, Vec<usize>> = HashMap::new();
    for (place, slot) in order.iter().enumerate() {
        if op(slot).n.is_some() {
            let (ctx, _) = pushes[slot.push];
            places.entry(super::device_key(&ctx.actor.account, &ctx.client)).or_default().push(place);
        }
    }
    for positions in places.values() {
        let mut slots: Vec<Slot> = positions.iter().map(|&p| order[p]).collect();
        slots.sort_by_key(|slot| op(slot).n);
        for (&place, slot) in positions.iter().zip(slots) {
            order[place] = slot;
        }
    }
    order
}

async fn try_apply(
    db: &Db,
    pushes: &[(&Context, &[Operation])],
    now: u64,
    planned: &mut (dyn FnMut(&[Vec<OpResult>]) + Send),
) -> Result<Vec<Vec<OpResult>>, ApplyError> {
    let t0 = std::time::Instant::now();
    let plan = plan(db, pushes, now).await?;
    let t1 = std::time::Instant::now();
    planned(&plan.results);
    let Plan { mut results, accepted, refused, marks, wrong_codes, watched } = plan;
    if accepted.is_empty() && refused.is_empty() && marks.is_empty() {
        return Ok(results);
    }
    let superseded = write(db, pushes, &accepted, &refused, &marks, &wrong_codes, &watched).await?;
    tracing::debug!(pushes = pushes.len(), ops = results.iter().map(Vec::len).sum::<usize>(), check = ?(t1 - t0), write = ?t1.elapsed(), "group applied");
    for (slot, fields) in superseded {
        results[slot.push][slot.index].superseded = fields;
    }
    Ok(results)
}

/// Checks a group's operations in order and answers each; writes nothing.
async fn plan(db: &Db, pushes: &[(&Context, &[Operation])], now: u64) -> Result<Plan, ApplyError> {
    let all: Vec<&Operation> = pushes.iter().flat_map(|(_, ops)| ops.iter()).collect();
    let known = if cfg!(feature = "broken-skip-dedupe") { HashMap::new() } else { known_ops(db, &all).await? };
    let devices: Vec<String> =
        pushes.iter().filter(|(_, ops)| ops.iter().any(|op| op.n.is_some())).map(|(ctx, _)| super::device_key(&ctx.actor.account, &ctx.client)).collect();
    let stored_marks = device_marks(db, &devices).await?;
    let mut marks: HashMap<String, (String, u64)> = HashMap::new();
    let mut first_answers: HashMap<uuid::Uuid, OpResult> = HashMap::new();
    let mut results: Vec<Vec<Option<OpResult>>> = pushes.iter().map(|(_, ops)| vec![None; ops.len()]).collect();
    let mut accepted: Vec<(Slot, Effect)> = Vec::new();
    let mut refused: Vec<(Slot, Reason)> = Vec::new();
    let (mut rows, clocks) = load_rows(db, &all).await?;
    let mut batch = BatchFacts { clocks, ..BatchFacts::default() };
    for slot in check_order(pushes) {
        let (ctx, ops) = pushes[slot.push];
        let op = &ops[slot.index];
        let result = if let Some(outcome) = known.get(&op.id) {
            // A replay: the answer it had, applied once.
            match outcome {
                None => OpResult::duplicate(op.id),
                Some(reason) => OpResult { duplicate: true, ..OpResult::rejected(op.id, reason.clone(), reason_message(ctx.locale, reason)) },
            }
        } else if let Some(first) = first_answers.get(&op.id).filter(|_| !cfg!(feature = "broken-skip-dedupe")) {
            // A second copy inside this group.
            OpResult { duplicate: first.status != app::domain::ops::OpStatus::Retry, ..first.clone() }
        } else {
            let device = super::device_key(&ctx.actor.account, &ctx.client);
            let mark =
                op.n.filter(|_| !cfg!(feature = "broken-skip-dedupe"))
                    .map(|_| marks.get(&device).map(|(_, n)| *n).or_else(|| stored_marks.get(&device).copied()).unwrap_or(0));
            let result = match (op.n, mark) {
                (Some(n), Some(mark)) if n <= mark => OpResult::retry(op.id, Reason::NumberUsed { next: mark + 1 }),
                (Some(n), Some(mark)) if n > mark + 1 => OpResult::retry(op.id, Reason::OutOfOrder { expected: mark + 1 }),
                (n, _) => {
                    if let (Some(n), Some(_)) = (n, mark) {
                        marks.insert(device, (ctx.actor.account.clone(), n));
                    }
                    match check(db, ctx, op, now, &mut rows, &mut batch).await? {
                        Ok(effect) => {
                            accepted.push((slot, effect));
                            OpResult::accepted(op.id)
                        }
                        Err(reason) => {
                            let message = reason_message(ctx.locale, &reason);
                            refused.push((slot, reason.clone()));
                            OpResult::rejected(op.id, reason, message)
                        }
                    }
                }
            };
            first_answers.insert(op.id, result.clone());
            result
        };
        results[slot.push][slot.index] = Some(result);
    }
    #[allow(clippy::expect_used, reason = "the loop above answers every slot: accepted, refused or a duplicate")]
    let results = results.into_iter().map(|r| r.into_iter().map(|x| x.expect("every operation answered")).collect()).collect();
    Ok(Plan { results, accepted, refused, marks, wrong_codes: batch.wrong_codes, watched: batch.watched })
}

/// The operations among `ops` that the log already holds, with the reason each was
/// refused (`None`: applied). Looked up by record id, not scanned.
async fn known_ops(db: &Db, ops: &[&Operation]) -> Result<HashMap<uuid::Uuid, Option<Reason>>, surrealdb::Error> {
    let ids: Vec<String> = ops.iter().map(|op| op.id.to_string()).collect();
    let found: Vec<Value> = rows(
        db,
        "SELECT record::id(id) AS id, reason FROM array::filter(array::map($ids, |$i| type::record('op', $i)), |$r| record::exists($r))",
        json!({ "ids": ids }),
        0,
    )
    .await?;
    Ok(found
        .into_iter()
        .filter_map(|row| {
            let id = row.get("id")?.as_str()?.parse().ok()?;
            let reason = row.get("reason").filter(|r| !r.is_null()).and_then(|r| serde_json::from_value(r.clone()).ok());
            Some((id, reason))
        })
        .collect())
}

/// The last number applied of each device (person on a device) that has one.
async fn device_marks(db: &Db, devices: &[String]) -> Result<HashMap<String, u64>, surrealdb::Error> {
    if devices.is_empty() {
        return Ok(HashMap::new());
    }
    let found: Vec<Value> = rows(
        db,
        "SELECT record::id(id) AS id, applied FROM array::filter(array::map($keys, |$k| type::record('client_mark', $k)), |$r| record::exists($r))",
        json!({ "keys": devices }),
        0,
    )
    .await?;
    Ok(found.into_iter().filter_map(|row| Some((row.get("id")?.as_str()?.to_string(), row.get("applied")?.as_u64()?))).collect())
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
    // Every record a group touches was read beforehand (`load_rows`).
    let cache_key = (op.table.clone(), op.key.clone());
    let row = rows.get(&cache_key).cloned().flatten();
    let creating = matches!(op.kind, OpKind::Create { .. });
    let row = match (row, creating) {
        (Some(_), true) => return Ok(Err(Reason::AlreadyExists)),
        (None, false) => return Ok(Err(Reason::UnknownRecord)),
        (None, true) => Row::new(),
        (Some(row), false) => row,
    };
    let text = |name: &str, row: &Row| row.get(name).and_then(Value::as_str).map(str::to_string);
    // The rules across records check what will be stored: a field whose stored value is
    // newer than this operation's keeps it (last writer wins, in the write's SQL too).
    let sent = op;
    let op = &winning(op, batch.clocks.get(&cache_key));
    let mut plan_of: Option<String> = None;
    let target = match (table, &op.kind) {
        (Table::Branch, _) => Target { branch: Some(op.key.clone()), account: None },
        (Table::Account, _) => Target { branch: text("branch", &row), account: Some(op.key.clone()) },
        (Table::Project, OpKind::Create { fields }) => Target { branch: fields.get("branch").and_then(Value::as_str).map(str::to_string), account: None },
        (Table::Project, _) => Target { branch: text("branch", &row), account: None },
        (Table::GanttTask | Table::GanttLink, _) => match super::gantt::project_of(db, op, &row, rows).await? {
            Ok((project, branch)) => {
                plan_of = Some(project);
                Target { branch: Some(branch), account: None }
            }
            Err(reason) => return Ok(Err(reason)),
        },
        (Table::MentorSession, OpKind::Create { fields }) => {
            Target { branch: fields.get("branch").and_then(Value::as_str).map(str::to_string), account: super::mentors::mentor_account(db, op, &row).await? }
        }
        (Table::MentorSession, _) => Target { branch: text("branch", &row), account: super::mentors::mentor_account(db, op, &row).await? },
        (Table::CatalogEntry | Table::StreetYear | Table::CalendarDay | Table::Mentor | Table::MentorPairing, _) => Target { branch: None, account: None },
        (Table::Brand, _) => Target { branch: Some(op.key.clone()), account: None },
        (Table::VolunteerTeam | Table::Activity, OpKind::Create { fields }) => {
            Target { branch: fields.get("branch").and_then(Value::as_str).map(str::to_string), account: None }
        }
        (Table::VolunteerTeam | Table::Activity, _) => Target { branch: text("branch", &row), account: None },
        (Table::Signup, _) => super::volunteers::target(db, op, &row, rows).await?,
        (Table::Partner, OpKind::Create { fields }) => {
            Target { branch: fields.get("branch").and_then(Value::as_str).map(str::to_string), account: Some(format!("resident:{}", op.key)) }
        }
        (Table::Partner, _) => Target { branch: text("branch", &row), account: Some(format!("resident:{}", op.key)) },
    };
    if let Err(reason) = validate(&ctx.actor, sent, &target) {
        return Ok(Err(reason));
    }
    // What the server adds to a sign-up (when it was made).
    let mut added: Vec<(&'static str, Value)> = Vec::new();
    let rule = match table {
        Table::Project => super::projects::check(db, op, &row, batch).await?,
        Table::GanttTask | Table::GanttLink => super::gantt::check(db, &ctx.actor, op, plan_of.as_deref().unwrap_or_default(), rows, batch).await?,
        Table::MentorPairing | Table::MentorSession => super::mentors::check(db, op, &row, batch).await?,
        Table::Activity => super::volunteers::check_activity(op, &row),
        Table::Brand => super::volunteers::check_brand(db, op).await?,
        Table::Partner => match super::volunteers::check_partner(db, op).await? {
            Ok(fields) => {
                added = fields;
                Ok(())
            }
            Err(reason) => Err(reason),
        },
        Table::Signup => match super::volunteers::check(db, &ctx.actor, op, &row, now as i64, rows, batch).await? {
            Ok(fields) => {
                added = fields;
                Ok(())
            }
            Err(reason) => Err(reason),
        },
        // A calendar day is keyed by its date.
        Table::CalendarDay if app::domain::time::parse_date(&op.key).is_none() => Err(Reason::InvalidValue { field: "date".into() }),
        _ => Ok(()),
    };
    if let Err(reason) = rule {
        return Ok(Err(reason));
    }
    let added_names: Vec<&'static str> = added.iter().map(|(name, _)| *name).collect();
    let effect = match &sent.kind {
        OpKind::Set { fields } | OpKind::Create { fields } => {
            let mut named = Vec::with_capacity(fields.len());
            for (name, value) in fields {
                let Some(name) = table.field_name(name) else {
                    return Ok(Err(Reason::UnknownField { field: name.clone() }));
                };
                // A typed check-in code was checked; it is not kept. `erase` is an act, not a field.
                if table == Table::Signup && (name == "code" || name == "erase") {
                    continue;
                }
                named.push((name, normalise(value)));
            }
            // What the server decides wins over what was sent (a late check-out stored as the end).
            for (name, value) in added {
                named.retain(|(sent, _)| *sent != name);
                named.push((name, value));
            }
            if creating {
                Effect::Create { fields: named }
            } else {
                Effect::Set { fields: named }
            }
        }
        OpKind::Append { list, item } => match table.list_name(list) {
            Some(list) => Effect::Append { list, item: item.clone() },
            None => return Ok(Err(Reason::UnknownList { list: list.clone() })),
        },
        OpKind::ChangePassword { .. } => match ctx.password.as_ref().filter(|check| check.op == op.id).map(|check| &check.outcome) {
            Some(Ok(hash)) => Effect::Password { hash: hash.clone() },
            Some(Err(reason)) => return Ok(Err(reason.clone())),
            // A second password change in one push: the device sends it again alone.
            None => return Ok(Err(Reason::OnePasswordChangeAtATime)),
        },
        OpKind::Transition { to, note } => match super::projects::transition_effect(db, ctx, &op.key, &row, to, note.as_deref(), batch).await? {
            Ok(effect) => effect,
            Err(reason) => return Ok(Err(reason)),
        },
    };
    // Later operations of this batch see this one's changes: the fields that win.
    let mut next = row;
    let stays = |name: &str| added_names.contains(&name) || matches!(&op.kind, OpKind::Set { fields } | OpKind::Create { fields } if fields.contains_key(name));
    match &effect {
        Effect::Set { fields } | Effect::Create { fields } => {
            let clocks = batch.clocks.entry(cache_key.clone()).or_default();
            for (name, value) in fields.iter().filter(|(name, _)| creating || stays(name)) {
                next.insert(name.to_string(), value.clone());
                clocks.insert(name.to_string(), json!(op.clock.to_string()));
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

/// `op` as far as it will be stored over a record with these field clocks: a `set` keeps
/// the fields whose stored clock is missing or older (compared as text, as the write's SQL
/// does); a field written later by someone else is left out.
fn winning(op: &Operation, clocks: Option<&Map<String, Value>>) -> Operation {
    let OpKind::Set { fields } = &op.kind else { return op.clone() };
    let clock = op.clock.to_string();
    let wins = |name: &str| clocks.and_then(|c| c.get(name)).and_then(Value::as_str).is_none_or(|stored| stored < clock.as_str());
    let fields = fields.iter().filter(|(name, _)| wins(name)).map(|(name, value)| (name.clone(), value.clone())).collect();
    Operation { kind: OpKind::Set { fields }, ..op.clone() }
}

/// The records a group touches, each table in one query (not one per operation), and
/// their field clocks apart.
async fn load_rows(db: &Db, ops: &[&Operation]) -> Result<(Rows, HashMap<(String, String), Map<String, Value>>), surrealdb::Error> {
    let mut wanted: HashMap<Table, Vec<String>> = HashMap::new();
    for op in ops {
        if let Some(table) = Table::from_name(&op.table).filter(|_| valid_key(&op.key)) {
            let keys = wanted.entry(table).or_default();
            if !keys.contains(&op.key) {
                keys.push(op.key.clone());
            }
        }
    }
    let mut loaded: Rows = HashMap::new();
    let mut clocks = HashMap::new();
    for (table, keys) in wanted {
        let sql = format!(
            "SELECT record::id(id) AS _key, * OMIT id FROM array::filter(array::map($keys, |$k| type::record('{}', $k)), |$r| record::exists($r))",
            table.name()
        );
        let found: Vec<Value> = rows(db, &sql, json!({ "keys": keys }), 0).await?;
        for key in &keys {
            loaded.insert((table.name().to_string(), key.clone()), None);
        }
        for row in found {
            if let Value::Object(mut map) = row {
                if let Some(Value::String(key)) = map.remove("_key") {
                    if let Some(Value::Object(stored)) = map.remove("clocks") {
                        clocks.insert((table.name().to_string(), key.clone()), stored);
                    }
                    loaded.insert((table.name().to_string(), key), Some(map));
                }
            }
        }
    }
    Ok((loaded, clocks))
}

/// Writes the accepted operations and their log entries in one transaction. Returns,
/// per operation index, the fields whose value lost to a later clock.
async fn write(
    db: &Db,
    pushes: &[(&Context, &[Operation])],
    accepted: &[(Slot, Effect)],
    refused: &[(Slot, Reason)],
    marks: &HashMap<String, (String, u64)>,
    wrong_codes: &[(String, String)],
    watched: &HashMap<Watched, i64>,
) -> Result<Vec<(Slot, Vec<String>)>, surrealdb::Error> {
    let mut sql = String::from("BEGIN TRANSACTION;\n");
    let mut vars = Map::new();
    // Statement 0 is BEGIN; each pushed statement gets the next index.
    let mut statement = 0usize;
    let mut field_statements: Vec<(usize, Slot, &'static str)> = Vec::new();
    let (mut log, mut notes, mut comments, mut audits) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let applied_at = now_ms();
    // Who sent each push: `$actor_name<p>`, `$client<p>`, `$own_session<p>`.
    for (p, (ctx, _)) in pushes.iter().enumerate() {
        vars.insert(format!("actor_name{p}"), json!(ctx.actor_name));
        vars.insert(format!("client{p}"), json!(ctx.client));
        vars.insert(format!("own_session{p}"), json!(ctx.session));
    }
    vars.insert("now".into(), json!(applied_at));
    // Every record this transaction changes carries its commit's number (see migration 3).
    if !accepted.is_empty() {
        sql.push_str("LET $seq = (UPDATE ONLY sync_seq:global SET n += 1 RETURN VALUE n);\n");
        statement += 1;
        // Records checked whole before this transaction (a plan's cycles, the pairings):
        // if another instance changed them meanwhile, fail, and the group is checked again.
        for (i, (set, seen)) in watched.iter().enumerate() {
            vars.insert(format!("watch{i}"), set.key());
            vars.insert(format!("watch_seen{i}"), json!(seen));
            sql.push_str(&format!("IF {} != $watch_seen{i} {{ THROW 'checked records changed meanwhile; can be retried' }};\n", set.expression(i)));
            statement += 1;
        }
    }
    for (n, (slot, effect)) in accepted.iter().enumerate() {
        let (ctx, ops) = pushes[slot.push];
        let op = &ops[slot.index];
        let p = slot.push;
        let index = slot;
        let _ = ctx;
        vars.insert(format!("id{n}"), json!(op.id.to_string()));
        vars.insert(format!("tb{n}"), json!(op.table));
        vars.insert(format!("key{n}"), json!(op.key));
        vars.insert(format!("clock{n}"), json!(op.clock.to_string()));
        log.push(log_entry(ctx, op, applied_at, None));
        audits.extend(audit_entry(ctx, op, applied_at));
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
                if op.table == "signup" {
                    statement += signup_guard(n, fields, &mut sql, &mut vars);
                }
                vars.insert(format!("content{n}"), Value::Object(content));
                sql.push_str(&format!(
                    "CREATE type::record($tb{n}, $key{n}) CONTENT $content{n} RETURN NONE;\n\
                     UPDATE type::record($tb{n}, $key{n}) SET seq = $seq RETURN NONE;\n"
                ));
                statement += 2;
            }
            Effect::Transition { from, to, note, filing, baseline } => {
                if !baseline.is_empty() {
                    vars.insert(format!("baseline{n}"), Value::Array(baseline.clone()));
                    sql.push_str(&format!(
                        "FOR $b IN $baseline{n} {{ UPDATE type::record('gantt_task', $b.key) SET baseline_start = $b.start, baseline_finish = $b.finish, seq = $seq RETURN NONE; }};\n"
                    ));
                    statement += 1;
                }
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
            Effect::Set { fields } if op.table == "signup" && matches!(&op.kind, OpKind::Set { fields } if fields.get("erase") == Some(&Value::Bool(true))) => {
                // Erasure on request: the sealed name and phone go from the record and from
                // every log entry of it, so nothing is left to open even with the key.
                let mut content = Map::new();
                for (name, value) in fields {
                    content.insert(name.to_string(), value.clone());
                }
                vars.insert(format!("erased{n}"), Value::Object(content));
                // Every log entry of this sign-up, and of any other made with the same phone.
                sql.push_str(&format!(
                    "LET $phone{n} = (SELECT VALUE phone_hash FROM ONLY type::record($tb{n}, $key{n})) ?? '';\n\
                     UPDATE type::record($tb{n}, $key{n}) MERGE $erased{n} RETURN NONE;\n\
                     UPDATE type::record($tb{n}, $key{n}) SET seq = $seq RETURN NONE;\n\
                     UPDATE op SET kind.fields.name_cipher = '', kind.fields.name_mask = '已删除', kind.fields.phone_cipher = '', \
                     kind.fields.phone_hash = '', kind.fields.phone_mask = '' WHERE tb = 'signup' AND key = $key{n} AND kind.fields.name_cipher != NONE RETURN NONE;\n\
                     IF $phone{n} != '' {{ UPDATE op SET kind.fields.name_cipher = '', kind.fields.name_mask = '已删除', kind.fields.phone_cipher = '', \
                     kind.fields.phone_hash = '', kind.fields.phone_mask = '' WHERE kind.fields.phone_hash = $phone{n} RETURN NONE; }};\n"
                ));
                statement += 5;
            }
            Effect::Set { fields } => {
                // A project edited is touched even where its value lost (it was worked on).
                let touch = if op.table == "project" { ", updated_at = $now" } else { "" };
                for (f, (name, value)) in fields.iter().enumerate() {
                    vars.insert(format!("v{n}_{f}"), value.clone());
                    // Field names come from the static registry in `domain::records`, never from the request.
                    // One statement per field: the value and its clock move only if this clock is
                    // later (last writer wins); it answers whether they did.
                    let later = format!("(clocks.{name} = NONE OR clocks.{name} < $clock{n})");
                    let update = format!(
                        "UPDATE type::record($tb{n}, $key{n}) SET {name} = IF {later} THEN $v{n}_{f} ELSE {name} END, \
                         clocks.{name} = IF {later} THEN $clock{n} ELSE clocks.{name} END, seq = $seq{touch} \
                         RETURN VALUE clocks.{name} = $clock{n};\n"
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
                            IF $loser != NONE AND $loser.client != $client{p} {{ \
                                CREATE conflict SET client = $loser.client, account = $loser.actor, tb = $tb{n}, key = $key{n}, field = '{name}', \
                                yours = $was{n}_{f}[1], winner = $v{n}_{f}, winner_name = $actor_name{p}, at = $now, seq = $seq RETURN NONE; \
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
                    "id": item_id(op), owner: op.key, "text": text, "author": ctx.actor.account,
                    "author_name": ctx.actor_name, "clock": op.clock.to_string(), "at": applied_at,
                }));
            }
            Effect::Password { hash } => {
                vars.insert(format!("hash{n}"), json!(hash));
                sql.push_str(&format!(
                    "UPDATE type::record('account', $key{n}) SET password_hash = $hash{n}, must_change_password = false;\n\
                     DELETE session WHERE account = $key{n} AND record::id(id) != $own_session{p};\n"
                ));
                statement += 2;
            }
        }
    }
    // The log and appended items, each in one statement. A plain INSERT: if another
    // instance logged one of these ids meanwhile, the whole transaction fails and the
    // retry answers that operation as a duplicate.
    for (slot, reason) in refused {
        let (ctx, ops) = pushes[slot.push];
        log.push(log_entry(ctx, &ops[slot.index], applied_at, Some(reason)));
    }
    // Wrong check-in codes, counted where every instance sees them: two guesses counted
    // at once write the same records, and one of the two transactions is tried again.
    for (n, (signup, activity)) in wrong_codes.iter().enumerate() {
        vars.insert(format!("guessed{n}"), json!(signup));
        vars.insert(format!("guessed_at{n}"), json!([activity, applied_at / 60_000]));
        sql.push_str(&format!(
            "UPSERT type::record('code_tries', $guessed{n}) SET n += 1 RETURN NONE;\n\
             UPSERT type::record('code_tries_minute', $guessed_at{n}) SET n += 1, at = $now RETURN NONE;\n"
        ));
        // Not read back: the statements counted above are the last ones whose answers are.
    }
    vars.insert("log".into(), Value::Array(log));
    if cfg!(feature = "broken-skip-dedupe") {
        sql.push_str("INSERT IGNORE INTO op $log RETURN NONE;\n");
    } else {
        sql.push_str("INSERT INTO op $log RETURN NONE;\n");
    }
    if !marks.is_empty() {
        let marks: Vec<Value> = marks.iter().map(|(key, (account, n))| json!({ "key": key, "account": account, "applied": n })).collect();
        vars.insert("marks".into(), Value::Array(marks));
        sql.push_str("FOR $m IN $marks { UPSERT type::record('client_mark', $m.key) SET account = $m.account, applied = $m.applied RETURN NONE; };\n");
    }
    for (table, rows) in [("branch_note", notes), ("project_comment", comments)] {
        if !rows.is_empty() {
            vars.insert(table.into(), Value::Array(rows));
            sql.push_str(&format!("INSERT INTO {table} ${table} RETURN NONE;\n"));
        }
    }
    if !audits.is_empty() {
        vars.insert("audits".into(), Value::Array(audits));
        sql.push_str("INSERT INTO audit $audits RETURN NONE;\n");
    }
    sql.push_str("COMMIT TRANSACTION;\n");
    super::faults::before_commit()?;
    let mut response = db.query(sql).bind(Value::Object(vars)).await?;
    let errors = response.take_errors();
    if let Some((_, first)) = errors.into_iter().min_by_key(|(i, _)| *i) {
        return Err(first);
    }
    super::faults::after_commit()?;
    let mut superseded: Vec<(Slot, Vec<String>)> = Vec::new();
    for (statement, slot, name) in field_statements {
        let written: surrealdb::types::Value = response.take(statement)?;
        let lost = match written.into_json_value() {
            Value::Array(list) => list.first() != Some(&Value::Bool(true)),
            Value::Null => true,
            _ => false,
        };
        if lost {
            match superseded.iter_mut().find(|(s, _)| s.push == slot.push && s.index == slot.index) {
                Some((_, fields)) => fields.push(name.to_string()),
                None => superseded.push((slot, vec![name.to_string()])),
            }
        }
    }
    Ok(superseded)
}

/// The log's entry for an operation: what it did (secrets removed), who and when; and,
/// for a refused one, why.
fn log_entry(ctx: &Context, op: &Operation, applied_at: i64, refused: Option<&Reason>) -> Value {
    let mut kind = op.kind.redacted();
    // A refused operation changed nothing: its reason and keys are kept, never a
    // resident's sealed name or phone (which erasure could not find later).
    if refused.is_some() {
        if let (OpKind::Set { fields } | OpKind::Create { fields }, Some(table)) = (&mut kind, Table::from_name(&op.table)) {
            fields.retain(|name, _| !table.is_personal(name));
        }
    }
    let mut entry = json!({
        "id": op.id.to_string(), "tb": op.table, "key": op.key, "kind": serde_json::to_value(kind).unwrap_or(Value::Null),
        "clock": op.clock.to_string(), "actor": ctx.actor.account, "client": ctx.client, "applied_at": applied_at,
    });
    // Absent, not null: the fields are `option<…>`.
    if let Some(n) = op.n {
        entry["n"] = json!(n);
    }
    if let Some(reason) = refused {
        entry["reason"] = serde_json::to_value(reason).unwrap_or(Value::Null);
    }
    entry
}

/// An appended item is keyed by its operation's id, so it is appended once.
fn item_id(op: &Operation) -> String {
    if cfg!(feature = "broken-skip-dedupe") {
        // Deliberately wrong (see Cargo.toml): a replay appends the item again.
        return uuid::Uuid::now_v7().to_string();
    }
    op.id.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_applying_a_group_is_answered_as_an_error() {
        let outcome: Result<(), ApplyError> = unwound(async { panic!("a bug in one operation's rule") }).await;
        assert!(matches!(outcome, Err(ApplyError::Failed(_))), "{outcome:?}");
    }

    #[tokio::test]
    async fn a_writer_that_is_gone_answers_stopped_not_busy() {
        let (queue, jobs) = tokio::sync::mpsc::channel(4);
        drop(jobs);
        let writer = Writer { clock: Mutex::new(Clock::new("srv")), queue };
        let actor = Actor { account: "a".into(), role: app::domain::org::Role::StreetStaff, branch: None };
        let ctx = Context { actor, actor_name: "A".into(), client: "tab".into(), session: "s".into(), locale: Locale::ZhCn, password: None };
        assert!(matches!(writer.submit(ctx, vec![]).await, Ok(Err(ApplyError::Stopped))));
    }
}
