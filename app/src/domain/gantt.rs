//! Plans (`gantt`) as people keep them: tasks and milestones with dates, links between
//! them, the street's calendar. Turned into `schedule`'s working-day model to be checked
//! and laid out, by the browser (the chart, its drag previews) and the server (which
//! refuses a change that breaks a rule) alike.

use super::schedule::{schedule, Calendar, Link, PlanError, Task, WorkDays};
use super::time::parse_date;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const TASK_TABLE: &str = "gantt_task";
pub const LINK_TABLE: &str = "gantt_link";
pub const CALENDAR_TABLE: &str = "calendar_day";

/// A task or milestone as stored (dates as the calendar shows them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanTask {
    pub key: String,
    pub name: String,
    pub parent: Option<String>,
    pub owner: String,
    pub start: NaiveDate,
    /// Working days; 0 for a milestone.
    pub duration: i64,
    pub milestone: bool,
    pub actual_start: Option<NaiveDate>,
    pub actual_finish: Option<NaiveDate>,
    pub progress: i64,
    pub notes: String,
    pub baseline_start: Option<NaiveDate>,
    pub baseline_finish: Option<NaiveDate>,
    /// Its place among its siblings in the table.
    pub sort: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanLink {
    pub key: String,
    pub from: String,
    pub to: String,
    /// Working days between the predecessor's finish and the successor's start.
    pub lag: i64,
}

/// One project's plan.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub tasks: Vec<PlanTask>,
    pub links: Vec<PlanLink>,
    pub calendar: Calendar,
    /// The project's period end: the backward pass starts here.
    pub ends_on: Option<NaiveDate>,
}

/// Where a task falls once the rules are applied, in dates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Laid {
    pub key: String,
    pub start: NaiveDate,
    pub finish: NaiveDate,
    pub late_start: NaiveDate,
    pub late_finish: NaiveDate,
    /// Working days it may slip; negative when the plan is late.
    pub slack: i64,
    pub critical: bool,
    /// Progress behind what the date expects (started late or going slowly).
    pub behind: bool,
    /// Past its finish and not done.
    pub overdue: bool,
}

/// What a plan change breaks, naming tasks by their names. Also the server's reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum GanttProblem {
    #[error("dependency cycle")]
    Cycle { tasks: Vec<String> },
    #[error("unknown task")]
    UnknownTask { task: String },
    #[error("task of another project")]
    OtherProject { task: String },
    #[error("ends before it starts")]
    EndsBeforeStart { task: String },
    #[error("not a working day")]
    NotWorkingDay { task: String, date: String },
    #[error("milestone moved")]
    MilestoneMoved { milestone: String, by: String },
    #[error("before its parent")]
    BeforeParent { task: String, parent: String },
    #[error("link to itself")]
    SelfLink { task: String },
    /// A date outside the years a project's plan may span (`plan_years`).
    #[error("date outside the plan's years")]
    OutsideYears { task: String, first: i32, last: i32 },
}

impl PlanTask {
    /// A new task of `duration` working days from `start`, nothing else set.
    pub fn new(key: &str, name: &str, start: NaiveDate, duration: i64) -> PlanTask {
        PlanTask {
            key: key.into(),
            name: name.into(),
            parent: None,
            owner: String::new(),
            start,
            duration,
            milestone: false,
            actual_start: None,
            actual_finish: None,
            progress: 0,
            notes: String::new(),
            baseline_start: None,
            baseline_finish: None,
            sort: 0,
        }
    }

    /// A stored row (`gantt_task` fields) as a task; `None` when it was removed or unreadable.
    pub fn from_fields(key: &str, fields: &Map<String, Value>) -> Option<PlanTask> {
        if fields.get("removed").and_then(Value::as_bool) == Some(true) {
            return None;
        }
        let text = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
        let date = |name: &str| fields.get(name).and_then(Value::as_str).and_then(parse_date);
        let int = |name: &str| fields.get(name).and_then(Value::as_i64);
        Some(PlanTask {
            key: key.to_string(),
            name: text("name"),
            parent: fields.get("parent").and_then(Value::as_str).filter(|p| !p.is_empty()).map(str::to_string),
            owner: text("owner"),
            start: date("start")?,
            duration: int("duration").unwrap_or(1),
            milestone: fields.get("milestone").and_then(Value::as_bool).unwrap_or(false),
            actual_start: date("actual_start"),
            actual_finish: date("actual_finish"),
            progress: int("progress").unwrap_or(0),
            notes: text("notes"),
            baseline_start: date("baseline_start"),
            baseline_finish: date("baseline_finish"),
            sort: int("sort").unwrap_or(0),
        })
    }
}

