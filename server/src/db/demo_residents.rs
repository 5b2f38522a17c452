//! Demo data for residents: a brand page for each branch, 文兴社区's volunteer commune
//! (志愿公社) with the article's four teams, a summer of activities with sign-ups and
//! hours, a few coming up, and 文源社区's 12345 series. Names and phones are sealed like
//! any resident's.
#![allow(clippy::expect_used, reason = "demo data is drawn from constants: a failure is a bug in them, seen at the first start")]

use crate::pii::Pii;
use app::domain::time::{ms_from_local, parse_local};
use app::domain::volunteers::{mask_name, mask_phone};
use chrono::{Datelike, NaiveDate, TimeDelta};
use serde_json::{json, Value};

/// (branch, brand name, slogan, story).
pub const BRANDS: &[(&str, &str, &str, &str)] = &[
    ("wenxing", "志愿公社", "社区有事大家办，邻里有难大家帮", "文兴社区党委牵头成立“志愿公社”，吸引社会组织和辖区商家共建共享。\n急难险重应急队、青年团员突击队、银发志愿奉献队、党员特战队四支队伍常态化开展服务，居民扫码就能报名参加。"),
    ("wenyuan", "文和园物业服务提升促进会", "党建引领物业，服务提升民心", "文源社区党委组建文和园物业服务提升促进会，开通“会长热线”，每月召开联席会，把群众的烦心事一件件办好。\n一年来，小区12345工单明显下降，群众满意率从41.3%升至80%。"),
    ("taihe", "先锋书房", "家门口的读书角，党员群众的加油站", "太和社区把闲置用房改造为“先锋书房”，党员读书班、亲子阅读、老年读报会轮流开展。"),
    ("wenying", "红色物业联建", "红色引擎，物业同心", "文瀛社区推动物业企业党建联建，楼栋党小组参与小区治理。"),
    ("yuhedong", "在职党员进社区", "八小时外，党员在身边", "御河东社区组织在职党员到社区报到，认领服务岗位。"),
    ("xinghe", "两新先锋", "小个专党建，暖心在身边", "兴和社区“两新”组织综合党委联系辖区商户和快递小哥，建设暖心驿站。"),
    ("shijiazhai", "银发先锋大课堂", "老党员讲党课，好家风代代传", "石家寨村组织老党员讲党史、传家风，宣讲村规民约。"),
    ("shuibosi", "党员积分制管理", "积分看表现，先锋树标杆", "水泊寺村为党员参加组织生活、志愿服务计分并季度公示。"),
    ("majiaxiao", "村务公开标准化", "村务明明白白，群众清清楚楚", "马家小村推行村务公开标准化，培育产业带头人。"),
    ("dongwangzhuang", "清廉村居", "清风正气润村居", "东王庄村建设清廉村居，“三资”公开日让群众看得明白。"),
    ("zhifadui", "法治城管", "执法有温度，服务零距离", "街道综合执法队党支部推动执法进社区，评选文明执法标兵。"),
];

/// The article's four teams of 文兴社区's commune: (key, name, leader).
pub const TEAMS: &[(&str, &str, &str)] = &[
    ("t_emergency", "急难险重应急队", "赵强"),
    ("t_youth", "青年团员突击队", "孙悦"),
    ("t_silver", "银发志愿奉献队", "周桂兰"),
    ("t_party", "党员特战队", "李秀蓉"),
];

