//! Reading plans from the database (server side): the plan checker in `server::sync`,
//! the chart's server functions and the export share these.

use crate::db::{rows, take_rows, Db, Keyed};
use crate::domain::gantt::{Plan, PlanLink, PlanTask};
use crate::domain::schedule::Calendar;
use serde_json::json;

/// The street's calendar: holidays and make-up working days, every year.
pub async fn calendar(db: &Db) -> Result<Calendar, surrealdb::Error> {
    #[derive(serde::Deserialize)]
    struct Day {
        day: String,
        kind: String,
    }
    let days: Vec<Day> = rows(db, "SELECT record::id(id) AS day, kind FROM calendar_day", json!({}), 0).await?;
    let mut calendar = Calendar::default();
    for day in days {
        let Some(date) = crate::domain::time::parse_date(&day.day) else { continue };
        match day.kind.as_str() {
            "holiday" => {
                calendar.holidays.insert(date);
            }
            "workday" => {
                calendar.makeup_days.insert(date);
            }
            _ => {}
        }
    }
    Ok(calendar)
}

/// A plan's highest commit number over its tasks and links (0 for none), as a SurrealQL
/// expression of `$project`: the write path compares it before and inside a transaction.
pub const PLAN_SEQ: &str = "(math::max(array::concat((SELECT VALUE seq ?? 0 FROM gantt_task WHERE project = $project), (SELECT VALUE seq ?? 0 FROM gantt_link WHERE project = $project), [0])))";

/// One project's plan (removed tasks and links left out), with `calendar`.
pub async fn plan(db: &Db, project: &str, calendar: Calendar) -> Result<Plan, surrealdb::Error> {
    let sql = "SELECT record::id(id) AS key, * OMIT id FROM gantt_task WHERE project = $project;\n\
               SELECT record::id(id) AS key, * OMIT id FROM gantt_link WHERE project = $project;\n\
               SELECT VALUE ends_on FROM ONLY type::record('project', $project);";
    let mut response = crate::db::query(db, sql, json!({ "project": project })).await?;
    let tasks: Vec<Keyed> = take_rows(&mut response, 0)?;
    let links: Vec<Keyed> = take_rows(&mut response, 1)?;
    let ends_on: Vec<Option<String>> = take_rows(&mut response, 2)?;
    let ends_on = ends_on.into_iter().flatten().next().as_deref().and_then(crate::domain::time::parse_date);
    Ok(Plan {
        tasks: tasks.iter().filter_map(|row| PlanTask::from_fields(&row.key, &row.fields)).collect(),
        links: links.iter().filter_map(|row| PlanLink::from_fields(&row.key, &row.fields)).collect(),
        calendar,
        ends_on,
    })
}
