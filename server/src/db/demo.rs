//! Demo data from the seed article's world: 水泊寺街道, its 11 branches, and people in
//! every role. Loaded by `make run` when the database is empty, never twice; later
//! capabilities add theirs here.

use super::Db;
use app::domain::org::{BranchKind, Role};
use serde_json::json;

/// Every demo account signs in with this password (it meets the password policy).
pub const DEMO_PASSWORD: &str = "Xianfeng-2026";

pub struct DemoBranch {
    pub key: &'static str,
    pub name: &'static str,
    pub kind: BranchKind,
    pub intro: &'static str,
}

pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub branch: Option<&'static str>,
}

pub const BRANCHES: &[DemoBranch] = &[
    DemoBranch {
        key: "wenxing", name: "文兴社区", kind: BranchKind::Community, intro: "“志愿公社”吸引社会组织和辖区商家共建共享，项目计划已经排到9月底。"
    },
    DemoBranch {
        key: "wenyuan",
        name: "文源社区",
        kind: BranchKind::Community,
        intro: "成立文和园物业服务提升促进会，开通“会长热线”，群众满意率从41.3%升至80%。",
    },
    DemoBranch { key: "taihe", name: "太和社区", kind: BranchKind::Community, intro: "“先锋书房”让党员群众在家门口读书学习。" },
    DemoBranch { key: "wenying", name: "文瀛社区", kind: BranchKind::Community, intro: "" },
    DemoBranch { key: "yuhedong", name: "御河东社区", kind: BranchKind::Community, intro: "" },
    DemoBranch { key: "xinghe", name: "兴和社区", kind: BranchKind::Community, intro: "" },
    DemoBranch {
        key: "shijiazhai", name: "石家寨村", kind: BranchKind::Village, intro: "“银发先锋大课堂”组织老党员讲党课、传家风。"
    },
    DemoBranch { key: "shuibosi", name: "水泊寺村", kind: BranchKind::Village, intro: "" },
    DemoBranch { key: "majiaxiao", name: "马家小村", kind: BranchKind::Village, intro: "" },
    DemoBranch { key: "dongwangzhuang", name: "东王庄村", kind: BranchKind::Village, intro: "" },
    DemoBranch { key: "zhifadui", name: "街道综合执法队党支部", kind: BranchKind::Other, intro: "“法治城管”项目推动执法进社区。" },
];

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount { username: "lizhiguang", display_name: "李之光", role: Role::StreetStaff, branch: None },
    DemoAccount { username: "wangmin", display_name: "王敏", role: Role::StreetStaff, branch: None },
    DemoAccount { username: "lixiurong", display_name: "李秀蓉", role: Role::BranchSecretary, branch: Some("wenxing") },
    DemoAccount { username: "zhangxiaoyan", display_name: "张晓燕", role: Role::CommunityStaff, branch: Some("wenxing") },
    DemoAccount { username: "zhouhong", display_name: "周红", role: Role::BranchSecretary, branch: Some("wenyuan") },
    DemoAccount { username: "guojing", display_name: "郭静", role: Role::BranchSecretary, branch: Some("taihe") },
    DemoAccount { username: "hanlei", display_name: "韩磊", role: Role::BranchSecretary, branch: Some("wenying") },
    DemoAccount { username: "fengli", display_name: "冯莉", role: Role::BranchSecretary, branch: Some("yuhedong") },
    DemoAccount { username: "yangfan", display_name: "杨帆", role: Role::BranchSecretary, branch: Some("xinghe") },
    DemoAccount { username: "shiguoqiang", display_name: "石国强", role: Role::BranchSecretary, branch: Some("shijiazhai") },
    DemoAccount { username: "gaojianjun", display_name: "高建军", role: Role::BranchSecretary, branch: Some("shuibosi") },
    DemoAccount { username: "majun", display_name: "马军", role: Role::BranchSecretary, branch: Some("majiaxiao") },
    DemoAccount { username: "wangyong", display_name: "王勇", role: Role::BranchSecretary, branch: Some("dongwangzhuang") },
    DemoAccount { username: "zhaopeng", display_name: "赵鹏", role: Role::BranchSecretary, branch: Some("zhifadui") },
    DemoAccount { username: "liujianguo", display_name: "刘建国", role: Role::Mentor, branch: None },
    DemoAccount { username: "chenfang", display_name: "陈芳", role: Role::Mentor, branch: None },
    DemoAccount { username: "wanghaitao", display_name: "王海涛", role: Role::LiaisonLeader, branch: None },
    DemoAccount { username: "sunli", display_name: "孙丽", role: Role::LiaisonLeader, branch: None },
];

