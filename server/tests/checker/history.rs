//! What the tablets did and were told, kept as it happened (a Jepsen-style history):
//! every operation made, and every answer a tablet actually received.

use app::domain::ops::{OpResult, OpStatus, Operation};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Default)]
pub struct History {
    /// Operations in the order they were made, with the device that made them.
    pub made: Vec<(String, Operation)>,
    /// Every answer received, per operation.
    pub answers: HashMap<Uuid, Vec<OpResult>>,
    /// Problems seen while the run went on (an answer that contradicts an earlier one).
    pub violations: Vec<String>,
    /// Brand photos whose upload the server acknowledged (their content hashes).
    pub uploaded: Vec<String>,
}

/// How an operation ended, from the tablets' side.
#[derive(Clone, Debug, PartialEq)]
pub enum Ending {
    Applied,
    Refused(String),
    /// No final answer yet: it must still be queued.
    Open,
}

impl History {
    pub fn made(&mut self, device: &str, op: &Operation) {
        self.made.push((device.to_string(), op.clone()));
    }

    pub fn answered(&mut self, device: &str, results: &[OpResult]) {
        for result in results {
            let earlier = self.answers.entry(result.id).or_default();
            let final_before = earlier.iter().find(|r| r.status != OpStatus::Retry).cloned();
            if let Some(before) = final_before {
                if result.status != OpStatus::Retry && result.status != before.status {
                    self.violations.push(format!("{device}: operation {} was answered {:?} and later {:?}", result.id, before.status, result.status));
                }
                if result.status == OpStatus::Accepted && !result.duplicate {
                    self.violations.push(format!("{device}: operation {} was applied twice (a replay was not answered as a duplicate)", result.id));
                }
            }
            earlier.push(result.clone());
        }
    }

    pub fn ending(&self, id: Uuid) -> Ending {
        let answers = self.answers.get(&id).map(Vec::as_slice).unwrap_or_default();
        match answers.iter().find(|r| r.status != OpStatus::Retry) {
            Some(r) if r.status == OpStatus::Accepted => Ending::Applied,
            Some(r) => Ending::Refused(r.reason.as_ref().map(|reason| format!("{reason:?}")).unwrap_or_default()),
            None => Ending::Open,
        }
    }
}
