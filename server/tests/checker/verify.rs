//! What each run must satisfy, checked against the tablets' history, their local
//! copies, and the database read straight from disk with the server stopped.

use super::device::Device;
use super::history::{Ending, History};
use super::{Server, Stats, AHEAD, AHEAD_PLACES, PHONES, PROJECTS, TASKS, TEXT_FIELDS, UNDER_WAY};
use app::domain::hlc::Stamp;
use app::domain::ops::{OpKind, Operation};
use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// A random edit: mostly valid field edits and comments on the shared projects, some
/// state changes, and some the rules refuse (a title too short, another branch's project);
/// moves and links in the first project's plan (some close a cycle); sign-ups to the
/// activity ahead (the same phone twice, a full list, the waiting list) and cancellations;
/// walk-ins and check-ins at the activity under way.
pub fn random_edit(device: &Device, rng: &mut StdRng, step: usize) -> (&'static str, String, OpKind) {
    let token = format!("{}-{step}-{}", device.name, rng.gen::<u32>());
    let area: f64 = rng.gen();
    if area < 0.2 {
        return plan_edit(rng, &token);
    }
    if area < 0.4 {
        return signup_edit(device, rng, &token);
    }
    let key = PROJECTS[rng.gen_range(0..PROJECTS.len())].to_string();
    let roll: f64 = rng.gen();
    let kind = if roll < 0.45 {
        let field = TEXT_FIELDS[rng.gen_range(0..TEXT_FIELDS.len())];
        OpKind::Set { fields: [(field.to_string(), json!(token))].into() }
    } else if roll < 0.70 {
        OpKind::Append { list: "comments".into(), item: json!({ "text": token }) }
    } else if roll < 0.90 {
        let (to, note) = match rng.gen_range(0..5) {
            0 => ("submitted", None),
            1 => ("in_review", None),
            2 => ("returned", Some("请补充".to_string())),
            3 => ("draft", None),
            _ => ("filed", None),
        };
        OpKind::Transition { to: to.into(), note }
    } else {
        // Refused by the rules: too short a title.
        OpKind::Set { fields: [("title".to_string(), json!("x"))].into() }
    };
    ("project", key, kind)
}

