//! Spreadsheets street staff hand on: the filed-project register (备案登记表) and the
//! district nomination list, as real `.xlsx` workbooks with Chinese headers.

use crate::state::AppState;
use app::domain::org::Role;
use app::domain::projects::{Category, Status, Tier};
use app::domain::volunteers::{ActivityRecord, SignupRecord};
use app::i18n::{category_name, status_name, tier_name, Locale};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
pub struct ExportQuery {
    year: Option<i64>,
}

#[derive(Deserialize)]
struct Row {
    filing_no: Option<String>,
    title: String,
    branch: String,
    category: Category,
    tier: Tier,
    status: Status,
    responsible: String,
    liaison_leader: Option<String>,
    budget_fen: Option<i64>,
    nomination: String,
    starts_on: String,
    ends_on: String,
}

/// Which list to export.
#[derive(Clone, Copy)]
pub enum Sheet {
    Register,
    Nominations,
}

pub async fn register(state: State<AppState>, headers: HeaderMap, query: Query<ExportQuery>) -> Response {
    export(state, headers, query, Sheet::Register).await
}

pub async fn nominations(state: State<AppState>, headers: HeaderMap, query: Query<ExportQuery>) -> Response {
    export(state, headers, query, Sheet::Nominations).await
}

async fn export(State(state): State<AppState>, headers: HeaderMap, Query(query): Query<ExportQuery>, sheet: Sheet) -> Response {
    let user = match export_user(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    if !matches!(user.role, Role::StreetStaff | Role::LiaisonLeader) {
        return (StatusCode::FORBIDDEN, "您没有权限导出").into_response();
    }
    let year = query.year.unwrap_or_else(app::clock::this_year);
    let condition = match sheet {
        Sheet::Register => "status IN ['filed', 'in_progress', 'completed']",
        Sheet::Nominations => "nomination != 'none'",
    };
    let sql = format!(
        "SELECT filing_no, title, branch, category, tier, status, responsible, liaison_leader, budget_fen, nomination, starts_on, ends_on \
         FROM project WHERE year = $year AND {condition} ORDER BY filing_no"
    );
    let rows: Vec<Row> = match app::db::rows(&state.db, &sql, json!({ "year": year }), 0).await {
        Ok(rows) => rows,
        Err(error) => {
            tracing::error!(%error, "export query failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let names = |rows: Vec<Named>| rows.into_iter().map(|r| (r.key, r.name)).collect::<std::collections::HashMap<_, _>>();
    let branches = match read(&state, "SELECT record::id(id) AS key, name FROM branch", json!({})).await {
        Ok(rows) => names(rows),
        Err(response) => return response,
    };
    let people = match read(&state, "SELECT record::id(id) AS key, display_name AS name FROM account", json!({})).await {
        Ok(rows) => names(rows),
        Err(response) => return response,
    };
    let file = match sheet {
        Sheet::Register => format!("register-{year}.xlsx"),
        Sheet::Nominations => format!("nominations-{year}.xlsx"),
    };
    xlsx_response(workbook(sheet, year, &rows, &branches, &people), &file)
}

/// The header row of each sheet.
pub fn headers(sheet: Sheet) -> &'static [&'static str] {
    match sheet {
        Sheet::Register => &["备案号", "项目名称", "党组织", "项目类型", "项目层级", "状态", "责任人", "包联领导", "项目经费（元）", "开始日期", "结束日期"],
        Sheet::Nominations => &["备案号", "项目名称", "党组织", "项目类型", "项目层级", "推荐结果", "责任人", "包联领导", "项目经费（元）"],
    }
}

fn workbook(
    sheet: Sheet,
    year: i64,
    rows: &[Row],
    branches: &std::collections::HashMap<String, String>,
    people: &std::collections::HashMap<String, String>,
) -> Result<Vec<u8>, XlsxError> {
    let l = Locale::ZhCn;
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(match sheet {
        Sheet::Register => format!("{year}年备案登记表"),
        Sheet::Nominations => format!("{year}年区级示范推荐"),
    })?;
    let bold = Format::new().set_bold();
    for (c, h) in headers(sheet).iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, if c == 1 || c == 2 { 24 } else { 12 })?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let mut cells = vec![
            r.filing_no.clone().unwrap_or_default(),
            r.title.clone(),
            branches.get(&r.branch).cloned().unwrap_or_else(|| r.branch.clone()),
            category_name(l, r.category).to_string(),
            tier_name(l, r.tier).to_string(),
        ];
        match sheet {
            Sheet::Register => cells.push(status_name(l, r.status).to_string()),
            Sheet::Nominations => cells.push(
                match r.nomination.as_str() {
                    "selected" => "已入选",
                    "not_selected" => "未入选",
                    _ => "已推荐",
                }
                .to_string(),
            ),
        }
        cells.push(r.responsible.clone());
        cells.push(r.liaison_leader.as_ref().and_then(|k| people.get(k)).cloned().unwrap_or_default());
        for (c, text) in cells.iter().enumerate() {
            ws.write_string(row, c as u16, text)?;
        }
        let c = cells.len() as u16;
        if let Some(fen) = r.budget_fen {
            ws.write_number(row, c, fen as f64 / 100.0)?;
        }
        if let Sheet::Register = sheet {
            ws.write_string(row, c + 1, &r.starts_on)?;
            ws.write_string(row, c + 2, &r.ends_on)?;
        }
    }
    book.save_to_buffer()
}

/// The signed-in person asking for an export, or the answer to give instead.
async fn export_user(state: &AppState, headers: &HeaderMap) -> Result<app::auth::SessionUser, Response> {
    crate::signed_in::SignedIn::from_headers(state, headers).await.map(|signed_in| signed_in.user)
}

fn xlsx_response(bytes: Result<Vec<u8>, XlsxError>, file: &str) -> Response {
    match bytes {
        Ok(bytes) => {
            let mut response = bytes.into_response();
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            response
        }
        Err(error) => {
            tracing::error!(%error, "could not write the workbook");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The header row of a plan export.
pub const PLAN_HEADERS: &[&str] = &[
    "序号",
    "任务",
    "上级任务",
    "负责人",
    "开始日期",
    "结束日期",
    "工期（工作日）",
    "总时差（工作日）",
    "关键路径",
    "进度（%）",
    "实际开始",
    "实际完成",
    "基线开始",
    "基线完成",
    "前置任务",
    "备注",
];

/// `GET /api/export/gantt/<project>.xlsx`: a project's plan with its schedule.
pub async fn gantt(State(state): State<AppState>, headers: HeaderMap, axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let user = match export_user(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let project = file.trim_end_matches(".xlsx").to_string();
    let found = match read::<PlanOf>(&state, "SELECT title, branch FROM ONLY type::record('project', $key)", json!({ "key": project })).await {
        Ok(found) => found.into_iter().next(),
        Err(response) => return response,
    };
    let Some(found) = found else { return (StatusCode::NOT_FOUND, "项目不存在").into_response() };
    if user.role.is_branch_staff() && user.branch.as_deref() != Some(found.branch.as_str()) {
        return (StatusCode::FORBIDDEN, "您没有权限导出").into_response();
    }
    let plan = match app::gantt::store::calendar(&state.db).await {
        Ok(calendar) => app::gantt::store::plan(&state.db, &project, calendar).await,
        Err(e) => Err(e),
    };
    let Ok(plan) = plan else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    xlsx_response(plan_workbook(&found.title, &plan, app::clock::today()), &format!("plan-{project}.xlsx"))
}

pub fn plan_workbook(title: &str, plan: &app::domain::gantt::Plan, today: chrono::NaiveDate) -> Result<Vec<u8>, XlsxError> {
    let laid: std::collections::HashMap<String, app::domain::gantt::Laid> =
        plan.lay_out(today).unwrap_or_default().into_iter().map(|l| (l.key.clone(), l)).collect();
    let name = |key: &str| plan.tasks.iter().find(|t| t.key == key).map(|t| t.name.clone()).unwrap_or_default();
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    // Sheet names are at most 31 characters.
    ws.set_name(title.chars().take(28).collect::<String>() + "计划")?;
    let bold = Format::new().set_bold();
    for (c, h) in PLAN_HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, if c == 1 || c == 14 { 24 } else { 12 })?;
    }
    for (i, (depth, task)) in plan.ordered().into_iter().enumerate() {
        let row = i as u32 + 1;
        let l = laid.get(&task.key);
        let predecessors: Vec<String> = plan.links.iter().filter(|k| k.to == task.key).map(|k| name(&k.from)).collect();
        ws.write_number(row, 0, (i + 1) as f64)?;
        ws.write_string(row, 1, format!("{}{}", "  ".repeat(depth), task.name))?;
        ws.write_string(row, 2, task.parent.as_deref().map(name).unwrap_or_default())?;
        ws.write_string(row, 3, &task.owner)?;
        ws.write_string(row, 4, date(l.map(|l| l.start)))?;
        ws.write_string(row, 5, date(l.map(|l| l.finish)))?;
        ws.write_number(row, 6, task.duration as f64)?;
        if let Some(l) = l {
            ws.write_number(row, 7, l.slack as f64)?;
            ws.write_string(row, 8, if l.critical { "是" } else { "否" })?;
        }
        ws.write_number(row, 9, task.progress as f64)?;
        ws.write_string(row, 10, date(task.actual_start))?;
        ws.write_string(row, 11, date(task.actual_finish))?;
        ws.write_string(row, 12, date(task.baseline_start))?;
        ws.write_string(row, 13, date(task.baseline_finish))?;
        ws.write_string(row, 14, predecessors.join("、"))?;
        ws.write_string(row, 15, &task.notes)?;
    }
    book.save_to_buffer()
}

pub const MENTORING_HEADERS: &[&str] = &["日期", "导师", "导师类别", "党组织", "服务项目", "辅导形式", "辅导成果", "辅导内容"];

/// `GET /api/export/mentoring.xlsx`: the mentoring log (branch staff: their branch's).
pub async fn mentoring(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let user = match export_user(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let only = if user.role.is_branch_staff() { user.branch.clone() } else { None };
    let only_branch = if only.is_some() { "WHERE branch = $branch" } else { "" };
    let sql = format!(
        "SELECT date, summary, form, outcomes, \
               (SELECT VALUE name FROM ONLY type::record('mentor', $parent.mentor)) AS mentor_name, \
               (SELECT VALUE kind FROM ONLY type::record('mentor', $parent.mentor)) AS kind, \
               (SELECT VALUE name FROM ONLY type::record('branch', $parent.branch)) AS branch_name, \
               (IF project THEN (SELECT VALUE title FROM ONLY type::record('project', $parent.project)) ELSE '' END) AS project_title \
               FROM mentor_session {only_branch} ORDER BY date DESC"
    );
    let rows: Vec<SessionLine> = match app::db::rows(&state.db, &sql, json!({ "branch": only }), 0).await {
        Ok(rows) => rows,
        Err(error) => {
            tracing::error!(%error, "mentoring export failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    xlsx_response(mentoring_workbook(&rows), "mentoring-log.xlsx")
}

/// A mentoring session as its sheet lists it, names looked up.
#[derive(Deserialize)]
struct SessionLine {
    date: String,
    summary: String,
    form: String,
    #[serde(default)]
    outcomes: Vec<String>,
    #[serde(default)]
    mentor_name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    branch_name: String,
    #[serde(default)]
    project_title: String,
}

/// A record's key and name.
#[derive(Deserialize)]
struct Named {
    key: String,
    name: String,
}

/// The project a plan belongs to: its title, and whose it is.
#[derive(Deserialize)]
struct PlanOf {
    title: String,
    branch: String,
}

fn mentoring_workbook(rows: &[SessionLine]) -> Result<Vec<u8>, XlsxError> {
    use app::i18n::{mentor_kind_name, outcome_name, session_form_name};
    let l = Locale::ZhCn;
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("导师帮带辅导记录")?;
    let bold = Format::new().set_bold();
    for (c, h) in MENTORING_HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, if c >= 4 { 24 } else { 12 })?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let outcomes: Vec<&str> = r.outcomes.iter().map(|c| outcome_name(l, c)).collect();
        let cells = [
            r.date.clone(),
            r.mentor_name.clone(),
            mentor_kind_name(l, &r.kind).to_string(),
            r.branch_name.clone(),
            r.project_title.clone(),
            session_form_name(l, &r.form).to_string(),
            outcomes.join("、"),
            r.summary.clone(),
        ];
        for (c, value) in cells.iter().enumerate() {
            ws.write_string(row, c as u16, value)?;
        }
    }
    book.save_to_buffer()
}

/// Who may export a branch's volunteers: its staff, and street staff.
fn may_export_volunteers(user: &app::auth::SessionUser, branch: &str) -> bool {
    user.role == Role::StreetStaff || (user.role.is_branch_staff() && user.branch.as_deref() == Some(branch))
}

/// An activity's sign-ups as its roster shows them (`app::volunteers::queries::build`),
/// each a line of the sheet.
fn volunteer_rows(state: &AppState, user: &app::auth::SessionUser, activity: &ActivityRecord, signups: &[SignupRecord]) -> Vec<[String; 6]> {
    use app::domain::time::local_from_ms;
    use app::domain::volunteers::hours_text;
    let Some(parsed) = activity.activity() else { return vec![] };
    let time = |ms: Option<i64>| ms.map(|ms| local_from_ms(ms).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default();
    // Names open for the branch's own staff; street staff's sheets carry them masked.
    let open = |sealed: &str| state.pii.open(sealed).filter(|_| user.role.is_branch_staff());
    app::volunteers::build::people(&parsed, signups, &open, app::db::now_ms())
        .into_iter()
        .map(|p| {
            let place = match p.place.as_str() {
                "walk_in" => "现场登记".to_string(),
                "cancelled" => "已取消".to_string(),
                "waiting" => format!("候补第{}位", p.position),
                _ => "已确认".to_string(),
            };
            [p.name, p.phone_mask, place, time(p.checked_in_at), time(p.checked_out_at), hours_text(p.minutes)]
        })
        .collect()
}

/// A query an export cannot do without: on a database error the export answers 503,
/// never an empty sheet.
async fn read<T: serde::de::DeserializeOwned>(state: &AppState, sql: &str, vars: Value) -> Result<Vec<T>, Response> {
    app::db::rows(&state.db, sql, vars, 0).await.map_err(|error| {
        tracing::error!(%error, "export query failed");
        StatusCode::SERVICE_UNAVAILABLE.into_response()
    })
}

/// `/api/export/volunteers/<activity>.xlsx`: an activity's sign-up list, phones masked.
/// Every cell is written as a string, so text such as `=1+1` stays text.
pub async fn signups(State(state): State<AppState>, headers: HeaderMap, axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let user = match export_user(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let Some(key) = file.strip_suffix(".xlsx").filter(|k| app::domain::records::valid_key(k)).map(str::to_string) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let activity =
        match read::<ActivityRecord>(&state, "SELECT record::id(id) AS key, * OMIT id FROM ONLY type::record('activity', $key)", json!({ "key": key })).await {
            Ok(found) => found.into_iter().next(),
            Err(response) => return response,
        };
    let Some(activity) = activity else { return StatusCode::NOT_FOUND.into_response() };
    if !may_export_volunteers(&user, &activity.branch) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let signups = match read::<SignupRecord>(
        &state,
        "SELECT record::id(id) AS key, * OMIT id FROM signup WHERE activity = $key ORDER BY signed_at",
        json!({ "key": key }),
    )
    .await
    {
        Ok(signups) => signups,
        Err(response) => return response,
    };
    let rows = volunteer_rows(&state, &user, &activity, &signups);
    let book = (|| -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name("报名名单")?;
        let bold = Format::new().set_bold();
        ws.write_string_with_format(0, 0, &activity.title, &bold)?;
        ws.write_string(0, 1, format!("{} – {}", activity.starts_at, activity.ends_at))?;
        for (c, h) in ["序号", "姓名", "手机（已隐藏）", "状态", "签到", "签退", "服务时长（小时）"].iter().enumerate() {
            ws.write_string_with_format(1, c as u16, *h, &bold)?;
            ws.set_column_width(c as u16, if c == 0 { 6 } else { 16 })?;
        }
        for (i, r) in rows.iter().enumerate() {
            let row = i as u32 + 2;
            ws.write_string(row, 0, (i + 1).to_string())?;
            for (c, value) in r.iter().enumerate() {
                ws.write_string(row, c as u16 + 1, value)?;
            }
        }
        book.save_to_buffer()
    })();
    xlsx_response(book, &format!("signups-{key}.xlsx"))
}

/// `/api/export/hours.xlsx`: the volunteer-hours register of the person's branch (every
/// branch for street staff): each volunteer's activities and hours, phones masked.
pub async fn hours(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let user = match export_user(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    if user.role != Role::StreetStaff && !user.role.is_branch_staff() {
        return StatusCode::FORBIDDEN.into_response();
    }
    let only = if user.role.is_branch_staff() { user.branch.clone() } else { None };
    let filter = if only.is_some() { "WHERE branch = $branch" } else { "" };
    let activities = match read::<ActivityRecord>(
        &state,
        &format!("SELECT record::id(id) AS key, * OMIT id FROM activity {filter} ORDER BY starts_at DESC"),
        json!({ "branch": only }),
    )
    .await
    {
        Ok(activities) => activities,
        Err(response) => return response,
    };
    let keys: Vec<&str> = activities.iter().map(|a| a.key.as_str()).collect();
    let signups = match read::<SignupRecord>(
        &state,
        "SELECT record::id(id) AS key, * OMIT id FROM signup WHERE activity IN $keys ORDER BY signed_at",
        json!({ "keys": keys }),
    )
    .await
    {
        Ok(signups) => signups,
        Err(response) => return response,
    };
    // The page's register, by the same rule: one line per volunteer, every activity.
    let open = |sealed: &str| state.pii.open(sealed).filter(|_| user.role.is_branch_staff());
    let register = app::volunteers::build::register(&activities, &signups, &open, app::db::now_ms());
    let book = (|| -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name("志愿服务时长")?;
        let bold = Format::new().set_bold();
        for (c, h) in ["姓名", "手机（已隐藏）", "参加活动（次）", "服务时长（小时）"].iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
            ws.set_column_width(c as u16, 18)?;
        }
        for (i, line) in register.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, &line.name)?;
            ws.write_string(row, 1, &line.phone_mask)?;
            ws.write_number(row, 2, f64::from(line.activities))?;
            ws.write_number(row, 3, (line.minutes as f64 / 6.0).round() / 10.0)?;
        }
        book.save_to_buffer()
    })();
    xlsx_response(book, "volunteer-hours.xlsx")
}
