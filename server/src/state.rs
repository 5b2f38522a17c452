use crate::db::Db;
use crate::sync::Writer;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

/// Everything a request handler may need. No state lives only here: sessions, the
/// operation log and cursors are in the database, so instances are interchangeable.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub writer: Arc<Writer>,
    /// Numbers of commits, from the database's change stream (`sync::live`).
    pub changes: tokio::sync::broadcast::Sender<i64>,
    /// Seals residents' names and phones (`XIANFENG_PII_KEY`).
    pub pii: Arc<crate::pii::Pii>,
    /// The public pages: their address for links and QR codes, limits, the page cache.
    pub brand: Arc<crate::brand::BrandSite>,
    /// Brand photos read lately (`photos::serve`).
    pub photos: crate::photos::Cache,
    /// Requests per address: sign-in, uploads, residents' forms.
    pub throttle: Arc<crate::throttle::Throttle>,
    /// Event streams open per session (`sync::live`).
    pub streams: Arc<crate::sync::live::Streams>,
}

impl AppState {
    /// The state of one instance; starts following the database's commits.
    pub fn new(leptos_options: LeptosOptions, db: Db, node: &str) -> AppState {
        let changes = crate::sync::live::follow(db.clone());
        let writer = Writer::start(db.clone(), node);
        let brand = Arc::new(crate::brand::BrandSite::from_env(&changes));
        let throttle = Arc::new(crate::throttle::Throttle::from_env());
        AppState {
            leptos_options,
            db,
            writer,
            changes,
            pii: Arc::new(crate::pii::Pii::from_env()),
            brand,
            photos: Default::default(),
            throttle,
            streams: Default::default(),
        }
    }
}
