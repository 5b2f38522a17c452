//! Faults injected into the write path, for the checker (`server/tests/checker.rs`):
//! with `XIANFENG_FAULTS=<rate>` (0 to 1; never set in production), that share of commits
//! fails as if the database connection dropped, half before the commit was sent (nothing
//! written) and half after it (written, but the server cannot know).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

fn rate() -> f64 {
    static RATE: OnceLock<f64> = OnceLock::new();
    *RATE.get_or_init(|| {
        let rate = std::env::var("XIANFENG_FAULTS").ok().and_then(|v| v.parse().ok()).unwrap_or(0.0);
        if rate > 0.0 {
            tracing::warn!(rate, "XIANFENG_FAULTS is set: commits will fail on purpose");
        }
        rate
    })
}

/// A small generator (splitmix64) is enough: the faults need spreading, not secrecy.
fn roll() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = std::process::id() as u64 ^ std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1);
    let _ = STATE.compare_exchange(0, seed, Ordering::Relaxed, Ordering::Relaxed);
    let mut z = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn strike(when: &str) -> Result<(), surrealdb::Error> {
    if rate() > 0.0 && roll() < rate() / 2.0 {
        tracing::warn!(when, "injected fault: database connection lost");
        return Err(surrealdb::Error::internal(format!("injected fault: connection lost {when} commit")));
    }
    Ok(())
}

/// Before the transaction is sent: nothing is written.
pub fn before_commit() -> Result<(), surrealdb::Error> {
    strike("before")
}

/// After it committed: written, but answered as a failure.
pub fn after_commit() -> Result<(), surrealdb::Error> {
    strike("after")
}
