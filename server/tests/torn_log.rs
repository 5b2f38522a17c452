//! A write-ahead log torn by a crash: the server was killed while the engine wrote a commit,
//! so the log ends in half a record. The next start repairs the log, dropping that commit
//! (never acknowledged), and everything that next life acknowledges must survive the next
//! crash. SurrealKV 0.21.4 lost all of it: its writer, opened before the repair, kept
//! appending to the file the repair had replaced (see `vendor/surrealkv/XIANFENG-PATCH.md`).

mod common;
use app::domain::ops::{OpKind, OpStatus, Operation};
use common::*;
use std::path::Path;

/// What one run of the scenario saw.
struct Outcome {
    /// Notes the second life answered as accepted.
    acknowledged: usize,
    /// Of those, the notes on disk after the second life was killed.
    on_disk: usize,
    /// What the second life logged.
    log: String,
}

/// How a crash left the end of the log.
#[derive(Clone, Copy)]
enum Tear {
    /// Killed while writing the last record's data: its header is whole, its data is not.
    /// The next start repairs the segment (rewrites it without that record).
    CutRecord,
    /// Killed while writing a record's 7-byte header: three bytes of it are there. The next
    /// start reads them as the end of the log, with no repair.
    PartialHeader,
}

fn newest_segment(db_path: &Path) -> std::path::PathBuf {
    std::fs::read_dir(db_path.join("wal"))
        .expect("the engine's log directory")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "wal") && std::fs::metadata(path).is_ok_and(|m| m.len() > 0))
        .max()
        .expect("a log segment")
}

fn tear_the_log_tail(db_path: &Path, tear: Tear) {
    use std::io::Write;
    let segment = newest_segment(db_path);
    let mut file = std::fs::OpenOptions::new().write(true).append(true).open(&segment).expect("open the segment");
    let length = file.metadata().expect("segment size").len();
    assert!(length > 64, "the segment holds records");
    match tear {
        Tear::CutRecord => file.set_len(length - 3).expect("cut the segment"),
        // A checksum's first bytes: not zero, so not the padding at the end of a block.
        Tear::PartialHeader => file.write_all(&[0x5a, 0xc3, 0x17]).expect("part of a header"),
    }
    file.sync_all().expect("sync");
}

fn note(run: &str, i: usize) -> Operation {
    Operation::new(
        "branch",
        "wenxing",
        OpKind::Append { list: "notes".into(), item: serde_json::json!({ "text": format!("{run} {i}") }) },
        stamp(now_ms(), "tab-torn"),
    )
}

async fn after_a_torn_log(tear: Tear, extra_env: &[(&str, String)]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("xianfeng.db");
    let address = format!("surrealkv://{}", db_path.display());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let run = uuid::Uuid::now_v7().simple().to_string();
    let mut env = vec![("RUST_LOG", "warn".to_string())];
    env.extend(extra_env.iter().cloned());

    // First life: some work, then SIGKILL, and the log's last record torn.
    let mut first = launch(&address, port, &env).await;
    let client = login(&base, "lixiurong").await;
    push_ok(&base, &client, vec![note("first life", 0)]).await;
    first.kill_9();
    drop(first);
    tear_the_log_tail(&db_path, tear);

    // Second life: starts on the torn log (a repair), acknowledges twenty notes, is killed.
    let log_path = dir.path().join("second-life.log");
    let mut second = launch_logging(&address, port, &env, Some(&log_path)).await;
    let client = login(&base, "lixiurong").await;
    let mut acknowledged = 0;
    for i in 0..20 {
        let answer = push_ok(&base, &client, vec![note(&run, i)]).await;
        assert_eq!(answer.results[0].status, OpStatus::Accepted, "note {i}");
        acknowledged += 1;
    }
    second.kill_9();
    drop(second);
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();

    let texts = notes_on_disk(&address, &run).await;
    let report = server::db::recovery::engine_report(&address).expect("the engine reports its replay");
    assert!(report.records > 0, "the third opening replayed the second life's commits from the log");
    Outcome { acknowledged, on_disk: texts.len(), log }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_torn_log_is_repaired_and_the_next_life_keeps_every_acknowledged_write() {
    let outcome = after_a_torn_log(Tear::CutRecord, &[]).await;
    assert!(outcome.log.contains("repaired it"), "the start on a torn log says it repaired it:\n{}", outcome.log);
    assert_eq!(outcome.on_disk, outcome.acknowledged, "every note the second life acknowledged is on disk");
}

/// A log ending in part of a record header is no corruption to the replay, so nothing is
/// repaired; the next life's commits must not be written behind that part, or the start
/// after it reads them as corruption and drops them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_ending_in_part_of_a_header_keeps_the_next_life_s_writes() {
    let outcome = after_a_torn_log(Tear::PartialHeader, &[]).await;
    assert_eq!(outcome.on_disk, outcome.acknowledged, "every note the second life acknowledged is on disk");
}

/// The same scenario on the engine as published: the test sees the loss, so it can fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_torn_log_test_catches_the_unpatched_engine() {
    let outcome = after_a_torn_log(Tear::CutRecord, &[("XIANFENG_UNPATCHED_ENGINE", "1".to_string())]).await;
    assert_eq!(outcome.acknowledged, 20);
    assert_eq!(outcome.on_disk, 0, "the unpatched engine loses the whole life after a repair");
}
