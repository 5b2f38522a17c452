//! What the benchmarks share: the demo database and a real server on a real socket.
#![allow(dead_code)]

use server::db::{self, demo, Db};
use server::state::AppState;
use std::net::SocketAddr;

/// A database at `address`, migrated, with the demo data.
pub async fn demo_db(address: &str) -> Db {
    let db = db::open(address).await.expect("database");
    db::migrations::migrate(&db).await.expect("migrate");
    demo::load_if_empty(&db).await.expect("demo");
    db
}

/// Puts benchmark projects straight into the database (each object's `key` is its record
/// key): test data, like the demo data, not a change anyone made.
pub async fn seed_projects(db: &Db, projects: Vec<serde_json::Value>) {
    db.query("FOR $p IN $projects { CREATE type::record('project', $p.key) CONTENT object::remove($p, 'key'); }")
        .bind(serde_json::json!({ "projects": projects }))
        .await
        .and_then(|r| r.check())
        .expect("seed projects");
}

/// Serves the whole app on `db` on a free local port, serving the site from `site`.
pub async fn serve(db: Db, site: &str, node: &str) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let options = leptos::prelude::LeptosOptions::builder().output_name("xianfeng").site_root(site).site_pkg_dir("pkg").site_addr(addr).build();
    let app = server::router(AppState::new(options, db, node));
    tokio::spawn(server::serve(listener, app, std::future::pending()));
    addr
}
