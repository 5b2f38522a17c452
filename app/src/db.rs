//! The database handle shared by server functions and the server, and small helpers
//! for reading SurrealDB answers as JSON.

use serde::de::DeserializeOwned;
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
/// Fails if any statement failed.
pub async fn rows<T: DeserializeOwned>(
    db: &Db,
    sql: &str,
    vars: serde_json::Value,
    index: usize,
) -> Result<Vec<T>, surrealdb::Error> {
    let mut response = db.query(sql).bind(vars).await?.check()?;
    let value: surrealdb::types::Value = response.take(index)?;
    let value = value.into_json_value();
    let list = match value {
        serde_json::Value::Array(list) => list,
        serde_json::Value::Null => vec![],
        single => vec![single],
    };
    list.into_iter()
        .map(|row| serde_json::from_value(row).map_err(|e| surrealdb::Error::internal(e.to_string())))
        .collect()
}

/// Like `rows`, for a query that names one record.
pub async fn row<T: DeserializeOwned>(
    db: &Db,
    sql: &str,
    vars: serde_json::Value,
) -> Result<Option<T>, surrealdb::Error> {
    Ok(rows(db, sql, vars, 0).await?.into_iter().next())
}

/// Statement `index` of a multi-statement answer as a list of JSON rows (none when it
/// returned nothing).
pub fn take_rows(response: &mut surrealdb::IndexedResults, index: usize) -> Result<Vec<serde_json::Value>, surrealdb::Error> {
    let value: surrealdb::types::Value = response.take(index)?;
    Ok(match value.into_json_value() {
        serde_json::Value::Array(list) => list,
        serde_json::Value::Null => vec![],
        single => vec![single],
    })
}
