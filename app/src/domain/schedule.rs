//! Plans (`gantt`): the working calendar, the forward and backward passes, slack and the
//! critical path, and the rules a plan must keep (no dependency cycles, milestones on
//! their dates, children inside their parents). Shared by the browser (the chart and its
//! drag previews) and the server (which refuses what breaks a rule).
//!
//! Dates become indices of working days once per plan, so the passes are integer
//! arithmetic over a topological order: linear in tasks and links.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::{BTreeSet, HashMap};

/// Which days are worked: Monday to Friday, except public holidays, plus the weekend days
/// made working days (调休) that street staff enter for each year.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Calendar {
    pub holidays: BTreeSet<NaiveDate>,
    pub makeup_days: BTreeSet<NaiveDate>,
}

impl Calendar {
    pub fn is_working(&self, day: NaiveDate) -> bool {
        if self.makeup_days.contains(&day) {
            return true;
        }
        !self.holidays.contains(&day) && !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }
}

/// The working days from `first` on, numbered 0, 1, 2, …: a plan's time axis.
#[derive(Clone, Debug)]
pub struct WorkDays {
    days: Vec<NaiveDate>,
    index: HashMap<NaiveDate, usize>,
}

impl WorkDays {
    /// Working days from `first` to `last` inclusive.
    pub fn between(calendar: &Calendar, first: NaiveDate, last: NaiveDate) -> WorkDays {
        let mut days = Vec::new();
        let mut day = first;
        while day <= last {
            if calendar.is_working(day) {
                days.push(day);
            }
            day += Duration::days(1);
        }
        let index = days.iter().enumerate().map(|(i, d)| (*d, i)).collect();
        WorkDays { days, index }
    }

    /// The working day numbered `n` (clamped to the axis).
    pub fn date(&self, n: i64) -> Option<NaiveDate> {
        if self.days.is_empty() {
            return None;
        }
        Some(self.days[n.clamp(0, self.days.len() as i64 - 1) as usize])
    }

    /// The number of a working day; `None` for a weekend, a holiday, or a day off the axis.
    pub fn number(&self, day: NaiveDate) -> Option<i64> {
        self.index.get(&day).map(|&n| n as i64)
    }

    pub fn len(&self) -> usize {
        self.days.len()
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }
}

/// A task or milestone of a plan, on the working-day axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub id: String,
    pub name: String,
    /// The working day it is set to start on (where the person put it).
    pub start: i64,
    /// Working days; 0 for a milestone.
    pub duration: i64,
    /// A milestone's fixed day: it neither moves nor may be pushed.
    pub fixed: Option<i64>,
    pub parent: Option<String>,
}

/// Finish-to-start: `to` starts `lag` working days after `from` finishes.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub from: String,
    pub to: String,
    pub lag: i64,
}

/// A task's place in the schedule. Days are working-day numbers; `finish` is the last
/// day worked (a milestone starts and finishes on its day).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    pub early_start: i64,
    pub early_finish: i64,
    pub late_start: i64,
    pub late_finish: i64,
    /// How far it may slip without moving the plan's end or a milestone; negative when late.
    pub slack: i64,
    pub critical: bool,
}

/// What a plan breaks, naming the tasks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("dependency cycle")]
    Cycle { tasks: Vec<String> },
    #[error("link to an unknown task")]
    UnknownTask { id: String },
    #[error("a task ends before it starts")]
    NegativeDuration { task: String },
    #[error("a milestone would be pushed")]
    MilestoneMoved { milestone: String, by: String },
    #[error("a child starts before its parent")]
    BeforeParent { task: String, parent: String },
}

