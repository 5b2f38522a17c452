//! Pull by cursor, conflicts told to the side that lost, and live events, over real HTTP.

mod common;

use app::domain::ops::{OpKind, OpStatus, Operation, SyncRequest, SyncResponse};
use app::domain::replica::{PullRequest, PullResponse};
use common::*;
use reqwest::Client;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn pull(base: &str, client: &Client, device: &str, since: Option<i64>) -> PullResponse {
    let response = client.post(format!("{base}/api/pull")).json(&PullRequest { client: device.into(), since }).send().await.expect("pull");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    response.json().await.expect("pull answer")
}

async fn push_from(base: &str, client: &Client, device: &str, ops: Vec<Operation>) -> SyncResponse {
    let response = client.post(format!("{base}/api/sync")).json(&SyncRequest { client: device.into(), ops }).send().await.expect("push");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    response.json().await.expect("sync answer")
}

async fn draft_of_taihe(server: &TestServer) -> String {
    app::db::row::<String>(&server.db, "SELECT VALUE record::id(id) FROM project WHERE branch = 'taihe' AND status = 'draft'", json!({}))
        .await
        .expect("query")
        .expect("a draft in the demo")
}

/// A `set` made against what the device saw (`base`), as the browser makes it.
fn edit(key: &str, field: &str, value: Value, ms: u64, device: &str, base: &str) -> Operation {
    let mut op = Operation::new("project", key, OpKind::Set { fields: [(field.to_string(), value)].into() }, stamp(ms, device));
    op.base = [(field.to_string(), base.to_string())].into();
    op
}

#[tokio::test]
async fn a_pull_gives_the_working_set_then_only_what_changed() {
    let server = start().await;
    let secretary = login(&server.base, "guojing").await;
    let all = pull(&server.base, &secretary, "tab-a", Some(-1)).await;
    let projects: Vec<_> = all.records.iter().filter(|r| r.table == "project").collect();
    assert!(projects.len() >= 4, "taihe has four demo projects");
    assert!(projects.iter().all(|p| p.text("branch") == Some("taihe")), "only the person's own branch");
    let people: Vec<_> = all.records.iter().filter(|r| r.table == "account").collect();
    assert!(people.iter().any(|a| a.text("role") == Some("liaison_leader")));
    assert!(people.iter().all(|a| !a.fields.contains_key("phone") && !a.fields.contains_key("password_hash")));
    assert!(all.records.iter().any(|r| r.table == "catalog_entry"));

    let key = draft_of_taihe(&server).await;
    let answer = push_from(&server.base, &secretary, "tab-a", vec![set("project", &key, "goals", json!("为老人圆梦"), stamp(now_ms(), "tab-a"))]).await;
    assert_eq!(answer.results[0].status, OpStatus::Accepted);
    let since = pull(&server.base, &secretary, "tab-a", Some(all.cursor)).await;
    assert_eq!(since.records.len(), 1, "{:?}", since.records);
    assert_eq!(since.records[0].text("goals"), Some("为老人圆梦"));
    assert!(since.records[0].seq > all.cursor && since.cursor >= since.records[0].seq);
    // Without a cursor the server uses the one it keeps for this device.
    let kept = pull(&server.base, &secretary, "tab-a", None).await;
    assert!(kept.records.is_empty(), "{:?}", kept.records);
    assert_eq!(kept.cursor, since.cursor);

    // Another branch's change is not in this person's pull.
    let other = login(&server.base, "zhouhong").await;
    let wenyuan: String = app::db::row(&server.db, "SELECT VALUE record::id(id) FROM project WHERE branch = 'wenyuan' AND status = 'filed' LIMIT 1", json!({}))
        .await
        .unwrap()
        .unwrap();
    push_from(
        &server.base,
        &other,
        "tab-z",
        vec![Operation::new("project", &wenyuan, OpKind::Transition { to: "in_progress".into(), note: None }, stamp(now_ms(), "tab-z"))],
    )
    .await;
    let after = pull(&server.base, &secretary, "tab-a", Some(kept.cursor)).await;
    assert!(after.records.is_empty());
    assert!(after.cursor > kept.cursor, "the cursor still moves past commits the person cannot see");
}

