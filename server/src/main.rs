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
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(problem) => {
            eprintln!("{problem}");
            std::process::exit(2);
        }
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.is_empty() {
        return admin(&config, &args).await;
    }
    if let Some(dir) = config.db.strip_prefix("surrealkv://").and_then(|path| std::path::Path::new(path).parent()) {
        std::fs::create_dir_all(dir)?;
    }
    // Listen first: until the database is open, `/readyz` answers 503 (see `starting`).
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let gate = Gate::default();
    let serving = gate.router();
    let serving = tokio::spawn(server::serve(listener, serving, shutdown_signal()));
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
    let throttle = state.throttle.clone();
    tokio::spawn(async move {
        let mut every_ten_minutes = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every_ten_minutes.tick().await;
            throttle.forget_idle();
        }
    });
    gate.open(server::router(state));
    tracing::info!("listening on http://{}", config.addr);
    println!("先锋 Xianfeng: http://{}", config.addr);
    serving.await??;
    tracing::info!("stopped");
    Ok(())
}

/// `xianfeng admin create-account <username> <display name>`: the first street-staff
/// account of a production start, with a one-time password printed once.
async fn admin(config: &Config, args: &[String]) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let usage = "usage: xianfeng admin create-account <username> <display name>";
    let [admin, command, username, display_name] = args else { return Err(usage.into()) };
    if admin != "admin" || command != "create-account" {
        return Err(usage.into());
    }
    if let Some(dir) = config.db.strip_prefix("surrealkv://").and_then(|path| std::path::Path::new(path).parent()) {
        std::fs::create_dir_all(dir)?;
    }
    let db = db::open(&config.db).await?;
    db::migrations::migrate(&db).await?;
    let password = app::auth::store::create_account(&db, username, display_name).await.map_err(|e| e.to_string())?;
    println!("账号 {username}（{display_name}，街道工作人员）已创建。一次性密码：{password}");
    println!("Account {username} created (street staff). One-time password: {password}");
    println!("首次登录后须修改密码。It must be changed at the first sign-in.");
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
