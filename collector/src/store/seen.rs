//! What every store must refuse a second time, held in memory so that checking it costs the
//! same at the millionth ballot as at the first: the challenge nonces used by logged
//! submissions (until their challenge expires) and a fingerprint of every logged
//! ciphertext. A store rebuilds it from its log when it starts and adds to it under the lock
//! that assigns leaf indices, so the re-check at commit is exact for its log.
//!
//! Challenges are stateless (the collector's signature on a challenge is what says it was
//! issued here), so the only challenge state is "used": a nonce is remembered while its
//! challenge could still be submitted, and forgotten once it expires, when a submission under
//! it is refused by its signed expiry anyway. Memory: 32 bytes and a heap entry per
//! submission accepted in the last challenge lifetime.
//!
//! Ciphertexts are remembered by a 64-bit SipHash under a key drawn at random when the
//! process starts, so nobody can aim a ciphertext at another's fingerprint. A fingerprint
//! match is refused as a copy (`ballot.duplicate_ciphertext`) without comparing the full
//! ciphertexts: an honest ballot's fresh ciphertext matches one of `n` stored fingerprints
//! with probability `n / 2^64`, about 1.8·10⁻⁵ for a whole national election of 26 million
//! ciphertexts (324,301 ballots of 81), and the voter's app then votes again with new
//! randomness. Memory: about 10 to 20 bytes per ciphertext (300 MB at national scale).

