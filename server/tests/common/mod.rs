//! A real server on a real socket, over a real SurrealDB (in memory or on disk).
#![allow(dead_code)]

use app::domain::hlc::Stamp;
use app::domain::ops::{OpKind, Operation, SyncRequest, SyncResponse};
use reqwest::{redirect::Policy, Client, StatusCode};
use serde_json::Value;
use server::db::{self, demo, Db};
use server::state::AppState;

pub use demo::DEMO_PASSWORD;

pub struct TestServer {
    pub base: String,
    pub db: Db,
    /// The server's state, for what a test must compute as the server does (a private link).
    pub state: AppState,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn start() -> TestServer {
    start_on("mem://").await
}

pub async fn start_on(address: &str) -> TestServer {
    start_with(address, server::throttle::Throttle::loose()).await
}

/// A server with production limits per address (`throttle`).
pub async fn start_throttled() -> TestServer {
    start_with("mem://", server::throttle::Throttle::new(vec![], server::throttle::SIGN_INS_PER_MINUTE)).await
}

pub async fn start_with(address: &str, throttle: server::throttle::Throttle) -> TestServer {
    let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("warn,server=debug").try_init();
    let db = db::open(address).await.expect("open database");
    db::migrations::migrate(&db).await.expect("migrate");
    demo::load_if_empty(&db).await.expect("demo data");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let options = leptos::prelude::LeptosOptions::builder().output_name("xianfeng").site_root("target/site").site_pkg_dir("pkg").site_addr(addr).build();
    let mut state = AppState::new(options, db.clone(), "test");
    // Tests sign in many times from one address: most run with a loose limit.
    state.throttle = std::sync::Arc::new(throttle);
    let app = server::router(state.clone());
    let task = tokio::spawn(async move {
        let _ = server::serve(listener, app, std::future::pending()).await;
    });
    TestServer { base: format!("http://{addr}"), db, state, task }
}

pub fn client() -> Client {
    Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client")
}

/// Posts the sign-in form as a browser without JavaScript would.
pub async fn try_login(base: &str, client: &Client, username: &str, password: &str) -> reqwest::Response {
    client.post(format!("{base}/api/login")).form(&[("username", username), ("password", password)]).send().await.expect("login request")
}

/// A client signed in as `username` with the demo password.
pub async fn login(base: &str, username: &str) -> Client {
    let client = client();
    let response = try_login(base, &client, username, DEMO_PASSWORD).await;
    assert!(
        response.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap_or("").starts_with("xf_session=")),
        "no session cookie for {username}: {}",
        response.status()
    );
    client
}

pub fn stamp(ms: u64, node: &str) -> Stamp {
    Stamp { ms, counter: 0, node: node.into() }
}

pub fn now_ms() -> u64 {
    chrono::Utc::now().timestamp_millis() as u64
}

pub fn set(table: &str, key: &str, field: &str, value: Value, clock: Stamp) -> Operation {
    Operation::new(table, key, OpKind::Set { fields: [(field.to_string(), value)].into() }, clock)
}

pub async fn push(base: &str, client: &Client, ops: Vec<Operation>) -> (StatusCode, Value) {
    let response = client.post(format!("{base}/api/sync")).json(&SyncRequest { client: "tablet-1".into(), ops }).send().await.expect("sync request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub async fn push_ok(base: &str, client: &Client, ops: Vec<Operation>) -> SyncResponse {
    let (status, body) = push(base, client, ops).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).expect("sync response")
}

/// One field of one record, read straight from the database.
pub async fn field(db: &Db, table: &str, key: &str, name: &str) -> Value {
    let sql = format!("SELECT VALUE {name} FROM ONLY type::record($tb, $key)");
    app::db::row::<Value>(db, &sql, serde_json::json!({ "tb": table, "key": key })).await.expect("read field").unwrap_or(Value::Null)
}

/// Operations the log holds as applied (refused ones are logged with their reason).
pub async fn applied_ops(db: &Db) -> usize {
    let rows: Vec<Value> = app::db::rows(db, "SELECT count() AS n FROM op WHERE reason = NONE GROUP ALL", serde_json::json!({}), 0).await.expect("count");
    rows.first().and_then(|r| r["n"].as_u64()).unwrap_or(0) as usize
}