impl PlanLink {
    pub fn from_fields(key: &str, fields: &Map<String, Value>) -> Option<PlanLink> {
        if fields.get("removed").and_then(Value::as_bool) == Some(true) {
            return None;
        }
        Some(PlanLink {
            key: key.to_string(),
            from: fields.get("from")?.as_str()?.to_string(),
            to: fields.get("to")?.as_str()?.to_string(),
            lag: fields.get("lag").and_then(Value::as_i64).unwrap_or(0),
        })
    }
}

impl Plan {
    /// The working days the plan can use: from its first start (or baseline) to well past
    /// the longest chain it could make.
    pub fn axis(&self) -> WorkDays {
        let first = self.tasks.iter().flat_map(|t| [Some(t.start), t.baseline_start]).flatten().min();
        let Some(first) = first else {
            return WorkDays::between(&self.calendar, NaiveDate::MIN, NaiveDate::MIN);
        };
        let last_start = self.tasks.iter().map(|t| t.start).max().unwrap_or(first);
        let chain: i64 = self.tasks.iter().map(|t| t.duration.max(0)).sum::<i64>() + self.links.iter().map(|l| l.lag.max(0)).sum::<i64>();
        let mut last = last_start + Duration::days(chain * 7 / 5 + 60);
        if let Some(end) = self.ends_on.filter(|e| *e > last) {
            last = end + Duration::days(30);
        }
        WorkDays::between(&self.calendar, first, last)
    }

    /// Checks the plan and lays it out on `today`: dates, slack, the critical path.
    pub fn lay_out(&self, today: NaiveDate) -> Result<Vec<Laid>, GanttProblem> {
        let axis = self.axis();
        self.lay_out_on(&axis, today)
    }

    pub fn lay_out_on(&self, axis: &WorkDays, today: NaiveDate) -> Result<Vec<Laid>, GanttProblem> {
        let known: std::collections::HashSet<&str> = self.tasks.iter().map(|t| t.key.as_str()).collect();
        for link in &self.links {
            if link.from == link.to {
                return Err(GanttProblem::SelfLink { task: self.name_of(&link.from) });
            }
            for end in [&link.from, &link.to] {
                if !known.contains(end.as_str()) {
                    return Err(GanttProblem::UnknownTask { task: end.clone() });
                }
            }
        }
        let tasks: Vec<Task> = self
            .tasks
            .iter()
            .map(|t| {
                let start = day_number(axis, t.start);
                Task {
                    id: t.key.clone(),
                    name: t.name.clone(),
                    start,
                    duration: if t.milestone {
                        0
                    } else if t.duration < 1 {
                        -1
                    } else {
                        t.duration
                    },
                    fixed: t.milestone.then_some(start),
                    parent: t.parent.clone().filter(|p| known.contains(p.as_str())),
                }
            })
            .collect();
        let links: Vec<Link> = self.links.iter().map(|l| Link { from: l.from.clone(), to: l.to.clone(), lag: l.lag }).collect();
        let end = match self.ends_on {
            Some(end) => day_number(axis, end),
            None => super::schedule::LATEST_FINISH,
        };
        let timings = schedule(&tasks, &links, end).map_err(|e| self.problem(e))?;
        let date = |n: i64| axis.date(n).unwrap_or(today);
        let mut laid: Vec<Laid> = self
            .tasks
            .iter()
            .zip(timings)
            .map(|(task, timing)| {
                let start = date(timing.early_start);
                let finish = date(timing.early_finish);
                let done = task.progress >= 100 || task.actual_finish.is_some();
                let overdue = !done && finish < today;
                // Expected progress: the share of its working days already past.
                let length = (timing.early_finish - timing.early_start + 1).max(1);
                let elapsed = axis.number(today).map(|n| n - timing.early_start).unwrap_or(if today > finish { length } else { 0 }).clamp(0, length);
                let behind = !done && start <= today && task.progress * length < elapsed * 100 - 25 * length;
                Laid {
                    key: task.key.clone(),
                    start,
                    finish,
                    late_start: date(timing.late_start),
                    late_finish: date(timing.late_finish),
                    slack: timing.slack,
                    critical: timing.critical,
                    behind,
                    overdue,
                }
            })
            .collect();
        self.span_children(&mut laid);
        Ok(laid)
    }