/// The order tasks can be scheduled in (each after everything it depends on), or the
/// tasks of one cycle, in its order.
pub fn topological_order(tasks: &[Task], links: &[Link]) -> Result<Vec<usize>, PlanError> {
    let at: HashMap<&str, usize> = tasks.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect();
    let mut successors: Vec<Vec<usize>> = vec![Vec::new(); tasks.len()];
    let mut incoming = vec![0usize; tasks.len()];
    for link in links {
        let from = *at.get(link.from.as_str()).ok_or_else(|| PlanError::UnknownTask { id: link.from.clone() })?;
        let to = *at.get(link.to.as_str()).ok_or_else(|| PlanError::UnknownTask { id: link.to.clone() })?;
        successors[from].push(to);
        incoming[to] += 1;
    }
    let mut ready: Vec<usize> = (0..tasks.len()).filter(|&i| incoming[i] == 0).collect();
    let mut order = Vec::with_capacity(tasks.len());
    while let Some(i) = ready.pop() {
        order.push(i);
        for &next in &successors[i] {
            incoming[next] -= 1;
            if incoming[next] == 0 {
                ready.push(next);
            }
        }
    }
    if order.len() == tasks.len() {
        return Ok(order);
    }
    // Some tasks never became ready: walk back along unfinished links to a repeat.
    let stuck: Vec<bool> = incoming.iter().map(|&n| n > 0).collect();
    let mut predecessor = vec![usize::MAX; tasks.len()];
    for (from, nexts) in successors.iter().enumerate() {
        for &to in nexts {
            if stuck[from] && stuck[to] {
                predecessor[to] = from;
            }
        }
    }
    let start = (0..tasks.len()).find(|&i| stuck[i] && predecessor[i] != usize::MAX).unwrap_or(0);
    let mut seen = HashMap::new();
    let mut path = Vec::new();
    let mut at_task = start;
    while !seen.contains_key(&at_task) {
        seen.insert(at_task, path.len());
        path.push(at_task);
        at_task = predecessor[at_task];
    }
    let mut cycle: Vec<usize> = path[seen[&at_task]..].iter().rev().copied().collect();
    // Start the cycle at its first task in plan order, for a stable message.
    if let Some(first) = (0..cycle.len()).min_by_key(|&i| cycle[i]) {
        cycle.rotate_left(first);
    }
    Err(PlanError::Cycle { tasks: cycle.into_iter().map(|i| tasks[i].name.clone()).collect() })
}

/// The `end` that makes the backward pass start from the plan's own latest finish
/// (for a plan without a period end).
pub const LATEST_FINISH: i64 = i64::MAX;

/// Schedules a plan: each task starts where it was put or, if later, when what it
/// depends on allows (a move later pushes successors as far as needed and no further;
/// a move earlier moves none); the backward pass runs from the plan's end (`end`, a
/// working-day number) and the milestones' fixed days. The critical path is the tasks of
/// least slack (zero when the plan fits, negative when it is late).
pub fn schedule(tasks: &[Task], links: &[Link], end: i64) -> Result<Vec<Timing>, PlanError> {
    for task in tasks {
        if task.duration < 0 {
            return Err(PlanError::NegativeDuration { task: task.name.clone() });
        }
    }
    let order = topological_order(tasks, links)?;
    let at: HashMap<&str, usize> = tasks.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect();
    let mut preds: Vec<Vec<(usize, i64)>> = vec![Vec::new(); tasks.len()];
    let mut succs: Vec<Vec<(usize, i64)>> = vec![Vec::new(); tasks.len()];
    for link in links {
        let (from, to) = (at[link.from.as_str()], at[link.to.as_str()]);
        preds[to].push((from, link.lag));
        succs[from].push((to, link.lag));
    }
    let finish = |start: i64, duration: i64| start + (duration - 1).max(0);
    // Forward pass.
    let mut early_start = vec![0i64; tasks.len()];
    for &i in &order {
        let task = &tasks[i];
        let needed = preds[i].iter().map(|&(p, lag)| after(finish(early_start[p], tasks[p].duration), tasks[p].duration, task.duration) + lag).max();
        let start = match task.fixed {
            Some(day) => {
                if let Some(needed) = needed.filter(|&n| n > day) {
                    let by = preds[i]
                        .iter()
                        .find(|&&(p, lag)| after(finish(early_start[p], tasks[p].duration), tasks[p].duration, task.duration) + lag == needed)
                        .map(|&(p, _)| tasks[p].name.clone())
                        .unwrap_or_default();
                    return Err(PlanError::MilestoneMoved { milestone: task.name.clone(), by });
                }
                day
            }
            None => needed.map_or(task.start, |n| n.max(task.start)),
        };
        early_start[i] = start;
    }
    // Children start no earlier than their parents.
    for (i, task) in tasks.iter().enumerate() {
        if let Some(parent) = task.parent.as_deref().and_then(|p| at.get(p)) {
            if early_start[i] < early_start[*parent] {
                return Err(PlanError::BeforeParent { task: task.name.clone(), parent: tasks[*parent].name.clone() });
            }
        }
    }
    let end = if end == LATEST_FINISH { (0..tasks.len()).map(|i| finish(early_start[i], tasks[i].duration)).max().unwrap_or(0) } else { end };
    // Backward pass from the plan's end and the milestones' days.
    let mut late_finish = vec![i64::MAX; tasks.len()];
    for &i in order.iter().rev() {
        let task = &tasks[i];
        let allowed =
            succs[i].iter().map(|&(s, lag)| before(late_start_of(late_finish[s], &tasks[s]), task.duration, tasks[s].duration) - lag).min().unwrap_or(end);
        // A milestone stays on its day; what follows it cannot make it earlier.
        late_finish[i] = match task.fixed {
            Some(day) => day,
            None => allowed.min(end),
        };
    }
    let timings: Vec<(i64, i64, i64, i64)> = (0..tasks.len())
        .map(|i| {
            let ef = finish(early_start[i], tasks[i].duration);
            let ls = late_start_of(late_finish[i], &tasks[i]);
            (early_start[i], ef, ls, late_finish[i])
        })
        .collect();
    let least = timings.iter().map(|&(es, _, ls, _)| ls - es).min().unwrap_or(0);
    Ok(timings
        .into_iter()
        .map(|(es, ef, ls, lf)| Timing { early_start: es, early_finish: ef, late_start: ls, late_finish: lf, slack: ls - es, critical: ls - es == least })
        .collect())
}

