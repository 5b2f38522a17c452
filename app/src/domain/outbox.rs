//! A device's queue of operations the server has not answered yet (`outbox`): how they
//! are numbered, what goes in each push, what each answer does to the queue, and how long
//! to wait after a failure. The browser keeps the queue in IndexedDB (`sync::store`) and
//! talks HTTP through `fetch` (`sync::engine`); the checker (`server/tests/checker`) runs
//! this same code natively against a real server, so what it proves holds for tablets.

use super::ops::{OpResult, OpStatus, Operation, Reason, SyncResponse, MAX_BATCH};
use serde::{Deserialize, Serialize};

/// Operations per push: small enough that a cut connection costs little to send again.
pub const BATCH: usize = 100;
/// The longest wait between attempts while the server cannot be reached.
pub const MAX_BACKOFF_S: u32 = 30;

/// An operation waiting for the server, with the account that made it: it is only sent
/// in that person's session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    pub account: String,
    pub op: Operation,
}

/// Queue keys sort in the order the operations were made: by their number (numbers are
/// per person, so each person's entries are in order), the id keeping two apart.
pub fn queue_key(op: &Operation) -> String {
    format!("{:016}~{}", op.n.unwrap_or(0), op.id)
}

/// The number of a person's next operation: one past the counter kept beside the queue
/// and past every number still queued, so a counter lost or left behind by another tab
/// never hands out a number twice.
pub fn next_number(counter: Option<u64>, queue: &[Queued], account: &str) -> u64 {
    let queued = queue.iter().filter(|q| q.account == account).filter_map(|q| q.op.n).max();
    counter.into_iter().chain(queued).max().unwrap_or(0) + 1
}

/// Why a push did not get an answer for its operations. All but `Refused` are
/// temporary: the operations stay queued and go again later.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PushError {
    #[error("network")]
    Network,
    #[error("signed out")]
    Unauthenticated,
    /// Busy or briefly unavailable: try again, after `retry_after` seconds if given.
    #[error("server busy")]
    Busy { retry_after: Option<u32> },
    /// The server refused the request itself (not one operation in it).
    #[error("server refused the request ({0})")]
    Refused(u16),
}

/// What an HTTP status means for a push (`Ok` for 200, whose body holds the answers).
pub fn status_outcome(status: u16, retry_after: Option<u32>) -> Result<(), PushError> {
    match status {
        200 => Ok(()),
        401 => Err(PushError::Unauthenticated),
        408 | 429 | 500..=599 => Err(PushError::Busy { retry_after }),
        other => Err(PushError::Refused(other)),
    }
}

/// Seconds to wait before the next attempt after `failures` failures in a row: what the
/// server asked for, else doubling up to `MAX_BACKOFF_S`; `jitter` (0 to 1) spreads
/// tablets that come back at once so they do not push in step.
pub fn backoff_ms(failures: u32, retry_after: Option<u32>, jitter: f64) -> u32 {
    let doubled = 2u32.saturating_pow(failures.min(5)).min(MAX_BACKOFF_S);
    let seconds = retry_after.unwrap_or(doubled).max(1);
    (seconds as f64 * 1000.0 * (0.8 + 0.4 * jitter.clamp(0.0, 1.0))) as u32
}

/// What the answers to one push do to the queue.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settlement {
    /// Queue keys answered for good: accepted, or refused with a reason.
    pub done: Vec<String>,
    /// Accepted: laid on the server's copy (`superseded` names values that lost).
    pub accepted: Vec<(Queued, OpResult)>,
    /// Refused: shown to the person, who may edit and send again.
    pub rejected: Vec<(Queued, OpResult)>,
    /// Some operations were not answered for good: send again later.
    pub again: bool,
    /// The server has seen this device's numbers up to here already: number the
    /// queued operations again from this one.
    pub renumber_from: Option<u64>,
}

/// Sorts the answers to `batch`. An operation the answer does not mention stays queued.
pub fn settle(batch: &[Queued], results: &[OpResult]) -> Settlement {
    let mut settled = Settlement::default();
    for entry in batch {
        let Some(result) = results.iter().find(|r| r.id == entry.op.id) else {
            settled.again = true;
            continue;
        };
        match result.status {
            OpStatus::Accepted => {
                settled.done.push(queue_key(&entry.op));
                settled.accepted.push((entry.clone(), result.clone()));
            }
            OpStatus::Rejected => {
                settled.done.push(queue_key(&entry.op));
                settled.rejected.push((entry.clone(), result.clone()));
            }
            OpStatus::Retry => {
                settled.again = true;
                if let Some(Reason::NumberUsed { next }) = result.reason {
                    settled.renumber_from = Some(settled.renumber_from.map_or(next, |n| n.max(next)));
                }
            }
        }
    }
    settled
}