#[tokio::test]
async fn concurrent_offline_edits_converge_and_the_loser_is_told_both_values() {
    let server = start().await;
    let a = login(&server.base, "guojing").await;
    let b = login(&server.base, "guojing").await;
    let key = draft_of_taihe(&server).await;
    let seen = pull(&server.base, &a, "tab-a", Some(-1)).await;
    let record = seen.records.iter().find(|r| r.key == key).unwrap();
    let base_title = record.clocks.get("title").cloned().unwrap_or_default();
    let base_goals = record.clocks.get("goals").cloned().unwrap_or_default();
    let t = now_ms();

    // Both edit the title offline; the earlier edit reaches the server first and is
    // then replaced by the later one: the first device learns it lost on its next pull.
    let first = push_from(&server.base, &a, "tab-a", vec![edit(&key, "title", json!("甲的标题"), t, "tab-a", &base_title)]).await;
    assert!(first.results[0].superseded.is_empty());
    let second = push_from(&server.base, &b, "tab-b", vec![edit(&key, "title", json!("乙的标题"), t + 5, "tab-b", &base_title)]).await;
    assert!(second.results[0].superseded.is_empty());

    // The other way round on another field: the later edit arrives first, so the earlier
    // one is answered as superseded at once.
    let later = push_from(&server.base, &b, "tab-b", vec![edit(&key, "goals", json!("乙的目标"), t + 10, "tab-b", &base_goals)]).await;
    assert!(later.results[0].superseded.is_empty());
    let earlier = push_from(&server.base, &a, "tab-a", vec![edit(&key, "goals", json!("甲的目标"), t + 8, "tab-a", &base_goals)]).await;
    assert_eq!(earlier.results[0].superseded, vec!["goals".to_string()]);

    let pulled_a = pull(&server.base, &a, "tab-a", Some(-1)).await;
    let pulled_b = pull(&server.base, &b, "tab-b", Some(-1)).await;
    let mine = |p: &PullResponse| p.records.iter().find(|r| r.key == key).cloned().unwrap();
    assert_eq!(mine(&pulled_a), mine(&pulled_b), "both devices hold the same record");
    assert_eq!(mine(&pulled_a).text("title"), Some("乙的标题"));
    assert_eq!(mine(&pulled_a).text("goals"), Some("乙的目标"));
    assert_eq!(pulled_a.conflicts.len(), 1, "{:?}", pulled_a.conflicts);
    let note = &pulled_a.conflicts[0];
    assert_eq!((note.field.as_str(), &note.yours, &note.winner), ("title", &json!("甲的标题"), &json!("乙的标题")));
    assert_eq!(note.winner_name, "郭静");
    assert!(pulled_b.conflicts.is_empty(), "the winner has nothing to resolve");

    // An edit made after seeing the other's value is no conflict.
    let now_title = mine(&pulled_a).clocks["title"].clone();
    push_from(&server.base, &a, "tab-a", vec![edit(&key, "title", json!("商量后的标题"), t + 20, "tab-a", &now_title)]).await;
    assert!(pull(&server.base, &b, "tab-b", Some(pulled_b.cursor)).await.conflicts.is_empty());
}

#[tokio::test]
async fn an_accepted_change_is_announced_to_live_listeners_within_a_second() {
    let server = start().await;
    let watcher = login(&server.base, "lizhiguang").await;
    let editor = login(&server.base, "guojing").await;
    let unauthenticated = client().get(format!("{}/api/events", server.base)).send().await.unwrap();
    assert_eq!(unauthenticated.status(), reqwest::StatusCode::UNAUTHORIZED);
    let mut events = watcher.get(format!("{}/api/events", server.base)).send().await.expect("events");
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    let first = tokio::time::timeout(Duration::from_secs(2), events.chunk()).await.expect("a first event").unwrap().unwrap();
    let text = String::from_utf8_lossy(&first).to_string();
    let start_seq: i64 = text.lines().find_map(|l| l.strip_prefix("data:")).unwrap().trim().parse().unwrap();

    let key = draft_of_taihe(&server).await;
    let sent = Instant::now();
    push_from(&server.base, &editor, "tab-e", vec![set("project", &key, "goals", json!("直播"), stamp(now_ms(), "tab-e"))]).await;
    let mut seen = None;
    while sent.elapsed() < Duration::from_secs(1) {
        let Ok(Ok(Some(chunk))) = tokio::time::timeout(Duration::from_millis(900), events.chunk()).await else { break };
        let text = String::from_utf8_lossy(&chunk).to_string();
        if let Some(seq) = text.lines().filter_map(|l| l.strip_prefix("data:")).filter_map(|d| d.trim().parse::<i64>().ok()).max() {
            if seq > start_seq {
                seen = Some((seq, sent.elapsed()));
                break;
            }
        }
    }
    let (seq, after) = seen.expect("a change event within one second");
    assert!(after < Duration::from_secs(1));
    let since = pull(&server.base, &watcher, "desk", Some(seq - 1)).await;
    assert!(since.records.iter().any(|r| r.key == key), "the announced commit holds the change");
}