use std::cmp::Reverse;
use std::collections::hash_map::RandomState;
use std::collections::{BinaryHeap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use crate::reject::Rejection;

/// Used challenge nonces and logged ciphertexts (see the module docs).
#[derive(Debug)]
pub struct Seen {
    nonces: HashSet<[u8; 32]>,
    by_expiry: BinaryHeap<Reverse<(i64, [u8; 32])>>,
    ciphertexts: HashSet<u64, BuildHasherDefault<Fingerprint>>,
    key: RandomState,
}

impl Default for Seen {
    fn default() -> Self {
        Seen {
            nonces: HashSet::new(),
            by_expiry: BinaryHeap::new(),
            ciphertexts: HashSet::default(),
            key: RandomState::new(),
        }
    }
}

/// The identity hasher for fingerprints, which are keyed hashes already.
#[derive(Default)]
struct Fingerprint(u64);

/// What a batch admitted so far, before it is logged ([`Seen::admit`]).
#[derive(Debug, Default)]
pub struct Pending {
    nonces: HashSet<[u8; 32]>,
    ciphertexts: HashSet<u64>,
}

impl Hasher for Fingerprint {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (a `u64` key); fold anything else in all the same.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl Seen {
    fn fingerprint(&self, ciphertext: &[u8; 64]) -> u64 {
        self.key.hash_one(ciphertext)
    }

    /// Whether a logged submission used this challenge nonce (and its challenge has not
    /// been forgotten as expired).
    pub fn nonce_used(&self, nonce: &[u8; 32]) -> bool {
        self.nonces.contains(nonce)
    }

    /// Whether a logged ballot holds any of these ciphertexts (by fingerprint, see the module
    /// docs).
    pub fn any_ciphertext_stored(&self, ciphertexts: &[[u8; 64]]) -> bool {
        ciphertexts
            .iter()
            .any(|c| self.ciphertexts.contains(&self.fingerprint(c)))
    }

    /// The re-check at commit of one submission of a batch: its nonce unused and none of
    /// its ciphertexts logged, in the log or earlier in the batch (`pending`); if it passes,
    /// it joins `pending`.
    pub fn admit(
        &self,
        pending: &mut Pending,
        nonce: &[u8; 32],
        ciphertexts: &[[u8; 64]],
    ) -> Result<(), Rejection> {
        if self.nonce_used(nonce) || pending.nonces.contains(nonce) {
            return Err(Rejection::UsedChallenge);
        }
        let fingerprints: Vec<u64> = ciphertexts.iter().map(|c| self.fingerprint(c)).collect();
        if fingerprints
            .iter()
            .any(|f| self.ciphertexts.contains(f) || pending.ciphertexts.contains(f))
        {
            return Err(Rejection::DuplicateCiphertext);
        }
        pending.nonces.insert(*nonce);
        pending.ciphertexts.extend(fingerprints);
        Ok(())
    }

    /// Adds a logged submission: its nonce, remembered until `expires_at` (its challenge's
    /// expiry, Unix seconds), and its ciphertexts.
    pub fn add(&mut self, nonce: [u8; 32], expires_at: i64, ciphertexts: &[[u8; 64]]) {
        if self.nonces.insert(nonce) {
            self.by_expiry.push(Reverse((expires_at, nonce)));
        }
        for c in ciphertexts {
            let f = self.fingerprint(c);
            self.ciphertexts.insert(f);
        }
    }

    /// Forgets the nonces whose challenge expired at `now` (a submission under one is
    /// refused by its signed expiry). O(log n) per nonce forgotten.
    pub fn forget_expired(&mut self, now: i64) {
        while let Some(Reverse((t, nonce))) = self.by_expiry.peek() {
            if *t > now {
                break;
            }
            let nonce = *nonce;
            self.by_expiry.pop();
            self.nonces.remove(&nonce);
        }
    }

    /// How many nonces are remembered (for the start log).
    pub fn nonces(&self) -> usize {
        self.nonces.len()
    }

    /// How many ciphertext fingerprints are remembered.
    pub fn ciphertexts(&self) -> usize {
        self.ciphertexts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_used_nonce_is_remembered_until_its_challenge_expires() {
        let mut s = Seen::default();
        s.add([1; 32], 100, &[]);
        s.add([2; 32], 200, &[]);
        assert!(s.nonce_used(&[1; 32]) && s.nonce_used(&[2; 32]));
        assert!(!s.nonce_used(&[3; 32]));
        s.forget_expired(99);
        assert_eq!(s.nonces(), 2);
        s.forget_expired(100);
        assert!(!s.nonce_used(&[1; 32]));
        assert!(s.nonce_used(&[2; 32]));
        s.forget_expired(1_000);
        assert_eq!(s.nonces(), 0);
    }

    #[test]
    fn a_logged_ciphertext_is_found_and_another_is_not() {
        let mut s = Seen::default();
        let a = [7u8; 64];
        let mut b = a;
        b[63] ^= 1;
        s.add([1; 32], 100, &[a]);
        assert!(s.any_ciphertext_stored(&[a]));
        assert!(!s.any_ciphertext_stored(&[b]));
        assert_eq!(s.ciphertexts(), 1);
        // Forgetting the nonce keeps the ciphertext: copies are refused for the whole election.
        s.forget_expired(1_000);
        assert!(s.any_ciphertext_stored(&[a]));
    }

    #[test]
    fn a_batch_repeating_a_nonce_or_a_ciphertext_is_caught() {
        let mut s = Seen::default();
        s.add([1; 32], 100, &[[1u8; 64]]);
        let mut p = Pending::default();
        assert!(matches!(
            s.admit(&mut p, &[1; 32], &[]),
            Err(Rejection::UsedChallenge)
        ));
        assert!(matches!(
            s.admit(&mut p, &[2; 32], &[[1u8; 64]]),
            Err(Rejection::DuplicateCiphertext)
        ));
        s.admit(&mut p, &[2; 32], &[[2u8; 64]]).unwrap();
        assert!(matches!(
            s.admit(&mut p, &[2; 32], &[[3u8; 64]]),
            Err(Rejection::UsedChallenge)
        ));
        assert!(matches!(
            s.admit(&mut p, &[3; 32], &[[4u8; 64], [2u8; 64]]),
            Err(Rejection::DuplicateCiphertext)
        ));
        // A refused submission leaves nothing behind in the batch.
        s.admit(&mut p, &[3; 32], &[[4u8; 64]]).unwrap();
    }
}
