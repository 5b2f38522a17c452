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