const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"];
const GIVEN: &[&str] = &["秀英", "建国", "丽", "伟", "芳", "强", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛"];

/// 12345 work orders per month and the satisfaction rate (%), as 文源社区 reported them.
const SERIES_12345: &[(&str, i64, f64)] =
    &[("3月", 46, 41.3), ("4月", 39, 48.5), ("5月", 33, 55.0), ("6月", 27, 62.4), ("7月", 21, 68.9), ("8月", 16, 74.2), ("9月", 12, 80.0)];

/// The check-in code of the activity running on the day the demo is loaded (`act_today`),
/// which staff would read out on site.
pub const TODAYS_CODE: &str = "246810";

pub struct ResidentRows {
    pub brands: Vec<Value>,
    pub teams: Vec<Value>,
    pub activities: Vec<Value>,
    pub signups: Vec<Value>,
}

pub fn resident_rows(pii: &Pii, today: NaiveDate) -> ResidentRows {
    resident_rows_at(pii, today, app::db::now_ms())
}

/// `now`: when the demo is loaded; an activity starts 20 minutes later, so sign-up and
/// check-in are both open for a while.
pub fn resident_rows_at(pii: &Pii, today: NaiveDate, now: i64) -> ResidentRows {
    let brands = BRANDS
        .iter()
        .map(|(branch, name, slogan, story)| {
            let outcomes: Vec<Value> = if *branch == "wenyuan" {
                SERIES_12345.iter().map(|(label, orders, satisfaction)| json!({ "label": label, "orders": orders, "satisfaction": satisfaction })).collect()
            } else {
                vec![]
            };
            json!({ "key": branch, "name": name, "slogan": slogan, "story": story, "outcomes": outcomes,
                    "join": "扫码报名志愿活动，或到社区党群服务中心登记；商家和社会组织可联系社区申请加入志愿公社。" })
        })
        .collect();
    let teams = TEAMS.iter().map(|(key, name, leader)| json!({ "key": key, "branch": "wenxing", "name": name, "leader": leader, "intro": "" })).collect();
    // A summer of Saturdays (June to August), then three coming up after today.
    let mut activities = Vec::new();
    let titles = [
        ("t_party", "楼道清理与小广告清除", "文兴社区各楼栋", "手套、抹布"),
        ("t_silver", "银发理发义剪", "社区党群服务中心一楼", ""),
        ("t_youth", "暑期“四点半课堂”作业辅导", "先锋书房", "笔"),
        ("t_emergency", "防汛应急演练", "文兴小区中心广场", "雨靴"),
    ];
    // Weekly over the twelve weeks before the demo is loaded: within the 90 days a
    // resident's private link lasts, so the names are still there to see.
    let twelve_weeks_ago = today - TimeDelta::days(84);
    let mut day = twelve_weeks_ago + TimeDelta::days((12 - twelve_weeks_ago.weekday().num_days_from_monday() as i64) % 7);
    let mut n = 0;
    while day < today {
        let (team, title, place, bring) = titles[n % titles.len()];
        activities.push(activity(&format!("act{:02}", n + 1), team, title, place, bring, day, 9, 12, 10));
        n += 1;
        day += TimeDelta::days(7);
    }
    let past = activities.len();
    let next_saturday = today + TimeDelta::days(((12 - today.weekday().num_days_from_monday() as i64) % 7).max(2));
    for (i, (team, title, place, bring)) in titles.iter().take(3).enumerate() {
        let on = next_saturday + TimeDelta::days(7 * i as i64);
        activities.push(activity(&format!("act{:02}", n + 1), team, title, place, bring, on, 9, 11, [6, 12, 20][i]));
        n += 1;
    }
    // Starts in 20 minutes whenever the demo is loaded, so its check-in code works at once:
    // a service with no time of day in its name (a lunch at midnight would mislead).
    let soon = app::domain::time::local_from_ms(now + 20 * 60_000);
    let later = app::domain::time::local_from_ms(now + 280 * 60_000);
    let mut today_activity = activity("act_today", "t_silver", "社区敬老助老志愿服务", "社区老年活动室", "工作证", soon.date(), 0, 0, 4);
    today_activity["starts_at"] = json!(soon.format("%Y-%m-%dT%H:%M").to_string());
    today_activity["ends_at"] = json!(later.format("%Y-%m-%dT%H:%M").to_string());
    today_activity["checkin_code"] = json!(TODAYS_CODE);
    activities.push(today_activity);
    // Sign-ups: most places taken in summer, checked in and out; the coming ones half full.
    let mut signups = Vec::new();
    let mut person = 0usize;
    for (i, a) in activities.iter().enumerate() {
        let capacity = a["capacity"].as_u64().unwrap_or(0) as usize;
        let count = if i < past {
            capacity - (i % 3)
        } else if a["key"] == "act_today" {
            1
        } else {
            capacity / 2
        };
        let starts = ms_from_local(parse_local(a["starts_at"].as_str().unwrap_or_default()).expect("a demo time"));
        for j in 0..count {
            person += 1;
            let name = format!("{}{}", SURNAMES[person % SURNAMES.len()], GIVEN[(person / SURNAMES.len() + j) % GIVEN.len()]);
            let phone = format!("139{:08}", 10_000_000 + person * 7_919 % 90_000_000);
            // Sign-ups are made before the demo is loaded, whenever the activity is.
            let signed_at = (starts - 3 * 86_400_000).min(now - 86_400_000) + j as i64 * 600_000;
            let mut row = json!({
                "key": format!("s{:04}", signups.len() + 1), "activity": a["key"], "branch": "wenxing",
                "name_cipher": pii.seal(&name), "name_mask": mask_name(&name),
                "phone_cipher": pii.seal(&phone), "phone_hash": pii.keyed_hash("phone", &phone), "phone_mask": mask_phone(&phone),
                "consent": true, "active": true, "signed_at": signed_at,
            });
            if i < past {
                // Checked in around the start; a few forgot to check out.
                row["checked_in_at"] = json!(starts - 10 * 60_000 + (j as i64 % 5) * 60_000);
                if j % 6 != 5 {
                    row["checked_out_at"] = json!(starts + 150 * 60_000 + (j as i64 % 4) * 5 * 60_000);
                }
            }
            signups.push(row);
        }
    }
    ResidentRows { brands, teams, activities, signups }
}

#[allow(clippy::too_many_arguments)]
fn activity(key: &str, team: &str, title: &str, place: &str, bring: &str, day: NaiveDate, from: u32, to: u32, capacity: u32) -> Value {
    let at = |hour: u32| format!("{}T{hour:02}:00", day.format("%Y-%m-%d"));
    // A code people cannot guess from the key, fixed for the demo.
    let code = format!("{:06}", (key.bytes().fold(7u64, |h, b| h.wrapping_mul(131).wrapping_add(b as u64))) % 1_000_000);
    json!({
        "key": key, "branch": "wenxing", "team": team, "title": title, "place": place, "bring": bring,
        "notice": format!("{title}，欢迎居民朋友报名参加。请提前10分钟到场签到。"),
        "starts_at": at(from), "ends_at": at(to), "capacity": capacity, "checkin_code": code, "cancelled": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_has_a_summer_and_coming_activities_without_a_phone_in_the_clear() {
        let pii = Pii::new([3u8; 32]);
        let rows = resident_rows(&pii, NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
        assert_eq!(rows.brands.len(), 11);
        assert!(rows.activities.len() >= 12 + 3, "{}", rows.activities.len());
        let text = serde_json::to_string(&rows.signups).unwrap();
        for signup in &rows.signups {
            let phone = pii.open(signup["phone_cipher"].as_str().unwrap()).unwrap();
            let name = pii.open(signup["name_cipher"].as_str().unwrap()).unwrap();
            assert_eq!(phone.len(), 11);
            assert!(!text.contains(&phone) && !text.contains(&name), "{name} or {phone} in the clear");
        }
        assert!(rows.signups.iter().any(|s| s["checked_out_at"].is_null() && !s["checked_in_at"].is_null()));
    }
}
