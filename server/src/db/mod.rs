//! Opening the database and bringing its schema up to date.

pub mod demo;
pub mod demo_photos;
pub mod demo_plans;
pub mod demo_residents;
pub mod migrations;
pub mod recovery;

pub use app::db::Db;
use surrealdb::engine::any::connect;

/// Opens the database named by `address`: `surrealkv://path` (embedded, the default),
/// `mem://` (tests) or `ws://host:port` (a SurrealDB server shared by several instances,
/// signed in as `XIANFENG_DB_USER`/`XIANFENG_DB_PASS`, root/root by default).
pub async fn open(address: &str) -> Result<Db, surrealdb::Error> {
    let user = std::env::var("XIANFENG_DB_USER").unwrap_or_else(|_| "root".into());
    let pass = std::env::var("XIANFENG_DB_PASS").unwrap_or_else(|_| "root".into());
    // An empty user: a server started `--unauthenticated` (tests on one machine).
    let credentials = (!user.is_empty()).then_some((user, pass));
    open_as(address, credentials).await
}

/// Opens the database, signing in to a SurrealDB server with `credentials` if given.
/// The sign-in verifies a password hash on the server (about 1.8 s in a dev build of
/// `surreal-dev`), once per connection: the handle is shared, never cloned (see `Db`).
pub async fn open_as(address: &str, credentials: Option<(String, String)>) -> Result<Db, surrealdb::Error> {
    let db = connect(address).await?;
    if address.starts_with("ws://") || address.starts_with("wss://") {
        if let Some((username, password)) = credentials {
            db.signin(surrealdb::opt::auth::Root { username, password }).await?;
        }
        // A SurrealDB server answers "namespace does not exist" until it is defined.
        db.query("DEFINE NAMESPACE IF NOT EXISTS xianfeng").await?.check()?;
        db.use_ns("xianfeng").await?;
        db.query("DEFINE DATABASE IF NOT EXISTS main").await?.check()?;
    }
    db.use_ns("xianfeng").use_db("main").await?;
    Ok(std::sync::Arc::new(db))
}

/// Is the database answering? (for `/readyz`)
pub async fn ping(db: &Db) -> bool {
    db.query("RETURN 1").await.and_then(|r| r.check()).is_ok()
}

/// Security events are kept six months (等保2.0), then removed.
pub const AUDIT_RETENTION_DAYS: i64 = 183;

/// A photo no brand shows is kept this long after its upload: a tablet that was offline
/// may still send the operation that names it.
pub const UNUSED_PHOTO_DAYS: i64 = 30;

/// Removes what has outlived its purpose: expired sessions, old audit events, and photos
/// no brand has shown for a month. Idempotent, so every instance may run it.
pub async fn housekeeping(db: &Db) -> Result<(), surrealdb::Error> {
    let now = app::db::now_ms();
    erase_after_links_expire(db, now).await?;
    let idle = app::domain::auth::IDLE_MINUTES * 60_000;
    db.query(
        "DELETE session WHERE expires < $now OR last_seen < $idle_since; DELETE audit WHERE at < $keep_since;
         DELETE login_unknown WHERE first_at < $day_ago; DELETE code_tries_minute WHERE at < $day_ago;
         LET $shown = array::flatten(SELECT VALUE photos FROM brand);
         LET $unused = SELECT meta::id(id) AS hash, widths FROM photo WHERE uploaded_at < $photo_since AND meta::id(id) NOT IN $shown;
         FOR $p IN $unused {
             FOR $w IN $p.widths { DELETE type::record('photo_variant', [$p.hash, $w]); };
             DELETE type::record('photo', $p.hash);
         };",
    )
    .bind(serde_json::json!({
        "now": now, "idle_since": now - idle, "keep_since": now - AUDIT_RETENTION_DAYS * 86_400_000,
        "photo_since": now - UNUSED_PHOTO_DAYS * 86_400_000, "day_ago": now - 86_400_000,
    }))
    .await?
    .check()?;
    Ok(())
}

/// Residents' names and phones of activities whose private links have expired
/// (`LINK_DAYS` after the end) are erased as on request: from the sign-ups (a new commit,
/// so tablets pull it) and from the log. The hours stay, without the person.
pub async fn erase_after_links_expire(db: &Db, now: i64) -> Result<(), surrealdb::Error> {
    use app::domain::time::local_from_ms;
    use app::domain::volunteers::LINK_DAYS;
    let before = local_from_ms(now - LINK_DAYS * 86_400_000).format("%Y-%m-%dT%H:%M").to_string();
    db.query(
        "BEGIN TRANSACTION;
         LET $ended = SELECT VALUE record::id(id) FROM activity WHERE ends_at < $before;
         LET $due = SELECT VALUE record::id(id) FROM signup WHERE activity IN $ended AND erased = false;
         IF array::len($due) > 0 {
             LET $seq = (UPDATE ONLY sync_seq:global SET n += 1 RETURN VALUE n);
             FOR $key IN $due {
                 UPDATE type::record('signup', $key) SET name_cipher = '', name_mask = '已删除', phone_cipher = '', phone_hash = '', phone_mask = '', erased = true, seq = $seq RETURN NONE;
             };
             UPDATE op SET kind.fields.name_cipher = '', kind.fields.name_mask = '已删除', kind.fields.phone_cipher = '', kind.fields.phone_hash = '', kind.fields.phone_mask = ''
                 WHERE tb = 'signup' AND key IN $due AND kind.fields.name_cipher != NONE RETURN NONE;
         };
         COMMIT TRANSACTION;",
    )
    .bind(serde_json::json!({ "before": before }))
    .await?
    .check()?;
    Ok(())
}
