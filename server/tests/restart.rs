//! The real binary on embedded SurrealKV, killed with SIGKILL and started again:
//! every accepted operation is still there.

mod common;
use common::*;
use std::time::Duration;

#[tokio::test]
async fn accepted_operations_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("xianfeng.db");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");

    let mut server = launch(&format!("surrealkv://{}", db_path.display()), port, &[]).await;
    let client = login(&base, "lixiurong").await;
    let mut accepted = Vec::new();
    for i in 0..20 {
        let note = app::domain::ops::Operation::new(
            "branch",
            "wenxing",
            app::domain::ops::OpKind::Append { list: "notes".into(), item: serde_json::json!({ "text": format!("记事 {i}") }) },
            stamp(now_ms(), "tab"),
        );
        let answer = push_ok(&base, &client, vec![note.clone()]).await;
        assert_eq!(answer.results[0].status, app::domain::ops::OpStatus::Accepted);
        accepted.push(note);
    }
    push_ok(&base, &client, vec![set("branch", "wenxing", "phone", serde_json::json!("0352-7654321"), stamp(now_ms(), "tab"))]).await;
    // SIGKILL: no graceful shutdown, no flush on exit.
    server.kill_9();
    drop(server);

    let _server = launch(&format!("surrealkv://{}", db_path.display()), port, &[]).await;
    let client = login(&base, "lixiurong").await;
    let page = client.get(format!("{base}/branches/wenxing")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("0352-7654321"), "the phone number survived");
    assert!(page.contains("记事 19") && page.contains("记事 0"), "the notes survived");
    // Replaying them now changes nothing: the log survived too.
    let replay = push_ok(&base, &client, accepted).await;
    assert!(replay.results.iter().all(|r| r.duplicate));
}

/// Counts rows straight from the database file, with the server stopped.
async fn count_on_disk(db: &server::db::Db, sql: &str) -> usize {
    let rows: Vec<serde_json::Value> = app::db::rows(db, sql, serde_json::json!({}), 0).await.expect("count");
    rows.first().and_then(|r| r["n"].as_u64()).unwrap_or(0) as usize
}

#[tokio::test]
async fn a_batch_cut_by_kill_9_is_retried_and_every_operation_applied_exactly_once() {
    use app::domain::ops::{OpKind, OpStatus, Operation, SyncRequest, SyncResponse, MAX_BATCH};
    const TOTAL: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("xianfeng.db");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let run = uuid::Uuid::now_v7().simple().to_string();
    let ops: Vec<Operation> = (0..TOTAL)
        .map(|i| {
            Operation::new(
                "branch",
                "wenxing",
                OpKind::Append { list: "notes".into(), item: serde_json::json!({ "text": format!("{run} {i}") }) },
                stamp(now_ms(), "tab-k"),
            )
        })
        .collect();
    let batches: Vec<Vec<Operation>> = ops.chunks(MAX_BATCH).map(|c| c.to_vec()).collect();

    let mut server = launch(&format!("surrealkv://{}", db_path.display()), port, &[]).await;
    let client = login(&base, "lixiurong").await;
    let send = |client: reqwest::Client, batch: Vec<Operation>| {
        let url = format!("{base}/api/sync");
        async move {
            let response = client.post(url).json(&SyncRequest { client: "tab-k".into(), ops: batch }).send().await.ok()?;
            if !response.status().is_success() {
                return None;
            }
            response.json::<SyncResponse>().await.ok()
        }
    };
    // The first batches are answered; the next is cut by SIGKILL while the server applies it.
    let mut answered: Vec<Option<SyncResponse>> = vec![None; batches.len()];
    for (n, batch) in batches.iter().enumerate().take(4) {
        answered[n] = Some(send(client.clone(), batch.clone()).await.expect("answered before the kill"));
    }
    let in_flight = tokio::spawn(send(client.clone(), batches[4].clone()));
    tokio::time::sleep(Duration::from_millis(40)).await;
    server.kill_9();
    drop(server);
    assert!(in_flight.await.unwrap().is_none(), "the cut batch got no answer");

    // The client retries every batch it has no answer for, and one it has (a duplicate push).
    let _server = launch(&format!("surrealkv://{}", db_path.display()), port, &[]).await;
    let client = login(&base, "lixiurong").await;
    let again = send(client.clone(), batches[3].clone()).await.expect("answered after the restart");
    assert!(again.results.iter().all(|r| r.status == OpStatus::Accepted && r.duplicate), "a batch sent twice is applied once");
    for n in 4..batches.len() {
        answered[n] = Some(send(client.clone(), batches[n].clone()).await.expect("answered after the restart"));
    }
    let accepted: usize = answered.iter().flatten().map(|a| a.results.iter().filter(|r| r.status == OpStatus::Accepted).count()).sum();
    assert_eq!(accepted, TOTAL, "every operation is answered as accepted");
    drop(_server);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let db = server::db::open(&format!("surrealkv://{}", db_path.display())).await.expect("open the file");
    let notes = count_on_disk(&db, &format!("SELECT count() AS n FROM branch_note WHERE string::starts_with(text, '{run} ') GROUP ALL")).await;
    assert_eq!(notes, TOTAL, "every note stored exactly once");
    let logged = count_on_disk(&db, "SELECT count() AS n FROM op WHERE client = 'tab-k' GROUP ALL").await;
    assert_eq!(logged, TOTAL);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_writer_queue_answers_429_with_retry_after_and_loses_nothing() {
    use app::domain::ops::{OpKind, OpStatus, Operation, SyncRequest, SyncResponse};
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    // Room for one waiting push only: concurrent pushes must be turned away, not queued.
    let db_path = dir.path().join("x.db");
    let mut server = launch(&format!("surrealkv://{}", db_path.display()), port, &[("XIANFENG_WRITE_QUEUE", "1".into())]).await;
    let client = login(&base, "lixiurong").await;
    let run = uuid::Uuid::now_v7().simple().to_string();
    let pushes: Vec<Vec<Operation>> = (0..40)
        .map(|p| {
            (0..50)
                .map(|i| {
                    Operation::new(
                        "branch",
                        "wenxing",
                        OpKind::Append { list: "notes".into(), item: serde_json::json!({ "text": format!("{run} {p} {i}") }) },
                        stamp(now_ms(), "tab-q"),
                    )
                })
                .collect()
        })
        .collect();
    let send = |ops: Vec<Operation>| {
        let client = client.clone();
        let url = format!("{base}/api/sync");
        async move {
            // As a tablet does: a 429 keeps the operations and tries again after Retry-After.
            let mut refusals = 0;
            loop {
                let response = client.post(&url).json(&SyncRequest { client: "tab-q".into(), ops: ops.clone() }).send().await.expect("push");
                if response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
                    assert_eq!(response.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
                    refusals += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
                let answer: SyncResponse = response.json().await.expect("answer");
                assert!(answer.results.iter().all(|r| r.status == OpStatus::Accepted));
                return refusals;
            }
        }
    };
    let refusals: usize = futures::future::join_all(pushes.into_iter().map(send)).await.into_iter().sum();
    assert!(refusals > 0, "forty concurrent pushes against a queue of one were all taken");
    server.kill_9();
    let db = server::db::open(&format!("surrealkv://{}", db_path.display())).await.unwrap();
    let stored = count_on_disk(&db, &format!("SELECT count() AS n FROM branch_note WHERE string::starts_with(text, '{run}') GROUP ALL")).await;
    assert_eq!(stored, 40 * 50, "every note once");
}
