//! The one write path over real HTTP against SurrealDB.

mod common;
use app::domain::ops::{OpKind, OpStatus, Operation};
use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_replayed_batch_is_accepted_as_duplicate_and_changes_nothing() {
    let server = start().await;
    let client = login(&server.base, "lixiurong").await;
    let now = now_ms();
    let batch = vec![
        set("branch", "wenxing", "phone", json!("0352-6021234"), stamp(now, "tab-a")),
        Operation::new("branch", "wenxing", OpKind::Append { list: "notes".into(), item: json!({"text": "入户走访3户"}) }, stamp(now + 1, "tab-a")),
    ];
    let first = push_ok(&server.base, &client, batch.clone()).await;
    assert!(first.results.iter().all(|r| r.status == OpStatus::Accepted && !r.duplicate), "{:?}", first.results);
    let ops_after_first = count(&server.db, "op").await;
    let notes_after_first = count(&server.db, "branch_note").await;

    let second = push_ok(&server.base, &client, batch).await;
    assert!(second.results.iter().all(|r| r.status == OpStatus::Accepted && r.duplicate), "{:?}", second.results);
    assert_eq!(count(&server.db, "op").await, ops_after_first);
    assert_eq!(count(&server.db, "branch_note").await, notes_after_first);
    assert_eq!(notes_after_first, 1);
    assert_eq!(field(&server.db, "branch", "wenxing", "phone").await, json!("0352-6021234"));
}

#[tokio::test]
async fn a_second_copy_inside_one_batch_is_applied_once() {
    let server = start().await;
    let client = login(&server.base, "lixiurong").await;
    let note = Operation::new("branch", "wenxing", OpKind::Append { list: "notes".into(), item: json!({"text": "一次"}) }, stamp(now_ms(), "t"));
    let answer = push_ok(&server.base, &client, vec![note.clone(), note]).await;
    assert!(!answer.results[0].duplicate);
    assert!(answer.results[1].duplicate);
    assert_eq!(count(&server.db, "branch_note").await, 1);
}

#[tokio::test]
async fn a_secretary_cannot_touch_another_branch() {
    let server = start().await;
    let client = login(&server.base, "lixiurong").await;
    let op = set("branch", "wenyuan", "phone", json!("0352-0000000"), stamp(now_ms(), "t"));
    let answer = push_ok(&server.base, &client, vec![op.clone()]).await;
    let result = &answer.results[0];
    assert_eq!(result.status, OpStatus::Rejected);
    assert_eq!(serde_json::to_value(&result.reason).unwrap(), json!({"code": "forbidden"}));
    assert_eq!(result.message.as_deref(), Some("您没有权限修改这条记录"));
    assert_eq!(field(&server.db, "branch", "wenyuan", "phone").await, json!(""));
    assert_eq!(applied_ops(&server.db).await, 0);
    // The refusal is logged, so a replay gets the same answer, as a duplicate.
    let replay = push_ok(&server.base, &client, vec![op]).await;
    assert_eq!((replay.results[0].status, replay.results[0].duplicate), (OpStatus::Rejected, true));
    assert_eq!(replay.results[0].reason, answer.results[0].reason);
}

#[tokio::test]
async fn the_actor_comes_from_the_session_not_the_body() {
    let server = start().await;
    let client = login(&server.base, "lixiurong").await;
    let mut op = serde_json::to_value(set("branch", "wenxing", "intro", json!("文兴社区简介"), stamp(now_ms(), "t"))).unwrap();
    op["actor"] = json!("lizhiguang");
    let id = op["id"].as_str().unwrap().to_string();
    let response = client.post(format!("{}/api/sync", server.base)).json(&json!({ "client": "tab", "ops": [op], "actor": "lizhiguang" })).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let actor = app::db::row::<String>(&server.db, "SELECT VALUE actor FROM ONLY type::record('op', $id)", json!({ "id": id })).await.unwrap();
    assert_eq!(actor.as_deref(), Some("lixiurong"));

    // A forged actor cannot lend a secretary the street's rights either.
    let mut rename = serde_json::to_value(set("branch", "wenxing", "name", json!("改名社区"), stamp(now_ms(), "t"))).unwrap();
    rename["actor"] = json!("lizhiguang");
    let response = client.post(format!("{}/api/sync", server.base)).json(&json!({ "client": "tab", "ops": [rename] })).send().await.unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["results"][0]["status"], "rejected");
    assert_eq!(field(&server.db, "branch", "wenxing", "name").await, json!("文兴社区"));
}

