//! What the storage engine did when it opened: how many log records it replayed and whether
//! it repaired a log cut short by a crash. SurrealDB does not say; the patched engine
//! (`vendor/surrealkv`) keeps a report that this reads. Embedded SurrealKV only.

use std::path::Path;

/// The engine's report for the database at `address`, if it is embedded SurrealKV.
pub fn engine_report(address: &str) -> Option<surrealkv::RecoveryReport> {
    let path = address.strip_prefix("surrealkv://")?;
    let path = path.split('?').next().unwrap_or(path);
    surrealkv::recovery_report(Path::new(path))
}

/// Logs the engine's report: a repair is a warning, since it means the last run was killed
/// while writing (the cut commit was never acknowledged, so dropping it loses nothing).
pub fn log_engine_recovery(address: &str) {
    if std::env::var_os("XIANFENG_UNPATCHED_ENGINE").is_some() {
        tracing::error!("XIANFENG_UNPATCHED_ENGINE is set: the storage engine may lose acknowledged commits after a crash (for its test only)");
    }
    let Some(report) = engine_report(address) else {
        return;
    };
    match report.repaired {
        Some((segment, offset)) => tracing::warn!(
            records = report.records,
            segments = report.segments,
            segment,
            offset,
            "storage engine replayed its log and repaired it: a commit cut short by a crash (never acknowledged) was dropped"
        ),
        None => tracing::info!(records = report.records, segments = report.segments, repaired = false, "storage engine replayed its log"),
    }
}
