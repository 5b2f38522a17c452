//! A load generator: simulated tablets over real HTTP, open loop. Each tablet has its own
//! session, device id and clock, and sends on a fixed schedule whatever the answers (one
//! operation every 200 ms: single operations, now and then a small batch), and pulls now
//! and then. Reports the rate offered and held and the push latency.
//!
//! `cargo bench --profile dev -p server --bench load` starts its own server on a temporary
//! SurrealKV; `LOAD_URL=http://host:port` aims at a running one instead. `LOAD_TABLETS`
//! (1,000), `LOAD_SECONDS` (30), `LOAD_PERIOD_MS` (200) and `LOAD_PULL_EVERY` (25 pushes;
//! 0 for none) set the load.

use app::domain::hlc::Clock;
use app::domain::ops::{OpKind, OpStatus, Operation, SyncRequest, SyncResponse};
use app::domain::replica::PullRequest;
mod support;

use server::db::demo;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRETARIES: &[(&str, &str)] = &[
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

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[derive(Default)]
struct Tally {
    push_ms: Vec<f64>,
    pull_ms: Vec<f64>,
    offered: u64,
    accepted: u64,
    refused: u64,
    busy: u64,
    failed: u64,
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

async fn local_server() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = support::demo_db(&format!("surrealkv://{}", dir.path().join("load.db").display())).await;
    let addr = support::serve(db, "target/site", "load").await;
    (format!("http://{addr}"), dir)
}

#[tokio::main]
async fn main() {
    let tablets = setting("LOAD_TABLETS", 1_000) as usize;
    let seconds = setting("LOAD_SECONDS", 30);
    let period = Duration::from_millis(setting("LOAD_PERIOD_MS", 200));
    let pull_every = setting("LOAD_PULL_EVERY", 25);
    let (base, _dir) = match std::env::var("LOAD_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let (url, dir) = local_server().await;
            (url, Some(dir))
        }
    };

    // Every tablet signs in: its own session.
    let started = Instant::now();
    let mut sessions = Vec::with_capacity(tablets);
    for chunk in (0..tablets).collect::<Vec<_>>().chunks(16) {
        let logins = chunk.iter().map(|&t| {
            let base = base.clone();
            async move {
                let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
                let (who, branch) = SECRETARIES[t % SECRETARIES.len()];
                let response =
                    client.post(format!("{base}/api/login")).form(&[("username", who), ("password", demo::DEMO_PASSWORD)]).send().await.expect("login");
                assert!(response.status().is_success() || response.status().is_redirection(), "login {}", response.status());
                (client, branch)
            }
        });
        sessions.extend(futures::future::join_all(logins).await);
    }
    println!("{tablets} tablets signed in in {:.1} s", started.elapsed().as_secs_f64());

    let tally = Arc::new(Mutex::new(Tally::default()));
    let end = Instant::now() + Duration::from_secs(seconds);
    let mut runners = Vec::new();
    for (t, (client, branch)) in sessions.into_iter().enumerate() {
        let (tally, base) = (tally.clone(), base.clone());
        runners.push(tokio::spawn(async move {
            let device = format!("load{t:04}");
            let clock = Arc::new(Mutex::new(Clock::new(device.clone())));
            // Spread the tablets over the period so they do not all send at once.
            tokio::time::sleep(period.mul_f64(t as f64 / tablets as f64)).await;
            let mut ticker = tokio::time::interval(period);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut n = 0u64;
            let mut sends = Vec::new();
            while Instant::now() < end {
                ticker.tick().await;
                n += 1;
                // Open loop: each send is its own task, so a slow answer never delays the next.
                let size = if n % 5 == 0 { 5 } else { 1 };
                let ops: Vec<Operation> = (0..size)
                    .map(|i| {
                        let stamp = clock.lock().unwrap().tick(chrono::Utc::now().timestamp_millis() as u64);
                        let kind = if (n + i) % 2 == 0 {
                            OpKind::Append { list: "notes".into(), item: serde_json::json!({ "text": format!("{device} {n}.{i}") }) }
                        } else {
                            OpKind::Set { fields: [("intro".to_string(), serde_json::json!(format!("{device} {n}.{i}")))].into() }
                        };
                        Operation::new("branch", branch, kind, stamp)
                    })
                    .collect();
                let (client, base, tally, device) = (client.clone(), base.clone(), tally.clone(), device.clone());
                let pull = pull_every > 0 && n % pull_every == 0;
                sends.push(tokio::spawn(async move {
                    tally.lock().unwrap().offered += ops.len() as u64;
                    let sent = Instant::now();
                    let answer = client
                        .post(format!("{base}/api/sync"))
                        .json(&SyncRequest { client: device.clone(), ops })
                        .timeout(Duration::from_secs(10))
                        .send()
                        .await;
                    let ms = sent.elapsed().as_secs_f64() * 1e3;
                    tally.lock().unwrap().push_ms.push(ms);
                    match answer {
                        Ok(r) if r.status().is_success() => {
                            let body: Option<SyncResponse> = r.json().await.ok();
                            let mut t = tally.lock().unwrap();
                            for result in body.map(|b| b.results).unwrap_or_default() {
                                if result.status == OpStatus::Accepted {
                                    t.accepted += 1
                                } else {
                                    t.refused += 1
                                }
                            }
                        }
                        Ok(r) if r.status() == reqwest::StatusCode::TOO_MANY_REQUESTS => tally.lock().unwrap().busy += 1,
                        _ => tally.lock().unwrap().failed += 1,
                    }
                    if pull {
                        let sent = Instant::now();
                        let ok = client.post(format!("{base}/api/pull")).json(&PullRequest { client: device, since: None }).send().await.is_ok();
                        if ok {
                            tally.lock().unwrap().pull_ms.push(sent.elapsed().as_secs_f64() * 1e3);
                        }
                    }
                }));
            }
            for send in sends {
                let _ = send.await;
            }
        }));
    }
    for runner in runners {
        let _ = runner.await;
    }
    let elapsed = seconds as f64;
    let mut t = tally.lock().unwrap();
    let (p50, p99) = (percentile(&mut t.push_ms, 0.5), percentile(&mut t.push_ms, 0.99));
    let pull_p50 = percentile(&mut t.pull_ms, 0.5);
    println!(
        "{tablets} tablets, one push every {} ms each, {seconds} s: offered {:.0} ops/s, held {:.0} ops/s accepted \
         ({} refused by the rules, {} answers 429, {} failed); push p50 {p50:.1} ms, p99 {p99:.1} ms; pull p50 {pull_p50:.1} ms",
        period.as_millis(),
        t.offered as f64 / elapsed,
        t.accepted as f64 / elapsed,
        t.refused,
        t.busy,
        t.failed,
    );
}
