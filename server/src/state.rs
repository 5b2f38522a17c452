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
}
