//! The browser's local store in IndexedDB (through `idb`): the server's copy of the
//! working set, the queue of operations not yet accepted, the problems the person has to
//! look at, a few settings (cursor, device, offline since), and photos picked offline.
//! Values are JSON text, so a damaged entry is found when it is read, not when the browser
//! loads it; photos are kept as their bytes.
//!
//! Each function opens its own transaction and awaits only IndexedDB requests inside it:
//! a transaction commits as soon as control returns to the event loop.

use super::Problem;
use crate::domain::replica::RecordState;
use idb::{Database, DatabaseEvent, Factory, ObjectStoreParams, TransactionMode};
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsValue;

const NAME: &str = "xianfeng";
const VERSION: u32 = 2;
pub const RECORDS: &str = "records";
pub const QUEUE: &str = "queue";
pub const PROBLEMS: &str = "problems";
pub const META: &str = "meta";
/// Photos picked without a network, by content hash, until they are uploaded.
pub const PHOTOS: &str = "photos";

thread_local! {
    static DB: RefCell<Option<Rc<Database>>> = const { RefCell::new(None) };
}

pub type StoreResult<T> = Result<T, String>;

fn fail(e: impl std::fmt::Display) -> String {
    e.to_string()
}

async fn db() -> StoreResult<Rc<Database>> {
    if let Some(db) = DB.with(|d| d.borrow().clone()) {
        return Ok(db);
    }
    let factory = Factory::new().map_err(fail)?;
    let mut request = factory.open(NAME, Some(VERSION)).map_err(fail)?;
    request.on_upgrade_needed(|event| {
        if let Ok(db) = event.database() {
            for store in [RECORDS, QUEUE, PROBLEMS, META, PHOTOS] {
                if !db.store_names().iter().any(|s| s == store) {
                    let _ = db.create_object_store(store, ObjectStoreParams::new());
                }
            }
        }
    });
    let db = Rc::new(request.await.map_err(fail)?);
    DB.with(|d| *d.borrow_mut() = Some(db.clone()));
    Ok(db)
}

async fn put_all(store: &str, entries: Vec<(String, String)>) -> StoreResult<()> {
    let db = db().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadWrite).map_err(fail)?;
    let os = tx.object_store(store).map_err(fail)?;
    for (key, value) in entries {
        os.put(&JsValue::from_str(&value), Some(&JsValue::from_str(&key))).map_err(fail)?.await.map_err(fail)?;
    }
    tx.commit().map_err(fail)?.await.map_err(fail)?;
    Ok(())
}

async fn delete_all(store: &str, keys: Vec<String>) -> StoreResult<()> {
    let db = db().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadWrite).map_err(fail)?;
    let os = tx.object_store(store).map_err(fail)?;
    for key in keys {
        os.delete(JsValue::from_str(&key)).map_err(fail)?.await.map_err(fail)?;
    }
    tx.commit().map_err(fail)?.await.map_err(fail)?;
    Ok(())
}

/// Every (key, text) of a store, in key order.
async fn entries(store: &str) -> StoreResult<Vec<(String, String)>> {
    let db = db().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadOnly).map_err(fail)?;
    let os = tx.object_store(store).map_err(fail)?;
    let keys = os.get_all_keys(None, None).map_err(fail)?.await.map_err(fail)?;
    let values = os.get_all(None, None).map_err(fail)?.await.map_err(fail)?;
    let _ = tx.await;
    Ok(keys.into_iter().zip(values).map(|(k, v)| (k.as_string().unwrap_or_default(), v.as_string().unwrap_or_default())).collect())
}

async fn get(store: &str, key: &str) -> StoreResult<Option<String>> {
    let db = db().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadOnly).map_err(fail)?;
    let os = tx.object_store(store).map_err(fail)?;
    let value = os.get(JsValue::from_str(key)).map_err(fail)?.await.map_err(fail)?;
    let _ = tx.await;
    Ok(value.and_then(|v| v.as_string()))
}

