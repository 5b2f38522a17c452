//! Spreadsheets street staff hand on: the filed-project register (备案登记表) and the
//! district nomination list, as real `.xlsx` workbooks with Chinese headers.

use crate::state::AppState;
use app::auth::store::{resolve_session, token_from_headers};
use app::domain::org::Role;
use app::domain::projects::{Category, Status, Tier};
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
    let user = match token_from_headers(&headers) {
        Some(token) => resolve_session(&state.db, &token).await.ok().flatten(),
        None => None,
    };
    let Some(user) = user else { return (StatusCode::UNAUTHORIZED, "请先登录").into_response() };
    if !matches!(user.role, Role::StreetStaff | Role::LiaisonLeader) {
        return (StatusCode::FORBIDDEN, "您没有权限导出").into_response();
    }
    let year = query.year.unwrap_or_else(app::projects::this_year);
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
    let names = |sql: &str| {
        let db = state.db.clone();
        let sql = sql.to_string();
        async move {
            app::db::rows::<Value>(&db, &sql, json!({}), 0)
                .await
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| Some((r["key"].as_str()?.to_string(), r["name"].as_str()?.to_string())))
                .collect::<std::collections::HashMap<_, _>>()
        }
    };
    let branches = names("SELECT record::id(id) AS key, name FROM branch").await;
    let people = names("SELECT record::id(id) AS key, display_name AS name FROM account").await;
    match workbook(sheet, year, &rows, &branches, &people) {
        Ok(bytes) => {
            let file = match sheet {
                Sheet::Register => format!("register-{year}.xlsx"),
                Sheet::Nominations => format!("nominations-{year}.xlsx"),
            };
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
            Sheet::Nominations => cells.push(match r.nomination.as_str() { "selected" => "已入选", "not_selected" => "未入选", _ => "已推荐" }.to_string()),
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
