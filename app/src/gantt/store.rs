//! Reading plans from the database (server side): the plan checker in `server::sync`,
//! the chart's server functions and the export share these.

use crate::db::{rows, Db};
use crate::domain::gantt::{Plan, PlanLink, PlanTask};
use crate::domain::schedule::Calendar;
use serde_json::{json, Map, Value};

/// The street's calendar: holidays and make-up working days, every year.
pub async fn calendar(db: &Db) -> Result<Calendar, surrealdb::Error> {
    let days: Vec<Value> = rows(db, "SELECT record::id(id) AS day, kind FROM calendar_day", json!({}), 0).await?;
    let mut calendar = Calendar::default();
    for day in days {
        let Some(date) = day["day"].as_str().and_then(crate::domain::gantt::parse_date) else { continue };
        match day["kind"].as_str() {
            Some("holiday") => {
                calendar.holidays.insert(date);
            }
            Some("workday") => {
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
    let take = |value: surrealdb::types::Value| match value.into_json_value() {
        Value::Array(list) => list,
        _ => vec![],
    };
    let tasks = take(response.take(0)?);
    let links = take(response.take(1)?);
    let ends_on: surrealdb::types::Value = response.take(2)?;
    let ends_on = ends_on.into_json_value().as_str().and_then(crate::domain::gantt::parse_date);
    let pick = |row: &Value| -> Option<(String, Map<String, Value>)> {
        let map = row.as_object()?.clone();
        Some((map.get("key")?.as_str()?.to_string(), map))
    };
    Ok(Plan {
        tasks: tasks.iter().filter_map(pick).filter_map(|(k, m)| PlanTask::from_fields(&k, &m)).collect(),
        links: links.iter().filter_map(pick).filter_map(|(k, m)| PlanLink::from_fields(&k, &m)).collect(),
        calendar,
        ends_on,
    })
}
