//! Reads of plans: one project's plan for its chart, and the street's programme of every
//! filed project. Changes go through the sync module.

use crate::domain::gantt::{Laid, Plan, PlanLink, PlanTask};
use crate::domain::projects::{Category, Status};
use crate::domain::schedule::Calendar;
use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A project's plan with what the chart needs around it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanData {
    pub project: String,
    pub title: String,
    pub branch: String,
    pub branch_name: String,
    pub status: Status,
    pub ends_on: Option<NaiveDate>,
    /// May the person change it (street staff, the branch's own staff)?
    pub editable: bool,
    pub tasks: Vec<PlanTask>,
    pub links: Vec<PlanLink>,
    pub holidays: Vec<NaiveDate>,
    pub makeup_days: Vec<NaiveDate>,
    pub today: NaiveDate,
}

impl PlanData {
    pub fn calendar(&self) -> Calendar {
        Calendar { holidays: self.holidays.iter().copied().collect(), makeup_days: self.makeup_days.iter().copied().collect() }
    }

    pub fn plan(&self) -> Plan {
        Plan { tasks: self.tasks.clone(), links: self.links.clone(), calendar: self.calendar(), ends_on: self.ends_on }
    }
}

#[server(endpoint = "get_plan")]
pub async fn get_plan(project: String) -> Result<PlanData, AppError> {
    use serde_json::json;
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(default)]
        title: String,
        branch: String,
        status: Status,
        #[serde(default)]
        branch_name: String,
    }
    let user = crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    let row: Head = crate::db::row(
        &db,
        "SELECT title, branch, status, ends_on, (SELECT VALUE name FROM ONLY type::record('branch', $parent.branch)) AS branch_name FROM ONLY type::record('project', $key)",
        json!({ "key": project }),
    )
    .await
    .map_err(AppError::internal)?
    .ok_or(AppError::NotFound)?;
    let branch = row.branch;
    if user.role.is_branch_staff() && user.branch.as_deref() != Some(branch.as_str()) {
        return Err(AppError::Forbidden);
    }
    let calendar = super::store::calendar(&db).await.map_err(AppError::internal)?;
    let plan = super::store::plan(&db, &project, calendar).await.map_err(AppError::internal)?;
    Ok(PlanData {
        title: row.title,
        branch_name: row.branch_name,
        status: row.status,
        ends_on: plan.ends_on,
        editable: user.actor().may_edit_branch(&branch),
        branch,
        project,
        holidays: plan.calendar.holidays.iter().copied().collect(),
        makeup_days: plan.calendar.makeup_days.iter().copied().collect(),
        tasks: plan.tasks,
        links: plan.links,
        today: crate::clock::today(),
    })
}

/// One filed project on the street's timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeRow {
    pub project: String,
    pub title: String,
    pub branch: String,
    pub branch_name: String,
    pub category: Category,
    pub start: Option<NaiveDate>,
    pub finish: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub tasks: usize,
    /// Mean progress of its tasks, in per cent.
    pub progress: i64,
    /// Tasks past their finish and not done.
    pub overdue: usize,
    /// Tasks with negative slack or progress behind the date.
    pub at_risk: usize,
    /// The plan's least slack (negative: late).
    pub slack: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Programme {
    pub rows: Vec<ProgrammeRow>,
    pub today: NaiveDate,
    pub branches: Vec<(String, String)>,
}

/// What one plan amounts to on the street's timeline.
pub fn summarise(plan: &Plan, today: NaiveDate) -> (Option<NaiveDate>, Option<NaiveDate>, i64, usize, usize, Option<i64>) {
    let laid: Vec<Laid> = plan.lay_out(today).unwrap_or_default();
    let start = laid.iter().map(|l| l.start).min();
    let finish = laid.iter().map(|l| l.finish).max();
    let progress = if plan.tasks.is_empty() { 0 } else { plan.tasks.iter().map(|t| t.progress).sum::<i64>() / plan.tasks.len() as i64 };
    let overdue = laid.iter().filter(|l| l.overdue).count();
    let at_risk = laid.iter().filter(|l| l.slack < 0 || l.behind).count();
    (start, finish, progress, overdue, at_risk, laid.iter().map(|l| l.slack).min())
}

