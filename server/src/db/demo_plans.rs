//! Demo plans and the mentor team: a plan for each filed project (5 to 40 tasks, with
//! dependencies; the projects still running are late), the street's 2026 holidays and
//! make-up days, eleven mentors of the article's four kinds paired with the 11 branches,
//! and a season of mentoring sessions. Written straight to the database like the rest of
//! the demo data.
#![allow(clippy::expect_used, reason = "demo data is drawn from constants: a failure is a bug in them, seen at the first start")]

use super::demo::{BRANCHES, PROJECTS};
use app::domain::gantt::{shift, Plan, PlanLink, PlanTask};
use app::domain::schedule::Calendar;
use app::domain::time::parse_date;
use chrono::NaiveDate;
use serde_json::{json, Value};

/// 2026's public holidays and the weekend days worked instead (调休), as street staff
/// would enter them: (date, kind, name).
pub const CALENDAR_2026: &[(&str, &str, &str)] = &[
    ("2026-01-01", "holiday", "元旦"),
    ("2026-01-02", "holiday", "元旦"),
    ("2026-01-03", "holiday", "元旦"),
    ("2026-01-04", "workday", "元旦调休"),
    ("2026-02-14", "workday", "春节调休"),
    ("2026-02-15", "holiday", "春节"),
    ("2026-02-16", "holiday", "春节"),
    ("2026-02-17", "holiday", "春节"),
    ("2026-02-18", "holiday", "春节"),
    ("2026-02-19", "holiday", "春节"),
    ("2026-02-20", "holiday", "春节"),
    ("2026-02-21", "holiday", "春节"),
    ("2026-02-22", "holiday", "春节"),
    ("2026-02-23", "holiday", "春节"),
    ("2026-02-28", "workday", "春节调休"),
    ("2026-04-04", "holiday", "清明节"),
    ("2026-04-05", "holiday", "清明节"),
    ("2026-04-06", "holiday", "清明节"),
    ("2026-05-01", "holiday", "劳动节"),
    ("2026-05-02", "holiday", "劳动节"),
    ("2026-05-03", "holiday", "劳动节"),
    ("2026-05-04", "holiday", "劳动节"),
    ("2026-05-05", "holiday", "劳动节"),
    ("2026-05-09", "workday", "劳动节调休"),
    ("2026-06-19", "holiday", "端午节"),
    ("2026-06-20", "holiday", "端午节"),
    ("2026-06-21", "holiday", "端午节"),
    ("2026-09-20", "workday", "国庆节调休"),
    ("2026-09-25", "holiday", "中秋节"),
    ("2026-09-26", "holiday", "中秋节"),
    ("2026-09-27", "holiday", "中秋节"),
    ("2026-10-01", "holiday", "国庆节"),
    ("2026-10-02", "holiday", "国庆节"),
    ("2026-10-03", "holiday", "国庆节"),
    ("2026-10-04", "holiday", "国庆节"),
    ("2026-10-05", "holiday", "国庆节"),
    ("2026-10-06", "holiday", "国庆节"),
    ("2026-10-07", "holiday", "国庆节"),
    ("2026-10-10", "workday", "国庆节调休"),
];

pub fn calendar() -> Calendar {
    let mut calendar = Calendar::default();
    for (day, kind, _) in CALENDAR_2026 {
        let day = parse_date(day).expect("a valid demo date");
        if *kind == "holiday" {
            calendar.holidays.insert(day);
        } else {
            calendar.makeup_days.insert(day);
        }
    }
    calendar
}

const PHASES: &[&str] = &["前期调研", "方案制定", "组织实施", "总结评估"];
const STEPS: &[&str] = &[
    "入户走访摸底",
    "召开支委会研究",
    "征求党员群众意见",
    "制定实施方案",
    "报街道审核",
    "招募党员志愿者",
    "开展主题活动",
    "建立工作台账",
    "中期推进会",
    "宣传报道",
    "群众满意度测评",
    "问题整改",
    "总结评估",
    "材料归档",
];

/// A small deterministic generator, so the demo is the same on every machine.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % sides
    }
}

