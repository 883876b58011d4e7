//! The optional per-voter rate limit (`serve --max-per-voter-per-minute N`): at most N
//! submissions of one voter in any 60 seconds. It runs after the checks (the voter id is
//! known only from the certificate), in memory: a restart forgets it, which only lets a
//! voter submit a few more times.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

/// The window, in seconds.
const WINDOW: i64 = 60;
/// Voters with no submission in the window are forgotten when the map grows past this.
const PRUNE_AT: usize = 100_000;

/// Per-voter submission times within the last minute.
#[derive(Debug, Default)]
pub struct RateLimit {
    per_minute: Option<u32>,
    seen: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl RateLimit {
    /// At most `per_minute` submissions per voter per minute; `None`: no limit.
    pub fn new(per_minute: Option<u32>) -> Self {
        RateLimit {
            per_minute,
            seen: Mutex::default(),
        }
    }

    /// The limit, if any.
    pub fn per_minute(&self) -> Option<u32> {
        self.per_minute
    }

    /// Admits (and counts) one submission of `voter` at `now`, or refuses it (then nothing
    /// is counted).
    pub fn admit(&self, voter: &str, now: i64) -> bool {
        let Some(max) = self.per_minute else {
            return true;
        };
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let times = seen.entry(voter.to_owned()).or_default();
        while times.front().is_some_and(|t| *t <= now - WINDOW) {
            times.pop_front();
        }
        if times.len() >= max as usize {
            return false;
        }
        times.push_back(now);
        if seen.len() > PRUNE_AT {
            seen.retain(|_, t| t.back().is_some_and(|t| *t > now - WINDOW));
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_n_per_minute_per_voter() {
        let limit = RateLimit::new(Some(2));
        assert!(limit.admit("a", 100));
        assert!(limit.admit("a", 130));
        assert!(!limit.admit("a", 159));
        assert!(limit.admit("b", 159));
        // The first one leaves the window at 160; refusals were not counted.
        assert!(limit.admit("a", 160));
        assert!(!limit.admit("a", 170));
        let none = RateLimit::new(None);
        assert!((0..100).all(|_| none.admit("a", 1)));
    }
}
