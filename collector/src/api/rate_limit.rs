//! Rate limits. The optional per-voter limit (`serve --max-per-voter-per-minute N`): at most N
//! submissions of one voter in any 60 seconds. It runs after the checks (the voter id is
//! known only from the certificate), in memory: a restart forgets it, which only lets a
//! voter submit a few more times.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, PoisonError};

/// The window, in seconds.
const WINDOW: i64 = 60;
/// Voters with no submission in the window are forgotten when the map grows past this (and
/// the per-address map is pruned from this size on).
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

/// A per-address limit (`serve --max-challenges-per-address-per-minute N`): a token bucket
/// of N per client address, refilled at N per minute, so one address gets N at once and N a
/// minute after. An IPv6 client is counted by its /64 network (one subscriber's share:
/// counting single IPv6 addresses would give each attacker 2^64 buckets), an IPv4 one by its
/// address. In memory, bounded: addresses whose bucket is full again are forgotten when the
/// map has grown to twice its size after the last pruning (at least [`PRUNE_AT`]), so
/// pruning costs amortized O(1) per call.
#[derive(Debug)]
pub struct AddressRateLimit {
    per_minute: u32,
    buckets: Mutex<Buckets>,
}

#[derive(Debug)]
struct Buckets {
    map: HashMap<IpAddr, Bucket>,
    prune_at: usize,
}

/// Tokens left (a fraction counts) as of `at` (Unix s).
#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: i64,
}

impl AddressRateLimit {
    /// At most `per_minute` per address per minute.
    pub fn new(per_minute: u32) -> Self {
        AddressRateLimit {
            per_minute,
            buckets: Mutex::new(Buckets {
                map: HashMap::new(),
                prune_at: PRUNE_AT,
            }),
        }
    }

    /// The limit.
    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Admits (and counts) one call from `address` at `now`, or refuses it.
    pub fn admit(&self, address: IpAddr, now: i64) -> bool {
        let full = f64::from(self.per_minute);
        let rate = full / WINDOW as f64;
        let refill = |b: &Bucket| (b.tokens + (now - b.at).max(0) as f64 * rate).min(full);
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let b = buckets.map.entry(key(address)).or_insert(Bucket {
            tokens: full,
            at: now,
        });
        let tokens = refill(b);
        let admitted = tokens >= 1.0;
        *b = Bucket {
            tokens: if admitted { tokens - 1.0 } else { tokens },
            at: now.max(b.at),
        };
        if buckets.map.len() >= buckets.prune_at {
            buckets.map.retain(|_, b| refill(b) < full);
            buckets.prune_at = (buckets.map.len() * 2).max(PRUNE_AT);
        }
        admitted
    }
}

/// The address a client is counted by: IPv4 as is (also when mapped into IPv6), IPv6 by its
/// /64 network.
fn key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
}

#[cfg(test)]
mod address_tests {
    use super::*;

    #[test]
    fn n_at_once_then_n_per_minute_per_address() {
        let limit = AddressRateLimit::new(3);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!((0..3).all(|_| limit.admit(a, 100)));
        assert!(!limit.admit(a, 100), "the fourth at once");
        assert!(limit.admit(b, 100), "another address has its own");
        assert!(!limit.admit(a, 119), "1 token takes 20 s");
        assert!(limit.admit(a, 120));
        assert!(!limit.admit(a, 121));
        assert!(
            (0..3).all(|_| limit.admit(a, 300)),
            "full again after a minute"
        );
    }

    #[test]
    fn an_ipv6_network_is_one_client() {
        let limit = AddressRateLimit::new(1);
        assert!(limit.admit("2001:db8:1:2::1".parse().unwrap(), 0));
        assert!(!limit.admit("2001:db8:1:2:ffff::7".parse().unwrap(), 0));
        assert!(limit.admit("2001:db8:1:3::1".parse().unwrap(), 0));
        assert!(limit.admit("::ffff:192.0.2.1".parse().unwrap(), 0));
        assert!(!limit.admit("192.0.2.1".parse().unwrap(), 0));
    }

    #[test]
    fn forgets_addresses_whose_bucket_is_full() {
        let limit = AddressRateLimit::new(1);
        for i in 0..PRUNE_AT as u32 - 1 {
            limit.admit(IpAddr::V4(i.into()), 0);
        }
        // A minute later every bucket is full again: the next call prunes them all.
        limit.admit("198.51.100.1".parse().unwrap(), 60);
        let buckets = limit.buckets.lock().unwrap();
        assert!(buckets.map.len() <= 1, "{}", buckets.map.len());
    }
}