/// The plan of demo project number `index` (0-based), laid out so that it keeps every
/// rule: phases as parent tasks, steps chained inside and across them, an acceptance
/// milestone where the plan fits its period. Projects still running overran theirs.
pub fn demo_plan(index: usize, running: bool, today: NaiveDate) -> Plan {
    let calendar = calendar();
    let mut dice = Dice(index as u64 * 7919 + 17);
    let count = 5 + (index * 13 + 7) % 36;
    let key = |n: usize| format!("p{:03}t{:02}", index + 1, n);
    let first = shift(&calendar, parse_date("2026-03-02").expect("date"), 0);
    let ends_on = parse_date("2026-09-30").expect("date");
    // Working days the steps may take: the period, or well past it for a late project.
    let span: i64 = if running { 210 } else { 125 };
    let phases = PHASES.len().min((count - 1) / 3).max(1);
    let steps = count - phases - usize::from(!running);
    let per_step = (span / steps as i64).max(1);
    let mut tasks: Vec<PlanTask> = Vec::with_capacity(count);
    let mut links: Vec<PlanLink> = Vec::new();
    let mut cursor = first;
    let mut previous: Vec<String> = Vec::new();
    let mut n = 0;
    let owners = ["书记", "组织委员", "网格员", "党员志愿者"];
    for phase in 0..phases {
        let phase_key = key(n);
        n += 1;
        let phase_start = cursor;
        tasks.push(task(&phase_key, PHASES[phase], None, phase_start, 1, phase as i64, owners[0]));
        let share = steps / phases + usize::from(phase < steps % phases);
        for s in 0..share {
            let duration = (per_step + dice.roll(3) as i64 - 1).max(1);
            let step_key = key(n);
            n += 1;
            let name = STEPS[(phase * 4 + s) % STEPS.len()];
            tasks.push(task(&step_key, name, Some(&phase_key), cursor, duration, s as i64, owners[(s + phase) % owners.len()]));
            // Every step follows the one before; now and then two run side by side.
            if let Some(before) = previous.last() {
                links.push(PlanLink { key: format!("{step_key}l"), from: before.clone(), to: step_key.clone(), lag: 0 });
            }
            let side_by_side = s > 0 && dice.roll(4) == 0;
            if !side_by_side {
                cursor = shift(&calendar, cursor, duration);
            }
            previous.push(step_key);
        }
        // The phase row spans its steps.
        let phase_days = app::domain::gantt::duration_between(&calendar, phase_start, shift(&calendar, cursor, -1)).unwrap_or(1).max(1);
        if let Some(row) = tasks.iter_mut().find(|t| t.key == phase_key) {
            row.duration = phase_days;
        }
    }
    if !running {
        let milestone = key(n);
        let mut acceptance = task(&milestone, "项目验收", None, ends_on, 0, phases as i64, owners[0]);
        acceptance.milestone = true;
        if let Some(last) = previous.last() {
            links.push(PlanLink { key: format!("{milestone}l"), from: last.clone(), to: milestone.clone(), lag: 0 });
        }
        tasks.push(acceptance);
    }
    let mut plan = Plan { tasks, links, calendar, ends_on: Some(ends_on) };
    // Starts where the schedule puts them; progress by the date (a few fell behind).
    if let Ok(laid) = plan.lay_out(today) {
        for (task, laid) in plan.tasks.iter_mut().zip(&laid) {
            task.start = laid.start;
            let done = laid.finish < today;
            task.progress = if done && !(running && dice.roll(3) == 0) {
                100
            } else if laid.start < today {
                20 + dice.roll(50) as i64
            } else {
                0
            };
            if task.progress == 100 {
                task.actual_start = Some(laid.start);
                task.actual_finish = Some(laid.finish);
            }
            // The filing baseline: as planned in March, a few steps since moved.
            let slip = if dice.roll(5) == 0 { 2 } else { 0 };
            task.baseline_start = Some(shift(&plan.calendar, laid.start, -slip));
            task.baseline_finish = Some(shift(&plan.calendar, laid.finish, -slip));
        }
    }
    plan
}

fn task(key: &str, name: &str, parent: Option<&str>, start: NaiveDate, duration: i64, sort: i64, owner: &str) -> PlanTask {
    PlanTask { parent: parent.map(str::to_string), owner: owner.into(), sort, ..PlanTask::new(key, name, start, duration) }
}

/// Rows for `gantt_task` and `gantt_link` of every filed demo project.
pub fn plan_rows(today: NaiveDate) -> (Vec<Value>, Vec<Value>) {
    let (mut tasks, mut links) = (Vec::new(), Vec::new());
    for (index, (branch, _, _, _, status, _, _)) in PROJECTS.iter().enumerate() {
        if !matches!(*status, "filed" | "in_progress" | "completed") {
            continue;
        }
        let project = format!("p{:03}", index + 1);
        let plan = demo_plan(index, *status == "in_progress", today);
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        for t in &plan.tasks {
            tasks.push(json!({
                "key": t.key, "project": project, "branch": branch, "name": t.name, "parent": t.parent, "owner": t.owner,
                "start": t.start.to_string(), "duration": t.duration, "milestone": t.milestone,
                "actual_start": date(t.actual_start), "actual_finish": date(t.actual_finish), "progress": t.progress,
                "notes": "", "sort": t.sort, "baseline_start": date(t.baseline_start), "baseline_finish": date(t.baseline_finish),
            }));
        }
        for l in &plan.links {
            links.push(json!({ "key": l.key, "project": project, "branch": branch, "from": l.from, "to": l.to, "lag": l.lag }));
        }
    }
    (tasks, links)
}

/// The mentor team: (key, name, kind, expertise, account, branch paired with).
type Mentor = (&'static str, &'static str, &'static str, &'static str, Option<&'static str>, &'static str);