pub async fn count(db: &Db, table: &str) -> usize {
    let sql = format!("SELECT count() AS n FROM {table} GROUP ALL");
    let rows: Vec<Value> = app::db::rows(db, &sql, serde_json::json!({}), 0).await.expect("count");
    rows.first().and_then(|r| r["n"].as_u64()).unwrap_or(0) as usize
}

/// The real binary in its own process, killed with SIGKILL when dropped.
pub struct Running(pub std::process::Child);

impl Running {
    /// SIGKILL: no graceful shutdown, no flush on exit.
    pub fn kill_9(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill_9();
    }
}

/// The server binary the tests start: this build's, or `XIANFENG_BINARY` (another build,
/// such as the one `make run` serves).
pub fn server_binary() -> std::path::PathBuf {
    std::env::var_os("XIANFENG_BINARY").map(Into::into).unwrap_or_else(|| env!("CARGO_BIN_EXE_xianfeng").into())
}

/// Starts the server binary on `db` (`surrealkv://…`, `ws://…`) at `port`, with extra
/// environment, and waits until it answers `/readyz`.
pub async fn launch(db: &str, port: u16, env: &[(&str, String)]) -> Running {
    launch_logging(db, port, env, None).await
}

/// As `launch`, with what the server logs written to `log` (at `RUST_LOG`, which `env` may set).
pub async fn launch_logging(db: &str, port: u16, env: &[(&str, String)], log: Option<&std::path::Path>) -> Running {
    let mut command = std::process::Command::new(server_binary());
    command
        .env("XIANFENG_DB", db)
        .env("XIANFENG_ADDR", format!("127.0.0.1:{port}"))
        .env("XIANFENG_SITE", "target/site")
        // The demo's settings unless `env` says otherwise; a start without the demo has a key.
        .env("XIANFENG_DEMO", "1")
        .env("XIANFENG_PII_KEY", "5eed".repeat(16))
        // `SERVER_LOG=debug` shows what the servers a test starts are doing.
        .env("RUST_LOG", std::env::var("SERVER_LOG").unwrap_or_else(|_| "error".into()))
        .stdout(if std::env::var("SERVER_LOG").is_ok() { std::process::Stdio::inherit() } else { std::process::Stdio::null() });
    for (name, value) in env {
        command.env(name, value);
    }
    if let Some(log) = log {
        command.stdout(std::fs::File::create(log).expect("server log file"));
    }
    let mut running = Running(command.spawn().expect("start server"));
    let ready = format!("http://127.0.0.1:{port}/readyz");
    let http = Client::new();
    for _ in 0..1_500 {
        if let Ok(Some(status)) = running.0.try_wait() {
            panic!("the server on {db} exited at start: {status}");
        }
        if let Ok(response) = http.get(&ready).timeout(std::time::Duration::from_millis(500)).send().await {
            if response.status().is_success() {
                return running;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("server did not become ready");
}

/// A port nothing listens on, never handed out twice in one test process (a port the
/// OS picks for `:0` may be picked again at once, and servers started in parallel would
/// then meet on it). Below the ephemeral range, so outgoing connections never take it.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let _ = NEXT.compare_exchange(0, 20_000 + (std::process::id() % 500) as u16 * 20, Ordering::Relaxed, Ordering::Relaxed);
    loop {
        let port = NEXT.fetch_add(1, Ordering::Relaxed);
        if port >= 32_000 {
            NEXT.store(20_000, Ordering::Relaxed);
            continue;
        }
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// The texts of the branch notes starting with `run`, read by opening the database file at
/// `address` in this process (its server stopped): what survived on disk.
pub async fn notes_on_disk(address: &str, run: &str) -> Vec<String> {
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let db = db::open(address).await.expect("open the database file");
    app::db::rows(&db, "SELECT VALUE text FROM branch_note WHERE string::starts_with(text, $run)", serde_json::json!({ "run": run }), 0)
        .await
        .expect("read the notes")
}
