//! What each run must satisfy, checked against the tablets' history, their local
//! copies, and the database read straight from disk with the server stopped.

use super::device::Device;
use super::history::{Ending, History};
use super::{Server, Stats, PROJECTS, TEXT_FIELDS};
use app::domain::hlc::Stamp;
use app::domain::ops::{OpKind, Operation};
use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// A random edit: mostly valid field edits and comments on the shared projects, some
/// state changes, and some the rules refuse (a title too short, another branch's project).
pub fn random_edit(device: &Device, rng: &mut StdRng, step: usize) -> (&'static str, String, OpKind) {
    let key = PROJECTS[rng.gen_range(0..PROJECTS.len())].to_string();
    let token = format!("{}-{step}-{}", device.name, rng.gen::<u32>());
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
    drop(db);

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

fn describe(op: &Operation) -> String {
    format!("{} {}:{} n={:?}", op.kind.code(), op.table, op.key, op.n)
}

fn diff(a: &serde_json::Map<String, Value>, b: &serde_json::Map<String, Value>) -> BTreeMap<String, Value> {
    a.iter().filter(|(k, v)| b.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect()
}
