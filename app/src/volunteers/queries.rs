//! Reads for the staff side. Names are opened for the staff of the activity's branch;
//! phones stay masked unless one is revealed, which is audited.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Opens a sealed name or phone (the server's `pii`), given to server functions as context.
#[derive(Clone)]
pub struct Opener(pub std::sync::Arc<OpenFn>);

/// Opens a sealed text, or says it cannot.
pub type OpenFn = dyn Fn(&str) -> Option<String> + Send + Sync;

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

/// Rosters and overviews from rows as read (the server's, or the device's copy offline):
/// one builder for both, so a tablet offline shows what the server would.
pub mod build {
    use super::*;
    use crate::domain::replica::RecordState;
    use crate::domain::time::local_from_ms;
    use crate::domain::volunteers::{places, service_minutes, Activity, Place, Standing};
    use serde_json::Value;

    /// A record of the device's copy as a row: its fields with its key.
    pub fn row(record: &RecordState) -> Value {
        let mut fields = record.fields.clone();
        fields.insert("key".into(), Value::String(record.key.clone()));
        Value::Object(fields)
    }

    /// The people of one activity with their places and minutes. `open` reads a sealed
    /// name; where it cannot (offline), the masked name is shown.
    pub fn people(activity: &Activity, signups: &[Value], open: &dyn Fn(&str) -> Option<String>, now: i64) -> Vec<Person> {
        let list: Vec<Standing> = signups.iter().map(Standing::from_record).collect();
        let laid = places(activity.capacity, &list);
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
                    minutes: service_minutes(
                        activity,
                        s["checked_in_at"].as_i64(),
                        s["checked_out_at"].as_i64(),
                        now,
                        s["adjust_minutes"].as_i64().unwrap_or(0),
                    ),
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

    /// One activity's roster, without the audit of reveals (the server adds it).
    pub fn roster(a: &Value, team: String, signups: &[Value], open: &dyn Fn(&str) -> Option<String>, now: i64) -> Option<Roster> {
        let parsed = Activity::from_record(a)?;
        let mine: Vec<Value> = signups.iter().filter(|s| s["activity"] == a["key"]).cloned().collect();
        Some(Roster {
            activity: row_of(a, &mine, team)?,
            branch: a["branch"].as_str().unwrap_or_default().to_string(),
            code: a["checkin_code"].as_str().unwrap_or_default().to_string(),
            people: people(&parsed, &mine, open, now),
            reveals: vec![],
        })
    }

    /// How many activities the volunteers page lists (the hours count them all).
    pub const LISTED: usize = 100;

    /// Each volunteer's activities and hours over `activities`: the one rule for the page's
    /// register and its export.
    pub fn register(
        activities: &[Value],
        signups: &[Value],
        open: &dyn Fn(&str) -> Option<String>,
        now: i64,
    ) -> Vec<crate::domain::volunteers::VolunteerHours> {
        let mut served = Vec::new();
        for a in activities {
            let Some(activity) = Activity::from_record(a) else { continue };
            let mine: Vec<Value> = signups.iter().filter(|s| s["activity"] == a["key"]).cloned().collect();
            served.extend(people(&activity, &mine, open, now).into_iter().map(|p| (p.volunteer, p.name, p.phone_mask, p.minutes)));
        }
        crate::domain::volunteers::tally_volunteers(&served)
    }

    /// What the volunteers page shows: `only` is the branch of branch staff (none for
    /// street staff); `activities` all of them, newest first (the first `LISTED` listed).
    pub struct Rows<'a> {
        pub only: Option<String>,
        pub activities: &'a [Value],
        pub teams: &'a [Value],
        pub signups: &'a [Value],
        pub brand: Option<&'a Value>,
        pub partners: &'a [Value],
    }

