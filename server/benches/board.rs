//! The board with 1,000 projects, rendered on the server over real HTTP: the time of
//! the whole page and of a filtered page. Run with `make bench`.

mod support;

use server::db::demo;
use std::time::{Duration, Instant};

const PROJECTS: usize = 1_000;
const RUNS: usize = 30;

#[tokio::main]
async fn main() {
    let db = support::demo_db("mem://").await;
    let categories = ["livelihood", "education", "member_management", "discipline", "standards"];
    let branches: Vec<&str> = demo::BRANCHES.iter().map(|b| b.key).collect();
    let projects: Vec<serde_json::Value> = (0..PROJECTS - demo::PROJECTS.len())
        .map(|i| {
            let status = ["draft", "submitted", "filed", "in_progress"][i % 4];
            serde_json::json!({
                "key": format!("bench{i:04}"), "branch": branches[i % branches.len()], "title": format!("基层治理项目{i}"),
                "category": categories[i % 5], "tier": if i % 3 == 0 { "micro" } else { "general" }, "year": 2026,
                "status": status, "created_at": 0, "updated_at": i,
                "responsible": "测试", "team": ["甲", "乙"],
            })
        })
        .collect();
    support::seed_projects(&db, projects).await;

    let site = std::env::var("XIANFENG_SITE").unwrap_or_else(|_| "target/site".into());
    let addr = support::serve(db, &site, "bench").await;

    let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
    client.post(format!("http://{addr}/api/login")).form(&[("username", "lizhiguang"), ("password", demo::DEMO_PASSWORD)]).send().await.expect("login");
    for (name, path) in [
        ("board, all 1,000 projects", "/projects".to_string()),
        ("board, filtered (category + title search)", "/projects?category=education&q=%E6%B2%BB%E7%90%86".to_string()),
        ("dashboard", "/dashboard?year=2026".to_string()),
    ] {
        let url = format!("http://{addr}{path}");
        let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
        let mut bytes = 0;
        for _ in 0..RUNS + 3 {
            let start = Instant::now();
            let body = client.get(&url).header("accept", "text/html").send().await.expect("get").text().await.expect("body");
            times.push(start.elapsed());
            bytes = body.len();
            assert!(body.contains("</html>"), "{name}: a whole page");
        }
        times.drain(..3); // warm-up
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!("{name:<45} p50 {:>7.1} ms   p95 {:>7.1} ms   {:>7} bytes of HTML", ms(times[RUNS / 2]), ms(times[RUNS * 95 / 100]), bytes);
    }
    // With BOARD_BENCH_SERVE set, keep serving so that a browser can time hydration
    // (end2end/bench/board.mjs); the caller stops the process.
    if std::env::var_os("BOARD_BENCH_SERVE").is_some() {
        println!("serving http://{addr}");
        std::future::pending::<()>().await;
    }
}
