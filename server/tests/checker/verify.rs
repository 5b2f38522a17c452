//! What each run must satisfy, checked against the tablets' history, their local
//! copies, and the database read straight from disk with the server stopped.

use super::device::Device;
use super::history::{Ending, History};
use super::{Server, Stats, AHEAD, AHEAD_PLACES, FIRST_PAIRING, MENTORED, MENTORS, PHONES, PROJECTS, TASKS, TEXT_FIELDS, UNDER_WAY};
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
/// walk-ins and check-ins at the activity under way; pairings (overlapping on purpose)
/// and sessions; the brand's photos (one sometimes never uploaded); hours changed by hand
/// (sometimes without the reason the rule demands).
pub fn random_edit(device: &Device, rng: &mut StdRng, step: usize) -> (&'static str, String, OpKind) {
    let token = format!("{}-{step}-{}", device.name, rng.gen::<u32>());
    let area: f64 = rng.gen();
    if area < 0.15 {
        return plan_edit(rng, &token);
    }
    if area < 0.3 {
        return signup_edit(device, rng, &token);
    }
    if area < 0.42 {
        return mentoring_edit(device, rng, &token);
    }
    if area < 0.5 {
        return photos_edit(device, rng);
    }
    if area < 0.58 {
        if let Some(edit) = hours_edit(device, rng, &token) {
            return edit;
        }
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
        let change =
            if rng.gen_bool(0.5) { ("start", json!(format!("2027-03-{:02}", rng.gen_range(1..=28)))) } else { ("duration", json!(rng.gen_range(1..=10))) };
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
        .filter(|(by, op)| {
            by == &device.name && op.table == "signup" && matches!(&op.kind, OpKind::Create { fields } if fields.get("activity") == Some(&json!(activity)))
        })
        .map(|(_, op)| op.key.clone())
        .collect()
}

/// A sign-up (ahead, sometimes to the waiting list), a cancellation, a walk-in or a
/// check-in (under way).
fn signup_edit(device: &Device, rng: &mut StdRng, token: &str) -> (&'static str, String, OpKind) {
    let phone = PHONES[rng.gen_range(0..PHONES.len())];
    let key = format!("chks-{}", token.replace(|c: char| !c.is_ascii_alphanumeric(), ""));
    let signup = |activity: &str, extra: Vec<(&str, Value)>| {
        let mut list =
            vec![("activity", json!(activity)), ("branch", json!("wenxing")), ("name", json!("检查员")), ("phone", json!(phone)), ("consent", json!(true))];
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

/// Keys this device's operations created in a table.
fn my_creations(device: &Device, table: &str) -> Vec<String> {
    let history = device.history.lock().unwrap();
    history
        .made
        .iter()
        .filter(|(by, op)| by == &device.name && op.table == table && matches!(op.kind, OpKind::Create { .. }))
        .map(|(_, op)| op.key.clone())
        .collect()
}

/// A day of 2027, as the mentoring edits choose them.
fn day_2027(month: u32, day: u32) -> String {
    format!("2027-{:02}-{:02}", month.clamp(1, 12), day.clamp(1, 28))
}

/// Street staff pair a mentor with a branch for a stretch of 2027 (often overlapping
/// another pairing, which the rule refuses) or move a pairing's end; a mentor (or street
/// staff) logs a session, which stands only within a pairing, or rewrites its summary;
/// anyone else who tries to pair is refused.
fn mentoring_edit(device: &Device, rng: &mut StdRng, token: &str) -> (&'static str, String, OpKind) {
    let street = matches!(device.account, "lizhiguang" | "wangmin");
    let mentor_or_street = street || device.account == "liujianguo";
    let key = format!("chkm-{}", token.replace(|c: char| !c.is_ascii_alphanumeric(), ""));
    if mentor_or_street && (!street || rng.gen_bool(0.4)) {
        let mine = my_creations(device, "mentor_session");
        if !mine.is_empty() && rng.gen_bool(0.3) {
            let session = mine[rng.gen_range(0..mine.len())].clone();
            return ("mentor_session", session, OpKind::Set { fields: fields(vec![("summary", json!(format!("辅导小结{token}")))]) });
        }
        let session = vec![
            ("mentor", json!(MENTORS[0])),
            ("branch", json!(MENTORED[rng.gen_range(0..MENTORED.len())])),
            ("date", json!(day_2027(rng.gen_range(1..=12), rng.gen_range(1..=28)))),
            ("form", json!(app::domain::mentors::FORM_CODES[rng.gen_range(0..app::domain::mentors::FORM_CODES.len())])),
            ("summary", json!(format!("辅导记录{token}"))),
        ];
        return ("mentor_session", key, OpKind::Create { fields: fields(session) });
    }
    let mut mine = my_creations(device, "mentor_pairing");
    if street {
        mine.push(FIRST_PAIRING.to_string());
    }
    if street && rng.gen_bool(0.3) {
        let pairing = mine[rng.gen_range(0..mine.len())].clone();
        let ends = day_2027(rng.gen_range(1..=12), 28);
        return ("mentor_pairing", pairing, OpKind::Set { fields: fields(vec![("ends_on", json!(ends))]) });
    }
    let starts = rng.gen_range(1..=12);
    let pairing = vec![
        ("mentor", json!(MENTORS[rng.gen_range(0..MENTORS.len())])),
        ("branch", json!(MENTORED[rng.gen_range(0..MENTORED.len())])),
        ("starts_on", json!(day_2027(starts, 1))),
        ("ends_on", json!(day_2027(starts + rng.gen_range(0..3), 28))),
        ("additional", json!(rng.gen_bool(0.3))),
    ];
    ("mentor_pairing", key, OpKind::Create { fields: fields(pairing) })
}

/// A photo no tablet ever uploads: the rule refuses a brand that names it.
const NEVER_UPLOADED: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// 文兴社区's brand photos, chosen among the acknowledged uploads in some order.
fn photos_edit(device: &Device, rng: &mut StdRng) -> (&'static str, String, OpKind) {
    let uploaded = device.history.lock().unwrap().uploaded.clone();
    let mut photos: Vec<Value> = Vec::new();
    for _ in 0..rng.gen_range(0..=3usize) {
        if uploaded.is_empty() {
            break;
        }
        let hash = json!(uploaded[rng.gen_range(0..uploaded.len())]);
        if !photos.contains(&hash) {
            photos.push(hash);
        }
    }
    if rng.gen_bool(0.15) {
        photos.push(json!(NEVER_UPLOADED));
    }
    ("brand", MENTORED[0].to_string(), OpKind::Set { fields: fields(vec![("photos", Value::Array(photos))]) })
}

/// Hours changed by hand on a sign-up to the activity under way: a reason, or (refused)
/// none. `None` when no tablet has signed anyone up there yet.
fn hours_edit(device: &Device, rng: &mut StdRng, token: &str) -> Option<(&'static str, String, OpKind)> {
    let signups: Vec<String> = {
        let history = device.history.lock().unwrap();
        history
            .made
            .iter()
            .filter(|(_, op)| op.table == "signup" && matches!(&op.kind, OpKind::Create { fields } if fields.get("activity") == Some(&json!(UNDER_WAY))))
            .map(|(_, op)| op.key.clone())
            .collect()
    };
    if signups.is_empty() {
        return None;
    }
    let signup = signups[rng.gen_range(0..signups.len())].clone();
    let reason = if rng.gen_bool(0.85) { format!("补录纸质签到{token}") } else { String::new() };
    let change = fields(vec![("adjust_minutes", json!(rng.gen_range(-60..=120))), ("adjust_reason", json!(reason))]);
    Some(("signup", signup, OpKind::Set { fields: change }))
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
                Some(mine) => violations.push(format!(
                    "{}: {id} differs from the server's: has {:?}, server {:?}",
                    device.name,
                    diff(&mine.fields, &record.fields),
                    diff(&record.fields, &mine.fields)
                )),
                None => violations.push(format!("{}: {id} never reached the tablet", device.name)),
            }
        }
    }
    server.kill_apps();
    let db = server::db::open_as(&server.db, Some(("root".into(), crate::CHECKER_DB_PASS.into()))).await.expect("open the database on disk");
    let log: Vec<Value> = app::db::rows(&db, "SELECT record::id(id) AS id, reason FROM op", json!({}), 0).await.expect("log");
    let logged: HashMap<String, bool> = log.iter().filter_map(|r| Some((r["id"].as_str()?.to_string(), r["reason"].is_null()))).collect();
    let comments: Vec<Value> =
        app::db::rows(&db, "SELECT VALUE text FROM project_comment WHERE project IN $keys", json!({ "keys": PROJECTS }), 0).await.expect("comments");
    let mut comment_count: HashMap<String, usize> = HashMap::new();
    for text in comments.iter().filter_map(Value::as_str) {
        *comment_count.entry(text.to_string()).or_default() += 1;
    }
    let signups: Vec<SignupRow> =
        app::db::rows(&db, "SELECT activity, phone_hash, active, wait, walk_in FROM signup WHERE activity IN $acts", json!({ "acts": [AHEAD, UNDER_WAY] }), 0)
            .await
            .expect("signups");
    let links: Vec<LinkRow> =
        app::db::rows(&db, "SELECT from, to FROM gantt_link WHERE project = $p AND removed != true", json!({ "p": PROJECTS[0] }), 0).await.expect("links");
    let pairings: Vec<PairingRow> =
        app::db::rows(&db, "SELECT record::id(id) AS key, mentor, branch, starts_on, ends_on, additional FROM mentor_pairing", json!({}), 0)
            .await
            .expect("pairings");
    let brands: Vec<BrandPhotosRow> = app::db::rows(&db, "SELECT record::id(id) AS key, photos FROM brand", json!({}), 0).await.expect("brands");
    let photos: Vec<PhotoRow> = app::db::rows(&db, "SELECT meta::id(id) AS hash, widths FROM photo", json!({}), 0).await.expect("photos");
    let variants: Vec<Value> = app::db::rows(&db, "SELECT VALUE record::id(id) FROM photo_variant", json!({}), 0).await.expect("photo variants");
    let audits: Vec<String> = app::db::rows(&db, "SELECT VALUE detail FROM audit WHERE event = 'adjust_hours'", json!({}), 0).await.expect("audit");
    // Every field the tablets write last-writer-wins, as stored with its clock.
    let mut stored: HashMap<(String, String), Value> = HashMap::new();
    for (table, _) in LAST_WRITER_WINS {
        let found: Vec<Value> = app::db::rows(&db, &format!("SELECT record::id(id) AS key, * OMIT id FROM {table}"), json!({}), 0).await.expect("rows");
        for row in found {
            let key = row["key"].as_str().unwrap_or_default().to_string();
            stored.insert((table.to_string(), key), row);
        }
    }
    drop(db);
    violations.extend(signup_violations(&signups));
    violations.extend(pairing_violations(&pairings));
    violations.extend(photo_violations(&history.lock().unwrap().uploaded, &photos, &variants, &brands));
    if let Some(cycle) = cycle_in(&links) {
        violations.push(format!("the plan of {} holds a dependency cycle through {cycle}", PROJECTS[0]));
    }

    let history = history.lock().unwrap();
    let answers = history.answers.values().flatten();
    let (deferred, duplicates) =
        answers.fold((0, 0), |(d, u), r| (d + usize::from(r.status == app::domain::ops::OpStatus::Retry), u + usize::from(r.duplicate)));
    let mut stats = Stats { ops: history.made.len(), deferred, duplicates, ..Stats::default() };
    // Last writer wins: per record and field, the accepted write with the highest clock.
    let mut winners: HashMap<(String, String, String), (Stamp, Value)> = HashMap::new();
    // Hand-made changes of hours applied, each of which the audit must hold once.
    let mut adjusted: HashMap<String, usize> = HashMap::new();
    for (device, op) in &history.made {
        let still_queued = devices.iter().any(|d| d.disk.queue.iter().any(|q| q.op.id == op.id));
        let in_log = logged.get(&op.id.to_string());
        match history.ending(op.id) {
            Ending::Applied => {
                stats.applied += 1;
                match (op.table.as_str(), &op.kind) {
                    ("gantt_task" | "gantt_link", _) => stats.plan_applied += 1,
                    ("signup", OpKind::Set { fields }) if fields.contains_key("adjust_minutes") => {
                        stats.hours_applied += 1;
                        let minutes = fields["adjust_minutes"].as_i64().unwrap_or_default();
                        let reason = fields["adjust_reason"].as_str().unwrap_or_default().trim();
                        *adjusted.entry(format!("signup:{} {minutes:+} 分钟 {reason}", op.key)).or_default() += 1;
                    }
                    ("signup", _) => stats.signups_applied += 1,
                    ("mentor_pairing" | "mentor_session", _) => stats.mentoring_applied += 1,
                    ("brand", _) => stats.photos_applied += 1,
                    _ => {}
                }
                if in_log != Some(&true) {
                    violations.push(format!(
                        "{device}: operation {} ({}) was acknowledged as applied but the log {}",
                        op.id,
                        describe(op),
                        if in_log.is_some() { "has it refused" } else { "does not hold it (lost)" }
                    ));
                }
                if let OpKind::Set { fields } | OpKind::Create { fields } = &op.kind {
                    for (name, value) in fields {
                        let slot = winners.entry((op.table.clone(), op.key.clone(), name.clone())).or_insert((op.clock.clone(), value.clone()));
                        if op.clock > slot.0 {
                            *slot = (op.clock.clone(), value.clone());
                        }
                    }
                }
            }
            Ending::Refused(_) => {
                stats.refused += 1;
                if in_log != Some(&false) {
                    violations.push(format!(
                        "{device}: operation {} ({}) was refused but the log {}",
                        op.id,
                        describe(op),
                        if in_log.is_some() { "has it applied" } else { "does not hold it" }
                    ));
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
    for (table, names) in LAST_WRITER_WINS {
        for ((t, key, field), (clock, value)) in &winners {
            if t != table || !names.contains(&field.as_str()) {
                continue;
            }
            let Some(row) = stored.get(&(table.to_string(), key.clone())) else {
                violations.push(format!("{table} {key} was written by an acknowledged operation but is not stored"));
                continue;
            };
            let stored_clock = row["clocks"][field].as_str().and_then(stamp);
            if &row[field] != value || stored_clock.as_ref() != Some(clock) {
                violations
                    .push(format!("{table} {key}.{field} holds {} (clock {stored_clock:?}); the last writer by clock wrote {value} at {clock}", row[field]));
            }
        }
    }
    // The audit holds each applied change of hours once (written in its transaction).
    let mut audited: HashMap<String, usize> = HashMap::new();
    for detail in &audits {
        *audited.entry(detail.clone()).or_default() += 1;
    }
    for (detail, n) in &adjusted {
        let found = audited.get(detail).copied().unwrap_or(0);
        if found != *n {
            violations.push(format!("the audit holds \"{detail}\" {found} times; {n} such changes were applied"));
        }
    }
    if let Some(stray) = audited.keys().find(|d| !adjusted.contains_key(*d)) {
        violations.push(format!("the audit holds \"{stray}\", which no applied change made"));
    }
    stats.uploads = history.uploaded.len();
    if violations.is_empty() {
        Ok(stats)
    } else {
        Err(violations)
    }
}

/// The fields checked last-writer-wins, per table: each stored value is the one of the
/// applied operation with the highest clock.
const LAST_WRITER_WINS: [(&str, &[&str]); 5] = [
    ("project", &TEXT_FIELDS),
    ("mentor_pairing", &["ends_on"]),
    ("mentor_session", &["summary"]),
    ("brand", &["photos"]),
    ("signup", &["adjust_minutes", "adjust_reason"]),
];

/// A photo as kept: its hash and the widths of its variants.
#[derive(serde::Deserialize)]
pub struct PhotoRow {
    hash: String,
    widths: Vec<u32>,
}

/// Every acknowledged upload is kept with all its variants; the brand names only photos
/// that are kept.
/// A brand's photos as stored.
#[derive(serde::Deserialize)]
pub struct BrandPhotosRow {
    key: String,
    #[serde(default)]
    photos: Vec<String>,
}

/// A pairing as stored.
#[derive(serde::Deserialize)]
pub struct PairingRow {
    key: String,
    mentor: String,
    branch: String,
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    additional: bool,
}

fn photo_violations(uploaded: &[String], photos: &[PhotoRow], variants: &[Value], brands: &[BrandPhotosRow]) -> Vec<String> {
    let mut out = Vec::new();
    let kept: HashMap<&str, &PhotoRow> = photos.iter().map(|p| (p.hash.as_str(), p)).collect();
    for hash in uploaded {
        match kept.get(hash.as_str()) {
            None => out.push(format!("photo {hash} was acknowledged as uploaded but is not kept (lost)")),
            Some(photo) => {
                for width in &photo.widths {
                    if !variants.contains(&json!([hash, width])) {
                        out.push(format!("photo {hash} lists a {width}px variant that is not kept"));
                    }
                }
            }
        }
    }
    for brand in brands {
        for hash in brand.photos.iter().filter(|h| !kept.contains_key(h.as_str())) {
            out.push(format!("brand {} names photo {hash}, which is not kept", brand.key));
        }
    }
    out
}

/// No branch has two mentors at once; no mentor two branches at once unless one of the
/// pairings was made on purpose as a further one (the rule, `check_pairing`).
fn pairing_violations(rows: &[PairingRow]) -> Vec<String> {
    let date = app::domain::time::parse_date;
    let pairings: Vec<app::domain::mentors::Pairing> = rows
        .iter()
        .filter_map(|row| {
            Some(app::domain::mentors::Pairing {
                key: row.key.clone(),
                mentor: row.mentor.clone(),
                branch: row.branch.clone(),
                starts_on: date(&row.starts_on)?,
                ends_on: date(&row.ends_on),
                additional: row.additional,
            })
        })
        .collect();
    let mut out = Vec::new();
    if pairings.len() != rows.len() {
        out.push(format!("{} of {} stored pairings cannot be read", rows.len() - pairings.len(), rows.len()));
    }
    for pairing in &pairings {
        if let Err(problem) = app::domain::mentors::check_pairing(pairing, &pairings, &|k| k.to_string()) {
            out.push(format!("pairing {} ({} with {}) stands against the rule: {problem:?}", pairing.key, pairing.mentor, pairing.branch));
        }
    }
    out
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
    let outside_waiting = signups.iter().filter(|s| s.activity == AHEAD && s.active != Some(false) && s.wait != Some(true) && s.walk_in != Some(true)).count();
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
