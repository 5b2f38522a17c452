//! Reads for the staff side. Names are opened for the staff of the activity's branch;
//! phones stay masked unless one is revealed, which is audited.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Opens a sealed name or phone (the server's `pii`), given to server functions as context.
#[derive(Clone)]
pub struct Opener(pub std::sync::Arc<dyn Fn(&str) -> Option<String> + Send + Sync>);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityRow {
    pub key: String,
    pub title: String,
    pub team: String,
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
    pub capacity: u32,
    pub taken: u32,
    pub waiting: u32,
    pub cancelled: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// The branch new activities belong to (none for street staff).
    pub branch: Option<String>,
    /// (key, name) of the teams the person may recruit for.
    pub teams: Vec<(String, String)>,
    pub activities: Vec<ActivityRow>,
    /// The branch's brand page as stored: [name, slogan, story, join].
    pub brand: Option<[String; 4]>,
    /// Its photos (content hashes), the cover first.
    pub brand_photos: Vec<String>,
    /// Each volunteer's hours over the activities listed, most first.
    pub volunteers: Vec<crate::domain::volunteers::VolunteerHours>,
    /// Partners' applications, pending ones first: (key, organisation, kind, offer, contact, status).
    pub partners: Vec<(String, String, String, String, String, String)>,
    /// (month `YYYY-MM`, [(team, minutes)] most first).
    pub ranking: Vec<(String, Vec<(String, i64)>)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub key: String,
    pub name: String,
    pub phone_mask: String,
    /// `confirmed`, `waiting`, `cancelled` or `walk_in`.
    pub place: String,
    pub position: u32,
    pub checked_in_at: Option<i64>,
    pub checked_out_at: Option<i64>,
    pub minutes: i64,
    /// Minutes added (or taken off) by hand, with the reason given.
    #[serde(default)]
    pub adjust_minutes: i64,
    #[serde(default)]
    pub adjust_reason: String,
    /// Who this is across activities (the phone's keyed hash, or the sign-up for a
    /// walk-in without a phone); kept on the server.
    #[serde(skip)]
    pub volunteer: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Roster {
    pub activity: ActivityRow,
    pub branch: String,
    pub code: String,
    pub people: Vec<Person>,
    /// Who revealed which number, newest first: (when, who, whose).
    pub reveals: Vec<(String, String, String)>,
}

#[cfg(feature = "ssr")]
mod sql {
    use super::*;
    use crate::db::{now_ms, rows, Db};
    use crate::domain::volunteers::{local_from_ms, places, service_minutes, Activity, Place, Standing};
    use serde_json::{json, Value};

    /// The people of one activity with their places and minutes.
    pub fn people(activity: &Activity, signups: &[Value], open: &dyn Fn(&str) -> Option<String>) -> Vec<Person> {
        let list: Vec<Standing> = signups.iter().map(Standing::from_record).collect();
        let laid = places(activity.capacity, &list);
        let now = now_ms();
        let mut out: Vec<Person> = signups
            .iter()
            .map(|s| {
                let key = s["key"].as_str().unwrap_or_default().to_string();
                let (place, position) = if s["walk_in"].as_bool().unwrap_or(false) {
                    ("walk_in", 0)
                } else if !s["active"].as_bool().unwrap_or(true) {
                    ("cancelled", 0)
                } else {
                    match laid.iter().find(|(k, _, _)| *k == key) {
                        Some((_, Place::Waiting, n)) => ("waiting", *n),
                        _ => ("confirmed", 0),
                    }
                };
                Person {
                    name: open(s["name_cipher"].as_str().unwrap_or_default()).unwrap_or_else(|| s["name_mask"].as_str().unwrap_or_default().to_string()),
                    phone_mask: s["phone_mask"].as_str().unwrap_or_default().to_string(),
                    place: place.to_string(),
                    position,
                    checked_in_at: s["checked_in_at"].as_i64(),
                    checked_out_at: s["checked_out_at"].as_i64(),
                    minutes: service_minutes(activity, s["checked_in_at"].as_i64(), s["checked_out_at"].as_i64(), now, s["adjust_minutes"].as_i64().unwrap_or(0)),
                    adjust_minutes: s["adjust_minutes"].as_i64().unwrap_or(0),
                    adjust_reason: s["adjust_reason"].as_str().unwrap_or_default().to_string(),
                    volunteer: s["phone_hash"].as_str().filter(|h| !h.is_empty()).unwrap_or(&key).to_string(),
                    key,
                }
            })
            .collect();
        let rank = |p: &Person| match p.place.as_str() {
            "confirmed" | "walk_in" => 0,
            "waiting" => 1,
            _ => 2,
        };
        out.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.position.cmp(&b.position)));
        out
    }

    pub async fn signups_of(db: &Db, keys: &[String]) -> Result<Vec<Value>, AppError> {
        rows(db, "SELECT record::id(id) AS key, * OMIT id FROM signup WHERE activity IN $keys ORDER BY signed_at", json!({ "keys": keys }), 0).await.map_err(AppError::internal)
    }

    pub fn row_of(a: &Value, signups: &[Value], team: String) -> Option<ActivityRow> {
        let activity = Activity::from_record(a)?;
        let key = a["key"].as_str()?.to_string();
        let mine: Vec<Standing> = signups.iter().filter(|s| s["activity"].as_str() == Some(&key)).map(Standing::from_record).collect();
        let laid = places(activity.capacity, &mine);
        let taken = laid.iter().filter(|(_, p, _)| *p == Place::Confirmed).count() as u32;
        Some(ActivityRow {
            title: a["title"].as_str().unwrap_or_default().to_string(),
            team,
            starts_at: a["starts_at"].as_str().unwrap_or_default().to_string(),
            ends_at: a["ends_at"].as_str().unwrap_or_default().to_string(),
            place: a["place"].as_str().unwrap_or_default().to_string(),
            capacity: activity.capacity,
            taken,
            waiting: laid.len() as u32 - taken,
            cancelled: activity.cancelled,
            key,
        })
    }

    pub fn month_of(ms: i64) -> String {
        local_from_ms(ms).format("%Y-%m").to_string()
    }
}

