//! Reads of projects, the catalog and the dashboard. Changes go through the sync module.

use crate::domain::projects::{
    check_one_plus_five, one_plus_five_done, Category, Indicator, Nomination, OnePlusFive, OnePlusFiveProblem, Principle, Status, Tier,
};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What the board shows; every field optional. Also the board's URL query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BoardFilter {
    pub branch: Option<String>,
    pub category: Option<Category>,
    pub tier: Option<Tier>,
    pub year: Option<i64>,
    pub principle: Option<Principle>,
    pub status: Option<Status>,
    pub nominated: Option<bool>,
    /// Filed, in progress or completed.
    pub filed: Option<bool>,
    /// Waiting for the street: submitted or in review (the review queue).
    pub queue: Option<bool>,
    /// Part of the title.
    pub q: Option<String>,
}

impl BoardFilter {
    /// The same test the server's query makes, for the device's copy when offline.
    pub fn matches(&self, row: &ProjectRow) -> bool {
        let q = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_lowercase);
        self.branch.as_ref().is_none_or(|b| &row.branch == b)
            && self.category.is_none_or(|c| row.category == c)
            && self.tier.is_none_or(|t| row.tier == t)
            && self.year.is_none_or(|y| row.year == y)
            && self.principle.is_none_or(|p| row.principles.contains(&p))
            && self.status.is_none_or(|s| row.status == s)
            && (self.filed != Some(true) || row.status.is_filed())
            && (self.queue != Some(true) || matches!(row.status, Status::Submitted | Status::InReview))
            && (self.nominated != Some(true) || row.nomination().is_some())
            && q.is_none_or(|q| row.title.to_lowercase().contains(&q))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectCard {
    pub key: String,
    pub title: String,
    pub branch: String,
    pub branch_name: String,
    pub category: Category,
    pub tier: Tier,
    pub status: Status,
    pub year: i64,
    pub nomination: Option<Nomination>,
    /// How many of the "1+5" are complete (0–5).
    pub done: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryLine {
    pub at: i64,
    pub actor_name: String,
    pub change: crate::domain::history::Change,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub text: String,
    pub author_name: String,
    pub at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectDetail {
    pub card: ProjectCard,
    pub principles: Vec<Principle>,
    pub goals: String,
    pub starts_on: String,
    pub ends_on: String,
    pub liaison_leader: Option<String>,
    pub liaison_name: Option<String>,
    pub responsible: String,
    pub budget_fen: Option<i64>,
    pub budget_source: String,
    pub team: Vec<String>,
    pub indicators: Vec<Indicator>,
    pub return_reason: String,
    pub filing_no: Option<String>,
    pub filed_at: Option<i64>,
    /// The commit that last changed it; the device's copy with changes not yet sent
    /// counts as newest (`i64::MAX`), so it is what the person sees.
    #[serde(default)]
    pub seq: i64,
    pub problems: Vec<OnePlusFiveProblem>,
    pub history: Vec<HistoryLine>,
    pub comments: Vec<Comment>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub key: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub key: String,
    pub title: String,
    pub category: Category,
    pub principles: Vec<Principle>,
    pub description: String,
    pub indicators: Vec<Indicator>,
}

/// Counts for the street's dashboard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub year: i64,
    pub total: usize,
    pub filed: usize,
    pub nominated: usize,
    /// Submitted or in review: the street's review queue.
    pub waiting: usize,
    pub by_category: Vec<(Category, usize)>,
    pub by_tier: Vec<(Tier, usize)>,
    pub by_status: Vec<(Status, usize)>,
    /// (branch key, branch name, filed, all)
    pub by_branch: Vec<(String, String, usize, usize)>,
    /// The year's district nomination quota, and whether the street has set one.
    pub quota: u32,
    pub quota_stored: bool,
}

/// A project as stored: read by the server from the database and by the browser from
/// its local store, and turned into cards and details by the same code.
#[derive(Clone, Debug, Deserialize)]
pub struct ProjectRow {
    pub key: String,
    pub title: String,
    pub branch: String,
    pub category: Category,
    pub tier: Tier,
    pub status: Status,
    pub year: i64,
    pub nomination: String,
    #[serde(default)]
    pub principles: Vec<Principle>,
    #[serde(default)]
    pub goals: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
    /// The "1+5" fields, stored under the same names.
    #[serde(flatten)]
    pub five: OnePlusFive,
    #[serde(default)]
    pub return_reason: String,
    pub filing_no: Option<String>,
    pub filed_at: Option<i64>,
    #[serde(default)]
    pub seq: i64,
}

impl ProjectRow {
    pub fn liaison_ok(&self, leaders: &HashMap<String, String>) -> bool {
        self.five.liaison_leader.as_ref().is_some_and(|k| leaders.contains_key(k))
    }

    pub fn nomination(&self) -> Option<Nomination> {
        match self.nomination.as_str() {
            "nominated" => Some(Nomination::Nominated),
            "selected" => Some(Nomination::Selected),
            "not_selected" => Some(Nomination::NotSelected),
            _ => None,
        }
    }

    pub fn card(&self, branches: &HashMap<String, String>, leaders: &HashMap<String, String>) -> ProjectCard {
        ProjectCard {
            key: self.key.clone(),
            title: self.title.clone(),
            branch: self.branch.clone(),
            branch_name: branches.get(&self.branch).cloned().unwrap_or_default(),
            category: self.category,
            tier: self.tier,
            status: self.status,
            year: self.year,
            nomination: self.nomination(),
            done: one_plus_five_done(&self.five, self.liaison_ok(leaders)),
        }
    }

    pub fn problems(&self, leaders: &HashMap<String, String>) -> Vec<OnePlusFiveProblem> {
        check_one_plus_five(&self.five, self.liaison_ok(leaders))
    }
}

impl ProjectRow {
    /// A record of the local store as a row; `None` if it is not a whole project.
    pub fn from_record(record: &crate::domain::replica::RecordState) -> Option<ProjectRow> {
        let mut fields = record.fields.clone();
        fields.insert("key".into(), serde_json::Value::String(record.key.clone()));
        fields.entry("nomination").or_insert_with(|| serde_json::Value::String("none".into()));
        fields.entry("status").or_insert_with(|| serde_json::Value::String("draft".into()));
        serde_json::from_value(serde_json::Value::Object(fields)).ok()
    }

    /// Everything about the project, given branch and leader names and its history.
    pub fn detail(
        self,
        branches: &HashMap<String, String>,
        leaders: &HashMap<String, String>,
        history: Vec<HistoryLine>,
        comments: Vec<Comment>,
    ) -> ProjectDetail {
        ProjectDetail {
            card: self.card(branches, leaders),
            problems: self.problems(leaders),
            liaison_name: self.five.liaison_leader.as_ref().and_then(|k| leaders.get(k)).cloned(),
            principles: self.principles,
            goals: self.goals,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            liaison_leader: self.five.liaison_leader,
            responsible: self.five.responsible,
            budget_fen: self.five.budget_fen,
            budget_source: self.five.budget_source,
            team: self.five.team,
            indicators: self.five.indicators,
            return_reason: self.return_reason,
            filing_no: self.filing_no,
            filed_at: self.filed_at,
            seq: self.seq,
            history,
            comments,
        }
    }
}

#[cfg(feature = "ssr")]
pub(crate) mod sql {
    use super::*;
    use crate::db::{rows, Db};
    use serde_json::json;
    use std::collections::HashMap;

    pub const PROJECT_FIELDS: &str = "record::id(id) AS key, title, branch, category, tier, status, year, nomination, \
        principles, goals, starts_on, ends_on, liaison_leader, responsible, budget_fen, budget_source, team, indicators, \
        return_reason, filing_no, filed_at, seq";

    /// Projects matching a filter, newest first. Conditions use bound values only.
    pub async fn projects(db: &Db, filter: &BoardFilter, only_branch: Option<&str>) -> Result<Vec<ProjectRow>, AppError> {
        let mut conditions = vec!["true".to_string()];
        let branch = only_branch.map(str::to_string).or_else(|| filter.branch.clone());
        if branch.is_some() {
            conditions.push("branch = $branch".into());
        }
        if filter.category.is_some() {
            conditions.push("category = $category".into());
        }
        if filter.tier.is_some() {
            conditions.push("tier = $tier".into());
        }
        if filter.year.is_some() {
            conditions.push("year = $year".into());
        }
        if filter.principle.is_some() {
            conditions.push("principles CONTAINS $principle".into());
        }
        if filter.status.is_some() {
            conditions.push("status = $status".into());
        }
        if filter.filed == Some(true) {
            conditions.push("status IN ['filed', 'in_progress', 'completed']".into());
        }
        if filter.queue == Some(true) {
            conditions.push("status IN ['submitted', 'in_review']".into());
        }
        if filter.nominated == Some(true) {
            conditions.push("nomination != 'none'".into());
        }
        let q = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
        if q.is_some() {
            conditions.push("string::contains(string::lowercase(title), string::lowercase($q))".into());
        }
        let sql = format!("SELECT {PROJECT_FIELDS} FROM project WHERE {} ORDER BY year DESC, updated_at DESC", conditions.join(" AND "));
        let vars = json!({
            "branch": branch, "category": filter.category, "tier": filter.tier, "year": filter.year,
            "principle": filter.principle, "status": filter.status, "q": q,
        });
        rows(db, &sql, vars, 0).await.map_err(AppError::internal)
    }

    pub async fn branch_names(db: &Db) -> Result<HashMap<String, String>, AppError> {
        Ok(crate::db::names(rows(db, "SELECT record::id(id) AS key, name FROM branch", json!({}), 0).await.map_err(AppError::internal)?))
    }

    /// Liaison leaders by account key.
    pub async fn leaders(db: &Db) -> Result<HashMap<String, String>, AppError> {
        let sql = "SELECT record::id(id) AS key, display_name AS name FROM account WHERE role = 'liaison_leader'";
        Ok(crate::db::names(rows(db, sql, json!({}), 0).await.map_err(AppError::internal)?))
    }
}

/// Branch staff see their own branch's projects; everyone else sees all.
#[cfg(feature = "ssr")]
fn visible_branch(user: &crate::auth::SessionUser) -> Option<String> {
    if user.role.is_branch_staff() {
        user.branch.clone()
    } else {
        None
    }
}

/// What the board shows: the matching projects, and the branches to filter by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoardData {
    pub cards: Vec<ProjectCard>,
    /// Empty for branch staff, who see their own branch only.
    pub branches: Vec<Choice>,
    /// The commit the board was read at: a later one announced means it is out of date.
    #[serde(default)]
    pub seq: i64,
}

/// The board's projects.
// JSON: an all-empty filter encodes as an empty form, which the server cannot read back.
#[server(endpoint = "list_projects", input = leptos::server_fn::codec::Json)]
pub async fn list_projects(filter: BoardFilter) -> Result<BoardData, AppError> {
    let user = crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    let names = sql::branch_names(&db).await?;
    let leaders = sql::leaders(&db).await?;
    let only = visible_branch(&user);
    // Read first: a change committed while the board is read makes it look older, never newer.
    let seq = crate::db::row::<i64>(&db, "SELECT VALUE n FROM ONLY sync_seq:global", serde_json::json!({})).await.map_err(AppError::internal)?.unwrap_or(0);
    let rows = sql::projects(&db, &filter, only.as_deref()).await?;
    let cards = rows.iter().map(|r| r.card(&names, &leaders)).collect();
    let mut branches: Vec<Choice> = if only.is_some() { Vec::new() } else { names.into_iter().map(|(key, name)| Choice { key, name }).collect() };
    branches.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(BoardData { cards, branches, seq })
}

/// Everything about one project, with its history and comments.
#[server(endpoint = "get_project")]
pub async fn get_project(key: String) -> Result<ProjectDetail, AppError> {
    use serde_json::{json, Value};
    let user = crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    let row: ProjectRow = crate::db::row(&db, &format!("SELECT {} FROM ONLY type::record('project', $key)", sql::PROJECT_FIELDS), json!({ "key": key }))
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    if visible_branch(&user).is_some_and(|b| b != row.branch) {
        return Err(AppError::Forbidden);
    }
    let branches = sql::branch_names(&db).await?;
    let leaders = sql::leaders(&db).await?;
    let names = crate::db::names(
        crate::db::rows(&db, "SELECT record::id(id) AS key, display_name AS name FROM account", json!({}), 0).await.map_err(AppError::internal)?,
    );
    use crate::domain::history::{one_line_per_sitting, Entry};
    /// A logged operation on the project.
    #[derive(Deserialize)]
    struct Logged {
        kind: Value,
        #[serde(default)]
        actor: String,
        #[serde(default)]
        applied_at: i64,
    }
    let ops: Vec<Logged> = crate::db::rows(
        &db,
        "SELECT kind, actor, applied_at FROM op WHERE tb = 'project' AND key = $key AND reason = NONE ORDER BY clock",
        json!({ "key": key }),
        0,
    )
    .await
    .map_err(AppError::internal)?;
    let entries = ops.into_iter().filter_map(|op| Some(Entry::new(op.applied_at, &op.actor, change_of(serde_json::from_value(op.kind).ok()?)?))).collect();
    let history = one_line_per_sitting(entries)
        .into_iter()
        .map(|line| HistoryLine { at: line.at, actor_name: names.get(&line.actor).cloned().unwrap_or_default(), change: line.change })
        .collect();
    let comments: Vec<Comment> =
        crate::db::rows(&db, "SELECT text, author_name, at, clock FROM project_comment WHERE project = $key ORDER BY clock", json!({ "key": key }), 0)
            .await
            .map_err(AppError::internal)?;
    Ok(row.detail(&branches, &leaders, history, comments))
}

/// A logged operation as a change in a record's history (a password change is none).
#[cfg(feature = "ssr")]
fn change_of(kind: crate::domain::ops::OpKind) -> Option<crate::domain::history::Change> {
    use crate::domain::history::Change;
    use crate::domain::ops::OpKind;
    match kind {
        OpKind::Create { fields } => Some(Change::Created { fields: fields.into_keys().collect() }),
        OpKind::Set { fields } => Some(Change::Edited { fields: fields.into_keys().collect() }),
        OpKind::Transition { to, .. } => Some(Change::Moved { to }),
        OpKind::Append { .. } => Some(Change::Commented),
        OpKind::ChangePassword { .. } => None,
    }
}

/// Liaison leaders to choose from when declaring.
#[server(endpoint = "list_liaison_leaders")]
pub async fn list_liaison_leaders() -> Result<Vec<Choice>, AppError> {
    crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    let mut list: Vec<Choice> = sql::leaders(&db).await?.into_iter().map(|(key, name)| Choice { key, name }).collect();
    list.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(list)
}

/// The reference catalog.
#[server(endpoint = "list_catalog")]
pub async fn list_catalog() -> Result<Vec<CatalogEntry>, AppError> {
    crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    crate::db::rows(
        &db,
        "SELECT record::id(id) AS key, title, category, principles, description, indicators FROM catalog_entry ORDER BY category, title",
        serde_json::json!({}),
        0,
    )
    .await
    .map_err(AppError::internal)
}

/// The street's counts for one year.
#[server(endpoint = "dashboard")]
pub async fn get_dashboard(year: i64) -> Result<Dashboard, AppError> {
    let user = crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    let filter = BoardFilter { year: Some(year), ..Default::default() };
    let rows = sql::projects(&db, &filter, visible_branch(&user).as_deref()).await?;
    let mut branches: Vec<(String, String)> = sql::branch_names(&db).await?.into_iter().collect();
    let order: Vec<String> =
        crate::db::rows::<String>(&db, "SELECT VALUE record::id(id) FROM branch ORDER BY sort", serde_json::json!({}), 0).await.map_err(AppError::internal)?;
    branches.sort_by_key(|(key, _)| order.iter().position(|k| k == key));
    let count = |f: &dyn Fn(&ProjectRow) -> bool| rows.iter().filter(|r| f(r)).count();
    let stored: Option<i64> =
        crate::db::row(&db, "SELECT VALUE nomination_quota FROM ONLY type::record('street_year', $year)", serde_json::json!({ "year": year.to_string() }))
            .await
            .map_err(AppError::internal)?;
    Ok(Dashboard {
        year,
        quota: stored.map(|q| q as u32).unwrap_or(crate::domain::projects::DEFAULT_NOMINATION_QUOTA),
        quota_stored: stored.is_some(),
        total: rows.len(),
        filed: count(&|r| r.status.is_filed()),
        nominated: count(&|r| r.nomination().is_some()),
        waiting: count(&|r| matches!(r.status, Status::Submitted | Status::InReview)),
        by_category: Category::ALL.iter().map(|c| (*c, count(&|r| r.category == *c))).collect(),
        by_tier: Tier::ALL.iter().map(|t| (*t, count(&|r| r.tier == *t))).collect(),
        by_status: Status::ALL.iter().map(|s| (*s, count(&|r| r.status == *s))).collect(),
        by_branch: branches
            .into_iter()
            .map(|(key, name)| {
                let filed = count(&|r| r.branch == key && r.status.is_filed());
                let all = count(&|r| r.branch == key);
                (key, name, filed, all)
            })
            .collect(),
    })
}

/// A project as this person's device holds it (the server's copy and their queued
/// changes), with names from the same store. History and comments stay on the server.
pub async fn local_project(key: &str) -> Option<ProjectDetail> {
    let record = crate::sync::local_record("project", key).await?;
    let mut row = ProjectRow::from_record(&record)?;
    row.seq = if crate::sync::has_pending("project", key).await { i64::MAX } else { record.seq };
    let (branches, leaders) = local_names().await;
    Some(row.detail(&branches, &leaders, vec![], vec![]))
}

/// Branch names and liaison leaders' names from the local store.
pub async fn local_names() -> (HashMap<String, String>, HashMap<String, String>) {
    let branches = crate::sync::local_records("branch").await.into_iter().filter_map(|b| Some((b.key.clone(), b.text("name")?.to_string()))).collect();
    let leaders = crate::sync::local_records("account")
        .await
        .into_iter()
        .filter(|a| a.text("role") == Some("liaison_leader"))
        .filter_map(|a| Some((a.key.clone(), a.text("display_name")?.to_string())))
        .collect();
    (branches, leaders)
}

/// The reference catalog as the device holds it.
pub async fn local_catalog() -> Vec<CatalogEntry> {
    let mut list: Vec<CatalogEntry> = crate::sync::local_records("catalog_entry")
        .await
        .into_iter()
        .filter_map(|r| {
            let mut fields = r.fields.clone();
            fields.insert("key".into(), serde_json::Value::String(r.key.clone()));
            serde_json::from_value(serde_json::Value::Object(fields)).ok()
        })
        .collect();
    list.sort_by(|a, b| a.title.cmp(&b.title));
    list
}

/// The liaison leaders a declaration picks from, as the device holds them.
pub async fn local_leaders() -> Vec<Choice> {
    let mut list: Vec<Choice> = local_names().await.1.into_iter().map(|(key, name)| Choice { key, name }).collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    list
}

/// The board from the device's copy, when the server cannot be reached.
pub async fn local_board(filter: &BoardFilter) -> BoardData {
    let (branches, leaders) = local_names().await;
    let mut rows: Vec<ProjectRow> =
        crate::sync::local_records("project").await.iter().filter_map(ProjectRow::from_record).filter(|row| filter.matches(row)).collect();
    rows.sort_by(|a, b| b.year.cmp(&a.year).then(b.seq.cmp(&a.seq)));
    BoardData { cards: rows.iter().map(|r| r.card(&branches, &leaders)).collect(), branches: vec![], seq: i64::MAX }
}
