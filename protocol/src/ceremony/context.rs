//! The ceremony's parameters, its roster of trustee keys and the ceremony context hash.
//!
//! The ceremony runs before the election package exists, so its proofs cannot bind the
//! package's context hash. They bind the **ceremony context hash** instead (see
//! `docs/key-ceremony.md`, "Ceremony context hash"):
//!
//! ```text
//! SHA-256( lp("ivote-v1/ceremony") ‖ lp(election id, UTF-8) ‖ u32(n) ‖ u32(t)
//!          ‖ for j = 1..=n: u32(j) ‖ P_j ‖ S_j )
//! ```
//!
//! where `lp(x) = u32(len x) ‖ x`, integers are big-endian, `P_j` is the 32-byte canonical
//! encoding of trustee `j`'s ceremony public key (the shares are encrypted to it) and `S_j`
//! the 32 bytes of trustee `j`'s Ed25519 ceremony signing key (their messages are signed
//! with it, [`super::signing`]). Every proof, every encrypted share and every signature of
//! the ceremony binds the whole roster this way.

use ed25519_dalek::VerifyingKey;
use ivote_crypto::threshold::dkg::ThresholdParams;
use ivote_crypto::{ContextHash, Point};

use super::error::CeremonyError;
use crate::layout::Writer;

/// The longest election id, in bytes.
pub const MAX_ELECTION_ID_LEN: usize = 128;

/// The ceremony's parameters: which election, `n` trustees, threshold `t`. Validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CeremonyParams {
    election_id: String,
    threshold: ThresholdParams,
}

impl CeremonyParams {
    /// Checks the election id (1 to 128 bytes, no control characters, no surrounding
    /// spaces) and `1 ≤ t ≤ n ≤ 255`.
    pub fn new(election_id: &str, n: u32, t: u32) -> Result<CeremonyParams, CeremonyError> {
        if election_id.is_empty()
            || election_id.len() > MAX_ELECTION_ID_LEN
            || election_id.chars().any(char::is_control)
            || election_id.trim() != election_id
        {
            return Err(CeremonyError::InvalidParameters(format!(
                "election id {election_id:?}: use 1 to {MAX_ELECTION_ID_LEN} bytes, no control \
                 characters, no spaces at either end"
            )));
        }
        let threshold = ThresholdParams::new(n, t).map_err(|_| {
            CeremonyError::InvalidParameters(format!(
                "threshold {t} of {n} trustees: the threshold must be at least 1 and at most the \
                 number of trustees, which is at most 255"
            ))
        })?;
        Ok(CeremonyParams {
            election_id: election_id.to_owned(),
            threshold,
        })
    }

    /// The election id.
    pub fn election_id(&self) -> &str {
        &self.election_id
    }

    /// Number of trustees `n`.
    pub fn n(&self) -> u32 {
        self.threshold.n()
    }

    /// Threshold `t`.
    pub fn t(&self) -> u32 {
        self.threshold.t()
    }

    /// `(n, t)` for the crypto layer.
    pub fn threshold(&self) -> ThresholdParams {
        self.threshold
    }

    /// Refuses a trustee number outside `1..=n`.
    pub fn check_trustee(&self, j: u32) -> Result<(), CeremonyError> {
        if self.threshold.contains(j) {
            Ok(())
        } else {
            Err(CeremonyError::InvalidParameters(format!(
                "there is no trustee {j}: trustees are numbered 1 to {}",
                self.n()
            )))
        }
    }
}

/// The parameters and every trustee's ceremony public keys, in index order: who takes part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster {
    params: CeremonyParams,
    /// `keys[j − 1]` is `P_j`.
    keys: Vec<Point>,
    /// `signing_keys[j − 1]` is `S_j`.
    signing_keys: Vec<VerifyingKey>,
}