/// Every filed project's plan, grouped by branch (branch staff: their own), filtered by
/// branch and category like the board.
#[server(endpoint = "get_programme")]
pub async fn get_programme(branch: Option<String>, category: Option<Category>) -> Result<Programme, AppError> {
    use crate::db::{take_rows, Keyed, Named};
    use crate::domain::gantt::{LINK_TABLE, TASK_TABLE};
    use serde_json::json;
    #[derive(serde::Deserialize)]
    struct Filed {
        key: String,
        #[serde(default)]
        title: String,
        branch: String,
        category: Category,
        ends_on: Option<String>,
    }
    let user = crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    let only = if user.role.is_branch_staff() { user.branch.clone() } else { branch };
    // One branch's rows, or every branch's.
    let (only_project, only_row) = if only.is_some() { ("AND branch = $branch", "WHERE branch = $branch") } else { ("", "") };
    let sql = format!(
        "SELECT record::id(id) AS key, title, branch, category, ends_on FROM project WHERE status IN ['filed', 'in_progress', 'completed'] {only_project};\n\
         SELECT record::id(id) AS key, * OMIT id FROM gantt_task {only_row};\n\
         SELECT record::id(id) AS key, * OMIT id FROM gantt_link {only_row};\n\
         SELECT record::id(id) AS key, name, sort FROM branch ORDER BY sort;"
    );
    let mut response = crate::db::query(&db, &sql, json!({ "branch": only })).await.map_err(AppError::internal)?;
    let projects: Vec<Filed> = take_rows(&mut response, 0).map_err(AppError::internal)?;
    let tasks: Vec<Keyed> = take_rows(&mut response, 1).map_err(AppError::internal)?;
    let links: Vec<Keyed> = take_rows(&mut response, 2).map_err(AppError::internal)?;
    let branches: Vec<Named> = take_rows(&mut response, 3).map_err(AppError::internal)?;
    let calendar = super::store::calendar(&db).await.map_err(AppError::internal)?;
    let today = crate::clock::today();
    let mut plans: std::collections::HashMap<String, Plan> = Default::default();
    for (table, list) in [(TASK_TABLE, &tasks), (LINK_TABLE, &links)] {
        for row in list {
            let Some(project) = row.fields.get("project").and_then(serde_json::Value::as_str) else { continue };
            plans.entry(project.to_string()).or_insert_with(|| Plan { calendar: calendar.clone(), ..Default::default() }).apply(table, &row.key, &row.fields);
        }
    }
    let names: Vec<(String, String)> = branches.into_iter().map(|b| (b.key, b.name)).collect();
    let name_of = |key: &str| names.iter().find(|(k, _)| k == key).map(|(_, n)| n.clone()).unwrap_or_default();
    let mut rows: Vec<ProgrammeRow> = projects
        .into_iter()
        .map(|p| {
            let mut plan = plans.remove(&p.key).unwrap_or_default();
            plan.ends_on = p.ends_on.as_deref().and_then(crate::domain::time::parse_date);
            let (start, finish, progress, overdue, at_risk, slack) = summarise(&plan, today);
            ProgrammeRow {
                project: p.key,
                title: p.title,
                branch_name: name_of(&p.branch),
                branch: p.branch,
                category: p.category,
                start,
                finish,
                ends_on: plan.ends_on,
                tasks: plan.tasks.len(),
                progress,
                overdue,
                at_risk,
                slack,
            }
        })
        .collect();
    if let Some(wanted) = category {
        rows.retain(|r| r.category == wanted);
    }
    let order = |key: &str| names.iter().position(|(k, _)| k == key).unwrap_or(usize::MAX);
    rows.sort_by(|a, b| (order(&a.branch), &a.project).cmp(&(order(&b.branch), &b.project)));
    Ok(Programme { rows, today, branches: names })
}
