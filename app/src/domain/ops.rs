//! Operations: the one shape every change takes, online or offline.

use super::auth::PasswordError;
use super::gantt::GanttProblem;
use super::hlc::Stamp;
use super::mentors::MentorProblem;
use super::projects::{OnePlusFiveProblem, ProjectError};
use super::volunteers::VolunteerProblem;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Most operations one request may carry; a larger queue is sent in several batches.
pub const MAX_BATCH: usize = 500;

/// One change made by one person. The actor is not part of it: the server takes the
/// actor from the session, whatever the body says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// Made by the client (UUIDv7), so a replayed operation is recognised.
    pub id: Uuid,
    /// Table of the record it touches, e.g. `branch`.
    pub table: String,
    /// Key of the record within its table.
    pub key: String,
    #[serde(flatten)]
    pub kind: OpKind,
    pub clock: Stamp,
    /// For `set`: the clock of each field's value as the client saw it when editing
    /// (`""` when it saw none). A stored clock that differs means someone else wrote the
    /// field concurrently: a real conflict, reported to whichever side lost.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub base: BTreeMap<String, String>,
    /// Its number among this person's operations on this device (1, 2, 3, …), given
    /// when it is queued. The server applies one device's operations in this order and
    /// keeps the last number applied, so a gap waits and a replay is known. Operations
    /// sent straight away (a password change) have none and are known by id alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OpKind {
    /// Sets plain fields; each merges last-writer-wins by clock.
    Set { fields: BTreeMap<String, Value> },
    /// Creates a record under a client-made key with these fields.
    Create { fields: BTreeMap<String, Value> },
    /// Appends an item to a list that only grows.
    Append { list: String, item: Value },
    /// Moves a record from one state to another; validated by the server in order.
    Transition {
        to: String,
        #[serde(default)]
        note: Option<String>,
    },
    /// Changes the actor's own password. The server checks `current`, stores only a
    /// hash of `new`, and never records either in the operation log.
    ChangePassword { current: String, new: String },
}

impl OpKind {
    pub fn code(&self) -> &'static str {
        match self {
            OpKind::Set { .. } => "set",
            OpKind::Create { .. } => "create",
            OpKind::Append { .. } => "append",
            OpKind::Transition { .. } => "transition",
            OpKind::ChangePassword { .. } => "change_password",
        }
    }

    /// The form kept in the operation log: secrets removed.
    pub fn redacted(&self) -> OpKind {
        match self {
            OpKind::ChangePassword { .. } => OpKind::ChangePassword { current: String::new(), new: String::new() },
            other => other.clone(),
        }
    }
}

impl Operation {
    /// A new operation stamped with `clock`; the id is a fresh UUIDv7.
    pub fn new(table: &str, key: &str, kind: OpKind, clock: Stamp) -> Operation {
        Operation { id: Uuid::now_v7(), table: table.into(), key: key.into(), kind, clock, base: BTreeMap::new(), n: None }
    }

    pub fn set(table: &str, key: &str, fields: BTreeMap<String, Value>, clock: Stamp) -> Operation {
        Operation::new(table, key, OpKind::Set { fields }, clock)
    }
}

/// What a client sends to `POST /api/sync`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncRequest {
    /// The device's id (also the node of its clock).
    pub client: String,
    pub ops: Vec<Operation>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpStatus {
    Accepted,
    Rejected,
    /// Not applied yet, and not refused: the device keeps it queued and sends it again
    /// (an earlier number has not arrived, or the device must number it anew).
    Retry,
}

/// Why an operation was refused. The code is stable; the UI and the sync answer
/// both translate it with `i18n::reason_message`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    #[error("unknown table")]
    UnknownTable,
    #[error("record not found")]
    UnknownRecord,
    #[error("unknown field {field}")]
    UnknownField { field: String },
    #[error("unknown list {list}")]
    UnknownList { list: String },
    #[error("invalid value for {field}")]
    InvalidValue { field: String },
    #[error("nothing to change")]
    EmptyOperation,
    #[error("not permitted")]
    Forbidden,
    #[error("clock stamp too far ahead")]
    ClockAhead,
    #[error("no such state change")]
    TransitionNotAllowed,
    #[error("current password is wrong")]
    WrongPassword,
    /// Too many wrong passwords (sign-ins and current passwords together): wait.
    #[error("too many wrong passwords")]
    PasswordTriesUsed { minutes: i64 },
    /// A push carried a second password change: it is sent again on its own.
    #[error("one password change at a time")]
    OnePasswordChangeAtATime,
    #[error("password policy")]
    PasswordPolicy { problem: PasswordError },
    #[error("record already exists")]
    AlreadyExists,
    #[error("a second key project in one year")]
    SecondKeyProject,
    #[error("the 1+5 is incomplete")]
    Incomplete { problems: Vec<OnePlusFiveProblem> },
    #[error("this role may not make this move")]
    WrongRole,
    #[error("a return needs a reason")]
    ReturnNeedsReason,
    #[error("the nomination quota is used up")]
    QuotaReached { quota: u32 },
    #[error("only filed projects can be nominated")]
    NotFiled,
    #[error("the project can no longer be edited")]
    NotEditable,
    #[error("the year lies outside the planned period")]
    YearOutsidePeriod { year: i64, first: i64, last: i64 },
    /// A plan rule (a cycle, a milestone, a day off, …), naming the tasks.
    #[error("the plan breaks a rule")]
    Plan { problem: GanttProblem },
    /// A mentoring rule (one mentor per branch, sessions within a pairing).
    #[error("the mentoring breaks a rule")]
    Mentoring { problem: MentorProblem },
    /// A volunteer rule (places, timing, check-in codes, personal information).
    #[error("the sign-up breaks a rule")]
    Volunteer { problem: VolunteerProblem },
    /// A photo rule (a brand refers to one never uploaded, too many).
    #[error("the photo breaks a rule")]
    Photo { problem: crate::domain::photos::PhotoProblem },
    /// Temporary: the device's operation `expected` has not arrived yet.
    #[error("an earlier operation has not arrived")]
    OutOfOrder { expected: u64 },
    /// Temporary: the number was used by another operation (the device lost its
    /// counter); numbering again from `next` sends it safely.
    #[error("operation number already used")]
    NumberUsed { next: u64 },
}