/// The person's queued operations numbered again from `from`, in their order, each with
/// the key it had: what the device stores instead after `Settlement::renumber_from`.
pub fn renumber(queue: &[Queued], account: &str, from: u64) -> Vec<(String, Queued)> {
    queue
        .iter()
        .filter(|q| q.account == account)
        .zip(from..)
        .map(|(q, n)| {
            let mut again = q.clone();
            again.op.n = Some(n);
            (queue_key(&q.op), again)
        })
        .collect()
}

/// Where a device keeps its queue (IndexedDB in the browser, memory in the checker).
#[allow(async_fn_in_trait)]
pub trait QueueStore {
    /// The queue in order (every person's).
    async fn queue(&mut self) -> Result<Vec<Queued>, String>;
    /// Keeps what a push settled: drops `done`, lays accepted operations on the server's
    /// copy, keeps refusals for the person.
    async fn settled(&mut self, settlement: &Settlement) -> Result<(), String>;
    /// Replaces queue entries (old key, new entry), for renumbering.
    async fn replace(&mut self, entries: Vec<(String, Queued)>) -> Result<(), String>;
}

/// How a device reaches `POST /api/sync`.
#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn push(&mut self, ops: Vec<Operation>) -> Result<SyncResponse, PushError>;
}

/// How a flush ended.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Flushed {
    /// Some push was answered (so the server is reachable and the store changed).
    pub answered: bool,
    /// Why it stopped before the queue was empty, if it did; the caller waits and
    /// flushes again (or asks the person to sign in).
    pub stopped: Option<PushError>,
    /// The server asked for the rest later (out of order, renumbered).
    pub again: bool,
}

