//! Reads of the mentor team: mentors, pairings (with their history), sessions, and the
//! projects a session can serve. Changes go through the sync module.

use crate::domain::mentors::Pairing;
use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mentor {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub expertise: String,
    pub account: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub key: String,
    pub mentor: String,
    pub branch: String,
    pub project: Option<String>,
    pub date: NaiveDate,
    pub form: String,
    pub outcomes: Vec<String>,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MentoringData {
    pub mentors: Vec<Mentor>,
    /// (key, name), in the street's order.
    pub branches: Vec<(String, String)>,
    pub pairings: Vec<Pairing>,
    /// Newest first.
    pub sessions: Vec<Session>,
    /// (key, title, branch) of filed projects, for the session form.
    pub projects: Vec<(String, String, String)>,
    pub today: NaiveDate,
}

impl MentoringData {
    pub fn mentor_name(&self, key: &str) -> String {
        self.mentors.iter().find(|m| m.key == key).map(|m| m.name.clone()).unwrap_or_default()
    }

    pub fn branch_name(&self, key: &str) -> String {
        self.branches.iter().find(|(k, _)| k == key).map(|(_, n)| n.clone()).unwrap_or_default()
    }
}

#[server(endpoint = "get_mentoring")]
pub async fn get_mentoring() -> Result<MentoringData, AppError> {
    use crate::domain::gantt::parse_date;
    use serde_json::{json, Value};
    let user = crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    let only = if user.role.is_branch_staff() { user.branch.clone() } else { None };
    // Branch staff see their own branch's sessions.
    let only_branch = if only.is_some() { "WHERE branch = $branch" } else { "" };
    let sql = format!(
        "SELECT record::id(id) AS key, name, kind, expertise, account FROM mentor ORDER BY key;\n\
         SELECT record::id(id) AS key, name FROM branch ORDER BY sort;\n\
         SELECT record::id(id) AS key, * OMIT id FROM mentor_pairing ORDER BY starts_on;\n\
         SELECT record::id(id) AS key, * OMIT id FROM mentor_session {only_branch} ORDER BY date DESC;\n\
         SELECT record::id(id) AS key, title, branch FROM project WHERE status IN ['filed', 'in_progress', 'completed'] ORDER BY key;"
    );
    let mut response = crate::db::query(&db, &sql, json!({ "branch": only })).await.map_err(AppError::internal)?;
    let mut take = |n: usize| crate::db::take_rows(&mut response, n).map_err(AppError::internal);
    let (mentors, branches, pairings, sessions, projects) = (take(0)?, take(1)?, take(2)?, take(3)?, take(4)?);
    let text = |v: &Value, name: &str| v[name].as_str().unwrap_or_default().to_string();
    Ok(MentoringData {
        mentors: mentors
            .iter()
            .map(|m| Mentor {
                key: text(m, "key"),
                name: text(m, "name"),
                kind: text(m, "kind"),
                expertise: text(m, "expertise"),
                account: m["account"].as_str().map(str::to_string),
            })
            .collect(),
        branches: branches.iter().map(|b| (text(b, "key"), text(b, "name"))).collect(),
        pairings: pairings
            .iter()
            .filter_map(|p| {
                Some(Pairing {
                    key: text(p, "key"),
                    mentor: text(p, "mentor"),
                    branch: text(p, "branch"),
                    starts_on: parse_date(&text(p, "starts_on"))?,
                    ends_on: parse_date(&text(p, "ends_on")),
                    additional: p["additional"].as_bool().unwrap_or(false),
                })
            })
            .collect(),
        sessions: sessions.iter().filter_map(|s| session_from(&text(s, "key"), s)).collect(),
        projects: projects.iter().map(|p| (text(p, "key"), text(p, "title"), text(p, "branch"))).collect(),
        today: crate::clock::today(),
    })
}

/// A stored session row (also the device's copy of one).
pub fn session_from(key: &str, row: &serde_json::Value) -> Option<Session> {
    let text = |name: &str| row[name].as_str().unwrap_or_default().to_string();
    Some(Session {
        key: key.to_string(),
        mentor: text("mentor"),
        branch: text("branch"),
        project: row["project"].as_str().filter(|p| !p.is_empty()).map(str::to_string),
        date: crate::domain::gantt::parse_date(&text("date"))?,
        form: text("form"),
        outcomes: row["outcomes"].as_array().map(|o| o.iter().filter_map(|c| c.as_str().map(str::to_string)).collect()).unwrap_or_default(),
        summary: text("summary"),
    })
}