/// The reference catalog: (title, category, principles, description).
pub const CATALOG: &[(&str, &str, &[&str], &str)] = &[
    ("党群服务中心提质增效", "livelihood", &["hotspot", "focus"], "延长服务时间，整合政务、养老、托育等服务进中心。"),
    ("志愿服务积分兑换", "livelihood", &["hotspot", "highlight"], "以志愿时长兑换生活用品和服务，激发居民参与。"),
    ("红色物业联建", "livelihood", &["difficulty", "focus"], "社区党组织牵头，物业、业委会、居民协商共治。"),
    ("党员读书班", "education", &["focus"], "每月一次集中学习，书记讲党课，党员谈体会。"),
    ("老党员讲党史", "education", &["highlight", "blind_spot"], "组织老党员进学校、进小区讲述亲身经历。"),
    ("党员积分制管理", "member_management", &["focus", "difficulty"], "为党员参加组织生活、志愿服务等计分，季度公示。"),
    ("流动党员联系卡", "member_management", &["blind_spot"], "为外出务工党员建立联系卡，线上参加组织生活。"),
    ("清廉村居建设", "discipline", &["focus", "difficulty"], "村务监督委员会与党员代表共同监督“三资”管理。"),
    ("作风建设随手拍", "discipline", &["hotspot"], "群众随手拍、随时报，问题限时办结。"),
    ("“三会一课”规范化", "standards", &["focus", "blind_spot"], "统一台账格式，记录规范、材料齐全。"),
    ("村务公开标准化", "standards", &["hotspot", "focus"], "公开栏、微信群同步公开，群众扫码查看。"),
];

