//! The volunteer rules that span records: a sign-up against its activity (timing,
//! capacity, the waiting list), the phone's other sign-ups (duplicates, limits), and the
//! wrong check-in codes typed so far. The rules are `app::domain::volunteers`; this
//! gathers the facts. Operations arrive with names and phones already sealed (`pii`).

use super::apply::{BatchFacts, Row, Rows};
use app::db::{rows, Db};
use app::domain::ops::{OpKind, Operation, Reason};
use app::domain::org::{Actor, Role};
use app::domain::records::Target;
use app::domain::time::local_from_ms;
use app::domain::volunteers::{
    check_adjustment, check_code, check_out, places, Activity, Place, Standing, VolunteerProblem, ACTIVITY_TABLE, CODE_TRIES_PER_ACTIVITY_MINUTE,
    PHONE_WINDOW_MINUTES, SIGNUPS_PER_PHONE,
};
use serde_json::{json, Map, Value};

/// A resident's check-in or check-out is stamped by the server; a value further than this
/// from its clock was not.
const RESIDENT_TIME_SLACK_MS: i64 = 120_000;

/// A rule's answer: the fields it adds to the write, or why it refuses.
type Checked = Result<Result<Vec<(&'static str, Value)>, Reason>, surrealdb::Error>;

fn refuse(problem: VolunteerProblem) -> Checked {
    Ok(Err(Reason::Volunteer { problem }))
}

/// The activity a sign-up belongs to, as this batch leaves it.
async fn activity_row(db: &Db, key: &str, rows_seen: &Rows) -> Result<Option<Row>, surrealdb::Error> {
    // A key an operation named: one that is no record key names no activity.
    if !app::domain::records::valid_key(key) {
        return Ok(None);
    }
    if let Some(Some(row)) = rows_seen.get(&(ACTIVITY_TABLE.to_string(), key.to_string())) {
        return Ok(Some(row.clone()));
    }
    app::db::row(db, "SELECT * OMIT id, clocks FROM ONLY type::record('activity', $key)", json!({ "key": key })).await
}

fn activity_of(row: &Row) -> Option<Activity> {
    Activity::from_fields(row)
}

/// Who may write a sign-up: its resident (`resident:<key>`) and the activity's branch.
pub(crate) async fn target(db: &Db, op: &Operation, row: &Row, rows_seen: &Rows) -> Result<Target, surrealdb::Error> {
    let activity = match &op.kind {
        OpKind::Create { fields } => fields.get("activity").and_then(Value::as_str).unwrap_or_default().to_string(),
        _ => row.get("activity").and_then(Value::as_str).unwrap_or_default().to_string(),
    };
    let branch = activity_row(db, &activity, rows_seen).await?.and_then(|a| a.get("branch").and_then(Value::as_str).map(str::to_string));
    Ok(Target { branch, account: Some(format!("resident:{}", op.key)) })
}

/// The sign-ups of an activity that stand, with this batch's changes laid over them.
async fn standings(db: &Db, activity: &str, rows_seen: &Rows) -> Result<Vec<Standing>, surrealdb::Error> {
    let mut list: Vec<Standing> =
        rows(db, "SELECT record::id(id) AS key, signed_at, active, walk_in FROM signup WHERE activity = $activity", json!({ "activity": activity }), 0).await?;
    for ((table, key), row) in rows_seen.iter() {
        let Some(row) = row else { continue };
        if table != "signup" || row.get("activity").and_then(Value::as_str) != Some(activity) {
            continue;
        }
        let standing = Standing::from_fields(key, row);
        list.retain(|s| s.key != *key);
        list.push(standing);
    }
    Ok(list)
}

/// Checks a sign-up operation; answers the fields the server adds (when it was made).
pub(crate) async fn check(
    db: &Db,
    actor: &Actor,
    op: &Operation,
    row: &Row,
    now: i64,
    rows_seen: &Rows,
    batch: &mut BatchFacts,
) -> Result<Result<Vec<(&'static str, Value)>, Reason>, surrealdb::Error> {
    let (fields, creating) = match &op.kind {
        OpKind::Create { fields } => (fields, true),
        OpKind::Set { fields } => (fields, false),
        _ => return Ok(Err(Reason::TransitionNotAllowed)),
    };
    let mut merged: Map<String, Value> = row.clone();
    merged.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
    let flag = |name: &str| merged.get(name).and_then(Value::as_bool).unwrap_or(false);
    let resident = actor.role == Role::Resident;
    let activity_key = merged.get("activity").and_then(Value::as_str).unwrap_or_default().to_string();
    let Some(activity_row) = activity_row(db, &activity_key, rows_seen).await? else {
        return Ok(Err(Reason::InvalidValue { field: "activity".into() }));
    };
    let Some(activity) = activity_of(&activity_row) else { return Ok(Err(Reason::InvalidValue { field: "activity".into() })) };
    let local_now = local_from_ms(now);
    // A private link past its time does nothing (`Activity::link_expired`).
    if resident && !creating && activity.link_expired(local_now) {
        return Ok(Err(Reason::Forbidden));
    }
    let standing = standings(db, &activity_key, rows_seen).await?;
    let others: Vec<Standing> = standing.iter().filter(|s| s.key != op.key).cloned().collect();
    let taken = places(activity.capacity, &others).len() as u32;
    let mut added: Vec<(&'static str, Value)> = Vec::new();

    if creating {
        if merged.get("branch") != activity_row.get("branch") {
            return Ok(Err(Reason::InvalidValue { field: "branch".into() }));
        }
        if flag("phone_invalid") {
            return refuse(VolunteerProblem::PhoneMalformed);
        }
        if !flag("consent") {
            return refuse(VolunteerProblem::ConsentMissing);
        }
        let walk_in = flag("walk_in");
        if walk_in && resident {
            return Ok(Err(Reason::Forbidden));
        }
        let phone_hash = merged.get("phone_hash").and_then(Value::as_str).unwrap_or_default().to_string();
        if phone_hash.is_empty() && !walk_in {
            return refuse(VolunteerProblem::PhoneMalformed);
        }
        if !phone_hash.is_empty() {
            let same: Vec<Value> = rows(
                db,
                "SELECT VALUE id FROM signup WHERE activity = $activity AND phone_hash = $hash LIMIT 1",
                json!({ "activity": activity_key, "hash": phone_hash }),
                0,
            )
            .await?;
            let in_batch = rows_seen.iter().any(|((t, k), r)| {
                t == "signup"
                    && *k != op.key
                    && r.as_ref().is_some_and(|r| {
                        r.get("activity").and_then(Value::as_str) == Some(&activity_key) && r.get("phone_hash").and_then(Value::as_str) == Some(&phone_hash)
                    })
            });
            if !same.is_empty() || in_batch {
                return refuse(VolunteerProblem::AlreadySignedUp);
            }
            if resident {
                let since = now - PHONE_WINDOW_MINUTES * 60_000;
                let recent: Vec<Value> =
                    rows(db, "SELECT VALUE id FROM signup WHERE phone_hash = $hash AND signed_at > $since", json!({ "hash": phone_hash, "since": since }), 0)
                        .await?;
                if recent.len() as u32 >= SIGNUPS_PER_PHONE {
                    return refuse(VolunteerProblem::TooManySignUps);
                }
            }
        }
        if walk_in {
            if let Err(problem) = activity.check_in_window(local_now) {
                return refuse(problem);
            }
        } else if let Err(problem) = activity.may_sign_up(local_now, taken, flag("wait")) {
            return refuse(problem);
        }
        added.push(("signed_at", json!(now)));
        added.push(("active", json!(true)));
        return Ok(Ok(added));
    }

    // Changes to a sign-up that exists.
    if fields.get("erase").and_then(Value::as_bool) == Some(true) {
        // Name and phone blanked here; the write also blanks them in the operation log.
        for (name, value) in [("name_cipher", ""), ("name_mask", "已删除"), ("phone_cipher", ""), ("phone_hash", ""), ("phone_mask", "")] {
            added.push((name, json!(value)));
        }
        added.push(("active", json!(false)));
        added.push(("erased", json!(true)));
        return Ok(Ok(added));
    }
    if let Some(active) = fields.get("active").and_then(Value::as_bool) {
        let was_active = row.get("active").and_then(Value::as_bool).unwrap_or(true);
        if active && !was_active {
            if let Err(problem) = activity.may_sign_up(local_now, taken, flag("wait")) {
                return refuse(problem);
            }
            // Signed up again: at the end of the queue.
            added.push(("signed_at", json!(now)));
        }
        if !active && local_now > activity.ends_at {
            return refuse(VolunteerProblem::Ended);
        }
    }
    let checked_in = merged.get("checked_in_at").and_then(Value::as_i64);
    if let Some(at) = fields.get("checked_in_at").and_then(Value::as_i64) {
        if !flag("active") && row.contains_key("active") {
            return refuse(VolunteerProblem::NotSignedUp);
        }
        if resident {
            if (at - now).abs() > RESIDENT_TIME_SLACK_MS {
                return Ok(Err(Reason::InvalidValue { field: "checked_in_at".into() }));
            }
            if row.get("checked_in_at").and_then(Value::as_i64).is_some() {
                return refuse(VolunteerProblem::AlreadyCheckedIn);
            }
        }
        if let Err(problem) = activity.check_in_window(local_from_ms(at)) {
            return refuse(problem);
        }
        let mine = places(activity.capacity, &standing).into_iter().find(|(k, _, _)| *k == op.key).map(|(_, place, _)| place);
        if !flag("walk_in") && mine != Some(Place::Confirmed) {
            return refuse(VolunteerProblem::Waiting);
        }
        if resident {
            // Wrong codes as counted in the database (written with each refusal, so
            // parallel guesses and other instances see them) and earlier in this group.
            // The activity's count is this minute's and the last one's: never more than
            // the limit in any sixty seconds.
            let minute = now / 60_000;
            let counted: Vec<Value> = rows(
                db,
                "RETURN [(SELECT VALUE n FROM ONLY type::record('code_tries', $key)) ?? 0, \
                 ((SELECT VALUE n FROM ONLY type::record('code_tries_minute', [$activity, $minute])) ?? 0) + ((SELECT VALUE n FROM ONLY type::record('code_tries_minute', [$activity, $minute - 1])) ?? 0)]",
                json!({ "key": op.key, "activity": activity_key, "minute": minute }),
                0,
            )
            .await?;
            let stored = |i: usize| counted.get(i).and_then(Value::as_u64).unwrap_or(0) as u32;
            let in_group = |signup: Option<&str>| batch.wrong_codes.iter().filter(|(s, a)| *a == activity_key && signup.is_none_or(|k| k == s)).count() as u32;
            if stored(1) + in_group(None) >= CODE_TRIES_PER_ACTIVITY_MINUTE {
                return refuse(VolunteerProblem::ActivityCodeTriesUsed);
            }
            let typed = fields.get("code").and_then(Value::as_str).unwrap_or_default();
            let code = activity_row.get("checkin_code").and_then(Value::as_str).unwrap_or_default();
            if let Err(problem) = check_code(typed, code, stored(0) + in_group(Some(&op.key))) {
                if matches!(problem, VolunteerProblem::WrongCode { .. }) {
                    batch.wrong_codes.push((op.key.clone(), activity_key.clone()));
                }
                return refuse(problem);
            }
        }
    }
    if let Some(at) = fields.get("checked_out_at").and_then(Value::as_i64) {
        if resident && (at - now).abs() > RESIDENT_TIME_SLACK_MS {
            return Ok(Err(Reason::InvalidValue { field: "checked_out_at".into() }));
        }
        let reason = fields.get("checkout_reason").and_then(Value::as_str).unwrap_or_default();
        match check_out(&activity, checked_in, at, now, reason) {
            Ok(stored) if stored != at => added.push(("checked_out_at", json!(stored))),
            Ok(_) => {}
            Err(problem) => return refuse(problem),
        }
    }
    if fields.contains_key("adjust_minutes") {
        let reason = merged.get("adjust_reason").and_then(Value::as_str).unwrap_or_default();
        if let Err(problem) = check_adjustment(reason) {
            return refuse(problem);
        }
    }
    Ok(Ok(added))
}

/// An activity's own rule: it ends after it starts.
pub(crate) fn check_activity(op: &Operation, row: &Row) -> Result<(), Reason> {
    let (OpKind::Create { fields } | OpKind::Set { fields }) = &op.kind else { return Err(Reason::TransitionNotAllowed) };
    let mut merged: Map<String, Value> = row.clone();
    merged.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
    match activity_of(&merged) {
        Some(activity) => activity.check().map_err(|problem| Reason::Volunteer { problem }),
        None => Err(Reason::InvalidValue { field: "starts_at".into() }),
    }
}

/// A brand page shows only photos the server has kept (`photos::upload` first).
pub(crate) async fn check_brand(db: &Db, op: &Operation) -> Result<Result<(), Reason>, surrealdb::Error> {
    let (OpKind::Create { fields } | OpKind::Set { fields }) = &op.kind else { return Ok(Ok(())) };
    let Some(list) = fields.get("photos").and_then(Value::as_array) else { return Ok(Ok(())) };
    let hashes: Vec<String> = list.iter().filter_map(|h| h.as_str().map(str::to_string)).collect();
    if hashes.len() > app::domain::photos::MAX_PER_BRAND {
        return Ok(Err(Reason::Photo { problem: app::domain::photos::PhotoProblem::TooMany }));
    }
    if !crate::photos::missing(db, &hashes).await?.is_empty() {
        return Ok(Err(Reason::Photo { problem: app::domain::photos::PhotoProblem::Missing }));
    }
    Ok(Ok(()))
}

/// A partner's application: a real branch, a mobile number for its contact, consent; it
/// starts as applied, and only the branch's staff move it on.
pub(crate) async fn check_partner(db: &Db, op: &Operation) -> Result<Result<Vec<(&'static str, Value)>, Reason>, surrealdb::Error> {
    let OpKind::Create { fields } = &op.kind else { return Ok(Ok(vec![])) };
    let branch = fields.get("branch").and_then(Value::as_str).unwrap_or_default();
    let exists: Option<String> = app::db::row(db, "SELECT VALUE name FROM ONLY type::record('branch', $key)", json!({ "key": branch })).await?;
    if exists.is_none() {
        return Ok(Err(Reason::InvalidValue { field: "branch".into() }));
    }
    if fields.get("phone_invalid") == Some(&Value::Bool(true)) || fields.get("phone_hash").and_then(Value::as_str).unwrap_or_default().is_empty() {
        return refuse(VolunteerProblem::PhoneMalformed);
    }
    if fields.get("consent") != Some(&Value::Bool(true)) {
        return refuse(VolunteerProblem::ConsentMissing);
    }
    Ok(Ok(vec![("status", json!("applied"))]))
}
