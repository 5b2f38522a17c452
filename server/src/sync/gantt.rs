//! The plan rules that span a project's whole plan: no dependency cycle (also when two
//! devices each added one link), links within the project, milestones kept, children
//! inside their parents, starts on working days. The rules are `app::domain::gantt`;
//! this gathers the plan (as stored, with this group's accepted changes laid over it).

use super::apply::{BatchFacts, Row, Rows, Watched};
use app::db::Db;
use app::domain::gantt::{GanttProblem, Plan, LINK_TABLE, TASK_TABLE};
use app::domain::ops::{OpKind, Operation, Reason};
use app::domain::org::Actor;
use serde_json::{json, Value};

/// The project an operation on a task or link belongs to, and whether the branch it names
/// is that project's. A create names both; the server never trusts the branch alone.
pub(crate) async fn project_of(db: &Db, op: &Operation, row: &Row, rows: &Rows) -> Result<Result<(String, String), Reason>, surrealdb::Error> {
    let fields = match &op.kind {
        OpKind::Create { fields } => fields,
        _ => {
            let project = row.get("project").and_then(Value::as_str).unwrap_or_default().to_string();
            let branch = row.get("branch").and_then(Value::as_str).unwrap_or_default().to_string();
            return Ok(Ok((project, branch)));
        }
    };
    let project = fields.get("project").and_then(Value::as_str).unwrap_or_default().to_string();
    let named = fields.get("branch").and_then(Value::as_str).unwrap_or_default();
    if !app::domain::records::valid_key(&project) {
        return Ok(Err(Reason::InvalidValue { field: "project".into() }));
    }
    // A project created earlier in this group is known from the group's rows.
    let branch: Option<String> = match rows.get(&("project".to_string(), project.clone())) {
        Some(row) => row.as_ref().and_then(|r| r.get("branch")).and_then(Value::as_str).map(str::to_string),
        None => app::db::row(db, "SELECT VALUE branch FROM ONLY type::record('project', $key)", json!({ "key": project })).await?,
    };
    match branch {
        None => Ok(Err(Reason::InvalidValue { field: "project".into() })),
        // A task put in another branch's project under one's own branch's name.
        Some(branch) if branch != named => Ok(Err(Reason::Forbidden)),
        Some(branch) => Ok(Ok((project, branch))),
    }
}