#[tokio::test]
async fn bad_input_gets_a_translated_reason_and_changes_nothing() {
    let server = start().await;
    let client = login(&server.base, "lixiurong").await;
    let now = now_ms();
    let cases = [
        (
            set("branch", "wenxing", "phone", json!("call me"), stamp(now, "t")),
            json!({"code": "invalid_value", "field": "phone"}),
            "“联系电话”的内容不符合要求",
        ),
        (set("branch", "wenxing", "owner", json!("x"), stamp(now, "t")), json!({"code": "unknown_field", "field": "owner"}), "不存在字段“owner”"),
        (set("secrets", "x", "a", json!("x"), stamp(now, "t")), json!({"code": "unknown_table"}), "不支持修改此类记录"),
        (set("branch", "nowhere", "phone", json!("12345"), stamp(now, "t")), json!({"code": "unknown_record"}), "记录不存在或已被删除"),
        (
            set("branch", "wenxing", "phone", json!("12345"), stamp(now + 3_600_000, "t")),
            json!({"code": "clock_ahead"}),
            "设备时间比服务器快太多，请校准设备时间后重试",
        ),
    ];
    for (op, reason, message) in cases {
        let answer = push_ok(&server.base, &client, vec![op]).await;
        let result = &answer.results[0];
        assert_eq!(result.status, OpStatus::Rejected);
        assert_eq!(serde_json::to_value(&result.reason).unwrap(), reason);
        assert_eq!(result.message.as_deref(), Some(message));
    }
    assert_eq!(field(&server.db, "branch", "wenxing", "phone").await, json!(""));
    assert_eq!(applied_ops(&server.db).await, 0);
}

#[tokio::test]
async fn one_rejected_operation_does_not_fail_the_others() {
    let server = start().await;
    let client = login(&server.base, "lixiurong").await;
    let now = now_ms();
    let answer = push_ok(
        &server.base,
        &client,
        vec![
            set("branch", "wenyuan", "phone", json!("0352-1111111"), stamp(now, "t")),
            set("branch", "wenxing", "phone", json!("0352-2222222"), stamp(now + 1, "t")),
        ],
    )
    .await;
    assert_eq!(answer.results[0].status, OpStatus::Rejected);
    assert_eq!(answer.results[1].status, OpStatus::Accepted);
    assert_eq!(field(&server.db, "branch", "wenxing", "phone").await, json!("0352-2222222"));
}

