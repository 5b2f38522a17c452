//! The brand page under load, against a trivial page of the same server in the same run:
//! 64 connections kept alive, each asking again as soon as answered (closed loop), for
//! `BRAND_SECONDS` (10) per page after 2 s of warming up. Then how long a change staff
//! make takes to show on the page.
//!
//! `cargo bench --profile dev -p server --bench brand` starts the real binary (`xianfeng`,
//! the same profile) on an in-memory database with the demo data; `BRAND_URL` aims at a
//! running server instead. The load generator runs on the same machine, as wrk would.
//! `XIANFENG_PUBLIC_CACHE=off` measures the page drawn from the database every time.

use app::domain::hlc::Stamp;
use app::domain::ops::{OpKind, Operation, SyncRequest};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 64;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Requests per second and latency percentiles (ms) for `url`.
async fn hammer(url: &str, seconds: u64) -> (f64, f64, f64, u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let measuring = Arc::new(AtomicBool::new(false));
    let latencies = Arc::new(Mutex::new(Vec::<f64>::with_capacity(200_000)));
    let failures = Arc::new(Mutex::new(0u64));
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (url, stop, measuring, latencies, failures) = (url.to_string(), stop.clone(), measuring.clone(), latencies.clone(), failures.clone());
        tasks.push(tokio::spawn(async move {
            // One client each: its own kept-alive connection.
            let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().expect("client");
            let mut mine = Vec::with_capacity(20_000);
            while !stop.load(Ordering::Relaxed) {
                let t0 = Instant::now();
                let ok = match client.get(&url).send().await {
                    Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if measuring.load(Ordering::Relaxed) {
                    if ok {
                        mine.push(t0.elapsed().as_secs_f64() * 1000.0);
                    } else {
                        *failures.lock().unwrap() += 1;
                    }
                }
            }
            latencies.lock().unwrap().extend(mine);
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    measuring.store(true, Ordering::Relaxed);
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    measuring.store(false, Ordering::Relaxed);
    let elapsed = t0.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = task.await;
    }
    let mut all = std::mem::take(&mut *latencies.lock().unwrap());
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let failed = *failures.lock().unwrap();
    (all.len() as f64 / elapsed, percentile(&all, 0.5), percentile(&all, 0.99), failed)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn wait_ready(base: &str) {
    for _ in 0..600 {
        if reqwest::get(format!("{base}/readyz")).await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not start");
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let seconds: u64 = std::env::var("BRAND_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let (base, _child) = match std::env::var("BRAND_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let port = free_port();
            let child = std::process::Command::new(env!("CARGO_BIN_EXE_xianfeng"))
                .env("XIANFENG_DEMO", "1")
                .env("XIANFENG_DB", "mem://")
                .env("XIANFENG_ADDR", format!("127.0.0.1:{port}"))
                .env("XIANFENG_SITE", "../target/site")
                .env("RUST_LOG", "error")
                .env("XIANFENG_PUBLIC_CACHE", std::env::var("XIANFENG_PUBLIC_CACHE").unwrap_or_default())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("start the server");
            (format!("http://127.0.0.1:{port}"), Some(KillOnDrop(child)))
        }
    };
    wait_ready(&base).await;
    let (brand_rate, brand_p50, brand_p99, brand_failed) = hammer(&format!("{base}/b/wenxing"), seconds).await;
    let (plain_rate, plain_p50, plain_p99, plain_failed) = hammer(&format!("{base}/healthz"), seconds).await;
    println!("brand page /b/wenxing: {brand_rate:.0} requests/s, p50 {brand_p50:.2} ms, p99 {brand_p99:.2} ms, {brand_failed} failed");
    println!("trivial page /healthz: {plain_rate:.0} requests/s, p50 {plain_p50:.2} ms, p99 {plain_p99:.2} ms, {plain_failed} failed");
    println!("brand / trivial: {:.2}", brand_rate / plain_rate);

    // A change staff make: the brand's slogan, through the write path; how long until the
    // page shows it.
    let staff = reqwest::Client::builder().cookie_store(true).build().unwrap();
    staff.post(format!("{base}/api/login")).form(&[("username", "lixiurong"), ("password", "Xianfeng-2026")]).send().await.unwrap();
    let slogan = format!("邻里互助{}", std::process::id());
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let op = Operation::new(
        "brand",
        "wenxing",
        OpKind::Set { fields: [("slogan".to_string(), serde_json::json!(slogan))].into() },
        Stamp { ms, counter: 0, node: "bench".into() },
    );
    let t0 = Instant::now();
    let answer = staff.post(format!("{base}/api/sync")).json(&SyncRequest { client: "bench".into(), ops: vec![op] }).send().await.unwrap();
    assert!(answer.status().is_success(), "{}", answer.text().await.unwrap_or_default());
    loop {
        let page = reqwest::get(format!("{base}/b/wenxing")).await.unwrap().text().await.unwrap();
        if page.contains(&slogan) {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(5), "the change did not show");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!("a staff change shows on the brand page after {:.0} ms (from sending it)", t0.elapsed().as_secs_f64() * 1000.0);
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}