    pub fn overview(rows: Rows, open: &dyn Fn(&str) -> Option<String>, now: i64) -> Overview {
        let Rows { only, activities, teams, signups, brand, partners } = rows;
        let team_name = |key: &str| teams.iter().find(|t| t["key"].as_str() == Some(key)).and_then(|t| t["name"].as_str()).unwrap_or_default().to_string();
        let list: Vec<ActivityRow> =
            activities.iter().take(LISTED).filter_map(|a| row_of(a, signups, team_name(a["team"].as_str().unwrap_or_default()))).collect();
        // Minutes per team per month (the month the activity started).
        let mut months: std::collections::BTreeMap<String, Vec<(String, i64)>> = Default::default();
        for a in activities {
            let Some(activity) = Activity::from_record(a) else { continue };
            let mine: Vec<Value> = signups.iter().filter(|s| s["activity"] == a["key"]).cloned().collect();
            let minutes: i64 = people(&activity, &mine, open, now).iter().map(|p| p.minutes).sum();
            let month = local_from_ms(crate::domain::time::ms_from_local(activity.starts_at)).format("%Y-%m").to_string();
            months.entry(month).or_default().push((team_name(a["team"].as_str().unwrap_or_default()), minutes));
        }
        let ranking = months.into_iter().rev().map(|(month, entries)| (month, crate::domain::volunteers::rank_teams(&entries))).collect();
        let own_teams = teams
            .iter()
            .filter(|t| only.is_some() && t["branch"].as_str() == only.as_deref())
            .map(|t| (t["key"].as_str().unwrap_or_default().to_string(), t["name"].as_str().unwrap_or_default().to_string()))
            .collect();
        let brand_text = brand.map(|b| ["name", "slogan", "story", "join"].map(|f| b[f].as_str().unwrap_or_default().to_string()));
        let brand_photos = brand.and_then(|b| serde_json::from_value(b["photos"].clone()).ok()).unwrap_or_default();
        let mut partners: Vec<(String, String, String, String, String, String)> = partners
            .iter()
            .map(|p| {
                let text = |f: &str| p[f].as_str().unwrap_or_default().to_string();
                (text("key"), text("org"), text("kind"), text("offer"), format!("{} {}", text("name_mask"), text("phone_mask")), text("status"))
            })
            .collect();
        partners.sort_by_key(|p| (p.5 != "applied", p.1.clone()));
        let volunteers = register(activities, signups, open, now);
        Overview { branch: only, teams: own_teams, activities: list, brand: brand_text, brand_photos, volunteers, partners, ranking }
    }
}

#[cfg(feature = "ssr")]
async fn signups_of(db: &crate::db::Db, keys: &[String]) -> Result<Vec<serde_json::Value>, AppError> {
    crate::db::rows(
        db,
        "SELECT record::id(id) AS key, * OMIT id FROM signup WHERE activity IN $keys ORDER BY signed_at",
        serde_json::json!({ "keys": keys }),
        0,
    )
    .await
    .map_err(AppError::internal)
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
    use serde_json::{json, Value};
    let user = crate::auth::store::require_user().await?;
    if user.role != Role::StreetStaff && !user.role.is_branch_staff() {
        return Err(AppError::Forbidden);
    }
    let db = crate::auth::store::db()?;
    let only = if user.role.is_branch_staff() { user.branch.clone() } else { None };
    let activities: Vec<Value> = match &only {
        Some(branch) => {
            crate::db::rows(&db, "SELECT record::id(id) AS key, * OMIT id FROM activity WHERE branch = $b ORDER BY starts_at DESC", json!({ "b": branch }), 0)
                .await
        }
        None => crate::db::rows(&db, "SELECT record::id(id) AS key, * OMIT id FROM activity ORDER BY starts_at DESC", json!({}), 0).await,
    }
    .map_err(AppError::internal)?;
    let teams: Vec<Value> =
        crate::db::rows(&db, "SELECT record::id(id) AS key, name, branch FROM volunteer_team ORDER BY key", json!({}), 0).await.map_err(AppError::internal)?;
    let keys: Vec<String> = activities.iter().filter_map(|a| a["key"].as_str().map(str::to_string)).collect();
    let signups = signups_of(&db, &keys).await?;
    // Names open for the branch's own staff; street staff see them masked, like phones.
    let opener = use_context::<Opener>().filter(|_| only.is_some());
    let open = |sealed: &str| opener.as_ref().and_then(|o| (o.0)(sealed));
    let brand = match &only {
        Some(branch) => crate::db::row::<Value>(&db, "SELECT name, slogan, story, join, photos FROM ONLY type::record('brand', $b)", json!({ "b": branch }))
            .await
            .map_err(AppError::internal)?,
        None => None,
    };
    let partners: Vec<Value> = match &only {
        Some(branch) => {
            crate::db::rows(
                &db,
                "SELECT record::id(id) AS key, org, kind, offer, name_mask, phone_mask, status FROM partner WHERE branch = $b",
                json!({ "b": branch }),
                0,
            )
            .await
        }
        None => crate::db::rows(&db, "SELECT record::id(id) AS key, org, kind, offer, name_mask, phone_mask, status FROM partner", json!({}), 0).await,
    }
    .map_err(AppError::internal)?;
    let rows = build::Rows { only, activities: &activities, teams: &teams, signups: &signups, brand: brand.as_ref(), partners: &partners };
    Ok(build::overview(rows, &open, crate::db::now_ms()))
}