impl Roster {
    /// Checks that there is one key of each kind per trustee, none the identity (or a weak
    /// signing key) and no two equal (a copied key is a mistake in assembling the roster).
    pub fn new(
        params: CeremonyParams,
        keys: Vec<Point>,
        signing_keys: Vec<VerifyingKey>,
    ) -> Result<Roster, CeremonyError> {
        if keys.len() != params.n() as usize || signing_keys.len() != params.n() as usize {
            return Err(CeremonyError::InvalidParameters(format!(
                "the roster has {} ceremony keys and {} signing keys for {} trustees",
                keys.len(),
                signing_keys.len(),
                params.n()
            )));
        }
        for (a, ka) in (1u32..).zip(&signing_keys) {
            if ka.is_weak() {
                return Err(CeremonyError::InvalidParameters(format!(
                    "trustee {a}'s ceremony signing key is a weak (small-order) key"
                )));
            }
            if let Some(b) = (1u32..)
                .zip(&signing_keys)
                .find_map(|(b, kb)| (b > a && kb == ka).then_some(b))
            {
                return Err(CeremonyError::InvalidParameters(format!(
                    "trustees {a} and {b} have the same ceremony signing key: one of the key \
                     files was copied"
                )));
            }
        }
        for (a, ka) in (1u32..).zip(&keys) {
            if *ka == Point::default() {
                return Err(CeremonyError::InvalidParameters(format!(
                    "trustee {a}'s ceremony key is the identity point"
                )));
            }
            if let Some(b) = (1u32..)
                .zip(&keys)
                .find_map(|(b, kb)| (b > a && kb == ka).then_some(b))
            {
                return Err(CeremonyError::InvalidParameters(format!(
                    "trustees {a} and {b} have the same ceremony key: one of the key files was \
                     copied"
                )));
            }
        }
        Ok(Roster {
            params,
            keys,
            signing_keys,
        })
    }

    /// The parameters.
    pub fn params(&self) -> &CeremonyParams {
        &self.params
    }

    /// All keys; element `j − 1` is trustee `j`'s.
    pub fn keys(&self) -> &[Point] {
        &self.keys
    }

    /// Trustee `j`'s ceremony public key.
    pub fn key(&self, j: u32) -> Result<&Point, CeremonyError> {
        self.params.check_trustee(j)?;
        self.keys
            .get(j as usize - 1)
            .ok_or_else(|| CeremonyError::InvalidParameters(format!("no key for trustee {j}")))
    }

    /// All signing keys; element `j − 1` is trustee `j`'s.
    pub fn signing_keys(&self) -> &[VerifyingKey] {
        &self.signing_keys
    }

    /// Trustee `j`'s ceremony signing key.
    pub fn signing_key(&self, j: u32) -> Result<&VerifyingKey, CeremonyError> {
        self.params.check_trustee(j)?;
        self.signing_keys.get(j as usize - 1).ok_or_else(|| {
            CeremonyError::InvalidParameters(format!("no signing key for trustee {j}"))
        })
    }

