//! A client's copy of the records it works with (`replica`): the server's state as last
//! pulled, with the client's own still-queued operations laid over it. The browser keeps
//! it in IndexedDB; the same code runs natively in tests, so both sides agree.

use super::merge::{merge_field_text, FieldMerge};
use super::ops::{OpKind, Operation};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One record as the server holds it: plain fields, the clock of each field's last
/// write, and the sequence number of the commit that last changed it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordState {
    pub table: String,
    pub key: String,
    /// The commit that last changed it; `-1` for a record only this client has seen yet.
    pub seq: i64,
    pub fields: Map<String, Value>,
    #[serde(default)]
    pub clocks: BTreeMap<String, String>,
}

impl RecordState {
    pub fn id(&self) -> String {
        record_id(&self.table, &self.key)
    }

    pub fn text(&self, field: &str) -> Option<&str> {
        self.fields.get(field).and_then(Value::as_str)
    }
}

/// The key a record is stored under in the local store.
pub fn record_id(table: &str, key: &str) -> String {
    format!("{table}:{key}")
}

/// What a client sends to `POST /api/pull`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    pub client: String,
    /// The client's cursor; `None` asks the server to use the one it keeps for this
    /// client, `-1` asks for the whole working set (an empty local store).
    #[serde(default)]
    pub since: Option<i64>,
}

/// What changed in the person's working set since the cursor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// The commit the answer is complete up to: the next pull starts here.
    pub cursor: i64,
    pub records: Vec<RecordState>,
    /// Values this client wrote that another person's later write replaced.
    pub conflicts: Vec<ConflictNote>,
}

/// A value this client wrote that lost to a concurrent write: shown to the person with
/// both values until they act on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConflictNote {
    pub id: String,
    pub table: String,
    pub key: String,
    pub field: String,
    pub yours: Value,
    pub winner: Value,
    /// Who wrote the winning value.
    pub winner_name: String,
    pub at: i64,
}

/// Lays one of the client's own operations over a record, as the server would apply it
/// if it accepts it. State changes are shown at once and validated by the server later.
pub fn apply_own(record: Option<RecordState>, op: &Operation) -> Option<RecordState> {
    let clock = op.clock.to_string();
    match (&op.kind, record) {
        (OpKind::Create { fields }, None) => Some(RecordState {
            table: op.table.clone(),
            key: op.key.clone(),
            seq: -1,
            fields: fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            clocks: fields.keys().map(|k| (k.clone(), clock.clone())).collect(),
        }),
        (OpKind::Set { fields }, Some(mut record)) => {
            for (name, value) in fields {
                if merge_field_text(&clock, record.clocks.get(name).map(String::as_str)) == FieldMerge::Applied {
                    record.fields.insert(name.clone(), value.clone());
                    record.clocks.insert(name.clone(), clock.clone());
                }
            }
            Some(record)
        }
        // A move applies only from a state it can be made from: a copy that has already
        // moved on (a later state pulled before this answer arrived) is not moved back.
        (OpKind::Transition { to, .. }, Some(record)) if !may_move(&record, to) => Some(record),
        (OpKind::Transition { to, note }, Some(mut record)) => {
            record.fields.insert("status".into(), Value::String(to.clone()));
            // As the server writes a move: its note (a return's reason) or none.
            record.fields.insert("return_reason".into(), Value::String(note.clone().unwrap_or_default()));
            Some(record)
        }
        (_, record) => record,
    }
}

/// Can a record in its present state be moved to `to`? (States the lifecycle does not
/// know, such as a nomination's, are laid on as before.)
fn may_move(record: &RecordState, to: &str) -> bool {
    use crate::domain::projects::{transition_mover, Status};
    match (record.text("status").and_then(Status::from_code), Status::from_code(to)) {
        (Some(from), Some(to)) => transition_mover(from, to).is_some(),
        _ => true,
    }
}

/// The server's copy of a record with the still-queued operations on it laid over it
/// again, oldest first: what the person sees until the queue is sent.
pub fn rebase<'a>(server: Option<RecordState>, pending: impl IntoIterator<Item = &'a Operation>) -> Option<RecordState> {
    pending.into_iter().fold(server, apply_own)
}

/// The `base` of a `set` operation: the clocks of the fields it sets, as the client sees
/// them now (`""` for a field it has never seen written).
pub fn base_for(record: Option<&RecordState>, fields: &BTreeMap<String, Value>) -> BTreeMap<String, String> {
    fields.keys().map(|name| (name.clone(), record.and_then(|r| r.clocks.get(name)).cloned().unwrap_or_default())).collect()
}

