//! The mentoring rules that span records: one mentor per branch at a time, a mentor
//! holding one branch unless paired again on purpose, sessions only within a pairing.
//! The rules are `app::domain::mentors`; this gathers the pairings and names.

use super::apply::{BatchFacts, Row, Watched, PAIRINGS_SEQ};
use app::db::{rows, Db};
use app::domain::mentors::{check_pairing, check_session, Pairing, PAIRING_TABLE, SESSION_TABLE};
use app::domain::ops::{OpKind, Operation, Reason};
use app::domain::time::parse_date;
use serde_json::{json, Map, Value};

/// The account of the mentor a session names (its writer), or `None` when there is no
/// such mentor.
pub(crate) async fn mentor_account(db: &Db, op: &Operation, row: &Row) -> Result<Option<String>, surrealdb::Error> {
    let mentor = match &op.kind {
        OpKind::Create { fields } => fields.get("mentor").and_then(Value::as_str).unwrap_or_default().to_string(),
        _ => row.get("mentor").and_then(Value::as_str).unwrap_or_default().to_string(),
    };
    // A key an operation named: one that is no record key names no mentor.
    if !app::domain::records::valid_key(&mentor) {
        return Ok(None);
    }
    app::db::row(db, "SELECT VALUE account FROM ONLY type::record('mentor', $key)", json!({ "key": mentor })).await
}

pub(crate) async fn check(db: &Db, op: &Operation, row: &Row, batch: &mut BatchFacts) -> Result<Result<(), Reason>, surrealdb::Error> {
    let fields = match &op.kind {
        OpKind::Set { fields } | OpKind::Create { fields } => fields,
        _ => return Ok(Err(Reason::TransitionNotAllowed)),
    };
    let mut merged: Map<String, Value> = row.clone();
    merged.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
    let text = |name: &str| merged.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
    // Every pairing, read once per batch; their commit number first: a change in between
    // fails the write (`Watched::Pairings`).
    let pairings = match batch.pairings.take() {
        Some(pairings) => pairings,
        None => {
            let seen: Option<i64> = app::db::row(db, &format!("RETURN {PAIRINGS_SEQ}"), json!({})).await?;
            let stored: Vec<app::db::Keyed> = rows(db, "SELECT record::id(id) AS key, * OMIT id FROM mentor_pairing", json!({}), 0).await?;
            batch.watched.insert(Watched::Pairings, seen.unwrap_or(0));
            stored.iter().filter_map(|r| Pairing::from_fields(&r.key, &r.fields)).collect()
        }
    };
    let pairings = batch.pairings.insert(pairings);
    match op.table.as_str() {
        PAIRING_TABLE => {
            let names = app::db::names(
                rows(db, "SELECT record::id(id) AS key, name FROM array::concat((SELECT * FROM mentor), (SELECT * FROM branch))", json!({}), 0).await?,
            );
            for field in ["mentor", "branch"] {
                if !names.contains_key(&text(field)) {
                    return Ok(Err(Reason::InvalidValue { field: field.into() }));
                }
            }
            let Some(new) = Pairing::from_fields(&op.key, &merged) else { return Ok(Err(Reason::InvalidValue { field: "starts_on".into() })) };
            let name = |key: &str| names.get(key).cloned().unwrap_or_else(|| key.to_string());
            if let Err(problem) = check_pairing(&new, pairings, &name) {
                return Ok(Err(Reason::Mentoring { problem }));
            }
            pairings.retain(|p| p.key != new.key);
            pairings.push(new);
        }
        SESSION_TABLE => {
            let Some(date) = parse_date(&text("date")) else { return Ok(Err(Reason::InvalidValue { field: "date".into() })) };
            if let Err(problem) = check_session(&text("mentor"), &text("branch"), date, pairings) {
                return Ok(Err(Reason::Mentoring { problem }));
            }
            // The project it served is one of that branch's.
            if let Some(project) = merged.get("project").and_then(Value::as_str) {
                if !app::domain::records::valid_key(project) {
                    return Ok(Err(Reason::InvalidValue { field: "project".into() }));
                }
                let branch: Option<String> = app::db::row(db, "SELECT VALUE branch FROM ONLY type::record('project', $key)", json!({ "key": project })).await?;
                if branch.as_deref() != Some(text("branch").as_str()) {
                    return Ok(Err(Reason::InvalidValue { field: "project".into() }));
                }
            }
        }
        _ => {}
    }
    Ok(Ok(()))
}