pub const MENTORS: &[Mentor] = &[
    ("m01", "刘建国", "street_leader", "党建工作统筹、项目化管理", Some("liujianguo"), "wenxing"),
    ("m02", "陈芳", "governance_expert", "基层治理、居民议事协商", Some("chenfang"), "wenyuan"),
    ("m03", "赵文明", "street_leader", "组织建设、党员教育", None, "taihe"),
    ("m04", "孙秀英", "secretary", "老旧小区治理、志愿服务", None, "wenying"),
    ("m05", "周立新", "property_expert", "物业服务标准、业委会组建", None, "yuhedong"),
    ("m06", "吴海燕", "secretary", "“两新”组织党建", None, "xinghe"),
    ("m07", "郑国华", "governance_expert", "乡村治理、村规民约", None, "shijiazhai"),
    ("m08", "冯志刚", "street_leader", "集体经济、“三资”管理", None, "shuibosi"),
    ("m09", "黄丽君", "secretary", "产业带头人培育", None, "majiaxiao"),
    ("m10", "何伟", "governance_expert", "纪律作风、村务监督", None, "dongwangzhuang"),
    ("m11", "韩志强", "property_expert", "执法规范、物业纠纷调处", None, "zhifadui"),
];

/// Pairings since March (one earlier pairing of 文源社区 ended in May, kept as history)
/// and a season of sessions, a few branches quiet lately.
pub fn mentor_rows() -> (Vec<Value>, Vec<Value>, Vec<Value>) {
    let mentors = MENTORS
        .iter()
        .map(|(key, name, kind, expertise, account, _)| json!({ "key": key, "name": name, "kind": kind, "expertise": expertise, "account": account }))
        .collect();
    let mut pairings: Vec<Value> = MENTORS
        .iter()
        .enumerate()
        .map(|(i, (mentor, _, _, _, _, branch))| {
            let starts_on = if *branch == "wenyuan" { "2026-06-01" } else { "2026-03-02" };
            json!({ "key": format!("pair{:02}", i + 1), "mentor": mentor, "branch": branch, "starts_on": starts_on, "ends_on": "", "additional": false })
        })
        .collect();
    pairings.push(json!({ "key": "pair00", "mentor": "m03", "branch": "wenyuan", "starts_on": "2026-03-02", "ends_on": "2026-05-29", "additional": true }));
    let forms = ["one_to_one", "hands_on", "face_to_face"];
    let outcomes: [&[&str]; 4] = [&["topic"], &["rule"], &["activity"], &["topic", "activity"]];
    let summaries =
        ["帮助支部确定年度课题，梳理群众最关心的三件事", "指导完善议事协商制度，明确会议流程", "共同设计主题党日活动方案", "现场指导志愿服务积分兑换办法"];
    let mut sessions = Vec::new();
    let mut dice = Dice(2026);
    for (i, (mentor, _, _, _, _, branch)) in MENTORS.iter().enumerate() {
        let project = PROJECTS.iter().position(|p| p.0 == *branch).map(|n| format!("p{:03}", n + 1));
        // Branches 4, 8 and 10 have had no session since September.
        let quiet = [3, 7, 9].contains(&i);
        let months: &[u32] = if quiet { &[9] } else { &[9, 10, 11] };
        for (m, month) in months.iter().enumerate() {
            let day = 3 + dice.roll(18) as u32;
            let date = NaiveDate::from_ymd_opt(2026, *month, day).expect("a date");
            let date = if *month == 11 { date.min(NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date")) } else { date };
            sessions.push(json!({
                "key": format!("s{:02}{}", i + 1, m), "mentor": mentor, "branch": branch, "project": project, "date": date.to_string(),
                "form": forms[(i + m) % 3], "outcomes": outcomes[(i + m) % 4], "summary": summaries[(i + m) % 4],
            }));
        }
    }
    (mentors, pairings, sessions)
}

/// The demo branches' keys and names, for checks.
pub fn branch_keys() -> Vec<&'static str> {
    BRANCHES.iter().map(|b| b.key).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_plan_keeps_the_rules_and_sizes_run_from_5_to_40() {
        let today = parse_date("2026-11-26").unwrap();
        let mut sizes = Vec::new();
        let mut late = 0;
        for (index, p) in PROJECTS.iter().enumerate().filter(|(_, p)| matches!(p.4, "filed" | "in_progress")) {
            let plan = demo_plan(index, p.4 == "in_progress", today);
            let every: Vec<&str> = plan.tasks.iter().map(|t| t.key.as_str()).collect();
            let laid = plan.check(&every, today).unwrap_or_else(|e| panic!("{}: {e:?}", p.1));
            sizes.push(plan.tasks.len());
            if laid.iter().any(|l| l.slack < 0) {
                late += 1;
            }
        }
        assert_eq!(sizes.len(), 30);
        assert!(sizes.iter().all(|n| (5..=40).contains(n)), "{sizes:?}");
        assert!(late >= 3, "some plans are late");
    }

    #[test]
    fn the_mentor_team_is_paired_one_to_one_with_the_branches() {
        let (_, pairings, sessions) = mentor_rows();
        let current: Vec<&str> = pairings.iter().filter(|p| p["ends_on"] == "").map(|p| p["branch"].as_str().unwrap()).collect();
        let mut branches = branch_keys();
        let mut paired = current.clone();
        branches.sort();
        paired.sort();
        assert_eq!(paired, branches);
        assert!(sessions.len() > 20);
    }
}
