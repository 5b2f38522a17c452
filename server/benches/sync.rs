//! Throughput of the one write path: operations pushed over real HTTP to a server on
//! embedded SurrealKV whose every commit is synced to disk. Run with `make bench`.

use app::domain::hlc::Stamp;
use app::domain::ops::{OpKind, OpStatus, Operation, SyncRequest, SyncResponse};
mod support;

use server::db::demo;
use std::time::{Duration, Instant};

/// Branch secretaries and their branches: each simulated tablet is one of them.
const TABLETS: &[(&str, &str)] = &[
    ("lixiurong", "wenxing"),
    ("zhouhong", "wenyuan"),
    ("guojing", "taihe"),
    ("hanlei", "wenying"),
    ("fengli", "yuhedong"),
    ("yangfan", "xinghe"),
    ("shiguoqiang", "shijiazhai"),
    ("gaojianjun", "shuibosi"),
];

fn ops(count: usize, device: &str, branch: &str, run: usize) -> Vec<Operation> {
    // The clock of the value the device last saw: its own previous edit.
    let mut seen = String::new();
    (0..count)
        .map(|i| {
            let clock = Stamp { ms: chrono::Utc::now().timestamp_millis() as u64, counter: i as u32, node: device.into() };
            // Half appended notes (only grow), half field edits (last writer wins).
            let kind = if i % 2 == 0 {
                OpKind::Append { list: "notes".into(), item: serde_json::json!({ "text": format!("走访记录 {run}-{i}") }) }
            } else {
                OpKind::Set { fields: [("intro".to_string(), serde_json::json!(format!("简介 {run}-{i}")))].into() }
            };
            let mut op = Operation::new("branch", branch, kind, clock);
            // As the browser sends an edit: with the clock of the value it saw.
            if i % 2 == 1 {
                op.base = [("intro".to_string(), std::mem::replace(&mut seen, op.clock.to_string()))].into();
            }
            op
        })
        .collect()
}

async fn push(client: &reqwest::Client, url: &str, device: &str, batch: Vec<Operation>) -> Duration {
    let start = Instant::now();
    let answer: SyncResponse =
        client.post(url).json(&SyncRequest { client: device.into(), ops: batch }).send().await.expect("push").json().await.expect("answer");
    assert!(answer.results.iter().all(|r| r.status == OpStatus::Accepted), "{:?}", answer.results.iter().find(|r| r.status != OpStatus::Accepted));
    start.elapsed()
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    times[((times.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.db");
    let db = support::demo_db(&format!("surrealkv://{}", path.display())).await;
    let addr = support::serve(db.clone(), "target/site", "bench").await;

    let mut clients = Vec::new();
    for (who, _) in TABLETS {
        let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
        client.post(format!("http://{addr}/api/login")).form(&[("username", *who), ("password", demo::DEMO_PASSWORD)]).send().await.expect("login");
        clients.push(client);
    }
    let url = format!("http://{addr}/api/sync");
    println!("sync over HTTP, embedded SurrealKV, every commit synced to disk (median of 3 runs):");

    for (name, total, batch, tablets) in [
        ("batches of 500, one tablet", 10_000usize, 500usize, 1usize),
        ("batches of 50, 8 tablets at once", 8_000, 50, 8),
        ("single operations, 8 tablets at once", 2_000, 1, 8),
        ("single operations, one tablet", 1_000, 1, 1),
    ] {
        let mut rates = Vec::new();
        let mut latencies = Vec::new();
        for run in 0..3 {
            let start = Instant::now();
            let tasks: Vec<_> = (0..tablets)
                .map(|c| {
                    let (client, url) = (clients[c].clone(), url.clone());
                    let device = format!("bench-{c}");
                    let work = ops(total / tablets, &device, TABLETS[c].1, run);
                    tokio::spawn(async move {
                        let mut times = Vec::new();
                        for chunk in work.chunks(batch) {
                            times.push(push(&client, &url, &device, chunk.to_vec()).await);
                        }
                        times
                    })
                })
                .collect();
            for task in tasks {
                latencies.extend(task.await.expect("tablet"));
            }
            rates.push(total as f64 / start.elapsed().as_secs_f64());
        }
        rates.sort_by(|a, b| a.total_cmp(b));
        let (p50, p99) = (percentile(&mut latencies, 0.5), percentile(&mut latencies, 0.99));
        println!("  {name:<36} {:>7.0} ops/s   push p50 {:>6.1} ms, p99 {:>6.1} ms", rates[1], p50.as_secs_f64() * 1e3, p99.as_secs_f64() * 1e3);
    }

    spread_over_projects(&db, &clients[0], &url).await;
}

/// The figure: one tablet's batches of 500 edits spread over 1,000 projects (each
/// operation logged, no two on one field), beside a plain baseline in the same run: one
/// `UPDATE` per operation inside one transaction per batch, straight to the database.
async fn spread_over_projects(db: &server::db::Db, client: &reqwest::Client, url: &str) {
    const PROJECTS: usize = 1_000;
    const BATCH: usize = 500;
    const BATCHES: usize = 10;
    let projects: Vec<serde_json::Value> = (0..PROJECTS)
        .map(|i| {
            serde_json::json!({ "key": format!("spread{i:04}"), "branch": "wenxing", "title": format!("批量项目{i}"), "category": "livelihood",
                "tier": "micro", "year": 2027, "created_at": 0, "updated_at": 0 })
        })
        .collect();
    support::seed_projects(db, projects).await;
    let mut through_sync = Vec::new();
    let mut baseline = Vec::new();
    for run in 0..3 {
        // Through the write path: validated, logged, last-writer-wins, group-committed.
        let start = Instant::now();
        for b in 0..BATCHES {
            let batch: Vec<Operation> = (0..BATCH)
                .map(|i| {
                    let project = format!("spread{:04}", (b * BATCH + i) % PROJECTS);
                    let clock = Stamp { ms: chrono::Utc::now().timestamp_millis() as u64, counter: i as u32, node: "bench-spread".into() };
                    Operation::new(
                        "project",
                        &project,
                        OpKind::Set { fields: [("goals".to_string(), serde_json::json!(format!("目标 {run}-{b}-{i}")))].into() },
                        clock,
                    )
                })
                .collect();
            push(client, url, "bench-spread", batch).await;
        }
        through_sync.push((BATCHES * BATCH) as f64 / start.elapsed().as_secs_f64());
        // Baseline: the same number of plain statements, one transaction per batch.
        let start = Instant::now();
        for b in 0..BATCHES {
            let mut sql = String::from("BEGIN TRANSACTION;\n");
            for i in 0..BATCH {
                sql.push_str(&format!("UPDATE project:spread{:04} SET goals = $g{i};\n", (b * BATCH + i) % PROJECTS));
            }
            sql.push_str("COMMIT TRANSACTION;\n");
            let vars: serde_json::Map<String, serde_json::Value> =
                (0..BATCH).map(|i| (format!("g{i}"), serde_json::json!(format!("基线 {run}-{b}-{i}")))).collect();
            db.query(sql).bind(serde_json::Value::Object(vars)).await.and_then(|r| r.check()).expect("baseline batch");
        }
        baseline.push((BATCHES * BATCH) as f64 / start.elapsed().as_secs_f64());
    }
    through_sync.sort_by(|a, b| a.total_cmp(b));
    baseline.sort_by(|a, b| a.total_cmp(b));
    println!(
        "  {:<36} {:>7.0} ops/s   (plain baseline, one UPDATE per operation: {:.0} ops/s)",
        "batches of 500 over 1,000 projects", through_sync[1], baseline[1]
    );
}
