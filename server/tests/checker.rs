//! The checker: seeded runs of simulated tablets against the real server binary, in the
//! spirit of Jepsen. Tablets (running the browser's own queue and merge code) edit the
//! same projects, append comments, move projects through their states and make edits
//! the rules refuse; move and link tasks of a plan (cycles refused); sign residents up
//! (places, the waiting list, one phone once), cancel, add walk-ins and check them in;
//! pair mentors with branches (overlaps refused) and log sessions; upload photos and
//! choose the brand's; change hours by hand (audited). They go offline, lose answers after the server applied, push
//! duplicates and operations out of order, and crash (keeping only their disk), while
//! the server is killed with SIGKILL and restarted and commits fail as if the database
//! connection dropped before or after COMMIT. Then every tablet syncs and the run is
//! verified (`verify`): each operation ended exactly once, nothing acknowledged or
//! queued was lost, every tablet holds the server's state, and every field holds the
//! last writer's value by hybrid logical clock.
//!
//! `CHECKER_SEEDS=17` replays one seed; `CHECKER_SEEDS=0..1000` runs a range;
//! `CHECKER_SECONDS=1800` runs new seeds for half an hour (the long mode), on one
//! embedded database (`every_seed`) or across instances (`across_instances`).

mod common;
#[path = "checker/device.rs"]
mod device;
#[path = "checker/history.rs"]
mod history;
#[path = "checker/verify.rs"]
mod verify;

use app::domain::ops::OpKind;
use common::{free_port, launch, Running};
use device::Device;
use history::History;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Seeds `make test` runs: on one embedded database, and across instances.
const SEEDS: u64 = 200;
const CLUSTER_SEEDS: u64 = 30;

/// The projects the tablets work on, created at the start of each run.
pub const PROJECTS: [&str; 3] = ["chk1", "chk2", "chk3"];
/// Fields edited last-writer-wins.
pub const TEXT_FIELDS: [&str; 3] = ["goals", "responsible", "budget_source"];
/// The first project's plan: tasks the tablets move and link (some links close a cycle).
pub const TASKS: [&str; 4] = ["chkt1", "chkt2", "chkt3", "chkt4"];
/// A volunteer activity ahead (sign-ups, the waiting list, cancellations) with this many
/// places, and one under way (walk-ins and check-ins).
pub const AHEAD: &str = "chka1";
pub const AHEAD_PLACES: u32 = 2;
pub const UNDER_WAY: &str = "chka2";
/// The phones residents sign up with: few, so that the same phone comes twice.
pub const PHONES: [&str; 5] = ["13800000001", "13800000002", "13800000003", "13800000004", "13800000005"];
/// Mentoring: the demo's pairings of these mentors (m01 is 刘建国, who signs in) with
/// these branches end with 2026; the tablets pair them again within 2027, overlapping on
/// purpose, and log sessions.
pub const MENTORS: [&str; 2] = ["m01", "m02"];
pub const MENTORED: [&str; 2] = ["wenxing", "wenyuan"];
pub const DEMO_PAIRINGS: [&str; 2] = ["pair01", "pair02"];
/// The pairing every run starts with: m01 with 文兴社区 in the first half of 2027.
pub const FIRST_PAIRING: &str = "chkp0";