#[server(endpoint = "get_roster")]
pub async fn get_roster(activity: String) -> Result<Roster, AppError> {
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
    let team: Option<String> = crate::db::row(&db, "SELECT VALUE name FROM ONLY type::record('volunteer_team', $key)", json!({ "key": a["team"] }))
        .await
        .map_err(AppError::internal)?;
    let signups = signups_of(&db, std::slice::from_ref(&activity)).await?;
    // Names open for the branch's own staff; street staff see them masked, like phones.
    let opener = use_context::<Opener>().filter(|_| user.role.is_branch_staff());
    let open = |sealed: &str| opener.as_ref().and_then(|o| (o.0)(sealed));
    let mut roster = build::roster(&a, team.unwrap_or_default(), &signups, &open, crate::db::now_ms()).ok_or(AppError::NotFound)?;
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
            let whose = roster.people.iter().find(|p| p.key == whose).map(|p| crate::domain::volunteers::mask_name(&p.name)).unwrap_or_default();
            (crate::domain::time::local_from_ms(r["at"].as_i64().unwrap_or(0)).format("%m-%d %H:%M").to_string(), who, whose)
        })
        .collect();
    roster.reveals = reveals;
    Ok(roster)
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
    // On record first: a number whose reveal could not be logged is not shown.
    crate::auth::store::audit_committed(&db, Some(&user.account), "reveal_phone", &detail).await.map_err(AppError::internal)?;
    Ok(phone)
}

/// One activity's roster as this device holds it, for offline: names as masked, no
/// reveals. `None` when the device does not hold the activity.
pub async fn local_roster(key: &str) -> Option<Roster> {
    let activity = crate::sync::local_record(crate::domain::volunteers::ACTIVITY_TABLE, key).await?;
    let team = match activity.text("team") {
        Some(team) => crate::sync::local_record("volunteer_team", team).await.and_then(|t| t.text("name").map(str::to_string)),
        None => None,
    };
    let signups: Vec<serde_json::Value> =
        crate::sync::local_records(crate::domain::volunteers::SIGNUP_TABLE).await.iter().filter(|s| s.text("activity") == Some(key)).map(build::row).collect();
    build::roster(&build::row(&activity), team.unwrap_or_default(), &signups, &|_| None, crate::sync::stamp().ms as i64)
}

/// The volunteers page as this device holds it, for offline. Its tables are pulled
/// only for those who may see them, and for branch staff only their branch's.
pub async fn local_overview(user: &crate::auth::SessionUser) -> Overview {
    let rows = |table: &'static str| async move { crate::sync::local_records(table).await.iter().map(build::row).collect::<Vec<_>>() };
    let mut activities = rows(crate::domain::volunteers::ACTIVITY_TABLE).await;
    activities.sort_by(|a, b| b["starts_at"].as_str().cmp(&a["starts_at"].as_str()));
    let only = user.branch.clone().filter(|_| user.role.is_branch_staff());
    let brands = rows("brand").await;
    let brand = only.as_ref().and_then(|b| brands.iter().find(|row| row["key"].as_str() == Some(b)));
    let (teams, signups, partners) = (rows("volunteer_team").await, rows(crate::domain::volunteers::SIGNUP_TABLE).await, rows("partner").await);
    let rows = build::Rows { only: only.clone(), activities: &activities, teams: &teams, signups: &signups, brand, partners: &partners };
    build::overview(rows, &|_| None, crate::sync::stamp().ms as i64)
}
