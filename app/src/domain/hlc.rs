//! Hybrid logical clock: wall-clock milliseconds, a counter for events in the same
//! millisecond, and the node that made the stamp. Its text form sorts like the clock,
//! so the database compares stamps as strings.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How far ahead of the server's own clock a stamp may be before it is refused.
/// A tablet whose wall clock runs fast would otherwise win every conflict.
pub const MAX_DRIFT_MS: u64 = 5 * 60 * 1000;

/// The largest counter the text form holds (six digits). A clock that would pass it
/// moves to the next millisecond instead, so every stamp it makes can be read back.
pub const MAX_COUNTER: u32 = 999_999;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Stamp {
    pub ms: u64,
    pub counter: u32,
    pub node: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StampError {
    #[error("malformed clock stamp")]
    Malformed,
    #[error("clock stamp too far ahead of the server")]
    TooFarAhead,
}

impl Stamp {
    /// Checks a stamp that arrived from elsewhere against this machine's wall clock.
    pub fn check_drift(&self, now_ms: u64) -> Result<(), StampError> {
        if self.ms > now_ms.saturating_add(MAX_DRIFT_MS) {
            Err(StampError::TooFarAhead)
        } else {
            Ok(())
        }
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // 15 digits of milliseconds last until the year 33658; 6 of counter is plenty.
        write!(f, "{:015}-{:06}-{}", self.ms, self.counter, self.node)
    }
}

impl std::str::FromStr for Stamp {
    type Err = StampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(3, '-');
        let (Some(ms), Some(counter), Some(node)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(StampError::Malformed);
        };
        if ms.len() != 15 || counter.len() != 6 || node.is_empty() || node.len() > 64 {
            return Err(StampError::Malformed);
        }
        Ok(Stamp { ms: ms.parse().map_err(|_| StampError::Malformed)?, counter: counter.parse().map_err(|_| StampError::Malformed)?, node: node.to_string() })
    }
}

impl TryFrom<String> for Stamp {
    type Error = StampError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Stamp> for String {
    fn from(s: Stamp) -> String {
        s.to_string()
    }
}

/// The clock of one node (a browser tab's device, or a server instance).
#[derive(Clone, Debug)]
pub struct Clock {
    last: Stamp,
}

impl Clock {
    pub fn new(node: impl Into<String>) -> Self {
        Clock { last: Stamp { ms: 0, counter: 0, node: node.into() } }
    }

    /// A new stamp for a local event, later than every stamp this clock has made or seen.
    pub fn tick(&mut self, now_ms: u64) -> Stamp {
        if now_ms > self.last.ms {
            self.last.ms = now_ms;
            self.last.counter = 0;
        } else {
            self.next_counter(self.last.counter);
        }
        self.last.clone()
    }

    /// The counter after `after` in this clock's millisecond, or the next millisecond.
    fn next_counter(&mut self, after: u32) {
        if after >= MAX_COUNTER {
            self.last.ms += 1;
            self.last.counter = 0;
        } else {
            self.last.counter = after + 1;
        }
    }

    /// Takes in a stamp from another node so that later local stamps sort after it.
    /// Stamps far ahead of the wall clock are ignored rather than adopted.
    pub fn observe(&mut self, remote: &Stamp, now_ms: u64) {
        if remote.check_drift(now_ms).is_err() {
            return;
        }
        self.adopt(remote, now_ms);
    }

    /// Like `observe`, for stamps that come from the server, which has already refused
    /// any too far ahead of its own clock: a device whose wall clock is behind catches
    /// up with what it has seen, so its next edit sorts after the values it saw.
    pub fn adopt(&mut self, remote: &Stamp, now_ms: u64) {
        let ms = now_ms.max(self.last.ms).max(remote.ms);
        let after = if ms == self.last.ms && ms == remote.ms {
            Some(self.last.counter.max(remote.counter))
        } else if ms == self.last.ms {
            Some(self.last.counter)
        } else if ms == remote.ms {
            Some(remote.counter)
        } else {
            None
        };
        self.last.ms = ms;
        match after {
            Some(after) => self.next_counter(after),
            None => self.last.counter = 0,
        }
    }

