use axum::serve::ListenerExt;
use server::config::Config;
use server::db::{self, demo};
use server::starting::Gate;
use server::state::AppState;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,surrealdb=warn,surrealkv=warn"));
    if std::env::var("XIANFENG_LOG").as_deref() == Ok("json") {
        tracing_subscriber::fmt().with_env_filter(filter).json().init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let config = Config::from_env()?;
    if let Some(dir) = config.db.strip_prefix("surrealkv://").and_then(|path| std::path::Path::new(path).parent()) {
        std::fs::create_dir_all(dir)?;
    }
    // Listen first: until the database is open, `/readyz` answers 503 (see `starting`).
    // Leptos streams responses in small writes: without TCP_NODELAY each waits ~40 ms.
    let listener = tokio::net::TcpListener::bind(config.addr).await?.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let gate = Gate::default();
    let serving = gate.router();
    let server = tokio::spawn(async move {
        axum::serve(listener, serving.into_make_service_with_connect_info::<std::net::SocketAddr>()).with_graceful_shutdown(shutdown_signal()).await
    });
    let db = db::open(&config.db).await?;
    db::recovery::log_engine_recovery(&config.db);
    let migrated = db::migrations::migrate(&db).await?;
    tracing::info!(db = %config.db, migrated, "database ready");
    if config.demo && demo::load_if_empty(&db).await? {
        tracing::info!("demo data loaded");
    }
    if config.demo {
        println!("{}", demo::accounts_banner());
    }
    let sweeper = db.clone();
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            if let Err(error) = db::housekeeping(&sweeper).await {
                tracing::warn!(%error, "housekeeping failed");
            }
        }
    });
    let state = AppState::new(config.leptos_options(), db, &config.node);
    gate.open(server::router(state));
    tracing::info!("listening on http://{}", config.addr);
    println!("先锋 Xianfeng: http://{}", config.addr);
    server.await??;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