fn fields(list: Vec<(&str, Value)>) -> BTreeMap<String, Value> {
    list.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// A task moved or lengthened, or a link between two of the plan's tasks.
fn plan_edit(rng: &mut StdRng, token: &str) -> (&'static str, String, OpKind) {
    let task = TASKS[rng.gen_range(0..TASKS.len())];
    if rng.gen_bool(0.5) {
        let change = if rng.gen_bool(0.5) { ("start", json!(format!("2027-03-{:02}", rng.gen_range(1..=28)))) } else { ("duration", json!(rng.gen_range(1..=10))) };
        return ("gantt_task", task.to_string(), OpKind::Set { fields: fields(vec![change]) });
    }
    let other = TASKS[rng.gen_range(0..TASKS.len())];
    let link = fields(vec![("project", json!(PROJECTS[0])), ("branch", json!("wenxing")), ("from", json!(task)), ("to", json!(other))]);
    ("gantt_link", format!("chkl-{token}"), OpKind::Create { fields: link })
}

/// The sign-ups this device made, of one activity.
fn my_signups(device: &Device, activity: &str) -> Vec<String> {
    let history = device.history.lock().unwrap();
    history
        .made
        .iter()
        .filter(|(by, op)| by == &device.name && op.table == "signup" && matches!(&op.kind, OpKind::Create { fields } if fields.get("activity") == Some(&json!(activity))))
        .map(|(_, op)| op.key.clone())
        .collect()
}

/// A sign-up (ahead, sometimes to the waiting list), a cancellation, a walk-in or a
/// check-in (under way).
fn signup_edit(device: &Device, rng: &mut StdRng, token: &str) -> (&'static str, String, OpKind) {
    let phone = PHONES[rng.gen_range(0..PHONES.len())];
    let key = format!("chks-{}", token.replace(|c: char| !c.is_ascii_alphanumeric(), ""));
    let signup = |activity: &str, extra: Vec<(&str, Value)>| {
        let mut list = vec![("activity", json!(activity)), ("branch", json!("wenxing")), ("name", json!("检查员")), ("phone", json!(phone)), ("consent", json!(true))];
        list.extend(extra);
        OpKind::Create { fields: fields(list) }
    };
    let pick = |keys: Vec<String>, rng: &mut StdRng| (!keys.is_empty()).then(|| keys[rng.gen_range(0..keys.len())].clone());
    match rng.gen_range(0..10) {
        0..=3 => ("signup", key, signup(AHEAD, vec![("wait", json!(rng.gen_bool(0.4)))])),
        4 | 5 => match pick(my_signups(device, AHEAD), rng) {
            Some(mine) => ("signup", mine, OpKind::Set { fields: fields(vec![("active", json!(false))]) }),
            None => ("signup", key, signup(AHEAD, vec![])),
        },
        6 | 7 => ("signup", key, signup(UNDER_WAY, vec![("walk_in", json!(true))])),
        _ => match pick(my_signups(device, UNDER_WAY), rng) {
            Some(mine) => ("signup", mine, OpKind::Set { fields: fields(vec![("checked_in_at", json!(super::common::now_ms()))]) }),
            None => ("signup", key, signup(UNDER_WAY, vec![("walk_in", json!(true))])),
        },
    }
}

fn stamp(text: &str) -> Option<Stamp> {
    text.parse().ok()
}

pub async fn verify(devices: &mut [Device], history: &Arc<Mutex<History>>, server: &mut Server, rng: &mut StdRng) -> Result<Stats, Vec<String>> {
    let mut violations = history.lock().unwrap().violations.clone();
    // Convergence: after its last pull, every tablet holds exactly what a new tablet of
    // the same person would get from the server.
    for device in devices.iter_mut() {
        let Some(fresh) = device.pull_everything(rng).await else {
            violations.push(format!("{}: the final pull failed", device.name));
            continue;
        };
        for (id, record) in &fresh {
            match device.disk.records.get(id) {
                Some(mine) if mine.fields == record.fields && mine.clocks == record.clocks => {}
                Some(mine) => violations.push(format!("{}: {id} differs from the server's: has {:?}, server {:?}", device.name, diff(&mine.fields, &record.fields), diff(&record.fields, &mine.fields))),
                None => violations.push(format!("{}: {id} never reached the tablet", device.name)),
            }
        }
    }
    server.kill_apps();
    let db = server::db::open_as(&server.db, Some(("root".into(), crate::CHECKER_DB_PASS.into()))).await.expect("open the database on disk");
    let log: Vec<Value> = app::db::rows(&db, "SELECT record::id(id) AS id, reason FROM op", json!({}), 0).await.expect("log");
    let logged: HashMap<String, bool> = log.iter().filter_map(|r| Some((r["id"].as_str()?.to_string(), r["reason"].is_null()))).collect();
    let comments: Vec<Value> = app::db::rows(&db, "SELECT VALUE text FROM project_comment WHERE project IN $keys", json!({ "keys": PROJECTS }), 0).await.expect("comments");
    let mut comment_count: HashMap<String, usize> = HashMap::new();
    for text in comments.iter().filter_map(Value::as_str) {
        *comment_count.entry(text.to_string()).or_default() += 1;
    }
    let projects: Vec<Value> = app::db::rows(&db, "SELECT record::id(id) AS key, * OMIT id FROM project WHERE record::id(id) IN $keys", json!({ "keys": PROJECTS }), 0).await.expect("projects");
    let signups: Vec<SignupRow> = app::db::rows(&db, "SELECT activity, phone_hash, active, wait, walk_in FROM signup WHERE activity IN $acts", json!({ "acts": [AHEAD, UNDER_WAY] }), 0).await.expect("signups");
    let links: Vec<LinkRow> = app::db::rows(&db, "SELECT from, to FROM gantt_link WHERE project = $p AND removed != true", json!({ "p": PROJECTS[0] }), 0).await.expect("links");
    drop(db);
    violations.extend(signup_violations(&signups));
    if let Some(cycle) = cycle_in(&links) {
        violations.push(format!("the plan of {} holds a dependency cycle through {cycle}", PROJECTS[0]));
    }

    let history = history.lock().unwrap();
    let answers = history.answers.values().flatten();
    let (deferred, duplicates) = answers.fold((0, 0), |(d, u), r| (d + usize::from(r.status == app::domain::ops::OpStatus::Retry), u + usize::from(r.duplicate)));
    let mut stats = Stats { ops: history.made.len(), deferred, duplicates, ..Stats::default() };
    // Last writer wins: per project and field, the accepted write with the highest clock.
    let mut winners: HashMap<(String, String), (Stamp, Value)> = HashMap::new();
    for (device, op) in &history.made {
        let still_queued = devices.iter().any(|d| d.disk.queue.iter().any(|q| q.op.id == op.id));
        let in_log = logged.get(&op.id.to_string());
        match history.ending(op.id) {
            Ending::Applied => {
                stats.applied += 1;
                match op.table.as_str() {
                    "gantt_task" | "gantt_link" => stats.plan_applied += 1,
                    "signup" => stats.signups_applied += 1,
                    _ => {}
                }
                if in_log != Some(&true) {
                    violations.push(format!("{device}: operation {} ({}) was acknowledged as applied but the log {}", op.id, describe(op), if in_log.is_some() { "has it refused" } else { "does not hold it (lost)" }));
                }
                if let OpKind::Set { fields } | OpKind::Create { fields } = &op.kind {
                    for (name, value) in fields {
                        let slot = winners.entry((op.key.clone(), name.clone())).or_insert((op.clock.clone(), value.clone()));
                        if op.clock > slot.0 {
                            *slot = (op.clock.clone(), value.clone());
                        }
                    }
                }
            }
            Ending::Refused(_) => {
                stats.refused += 1;
                if in_log != Some(&false) {
                    violations.push(format!("{device}: operation {} ({}) was refused but the log {}", op.id, describe(op), if in_log.is_some() { "has it applied" } else { "does not hold it" }));
                }
            }
            Ending::Open if still_queued => violations.push(format!("{device}: operation {} ({}) is still queued after the final sync", op.id, describe(op))),
            Ending::Open => violations.push(format!("{device}: operation {} ({}) left the queue without an answer", op.id, describe(op))),
        }
        // An appended comment exists once if applied, never if refused.
        if let OpKind::Append { item, .. } = &op.kind {
            let text = item["text"].as_str().unwrap_or_default();
            let expected = usize::from(history.ending(op.id) == Ending::Applied);
            let found = comment_count.get(text).copied().unwrap_or(0);
            if found != expected {
                violations.push(format!("{device}: comment of operation {} is stored {found} times, expected {expected}", op.id));
            }
        }
    }
    for project in &projects {
        let key = project["key"].as_str().unwrap_or_default().to_string();
        for field in TEXT_FIELDS {
            let Some((clock, value)) = winners.get(&(key.clone(), field.to_string())) else { continue };
            let stored = &project[field];
            let stored_clock = project["clocks"][field].as_str().and_then(stamp);
            if stored != value || stored_clock.as_ref() != Some(clock) {
                violations.push(format!("project {key}.{field} holds {stored} (clock {stored_clock:?}); the last writer by clock wrote {value} at {clock}"));
            }
        }
    }
    if violations.is_empty() {
        Ok(stats)
    } else {
        Err(violations)
    }
}

/// A sign-up as the verification reads it.
#[derive(serde::Deserialize)]
pub struct SignupRow {
    activity: String,
    #[serde(default)]
    phone_hash: Option<String>,
    #[serde(default)]
    active: Option<bool>,
    #[serde(default)]
    wait: Option<bool>,
    #[serde(default)]
    walk_in: Option<bool>,
}

/// A link of the plan: from one task to another.
#[derive(serde::Deserialize)]
pub struct LinkRow {
    from: String,
    to: String,
}

/// A phone signs up once per activity, and no more sign-ups stand outside the waiting
/// list ahead than there are places (each was accepted only while places were free).
fn signup_violations(signups: &[SignupRow]) -> Vec<String> {
    let mut out = Vec::new();
    let mut phones: HashMap<(&str, &str), usize> = HashMap::new();
    for s in signups {
        if let Some(phone) = s.phone_hash.as_deref().filter(|p| !p.is_empty()) {
            *phones.entry((s.activity.as_str(), phone)).or_default() += 1;
        }
    }
    for ((activity, _), n) in phones {
        if n > 1 {
            out.push(format!("one phone holds {n} sign-ups to {activity}"));
        }
    }
    let outside_waiting = signups
        .iter()
        .filter(|s| s.activity == AHEAD && s.active != Some(false) && s.wait != Some(true) && s.walk_in != Some(true))
        .count();
    if outside_waiting > AHEAD_PLACES as usize {
        out.push(format!("{outside_waiting} sign-ups to {AHEAD} stand outside the waiting list, with {AHEAD_PLACES} places"));
    }
    out
}

/// A cycle among the plan's links, named by a task on it.
fn cycle_in(links: &[LinkRow]) -> Option<String> {
    let mut next: HashMap<String, Vec<String>> = HashMap::new();
    for link in links {
        next.entry(link.from.clone()).or_default().push(link.to.clone());
    }
    // Depth first from every task: a task met again on the current path closes a cycle.
    fn visit(task: &str, next: &HashMap<String, Vec<String>>, path: &mut Vec<String>, done: &mut std::collections::HashSet<String>) -> Option<String> {
        if path.iter().any(|t| t == task) {
            return Some(task.to_string());
        }
        if !done.insert(task.to_string()) {
            return None;
        }
        path.push(task.to_string());
        for to in next.get(task).into_iter().flatten() {
            if let Some(found) = visit(to, next, path, done) {
                return Some(found);
            }
        }
        path.pop();
        None
    }
    let mut done = std::collections::HashSet::new();
    next.keys().find_map(|task| visit(task, &next, &mut Vec::new(), &mut done))
}

fn describe(op: &Operation) -> String {
    format!("{} {}:{} n={:?}", op.kind.code(), op.table, op.key, op.n)
}

fn diff(a: &serde_json::Map<String, Value>, b: &serde_json::Map<String, Value>) -> BTreeMap<String, Value> {
    a.iter().filter(|(k, v)| b.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect()
}