    pub fn last(&self) -> &Stamp {
        &self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(ms: u64, counter: u32, node: &str) -> Stamp {
        Stamp { ms, counter, node: node.into() }
    }

    #[test]
    fn text_form_round_trips_and_sorts_like_the_clock() {
        let cases = [
            (stamp(1, 0, "a"), stamp(1, 1, "a")),
            (stamp(9, 999, "z"), stamp(10, 0, "a")),
            (stamp(1_700_000_000_000, 5, "a"), stamp(1_700_000_000_000, 5, "b")),
        ];
        for (lo, hi) in cases {
            assert!(lo < hi);
            assert!(lo.to_string() < hi.to_string(), "{lo} should sort before {hi}");
            assert_eq!(lo.to_string().parse::<Stamp>().unwrap(), lo);
        }
    }

    #[test]
    fn a_counter_at_its_widest_moves_the_clock_to_the_next_millisecond() {
        let mut clock = Clock::new("srv");
        let crafted = stamp(5_000, MAX_COUNTER, "tablet");
        clock.observe(&crafted, 4_000);
        let next = clock.tick(4_000);
        assert!(next > crafted);
        assert_eq!(next.to_string().parse::<Stamp>(), Ok(next.clone()));
        assert_eq!((next.ms, next.counter), (5_001, 1));
    }

    proptest::proptest! {
        /// Whatever a clock is shown and however its wall clock moves, every stamp it makes
        /// reads back from its text form, and sorts (as text too) after the one before.
        #[test]
        fn every_stamp_a_clock_makes_round_trips_and_sorts_like_the_clock(
            steps in proptest::collection::vec((0u64..3, 0u64..20, proptest::option::of((0u64..20, 999_990u32..=MAX_COUNTER))), 1..200)
        ) {
            let mut clock = Clock::new("n");
            let mut wall = 1_000u64;
            let mut before: Option<Stamp> = None;
            for (advance, back, seen) in steps {
                wall = (wall + advance).saturating_sub(back % 2);
                if let Some((ahead, counter)) = seen {
                    clock.observe(&stamp(wall + ahead, counter, "peer"), wall);
                }
                let made = clock.tick(wall);
                proptest::prop_assert_eq!(made.to_string().parse::<Stamp>(), Ok(made.clone()));
                if let Some(before) = &before {
                    proptest::prop_assert!(made > *before);
                    proptest::prop_assert!(made.to_string() > before.to_string());
                }
                before = Some(made);
            }
        }
    }

    #[test]
    fn malformed_text_is_refused() {
        for bad in ["", "1-2-3", "000000000000001-000000-", "abc", "00000000000000x-000000-n"] {
            assert_eq!(bad.parse::<Stamp>(), Err(StampError::Malformed), "{bad:?}");
        }
    }

    #[test]
    fn tick_is_monotonic_even_when_the_wall_clock_goes_back() {
        let mut clock = Clock::new("n");
        let a = clock.tick(100);
        let b = clock.tick(100);
        let c = clock.tick(50);
        let d = clock.tick(200);
        assert!(a < b && b < c && c < d);
        assert_eq!(c.ms, 100);
    }

    #[test]
    fn observe_moves_past_a_remote_stamp() {
        let mut clock = Clock::new("n");
        clock.tick(100);
        clock.observe(&stamp(500, 7, "other"), 120);
        let next = clock.tick(130);
        assert!(next > stamp(500, 7, "other"));
    }

    #[test]
    fn stamps_far_ahead_are_refused_and_not_adopted() {
        let now = 1_000_000;
        let ahead = stamp(now + MAX_DRIFT_MS + 1, 0, "fast");
        assert_eq!(ahead.check_drift(now), Err(StampError::TooFarAhead));
        assert_eq!(stamp(now + MAX_DRIFT_MS, 0, "ok").check_drift(now), Ok(()));
        let mut clock = Clock::new("n");
        clock.observe(&ahead, now);
        assert!(clock.tick(now).ms <= now);
    }

    #[test]
    fn a_device_with_a_slow_clock_adopts_the_servers_stamps() {
        let now = 1_700_000_000_000;
        let mut slow = Clock::new("slow");
        let seen = stamp(now + 10 * 60 * 1000, 3, "server");
        slow.observe(&seen, now);
        assert!(slow.tick(now) < seen, "a peer's stamp far ahead is not adopted");
        slow.adopt(&seen, now);
        assert!(slow.tick(now) > seen, "the server's is, so the next edit sorts after it");
    }
}