#[tokio::test]
async fn a_device_id_gives_nobody_else_its_notes_or_its_cursor() {
    let server = start().await;
    let a = login(&server.base, "guojing").await;
    let b = login(&server.base, "guojing").await;
    let key = draft_of_taihe(&server).await;
    let seen = pull(&server.base, &a, "tab-a", Some(-1)).await;
    let base = seen.records.iter().find(|r| r.key == key).unwrap().clocks.get("title").cloned().unwrap_or_default();
    let t = now_ms();
    for (client, device, title, ms) in [(&a, "tab-a", "甲的标题", t), (&b, "tab-b", "乙的标题", t + 5)] {
        let answer = push_from(&server.base, client, device, vec![edit(&key, "title", json!(title), ms, device, &base)]).await;
        assert_eq!(answer.results[0].status, OpStatus::Accepted);
    }
    // Someone else who knows the device's id (it is in every clock stamp) learns nothing.
    let other = login(&server.base, "zhouhong").await;
    let stolen = pull(&server.base, &other, "tab-a", Some(-1)).await;
    assert!(stolen.conflicts.is_empty());
    assert!(stolen.records.iter().all(|r| r.table != "project" || r.text("branch") == Some("wenyuan")));
    // The device's own person still gets the note, and their cursor was not moved.
    assert_eq!(pull(&server.base, &a, "tab-a", None).await.conflicts.len(), 1);
}

/// Rosters open on a tablet offline: the branch's volunteer tables are in its staff's
/// pull, with residents only masked; other branches' and other roles' pulls hold none.
#[tokio::test]
async fn branch_staff_pull_their_volunteer_tables_with_residents_masked() {
    let server = start().await;
    let staff = login(&server.base, "zhangxiaoyan").await;
    let held = pull(&server.base, &staff, "tab-v", Some(-1)).await;
    let of = |table: &str| held.records.iter().filter(|r| r.table == table).collect::<Vec<_>>();
    let signups = of("signup");
    let in_db: Vec<Value> = app::db::rows(&server.db, "SELECT VALUE id FROM signup WHERE branch = 'wenxing'", json!({}), 0).await.unwrap();
    assert!(!in_db.is_empty(), "the demo has wenxing's sign-ups");
    assert_eq!(signups.len(), in_db.len(), "every sign-up of the branch");
    for signup in &signups {
        assert!(signup.text("name_mask").is_some_and(|m| !m.is_empty()), "{signup:?}");
        for sealed in ["name_cipher", "phone_cipher", "phone_hash"] {
            assert!(!signup.fields.contains_key(sealed), "{sealed} left the server: {signup:?}");
        }
    }
    let activities = of("activity");
    assert!(!activities.is_empty() && activities.iter().all(|a| a.text("branch") == Some("wenxing")));
    assert!(signups.iter().all(|s| activities.iter().any(|a| Some(a.key.as_str()) == s.text("activity"))), "each sign-up's activity is held too");
    assert!(!of("volunteer_team").is_empty());
    assert!(of("brand").iter().any(|b| b.key == "wenxing"));

    // Another branch's secretary holds none of wenxing's; a mentor holds no residents.
    let other = pull(&server.base, &login(&server.base, "guojing").await, "tab-g", Some(-1)).await;
    assert!(other
        .records
        .iter()
        .filter(|r| ["signup", "activity", "volunteer_team", "partner"].contains(&r.table.as_str()))
        .all(|r| r.text("branch") == Some("taihe")));
    let mentor = pull(&server.base, &login(&server.base, "liujianguo").await, "tab-m", Some(-1)).await;
    assert!(!mentor.records.iter().any(|r| ["signup", "activity", "partner"].contains(&r.table.as_str())));
}

/// One sign-in holds at most four event streams, and they end when it signs out.
#[tokio::test]
async fn event_streams_are_capped_per_sign_in_and_end_with_it() {
    let server = start().await;
    let person = login(&server.base, "lizhiguang").await;
    let mut open = Vec::new();
    for _ in 0..4 {
        let stream = person.get(format!("{}/api/events", server.base)).send().await.unwrap();
        assert_eq!(stream.status(), reqwest::StatusCode::OK);
        open.push(stream);
    }
    let fifth = person.get(format!("{}/api/events", server.base)).send().await.unwrap();
    assert_eq!(fifth.status(), reqwest::StatusCode::TOO_MANY_REQUESTS);
    // Another person's streams are their own.
    let other = login(&server.base, "wangmin").await;
    assert_eq!(other.get(format!("{}/api/events", server.base)).send().await.unwrap().status(), reqwest::StatusCode::OK);

    // A closed stream frees its place.
    drop(open.pop());
    let mut again = None;
    for _ in 0..50 {
        let stream = person.get(format!("{}/api/events", server.base)).send().await.unwrap();
        if stream.status() == reqwest::StatusCode::OK {
            again = Some(stream);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut stream = again.expect("a place once a stream closed");
    person.post(format!("{}/api/logout", server.base)).send().await.unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(25), async { while let Ok(Some(_)) = stream.chunk().await {} }).await;
    assert!(ended.is_ok(), "the stream ends after sign-out");
}