impl From<ProjectError> for Reason {
    fn from(error: ProjectError) -> Reason {
        match error {
            ProjectError::SecondKeyProject => Reason::SecondKeyProject,
            ProjectError::Incomplete { problems } => Reason::Incomplete { problems },
            ProjectError::NoSuchTransition => Reason::TransitionNotAllowed,
            ProjectError::WrongRole => Reason::WrongRole,
            ProjectError::ReturnNeedsReason => Reason::ReturnNeedsReason,
            ProjectError::QuotaReached { quota } => Reason::QuotaReached { quota },
            ProjectError::NotFiled => Reason::NotFiled,
            ProjectError::NotEditable => Reason::NotEditable,
            ProjectError::YearOutsidePeriod { year, first, last } => Reason::YearOutsidePeriod { year, first, last },
        }
    }
}

/// The server's answer for one operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpResult {
    pub id: Uuid,
    pub status: OpStatus,
    /// The operation had been applied before; nothing changed this time.
    #[serde(default)]
    pub duplicate: bool,
    /// Fields this operation set but which someone else had set with a later clock.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub superseded: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// `reason` in the requester's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl OpResult {
    pub fn accepted(id: Uuid) -> OpResult {
        OpResult { id, status: OpStatus::Accepted, duplicate: false, superseded: vec![], reason: None, message: None }
    }

    pub fn duplicate(id: Uuid) -> OpResult {
        OpResult { duplicate: true, ..OpResult::accepted(id) }
    }

    pub fn rejected(id: Uuid, reason: Reason, message: String) -> OpResult {
        OpResult { id, status: OpStatus::Rejected, duplicate: false, superseded: vec![], reason: Some(reason), message: Some(message) }
    }

    /// Not now: the device keeps the operation and sends it again.
    pub fn retry(id: Uuid, reason: Reason) -> OpResult {
        OpResult { id, status: OpStatus::Retry, duplicate: false, superseded: vec![], reason: Some(reason), message: None }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncResponse {
    pub results: Vec<OpResult>,
    /// The server's clock after the batch, so the client's clock moves past it.
    pub clock: Stamp,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wire_form_is_flat_and_ignores_a_forged_actor() {
        let body = json!({
            "id": "0190f5f2-7d6e-7cc0-8f00-000000000001",
            "table": "branch", "key": "wenxing",
            "type": "set", "fields": {"phone": "0352-1234567"},
            "clock": "000001700000000-000000-tab1",
            "actor": "account:street-admin"
        });
        let op: Operation = serde_json::from_value(body).unwrap();
        assert_eq!(op.kind, OpKind::Set { fields: [("phone".to_string(), json!("0352-1234567"))].into() });
        assert!(!serde_json::to_string(&op).unwrap().contains("actor"));
    }

    #[test]
    fn a_bad_clock_makes_the_operation_malformed() {
        let body = json!({
            "id": "0190f5f2-7d6e-7cc0-8f00-000000000001", "table": "branch", "key": "x",
            "type": "append", "list": "notes", "item": {"text": "hi"}, "clock": "yesterday"
        });
        assert!(serde_json::from_value::<Operation>(body).is_err());
    }

    #[test]
    fn password_changes_are_redacted_for_the_log() {
        let kind = OpKind::ChangePassword { current: "Old-pass1".into(), new: "New-pass1".into() };
        let logged = serde_json::to_string(&kind.redacted()).unwrap();
        assert!(!logged.contains("pass1"));
    }

    #[test]
    fn reasons_carry_a_stable_code() {
        let r = Reason::InvalidValue { field: "phone".into() };
        assert_eq!(serde_json::to_value(&r).unwrap(), json!({"code": "invalid_value", "field": "phone"}));
        let p = Reason::PasswordPolicy { problem: PasswordError::TooShort };
        assert_eq!(serde_json::to_value(&p).unwrap(), json!({"code": "password_policy", "problem": "too_short"}));
    }
}