/// A demo project: (branch, title, category, tier, status, nomination, principles).
type DemoProject = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static [&'static str]);

/// Thirty filed projects over the 11 branches (one key project each), five of them
/// nominated to the district, and a few still on their way.
pub const PROJECTS: &[DemoProject] = &[
    ("wenxing", "志愿公社", "livelihood", "key", "in_progress", "nominated", &["hotspot", "highlight"]),
    ("wenyuan", "文和园物业服务提升促进会", "livelihood", "key", "in_progress", "nominated", &["difficulty", "highlight"]),
    ("taihe", "先锋书房", "education", "key", "filed", "nominated", &["highlight", "focus"]),
    ("shijiazhai", "银发先锋大课堂", "education", "key", "filed", "nominated", &["highlight", "blind_spot"]),
    ("zhifadui", "法治城管", "standards", "key", "in_progress", "nominated", &["hotspot", "difficulty"]),
    ("wenying", "红色物业联建", "livelihood", "key", "filed", "none", &["difficulty"]),
    ("yuhedong", "在职党员进社区", "member_management", "key", "filed", "none", &["focus", "blind_spot"]),
    ("xinghe", "“两新”组织综合党委", "member_management", "key", "filed", "none", &["blind_spot"]),
    ("shuibosi", "党员积分制管理", "member_management", "key", "filed", "none", &["focus"]),
    ("majiaxiao", "村务公开标准化", "standards", "key", "filed", "none", &["hotspot"]),
    ("dongwangzhuang", "清廉村居建设", "discipline", "key", "filed", "none", &["focus", "difficulty"]),
    ("wenxing", "急难险重应急队", "livelihood", "general", "filed", "none", &["hotspot"]),
    ("wenxing", "青年团员突击队", "member_management", "micro", "filed", "none", &["highlight"]),
    ("wenxing", "银发志愿奉献队", "livelihood", "micro", "filed", "none", &["blind_spot"]),
    ("wenyuan", "“会长热线”", "livelihood", "general", "in_progress", "none", &["hotspot"]),
    ("wenyuan", "12345工单回访", "discipline", "micro", "filed", "none", &["hotspot"]),
    ("taihe", "党员读书班", "education", "general", "filed", "none", &["focus"]),
    ("taihe", "“三会一课”规范化", "standards", "micro", "filed", "none", &["blind_spot"]),
    ("wenying", "楼栋党小组", "member_management", "general", "filed", "none", &["blind_spot"]),
    ("yuhedong", "老旧小区加装电梯协商", "livelihood", "general", "filed", "none", &["difficulty"]),
    ("xinghe", "商户共建联盟", "livelihood", "micro", "filed", "none", &["highlight"]),
    ("shijiazhai", "流动党员联系卡", "member_management", "general", "filed", "none", &["blind_spot"]),
    ("shijiazhai", "村规民约宣讲", "education", "micro", "filed", "none", &["focus"]),
    ("shuibosi", "作风建设随手拍", "discipline", "general", "filed", "none", &["hotspot"]),
    ("shuibosi", "人居环境整治党员示范岗", "livelihood", "micro", "filed", "none", &["hotspot"]),
    ("majiaxiao", "产业带头人培育", "livelihood", "general", "filed", "none", &["difficulty"]),
    ("dongwangzhuang", "老党员讲党史", "education", "general", "filed", "none", &["highlight"]),
    ("dongwangzhuang", "“三资”公开日", "discipline", "micro", "filed", "none", &["focus"]),
    ("zhifadui", "执法进社区", "standards", "general", "filed", "none", &["hotspot"]),
    ("zhifadui", "文明执法标兵评选", "discipline", "micro", "filed", "none", &["highlight"]),
    ("taihe", "社区微心愿", "livelihood", "micro", "draft", "none", &["hotspot"]),
    ("xinghe", "快递小哥暖心驿站", "livelihood", "general", "returned", "none", &["blind_spot"]),
    ("yuhedong", "党员先锋岗", "member_management", "micro", "submitted", "none", &["focus"]),
    ("wenying", "垃圾分类督导", "livelihood", "micro", "in_review", "none", &["hotspot"]),
];

/// Loads the demo world if the database holds no street yet. Returns whether it did.
pub async fn load_if_empty(db: &Db) -> Result<bool, Box<dyn std::error::Error + Send + Sync>> {
    let streets: Vec<serde_json::Value> = app::db::rows(db, "SELECT id FROM street LIMIT 1", json!({}), 0).await?;
    if !streets.is_empty() {
        return Ok(false);
    }
    let mut accounts = Vec::with_capacity(ACCOUNTS.len());
    for a in ACCOUNTS {
        let hash = app::auth::store::hash_password(DEMO_PASSWORD.to_string()).await.map_err(|e| e.to_string())?;
        accounts.push(json!({
            "key": a.username, "username": a.username, "display_name": a.display_name,
            "role": a.role.code(), "branch": a.branch, "password_hash": hash,
        }));
    }
    let branches: Vec<_> =
        BRANCHES.iter().enumerate().map(|(sort, b)| json!({ "key": b.key, "name": b.name, "kind": b.kind.code(), "intro": b.intro, "sort": sort })).collect();
    let catalog: Vec<_> = CATALOG
        .iter()
        .enumerate()
        .map(|(i, (title, category, principles, description))| {
            json!({ "key": format!("c{:02}", i + 1), "title": title, "category": category, "principles": principles,
                    "description": description, "goals": "", "indicators": [
                        { "name": "参与人数", "weight": 40 }, { "name": "群众满意率", "weight": 60 } ] })
        })
        .collect();
    let projects = demo_projects();
    let (tasks, links) = super::demo_plans::plan_rows(app::clock::today());
    let (mentors, pairings, sessions) = super::demo_plans::mentor_rows();
    let residents = super::demo_residents::resident_rows(&crate::pii::Pii::from_env(), app::clock::today());
    // Photos first (each its own transaction, kept by hash): the brands refer to them.
    let started = std::time::Instant::now();
    let photos = tokio::task::spawn_blocking(super::demo_photos::demo_photos).await.map_err(|e| e.to_string())?;
    tracing::info!(ms = started.elapsed().as_millis() as u64, "demo photos drawn and processed");
    let mut brands = residents.brands;
    for (branch, list) in photos {
        for (hash, photo) in list {
            crate::photos::store(db, hash, photo, "demo").await?;
        }
        if let Some(brand) = brands.iter_mut().find(|b| b["key"].as_str() == Some(branch.as_str())) {
            brand["photos"] = json!(list.iter().map(|(hash, _)| hash).collect::<Vec<_>>());
        }
    }
    let calendar: Vec<_> = super::demo_plans::CALENDAR_2026.iter().map(|(day, kind, name)| json!({ "key": day, "kind": kind, "name": name })).collect();
    // One transaction: a half-loaded demo can never be mistaken for a loaded one.
    db.query(
        "BEGIN TRANSACTION;
         CREATE street:shuibosi SET name = '水泊寺街道党工委';
         FOR $b IN $branches {
             CREATE type::record('branch', $b.key) SET name = $b.name, kind = $b.kind, intro = $b.intro, sort = $b.sort;
         };
         FOR $a IN $accounts {
             CREATE type::record('account', $a.key) SET username = $a.username, display_name = $a.display_name,
                 role = $a.role, branch = $a.branch ?? NONE, password_hash = $a.password_hash;
         };
         FOR $c IN $catalog { CREATE type::record('catalog_entry', $c.key) CONTENT object::remove($c, 'key'); };
         -- Room for more district nominations than the article's five.
         UPSERT type::record('street_year', '2026') SET nomination_quota = 8;
         FOR $p IN $projects { CREATE type::record('project', $p.key) CONTENT object::remove($p, 'key'); };
         FOR $d IN $calendar { CREATE type::record('calendar_day', $d.key) CONTENT object::remove($d, 'key'); };
         FOR $t IN $tasks { CREATE type::record('gantt_task', $t.key) CONTENT object::remove($t, 'key'); };
         FOR $l IN $links { CREATE type::record('gantt_link', $l.key) CONTENT object::remove($l, 'key'); };
         FOR $m IN $mentors { CREATE type::record('mentor', $m.key) CONTENT object::remove($m, 'key'); };
         FOR $p IN $pairings { CREATE type::record('mentor_pairing', $p.key) CONTENT object::remove($p, 'key'); };
         FOR $s IN $sessions { CREATE type::record('mentor_session', $s.key) CONTENT object::remove($s, 'key'); };
         FOR $b IN $brands { CREATE type::record('brand', $b.key) CONTENT object::remove($b, 'key'); };
         FOR $t IN $teams { CREATE type::record('volunteer_team', $t.key) CONTENT object::remove($t, 'key'); };
         FOR $a IN $activities { CREATE type::record('activity', $a.key) CONTENT object::remove($a, 'key'); };
         FOR $s IN $signups { CREATE type::record('signup', $s.key) CONTENT object::remove($s, 'key'); };
         COMMIT TRANSACTION;",
    )
    .bind(json!({
        "branches": branches, "accounts": accounts, "catalog": catalog, "projects": projects, "calendar": calendar,
        "tasks": tasks, "links": links, "mentors": mentors, "pairings": pairings, "sessions": sessions,
        "brands": brands, "teams": residents.teams, "activities": residents.activities, "signups": residents.signups,
    }))
    .await?
    .check()?;
    Ok(true)
}

/// The lines printed at start so that people can sign in.
pub fn accounts_banner() -> String {
    let mut out = format!("Demo accounts (password for all: {DEMO_PASSWORD}):\n");
    for a in ACCOUNTS {
        let branch = a.branch.and_then(|k| BRANCHES.iter().find(|b| b.key == k)).map(|b| b.name).unwrap_or("水泊寺街道");
        out.push_str(&format!("  {:<16} {:<6} {:<18} {}\n", a.username, a.display_name, a.role.code(), branch));
    }
    out
}

fn demo_projects() -> Vec<serde_json::Value> {
    let secretary = |branch: &str| ACCOUNTS.iter().find(|a| a.branch == Some(branch) && a.role == Role::BranchSecretary).map(|a| a.display_name).unwrap_or("");
    // 2026-03-01 08:00 Beijing time: when the street filed the first batch.
    let filed_base: i64 = 1_772_323_200_000;
    let mut filed = 0;
    PROJECTS
        .iter()
        .enumerate()
        .map(|(i, (branch, title, category, tier, status, nomination, principles))| -> serde_json::Value {
            let is_filed = matches!(*status, "filed" | "in_progress" | "completed");
            let complete = *status != "draft";
            if is_filed {
                filed += 1;
            }
            let budget: i64 = match *tier {
                "key" => 5_000_000,
                "general" => 2_000_000,
                _ => 500_000,
            };
            let mut project = json!({
                "key": format!("p{:03}", i + 1),
                "branch": branch, "title": title, "category": category, "tier": tier, "year": 2026,
                "principles": principles,
                "goals": format!("围绕“{title}”，年内形成可复制、可推广的工作机制。"),
                "starts_on": "2026-03-01", "ends_on": "2026-09-30",
                "liaison_leader": if i % 2 == 0 { "wanghaitao" } else { "sunli" },
                "responsible": secretary(branch),
                "budget_fen": if complete { Some(budget) } else { None },
                "budget_source": if complete { "街道党建工作经费" } else { "" },
                "team": if complete { vec![secretary(branch), "社区网格员", "党员志愿者"] } else { vec![] },
                "indicators": [ { "name": "活动开展次数", "weight": 40 }, { "name": "群众满意率", "weight": 60 } ],
                "status": status,
                "return_reason": if *status == "returned" { "请补充工作队伍名单和经费测算依据" } else { "" },
                "filing_no": if is_filed { Some(app::domain::projects::filing_number(2026, filed)) } else { None },
                "filed_at": if is_filed { Some(filed_base + filed as i64 * 86_400_000) } else { None },
                "nomination": nomination,
                "created_at": filed_base - 7 * 86_400_000,
                "updated_at": filed_base,
            });
            // Unset fields stay NONE in the database rather than NULL.
            if let Some(map) = project.as_object_mut() {
                map.retain(|_, v| !v.is_null());
            }
            project
        })
        .collect()
}