/// Sends `account`'s queued operations in order, `batch` at a time, until the queue is
/// empty or a push fails. A request the server refuses as a whole (a 400 or 413, say
/// a body it cannot read) is narrowed down by sending its first operation alone, so one
/// bad entry becomes a refusal for the person instead of blocking the queue.
pub async fn flush<S: QueueStore, T: Transport>(store: &mut S, transport: &mut T, account: &str, batch: usize) -> Flushed {
    let mut flushed = Flushed::default();
    // A queue that answers "again" every time (a gap the server waits on) must not spin.
    for _ in 0..10_000 {
        let queue = match store.queue().await {
            Ok(queue) => queue,
            Err(_) => break,
        };
        let mine: Vec<Queued> = queue.iter().filter(|q| q.account == account).take(batch.clamp(1, MAX_BATCH)).cloned().collect();
        if mine.is_empty() {
            break;
        }
        let ops: Vec<Operation> = mine.iter().map(|q| q.op.clone()).collect();
        let (sent, answer) = match transport.push(ops).await {
            Err(PushError::Refused(code)) if code == 400 || code == 413 => {
                let first = mine[..1].to_vec();
                match transport.push(vec![first[0].op.clone()]).await {
                    Ok(answer) => (first, answer.results),
                    Err(PushError::Refused(_)) => {
                        let refused = OpResult::rejected(first[0].op.id, Reason::EmptyOperation, String::new());
                        (first, vec![refused])
                    }
                    Err(other) => {
                        flushed.stopped = Some(other);
                        break;
                    }
                }
            }
            Err(other) => {
                flushed.stopped = Some(other);
                break;
            }
            Ok(answer) => (mine, answer.results),
        };
        flushed.answered = true;
        let settlement = settle(&sent, &answer);
        if store.settled(&settlement).await.is_err() {
            break;
        }
        if let Some(from) = settlement.renumber_from {
            let queue = store.queue().await.unwrap_or_default();
            if store.replace(renumber(&queue, account, from)).await.is_err() {
                break;
            }
            continue;
        }
        if settlement.again {
            flushed.again = true;
            break;
        }
    }
    flushed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::hlc::Stamp;

    fn queued(account: &str, n: u64) -> Queued {
        let clock = Stamp { ms: 1_700_000_000_000 + n, counter: 0, node: "tab".into() };
        let mut op = Operation::set("branch", "b1", [("phone".to_string(), serde_json::json!(n.to_string()))].into(), clock);
        op.n = Some(n);
        Queued { account: account.into(), op }
    }

    #[test]
    fn numbers_never_repeat_even_when_the_counter_is_lost() {
        let queue = vec![queued("a", 7), queued("b", 30)];
        assert_eq!(next_number(Some(9), &queue, "a"), 10);
        assert_eq!(next_number(None, &queue, "a"), 8);
        assert_eq!(next_number(None, &[], "a"), 1);
        // Keys sort numerically, not as text.
        assert!(queue_key(&queued("a", 9).op) < queue_key(&queued("a", 10).op));
    }

    #[test]
    fn answers_settle_what_they_decide_and_keep_the_rest() {
        let batch = vec![queued("a", 1), queued("a", 2), queued("a", 3), queued("a", 4)];
        let results = vec![
            OpResult::accepted(batch[0].op.id),
            OpResult::rejected(batch[1].op.id, Reason::Forbidden, "不允许".into()),
            OpResult::retry(batch[2].op.id, Reason::OutOfOrder { expected: 2 }),
        ];
        let settled = settle(&batch, &results);
        assert_eq!(settled.done, vec![queue_key(&batch[0].op), queue_key(&batch[1].op)]);
        assert_eq!(settled.accepted.len(), 1);
        assert_eq!(settled.rejected.len(), 1);
        assert!(settled.again, "the third was deferred and the fourth not answered");
        assert_eq!(settled.renumber_from, None);
    }

    #[test]
    fn renumbering_keeps_the_order_and_only_touches_one_person() {
        let queue = vec![queued("a", 1), queued("b", 1), queued("a", 2)];
        let again = renumber(&queue, "a", 41);
        assert_eq!(again.iter().map(|(_, q)| q.op.n).collect::<Vec<_>>(), vec![Some(41), Some(42)]);
        assert_eq!(again[0].0, queue_key(&queue[0].op));
        let settled = settle(&queue[..1], &[OpResult::retry(queue[0].op.id, Reason::NumberUsed { next: 41 })]);
        assert_eq!(settled.renumber_from, Some(41));
    }

    #[test]
    fn statuses_and_waits() {
        assert_eq!(status_outcome(200, None), Ok(()));
        assert_eq!(status_outcome(429, Some(3)), Err(PushError::Busy { retry_after: Some(3) }));
        assert_eq!(status_outcome(503, None), Err(PushError::Busy { retry_after: None }));
        assert_eq!(status_outcome(401, None), Err(PushError::Unauthenticated));
        assert_eq!(status_outcome(400, None), Err(PushError::Refused(400)));
        assert_eq!(backoff_ms(1, Some(3), 0.5), 3000);
        assert_eq!(backoff_ms(10, None, 0.5), MAX_BACKOFF_S * 1000);
        assert!(backoff_ms(0, None, 0.0) >= 800);
    }

    /// A queue in memory and a server that answers from a script.
    struct Memory(Vec<Queued>);
    impl QueueStore for Memory {
        async fn queue(&mut self) -> Result<Vec<Queued>, String> {
            let mut queue = self.0.clone();
            queue.sort_by_key(|q| queue_key(&q.op));
            Ok(queue)
        }
        async fn settled(&mut self, settlement: &Settlement) -> Result<(), String> {
            self.0.retain(|q| !settlement.done.contains(&queue_key(&q.op)));
            Ok(())
        }
        async fn replace(&mut self, entries: Vec<(String, Queued)>) -> Result<(), String> {
            for (old, entry) in entries {
                self.0.retain(|q| queue_key(&q.op) != old);
                self.0.push(entry);
            }
            Ok(())
        }
    }
    struct Server {
        mark: u64,
        pushes: usize,
    }
    impl Transport for Server {
        async fn push(&mut self, ops: Vec<Operation>) -> Result<SyncResponse, PushError> {
            self.pushes += 1;
            let results = ops
                .iter()
                .map(|op| match op.n {
                    Some(n) if n <= self.mark => OpResult::retry(op.id, Reason::NumberUsed { next: self.mark + 1 }),
                    Some(n) => {
                        self.mark = n;
                        OpResult::accepted(op.id)
                    }
                    None => OpResult::accepted(op.id),
                })
                .collect();
            Ok(SyncResponse { results, clock: Stamp { ms: 1, counter: 0, node: "s".into() } })
        }
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        futures::executor::block_on(future)
    }

    #[test]
    fn a_device_that_lost_its_numbers_renumbers_and_loses_nothing() {
        let mut store = Memory(vec![queued("a", 1), queued("a", 2), queued("b", 1)]);
        let mut server = Server { mark: 5, pushes: 0 };
        let flushed = block_on(flush(&mut store, &mut server, "a", 10));
        assert_eq!(flushed.stopped, None);
        assert_eq!(server.mark, 7, "both sent again as 6 and 7");
        assert_eq!(store.0.len(), 1, "only the other person's entry waits");
        assert_eq!(store.0[0].account, "b");
    }
}