/// The first day a successor may start after a predecessor finishing on `finish`: the
/// next working day, or the same day when either is a milestone (a point in time).
fn after(finish: i64, pred_duration: i64, succ_duration: i64) -> i64 {
    if pred_duration == 0 || succ_duration == 0 {
        finish
    } else {
        finish + 1
    }
}

/// The last day a predecessor may finish for a successor starting on `start`.
fn before(start: i64, pred_duration: i64, succ_duration: i64) -> i64 {
    if pred_duration == 0 || succ_duration == 0 {
        start
    } else {
        start - 1
    }
}

fn late_start_of(late_finish: i64, task: &Task) -> i64 {
    late_finish - (task.duration - 1).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, start: i64, duration: i64) -> Task {
        Task { id: id.into(), name: format!("任务{id}"), start, duration, fixed: None, parent: None }
    }

    fn link(from: &str, to: &str) -> Link {
        Link { from: from.into(), to: to.into(), lag: 0 }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_calendar_skips_weekends_and_holidays_and_works_makeup_days() {
        let calendar = Calendar { holidays: [date(2026, 10, 1), date(2026, 10, 2)].into(), makeup_days: [date(2026, 10, 10)].into() };
        assert!(!calendar.is_working(date(2026, 10, 1)), "国庆节 is a holiday");
        assert!(!calendar.is_working(date(2026, 10, 4)), "a Sunday");
        assert!(calendar.is_working(date(2026, 10, 10)), "a Saturday made a working day (调休)");
        assert!(calendar.is_working(date(2026, 9, 30)));
        let axis = WorkDays::between(&calendar, date(2026, 9, 28), date(2026, 10, 11));
        // 28,29,30 Sep, then 5,6,7,8,9 Oct and the 10th.
        assert_eq!(axis.len(), 9);
        assert_eq!(axis.number(date(2026, 10, 5)), Some(3));
        assert_eq!(axis.number(date(2026, 10, 3)), None, "no task starts on a holiday");
        assert_eq!(axis.date(8), Some(date(2026, 10, 10)));
    }

    #[test]
    fn the_passes_give_slack_and_the_critical_path() {
        // a(3) → b(2) → d(1); a → c(1) → d. Plan ends on day 9.
        let tasks = [task("a", 0, 3), task("b", 0, 2), task("c", 0, 1), task("d", 0, 1)];
        let links = [link("a", "b"), link("b", "d"), link("a", "c"), link("c", "d")];
        let t = schedule(&tasks, &links, 5).unwrap();
        assert_eq!((t[0].early_start, t[0].early_finish), (0, 2));
        assert_eq!((t[1].early_start, t[1].early_finish), (3, 4));
        assert_eq!(t[3].early_start, 5);
        assert_eq!(t[2].slack, 1, "c may slip a day");
        assert_eq!(t.iter().map(|x| x.critical).collect::<Vec<_>>(), vec![true, true, false, true]);
        assert!(t.iter().filter(|x| x.critical).all(|x| x.slack == 0));
        // The same plan with too little time is late: the critical path has negative slack.
        let late = schedule(&tasks, &links, 3).unwrap();
        assert_eq!(late[0].slack, -2);
        assert!(late[0].critical && late[1].critical && late[3].critical && !late[2].critical);
    }

    #[test]
    fn moving_later_pushes_successors_only_as_needed_and_moving_earlier_moves_none() {
        let mut tasks = vec![task("a", 0, 2), task("b", 4, 2), task("c", 9, 1)];
        let links = [link("a", "b"), link("b", "c")];
        let before = schedule(&tasks, &links, 20).unwrap();
        assert_eq!(before[1].early_start, 4, "b was put later than a requires");
        tasks[0].start = 3; // a now finishes on day 4
        let after = schedule(&tasks, &links, 20).unwrap();
        assert_eq!(after[1].early_start, 5, "b is pushed to the day after a");
        assert_eq!(after[2].early_start, 9, "c still fits where it was: not moved");
        tasks[0].start = 0;
        let back = schedule(&tasks, &links, 20).unwrap();
        assert_eq!(back[1].early_start, 4, "moving a earlier leaves b where it was put");
    }

    #[test]
    fn lags_are_working_days_after_the_finish() {
        let tasks = [task("a", 0, 2), task("b", 0, 1)];
        let t = schedule(&tasks, &[Link { from: "a".into(), to: "b".into(), lag: 2 }], 10).unwrap();
        assert_eq!(t[1].early_start, 4);
    }

    #[test]
    fn a_cycle_is_refused_naming_its_tasks_even_when_two_links_close_it_together() {
        let tasks = [task("a", 0, 1), task("b", 0, 1), task("c", 0, 1), task("d", 0, 1)];
        // Each tablet added one link offline; alone each is fine.
        let one = [link("a", "b"), link("b", "c"), link("c", "a")];
        assert!(schedule(&tasks, &one[..2], 10).is_ok());
        let error = schedule(&tasks, &one, 10).unwrap_err();
        assert_eq!(error, PlanError::Cycle { tasks: vec!["任务a".into(), "任务b".into(), "任务c".into()] });
        assert!(matches!(topological_order(&tasks, &[link("a", "x")]), Err(PlanError::UnknownTask { .. })));
    }

    #[test]
    fn milestones_keep_their_day_and_drive_the_backward_pass() {
        let mut tasks = vec![task("a", 0, 3), Task { fixed: Some(5), ..task("m", 0, 0) }, task("b", 0, 2)];
        let links = [link("a", "m"), link("m", "b")];
        let t = schedule(&tasks, &links, 20).unwrap();
        assert_eq!(t[1].early_start, 5);
        assert_eq!(t[0].slack, 3, "a may slip until the milestone");
        assert_eq!(t[2].early_start, 5, "b starts at the milestone");
        tasks[0].start = 4; // a would finish on day 6, after the milestone
        assert_eq!(schedule(&tasks, &links, 20).unwrap_err(), PlanError::MilestoneMoved { milestone: "任务m".into(), by: "任务a".into() });
    }

    proptest::proptest! {
        /// On random acyclic plans that fit their end, the critical path has zero slack and
        /// every dependency holds.
        #[test]
        fn random_plans_keep_their_dependencies(
            durations in proptest::collection::vec(0i64..8, 2..40),
            starts in proptest::collection::vec(0i64..20, 40),
            pairs in proptest::collection::vec((0usize..40, 0usize..40, 0i64..3), 0..80),
        ) {
            let n = durations.len();
            let tasks: Vec<Task> = (0..n).map(|i| task(&i.to_string(), starts[i], durations[i])).collect();
            // Links only from a lower to a higher index: acyclic.
            let links: Vec<Link> = pairs.iter().filter(|(a, b, _)| a % n < b % n).map(|(a, b, lag)| Link { from: (a % n).to_string(), to: (b % n).to_string(), lag: *lag }).collect();
            let first = schedule(&tasks, &links, 10_000).unwrap();
            let end = first.iter().map(|t| t.early_finish).max().unwrap();
            let timings = schedule(&tasks, &links, end).unwrap();
            let at = |id: &str| id.parse::<usize>().unwrap();
            for link in &links {
                let (from, to) = (&timings[at(&link.from)], &timings[at(&link.to)]);
                let gap = if tasks[at(&link.from)].duration == 0 || tasks[at(&link.to)].duration == 0 { 0 } else { 1 };
                proptest::prop_assert!(to.early_start >= from.early_finish + gap + link.lag);
            }
            proptest::prop_assert!(timings.iter().all(|t| t.slack >= 0 && t.early_start >= 0));
            proptest::prop_assert!(timings.iter().any(|t| t.critical));
            proptest::prop_assert!(timings.iter().filter(|t| t.critical).all(|t| t.slack == 0));
        }
    }

    #[test]
    fn children_start_inside_their_parent_and_durations_are_not_negative() {
        let parent = task("p", 5, 10);
        let child = Task { parent: Some("p".into()), ..task("c", 3, 2) };
        assert_eq!(schedule(&[parent.clone(), child.clone()], &[], 30).unwrap_err(), PlanError::BeforeParent { task: "任务c".into(), parent: "任务p".into() });
        assert!(schedule(&[parent, Task { start: 6, ..child }], &[], 30).is_ok());
        assert_eq!(schedule(&[task("x", 0, -1)], &[], 5).unwrap_err(), PlanError::NegativeDuration { task: "任务x".into() });
    }
}