async fn clear(store: &str) -> StoreResult<()> {
    let db = db().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadWrite).map_err(fail)?;
    tx.object_store(store).map_err(fail)?.clear().map_err(fail)?.await.map_err(fail)?;
    tx.commit().map_err(fail)?.await.map_err(fail)?;
    Ok(())
}

// ---- the server's copy of records

pub async fn put_records(records: &[RecordState]) -> StoreResult<()> {
    let entries = records.iter().filter_map(|r| Some((r.id(), serde_json::to_string(r).ok()?))).collect();
    put_all(RECORDS, entries).await
}

pub async fn record(id: &str) -> StoreResult<Option<RecordState>> {
    Ok(get(RECORDS, id).await?.and_then(|text| serde_json::from_str(&text).ok()))
}

/// Every record of a table. A damaged entry is skipped; the next full pull replaces it.
pub async fn records(table: &str) -> StoreResult<Vec<RecordState>> {
    let prefix = format!("{table}:");
    Ok(entries(RECORDS).await?.into_iter().filter(|(k, _)| k.starts_with(&prefix)).filter_map(|(_, text)| serde_json::from_str(&text).ok()).collect())
}

pub async fn clear_records() -> StoreResult<()> {
    clear(RECORDS).await
}

// ---- the queue

pub use crate::domain::outbox::{queue_key, Queued};

/// Numbers the operation (one past the person's counter and everything queued) and
/// queues it, in one transaction: two tabs never hand out the same number.
pub async fn enqueue(entry: &Queued) -> StoreResult<Queued> {
    let db = db().await?;
    let tx = db.transaction(&[QUEUE, META], TransactionMode::ReadWrite).map_err(fail)?;
    let queue = tx.object_store(QUEUE).map_err(fail)?;
    let meta = tx.object_store(META).map_err(fail)?;
    let counter_key = JsValue::from_str(&format!("number:{}", entry.account));
    let counter: Option<u64> = meta.get(counter_key.clone()).map_err(fail)?.await.map_err(fail)?.and_then(|v| v.as_string()).and_then(|t| t.parse().ok());
    let texts = queue.get_all(None, None).map_err(fail)?.await.map_err(fail)?;
    let queued: Vec<Queued> = texts.iter().filter_map(|v| v.as_string()).filter_map(|t| serde_json::from_str(&t).ok()).collect();
    let mut numbered = entry.clone();
    let n = crate::domain::outbox::next_number(counter, &queued, &entry.account);
    numbered.op.n = Some(n);
    let text = serde_json::to_string(&numbered).map_err(fail)?;
    queue.put(&JsValue::from_str(&text), Some(&JsValue::from_str(&queue_key(&numbered.op)))).map_err(fail)?.await.map_err(fail)?;
    meta.put(&JsValue::from_str(&n.to_string()), Some(&counter_key)).map_err(fail)?.await.map_err(fail)?;
    tx.commit().map_err(fail)?.await.map_err(fail)?;
    Ok(numbered)
}

/// Puts entries in place of others (old key, new entry), in one transaction.
pub async fn replace(entries: Vec<(String, Queued)>) -> StoreResult<()> {
    let db = db().await?;
    let tx = db.transaction(&[QUEUE, META], TransactionMode::ReadWrite).map_err(fail)?;
    let queue = tx.object_store(QUEUE).map_err(fail)?;
    let meta = tx.object_store(META).map_err(fail)?;
    let mut highest: std::collections::BTreeMap<String, u64> = Default::default();
    for (old, entry) in entries {
        let text = serde_json::to_string(&entry).map_err(fail)?;
        queue.delete(JsValue::from_str(&old)).map_err(fail)?.await.map_err(fail)?;
        queue.put(&JsValue::from_str(&text), Some(&JsValue::from_str(&queue_key(&entry.op)))).map_err(fail)?.await.map_err(fail)?;
        let n = highest.entry(entry.account.clone()).or_default();
        *n = (*n).max(entry.op.n.unwrap_or(0));
    }
    // The counter moves past the new numbers, so the next operation follows them.
    for (account, n) in highest {
        let key = JsValue::from_str(&format!("number:{account}"));
        let counter: u64 = meta.get(key.clone()).map_err(fail)?.await.map_err(fail)?.and_then(|v| v.as_string()).and_then(|t| t.parse().ok()).unwrap_or(0);
        meta.put(&JsValue::from_str(&counter.max(n).to_string()), Some(&key)).map_err(fail)?.await.map_err(fail)?;
    }
    tx.commit().map_err(fail)?.await.map_err(fail)?;
    Ok(())
}

