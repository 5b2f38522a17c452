//! The real binary on embedded SurrealKV, killed with SIGKILL and started again:
//! every accepted operation is still there.

mod common;
use common::*;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn launch(db_path: &std::path::Path, port: u16) -> Running {
    let child = Command::new(env!("CARGO_BIN_EXE_xianfeng"))
        .env("XIANFENG_DB", format!("surrealkv://{}", db_path.display()))
        .env("XIANFENG_ADDR", format!("127.0.0.1:{port}"))
        .env("XIANFENG_SITE", "target/site")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start server");
    let running = Running(child);
    let ready = format!("http://127.0.0.1:{port}/readyz");
    for _ in 0..300 {
        if let Ok(response) = reqwest::get(&ready).await {
            if response.status().is_success() {
                return running;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server did not become ready");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn accepted_operations_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("xianfeng.db");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");

    let mut server = launch(&db_path, port).await;
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
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    drop(server);

    let _server = launch(&db_path, port).await;
    let client = login(&base, "lixiurong").await;
    let page = client.get(format!("{base}/branches/wenxing")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("0352-7654321"), "the phone number survived");
    assert!(page.contains("记事 19") && page.contains("记事 0"), "the notes survived");
    // Replaying them now changes nothing: the log survived too.
    let replay = push_ok(&base, &client, accepted).await;
    assert!(replay.results.iter().all(|r| r.duplicate));
}