/// The fields of `next` that differ from `current`: a form sends only what the person
/// changed, so that two people editing different fields never overwrite each other.
pub fn changed_fields(current: &Map<String, Value>, next: BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    next.into_iter().filter(|(name, value)| current.get(name).unwrap_or(&Value::Null) != value).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::hlc::Stamp;
    use serde_json::json;

    fn stamp(ms: u64, node: &str) -> Stamp {
        Stamp { ms, counter: 0, node: node.into() }
    }

    fn set(key: &str, field: &str, value: Value, ms: u64, node: &str) -> Operation {
        Operation::new("project", key, OpKind::Set { fields: [(field.to_string(), value)].into() }, stamp(ms, node))
    }

    fn server(title: &str, clock: Stamp, seq: i64) -> RecordState {
        RecordState {
            table: "project".into(),
            key: "p1".into(),
            seq,
            fields: [("title".to_string(), json!(title)), ("status".to_string(), json!("draft"))].into_iter().collect(),
            clocks: [("title".to_string(), clock.to_string())].into(),
        }
    }

    #[test]
    fn a_late_answer_does_not_undo_a_state_already_pulled() {
        let submit = Operation::new("project", "p1", OpKind::Transition { to: "submitted".into(), note: None }, stamp(20, "a"));
        // The answer to the device's own "submit" arrives after a pull brought "filed".
        let mut filed = server("t", stamp(10, "b"), 9);
        filed.fields.insert("status".into(), json!("filed"));
        assert_eq!(apply_own(Some(filed), &submit).unwrap().text("status"), Some("filed"));
        // In order, it moves the copy as the server did.
        assert_eq!(apply_own(Some(server("t", stamp(10, "b"), 3)), &submit).unwrap().text("status"), Some("submitted"));
    }

    #[test]
    fn own_edits_show_over_the_server_copy_until_a_later_write_wins() {
        let mine = set("p1", "title", json!("mine"), 20, "a");
        let seen = rebase(Some(server("old", stamp(10, "b"), 3)), [&mine]).unwrap();
        assert_eq!(seen.text("title"), Some("mine"));
        // Someone else wrote later: their value stays even while mine is queued.
        let seen = rebase(Some(server("theirs", stamp(30, "b"), 4)), [&mine]).unwrap();
        assert_eq!(seen.text("title"), Some("theirs"));
    }

    #[test]
    fn a_record_created_offline_exists_locally_and_takes_later_edits() {
        let create = Operation::new("project", "p9", OpKind::Create { fields: [("title".to_string(), json!("新项目"))].into() }, stamp(5, "a"));
        let edit = set("p9", "title", json!("新项目二"), 6, "a");
        let submit = Operation::new("project", "p9", OpKind::Transition { to: "submitted".into(), note: None }, stamp(7, "a"));
        let seen = rebase(None, [&create, &edit, &submit]).unwrap();
        assert_eq!(seen.seq, -1);
        assert_eq!(seen.text("title"), Some("新项目二"));
        assert_eq!(seen.text("status"), Some("submitted"));
        // An edit of a record this client does not hold changes nothing.
        assert_eq!(rebase(None, [&edit]), None);
    }

    #[test]
    fn replicas_that_apply_the_same_writes_in_any_order_agree() {
        let writes = [set("p1", "title", json!("x"), 20, "a"), set("p1", "title", json!("y"), 20, "b"), set("p1", "title", json!("z"), 19, "c")];
        let start = server("old", stamp(1, "s"), 1);
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        let results: Vec<_> = orders.iter().map(|o| rebase(Some(start.clone()), o.iter().map(|&i| &writes[i])).unwrap()).collect();
        assert!(results.iter().all(|r| r == &results[0]));
        assert_eq!(results[0].text("title"), Some("y"));
    }

    #[test]
    fn base_names_the_clock_the_person_saw_and_forms_send_only_changes() {
        let record = server("old", stamp(10, "b"), 3);
        let fields: BTreeMap<String, Value> = [("title".to_string(), json!("new")), ("goals".to_string(), json!(""))].into();
        let base = base_for(Some(&record), &fields);
        assert_eq!(base["title"], stamp(10, "b").to_string());
        assert_eq!(base["goals"], "");
        let changed = changed_fields(
            &record.fields,
            [("title".to_string(), json!("old")), ("status".to_string(), json!("draft")), ("goals".to_string(), json!("g"))].into(),
        );
        assert_eq!(changed.keys().collect::<Vec<_>>(), vec!["goals"]);
    }
}
