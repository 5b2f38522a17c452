//! The project rules that need more than one row: "1+N" across a branch's year, the
//! nomination quota across the street's year, the lifecycle with the "1+5" and filing
//! numbers. The rules themselves are `app::domain::projects`; this gathers their facts.

use super::apply::{BatchFacts, Context, Effect, Row};
use app::db::Db;
use app::domain::ops::{OpKind, Operation, Reason};
use app::domain::org::Role;
use app::domain::projects::{
    check_nomination, check_one_plus_five, check_one_plus_n, check_transition, check_year, filing_number, OnePlusFive, Status, Tier, DEFAULT_NOMINATION_QUOTA,
};
use serde_json::{json, Value};

const NOMINATED: &str = "['nominated', 'selected', 'not_selected']";

/// Checks a create or set of a project against the rules that span records.
pub(crate) async fn check(db: &Db, op: &Operation, row: &Row, batch: &mut BatchFacts) -> Result<Result<(), Reason>, surrealdb::Error> {
    let fields = match &op.kind {
        OpKind::Set { fields } | OpKind::Create { fields } => fields,
        _ => return Ok(Ok(())),
    };
    let creating = matches!(op.kind, OpKind::Create { .. });
    let pick = |name: &str| fields.get(name).or_else(|| row.get(name)).cloned().unwrap_or(Value::Null);
    let status = status_of(row);
    let declaration_fields = fields.keys().any(|f| f != "nomination");
    if !creating && declaration_fields && !status.is_editable() {
        return Ok(Err(Reason::NotEditable));
    }
    let year = pick("year").as_i64().unwrap_or_default();
    if ["year", "starts_on", "ends_on"].iter().any(|f| fields.contains_key(*f)) {
        let date = |name: &str| pick(name).as_str().unwrap_or_default().to_string();
        if let Err(error) = check_year(year, &date("starts_on"), &date("ends_on")) {
            return Ok(Err(error.into()));
        }
    }
    let branch = pick("branch").as_str().unwrap_or_default().to_string();
    let tier = pick("tier").as_str().and_then(Tier::from_code);
    let becomes_key = tier == Some(Tier::Key) && (creating || fields.contains_key("tier") || fields.contains_key("year"));
    if becomes_key {
        let in_db = count(
            db,
            "SELECT count() AS n FROM project WHERE branch = $branch AND year = $year AND tier = 'key' AND record::id(id) != $key GROUP ALL",
            json!({ "branch": branch, "year": year, "key": op.key }),
        )
        .await?;
        let in_batch = batch.key_projects.iter().filter(|(b, y, k)| *b == branch && *y == year && *k != op.key).count();
        if let Err(error) = check_one_plus_n(Tier::Key, in_db + in_batch) {
            return Ok(Err(error.into()));
        }
        batch.key_projects.push((branch.clone(), year, op.key.clone()));
    }
    let was_nominated = row.get("nomination").and_then(Value::as_str).is_some_and(|n| n != "none");
    match fields.get("nomination").and_then(Value::as_str) {
        Some("nominated") if !was_nominated => {
            let quota = nomination_quota(db, year).await?;
            let in_db = count(
                db,
                &format!("SELECT count() AS n FROM project WHERE year = $year AND nomination IN {NOMINATED} AND record::id(id) != $key GROUP ALL"),
                json!({ "year": year, "key": op.key }),
            )
            .await?;
            let in_batch = batch.nominated.get(&year).copied().unwrap_or(0);
            if let Err(error) = check_nomination(status, in_db as u32 + in_batch, quota) {
                return Ok(Err(error.into()));
            }
            *batch.nominated.entry(year).or_default() += 1;
        }
        // An outcome needs a nomination first.
        Some("selected" | "not_selected") if !was_nominated => return Ok(Err(Reason::TransitionNotAllowed)),
        _ => {}
    }
    Ok(Ok(()))
}

/// Checks a status change and says what it writes (a filing number when filed).
pub(crate) async fn transition_effect(
    db: &Db,
    ctx: &Context,
    key: &str,
    row: &Row,
    to: &str,
    note: Option<&str>,
    batch: &mut BatchFacts,
) -> Result<Result<Effect, Reason>, surrealdb::Error> {
    let Some(to) = Status::from_code(to) else { return Ok(Err(Reason::TransitionNotAllowed)) };
    let from = status_of(row);
    let five = one_plus_five(row);
    let liaison_ok = match &five.liaison_leader {
        Some(key) if !app::domain::records::valid_key(key) => false,
        Some(key) => {
            app::db::row::<String>(db, "SELECT VALUE role FROM ONLY type::record('account', $key)", json!({ "key": key })).await?.as_deref()
                == Some(Role::LiaisonLeader.code())
        }
        None => false,
    };
    let problems = check_one_plus_five(&five, liaison_ok);
    let branch = row.get("branch").and_then(Value::as_str).unwrap_or_default();
    if let Err(error) = check_transition(&ctx.actor, branch, from, to, &problems, note) {
        return Ok(Err(error.into()));
    }
    let filing = if to == Status::Filed {
        let year = row.get("year").and_then(Value::as_i64).unwrap_or_default();
        let in_db = count(db, "SELECT count() AS n FROM project WHERE year = $year AND filing_no != NONE GROUP ALL", json!({ "year": year })).await?;
        let in_batch = batch.filed.entry(year).or_default();
        *in_batch += 1;
        Some(filing_number(year as i32, in_db as u32 + *in_batch))
    } else {
        None
    };
    let note = if to == Status::Returned { note.unwrap_or_default().trim().to_string() } else { String::new() };
    let baseline = match filing {
        Some(_) => super::gantt::baseline(db, key, batch).await?,
        None => vec![],
    };
    Ok(Ok(Effect::Transition { from, to, note, filing, baseline }))
}

fn status_of(row: &Row) -> Status {
    row.get("status").and_then(Value::as_str).and_then(Status::from_code).unwrap_or(Status::Draft)
}

/// The "1+5" fields of a stored project (as this batch has left them).
fn one_plus_five(row: &Row) -> OnePlusFive {
    serde_json::from_value(Value::Object(row.clone())).unwrap_or_default()
}

async fn nomination_quota(db: &Db, year: i64) -> Result<u32, surrealdb::Error> {
    let quota: Option<i64> = app::db::row(
        db,
        "SELECT VALUE nomination_quota FROM ONLY type::record('street_year', $year)",
        // Keyed by the year as text, as operations name it.
        json!({ "year": year.to_string() }),
    )
    .await?;
    Ok(quota.map(|q| q as u32).unwrap_or(DEFAULT_NOMINATION_QUOTA))
}

async fn count(db: &Db, sql: &str, vars: Value) -> Result<usize, surrealdb::Error> {
    let counted: Option<app::db::Count> = app::db::row(db, sql, vars).await?;
    Ok(counted.map_or(0, |c| c.n as usize))
}