    /// Stretches each task that has subtasks over them (a summary row), deepest first.
    fn span_children(&self, laid: &mut [Laid]) {
        let at: std::collections::HashMap<&str, usize> = self.tasks.iter().enumerate().map(|(i, t)| (t.key.as_str(), i)).collect();
        let depth = |mut i: usize| {
            let mut d = 0;
            while let Some(p) = self.tasks[i].parent.as_deref().and_then(|p| at.get(p)) {
                d += 1;
                i = *p;
                if d > self.tasks.len() {
                    break;
                }
            }
            d
        };
        let mut order: Vec<usize> = (0..self.tasks.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(depth(i)));
        for i in order {
            if let Some(&p) = self.tasks[i].parent.as_deref().and_then(|p| at.get(p)) {
                let (start, finish) = (laid[i].start, laid[i].finish);
                let parent = &mut laid[p];
                parent.start = parent.start.min(start);
                parent.finish = parent.finish.max(finish);
            }
        }
    }

    /// The rules a change must keep, on the tasks it touched: dates on working days,
    /// finishes after starts; and on the whole plan: no cycle, milestones kept, children
    /// inside their parents.
    pub fn check(&self, touched: &[&str], today: NaiveDate) -> Result<Vec<Laid>, GanttProblem> {
        for task in self.tasks.iter().filter(|t| touched.contains(&t.key.as_str())) {
            if !task.milestone && task.duration < 1 {
                return Err(GanttProblem::EndsBeforeStart { task: task.name.clone() });
            }
            if let (Some(start), Some(finish)) = (task.actual_start, task.actual_finish) {
                if finish < start {
                    return Err(GanttProblem::EndsBeforeStart { task: task.name.clone() });
                }
            }
            if !self.calendar.is_working(task.start) {
                return Err(GanttProblem::NotWorkingDay { task: task.name.clone(), date: task.start.to_string() });
            }
        }
        self.lay_out(today)
    }

    fn name_of(&self, key: &str) -> String {
        self.tasks.iter().find(|t| t.key == key).map(|t| t.name.clone()).unwrap_or_else(|| key.to_string())
    }

    fn problem(&self, error: PlanError) -> GanttProblem {
        match error {
            PlanError::Cycle { tasks } => GanttProblem::Cycle { tasks: tasks.iter().map(|k| self.name_of(k)).collect() },
            PlanError::UnknownTask { id } => GanttProblem::UnknownTask { task: id },
            PlanError::NegativeDuration { task } => GanttProblem::EndsBeforeStart { task },
            PlanError::MilestoneMoved { milestone, by } => GanttProblem::MilestoneMoved { milestone, by },
            PlanError::BeforeParent { task, parent } => GanttProblem::BeforeParent { task, parent },
        }
    }

    /// Lays a change of a task or link over the plan, as an accepted operation would.
    pub fn apply(&mut self, table: &str, key: &str, fields: &Map<String, Value>) {
        match table {
            TASK_TABLE => {
                let mut merged = self.tasks.iter().find(|t| t.key == key).map(task_fields).unwrap_or_default();
                merged.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                self.tasks.retain(|t| t.key != key);
                if let Some(task) = PlanTask::from_fields(key, &merged) {
                    self.tasks.push(task);
                } else {
                    // A removed task takes its links with it.
                    self.links.retain(|l| l.from != key && l.to != key);
                }
            }
            LINK_TABLE => {
                let mut merged = self.links.iter().find(|l| l.key == key).map(link_fields).unwrap_or_default();
                merged.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                self.links.retain(|l| l.key != key);
                if let Some(link) = PlanLink::from_fields(key, &merged) {
                    self.links.push(link);
                }
            }
            _ => {}
        }
    }

