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
    DemoBranch { key: "wenxing", name: "文兴社区", kind: BranchKind::Community, intro: "“志愿公社”吸引社会组织和辖区商家共建共享，项目计划已经排到9月底。" },
    DemoBranch { key: "wenyuan", name: "文源社区", kind: BranchKind::Community, intro: "成立文和园物业服务提升促进会，开通“会长热线”，群众满意率从41.3%升至80%。" },
    DemoBranch { key: "taihe", name: "太和社区", kind: BranchKind::Community, intro: "“先锋书房”让党员群众在家门口读书学习。" },
    DemoBranch { key: "wenying", name: "文瀛社区", kind: BranchKind::Community, intro: "" },
    DemoBranch { key: "yuhedong", name: "御河东社区", kind: BranchKind::Community, intro: "" },
    DemoBranch { key: "xinghe", name: "兴和社区", kind: BranchKind::Community, intro: "" },
    DemoBranch { key: "shijiazhai", name: "石家寨村", kind: BranchKind::Village, intro: "“银发先锋大课堂”组织老党员讲党课、传家风。" },
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
    let branches: Vec<_> = BRANCHES
        .iter()
        .enumerate()
        .map(|(sort, b)| json!({ "key": b.key, "name": b.name, "kind": b.kind.code(), "intro": b.intro, "sort": sort }))
        .collect();
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
         COMMIT TRANSACTION;",
    )
    .bind(json!({ "branches": branches, "accounts": accounts }))
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
