//! Volunteering through the residents' pages, over real HTTP, as a phone without
//! JavaScript would: sign-up with its messages, a form posted twice, the waiting list,
//! check-in by code and check-out, hours; names and phones never in the clear in the log
//! or on a page. The brand pages themselves: `brand.rs`.

mod common;
use app::domain::ops::{OpKind, OpStatus, Operation};
use app::domain::time::local_from_ms;
use common::*;
use reqwest::Client;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The hidden operation id of the sign-up form on an activity's page.
async fn form_op(client: &Client, base: &str, activity: &str) -> String {
    let page = client.get(format!("{base}/a/{activity}")).send().await.unwrap().text().await.unwrap();
    let at = page.find("name=\"op\" value=\"").expect("a sign-up form") + 17;
    page[at..at + 36].to_string()
}

async fn sign_up(client: &Client, base: &str, activity: &str, op: &str, name: &str, phone: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut form = vec![("op", op), ("name", name), ("phone", phone), ("website", "")];
    form.extend_from_slice(extra);
    client.post(format!("{base}/a/{activity}")).form(&form).send().await.unwrap()
}

/// Posts the form on the page at `url` with the page's own operation id, as a browser would.
async fn post_on_page(client: &Client, url: &str, fields: Vec<(&'static str, String)>) -> reqwest::Response {
    let page = client.get(url).send().await.unwrap().text().await.unwrap();
    let at = page.find("name=\"op\" value=\"").expect("a form on the page") + 17;
    let mut form = vec![("op", page[at..at + 36].to_string())];
    form.extend(fields);
    client.post(url).form(&form).send().await.unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// The first activity still open for sign-up with room left.
async fn open_activity(db: &server::db::Db) -> (String, u64) {
    let now = local_from_ms(app::db::now_ms()).format("%Y-%m-%dT%H:%M").to_string();
    let found: Vec<Value> =
        app::db::rows(db, "SELECT record::id(id) AS key, capacity FROM activity WHERE starts_at > $now ORDER BY starts_at LIMIT 1", json!({ "now": now }), 0)
            .await
            .unwrap();
    (found[0]["key"].as_str().unwrap().to_string(), found[0]["capacity"].as_u64().unwrap())
}

async fn standing(db: &server::db::Db, activity: &str) -> usize {
    let rows: Vec<Value> = app::db::rows(db, "SELECT VALUE id FROM signup WHERE activity = $a AND active = true", json!({ "a": activity }), 0).await.unwrap();
    rows.len()
}

#[tokio::test]
async fn a_resident_signs_up_once_is_told_what_is_wrong_and_the_waiting_list_moves() {
    let server = start().await;
    let phone = client();
    let (activity, capacity) = open_activity(&server.db).await;
    let before = standing(&server.db, &activity).await;

    // A malformed phone number is named, and what was typed is kept.
    let op = form_op(&phone, &server.base, &activity).await;
    let bad = sign_up(&phone, &server.base, &activity, &op, "李明", "138123", &[("consent", "1")]).await;
    assert_eq!(bad.status(), 422);
    let page = bad.text().await.unwrap();
    assert!(page.contains("手机号格式不正确") && page.contains("value=\"李明\"") && page.contains("value=\"138123\""), "{page}");
    // No consent, a script for a name: each named, nothing stored.
    let page = sign_up(&phone, &server.base, &activity, &op, "李明", "138 1234 5678", &[]).await.text().await.unwrap();
    assert!(page.contains("请勾选同意"));
    let page = sign_up(&phone, &server.base, &activity, &op, "<script>alert(1)</script>", "13812345678", &[("consent", "1")]).await.text().await.unwrap();
    assert!(page.contains("不能包含") && !page.contains("<script>alert"), "the script came back unescaped");
    // The trap field filled: refused.
    let trap = client()
        .post(format!("{}/a/{activity}", server.base))
        .form(&[("op", op.as_str()), ("name", "李明"), ("phone", "13812345678"), ("consent", "1"), ("website", "http://spam")])
        .send()
        .await
        .unwrap();
    assert_eq!(trap.status(), 422);
    assert_eq!(standing(&server.db, &activity).await, before);

    // Signed up; the same form posted again is the same sign-up.
    let first = sign_up(&phone, &server.base, &activity, &op, "李明", "138 1234 5678", &[("consent", "1")]).await;
    let link = location(&first);
    if first.status() != 303 {
        panic!("not signed up: {}", first.text().await.unwrap_or_default());
    }
    // The link to keep is the page's own: it says "signed up" once, after the redirect.
    assert!(link.starts_with("/s/") && !link.contains('?'), "{link}");
    let again = sign_up(&phone, &server.base, &activity, &op, "李明", "138 1234 5678", &[("consent", "1")]).await;
    assert_eq!(location(&again), link);
    let page = phone.get(format!("{}{link}", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("报名成功"), "the outcome, once: {page}");
    assert!(page.contains("请保存这个链接") && page.contains(&format!("{link}\"")) && page.contains("<svg"), "the link to keep, as text and a QR code: {page}");
    let page = phone.get(format!("{}{link}", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(
        !page.contains("报名成功") && !page.contains("请保存这个链接") && page.contains("名额已确认"),
        "opened again, the page tells its state, not the outcome: {page}"
    );
    assert_eq!(standing(&server.db, &activity).await, before + 1);
    // Another form with the same phone: told it is signed up already.
    let op2 = form_op(&phone, &server.base, &activity).await;
    let page = sign_up(&phone, &server.base, &activity, &op2, "李明", "13812345678", &[("consent", "1")]).await.text().await.unwrap();
    assert!(page.contains("已经报名"), "{page}");
    let mine = phone.get(format!("{}{link}", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(mine.contains("名额已确认") && mine.contains("138****5678") && mine.contains("李*"), "{mine}");
    assert!(!mine.contains("13812345678") && !mine.contains("李明"));
    // A wrong token opens nothing.
    let forged = link.replace("/s/", "/s/x").split('?').next().unwrap().to_string();
    assert_eq!(phone.get(format!("{}{forged}", server.base)).send().await.unwrap().status(), 404);

    // Fill the places; the next is told it is full, and may wait.
    let mut n = 0;
    while standing(&server.db, &activity).await < capacity as usize {
        n += 1;
        let op = form_op(&phone, &server.base, &activity).await;
        let response = sign_up(&phone, &server.base, &activity, &op, "王芳", &format!("1370000{n:04}"), &[("consent", "1")]).await;
        assert_eq!(response.status(), 303);
    }
    let op = form_op(&phone, &server.base, &activity).await;
    let page = sign_up(&phone, &server.base, &activity, &op, "赵强", "13900001111", &[("consent", "1")]).await.text().await.unwrap();
    assert!(page.contains("名额已满"), "{page}");
    // The page drawn again carries a new operation id: the refused one keeps its answer.
    let at = page.find("name=\"op\" value=\"").unwrap() + 17;
    let op = page[at..at + 36].to_string();
    let waiting = sign_up(&phone, &server.base, &activity, &op, "赵强", "13900001111", &[("consent", "1"), ("wait", "1")]).await;
    let waiting_link = location(&waiting).split('?').next().unwrap().to_string();
    let page = phone.get(format!("{}{waiting_link}", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("候补第 1 位"), "{page}");

    // The first cancels: the waiting one holds a place.
    let cancel_at = link.split('?').next().unwrap().to_string();
    let page = phone.get(format!("{}{cancel_at}", server.base)).send().await.unwrap().text().await.unwrap();
    let at = page.find("name=\"op\" value=\"").unwrap() + 17;
    let cancel_op = page[at..at + 36].to_string();
    let response = phone.post(format!("{}{cancel_at}", server.base)).form(&[("op", cancel_op.as_str()), ("action", "cancel")]).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let page = phone.get(format!("{}{waiting_link}", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("名额已确认"), "{page}");
    // Signs up again through the same link: at the end of the queue.
    let page = phone.get(format!("{}{cancel_at}", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("重新报名"));
    let at = page.find("name=\"op\" value=\"").unwrap() + 17;
    let rejoin = page[at..at + 36].to_string();
    phone.post(format!("{}{cancel_at}", server.base)).form(&[("op", rejoin.as_str()), ("action", "rejoin")]).send().await.unwrap();
    let page = phone.get(format!("{}{cancel_at}", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("候补第 1 位"), "{page}");

    // The resident asks for their record to be deleted: the first tap only asks (a page
    // that works without JavaScript); the confirmation deletes name and phone everywhere.
    let page = phone.get(format!("{}{waiting_link}", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("删除我的姓名和手机号") && !page.contains("value=\"erase\"") && !page.contains("确认删除"), "one tap erases nothing: {page}");
    let page = phone.get(format!("{}{waiting_link}?erase=ask", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("确定删除吗") && page.contains("value=\"erase\"") && page.contains("不删除，返回"), "{page}");
    let at = page.rfind("name=\"op\" value=\"").unwrap() + 17;
    let erase = page[at..at + 36].to_string();
    let response = phone.post(format!("{}{waiting_link}", server.base)).form(&[("op", erase.as_str()), ("action", "erase")]).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let erased_key = waiting_link.split('/').nth(2).unwrap();
    assert_eq!(field(&server.db, "signup", erased_key, "name_cipher").await, json!(""));
    assert_eq!(field(&server.db, "signup", erased_key, "phone_hash").await, json!(""));
    let logged: Vec<Value> =
        app::db::rows(&server.db, "SELECT VALUE kind.fields FROM op WHERE tb = 'signup' AND key = $k", json!({ "k": erased_key }), 0).await.unwrap();
    assert!(
        logged.iter().all(|f| f["name_cipher"].as_str().unwrap_or_default().is_empty()
            && f["phone_cipher"].as_str().unwrap_or_default().is_empty()
            && f["phone_hash"].as_str().unwrap_or_default().is_empty()),
        "{logged:?}"
    );
    let page = phone.get(format!("{}{waiting_link}", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("已删除") && !page.contains("139****1111"), "{page}");

    // Nothing in the clear: not in the records, not in the log, not on a public page.
    let log: Vec<Value> = app::db::rows(&server.db, "SELECT * FROM op WHERE tb = 'signup'", json!({}), 0).await.unwrap();
    let stored: Vec<Value> = app::db::rows(&server.db, "SELECT * FROM signup", json!({}), 0).await.unwrap();
    for text in [serde_json::to_string(&log).unwrap(), serde_json::to_string(&stored).unwrap()] {
        assert!(!text.contains("13812345678") && !text.contains("李明") && !text.contains("赵强"), "personal information in the clear");
    }
    for path in ["/".to_string(), "/b/wenxing".to_string(), format!("/a/{activity}")] {
        let page = client().get(format!("{}{path}", server.base)).send().await.unwrap().text().await.unwrap();
        // No word of eleven digits (a mobile number), whatever else the page holds.
        let phones: Vec<&str> = page.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| w.len() == 11 && w.bytes().all(|b| b.is_ascii_digit())).collect();
        assert!(phones.is_empty(), "{path} shows a phone number: {phones:?}");
        assert!(!page.contains("13812345678") && !page.contains("13900001111"));
        assert!(!page.contains("李明") && !page.contains("王芳"), "{path} shows a name");
    }
}

#[tokio::test]
async fn check_in_by_code_and_out_gives_the_hours() {
    let server = start().await;
    let secretary = login(&server.base, "lixiurong").await;
    // An activity starting in 20 minutes: sign-up still open, check-in already open.
    let now = app::db::now_ms();
    let start = local_from_ms(now + 20 * 60_000).format("%Y-%m-%dT%H:%M").to_string();
    let end = local_from_ms(now + 140 * 60_000).format("%Y-%m-%dT%H:%M").to_string();
    let fields: BTreeMap<String, Value> = [
        ("branch", json!("wenxing")),
        ("team", json!("t_party")),
        ("title", json!("社区义诊")),
        ("place", json!("党群服务中心")),
        ("starts_at", json!(start)),
        ("ends_at", json!(end)),
        ("capacity", json!(2)),
        ("checkin_code", json!("482913")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let answer = push_ok(&server.base, &secretary, vec![Operation::new("activity", "clinic", OpKind::Create { fields }, stamp(now_ms(), "tab"))]).await;
    assert_eq!(answer.results[0].status, OpStatus::Accepted, "{:?}", answer.results);

    let phone = client();
    let op = form_op(&phone, &server.base, "clinic").await;
    let signed = sign_up(&phone, &server.base, "clinic", &op, "陈静", "15011112222", &[("consent", "1")]).await;
    let link = location(&signed).split('?').next().unwrap().to_string();
    if signed.status() != 303 {
        panic!("not signed up: {}", signed.text().await.unwrap_or_default());
    }
    let post = |fields: Vec<(&'static str, String)>| {
        let phone = phone.clone();
        let url = format!("{}{link}", server.base);
        async move {
            let page = phone.get(&url).send().await.unwrap().text().await.unwrap();
            let at = page.find("name=\"op\" value=\"").unwrap() + 17;
            let mut form = vec![("op", page[at..at + 36].to_string())];
            form.extend(fields);
            phone.post(&url).form(&form).send().await.unwrap()
        }
    };
    // Check-out before check-in is refused.
    let page = post(vec![("action", "checkout".into())]).await.text().await.unwrap();
    assert!(page.contains("还没有签到"), "{page}");
    // A wrong code: named with the tries left; then the right one.
    let page = post(vec![("action", "checkin".into()), ("code", "111111".into())]).await.text().await.unwrap();
    assert!(page.contains("签到码不正确，还可以再试4次"), "{page}");
    let response = post(vec![("action", "checkin".into()), ("code", "482913".into())]).await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    // Checked in before the start: no check-out yet (a 0-hour visit is an adjustment).
    let page = phone.get(format!("{}{link}", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("value=\"checkout\""), "no check-out form before the start: {page}");
    let crafted =
        phone.post(format!("{}{link}", server.base)).form(&[("op", uuid::Uuid::now_v7().to_string()), ("action", "checkout".into())]).send().await.unwrap();
    let page = crafted.text().await.unwrap();
    assert!(page.contains("活动开始后才能签退"), "{page}");
    let key = link.split('/').nth(2).unwrap();
    assert!(field(&server.db, "signup", key, "checked_out_at").await.is_null());
    assert!(field(&server.db, "signup", key, "code").await.is_null(), "the typed code is not kept");
    // Staff record an early leave with a reason, and it is audited.
    let leave = |reason: &str| {
        Operation::set(
            "signup",
            key,
            [("checked_out_at".to_string(), json!(now_ms())), ("checkout_reason".to_string(), json!(reason))].into(),
            stamp(now_ms(), "tab"),
        )
    };
    let answer = push_ok(&server.base, &secretary, vec![leave("")]).await;
    assert!(answer.results[0].message.as_deref().unwrap_or_default().contains("活动开始后才能签退"), "{:?}", answer.results);
    let answer = push_ok(&server.base, &secretary, vec![leave("家中有事提前离开")]).await;
    assert_eq!(answer.results[0].status, OpStatus::Accepted, "{:?}", answer.results);
    let page = phone.get(format!("{}{link}", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("签退："), "{page}");
    let checkouts: Vec<Value> = app::db::rows(&server.db, "SELECT account, detail FROM audit WHERE event = 'adjust_checkout'", json!({}), 0).await.unwrap();
    assert_eq!(checkouts.len(), 1, "{checkouts:?}");
    assert!(checkouts[0]["detail"].as_str().unwrap().ends_with("家中有事提前离开"), "{checkouts:?}");

    // A second resident: a code that is not six digits is no try; five wrong ones take the
    // form away, and then even the right code is refused: the staff on site check them in.
    let other = client();
    let op = form_op(&other, &server.base, "clinic").await;
    let signed = sign_up(&other, &server.base, "clinic", &op, "王伟", "15022223333", &[("consent", "1")]).await;
    assert_eq!(signed.status(), 303);
    let other_url = format!("{}{}", server.base, location(&signed).split('?').next().unwrap());
    let checkin = |code: &str| vec![("action", "checkin".to_string()), ("code", code.to_string())];
    let page = post_on_page(&other, &other_url, checkin("12ab")).await.text().await.unwrap();
    assert!(page.contains("签到码是6位数字") && page.contains("name=\"code\""), "{page}");
    for left in (0..5).rev() {
        let page = post_on_page(&other, &other_url, checkin("000000")).await.text().await.unwrap();
        if left > 0 {
            assert!(page.contains(&format!("还可以再试{left}次")), "the malformed code did not count: {page}");
        } else {
            assert!(page.contains("请找现场工作人员签到") && !page.contains("name=\"code\""), "after the last try the form is gone: {page}");
        }
    }
    let refused =
        other.post(&other_url).form(&[("op", uuid::Uuid::now_v7().to_string()), ("action", "checkin".into()), ("code", "482913".into())]).send().await.unwrap();
    assert!(refused.text().await.unwrap().contains("请找现场工作人员签到"), "the right code after the lock is refused");
    let other_key = other_url.split('/').nth(4).unwrap();
    assert!(field(&server.db, "signup", other_key, "checked_in_at").await.is_null());

    // Staff add hours by hand only with a reason.
    let adjust = |reason: &str| {
        Operation::set("signup", key, [("adjust_minutes".to_string(), json!(30)), ("adjust_reason".to_string(), json!(reason))].into(), stamp(now_ms(), "tab"))
    };
    let answer = push_ok(&server.base, &secretary, vec![adjust("")]).await;
    assert!(answer.results[0].message.as_deref().unwrap_or_default().contains("必须填写原因"));
    let audited = |db: server::db::Db| async move {
        let rows: Vec<Value> = app::db::rows(&db, "SELECT account, detail FROM audit WHERE event = 'adjust_hours'", json!({}), 0).await.unwrap();
        rows
    };
    assert!(audited(server.db.clone()).await.is_empty(), "a refused change is not audited as made");
    let answer = push_ok(&server.base, &secretary, vec![adjust("补录纸质签到表")]).await;
    assert_eq!(answer.results[0].status, OpStatus::Accepted);
    // In the audit log: who, whose, how much and why.
    let entries = audited(server.db.clone()).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["account"], "lixiurong");
    assert_eq!(entries[0]["detail"], format!("signup:{key} +30 分钟 补录纸质签到表"));
    // Another branch's staff may not.
    let stranger = login(&server.base, "guojing").await;
    let answer = push_ok(&server.base, &stranger, vec![adjust("补录")]).await;
    assert_eq!(answer.results[0].status, OpStatus::Rejected);
    assert_eq!(audited(server.db.clone()).await.len(), 1);
}

/// One rule for a check-out (residents' and staff's alike): from the activity's start to
/// its end it stands; a later one is stored as the end; a time in the future never is, so
/// hours cannot be inflated through it.
#[tokio::test]
async fn a_check_out_cannot_inflate_hours() {
    let server = start().await;
    let secretary = login(&server.base, "lixiurong").await;
    let now = app::db::now_ms();
    let local = |ms: i64| local_from_ms(ms).format("%Y-%m-%dT%H:%M").to_string();
    let fields: BTreeMap<String, Value> = [
        ("branch", json!("wenxing")),
        ("team", json!("t_party")),
        ("title", json!("河道清理")),
        ("place", json!("文星河")),
        ("starts_at", json!(local(now - 30 * 60_000))),
        ("ends_at", json!(local(now + 90 * 60_000))),
        ("capacity", json!(10)),
        ("checkin_code", json!("123789")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let walk_in: BTreeMap<String, Value> = [
        ("activity", json!("river")),
        ("branch", json!("wenxing")),
        ("name", json!("赵强")),
        ("phone", json!("")),
        ("consent", json!(true)),
        ("walk_in", json!(true)),
        ("checked_in_at", json!(now - 20 * 60_000)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let answer = push_ok(
        &server.base,
        &secretary,
        vec![
            Operation::new("activity", "river", OpKind::Create { fields }, stamp(now_ms(), "tab")),
            Operation::new("signup", "zhaoqiang", OpKind::Create { fields: walk_in }, stamp(now_ms(), "tab")),
        ],
    )
    .await;
    assert!(answer.results.iter().all(|r| r.status == OpStatus::Accepted), "{:?}", answer.results);
    let check_out = |at: i64, reason: &str| {
        Operation::set(
            "signup",
            "zhaoqiang",
            [("checked_out_at".to_string(), json!(at)), ("checkout_reason".to_string(), json!(reason))].into(),
            stamp(now_ms(), "tab"),
        )
    };
    let year_2100 = 4_102_444_800_000;
    for reason in ["", "补录"] {
        let answer = push_ok(&server.base, &secretary, vec![check_out(year_2100, reason)]).await;
        assert_eq!(answer.results[0].status, OpStatus::Rejected, "{:?}", answer.results);
        assert!(answer.results[0].message.as_deref().unwrap_or_default().contains("不能晚于现在"), "{:?}", answer.results);
    }
    assert!(field(&server.db, "signup", "zhaoqiang", "checked_out_at").await.is_null());

    // The activity ends earlier than planned; a check-out made later is stored as its end.
    let ended = now - 5 * 60_000;
    let answer = push_ok(
        &server.base,
        &secretary,
        vec![Operation::set("activity", "river", [("ends_at".to_string(), json!(local(ended)))].into(), stamp(now_ms(), "tab"))],
    )
    .await;
    assert_eq!(answer.results[0].status, OpStatus::Accepted, "{:?}", answer.results);
    let answer = push_ok(&server.base, &secretary, vec![check_out(now_ms() as i64, "")]).await;
    assert_eq!(answer.results[0].status, OpStatus::Accepted, "{:?}", answer.results);
    let stored = field(&server.db, "signup", "zhaoqiang", "checked_out_at").await.as_i64().unwrap();
    assert_eq!(stored, app::domain::time::ms_from_local(app::domain::time::parse_local(&local(ended)).unwrap()), "stored as the end");
}

#[tokio::test]
async fn exports_mask_phones_and_keep_formulas_as_text() {
    use calamine::{Data, Reader, Xlsx};
    let server = start().await;
    let secretary = login(&server.base, "lixiurong").await;
    // A walk-in on today's activity whose name would be a formula in a spreadsheet.
    let fields: BTreeMap<String, Value> = [
        ("activity", json!("act_today")),
        ("branch", json!("wenxing")),
        ("name", json!("=1+1")),
        ("phone", json!("13955556666")),
        ("consent", json!(true)),
        ("walk_in", json!(true)),
        ("checked_in_at", json!(app::db::now_ms())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let answer = push_ok(&server.base, &secretary, vec![Operation::new("signup", "walkin1", OpKind::Create { fields }, stamp(now_ms(), "tab"))]).await;
    assert_eq!(answer.results[0].status, OpStatus::Accepted, "{:?}", answer.results);

    let bytes = secretary.get(format!("{}/api/export/volunteers/act_today.xlsx", server.base)).send().await.unwrap().bytes().await.unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let row = sheet.rows().find(|r| r.iter().any(|c| c.to_string() == "=1+1")).expect("the walk-in's row");
    assert_eq!(row[1], Data::String("=1+1".into()), "written as text, not as a formula");
    assert_eq!(row[2], Data::String("139****6666".into()));
    let formulas = book.worksheet_formula("报名名单").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formulas in the export");
    let all: String = sheet.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(!all.contains("13955556666"));

    // The hours register: the summer's volunteers, phones masked; not for another branch's list.
    let bytes = secretary.get(format!("{}/api/export/hours.xlsx", server.base)).send().await.unwrap().bytes().await.unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0][0], "姓名");
    assert!(rows.len() > 20, "{}", rows.len());
    assert!(rows.iter().skip(1).all(|r| r[1].contains("****") && r[3].parse::<f64>().unwrap() > 0.0));
    let stranger = login(&server.base, "guojing").await;
    assert_eq!(stranger.get(format!("{}/api/export/volunteers/act_today.xlsx", server.base)).send().await.unwrap().status(), 403);
}

/// A phone number is shown only once its reveal is on record: when the audit log cannot
/// be written, the number stays hidden.
#[tokio::test]
async fn a_phone_is_revealed_only_after_its_reveal_is_logged() {
    let server = start().await;
    let staff = login(&server.base, "lixiurong").await;
    let signup: String = app::db::row(&server.db, "SELECT VALUE record::id(id) FROM signup WHERE branch = 'wenxing' AND phone_cipher != '' LIMIT 1", json!({}))
        .await
        .unwrap()
        .expect("a demo sign-up with a phone");
    let reveal = || staff.post(format!("{}/api/reveal_phone", server.base)).form(&[("signup", signup.as_str())]).send();
    let shown = reveal().await.unwrap();
    assert_eq!(shown.status(), reqwest::StatusCode::OK);
    let number: String = shown.json().await.unwrap();
    assert_eq!(number.len(), 11, "the number, once logged: {number}");

    server.db.query("DEFINE EVENT refuse_audit ON audit WHEN $event = 'CREATE' THEN { THROW 'the audit log is unavailable' }").await.unwrap().check().unwrap();
    let hidden = reveal().await.unwrap();
    assert!(hidden.status().is_server_error(), "{}", hidden.status());
    let body = hidden.text().await.unwrap();
    assert!(!body.contains(&number), "{body}");
}

/// An export meeting a database error answers 503, never an empty sheet.
#[tokio::test]
async fn an_export_that_cannot_read_answers_unavailable() {
    let server = start().await;
    let staff = login(&server.base, "lixiurong").await;
    let hours = staff.get(format!("{}/api/export/hours.xlsx", server.base)).send().await.unwrap();
    assert_eq!(hours.status(), reqwest::StatusCode::OK);
    // Reading a sign-up now fails inside the database.
    server.db.query("DEFINE FIELD broken ON signup COMPUTED { THROW 'the disk is gone' }").await.unwrap().check().unwrap();
    let hours = staff.get(format!("{}/api/export/hours.xlsx", server.base)).send().await.unwrap();
    assert_eq!(hours.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    let roster = staff.get(format!("{}/api/export/volunteers/act_today.xlsx", server.base)).send().await.unwrap();
    assert_eq!(roster.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
}

/// Check-in codes guessed at once are each counted: five per sign-up, and twenty wrong
/// codes a minute for a whole activity, however the guesses arrive.
#[tokio::test]
async fn wrong_codes_sent_at_once_are_each_counted() {
    let server = start().await;
    let secretary = login(&server.base, "lixiurong").await;
    let now = app::db::now_ms();
    let at = |minutes: i64| local_from_ms(now + minutes * 60_000).format("%Y-%m-%dT%H:%M").to_string();
    let fields: BTreeMap<String, Value> = [
        ("branch", json!("wenxing")),
        ("team", json!("t_party")),
        ("title", json!("垃圾分类宣传")),
        ("place", json!("文兴广场")),
        ("starts_at", json!(at(20))),
        ("ends_at", json!(at(140))),
        ("capacity", json!(10)),
        ("checkin_code", json!("482913")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    push_ok(&server.base, &secretary, vec![Operation::new("activity", "guessed", OpKind::Create { fields }, stamp(now_ms(), "tab"))]).await;
    // The test's own sign-ups, each with its private link.
    for i in 0..6 {
        server.db.query(format!("CREATE signup:g{i} SET activity = 'guessed', branch = 'wenxing', name_cipher = '', name_mask = '陈*', phone_hash = 'h{i}', consent = true, signed_at = $now"))
            .bind(json!({ "now": now }))
            .await.unwrap().check().unwrap();
    }
    let phone = client();
    let check_in = |signup: &str, code: &str| {
        let url = format!("{}/s/{signup}/{}", server.base, server.state.pii.link_token(signup));
        let form = vec![("op", uuid::Uuid::now_v7().to_string()), ("action", "checkin".to_string()), ("code", code.to_string())];
        let phone = phone.clone();
        async move { phone.post(&url).form(&form).send().await.unwrap().text().await.unwrap() }
    };
    let tries_of = |signup: &str| {
        let db = server.db.clone();
        let signup = signup.to_string();
        async move { app::db::row::<u32>(&db, "SELECT VALUE n FROM ONLY type::record('code_tries', $k)", json!({ "k": signup })).await.unwrap().unwrap_or(0) }
    };

    // Forty at once on one sign-up: five are counted, and then even the right code waits for staff.
    futures::future::join_all((0..40).map(|i| check_in("g0", if i % 2 == 0 { "111111" } else { "222222" }))).await;
    assert_eq!(tries_of("g0").await, 5);
    let page = check_in("g0", "482913").await;
    assert!(page.contains("请找现场工作人员签到"), "{page}");

    // Across sign-ups: twenty wrong codes a minute for the activity, then none is tried.
    for signup in ["g1", "g2", "g3"] {
        futures::future::join_all((0..5).map(|_| check_in(signup, "111111"))).await;
    }
    let page = check_in("g4", "333333").await;
    assert!(page.contains("这次活动刚刚有很多次签到码输错"), "{page}");
    assert_eq!(tries_of("g4").await, 0, "not tried, so not counted against the person");
}

/// A refused sign-up leaves its reason in the log, never the sealed name or phone.
#[tokio::test]
async fn a_refused_sign_up_keeps_no_name_or_phone() {
    let server = start().await;
    let phone = client();
    let (activity, _) = open_activity(&server.db).await;
    let op = form_op(&phone, &server.base, &activity).await;
    let first = sign_up(&phone, &server.base, &activity, &op, "王小明", "13900001111", &[("consent", "1")]).await;
    assert_eq!(first.status(), 303);
    let again = form_op(&phone, &server.base, &activity).await;
    sign_up(&phone, &server.base, &activity, &again, "王小明", "13900001111", &[("consent", "1")]).await;
    let logged: Value = app::db::row(&server.db, "SELECT kind, reason FROM ONLY type::record('op', $id)", json!({ "id": again }))
        .await
        .unwrap()
        .expect("the refusal is logged");
    assert!(!logged["reason"].is_null(), "{logged}");
    let fields = logged["kind"]["fields"].as_object().expect("the refused operation's fields");
    for personal in ["name_cipher", "name_mask", "phone_cipher", "phone_hash", "phone_mask"] {
        assert!(!fields.contains_key(personal), "{personal} kept: {logged}");
    }
    assert_eq!(fields["activity"], json!(activity), "the keys stay");
}

/// Residents' names open only for their branch's staff: street staff see them masked,
/// on the page and in the sheets, like phones.
#[tokio::test]
async fn street_staff_see_residents_masked() {
    let server = start().await;
    let roster_as = |who: &'static str| {
        let base = server.base.clone();
        async move {
            let person = login(&base, who).await;
            let roster: Value = person.post(format!("{base}/api/get_roster")).form(&[("activity", "act_today")]).send().await.unwrap().json().await.unwrap();
            roster["people"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect::<Vec<_>>()
        }
    };
    let branch = roster_as("lixiurong").await;
    assert!(branch.iter().any(|n| !n.contains('*')), "{branch:?}");
    let street = roster_as("lizhiguang").await;
    assert_eq!(street.len(), branch.len());
    assert!(street.iter().all(|n| n.contains('*')), "{street:?}");
}

/// A private link works until 90 days after its activity; then it shows nothing, does
/// nothing, and housekeeping erases the name and phone (the hours stay).
#[tokio::test]
async fn a_private_link_expires_ninety_days_after_its_activity_and_the_name_goes() {
    let server = start().await;
    let now = app::db::now_ms();
    let at = |days: i64| local_from_ms(now - days * 86_400_000).format("%Y-%m-%dT%H:%M").to_string();
    for (key, ended_days_ago) in [("old", 91), ("recent", 60)] {
        server.db
            .query(format!("CREATE activity:{key} SET branch = 'wenxing', team = 't_party', title = '旧活动', place = '文兴广场', starts_at = $starts, ends_at = $ends, capacity = 5, checkin_code = '123456'"))
            .bind(json!({ "starts": at(ended_days_ago + 1), "ends": at(ended_days_ago) }))
            .await.unwrap().check().unwrap();
        server.db
            .query(format!("CREATE signup:s_{key} SET activity = '{key}', branch = 'wenxing', name_cipher = $name, name_mask = '张*', phone_hash = 'h_{key}', phone_mask = '139****0000', consent = true, signed_at = 1, checked_in_at = 2, checked_out_at = 3"))
            .bind(json!({ "name": server.state.pii.seal("张三") }))
            .await.unwrap().check().unwrap();
    }
    let phone = client();
    let link = |key: &str| format!("{}/s/s_{key}/{}", server.base, server.state.pii.link_token(&format!("s_{key}")));
    assert_eq!(phone.get(link("recent")).send().await.unwrap().status(), 200);
    let recent_page = phone.get(link("recent")).send().await.unwrap().text().await.unwrap();
    assert!(recent_page.contains("活动结束90天后失效"), "the page says so from the start");
    assert_eq!(phone.get(link("old")).send().await.unwrap().status(), 404);
    let acted = phone.post(link("old")).form(&[("op", uuid::Uuid::now_v7().to_string()), ("action", "cancel".into())]).send().await.unwrap();
    assert_ne!(acted.status(), 303, "an expired link changes nothing");
    assert_eq!(field(&server.db, "signup", "s_old", "active").await, json!(true));

    server::db::erase_after_links_expire(&server.db, now).await.unwrap();
    assert_eq!(field(&server.db, "signup", "s_old", "name_cipher").await, json!(""));
    assert_eq!(field(&server.db, "signup", "s_old", "erased").await, json!(true));
    assert_eq!(field(&server.db, "signup", "s_recent", "name_mask").await, json!("张*"), "a link still working keeps its person");
    assert_eq!(field(&server.db, "signup", "s_old", "checked_out_at").await, json!(3), "the hours stay");
}

/// A stale copy of the private page (a second tab) posting another form with the id it
/// once carried is answered as a repeat: never "your name and phone are deleted" when
/// nothing was erased.
#[tokio::test]
async fn a_repeated_form_is_answered_as_a_repeat_not_as_another_action() {
    let server = start().await;
    let phone = client();
    let (activity, _) = open_activity(&server.db).await;
    let op = form_op(&phone, &server.base, &activity).await;
    let signed = sign_up(&phone, &server.base, &activity, &op, "赵敏", "13700002222", &[("consent", "1")]).await;
    assert_eq!(signed.status(), 303);
    let link = format!("{}{}", server.base, location(&signed));
    let page = phone.get(&link).send().await.unwrap().text().await.unwrap();
    let ids: std::collections::HashSet<&str> = page.match_indices("name=\"op\" value=\"").map(|(at, _)| &page[at + 17..at + 53]).collect();
    assert!(ids.len() >= 2, "one id per form: {ids:?}");
    let used = uuid::Uuid::now_v7().to_string();
    let cancel = phone.post(&link).form(&[("op", used.as_str()), ("action", "cancel")]).send().await.unwrap();
    assert_eq!(cancel.status(), 303);
    phone.get(&link).send().await.unwrap();
    let stale = phone.post(&link).form(&[("op", used.as_str()), ("action", "erase")]).send().await.unwrap();
    assert_eq!(stale.status(), 303);
    let after = phone.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(after.contains("之前已经提交过") && !after.contains("已删除，无法再恢复"), "{after}");
    assert_ne!(field(&server.db, "signup", &location(&signed).split('/').nth(2).unwrap().to_string(), "erased").await, json!(true));
}