    /// The tasks in table order: parents before their children, siblings by `sort`.
    pub fn ordered(&self) -> Vec<(usize, &PlanTask)> {
        let mut out = Vec::with_capacity(self.tasks.len());
        let keys: std::collections::HashSet<&str> = self.tasks.iter().map(|t| t.key.as_str()).collect();
        let mut children: std::collections::HashMap<Option<&str>, Vec<&PlanTask>> = Default::default();
        for task in &self.tasks {
            let parent = task.parent.as_deref().filter(|p| keys.contains(p) && *p != task.key);
            children.entry(parent).or_default().push(task);
        }
        for list in children.values_mut() {
            list.sort_by(|a, b| (a.sort, a.start, &a.key).cmp(&(b.sort, b.start, &b.key)));
        }
        let mut stack: Vec<(usize, &PlanTask)> = children.get(&None).map(|l| l.iter().rev().map(|t| (0, *t)).collect()).unwrap_or_default();
        let mut seen = std::collections::HashSet::new();
        while let Some((depth, task)) = stack.pop() {
            if !seen.insert(task.key.as_str()) {
                continue;
            }
            out.push((depth, task));
            if let Some(kids) = children.get(&Some(task.key.as_str())) {
                stack.extend(kids.iter().rev().map(|t| (depth + 1, *t)));
            }
        }
        // Tasks only reachable through a parent cycle are still shown.
        for task in &self.tasks {
            if !seen.contains(task.key.as_str()) {
                out.push((0, task));
            }
        }
        out
    }
}

/// A date's working-day number; a day off counts as the next working day.
fn day_number(axis: &WorkDays, day: NaiveDate) -> i64 {
    let mut probe = day;
    for _ in 0..30 {
        if let Some(n) = axis.number(probe) {
            return n;
        }
        probe += Duration::days(1);
    }
    0
}

/// Working days from `start` to `end` inclusive: a duration typed as an end date.
/// `None` when `end` comes first.
pub fn duration_between(calendar: &Calendar, start: NaiveDate, end: NaiveDate) -> Option<i64> {
    if end < start {
        return None;
    }
    let axis = WorkDays::between(calendar, start, end);
    Some(axis.len() as i64)
}

/// The working day `days` working days after `day` (negative: before); a day off
/// counts from the next working day.
pub fn shift(calendar: &Calendar, day: NaiveDate, days: i64) -> NaiveDate {
    let mut at = day;
    while !calendar.is_working(at) {
        at += Duration::days(1);
    }
    let step = if days < 0 { -1 } else { 1 };
    let mut left = days.abs();
    while left > 0 {
        at += Duration::days(step);
        if calendar.is_working(at) {
            left -= 1;
        }
    }
    at
}

/// The day a chart opens on: today while the plan runs, else the end of the plan nearest
/// to today (its first start before it begins, its last finish once it is over), so a
/// plan opened months in never shows only its first weeks. An empty plan opens on today.
pub fn opening_day(today: NaiveDate, laid: &[Laid]) -> NaiveDate {
    let first = laid.iter().map(|l| l.start).min();
    let last = laid.iter().map(|l| l.finish).max();
    match (first, last) {
        (Some(first), _) if today < first => first,
        (_, Some(last)) if today > last => last,
        _ => today,
    }
}

/// Within this many pixels of a view's edge, something dragged scrolls the view.
pub const EDGE_ZONE: f64 = 48.0;
/// The fastest a view scrolls itself, in pixels a frame (about 1,300 a second).
pub const EDGE_SPEED: f64 = 22.0;

/// How far a view scrolls itself in a frame while something is dragged at `pointer`, along
/// one axis whose visible part runs from `start` to `end`: nothing outside the zone by an
/// edge, faster the nearer the edge, the most at it and beyond; negative towards `start`.
/// The zone is at most a quarter of the view, so a small view keeps a still middle.
pub fn edge_scroll(pointer: f64, start: f64, end: f64) -> f64 {
    let span = end - start;
    if span.is_nan() || span <= 0.0 || !pointer.is_finite() {
        return 0.0;
    }
    let zone = EDGE_ZONE.min(span / 4.0);
    let speed = |distance: f64| EDGE_SPEED * ((zone - distance) / zone).clamp(0.0, 1.0);
    let (from_start, from_end) = (pointer - start, end - pointer);
    if from_start < zone && from_start <= from_end {
        -speed(from_start)
    } else if from_end < zone {
        speed(from_end)
    } else {
        0.0
    }
}