    /// The ceremony context hash (module docs).
    pub fn context_hash(&self) -> ContextHash {
        let mut l = Writer::labelled(b"ivote-v1/ceremony");
        l.bytes(self.params.election_id.as_bytes())
            .u32(self.params.n())
            .u32(self.params.t());
        for ((j, key), signing) in (1u32..).zip(&self.keys).zip(&self.signing_keys) {
            l.u32(j)
                .fixed(key.compress().as_bytes())
                .fixed(signing.as_bytes());
        }
        ContextHash(l.sha256())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ivote_crypto::group::{g_table, Scalar};
    use sha2::{Digest, Sha256};

    fn keys(n: u64) -> Vec<Point> {
        (1..=n)
            .map(|i| &Scalar::from(i + 100) * g_table())
            .collect()
    }

    fn signing(n: u8) -> Vec<VerifyingKey> {
        (1..=n)
            .map(|i| ed25519_dalek::SigningKey::from_bytes(&[i; 32]).verifying_key())
            .collect()
    }

    #[test]
    fn params_are_validated() {
        assert!(CeremonyParams::new("RK2027", 5, 3).is_ok());
        for (id, n, t) in [
            ("", 5, 3),
            (" RK", 5, 3),
            ("a\nb", 5, 3),
            ("RK", 3, 4),
            ("RK", 5, 0),
            ("RK", 256, 3),
        ] {
            assert_eq!(
                CeremonyParams::new(id, n, t).unwrap_err().code(),
                "ceremony.invalid_parameters"
            );
        }
        assert!(CeremonyParams::new(&"x".repeat(129), 5, 3).is_err());
        let p = CeremonyParams::new("RK", 5, 3).unwrap();
        assert!(p.check_trustee(0).is_err() && p.check_trustee(6).is_err());
        assert!(p.check_trustee(5).is_ok());
    }

    #[test]
    fn roster_rejects_wrong_count_identity_and_copies() {
        let p = CeremonyParams::new("RK", 3, 2).unwrap();
        assert!(Roster::new(p.clone(), keys(3), signing(3)).is_ok());
        assert!(Roster::new(p.clone(), keys(2), signing(3)).is_err());
        assert!(Roster::new(p.clone(), keys(3), signing(2)).is_err());
        let mut k = keys(3);
        k[2] = Point::default();
        assert!(Roster::new(p.clone(), k, signing(3)).is_err());
        let mut k = keys(3);
        k[2] = k[0];
        let e = Roster::new(p.clone(), k, signing(3))
            .unwrap_err()
            .to_string();
        assert!(e.contains("trustees 1 and 3"), "{e}");
        let mut s = signing(3);
        s[1] = s[2];
        let e = Roster::new(p.clone(), keys(3), s).unwrap_err().to_string();
        assert!(
            e.contains("trustees 2 and 3") && e.contains("signing"),
            "{e}"
        );
        // The identity as an Ed25519 key is weak: anything "verifies" under it.
        let mut s = signing(3);
        let mut identity = [0u8; 32];
        identity[0] = 1;
        s[0] = VerifyingKey::from_bytes(&identity).unwrap();
        assert!(Roster::new(p, keys(3), s).is_err());
    }

    #[test]
    fn context_hash_matches_the_documented_layout() {
        let p = CeremonyParams::new("RK", 2, 2).unwrap();
        let k = keys(2);
        let sk = signing(2);
        let r = Roster::new(p, k.clone(), sk.clone()).unwrap();
        let mut expected = Vec::new();
        expected.extend_from_slice(&17u32.to_be_bytes());
        expected.extend_from_slice(b"ivote-v1/ceremony");
        expected.extend_from_slice(&2u32.to_be_bytes());
        expected.extend_from_slice(b"RK");
        expected.extend_from_slice(&2u32.to_be_bytes());
        expected.extend_from_slice(&2u32.to_be_bytes());
        for ((j, key), s) in [1u32, 2].iter().zip(&k).zip(&sk) {
            expected.extend_from_slice(&j.to_be_bytes());
            expected.extend_from_slice(key.compress().as_bytes());
            expected.extend_from_slice(s.as_bytes());
        }
        let digest: [u8; 32] = Sha256::digest(&expected).into();
        assert_eq!(r.context_hash().0, digest);
        // Every input changes it.
        let p = |id: &str, t: u32| CeremonyParams::new(id, 2, t).unwrap();
        let other_id = Roster::new(p("RL", 2), k.clone(), sk.clone()).unwrap();
        let other_t = Roster::new(p("RK", 1), k.clone(), sk.clone()).unwrap();
        let swapped = Roster::new(p("RK", 2), vec![k[1], k[0]], sk.clone()).unwrap();
        let swapped_signing = Roster::new(p("RK", 2), k.clone(), vec![sk[1], sk[0]]).unwrap();
        for o in [other_id, other_t, swapped, swapped_signing] {
            assert_ne!(o.context_hash(), r.context_hash());
        }
    }
}
