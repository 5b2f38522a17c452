//! Opening the database and bringing its schema up to date.

pub mod demo;
pub mod migrations;

pub use app::db::Db;
use surrealdb::engine::any::connect;

/// Opens the database named by `address`: `surrealkv://path` (embedded, the default),
/// `mem://` (tests) or `ws://host:port` (a SurrealDB server shared by several instances).
pub async fn open(address: &str) -> Result<Db, surrealdb::Error> {
    let db = connect(address).await?;
    if address.starts_with("ws://") || address.starts_with("wss://") {
        let user = std::env::var("XIANFENG_DB_USER").unwrap_or_else(|_| "root".into());
        let pass = std::env::var("XIANFENG_DB_PASS").unwrap_or_else(|_| "root".into());
        db.signin(surrealdb::opt::auth::Root { username: user, password: pass }).await?;
    }
    db.use_ns("xianfeng").use_db("main").await?;
    Ok(db)
}

/// Is the database answering? (for `/readyz`)
pub async fn ping(db: &Db) -> bool {
    db.query("RETURN 1").await.and_then(|r| r.check()).is_ok()
}

/// Security events are kept six months (等保2.0), then removed.
pub const AUDIT_RETENTION_DAYS: i64 = 183;

/// Removes what has outlived its purpose: expired sessions and old audit events.
/// Idempotent, so every instance may run it.
pub async fn housekeeping(db: &Db) -> Result<(), surrealdb::Error> {
    let now = app::db::now_ms();
    let idle = app::domain::auth::IDLE_MINUTES * 60_000;
    db.query("DELETE session WHERE expires < $now OR last_seen < $idle_since; DELETE audit WHERE at < $keep_since;")
        .bind(serde_json::json!({ "now": now, "idle_since": now - idle, "keep_since": now - AUDIT_RETENTION_DAYS * 86_400_000 }))
        .await?
        .check()?;
    Ok(())
}