fn task_fields(task: &PlanTask) -> Map<String, Value> {
    let date = |d: Option<NaiveDate>| d.map(|d| Value::String(d.to_string())).unwrap_or(Value::String(String::new()));
    let mut map = Map::new();
    map.insert("name".into(), task.name.clone().into());
    map.insert("parent".into(), task.parent.clone().map(Value::String).unwrap_or(Value::Null));
    map.insert("owner".into(), task.owner.clone().into());
    map.insert("start".into(), task.start.to_string().into());
    map.insert("duration".into(), task.duration.into());
    map.insert("milestone".into(), task.milestone.into());
    map.insert("actual_start".into(), date(task.actual_start));
    map.insert("actual_finish".into(), date(task.actual_finish));
    map.insert("progress".into(), task.progress.into());
    map.insert("notes".into(), task.notes.clone().into());
    map.insert("baseline_start".into(), date(task.baseline_start));
    map.insert("baseline_finish".into(), date(task.baseline_finish));
    map.insert("sort".into(), task.sort.into());
    map
}

fn link_fields(link: &PlanLink) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("from".into(), link.from.clone().into());
    map.insert("to".into(), link.to.clone().into());
    map.insert("lag".into(), link.lag.into());
    map
}

/// The years a project's plan may span: from the year before the project's to two years
/// after it. Bounds every day list a plan builds (in the writer and on the page).
pub fn plan_years(project_year: i32) -> (i32, i32) {
    (project_year - 1, project_year + 2)
}