#[tokio::test]
async fn malformed_batches_are_refused_with_a_message() {
    let server = start().await;
    let client = login(&server.base, "lixiurong").await;
    let bodies = [
        "not json".to_string(),
        json!({"client": "t", "ops": [{"id": "nope"}]}).to_string(),
        json!({"client": "t", "ops": [{"id": uuid::Uuid::now_v7(), "table": "branch", "key": "wenxing", "type": "set", "fields": {}, "clock": "yesterday"}]})
            .to_string(),
        json!({"ops": []}).to_string(),
    ];
    for body in bodies {
        let response = client.post(format!("{}/api/sync", server.base)).header("content-type", "application/json").body(body.clone()).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let answer: serde_json::Value = response.json().await.unwrap();
        assert_eq!(answer["code"], "malformed");
        assert!(answer["message"].as_str().unwrap().len() > 10);
    }
    // The server is still there.
    assert_eq!(client.get(format!("{}/healthz", server.base)).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn without_a_session_nothing_is_written() {
    let server = start().await;
    let op = set("branch", "wenxing", "phone", json!("0352-6021234"), stamp(now_ms(), "t"));
    let (status, body) = push(&server.base, &client(), vec![op]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "unauthenticated");
    assert_eq!(count(&server.db, "op").await, 0);
}

#[tokio::test]
async fn fields_merge_last_writer_wins_by_clock() {
    let server = start().await;
    let secretary = login(&server.base, "lixiurong").await;
    let staff = login(&server.base, "zhangxiaoyan").await;
    let now = now_ms();
    // The staff member's tablet edited later, but its batch arrives first.
    push_ok(&server.base, &staff, vec![set("branch", "wenxing", "address", json!("新地址"), stamp(now, "tab-b"))]).await;
    let late = push_ok(&server.base, &secretary, vec![set("branch", "wenxing", "address", json!("旧地址"), stamp(now - 60_000, "tab-a"))]).await;
    assert_eq!(late.results[0].status, OpStatus::Accepted);
    assert_eq!(late.results[0].superseded, vec!["address".to_string()]);
    assert_eq!(field(&server.db, "branch", "wenxing", "address").await, json!("新地址"));
    // The answer's clock is past every stamp it has seen.
    assert!(late.clock > stamp(now, "tab-b"));
}

#[tokio::test]
async fn a_password_change_goes_through_the_write_path() {
    let server = start().await;
    let other_device = login(&server.base, "guojing").await;
    let client = login(&server.base, "guojing").await;
    let change = |current: &str, new: &str| {
        Operation::new("account", "guojing", OpKind::ChangePassword { current: current.into(), new: new.into() }, stamp(now_ms(), "t"))
    };
    let wrong = push_ok(&server.base, &client, vec![change("Not-it-123", "Taihe-2027!")]).await;
    assert_eq!(wrong.results[0].message.as_deref(), Some("当前密码不正确"));
    let weak = push_ok(&server.base, &client, vec![change(DEMO_PASSWORD, "taihe")]).await;
    assert_eq!(weak.results[0].message.as_deref(), Some("新密码至少需要 8 位"));
    let ok = push_ok(&server.base, &client, vec![change(DEMO_PASSWORD, "Taihe-2027!")]).await;
    assert_eq!(ok.results[0].status, OpStatus::Accepted);

    // The log never holds a password.
    let logged: Vec<serde_json::Value> = app::db::rows(&server.db, "SELECT kind FROM op", json!({}), 0).await.unwrap();
    assert!(!serde_json::to_string(&logged).unwrap().contains("Taihe-2027"));
    // Other sessions end; this one goes on.
    let (status, _) = push(&server.base, &other_device, vec![]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = push(&server.base, &client, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    // Only the new password signs in.
    let fresh = common::client();
    let old = try_login(&server.base, &fresh, "guojing", DEMO_PASSWORD).await;
    assert!(old.headers().get("set-cookie").is_none());
    let new = try_login(&server.base, &fresh, "guojing", "Taihe-2027!").await;
    assert!(new.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap().starts_with("xf_session=")));
}

/// Argon2 stays out of the writer: a push of a hundred password changes with wrong
/// current passwords checks one (counted towards the lock like a sign-in), and another
/// person's push is not held up behind it.
#[tokio::test]
async fn wrong_current_passwords_count_towards_the_lock_and_hold_up_nobody() {
    let server = start().await;
    let hostile = login(&server.base, "guojing").await;
    let other = login(&server.base, "lixiurong").await;
    let changes: Vec<Operation> = (0..100)
        .map(|i| {
            Operation::new("account", "guojing", OpKind::ChangePassword { current: format!("Not-it-{i:03}"), new: "Taihe-2027!".into() }, stamp(now_ms(), "t"))
        })
        .collect();
    let same_session = hostile.clone();
    let hostile_push = {
        let base = server.base.clone();
        tokio::spawn(async move { push_ok(&base, &hostile, changes).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let started = std::time::Instant::now();
    push_ok(&server.base, &other, vec![set("branch", "wenxing", "phone", json!("0352-6021239"), stamp(now_ms(), "tab-o"))]).await;
    let waited = started.elapsed();
    let answer = hostile_push.await.unwrap();
    assert_eq!(answer.results[0].message.as_deref(), Some("当前密码不正确"));
    assert!(answer.results[1..].iter().all(|r| r.message.as_deref() == Some("一次只能修改一次密码，请稍后再试")), "{:?}", answer.results[1]);
    assert!(waited < std::time::Duration::from_millis(1_500), "another person's push waited {waited:?}");
    let failed: u32 = app::db::row(&server.db, "SELECT VALUE failed_logins FROM ONLY account:guojing", json!({})).await.unwrap().unwrap();
    assert_eq!(failed, 1, "one wrong current password, counted");

    // Four more wrong ones lock the account: the right password no longer signs in.
    for i in 0..4 {
        let op =
            Operation::new("account", "guojing", OpKind::ChangePassword { current: format!("Again-no-{i}"), new: "Taihe-2027!".into() }, stamp(now_ms(), "t"));
        push_ok(&server.base, &same_session, vec![op]).await;
    }
    let refused = try_login(&server.base, &common::client(), "guojing", DEMO_PASSWORD).await;
    assert!(refused.headers().get("set-cookie").is_none(), "locked after five wrong passwords of either kind");
}

#[tokio::test]
async fn nobody_changes_another_persons_password() {
    let server = start().await;
    let street = login(&server.base, "lizhiguang").await;
    let op = Operation::new("account", "guojing", OpKind::ChangePassword { current: DEMO_PASSWORD.into(), new: "Taken-over-1".into() }, stamp(now_ms(), "t"));
    let answer = push_ok(&server.base, &street, vec![op]).await;
    assert_eq!(serde_json::to_value(&answer.results[0].reason).unwrap(), json!({"code": "forbidden"}));
}

#[tokio::test]
async fn concurrent_pushes_grouped_into_one_commit_are_each_answered_with_their_own_results() {
    use app::domain::ops::{OpKind, OpStatus, Operation};
    let server = start().await;
    let secretaries = [
        ("lixiurong", "wenxing"),
        ("zhouhong", "wenyuan"),
        ("guojing", "taihe"),
        ("hanlei", "wenying"),
        ("fengli", "yuhedong"),
        ("yangfan", "xinghe"),
        ("shiguoqiang", "shijiazhai"),
        ("gaojianjun", "shuibosi"),
        ("majun", "majiaxiao"),
        ("wangyong", "dongwangzhuang"),
    ];
    let mut clients = Vec::new();
    for (who, branch) in secretaries {
        clients.push((login(&server.base, who).await, branch));
    }
    let before = count(&server.db, "branch_note").await;
    let note = |branch: &str, text: &str| {
        Operation::new("branch", branch, OpKind::Append { list: "notes".into(), item: serde_json::json!({ "text": text }) }, stamp(now_ms(), branch))
    };
    // All at once: the writer gathers what arrives together into one transaction; one
    // refused operation in each push fails neither its push nor the others.
    let pushes = clients.iter().map(|(client, branch)| {
        let ops = vec![
            note(branch, &format!("{branch} 一")),
            set("branch", branch, "phone", serde_json::json!("x".repeat(30)), stamp(now_ms(), branch)),
            note(branch, &format!("{branch} 二")),
        ];
        let ids: Vec<_> = ops.iter().map(|o| o.id).collect();
        let base = server.base.clone();
        async move { (ids, push_ok(&base, client, ops).await) }
    });
    for (ids, answer) in futures::future::join_all(pushes).await {
        assert_eq!(answer.results.iter().map(|r| r.id).collect::<Vec<_>>(), ids);
        let statuses: Vec<_> = answer.results.iter().map(|r| r.status).collect();
        assert_eq!(statuses, vec![OpStatus::Accepted, OpStatus::Rejected, OpStatus::Accepted]);
    }
    assert_eq!(count(&server.db, "branch_note").await, before + 20);
}

#[tokio::test]
async fn one_devices_operations_apply_in_their_numbers_order() {
    let server = start().await;
    let client = login(&server.base, "lixiurong").await;
    let numbered = |n: u64, text: &str| {
        let mut op = app::domain::ops::Operation::new(
            "branch",
            "wenxing",
            app::domain::ops::OpKind::Append { list: "notes".into(), item: json!({ "text": text }) },
            stamp(now_ms(), "t"),
        );
        op.n = Some(n);
        op
    };
    let (first, second, third) = (numbered(1, "一"), numbered(2, "二"), numbered(3, "三"));
    // The third arrives before the second: it waits, applied nowhere.
    let early = push_ok(&server.base, &client, vec![first.clone(), third.clone()]).await;
    assert_eq!(early.results[0].status, OpStatus::Accepted);
    assert_eq!(early.results[1].status, OpStatus::Retry);
    assert_eq!(serde_json::to_value(&early.results[1].reason).unwrap(), json!({ "code": "out_of_order", "expected": 2 }));
    assert_eq!(count(&server.db, "branch_note").await, 1);
    // In order, all goes; a replay below the mark is a duplicate.
    let rest = push_ok(&server.base, &client, vec![first.clone(), second, third]).await;
    assert!(rest.results[0].duplicate);
    assert!(rest.results[1..].iter().all(|r| r.status == OpStatus::Accepted && !r.duplicate), "{:?}", rest.results);
    assert_eq!(count(&server.db, "branch_note").await, 3);
    // A new operation with a used number (a device that lost its counter) is sent back
    // to be numbered again from the mark, and is not applied under the old number.
    let reused = numbered(2, "四");
    let answer = push_ok(&server.base, &client, vec![reused]).await;
    assert_eq!(answer.results[0].status, OpStatus::Retry);
    assert_eq!(serde_json::to_value(&answer.results[0].reason).unwrap(), json!({ "code": "number_used", "next": 4 }));
    assert_eq!(count(&server.db, "branch_note").await, 3);
    // Numbers are per person on a device: another person on the same tablet starts at 1.
    let other = login(&server.base, "zhangxiaoyan").await;
    let theirs = push_ok(&server.base, &other, vec![numbered(1, "五")]).await;
    assert_eq!(theirs.results[0].status, OpStatus::Accepted);
}

/// A crafted clock — counter at its widest, a few seconds ahead — on an operation the
/// server refuses must not reach the clock every device reads in its answers.
#[tokio::test]
async fn a_crafted_clock_leaves_every_answer_readable() {
    let server = start().await;
    let hostile = login(&server.base, "lixiurong").await;
    let crafted = app::domain::hlc::Stamp { ms: now_ms() + 3_000, counter: app::domain::hlc::MAX_COUNTER, node: "tab-x".into() };
    let refused = set("branch", "wenxing", "no_such_field", json!("x"), crafted.clone());
    let (status, answer) = push(&server.base, &hostile, vec![refused]).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["results"][0]["status"], json!("rejected"), "{answer}");
    // Accepted, the same stamp moves the clock to the next millisecond, never to a
    // seven-digit counter.
    let accepted = set("branch", "wenxing", "phone", json!("0352-6021235"), crafted.clone());
    let answer = push_ok(&server.base, &hostile, vec![accepted]).await;
    assert!(answer.clock > crafted);
    // Another person's push is answered with a clock their device can read.
    let other = login(&server.base, "guojing").await;
    let (status, raw) = push(&server.base, &other, vec![set("branch", "taihe", "phone", json!("0352-6021236"), stamp(now_ms(), "tab-g"))]).await;
    assert_eq!(status, StatusCode::OK, "{raw}");
    let clock: app::domain::hlc::Stamp = serde_json::from_value(raw["clock"].clone()).expect("a clock the device reads");
    assert!(clock > crafted);
}

/// An operation that names a related record by something that is no record key (an empty
/// project of a task, mentor of a session, activity of a sign-up, liaison leader) is
/// refused with a reason, never answered as the server's failure (found by the fuzz test
/// once it drew tables from the registry).
#[tokio::test]
async fn an_operation_naming_no_record_is_refused_not_a_server_error() {
    let server = start().await;
    let secretary = login(&server.base, "guojing").await;
    let ms = now_ms();
    let create = |table: &str, key: &str, fields: serde_json::Value, n: u64| {
        let fields = fields.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        Operation::new(table, key, OpKind::Create { fields }, stamp(ms + n, "tab-n"))
    };
    let ops = vec![
        create("gantt_task", "t-nokey", json!({}), 1),
        create("gantt_task", "t-nokey2", json!({ "project": "", "branch": "taihe" }), 2),
        create("mentor_session", "s-nokey", json!({}), 3),
        create("mentor_session", "s-nokey2", json!({ "mentor": "", "branch": "taihe", "date": "2026-05-01", "project": "" }), 4),
        create("signup", "u-nokey", json!({ "activity": "" }), 5),
    ];
    let (status, answer) = push(&server.base, &secretary, ops).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    for result in answer["results"].as_array().expect("results") {
        assert_eq!(result["status"], json!("rejected"), "{answer}");
        assert!(result["message"].as_str().is_some_and(|m| !m.is_empty()), "{answer}");
    }
}