/// A database ready with the demo data, copied for each seed, so a seed starts in
/// milliseconds (a start after SIGKILL is a crash recovery). One for the embedded
/// database, one for a SurrealDB server's storage.
async fn template(cluster: bool) -> &'static Path {
    static EMBEDDED: tokio::sync::OnceCell<PathBuf> = tokio::sync::OnceCell::const_new();
    static CLUSTER: tokio::sync::OnceCell<PathBuf> = tokio::sync::OnceCell::const_new();
    let cell = if cluster { &CLUSTER } else { &EMBEDDED };
    cell.get_or_init(|| async move {
        let dir = std::env::temp_dir().join(format!("xianfeng-checker-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("template dir");
        let path = dir.join(if cluster { "cluster.db" } else { "embedded.db" });
        let _ = std::fs::remove_dir_all(&path);
        let mut server = Server::new(&path, cluster);
        server.start(0.0, true).await;
        server.kill_all();
        path
    })
    .await
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("copy dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

/// The SurrealDB server of `surreal-dev` (built by `make test` beside the app's binary).
fn surreal_dev() -> PathBuf {
    let path = Path::new(env!("CARGO_BIN_EXE_xianfeng")).with_file_name("surreal-dev");
    assert!(path.exists(), "{} is missing: `make test` builds it (cargo build --manifest-path tools/surreal-dev/Cargo.toml)", path.display());
    path
}

/// The SurrealDB server's root password in these runs: a production start refuses root's default.
const CHECKER_DB_PASS: &str = "Checker-db-2026";

async fn launch_surreal(path: &Path, port: u16) -> Running {
    let child = std::process::Command::new(surreal_dev())
        .args([
            "start",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--user",
            "root",
            "--pass",
            CHECKER_DB_PASS,
            "--log",
            &std::env::var("SERVER_LOG").unwrap_or_else(|_| "error".into()),
        ])
        .arg(format!("surrealkv://{}", path.display()))
        .env("SURREAL_ONLINE_VERSION_CHECK", "false")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start surreal-dev");
    let running = Running(child);
    let health = format!("http://127.0.0.1:{port}/health");
    for _ in 0..1_000 {
        if reqwest::get(&health).await.is_ok_and(|r| r.status().is_success()) {
            return running;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("surreal-dev did not start");
}

/// The servers of one run: one app process on embedded SurrealKV, or (`cluster`) two app
/// processes sharing a SurrealDB server over ws. Each can be killed and restarted.
pub struct Server {
    /// What the app (and the verification) opens.
    pub db: String,
    apps: Vec<(u16, Option<Running>)>,
    /// The SurrealDB server: its storage, port and process.
    surreal: Option<(PathBuf, u16, Option<Running>)>,
}

impl Server {
    fn new(path: &Path, cluster: bool) -> Server {
        if cluster {
            let port = free_port();
            Server {
                db: format!("ws://127.0.0.1:{port}"),
                apps: vec![(free_port(), None), (free_port(), None)],
                surreal: Some((path.to_path_buf(), port, None)),
            }
        } else {
            Server { db: format!("surrealkv://{}", path.display()), apps: vec![(free_port(), None)], surreal: None }
        }
    }

    /// Starts whatever is not running, the database first.
    async fn start(&mut self, faults: f64, demo: bool) {
        if let Some((path, port, running @ None)) = &mut self.surreal {
            *running = Some(launch_surreal(path, *port).await);
        }
        let env = [
            ("XIANFENG_FAULTS", faults.to_string()),
            ("XIANFENG_DEMO", if demo { "1" } else { "0" }.to_string()),
            ("XIANFENG_DB_PASS", CHECKER_DB_PASS.to_string()),
        ];
        for (port, running) in &mut self.apps {
            if running.is_none() {
                *running = Some(launch(&self.db, *port, &env).await);
            }
        }
    }

    /// SIGKILL to every app process (the SurrealDB server keeps running).
    fn kill_apps(&mut self) {
        for (_, running) in &mut self.apps {
            if let Some(mut running) = running.take() {
                running.kill_9();
            }
        }
    }

    fn kill_all(&mut self) {
        self.kill_apps();
        if let Some((_, _, running)) = &mut self.surreal {
            if let Some(mut running) = running.take() {
                running.kill_9();
            }
        }
    }

    /// SIGKILL to one process: an app instance, or the SurrealDB server itself.
    fn kill_one(&mut self, rng: &mut StdRng) {
        if self.surreal.is_some() && rng.gen_bool(0.3) {
            if let Some((_, _, running)) = &mut self.surreal {
                if let Some(mut running) = running.take() {
                    running.kill_9();
                }
            }
            return;
        }
        let which = rng.gen_range(0..self.apps.len());
        if let Some(mut running) = self.apps[which].1.take() {
            running.kill_9();
        }
    }

    fn bases(&self) -> Vec<String> {
        self.apps.iter().map(|(port, _)| format!("http://127.0.0.1:{port}")).collect()
    }
}

/// What a failing run reports.
pub struct Failure {
    pub seed: u64,
    pub violations: Vec<String>,
}

pub fn replay_command(seed: u64, cluster: bool) -> String {
    let features = if cfg!(feature = "broken-skip-dedupe") {
        " --features broken-skip-dedupe"
    } else if cfg!(feature = "broken-answer-early") {
        " --features broken-answer-early"
    } else {
        ""
    };
    let test = if cluster { "across_instances" } else { "every_seed" };
    format!("CHECKER_SEEDS={seed} cargo test -p server{features} --test checker {test} -- --nocapture")
}

/// One seeded run. Returns what it found wrong.
async fn run_seed(seed: u64, cluster: bool) -> Result<Stats, Failure> {
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("run.db");
    copy_dir(template(cluster).await, &path);
    let faults = if rng.gen_bool(0.7) { rng.gen_range(0.02..0.15) } else { 0.0 };
    let mut server = Server::new(&path, cluster);
    server.start(faults, false).await;
    let history = Arc::new(Mutex::new(History::default()));
    let bases = server.bases();

    // The secretary's first tablet declares the projects everyone works on.
    // Always the secretary, a community worker and street staff; sometimes the
    // secretary's second tablet, another branch's secretary, a mentor and a second
    // member of street staff (two who pair mentors at once).
    let people: [(&str, &'static str, bool); 7] = [
        ("tab-a", "lixiurong", true),
        ("tab-b", "lixiurong", false),
        ("tab-c", "zhangxiaoyan", true),
        ("tab-d", "lizhiguang", true),
        ("tab-e", "zhouhong", false),
        ("tab-f", "liujianguo", false),
        ("tab-g", "wangmin", false),
    ];
    let mut devices: Vec<Device> = people
        .iter()
        .filter(|(_, _, always)| *always || rng.gen_bool(0.6))
        .map(|(name, account, _)| Device::new(name, account, bases.clone(), history.clone()))
        .collect();
    for device in &mut devices {
        device.lose_answers = if rng.gen_bool(0.6) { rng.gen_range(0.05..0.3) } else { 0.0 };
        assert!(device.start(&mut rng).await, "sign-in of {}", device.name);
    }
    for key in PROJECTS {
        let fields = [
            ("branch", json!("wenxing")),
            ("title", json!(format!("检查项目{key}"))),
            ("category", json!("livelihood")),
            ("tier", json!("general")),
            ("year", json!(2027)),
            ("goals", json!("初始目标")),
            ("liaison_leader", json!("wanghaitao")),
            ("responsible", json!("李秀蓉")),
            ("budget_fen", json!(100_000)),
            ("budget_source", json!("街道党建经费")),
            ("team", json!(["张晓燕"])),
            ("indicators", json!([{ "name": "满意率", "weight": 100 }])),
        ];
        devices[0].make("project", key, OpKind::Create { fields: fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect() }).await;
    }
    let create = |fields: Vec<(&str, serde_json::Value)>| OpKind::Create { fields: fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect() };
    for (i, key) in TASKS.iter().enumerate() {
        let task = vec![
            ("project", json!(PROJECTS[0])),
            ("branch", json!("wenxing")),
            ("name", json!(format!("检查任务{i}"))),
            ("start", json!(format!("2027-03-{:02}", 1 + i * 5))),
            ("duration", json!(3)),
        ];
        devices[0].make("gantt_task", key, create(task)).await;
    }
    // Local times (the street's, UTC+8) around now.
    let local = |minutes: i64| (chrono::Utc::now() + chrono::TimeDelta::hours(8) + chrono::TimeDelta::minutes(minutes)).format("%Y-%m-%dT%H:%M").to_string();
    for (key, starts, places) in [(AHEAD, 24 * 60, AHEAD_PLACES), (UNDER_WAY, -10, 3)] {
        let activity = vec![
            ("branch", json!("wenxing")),
            ("team", json!("t_party")),
            ("title", json!(format!("检查活动{key}"))),
            ("place", json!("文兴社区党群服务中心")),
            ("starts_at", json!(local(starts))),
            ("ends_at", json!(local(starts + 180))),
            ("capacity", json!(places)),
            ("checkin_code", json!("246810")),
        ];
        devices[0].make("activity", key, create(activity)).await;
    }

    // Street staff end the demo's pairings of the two mentors with 2026 and pair 刘建国
    // with 文兴社区 again for the first half of 2027.
    let street = devices.iter_mut().find(|d| d.account == "lizhiguang").expect("street staff's tablet");
    for key in DEMO_PAIRINGS {
        street.make("mentor_pairing", key, OpKind::Set { fields: [("ends_on".to_string(), json!("2026-12-31"))].into() }).await;
    }
    let first = vec![
        ("mentor", json!(MENTORS[0])),
        ("branch", json!(MENTORED[0])),
        ("starts_on", json!("2027-01-04")),
        ("ends_on", json!("2027-06-30")),
        ("additional", json!(false)),
    ];
    street.make("mentor_pairing", FIRST_PAIRING, create(first)).await;

    // The tablets work concurrently while the server is killed now and then.
    let steps = rng.gen_range(15..40);
    let kills = if rng.gen_bool(0.6) { rng.gen_range(1..=2) } else { 0 };
    let seeds: Vec<u64> = devices.iter().map(|_| rng.gen()).collect();
    let work = futures::future::join_all(devices.into_iter().zip(seeds).map(|(device, seed)| work(device, seed, steps)));
    let killer = async {
        for _ in 0..kills {
            tokio::time::sleep(Duration::from_millis(rng.gen_range(20..250))).await;
            server.kill_one(&mut rng);
            tokio::time::sleep(Duration::from_millis(rng.gen_range(0..50))).await;
            server.start(faults, false).await;
        }
    };
    let (mut devices, ()) = tokio::join!(work, killer);

    // The end: the servers come back without faults, every tablet comes online and syncs.
    server.kill_apps();
    server.start(0.0, false).await;
    for device in &mut devices {
        device.offline = false;
        device.lose_answers = 0.0;
        device.crash();
        device.start(&mut rng).await;
        for _ in 0..20 {
            let flushed = device.flush(&mut rng).await;
            if device.disk.queue.iter().all(|q| q.account != device.account) {
                break;
            }
            let _ = flushed;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    for device in &mut devices {
        device.pull(&mut rng).await;
    }
    let mut stats = verify::verify(&mut devices, &history, &mut server, &mut rng).await.map_err(|violations| Failure { seed, violations })?;
    stats.server_kills = kills;
    server.kill_all();
    Ok(stats)
}

/// One tablet's part of a run: a seeded mix of edits, syncs and misbehaviour.
async fn work(mut device: Device, seed: u64, steps: usize) -> Device {
    let mut rng = StdRng::seed_from_u64(seed);
    for step in 0..steps {
        let roll: f64 = rng.gen();
        match roll {
            r if r < 0.45 => {
                let (table, key, kind) = verify::random_edit(&device, &mut rng, step);
                device.make(table, &key, kind).await;
            }
            r if r < 0.65 => {
                device.flush(&mut rng).await;
            }
            r if r < 0.75 => {
                device.pull(&mut rng).await;
            }
            r if r < 0.80 => device.offline = !device.offline,
            r if r < 0.84 => device.crash(),
            r if r < 0.87 => device.upload_photo(&mut rng).await,
            r if r < 0.93 => {
                // A duplicate: something already answered, sent again as it was.
                let answered: Vec<_> = {
                    let history = device.history.lock().unwrap();
                    history.made.iter().filter(|(by, op)| by == &device.name && history.answers.contains_key(&op.id)).map(|(_, op)| op.clone()).collect()
                };
                if !answered.is_empty() {
                    let op = answered[rng.gen_range(0..answered.len())].clone();
                    device.push_raw(vec![op], &mut rng).await;
                }
            }
            _ => {
                // Out of order: the newest queued operation alone, before the others.
                let mine: Vec<_> = device.disk.queue.iter().filter(|q| q.account == device.account).map(|q| q.op.clone()).collect();
                if mine.len() >= 2 {
                    device.push_raw(vec![mine[mine.len() - 1].clone()], &mut rng).await;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(rng.gen_range(0..4))).await;
    }
    device
}

#[derive(Default)]
pub struct Stats {
    pub ops: usize,
    pub applied: usize,
    pub refused: usize,
    /// Answers "send again later" (out of order) and replays answered as duplicates.
    pub deferred: usize,
    pub duplicates: usize,
    pub server_kills: usize,
    /// Applied operations on plans (tasks and links), on sign-ups, on mentoring
    /// (pairings and sessions), on the brand's photos and on hours; photos uploaded.
    pub plan_applied: usize,
    pub signups_applied: usize,
    pub mentoring_applied: usize,
    pub photos_applied: usize,
    pub hours_applied: usize,
    pub uploads: usize,
}

impl Stats {
    fn add(&mut self, other: &Stats) {
        self.ops += other.ops;
        self.applied += other.applied;
        self.refused += other.refused;
        self.deferred += other.deferred;
        self.duplicates += other.duplicates;
        self.server_kills += other.server_kills;
        self.plan_applied += other.plan_applied;
        self.signups_applied += other.signups_applied;
        self.mentoring_applied += other.mentoring_applied;
        self.photos_applied += other.photos_applied;
        self.hours_applied += other.hours_applied;
        self.uploads += other.uploads;
    }

    /// Many seeds did what they claim: applied and refused, replayed, pushed out of
    /// order, killed the server, and worked on plans and sign-ups as well as projects.
    #[cfg(not(any(feature = "broken-skip-dedupe", feature = "broken-answer-early")))]
    fn assert_exercised(&self) {
        assert!(self.applied > 0 && self.refused > 0 && self.duplicates > 0 && self.deferred > 0, "the runs exercised too little");
        assert!(self.server_kills > 0, "no run killed the server");
        assert!(
            self.plan_applied > 0 && self.signups_applied > 0,
            "no plan or sign-up operation was applied ({} plan, {} sign-up)",
            self.plan_applied,
            self.signups_applied
        );
        assert!(
            self.mentoring_applied > 0 && self.photos_applied > 0 && self.hours_applied > 0 && self.uploads > 0,
            "some table was never written ({} mentoring, {} brand photos, {} hours, {} uploads)",
            self.mentoring_applied,
            self.photos_applied,
            self.hours_applied,
            self.uploads
        );
    }

    /// What the runs applied, by area, for the summary line.
    #[cfg(not(any(feature = "broken-skip-dedupe", feature = "broken-answer-early")))]
    fn areas(&self) -> String {
        format!(
            "{} on plans, {} on sign-ups, {} on mentoring, {} on brand photos, {} on hours; {} photos uploaded",
            self.plan_applied, self.signups_applied, self.mentoring_applied, self.photos_applied, self.hours_applied, self.uploads
        )
    }
}

/// Which seeds to run: `CHECKER_SEEDS` (`17` or `0..1000`), else `0..SEEDS`.
fn seeds() -> std::ops::Range<u64> {
    match std::env::var("CHECKER_SEEDS") {
        Ok(text) => match text.split_once("..") {
            Some((a, b)) => a.trim().parse().unwrap_or(0)..b.trim().parse().unwrap_or(SEEDS),
            None => {
                let seed = text.trim().parse().unwrap_or(0);
                seed..seed + 1
            }
        },
        Err(_) => 0..SEEDS,
    }
}

/// The long mode's seeds: from `CHECKER_SEEDS`'s start when it is set, else from `from`.
#[cfg(not(any(feature = "broken-skip-dedupe", feature = "broken-answer-early")))]
fn long_seeds(from: u64) -> std::ops::Range<u64> {
    let start = if std::env::var("CHECKER_SEEDS").is_ok() { seeds().start } else { from };
    start..u64::MAX
}

/// Runs seeds (two at a time) until the range or the time budget ends; returns the
/// failures and how many seeds ran.
async fn run_seeds(seeds: std::ops::Range<u64>, budget: Option<Duration>, stop_at_first: bool, cluster: bool) -> (Vec<Failure>, u64, Stats) {
    let started = std::time::Instant::now();
    let mut failures = Vec::new();
    let mut ran = 0;
    let mut total = Stats::default();
    let mut next = seeds.start;
    loop {
        let in_time = budget.is_none_or(|b| started.elapsed() < b);
        if !in_time || (budget.is_none() && next >= seeds.end) {
            break;
        }
        let pair: Vec<u64> = if budget.is_some() { vec![next, next + 1] } else { (next..(next + 2).min(seeds.end)).collect() };
        next += pair.len() as u64;
        let outcomes = futures::future::join_all(pair.iter().map(|&seed| run_seed(seed, cluster))).await;
        for outcome in outcomes {
            ran += 1;
            match outcome {
                Ok(stats) => total.add(&stats),
                Err(failure) => {
                    eprintln!("seed {} failed:\n  {}\n  replay: {}", failure.seed, failure.violations.join("\n  "), replay_command(failure.seed, cluster));
                    failures.push(failure);
                }
            }
        }
        if stop_at_first && !failures.is_empty() {
            break;
        }
    }
    (failures, ran, total)
}

#[cfg(not(any(feature = "broken-skip-dedupe", feature = "broken-answer-early")))]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_seed_keeps_every_operation_exactly_once() {
    let budget = std::env::var("CHECKER_SECONDS").ok().and_then(|s| s.parse().ok()).map(Duration::from_secs);
    // Long mode: new seeds from 1,000,000, or from where `CHECKER_SEEDS` says (to go on
    // after an earlier run).
    let range = if budget.is_some() { long_seeds(1_000_000) } else { seeds() };
    let started = std::time::Instant::now();
    let (failures, ran, total) = run_seeds(range, budget, false, false).await;
    eprintln!(
        "checker: {ran} seeds in {:.0} s: {} operations ({} applied: {}; {} refused), {} answers deferred, {} replays answered as duplicates, {} server kills; {} seeds failed",
        started.elapsed().as_secs_f64(),
        total.ops,
        total.applied,
        total.areas(),
        total.refused,
        total.deferred,
        total.duplicates,
        total.server_kills,
        failures.len()
    );
    // (A replay of one seed need not do all of it.)
    if ran >= 50 {
        total.assert_exercised();
    }
    if let Some(first) = failures.first() {
        panic!("{} of {ran} seeds failed; replay the first with:\n{}", failures.len(), replay_command(first.seed, false));
    }
}

/// The deliberately broken builds: the checker must catch each within a few seeds.
#[cfg(any(feature = "broken-skip-dedupe", feature = "broken-answer-early"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_checker_catches_the_broken_write_path() {
    let (failures, ran, _) = run_seeds(seeds_for_broken(), None, true, false).await;
    assert!(!failures.is_empty(), "the checker ran {ran} seeds against a broken write path and found nothing");
    eprintln!("caught after {ran} seeds: {}", failures[0].violations[0]);
}

#[cfg(any(feature = "broken-skip-dedupe", feature = "broken-answer-early"))]
fn seeds_for_broken() -> std::ops::Range<u64> {
    if std::env::var("CHECKER_SEEDS").is_ok() {
        seeds()
    } else {
        0..60
    }
}

/// Two app instances on one SurrealDB server, pushes spread over both, and the kills
/// now also take the SurrealDB server down.
#[cfg(not(any(feature = "broken-skip-dedupe", feature = "broken-answer-early")))]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn seeds_across_instances_keep_every_operation_exactly_once() {
    // `CHECKER_SECONDS` runs new seeds for that long, as the single-instance test does.
    let budget = std::env::var("CHECKER_SECONDS").ok().and_then(|s| s.parse().ok()).map(Duration::from_secs);
    let range = if budget.is_some() {
        long_seeds(2_000_000)
    } else if std::env::var("CHECKER_SEEDS").is_ok() {
        seeds()
    } else {
        0..CLUSTER_SEEDS
    };
    let started = std::time::Instant::now();
    let (failures, ran, total) = run_seeds(range, budget, false, true).await;
    eprintln!(
        "checker across instances: {ran} seeds in {:.0} s: {} operations ({} applied: {}; {} refused), {} kills; {} seeds failed",
        started.elapsed().as_secs_f64(),
        total.ops,
        total.applied,
        total.areas(),
        total.refused,
        total.server_kills,
        failures.len()
    );
    if ran >= 20 {
        total.assert_exercised();
    }
    if let Some(first) = failures.first() {
        panic!("{} of {ran} seeds failed; replay the first with:\n{}", failures.len(), replay_command(first.seed, true));
    }
}

/// Live updates cross instances: a change pushed through one app instance reaches a
/// browser following the other instance's event stream within a second.
#[cfg(not(any(feature = "broken-skip-dedupe", feature = "broken-answer-early")))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_updates_reach_the_clients_of_every_instance_within_a_second() {
    use futures::StreamExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("live.db");
    copy_dir(template(true).await, &path);
    let mut server = Server::new(&path, true);
    server.start(0.0, false).await;
    let bases = server.bases();
    let writer = common::login(&bases[0], "lixiurong").await;
    let reader = common::login(&bases[1], "zhangxiaoyan").await;
    let response = reader.get(format!("{}/api/events", bases[1])).send().await.expect("event stream");
    assert!(response.status().is_success());
    let mut events = response.bytes_stream();
    // The stream starts with the current commit number.
    let first = tokio::time::timeout(Duration::from_secs(5), events.next()).await.expect("first event").expect("open").expect("bytes");
    let number = |bytes: &[u8]| String::from_utf8_lossy(bytes).lines().find_map(|l| l.strip_prefix("data:")).and_then(|d| d.trim().parse::<i64>().ok());
    let start_seq = number(&first).expect("a commit number");
    let note = app::domain::ops::Operation::new(
        "branch",
        "wenxing",
        OpKind::Append { list: "notes".into(), item: json!({ "text": "跨实例的实时更新" }) },
        common::stamp(common::now_ms(), "tab-live"),
    );
    let pushed = std::time::Instant::now();
    common::push_ok(&bases[0], &writer, vec![note]).await;
    let seen = tokio::time::timeout(Duration::from_secs(1), async {
        while let Some(Ok(bytes)) = events.next().await {
            if number(&bytes).is_some_and(|seq| seq > start_seq) {
                return pushed.elapsed();
            }
        }
        panic!("the event stream ended");
    })
    .await
    .expect("the other instance announced the commit within a second");
    eprintln!("announced on the other instance {} ms after the push", seen.as_millis());
    server.kill_all();
}