/// Checks that a task's dates (`finish` as laid out, when known) lie within `plan_years`.
pub fn check_years(task: &PlanTask, finish: Option<NaiveDate>, project_year: i32) -> Result<(), GanttProblem> {
    let (first, last) = plan_years(project_year);
    let dates = [Some(task.start), finish, task.actual_start, task.actual_finish];
    if dates.into_iter().flatten().all(|d| (first..=last).contains(&chrono::Datelike::year(&d))) {
        Ok(())
    } else {
        Err(GanttProblem::OutsideYears { task: task.name.clone(), first, last })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_lies_within_the_plans_years() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let task = PlanTask::new("t", "入户走访", day(2025, 1, 1), 3);
        assert_eq!(check_years(&task, Some(day(2028, 12, 31)), 2026), Ok(()));
        let early = PlanTask::new("t", "入户走访", day(2024, 12, 31), 3);
        assert_eq!(check_years(&early, None, 2026), Err(GanttProblem::OutsideYears { task: "入户走访".into(), first: 2025, last: 2028 }));
        assert!(check_years(&task, Some(day(2029, 1, 1)), 2026).is_err(), "its finish too");
        let mut done_late = task.clone();
        done_late.actual_finish = Some(day(9999, 1, 1));
        assert!(check_years(&done_late, None, 2026).is_err(), "and what was recorded as done");
    }
    use serde_json::json;

    fn date(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    fn task(key: &str, start: &str, duration: i64) -> PlanTask {
        PlanTask::new(key, &format!("任务{key}"), date(start), duration)
    }

    fn link(key: &str, from: &str, to: &str) -> PlanLink {
        PlanLink { key: key.into(), from: from.into(), to: to.into(), lag: 0 }
    }

    fn national_day() -> Calendar {
        Calendar { holidays: (1..=7).map(|d| date(&format!("2026-10-0{d}"))).collect(), makeup_days: [date("2026-09-27"), date("2026-10-10")].into() }
    }

    #[test]
    fn a_chain_is_laid_out_over_the_holiday_and_is_critical() {
        let plan = Plan {
            tasks: vec![task("a", "2026-09-28", 3), task("b", "2026-09-28", 2)],
            links: vec![link("l", "a", "b")],
            calendar: national_day(),
            ends_on: None,
        };
        let laid = plan.lay_out(date("2026-09-01")).unwrap();
        // a: Mon 28, Tue 29, Wed 30; then the holiday; b on Thu 8 and Fri 9.
        assert_eq!(laid[0].finish, date("2026-09-30"));
        assert_eq!(laid[1].start, date("2026-10-08"));
        assert_eq!(laid[1].finish, date("2026-10-09"));
        assert!(laid.iter().all(|l| l.critical && l.slack == 0));
    }

    #[test]
    fn a_late_plan_has_negative_slack() {
        let plan = Plan { tasks: vec![task("a", "2026-09-14", 10)], links: vec![], calendar: Calendar::default(), ends_on: Some(date("2026-09-18")) };
        let laid = plan.lay_out(date("2026-09-01")).unwrap();
        assert_eq!(laid[0].slack, -5);
        assert!(laid[0].critical);
    }

    #[test]
    fn a_cycle_made_by_two_links_is_named_by_task_names() {
        let mut plan = Plan { tasks: vec![task("a", "2026-09-14", 2), task("b", "2026-09-14", 2)], ..Default::default() };
        plan.apply(LINK_TABLE, "l1", json!({"from": "a", "to": "b", "lag": 0}).as_object().unwrap());
        assert!(plan.lay_out(date("2026-09-01")).is_ok());
        plan.apply(LINK_TABLE, "l2", json!({"from": "b", "to": "a", "lag": 0}).as_object().unwrap());
        match plan.lay_out(date("2026-09-01")) {
            Err(GanttProblem::Cycle { tasks }) => {
                assert_eq!(tasks.len(), 2);
                assert!(tasks.contains(&"任务a".to_string()) && tasks.contains(&"任务b".to_string()));
            }
            other => panic!("expected a cycle, got {other:?}"),
        }
    }

    #[test]
    fn the_rules_of_a_change() {
        let plan = Plan { tasks: vec![task("a", "2026-10-01", 2), task("b", "2026-09-14", 0)], calendar: national_day(), ..Default::default() };
        assert_eq!(plan.check(&["a"], date("2026-09-01")), Err(GanttProblem::NotWorkingDay { task: "任务a".into(), date: "2026-10-01".into() }));
        assert_eq!(plan.check(&["b"], date("2026-09-01")), Err(GanttProblem::EndsBeforeStart { task: "任务b".into() }));
        let mut milestone = plan.clone();
        milestone.tasks[1].milestone = true;
        milestone.tasks[0].start = date("2026-09-14");
        milestone.links.push(link("l", "a", "b"));
        // a runs 14th–15th; the milestone on the 14th cannot wait for it.
        assert_eq!(milestone.check(&["a"], date("2026-09-01")), Err(GanttProblem::MilestoneMoved { milestone: "任务b".into(), by: "任务a".into() }));
        let mut selfish = plan.clone();
        selfish.tasks[0].start = date("2026-09-14");
        selfish.links.push(link("l", "a", "a"));
        assert_eq!(selfish.check(&["a"], date("2026-09-01")), Err(GanttProblem::SelfLink { task: "任务a".into() }));
    }

    #[test]
    fn removing_a_task_removes_its_links() {
        let mut plan = Plan { tasks: vec![task("a", "2026-09-14", 2), task("b", "2026-09-14", 2)], links: vec![link("l", "a", "b")], ..Default::default() };
        plan.apply(TASK_TABLE, "a", json!({"removed": true}).as_object().unwrap());
        assert_eq!(plan.tasks.len(), 1);
        assert!(plan.links.is_empty());
        // A field edit keeps the rest of the task.
        plan.apply(TASK_TABLE, "b", json!({"progress": 50}).as_object().unwrap());
        assert_eq!(plan.tasks[0].progress, 50);
        assert_eq!(plan.tasks[0].duration, 2);
    }

    #[test]
    fn overdue_and_behind() {
        let mut late = task("a", "2026-09-14", 5);
        late.progress = 10;
        let mut done = task("b", "2026-09-14", 5);
        done.progress = 100;
        let plan = Plan { tasks: vec![late, done], ..Default::default() };
        let laid = plan.lay_out(date("2026-09-30")).unwrap();
        assert!(laid[0].overdue && laid[0].behind);
        assert!(!laid[1].overdue && !laid[1].behind);
    }

    #[test]
    fn end_dates_and_shifts_count_working_days() {
        let calendar = national_day();
        assert_eq!(duration_between(&calendar, date("2026-09-28"), date("2026-10-09")), Some(5));
        assert_eq!(duration_between(&calendar, date("2026-09-28"), date("2026-09-27")), None);
        assert_eq!(shift(&calendar, date("2026-09-30"), 1), date("2026-10-08"));
        assert_eq!(shift(&calendar, date("2026-10-08"), -1), date("2026-09-30"));
    }

    #[test]
    fn a_summary_row_spans_its_subtasks() {
        let mut child = task("c", "2026-09-21", 3);
        child.parent = Some("p".into());
        let plan = Plan { tasks: vec![task("p", "2026-09-14", 1), child], ..Default::default() };
        let laid = plan.lay_out(date("2026-09-01")).unwrap();
        assert_eq!((laid[0].start, laid[0].finish), (date("2026-09-14"), date("2026-09-23")));
    }

    #[test]
    fn table_order_puts_children_under_parents() {
        let mut child = task("c", "2026-09-15", 1);
        child.parent = Some("p".into());
        let mut parent = task("p", "2026-09-14", 3);
        parent.sort = 1;
        let plan = Plan { tasks: vec![child, task("z", "2026-09-14", 1), parent], ..Default::default() };
        let order: Vec<(usize, &str)> = plan.ordered().into_iter().map(|(d, t)| (d, t.key.as_str())).collect();
        assert_eq!(order, vec![(0, "z"), (0, "p"), (1, "c")]);
    }
    fn laid(start: &str, finish: &str) -> Laid {
        let (start, finish) = (date(start), date(finish));
        Laid { key: "a".into(), start, finish, late_start: start, late_finish: finish, slack: 0, critical: false, behind: false, overdue: false }
    }

    #[test]
    fn a_chart_opens_on_today_or_the_nearest_end_of_the_plan() {
        let plan = [laid("2026-03-02", "2026-05-29"), laid("2026-04-01", "2027-01-15")];
        let check = |today: &str, expected: &str| assert_eq!(opening_day(date(today), &plan), date(expected), "today {today}");
        check("2026-12-03", "2026-12-03");
        check("2026-03-02", "2026-03-02");
        check("2027-01-15", "2027-01-15");
        check("2026-02-01", "2026-03-02");
        check("2027-06-30", "2027-01-15");
        // Nothing planned yet: today.
        assert_eq!(opening_day(date("2026-12-03"), &[]), date("2026-12-03"));
    }

    #[test]
    fn a_drag_scrolls_faster_the_nearer_the_edge() {
        let check = |pointer: f64, expected: f64| {
            assert!((edge_scroll(pointer, 100.0, 500.0) - expected).abs() < 1e-9, "at {pointer}: {}", edge_scroll(pointer, 100.0, 500.0))
        };
        // The middle and the rim of the zone are still.
        check(300.0, 0.0);
        check(100.0 + EDGE_ZONE, 0.0);
        check(500.0 - EDGE_ZONE, 0.0);
        // Half-way into the zone, half speed; at the edge and beyond it, full speed.
        check(100.0 + EDGE_ZONE / 2.0, -EDGE_SPEED / 2.0);
        check(500.0 - EDGE_ZONE / 2.0, EDGE_SPEED / 2.0);
        check(100.0, -EDGE_SPEED);
        check(40.0, -EDGE_SPEED);
        check(500.0, EDGE_SPEED);
        check(900.0, EDGE_SPEED);
        // Nearer the edge is never slower.
        let speeds: Vec<f64> = (0..=48).map(|d| edge_scroll(500.0 - d as f64, 100.0, 500.0)).collect();
        assert!(speeds.windows(2).all(|w| w[0] >= w[1]));
        // A small view keeps a still middle; no view, no scrolling.
        assert_eq!(edge_scroll(50.0, 0.0, 100.0), 0.0);
        assert!(edge_scroll(10.0, 0.0, 100.0) < 0.0);
        assert_eq!(edge_scroll(10.0, 100.0, 100.0), 0.0);
        assert_eq!(edge_scroll(f64::NAN, 0.0, 100.0), 0.0);
    }
}
