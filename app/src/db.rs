//! The database handle shared by server functions and the server, and small helpers
//! for reading SurrealDB answers into typed rows.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use surrealdb::engine::any::Any;
use surrealdb::Surreal;

/// The database handle, shared. Behind an `Arc` because cloning a `Surreal` handle opens a
/// new session on the database (SurrealDB 3: an `attach` round trip, the sign-in replayed,
/// and at most 256 per connection to a server): every request clones the app's state, and
/// must not pay that.
pub type Db = std::sync::Arc<Surreal<Any>>;

/// Milliseconds since the Unix epoch, the unit every stored time uses.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Runs `sql` with `vars` and returns statement `index`'s rows, deserialised.
/// Fails if any statement failed. A temporary refusal is tried again (`retrying`): every
/// server function reads through here, and a page must not fail because another request
/// wrote the same records at that moment.
pub async fn rows<T: DeserializeOwned>(db: &Db, sql: &str, vars: serde_json::Value, index: usize) -> Result<Vec<T>, surrealdb::Error> {
    let mut response = query(db, sql, vars).await?;
    let value: surrealdb::types::Value = response.take(index)?;
    let value = value.into_json_value();
    let list = match value {
        serde_json::Value::Array(list) => list,
        serde_json::Value::Null => vec![],
        single => vec![single],
    };
    list.into_iter().map(|row| serde_json::from_value(row).map_err(|e| surrealdb::Error::internal(e.to_string()))).collect()
}

/// Runs `sql` with `vars`, every statement checked; a temporary refusal is tried again.
pub async fn query(db: &Db, sql: &str, vars: serde_json::Value) -> Result<surrealdb::IndexedResults, surrealdb::Error> {
    retrying(|| async { db.query(sql).bind(vars.clone()).await?.check() }).await
}

/// Like `rows`, for a query that names one record.
pub async fn row<T: DeserializeOwned>(db: &Db, sql: &str, vars: serde_json::Value) -> Result<Option<T>, surrealdb::Error> {
    Ok(rows(db, sql, vars, 0).await?.into_iter().next())
}

/// Statement `index` of a multi-statement answer, deserialised (none when it returned
/// nothing).
pub fn take_rows<T: DeserializeOwned>(response: &mut surrealdb::IndexedResults, index: usize) -> Result<Vec<T>, surrealdb::Error> {
    let value: surrealdb::types::Value = response.take(index)?;
    let list = match value.into_json_value() {
        serde_json::Value::Array(list) => list,
        serde_json::Value::Null => vec![],
        single => vec![single],
    };
    list.into_iter().map(|row| serde_json::from_value(row).map_err(|e| surrealdb::Error::internal(e.to_string()))).collect()
}

/// A record's key and its name: the row of `SELECT record::id(id) AS key, name …` (a
/// person's `display_name AS name`).
#[derive(Clone, Debug, Deserialize)]
pub struct Named {
    pub key: String,
    pub name: String,
}

/// Such rows as a map from key to name.
pub fn names(rows: Vec<Named>) -> std::collections::HashMap<String, String> {
    rows.into_iter().map(|r| (r.key, r.name)).collect()
}

/// A record's key and its stored fields, for the domain rules that read a field map (the
/// same rules read an operation's fields): the row of `SELECT record::id(id) AS key, *
/// OMIT id …`.
#[derive(Clone, Debug, Deserialize)]
pub struct Keyed {
    pub key: String,
    #[serde(flatten)]
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// A count: the row of `SELECT count() AS n … GROUP ALL`.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct Count {
    pub n: u64,
}

/// The database refused a transaction because another wrote the same records meanwhile:
/// running it again is safe.
pub fn is_write_conflict(error: &surrealdb::Error) -> bool {
    error.to_string().contains("can be retried")
}

/// Runs `attempt` again, a few times and briefly apart, while the database answers with
/// a write conflict: the one place a temporary refusal is retried.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, surrealdb::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, surrealdb::Error>>,
{
    const ATTEMPTS: u64 = 8;
    let mut tried = 0;
    loop {
        tried += 1;
        match attempt().await {
            Err(error) if is_write_conflict(&error) && tried < ATTEMPTS => {
                tokio::time::sleep(std::time::Duration::from_millis(3 * tried)).await;
            }
            outcome => return outcome,
        }
    }
}

/// Test-only faults for server functions: `XIANFENG_FAULTS_API=get_volunteers:3,list_projects:1`
/// makes the first three calls of `get_volunteers` and the first of `list_projects` that
/// come over HTTP (never a server render) fail as if the database could not be reached,
/// so a browser test sees what a page does with an error. Never set in production.
pub fn injected_fault(path: &str) -> bool {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    // None unless the switch is set: every server function passes here, and in
    // production that must cost no lock.
    static LEFT: OnceLock<Option<Mutex<HashMap<String, u32>>>> = OnceLock::new();
    let left = LEFT.get_or_init(|| {
        let spec = std::env::var("XIANFENG_FAULTS_API").unwrap_or_default();
        let faults: HashMap<String, u32> =
            spec.split(',').filter_map(|item| item.split_once(':')).filter_map(|(name, n)| Some((name.trim().to_string(), n.trim().parse().ok()?))).collect();
        if faults.is_empty() {
            return None;
        }
        tracing::warn!(?faults, "XIANFENG_FAULTS_API is set: server functions will fail on purpose");
        Some(Mutex::new(faults))
    });
    let Some(left) = left else { return false };
    let Some(name) = path.strip_prefix("/api/") else { return false };
    let mut left = left.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    match left.get_mut(name) {
        Some(n) if *n > 0 => {
            *n -= 1;
            tracing::warn!(name, "injected fault: a server function fails on purpose");
            true
        }
        _ => false,
    }
}
