//! Projects through the one write path: "1+N", "1+5", the lifecycle, nominations.

mod common;
use app::domain::ops::{OpKind, OpStatus, Operation};
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn fields(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn create(key: &str, branch: &str, tier: &str, extra: &[(&str, Value)]) -> Operation {
    let mut f =
        fields(&[("branch", json!(branch)), ("title", json!("社区议事厅")), ("category", json!("livelihood")), ("tier", json!(tier)), ("year", json!(2027))]);
    f.extend(fields(extra));
    Operation::new("project", key, OpKind::Create { fields: f }, stamp(now_ms(), "tab"))
}

fn complete_five() -> Vec<(&'static str, Value)> {
    vec![
        ("liaison_leader", json!("wanghaitao")),
        ("responsible", json!("李秀蓉")),
        ("budget_fen", json!(1_000_000)),
        ("budget_source", json!("街道党建经费")),
        ("team", json!(["张晓燕", "王芳"])),
        ("indicators", json!([{ "name": "参与人数", "weight": 40 }, { "name": "满意率", "weight": 60 }])),
    ]
}

fn transition(key: &str, to: &str, note: Option<&str>) -> Operation {
    Operation::new("project", key, OpKind::Transition { to: to.into(), note: note.map(Into::into) }, stamp(now_ms(), "tab"))
}

fn code(result: &app::domain::ops::OpResult) -> Value {
    serde_json::to_value(&result.reason).unwrap()["code"].clone()
}

#[tokio::test]
async fn the_whole_lifecycle_with_its_rules() {
    let server = start().await;
    let secretary = login(&server.base, "lixiurong").await;
    let street = login(&server.base, "lizhiguang").await;

    // A draft without its budget cannot be submitted, and the answer names the budget.
    let mut five = complete_five();
    five.retain(|(k, _)| *k != "budget_fen");
    let answer = push_ok(&server.base, &secretary, vec![create("q1", "wenxing", "key", &five), transition("q1", "submitted", None)]).await;
    assert_eq!(answer.results[0].status, OpStatus::Accepted);
    assert_eq!(answer.results[1].status, OpStatus::Rejected);
    assert_eq!(code(&answer.results[1]), "incomplete");
    assert!(answer.results[1].message.as_deref().unwrap().contains("未填写项目经费"), "{:?}", answer.results[1].message);
    assert_eq!(field(&server.db, "project", "q1", "status").await, json!("draft"));

    // Filled in and submitted in one batch: the later operation sees the earlier one.
    let budget = Operation::set("project", "q1", fields(&[("budget_fen", json!(800_000))]), stamp(now_ms(), "tab"));
    let answer = push_ok(&server.base, &secretary, vec![budget, transition("q1", "submitted", None)]).await;
    assert!(answer.results.iter().all(|r| r.status == OpStatus::Accepted), "{:?}", answer.results);

    // Submitted: the branch can no longer edit it.
    let late = Operation::set("project", "q1", fields(&[("title", json!("改个名"))]), stamp(now_ms(), "tab"));
    let answer = push_ok(&server.base, &secretary, vec![late]).await;
    assert_eq!(code(&answer.results[0]), "not_editable");

    // Only the street reviews; a return needs a reason.
    let answer = push_ok(&server.base, &secretary, vec![transition("q1", "filed", None)]).await;
    assert_eq!(code(&answer.results[0]), "wrong_role");
    let answer = push_ok(&server.base, &street, vec![transition("q1", "returned", Some(" "))]).await;
    assert_eq!(code(&answer.results[0]), "return_needs_reason");
    let answer = push_ok(&server.base, &street, vec![transition("q1", "returned", Some("请细化考核指标"))]).await;
    assert_eq!(answer.results[0].status, OpStatus::Accepted);
    assert_eq!(field(&server.db, "project", "q1", "return_reason").await, json!("请细化考核指标"));

    // Fixed and resubmitted, then filed with a filing number, then nominated.
    let fix = Operation::set("project", "q1", fields(&[("goals", json!("每月一次议事会"))]), stamp(now_ms(), "tab"));
    let answer = push_ok(&server.base, &secretary, vec![fix, transition("q1", "submitted", None)]).await;
    assert!(answer.results.iter().all(|r| r.status == OpStatus::Accepted), "{:?}", answer.results);
    let answer = push_ok(&server.base, &street, vec![transition("q1", "in_review", None), transition("q1", "filed", None)]).await;
    assert!(answer.results.iter().all(|r| r.status == OpStatus::Accepted), "{:?}", answer.results);
    assert_eq!(field(&server.db, "project", "q1", "filing_no").await, json!("SBS-2027-001"));
    let nominate = Operation::set("project", "q1", fields(&[("nomination", json!("nominated"))]), stamp(now_ms(), "tab"));
    let answer = push_ok(&server.base, &street, vec![nominate]).await;
    assert_eq!(answer.results[0].status, OpStatus::Accepted);
    assert_eq!(field(&server.db, "project", "q1", "nomination").await, json!("nominated"));
}

#[tokio::test]
async fn one_key_project_per_branch_and_year() {
    let server = start().await;
    let secretary = login(&server.base, "lixiurong").await;
    let answer = push_ok(
        &server.base,
        &secretary,
        vec![create("k1", "wenxing", "key", &[]), create("k2", "wenxing", "key", &[]), create("k3", "wenxing", "general", &[])],
    )
    .await;
    assert_eq!(answer.results[0].status, OpStatus::Accepted);
    assert_eq!(code(&answer.results[1]), "second_key_project");
    assert!(answer.results[1].message.as_deref().unwrap().contains("1+N"));
    assert_eq!(answer.results[2].status, OpStatus::Accepted);
    // Raising a general project to key is refused too.
    let raise = Operation::set("project", "k3", fields(&[("tier", json!("key"))]), stamp(now_ms(), "tab"));
    let answer = push_ok(&server.base, &secretary, vec![raise]).await;
    assert_eq!(code(&answer.results[0]), "second_key_project");
    // The demo's own key project is in 2026; 2027 had room for exactly one.
    assert_eq!(count(&server.db, "project").await, app_demo_projects() + 2);
}

fn app_demo_projects() -> usize {
    server::db::demo::PROJECTS.len()
}

#[tokio::test]
async fn bad_declarations_are_refused_naming_the_field() {
    let server = start().await;
    let secretary = login(&server.base, "lixiurong").await;
    let cases = [
        (create("b1", "wenxing", "general", &[("budget_fen", json!(-100))]), "budget_fen"),
        (create("b2", "wenxing", "general", &[("indicators", json!([{ "name": "", "weight": 50 }]))]), "indicators"),
        (create("b3", "wenxing", "huge", &[]), "tier"),
        (create("b4", "wenxing", "general", &[("starts_on", json!("2027-02-30"))]), "starts_on"),
    ];
    for (op, field_name) in cases {
        let answer = push_ok(&server.base, &secretary, vec![op]).await;
        let reason = serde_json::to_value(&answer.results[0].reason).unwrap();
        assert_eq!(reason, json!({ "code": "invalid_value", "field": field_name }));
    }
    // Another branch's project, and weights that do not reach 100 at submission.
    let answer = push_ok(&server.base, &secretary, vec![create("b5", "wenyuan", "general", &[])]).await;
    assert_eq!(code(&answer.results[0]), "forbidden");
    let mut five = complete_five();
    five.retain(|(k, _)| *k != "indicators");
    five.push(("indicators", json!([{ "name": "满意率", "weight": 70 }])));
    let answer = push_ok(&server.base, &secretary, vec![create("b6", "wenxing", "general", &five), transition("b6", "submitted", None)]).await;
    assert!(answer.results[1].message.as_deref().unwrap().contains("100%"), "{:?}", answer.results[1].message);
    assert_eq!(count(&server.db, "project").await, app_demo_projects() + 1);
}

#[tokio::test]
async fn nominations_stop_at_the_quota() {
    let server = start().await;
    let street = login(&server.base, "lizhiguang").await;
    // The demo data already holds the article's 5 nominations for 2026; the street sets
    // its quota to 5 through the write path (a secretary may not).
    let quota = |n: i64| Operation::set("street_year", "2026", fields(&[("nomination_quota", json!(n))]), stamp(now_ms(), "tab"));
    let secretary = login(&server.base, "lixiurong").await;
    assert_eq!(code(&push_ok(&server.base, &secretary, vec![quota(50)]).await.results[0]), "forbidden");
    assert_eq!(push_ok(&server.base, &street, vec![quota(5)]).await.results[0].status, OpStatus::Accepted);
    let nominate = Operation::set("project", "p012", fields(&[("nomination", json!("nominated"))]), stamp(now_ms(), "tab"));
    let answer = push_ok(&server.base, &street, vec![nominate]).await;
    assert_eq!(code(&answer.results[0]), "quota_reached");
    assert!(answer.results[0].message.as_deref().unwrap().contains("5"));
    // Drafts cannot be nominated at all.
    assert_eq!(push_ok(&server.base, &street, vec![quota(6)]).await.results[0].status, OpStatus::Accepted);
    let draft = Operation::set("project", "p031", fields(&[("nomination", json!("nominated"))]), stamp(now_ms(), "tab"));
    let answer = push_ok(&server.base, &street, vec![draft]).await;
    assert_eq!(code(&answer.results[0]), "not_filed");
    // The district's decision on a nominee is recorded; an outcome needs a nomination.
    let outcome = |key: &str, value: &str| Operation::set("project", key, fields(&[("nomination", json!(value))]), stamp(now_ms(), "tab"));
    assert_eq!(push_ok(&server.base, &street, vec![outcome("p003", "selected")]).await.results[0].status, OpStatus::Accepted);
    assert_eq!(field(&server.db, "project", "p003", "nomination").await, json!("selected"));
    assert_eq!(code(&push_ok(&server.base, &street, vec![outcome("p013", "selected")]).await.results[0]), "transition_not_allowed");
}

#[tokio::test]
async fn the_demo_has_the_articles_figures() {
    let server = start().await;
    let client = login(&server.base, "lizhiguang").await;
    let html = client.get(format!("{}/dashboard?year=2026", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"data-testid="filed-count">30<"#), "30 filed");
    assert!(html.contains(r#"data-testid="nominated-count">5<"#), "5 nominated");
    assert!(html.contains(r#"data-testid="waiting-count">2<"#), "a submitted and an in-review project wait");
}

#[tokio::test]
async fn the_register_downloads_as_a_workbook_with_the_same_rows() {
    use calamine::{Reader, Xlsx};
    let server = start().await;
    let street = login(&server.base, "lizhiguang").await;
    let response = street.get(format!("{}/api/export/register.xlsx?year=2026", server.base)).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains("register-2026.xlsx"));
    let bytes = response.bytes().await.unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0][0], "备案号");
    assert_eq!(rows.len(), 31, "a header and the 30 filed projects");
    assert!(rows.iter().any(|r| r[1] == "先锋书房" && r[2] == "太和社区"));
    assert_eq!(rows[1][0], "SBS-2026-001");

    let nominations = street.get(format!("{}/api/export/nominations.xlsx?year=2026", server.base)).send().await.unwrap().bytes().await.unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(nominations.to_vec())).unwrap();
    assert_eq!(book.worksheet_range_at(0).unwrap().unwrap().rows().count(), 6);

    // A secretary may not export the street's register.
    let secretary = login(&server.base, "lixiurong").await;
    let refused = secretary.get(format!("{}/api/export/register.xlsx", server.base)).send().await.unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN);
}

/// The board's server function as the browser calls it on client-side navigation (the
/// menu): with no filter at all, its argument is an empty object, which a form encoding
/// could not carry (it answered 500 `missing field 'filter'`).
#[tokio::test]
async fn the_board_answers_an_empty_filter_as_the_menu_sends_it() {
    let server = start().await;
    let client = login(&server.base, "lizhiguang").await;
    let answer = client.post(format!("{}/api/list_projects", server.base)).json(&json!({ "filter": {} })).send().await.unwrap();
    assert_eq!(answer.status(), 200, "{}", answer.text().await.unwrap_or_default());
    let board: Value = answer.json().await.unwrap();
    assert!(board["cards"].as_array().is_some_and(|cards| cards.len() >= 30), "the street sees every branch's projects");
    let filtered: Value = client
        .post(format!("{}/api/list_projects", server.base))
        .json(&json!({ "filter": { "branch": "wenxing" } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cards = filtered["cards"].as_array().expect("cards");
    assert!(!cards.is_empty() && cards.len() < board["cards"].as_array().unwrap().len(), "a filter narrows the board");
}

/// A declaration is counted in a year of its planned period: a project for the first half
/// of 2027, declared in 2026, is 2027's, and 2026 is refused with the reason.
#[tokio::test]
async fn a_project_s_year_lies_within_its_planned_period() {
    let server = start().await;
    let secretary = login(&server.base, "lixiurong").await;
    let period = [("starts_on", json!("2027-01-04")), ("ends_on", json!("2027-06-30"))];
    let mut wrong = period.to_vec();
    wrong.push(("year", json!(2026)));
    let refused = push_ok(&server.base, &secretary, vec![create("y1", "wenxing", "general", &wrong)]).await;
    assert_eq!(refused.results[0].status, OpStatus::Rejected);
    assert_eq!(code(&refused.results[0]), json!("year_outside_period"));
    assert!(refused.results[0].message.as_deref().unwrap_or_default().contains("不在计划时间"), "{:?}", refused.results[0].message);
    assert_eq!(count(&server.db, "project WHERE record::id(id) = 'y1'").await, 0, "nothing stored");
    let accepted = push_ok(&server.base, &secretary, vec![create("y2", "wenxing", "general", &period)]).await;
    assert_eq!(accepted.results[0].status, OpStatus::Accepted, "{:?}", accepted.results);
    // Moving the period later without the year is refused too.
    let later = Operation::new(
        "project",
        "y2",
        OpKind::Set { fields: fields(&[("starts_on", json!("2028-01-03")), ("ends_on", json!("2028-06-30"))]) },
        stamp(now_ms(), "tab"),
    );
    let answer = push_ok(&server.base, &secretary, vec![later]).await;
    assert_eq!(code(&answer.results[0]), json!("year_outside_period"));
}