/// May this person see the activities of `branch`?
#[cfg(feature = "ssr")]
fn may_see(user: &crate::auth::SessionUser, branch: &str) -> bool {
    use crate::domain::org::Role;
    user.role == Role::StreetStaff || (user.role.is_branch_staff() && user.branch.as_deref() == Some(branch))
}

#[server(endpoint = "get_volunteers")]
pub async fn get_volunteers() -> Result<Overview, AppError> {
    use crate::domain::org::Role;
    use crate::domain::volunteers::Activity;
    use serde_json::{json, Value};
    let user = crate::auth::store::require_user().await?;
    if user.role != Role::StreetStaff && !user.role.is_branch_staff() {
        return Err(AppError::Forbidden);
    }
    let db = crate::auth::store::db()?;
    let only = if user.role.is_branch_staff() { user.branch.clone() } else { None };
    let activities: Vec<Value> = match &only {
        Some(branch) => crate::db::rows(&db, "SELECT record::id(id) AS key, * OMIT id FROM activity WHERE branch = $b ORDER BY starts_at DESC LIMIT 100", json!({ "b": branch }), 0).await,
        None => crate::db::rows(&db, "SELECT record::id(id) AS key, * OMIT id FROM activity ORDER BY starts_at DESC LIMIT 100", json!({}), 0).await,
    }
    .map_err(AppError::internal)?;
    let teams: Vec<Value> = crate::db::rows(&db, "SELECT record::id(id) AS key, name, branch FROM volunteer_team ORDER BY key", json!({}), 0).await.map_err(AppError::internal)?;
    let team_name = |key: &str| teams.iter().find(|t| t["key"].as_str() == Some(key)).and_then(|t| t["name"].as_str()).unwrap_or_default().to_string();
    let keys: Vec<String> = activities.iter().filter_map(|a| a["key"].as_str().map(str::to_string)).collect();
    let signups = sql::signups_of(&db, &keys).await?;
    let rows: Vec<ActivityRow> = activities.iter().filter_map(|a| sql::row_of(a, &signups, team_name(a["team"].as_str().unwrap_or_default()))).collect();
    // Minutes per team per month (the month the activity started), and per volunteer.
    let opener = use_context::<Opener>();
    let open = |sealed: &str| opener.as_ref().and_then(|o| (o.0)(sealed));
    let mut months: std::collections::BTreeMap<String, Vec<(String, i64)>> = Default::default();
    let mut served = Vec::new();
    for a in &activities {
        let Some(activity) = Activity::from_record(a) else { continue };
        let key = a["key"].as_str().unwrap_or_default();
        let mine: Vec<Value> = signups.iter().filter(|s| s["activity"].as_str() == Some(key)).cloned().collect();
        let people = sql::people(&activity, &mine, &open);
        let minutes: i64 = people.iter().map(|p| p.minutes).sum();
        served.extend(people.into_iter().map(|p| (p.volunteer, p.name, p.phone_mask, p.minutes)));
        let month = sql::month_of(crate::domain::volunteers::ms_from_local(activity.starts_at));
        months.entry(month).or_default().push((team_name(a["team"].as_str().unwrap_or_default()), minutes));
    }
    let ranking = months.into_iter().rev().map(|(month, entries)| (month, crate::domain::volunteers::rank_teams(&entries))).collect();
    let own_teams = teams
        .iter()
        .filter(|t| only.is_some() && t["branch"].as_str() == only.as_deref())
        .map(|t| (t["key"].as_str().unwrap_or_default().to_string(), t["name"].as_str().unwrap_or_default().to_string()))
        .collect();
    let brand_row = match &only {
        Some(branch) => crate::db::row::<Value>(&db, "SELECT name, slogan, story, join, photos FROM ONLY type::record('brand', $b)", json!({ "b": branch }))
            .await
            .map_err(AppError::internal)?,
        None => None,
    };
    let brand = brand_row.as_ref().map(|b| ["name", "slogan", "story", "join"].map(|f| b[f].as_str().unwrap_or_default().to_string()));
    let brand_photos = brand_row.as_ref().and_then(|b| serde_json::from_value(b["photos"].clone()).ok()).unwrap_or_default();
    let partners: Vec<Value> = match &only {
        Some(branch) => crate::db::rows(&db, "SELECT record::id(id) AS key, org, kind, offer, name_mask, phone_mask, status FROM partner WHERE branch = $b", json!({ "b": branch }), 0).await,
        None => crate::db::rows(&db, "SELECT record::id(id) AS key, org, kind, offer, name_mask, phone_mask, status FROM partner", json!({}), 0).await,
    }
    .map_err(AppError::internal)?;
    let mut partners: Vec<(String, String, String, String, String, String)> = partners
        .iter()
        .map(|p| {
            let text = |f: &str| p[f].as_str().unwrap_or_default().to_string();
            (text("key"), text("org"), text("kind"), text("offer"), format!("{} {}", text("name_mask"), text("phone_mask")), text("status"))
        })
        .collect();
    partners.sort_by_key(|p| (p.5 != "applied", p.1.clone()));
    let volunteers = crate::domain::volunteers::tally_volunteers(&served);
    Ok(Overview { branch: only, teams: own_teams, activities: rows, brand, brand_photos, volunteers, partners, ranking })
}