/// Checks a task or link change against the whole plan; on success this group's copy of
/// the plan carries the change, so the next operation is checked against it.
pub(crate) async fn check(
    db: &Db,
    actor: &Actor,
    op: &Operation,
    project: &str,
    rows: &Rows,
    batch: &mut BatchFacts,
) -> Result<Result<(), Reason>, surrealdb::Error> {
    let fields = match &op.kind {
        OpKind::Set { fields } | OpKind::Create { fields } => fields,
        _ => return Ok(Err(Reason::TransitionNotAllowed)),
    };
    let calendar = match &batch.calendar {
        Some(calendar) => calendar.clone(),
        None => {
            let calendar = app::gantt::store::calendar(db).await?;
            batch.calendar = Some(calendar.clone());
            calendar
        }
    };
    if !batch.plans.contains_key(project) {
        let seen: Option<i64> = app::db::row(db, &format!("RETURN {}", app::gantt::store::PLAN_SEQ), json!({ "project": project })).await?;
        let plan = app::gantt::store::plan(db, project, calendar).await?;
        batch.watched.insert(Watched::Plan(project.to_string()), seen.unwrap_or(0));
        batch.plans.insert(project.to_string(), plan);
    }
    let plan = &batch.plans[project];
    let mut changed: Plan = plan.clone();
    let creating = matches!(op.kind, OpKind::Create { .. });
    if op.table == LINK_TABLE && creating {
        for end in ["from", "to"] {
            let task = fields.get(end).and_then(Value::as_str).unwrap_or_default();
            if !plan.tasks.iter().any(|t| t.key == task) {
                return Ok(Err(Reason::Plan { problem: foreign_or_unknown(db, actor, task).await? }));
            }
        }
    }
    if let Some(parent) = fields.get("parent").and_then(Value::as_str) {
        if !plan.tasks.iter().any(|t| t.key == parent) {
            return Ok(Err(Reason::Plan { problem: foreign_or_unknown(db, actor, parent).await? }));
        }
    }
    changed.apply(&op.table, &op.key, &fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
    let touched: Vec<&str> = if op.table == TASK_TABLE { vec![op.key.as_str()] } else { vec![] };
    // The years first: a date in year 9999 must not make the check build every day to it.
    let year = project_year(db, project, rows).await?;
    let task = changed.tasks.iter().find(|t| touched.contains(&t.key.as_str()));
    if let (Some(task), Some(year)) = (task, year) {
        if let Err(problem) = app::domain::gantt::check_years(task, None, year) {
            return Ok(Err(Reason::Plan { problem }));
        }
    }
    let laid = match changed.check(&touched, app::clock::today()) {
        Ok(laid) => laid,
        Err(problem) => return Ok(Err(Reason::Plan { problem })),
    };
    if let (Some(task), Some(year)) = (task, year) {
        let finish = laid.iter().find(|l| l.key == task.key).map(|l| l.finish);
        if let Err(problem) = app::domain::gantt::check_years(task, finish, year) {
            return Ok(Err(Reason::Plan { problem }));
        }
    }
    batch.plans.insert(project.to_string(), changed);
    Ok(Ok(()))
}

/// The project's year, from this group's rows when it was declared in the same group.
async fn project_year(db: &Db, project: &str, rows: &Rows) -> Result<Option<i32>, surrealdb::Error> {
    let year = match rows.get(&("project".to_string(), project.to_string())) {
        Some(row) => row.as_ref().and_then(|r| r.get("year")).and_then(Value::as_i64),
        None => app::db::row::<i64>(db, "SELECT VALUE year FROM ONLY type::record('project', $key)", json!({ "key": project })).await?,
    };
    Ok(year.map(|y| y as i32))
}

/// A task named by a link or as a parent that is not in this plan: another project's
/// (named by its name where the person may see that project's plan), or none at all.
async fn foreign_or_unknown(db: &Db, actor: &Actor, task: &str) -> Result<GanttProblem, surrealdb::Error> {
    #[derive(serde::Deserialize)]
    struct Found {
        #[serde(default)]
        name: String,
        #[serde(default)]
        branch: String,
    }
    let found: Option<Found> = app::db::row(db, "SELECT name, branch FROM ONLY type::record('gantt_task', $key)", json!({ "key": task })).await?;
    let visible = |branch: &str| !actor.role.is_branch_staff() || actor.branch.as_deref() == Some(branch);
    Ok(match found {
        Some(found) if visible(&found.branch) => GanttProblem::OtherProject { task: found.name },
        // Another branch's task: said to be in another project, without its name.
        Some(_) => GanttProblem::OtherProject { task: String::new() },
        None => GanttProblem::UnknownTask { task: task.to_string() },
    })
}

/// The baseline saved when a project is filed: each task's scheduled start and finish.
pub(crate) async fn baseline(db: &Db, project: &str, batch: &mut BatchFacts) -> Result<Vec<Value>, surrealdb::Error> {
    let calendar = app::gantt::store::calendar(db).await?;
    let plan = match batch.plans.get(project) {
        Some(plan) => plan.clone(),
        None => app::gantt::store::plan(db, project, calendar).await?,
    };
    // A plan that breaks a rule (it cannot, once stored, but a calendar may change)
    // keeps the dates as set.
    Ok(match plan.lay_out(app::clock::today()) {
        Ok(laid) => laid.iter().map(|l| json!({ "key": l.key, "start": l.start.to_string(), "finish": l.finish.to_string() })).collect(),
        Err(_) => plan.tasks.iter().map(|t| json!({ "key": t.key, "start": t.start.to_string(), "finish": t.start.to_string() })).collect(),
    })
}
