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
    use crate::domain::volunteers::{places, service_minutes, Activity, ActivityRecord, Place, SignupRecord, Standing};
    use serde::de::DeserializeOwned;

    /// A volunteer team.
    #[derive(Clone, Debug, Deserialize)]
    pub struct TeamRecord {
        pub key: String,
        pub name: String,
        #[serde(default)]
        pub branch: String,
    }

    /// A branch's brand page as its staff edit it.
    #[derive(Clone, Debug, Default, Deserialize)]
    pub struct BrandRecord {
        #[serde(default)]
        pub name: String,
        #[serde(default)]
        pub slogan: String,
        #[serde(default)]
        pub story: String,
        #[serde(default)]
        pub join: String,
        #[serde(default)]
        pub photos: Vec<String>,
    }

    /// A partner's application, its contact masked.
    #[derive(Clone, Debug, Deserialize)]
    pub struct PartnerRecord {
        pub key: String,
        pub org: String,
        pub kind: String,
        #[serde(default)]
        pub offer: String,
        #[serde(default)]
        pub name_mask: String,
        #[serde(default)]
        pub phone_mask: String,
        #[serde(default)]
        pub status: String,
    }

    /// A record of the device's copy as a typed row (its fields with its key); `None` when
    /// it does not read as one.
    pub fn row<T: DeserializeOwned>(record: &RecordState) -> Option<T> {
        let mut fields = record.fields.clone();
        fields.insert("key".into(), serde_json::Value::String(record.key.clone()));
        serde_json::from_value(serde_json::Value::Object(fields)).ok()
    }

    /// The people of one activity with their places and minutes. `open` reads a sealed
    /// name; where it cannot (offline), the masked name is shown.
    pub fn people(activity: &Activity, signups: &[SignupRecord], open: &dyn Fn(&str) -> Option<String>, now: i64) -> Vec<Person> {
        let list: Vec<Standing> = signups.iter().map(SignupRecord::standing).collect();
        let laid = places(activity.capacity, &list);
        let mut out: Vec<Person> = signups
            .iter()
            .map(|s| {
                let (place, position) = if s.walk_in {
                    ("walk_in", 0)
                } else if !s.active {
                    ("cancelled", 0)
                } else {
                    match laid.iter().find(|(k, _, _)| *k == s.key) {
                        Some((_, Place::Waiting, n)) => ("waiting", *n),
                        _ => ("confirmed", 0),
                    }
                };
                Person {
                    name: open(&s.name_cipher).unwrap_or_else(|| s.name_mask.clone()),
                    phone_mask: s.phone_mask.clone(),
                    place: place.to_string(),
                    position,
                    checked_in_at: s.checked_in_at,
                    checked_out_at: s.checked_out_at,
                    minutes: service_minutes(activity, s.checked_in_at, s.checked_out_at, now, s.adjust_minutes),
                    adjust_minutes: s.adjust_minutes,
                    adjust_reason: s.adjust_reason.clone(),
                    volunteer: if s.phone_hash.is_empty() { s.key.clone() } else { s.phone_hash.clone() },
                    key: s.key.clone(),
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

    /// The sign-ups of one activity.
    fn of(activity: &ActivityRecord, signups: &[SignupRecord]) -> Vec<SignupRecord> {
        signups.iter().filter(|s| s.activity == activity.key).cloned().collect()
    }

    pub fn row_of(a: &ActivityRecord, signups: &[SignupRecord], team: String) -> Option<ActivityRow> {
        let activity = a.activity()?;
        let mine: Vec<Standing> = signups.iter().filter(|s| s.activity == a.key).map(SignupRecord::standing).collect();
        let laid = places(activity.capacity, &mine);
        let taken = laid.iter().filter(|(_, p, _)| *p == Place::Confirmed).count() as u32;
        Some(ActivityRow {
            title: a.title.clone(),
            team,
            starts_at: a.starts_at.clone(),
            ends_at: a.ends_at.clone(),
            place: a.place.clone(),
            capacity: activity.capacity,
            taken,
            waiting: laid.len() as u32 - taken,
            cancelled: activity.cancelled,
            key: a.key.clone(),
        })
    }

    /// One activity's roster, without the audit of reveals (the server adds it).
    pub fn roster(a: &ActivityRecord, team: String, signups: &[SignupRecord], open: &dyn Fn(&str) -> Option<String>, now: i64) -> Option<Roster> {
        let parsed = a.activity()?;
        let mine = of(a, signups);
        Some(Roster {
            activity: row_of(a, &mine, team)?,
            branch: a.branch.clone(),
            code: a.checkin_code.clone(),
            people: people(&parsed, &mine, open, now),
            reveals: vec![],
        })
    }

    /// How many activities the volunteers page lists (the hours count them all).
    pub const LISTED: usize = 100;

    /// Each volunteer's activities and hours over `activities`: the one rule for the page's
    /// register and its export.
    pub fn register(
        activities: &[ActivityRecord],
        signups: &[SignupRecord],
        open: &dyn Fn(&str) -> Option<String>,
        now: i64,
    ) -> Vec<crate::domain::volunteers::VolunteerHours> {
        let mut served = Vec::new();
        for a in activities {
            let Some(activity) = a.activity() else { continue };
            served.extend(people(&activity, &of(a, signups), open, now).into_iter().map(|p| (p.volunteer, p.name, p.phone_mask, p.minutes)));
        }
        crate::domain::volunteers::tally_volunteers(&served)
    }

    /// What the volunteers page shows: `only` is the branch of branch staff (none for
    /// street staff); `activities` all of them, newest first (the first `LISTED` listed).
    pub struct Rows<'a> {
        pub only: Option<String>,
        pub activities: &'a [ActivityRecord],
        pub teams: &'a [TeamRecord],
        pub signups: &'a [SignupRecord],
        pub brand: Option<&'a BrandRecord>,
        pub partners: &'a [PartnerRecord],
    }

    pub fn overview(rows: Rows, open: &dyn Fn(&str) -> Option<String>, now: i64) -> Overview {
        let Rows { only, activities, teams, signups, brand, partners } = rows;
        let team_name = |key: &str| teams.iter().find(|t| t.key == key).map(|t| t.name.clone()).unwrap_or_default();
        let list: Vec<ActivityRow> = activities.iter().take(LISTED).filter_map(|a| row_of(a, signups, team_name(&a.team))).collect();
        // Minutes per team per month (the month the activity started).
        let mut months: std::collections::BTreeMap<String, Vec<(String, i64)>> = Default::default();
        for a in activities {
            let Some(activity) = a.activity() else { continue };
            let minutes: i64 = people(&activity, &of(a, signups), open, now).iter().map(|p| p.minutes).sum();
            let month = local_from_ms(crate::domain::time::ms_from_local(activity.starts_at)).format("%Y-%m").to_string();
            months.entry(month).or_default().push((team_name(&a.team), minutes));
        }
        let ranking = months.into_iter().rev().map(|(month, entries)| (month, crate::domain::volunteers::rank_teams(&entries))).collect();
        let own_teams = teams.iter().filter(|t| only.as_deref() == Some(t.branch.as_str())).map(|t| (t.key.clone(), t.name.clone())).collect();
        let brand_text = brand.map(|b| [b.name.clone(), b.slogan.clone(), b.story.clone(), b.join.clone()]);
        let brand_photos = brand.map(|b| b.photos.clone()).unwrap_or_default();
        let mut partners: Vec<(String, String, String, String, String, String)> = partners
            .iter()
            .map(|p| (p.key.clone(), p.org.clone(), p.kind.clone(), p.offer.clone(), format!("{} {}", p.name_mask, p.phone_mask), p.status.clone()))
            .collect();
        partners.sort_by_key(|p| (p.5 != "applied", p.1.clone()));
        let volunteers = register(activities, signups, open, now);
        Overview { branch: only, teams: own_teams, activities: list, brand: brand_text, brand_photos, volunteers, partners, ranking }
    }
}

#[cfg(feature = "ssr")]
async fn signups_of(db: &crate::db::Db, keys: &[String]) -> Result<Vec<crate::domain::volunteers::SignupRecord>, AppError> {
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
    use serde_json::json;
    let user = crate::auth::store::require_user().await?;
    if user.role != Role::StreetStaff && !user.role.is_branch_staff() {
        return Err(AppError::Forbidden);
    }
    let db = crate::auth::store::db()?;
    let only = if user.role.is_branch_staff() { user.branch.clone() } else { None };
    let activities: Vec<crate::domain::volunteers::ActivityRecord> = match &only {
        Some(branch) => {
            crate::db::rows(&db, "SELECT record::id(id) AS key, * OMIT id FROM activity WHERE branch = $b ORDER BY starts_at DESC", json!({ "b": branch }), 0)
                .await
        }
        None => crate::db::rows(&db, "SELECT record::id(id) AS key, * OMIT id FROM activity ORDER BY starts_at DESC", json!({}), 0).await,
    }
    .map_err(AppError::internal)?;
    let teams: Vec<build::TeamRecord> =
        crate::db::rows(&db, "SELECT record::id(id) AS key, name, branch FROM volunteer_team ORDER BY key", json!({}), 0).await.map_err(AppError::internal)?;
    let keys: Vec<String> = activities.iter().map(|a| a.key.clone()).collect();
    let signups = signups_of(&db, &keys).await?;
    // Names open for the branch's own staff; street staff see them masked, like phones.
    let opener = use_context::<Opener>().filter(|_| only.is_some());
    let open = |sealed: &str| opener.as_ref().and_then(|o| (o.0)(sealed));
    let brand = match &only {
        Some(branch) => {
            crate::db::row::<build::BrandRecord>(&db, "SELECT name, slogan, story, join, photos FROM ONLY type::record('brand', $b)", json!({ "b": branch }))
                .await
                .map_err(AppError::internal)?
        }
        None => None,
    };
    let partners: Vec<build::PartnerRecord> = match &only {
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
    use serde_json::json;
    let user = crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    let a: crate::domain::volunteers::ActivityRecord =
        crate::db::row(&db, "SELECT record::id(id) AS key, * OMIT id FROM ONLY type::record('activity', $key)", json!({ "key": activity }))
            .await
            .map_err(AppError::internal)?
            .ok_or(AppError::NotFound)?;
    if !may_see(&user, &a.branch) {
        return Err(AppError::Forbidden);
    }
    let team: Option<String> =
        crate::db::row(&db, "SELECT VALUE name FROM ONLY type::record('volunteer_team', $key)", json!({ "key": a.team })).await.map_err(AppError::internal)?;
    let signups = signups_of(&db, std::slice::from_ref(&activity)).await?;
    // Names open for the branch's own staff; street staff see them masked, like phones.
    let opener = use_context::<Opener>().filter(|_| user.role.is_branch_staff());
    let open = |sealed: &str| opener.as_ref().and_then(|o| (o.0)(sealed));
    let mut roster = build::roster(&a, team.unwrap_or_default(), &signups, &open, crate::db::now_ms()).ok_or(AppError::NotFound)?;
    /// A reveal as audited: when, by whom, and `activity/sign-up`.
    #[derive(Deserialize)]
    struct Reveal {
        at: i64,
        account: String,
        detail: String,
    }
    /// An account's name.
    #[derive(Deserialize)]
    struct Name {
        key: String,
        display_name: String,
    }
    let reveals: Vec<Reveal> = crate::db::rows(
        &db,
        "SELECT at, account, detail FROM audit WHERE event = 'reveal_phone' AND string::starts_with(detail, $prefix) ORDER BY at DESC LIMIT 50",
        json!({ "prefix": format!("{activity}/") }),
        0,
    )
    .await
    .map_err(AppError::internal)?;
    let names: Vec<Name> = crate::db::rows(&db, "SELECT record::id(id) AS key, display_name FROM account", json!({}), 0).await.map_err(AppError::internal)?;
    let reveals = reveals
        .iter()
        .map(|r| {
            let who = names.iter().find(|n| n.key == r.account).map(|n| n.display_name.clone()).unwrap_or_else(|| r.account.clone());
            let whose = r.detail.split('/').nth(1).unwrap_or_default();
            let whose = roster.people.iter().find(|p| p.key == whose).map(|p| crate::domain::volunteers::mask_name(&p.name)).unwrap_or_default();
            (crate::domain::time::local_from_ms(r.at).format("%m-%d %H:%M").to_string(), who, whose)
        })
        .collect();
    roster.reveals = reveals;
    Ok(roster)
}

/// A sign-up's full phone number, for the staff of its branch; every reveal is audited.
#[server(endpoint = "reveal_phone")]
pub async fn reveal_phone(signup: String) -> Result<String, AppError> {
    use serde_json::json;
    let user = crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    /// Whose activity a sign-up is for, and its sealed phone.
    #[derive(Deserialize)]
    struct Sealed {
        activity: String,
        branch: String,
        #[serde(default)]
        phone_cipher: String,
    }
    let s: Sealed = crate::db::row(&db, "SELECT activity, branch, phone_cipher FROM ONLY type::record('signup', $key)", json!({ "key": signup }))
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    let branch = s.branch.as_str();
    // Street staff see the street's figures; a number is for the branch that runs the activity.
    if !(user.role.is_branch_staff() && user.branch.as_deref() == Some(branch)) {
        return Err(AppError::Forbidden);
    }
    let opener = use_context::<Opener>().ok_or_else(|| AppError::internal("no opener"))?;
    let phone = (opener.0)(&s.phone_cipher).ok_or(AppError::NotFound)?;
    let detail = format!("{}/{signup}", s.activity);
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
    let signups: Vec<crate::domain::volunteers::SignupRecord> = crate::sync::local_records(crate::domain::volunteers::SIGNUP_TABLE)
        .await
        .iter()
        .filter(|s| s.text("activity") == Some(key))
        .filter_map(build::row)
        .collect();
    build::roster(&build::row(&activity)?, team.unwrap_or_default(), &signups, &|_| None, crate::sync::stamp().ms as i64)
}

/// The volunteers page as this device holds it, for offline. Its tables are pulled
/// only for those who may see them, and for branch staff only their branch's.
pub async fn local_overview(user: &crate::auth::SessionUser) -> Overview {
    let records = |table: &'static str| crate::sync::local_records(table);
    let mut activities: Vec<crate::domain::volunteers::ActivityRecord> =
        records(crate::domain::volunteers::ACTIVITY_TABLE).await.iter().filter_map(build::row).collect();
    activities.sort_by(|a, b| b.starts_at.cmp(&a.starts_at));
    let only = user.branch.clone().filter(|_| user.role.is_branch_staff());
    let brand: Option<build::BrandRecord> = match &only {
        Some(branch) => records("brand").await.iter().find(|r| &r.key == branch).and_then(build::row),
        None => None,
    };
    let teams: Vec<build::TeamRecord> = records("volunteer_team").await.iter().filter_map(build::row).collect();
    let signups: Vec<crate::domain::volunteers::SignupRecord> = records(crate::domain::volunteers::SIGNUP_TABLE).await.iter().filter_map(build::row).collect();
    let partners: Vec<build::PartnerRecord> = records("partner").await.iter().filter_map(build::row).collect();
    let rows = build::Rows { only: only.clone(), activities: &activities, teams: &teams, signups: &signups, brand: brand.as_ref(), partners: &partners };
    build::overview(rows, &|_| None, crate::sync::stamp().ms as i64)
}