#[server(endpoint = "get_roster")]
pub async fn get_roster(activity: String) -> Result<Roster, AppError> {
    use crate::domain::volunteers::Activity;
    use serde_json::{json, Value};
    let user = crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    let a: Value = crate::db::row(&db, "SELECT record::id(id) AS key, * OMIT id FROM ONLY type::record('activity', $key)", json!({ "key": activity }))
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    let branch = a["branch"].as_str().unwrap_or_default().to_string();
    if !may_see(&user, &branch) {
        return Err(AppError::Forbidden);
    }
    let team: Option<String> = crate::db::row(&db, "SELECT VALUE name FROM ONLY type::record('volunteer_team', $key)", json!({ "key": a["team"] })).await.map_err(AppError::internal)?;
    let signups = sql::signups_of(&db, std::slice::from_ref(&activity)).await?;
    let opener = use_context::<Opener>();
    let open = |sealed: &str| opener.as_ref().and_then(|o| (o.0)(sealed));
    let Some(parsed) = Activity::from_record(&a) else { return Err(AppError::NotFound) };
    let people = sql::people(&parsed, &signups, &open);
    let reveals: Vec<Value> = crate::db::rows(
        &db,
        "SELECT at, account, detail FROM audit WHERE event = 'reveal_phone' AND string::starts_with(detail, $prefix) ORDER BY at DESC LIMIT 50",
        json!({ "prefix": format!("{activity}/") }),
        0,
    )
    .await
    .map_err(AppError::internal)?;
    let names: Vec<Value> = crate::db::rows(&db, "SELECT record::id(id) AS key, display_name FROM account", json!({}), 0).await.map_err(AppError::internal)?;
    let reveals = reveals
        .iter()
        .map(|r| {
            let who = r["account"].as_str().unwrap_or_default();
            let who = names.iter().find(|n| n["key"].as_str() == Some(who)).and_then(|n| n["display_name"].as_str()).unwrap_or(who).to_string();
            let whose = r["detail"].as_str().unwrap_or_default().split('/').nth(1).unwrap_or_default();
            let whose = people.iter().find(|p| p.key == whose).map(|p| crate::domain::volunteers::mask_name(&p.name)).unwrap_or_default();
            (crate::domain::volunteers::local_from_ms(r["at"].as_i64().unwrap_or(0)).format("%m-%d %H:%M").to_string(), who, whose)
        })
        .collect();
    let row = sql::row_of(&a, &signups, team.unwrap_or_default()).ok_or(AppError::NotFound)?;
    Ok(Roster { activity: row, branch, code: a["checkin_code"].as_str().unwrap_or_default().to_string(), people, reveals })
}

/// A sign-up's full phone number, for the staff of its branch; every reveal is audited.
#[server(endpoint = "reveal_phone")]
pub async fn reveal_phone(signup: String) -> Result<String, AppError> {
    use serde_json::{json, Value};
    let user = crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    let s: Value = crate::db::row(&db, "SELECT activity, branch, phone_cipher FROM ONLY type::record('signup', $key)", json!({ "key": signup }))
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    let branch = s["branch"].as_str().unwrap_or_default();
    // Street staff see the street's figures; a number is for the branch that runs the activity.
    if !(user.role.is_branch_staff() && user.branch.as_deref() == Some(branch)) {
        return Err(AppError::Forbidden);
    }
    let opener = use_context::<Opener>().ok_or_else(|| AppError::internal("no opener"))?;
    let phone = (opener.0)(s["phone_cipher"].as_str().unwrap_or_default()).ok_or(AppError::NotFound)?;
    let detail = format!("{}/{signup}", s["activity"].as_str().unwrap_or_default());
    crate::auth::store::audit(&db, Some(&user.account), "reveal_phone", &detail).await;
    Ok(phone)
}
