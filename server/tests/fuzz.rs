//! Property tests of the write path over real HTTP: whatever a client sends, the server
//! answers without an error of its own — a malformed body is a 4xx with a reason, and a
//! well-formed batch is answered operation by operation, each accepted or refused with a
//! reason (one bad operation never fails the batch). Run with more cases by setting
//! `PROPTEST_CASES`.

mod common;

use app::domain::hlc::Stamp;
use app::domain::ops::{OpKind, OpStatus, Operation, SyncRequest, SyncResponse};
use app::domain::records;
use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Names no operation may write, beside every field the registry knows.
const FORBIDDEN_FIELDS: &[&str] = &["clocks", "id", "seq", "password_hash", "phone_hash", "name_cipher", "erased", "status"];
/// Names that are no table an operation may write, beside every table of the registry.
const NOT_TABLES: &[&str] = &["op", "session", "audit", "sync_seq", ""];

/// Every table and every field of the registry (`domain::records`), and some that are not.
fn tables() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = records::TABLES.iter().map(|t| t.name()).collect();
    // The project, where most rules live, drawn more often.
    names.extend(["project", "project"]);
    names.extend(NOT_TABLES);
    names
}

fn field_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = records::TABLES.iter().flat_map(|t| t.fields().iter().map(|f| f.name)).collect();
    names.extend(FORBIDDEN_FIELDS);
    names.sort_unstable();
    names.dedup();
    names
}

/// Lists of the registry's tables' items, and some that are none.
const LISTS: &[&str] = &["comments", "notes", "team", "photos", ""];
const STATES: &[&str] = &["draft", "submitted", "in_review", "returned", "filed", "in_progress", "completed", "deleted", ""];

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (0i64..3_000_000).prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        "\\PC{0,70}".prop_map(Value::String),
        prop::sample::select(vec!["livelihood", "key", "micro", "2026-03-01", " 带空格 ", "hotspot", "wanghaitao", "", "x"]).prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..3).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn fields() -> impl Strategy<Value = BTreeMap<String, Value>> {
    prop::collection::btree_map(prop::sample::select(field_names()).prop_map(|f: &str| f.to_string()), value(), 0..4)
}

fn operation(key: String) -> impl Strategy<Value = Operation> {
    let kind = prop_oneof![
        4 => fields().prop_map(|fields| OpKind::Set { fields }),
        1 => fields().prop_map(|fields| OpKind::Create { fields }),
        1 => (prop::sample::select(LISTS.to_vec()), value()).prop_map(|(l, item)| OpKind::Append { list: l.into(), item }),
        2 => (prop::sample::select(STATES.to_vec()), prop::option::of("\\PC{0,20}")).prop_map(|(to, note)| OpKind::Transition { to: to.into(), note }),
    ];
    // The draft project, random keys, and records of the demo's other tables.
    let known = vec!["wenxing", "taihe", "guojing", "act_today", "act01", "p016", "p031"].into_iter().map(String::from).collect::<Vec<_>>();
    let record: BoxedStrategy<String> = prop_oneof![4 => Just(key), 1 => "[a-z0-9]{0,12}".prop_map(|s: String| s), 2 => prop::sample::select(known)].boxed();
    // Clocks now, a little ahead, or far in the future (which must be refused).
    let ahead = prop_oneof![5 => 0u64..1_000, 1 => Just(3_600_000u64)];
    (prop::sample::select(tables()), record, kind, ahead, 0u32..1000).prop_map(|(table, key, kind, ahead, counter): (&str, String, OpKind, u64, u32)| {
        let clock = Stamp { ms: now_ms() + ahead, counter, node: "fuzz".into() };
        let mut op = Operation::new(table, &key, kind, clock);
        if let OpKind::Set { fields } = &op.kind {
            op.base = fields.keys().map(|f| (f.clone(), String::new())).collect::<BTreeMap<_, _>>();
        }
        op
    })
}

#[test]
fn any_batch_is_answered_op_by_op_and_never_fails_as_a_whole() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (server, client, key) = runtime.block_on(async {
        let server = start().await;
        let client = login(&server.base, "guojing").await;
        let key: String =
            app::db::row(&server.db, "SELECT VALUE record::id(id) FROM project WHERE branch = 'taihe' AND status = 'draft'", json!({})).await.unwrap().unwrap();
        (server, client, key)
    });
    let mut runner = TestRunner::new(Config { cases: cases(64), failure_persistence: None, ..Config::default() });
    runner
        .run(&prop::collection::vec(operation(key), 1..12), |ops| {
            let (status, body) = runtime.block_on(async {
                let response =
                    client.post(format!("{}/api/sync", server.base)).json(&SyncRequest { client: "fuzz".into(), ops: ops.clone() }).send().await.unwrap();
                (response.status(), response.text().await.unwrap_or_default())
            });
            prop_assert_eq!(status, reqwest::StatusCode::OK, "{}", body);
            let answer: SyncResponse = serde_json::from_str(&body).unwrap();
            prop_assert_eq!(answer.results.len(), ops.len());
            for (op, result) in ops.iter().zip(&answer.results) {
                prop_assert_eq!(op.id, result.id);
                if result.status == OpStatus::Rejected {
                    prop_assert!(result.reason.is_some() && result.message.as_deref().is_some_and(|m| !m.is_empty()), "{:?}", result);
                }
            }
            Ok(())
        })
        .unwrap();
    // Still serving.
    runtime.block_on(async {
        let answer = push_ok(&server.base, &client, vec![set("project", "nope", "goals", json!("x"), stamp(now_ms(), "fuzz"))]).await;
        assert_eq!(answer.results[0].status, OpStatus::Rejected);
    });
}

#[test]
fn any_body_is_refused_with_a_reason_never_with_a_server_error() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (server, client) = runtime.block_on(async {
        let server = start().await;
        let client = login(&server.base, "guojing").await;
        (server, client)
    });
    let valid = json!({ "client": "fuzz", "ops": [{ "id": "0190f5f2-7d6e-7cc0-8f00-000000000001", "table": "project", "key": "p1", "type": "set", "fields": { "goals": "x" }, "clock": "000001700000000-000000-fuzz" }] }).to_string();
    // Random text, and the valid body cut or with a byte changed.
    let body = prop_oneof![
        "\\PC{0,200}",
        (0usize..valid.len()).prop_map({
            let v = valid.clone();
            move |n| v[..v.char_indices().map(|(i, _)| i).filter(|i| *i <= n).last().unwrap_or(0)].to_string()
        }),
        (0usize..valid.len(), any::<char>()).prop_map({
            let v = valid.clone();
            move |(n, c)| {
                let mut s: Vec<char> = v.chars().collect();
                let i = n % s.len();
                s[i] = c;
                s.into_iter().collect()
            }
        }),
    ];
    let mut runner = TestRunner::new(Config { cases: cases(96), failure_persistence: None, ..Config::default() });
    runner
        .run(&body, |body| {
            let (status, text) = runtime.block_on(async {
                let response =
                    client.post(format!("{}/api/sync", server.base)).header("content-type", "application/json").body(body.clone()).send().await.unwrap();
                (response.status(), response.text().await.unwrap_or_default())
            });
            prop_assert!(status.is_success() || status.is_client_error(), "{} for {:?}: {}", status, body, text);
            if status.is_client_error() {
                let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                prop_assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", text);
            }
            Ok(())
        })
        .unwrap();
}

/// Cases per property: `PROPTEST_CASES` for a longer run.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