/// The queue in order; entries that no longer parse are returned apart, by key and text.
pub async fn queue() -> StoreResult<(Vec<Queued>, Vec<(String, String)>)> {
    let mut good = Vec::new();
    let mut damaged = Vec::new();
    for (key, text) in entries(QUEUE).await? {
        match serde_json::from_str::<Queued>(&text) {
            Ok(entry) => good.push(entry),
            Err(_) => damaged.push((key, text)),
        }
    }
    Ok((good, damaged))
}

pub async fn dequeue(keys: Vec<String>) -> StoreResult<()> {
    delete_all(QUEUE, keys).await
}

// ---- problems

pub async fn put_problems(problems: &[Problem]) -> StoreResult<()> {
    let entries = problems.iter().filter_map(|p| Some((p.id.clone(), serde_json::to_string(p).ok()?))).collect();
    put_all(PROBLEMS, entries).await
}

pub async fn problems() -> StoreResult<Vec<Problem>> {
    Ok(entries(PROBLEMS).await?.into_iter().filter_map(|(_, text)| serde_json::from_str(&text).ok()).collect())
}

pub async fn remove_problem(id: &str) -> StoreResult<()> {
    delete_all(PROBLEMS, vec![id.to_string()]).await
}

// ---- settings

pub async fn meta<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    get(META, key).await.ok().flatten().and_then(|text| serde_json::from_str(&text).ok())
}

pub async fn set_meta<T: Serialize>(key: &str, value: &T) -> StoreResult<()> {
    put_all(META, vec![(key.to_string(), serde_json::to_string(value).map_err(fail)?)]).await
}

// ---- photos waiting for the network

/// Keeps a photo's bytes until it can be uploaded (before the operation naming it is sent).
pub async fn keep_photo(hash: &str, bytes: &js_sys::Uint8Array) -> StoreResult<()> {
    let db = db().await?;
    let tx = db.transaction(&[PHOTOS], TransactionMode::ReadWrite).map_err(fail)?;
    tx.object_store(PHOTOS).map_err(fail)?.put(bytes, Some(&JsValue::from_str(hash))).map_err(fail)?.await.map_err(fail)?;
    tx.commit().map_err(fail)?.await.map_err(fail)?;
    Ok(())
}

/// Every photo still waiting: (hash, bytes).
pub async fn waiting_photos() -> StoreResult<Vec<(String, js_sys::Uint8Array)>> {
    use wasm_bindgen::JsCast;
    let db = db().await?;
    let tx = db.transaction(&[PHOTOS], TransactionMode::ReadOnly).map_err(fail)?;
    let os = tx.object_store(PHOTOS).map_err(fail)?;
    let keys = os.get_all_keys(None, None).map_err(fail)?.await.map_err(fail)?;
    let values = os.get_all(None, None).map_err(fail)?.await.map_err(fail)?;
    let _ = tx.await;
    Ok(keys.into_iter().zip(values).filter_map(|(k, v)| Some((k.as_string()?, v.dyn_into::<js_sys::Uint8Array>().ok()?))).collect())
}

pub async fn forget_photo(hash: &str) -> StoreResult<()> {
    delete_all(PHOTOS, vec![hash.to_string()]).await
}
