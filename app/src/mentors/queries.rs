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
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
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
    use serde_json::json;
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
    let mentors: Vec<Mentor> = crate::db::take_rows(&mut response, 0).map_err(AppError::internal)?;
    let branches: Vec<crate::db::Named> = crate::db::take_rows(&mut response, 1).map_err(AppError::internal)?;
    let pairings: Vec<crate::db::Keyed> = crate::db::take_rows(&mut response, 2).map_err(AppError::internal)?;
    let sessions: Vec<crate::db::Keyed> = crate::db::take_rows(&mut response, 3).map_err(AppError::internal)?;
    let projects: Vec<ProjectChoice> = crate::db::take_rows(&mut response, 4).map_err(AppError::internal)?;
    Ok(MentoringData {
        mentors,
        branches: branches.into_iter().map(|b| (b.key, b.name)).collect(),
        pairings: pairings.iter().filter_map(|p| Pairing::from_fields(&p.key, &p.fields)).collect(),
        sessions: sessions.iter().filter_map(|s| session_from(&s.key, &s.fields)).collect(),
        projects: projects.into_iter().map(|p| (p.key, p.title, p.branch)).collect(),
        today: crate::clock::today(),
    })
}

/// A filed project a session can serve.
#[cfg(feature = "ssr")]
#[derive(Deserialize)]
struct ProjectChoice {
    key: String,
    title: String,
    branch: String,
}

/// A stored session's fields (also the device's copy of one), as written.
#[derive(Deserialize)]
struct SessionRow {
    #[serde(default)]
    mentor: String,
    #[serde(default)]
    branch: String,
    project: Option<String>,
    #[serde(default)]
    date: String,
    #[serde(default)]
    form: String,
    #[serde(default)]
    outcomes: Vec<String>,
    #[serde(default)]
    summary: String,
}

/// A stored session (also the device's copy of one); `None` when its date is unreadable.
pub fn session_from(key: &str, fields: &serde_json::Map<String, serde_json::Value>) -> Option<Session> {
    let row: SessionRow = serde_json::from_value(serde_json::Value::Object(fields.clone())).ok()?;
    Some(Session {
        key: key.to_string(),
        mentor: row.mentor,
        branch: row.branch,
        project: row.project.filter(|p| !p.is_empty()),
        date: crate::domain::time::parse_date(&row.date)?,
        form: row.form,
        outcomes: row.outcomes,
        summary: row.summary,
    })
}
