//! Threshold decryption: decryption shares, their verification, Lagrange combination.
//!
//! An aggregate ciphertext `(α, β) = (r·G, v·G + r·Y)` (the homomorphic sum of a selection's
//! ciphertexts) decrypts to `M = β − s·α = v·G`, but nobody holds `s`. Trustee `j` holds
//! `s_j = F(j)` on the joint polynomial `F` with `F(0) = s` ([`super::dkg`]) and publishes the
//! decryption share `D_j = s_j·α` with a DLEQ proof that `log_G Y_j = log_α D_j`
//! ([`DecryptionShare`]), where `Y_j` is its verification key from the ceremony.
//!
//! Any set `S` of `t` distinct trustees recovers `s·α` by Lagrange interpolation at 0:
//! `s = Σ_{j∈S} λ_j·s_j` with `λ_j = Π_{m∈S, m≠j} m / (m − j)` ([`lagrange_coefficients`]),
//! so `M = β − Σ_{j∈S} λ_j·D_j` ([`combine`]). [`decrypt`] verifies every share first and
//! reports the invalid ones, so a misbehaving trustee is caught and, as long as `t` honest
//! shares remain, cannot stop or bias the tally.
//!
//! See `docs/crypto-spec.md` §8.4.

use std::collections::BTreeSet;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rand_core::{CryptoRng, RngCore};

use super::dkg::{read_index, KeyShare, ThresholdParams};
use crate::elgamal::Ciphertext;
use crate::encoding::{Reader, POINT_LEN};
use crate::error::{CryptoError, Result};
use crate::group::{ContextHash, Point};
use crate::proofs::dleq::{DleqProof, DleqStatement, TallyPosition, DLEQ_PROOF_LEN};

/// Length of an encoded [`DecryptionShare`].
pub const DECRYPTION_SHARE_LEN: usize = 4 + POINT_LEN + DLEQ_PROOF_LEN;

/// Trustee `j`'s share `D_j = s_j·α` of the decryption of an aggregate, with its DLEQ proof
/// for the statement `(j, position, Y_j, (α, β), D_j)` (see [`DleqStatement`]).
///
/// # Layout
///
/// 100 bytes:
///
/// | offset | length | field |
/// |---|---|---|
/// | 0 | 4 | `trustee` `j`, u32 big-endian, in `1..=255` |
/// | 4 | 32 | `D_j`, canonical point (the identity is allowed: it is the share of `α = 0`) |
/// | 36 | 64 | DLEQ proof `c ‖ z` |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecryptionShare {
    trustee: u32,
    share: Point,
    proof: DleqProof,
}

impl DecryptionShare {
    /// Trustee `key.index()` decrypts its share of `aggregate` at `position`: `D_j = s_j·α`
    /// (constant time in `s_j`) and the DLEQ proof.
    pub fn create(
        context: &ContextHash,
        key: &KeyShare,
        aggregate: &Ciphertext,
        position: &TallyPosition,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<DecryptionShare> {
        let share = key.secret() * aggregate.alpha();
        let statement = DleqStatement {
            trustee: key.index(),
            position,
            verification_key: key.verification_key(),
            aggregate: *aggregate,
            share,
        };
        let proof = DleqProof::prove(context, &statement, key.secret(), rng)?;
        Ok(DecryptionShare {
            trustee: key.index(),
            share,
            proof,
        })
    }

    /// The trustee `j`.
    pub fn trustee(&self) -> u32 {
        self.trustee
    }

    /// `D_j`.
    pub fn share(&self) -> &Point {
        &self.share
    }

    /// Checks the DLEQ proof against trustee `j`'s verification key `Y_j`, the aggregate and
    /// the position.
    pub fn verify(
        &self,
        context: &ContextHash,
        verification_key: &Point,
        aggregate: &Ciphertext,
        position: &TallyPosition,
    ) -> Result<()> {
        let statement = DleqStatement {
            trustee: self.trustee,
            position,
            verification_key: *verification_key,
            aggregate: *aggregate,
            share: self.share,
        };
        self.proof.verify(context, &statement)
    }

    /// The 100-byte encoding described in the type's `# Layout`.
    pub fn to_bytes(&self) -> [u8; DECRYPTION_SHARE_LEN] {
        let mut out = [0u8; DECRYPTION_SHARE_LEN];
        out[..4].copy_from_slice(&self.trustee.to_be_bytes());
        out[4..4 + POINT_LEN].copy_from_slice(self.share.compress().as_bytes());
        out[4 + POINT_LEN..].copy_from_slice(&self.proof.to_bytes());
        out
    }

    /// Decodes exactly 100 bytes: index in `1..=255`, canonical point, canonical scalars.
    pub fn from_bytes(bytes: &[u8]) -> Result<DecryptionShare> {
        const WHAT: &str = "decryption share";
        let mut r = Reader::new(bytes, WHAT);
        let trustee = read_index(&mut r, WHAT)?;
        let share = r.point()?;
        let proof = DleqProof::read(&mut r)?;
        r.finish()?;
        Ok(DecryptionShare {
            trustee,
            share,
            proof,
        })
    }
}

/// The Lagrange coefficients at 0 for the index set `indices`, in the same order:
/// `λ_j = Π_{m≠j} m / (m − j)`. The indices must be non-empty, non-zero and distinct
/// ([`CryptoError::InvalidParameters`] otherwise). Indices are public: the denominators are
/// inverted together with one batch inversion.
pub fn lagrange_coefficients(indices: &[u32]) -> Result<Vec<Scalar>> {
    if indices.is_empty() {
        return Err(CryptoError::InvalidParameters(
            "Lagrange interpolation over an empty set".into(),
        ));
    }
    if indices.contains(&0) {
        return Err(CryptoError::InvalidParameters(
            "trustee index 0 in a Lagrange set".into(),
        ));
    }
    if indices.iter().collect::<BTreeSet<_>>().len() != indices.len() {
        return Err(CryptoError::InvalidParameters(
            "duplicate trustee index in a Lagrange set".into(),
        ));
    }
    let others = |j: u32| {
        indices
            .iter()
            .filter(move |&&m| m != j)
            .map(|&m| Scalar::from(m))
    };
    let numerators = indices.iter().map(|&j| others(j).product::<Scalar>());
    // Distinct non-zero indices (below the group order): every denominator is non-zero.
    let mut denominators: Vec<Scalar> = indices
        .iter()
        .map(|&j| others(j).map(|m| m - Scalar::from(j)).product())
        .collect();
    Scalar::batch_invert(&mut denominators);
    Ok(numerators.zip(denominators).map(|(n, d)| n * d).collect())
}

/// The Lagrange coefficient at 0 of index `j` in the set `indices` (which must contain `j`;
/// see [`lagrange_coefficients`]).
pub fn lagrange_coefficient(j: u32, indices: &[u32]) -> Result<Scalar> {
    let position = indices.iter().position(|&m| m == j).ok_or_else(|| {
        CryptoError::InvalidParameters(format!("index {j} is not in the Lagrange set"))
    })?;
    lagrange_coefficients(indices)?
        .get(position)
        .copied()
        .ok_or_else(|| CryptoError::InvalidParameters("Lagrange set changed".into()))
}

/// `M = β − Σ_j λ_j·D_j` over the given shares (variable time: all public). The shares must
/// already be verified and at least `t` of them, from distinct trustees; [`decrypt`] does all
/// that. With `t` shares or more the result is `v·G`.
pub fn combine<'a>(
    aggregate: &Ciphertext,
    shares: impl IntoIterator<Item = &'a DecryptionShare>,
) -> Result<Point> {
    let shares: Vec<&DecryptionShare> = shares.into_iter().collect();
    let indices: Vec<u32> = shares.iter().map(|s| s.trustee).collect();
    let lambdas = lagrange_coefficients(&indices)?;
    let points: Vec<Point> = shares.iter().map(|s| s.share).collect();
    Ok(aggregate.beta() - RistrettoPoint::vartime_multiscalar_mul(&lambdas, &points))
}

/// Threshold decryption of `aggregate` at `position`, robust to misbehaving trustees.
///
/// `verification_keys[j − 1]` is `Y_j` (as [`super::dkg::CommitmentSet::verification_keys`]
/// returns them), so `n = verification_keys.len()`, and `1 ≤ threshold ≤ n ≤ 255` is
/// required. Every share is verified; a share is rejected if its trustee has no verification
/// key, its proof fails, or a share of the same trustee was already accepted. If fewer than
/// `threshold` shares are valid the result is [`CryptoError::NotEnoughShares`]; otherwise the
/// first `threshold` valid shares are combined. Returns `M = v·G` and the trustee indices of
/// the rejected shares, in input order.
pub fn decrypt(
    context: &ContextHash,
    aggregate: &Ciphertext,
    position: &TallyPosition,
    shares: &[DecryptionShare],
    verification_keys: &[Point],
    threshold: u32,
) -> Result<(Point, Vec<u32>)> {
    let n = u32::try_from(verification_keys.len()).unwrap_or(u32::MAX);
    let params = ThresholdParams::new(n, threshold)?;
    let mut valid: Vec<&DecryptionShare> = Vec::new();
    let mut rejected = Vec::new();
    for share in shares {
        let key = share
            .trustee
            .checked_sub(1)
            .and_then(|i| verification_keys.get(i as usize));
        let accepted = !valid.iter().any(|v| v.trustee == share.trustee)
            && key.is_some_and(|y| share.verify(context, y, aggregate, position).is_ok());
        if accepted {
            valid.push(share);
        } else {
            rejected.push(share.trustee);
        }
    }
    let t = params.t() as usize;
    if valid.len() < t {
        return Err(CryptoError::NotEnoughShares {
            valid: valid.len(),
            threshold: t,
        });
    }
    let m = combine(aggregate, valid.into_iter().take(t))?;
    Ok((m, rejected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dlog::DlogTable;
    use crate::elgamal::{Nonce, PublicKey};
    use crate::group::G;
    use crate::threshold::dkg::tests::{ceremony, Ceremony, CTX};
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn position() -> TallyPosition {
        TallyPosition {
            district: "north".into(),
            contest: "council".into(),
            selection: 1,
        }
    }

    /// An aggregate of three ballots holding 2, 0 and 5 under the ceremony's joint key.
    fn aggregate(pk: &PublicKey, rng: &mut ChaCha20Rng) -> Ciphertext {
        [2u64, 0, 5]
            .iter()
            .map(|&v| Ciphertext::encrypt(pk, v, &Nonce::random(rng)))
            .sum()
    }

    fn all_shares(c: &Ceremony, agg: &Ciphertext, rng: &mut ChaCha20Rng) -> Vec<DecryptionShare> {
        c.key_shares
            .iter()
            .map(|k| DecryptionShare::create(&CTX, k, agg, &position(), rng).unwrap())
            .collect()
    }

    /// All subsets of `items` of size `k`.
    fn subsets<T: Copy>(items: &[T], k: usize) -> Vec<Vec<T>> {
        if k == 0 {
            return vec![vec![]];
        }
        let mut out = Vec::new();
        for (i, &x) in items.iter().enumerate() {
            for mut rest in subsets(&items[i + 1..], k - 1) {
                rest.insert(0, x);
                out.push(rest);
            }
        }
        out
    }

    #[test]
    fn every_t_subset_decrypts_and_t_minus_one_does_not() {
        let table = DlogTable::new(100);
        for (n, t) in [(5u32, 3u32), (3, 2)] {
            let c = ceremony(n, t, u64::from(n));
            let mut rng = ChaCha20Rng::seed_from_u64(100 + u64::from(n));
            let pk = c.set.joint_public_key().unwrap();
            let agg = aggregate(&pk, &mut rng);
            assert_eq!(agg.decrypt_to_point(&c.secret), Scalar::from(7u64) * G);
            let shares = all_shares(&c, &agg, &mut rng);
            let vks = c.set.verification_keys();
            let mut count = 0;
            for subset in subsets(&shares, t as usize) {
                let (m, rejected) = decrypt(&CTX, &agg, &position(), &subset, &vks, t).unwrap();
                assert!(rejected.is_empty());
                assert_eq!(table.solve(&m).unwrap(), 7);
                assert_eq!(combine(&agg, &subset).unwrap(), m);
                count += 1;
            }
            assert_eq!(count, if n == 5 { 10 } else { 3 });
            for subset in subsets(&shares, t as usize - 1) {
                assert_eq!(
                    decrypt(&CTX, &agg, &position(), &subset, &vks, t),
                    Err(CryptoError::NotEnoughShares {
                        valid: t as usize - 1,
                        threshold: t as usize
                    })
                );
            }
            // More than t shares: still right, using t of them.
            let (m, _) = decrypt(&CTX, &agg, &position(), &shares, &vks, t).unwrap();
            assert_eq!(m, Scalar::from(7u64) * G);
        }
    }

    #[test]
    fn invalid_shares_are_skipped_and_reported() {
        let c = ceremony(5, 3, 21);
        let mut rng = ChaCha20Rng::seed_from_u64(22);
        let agg = aggregate(&c.set.joint_public_key().unwrap(), &mut rng);
        let vks = c.set.verification_keys();
        let mut shares = all_shares(&c, &agg, &mut rng);
        // Trustee 2 publishes a wrong D (with its old proof); trustee 4's proof is damaged;
        // trustee 1's share is sent twice; a share claims trustee 9, who does not exist.
        shares[1].share += G;
        let mut bytes = shares[3].to_bytes();
        bytes[50] ^= 1;
        shares[3] = DecryptionShare::from_bytes(&bytes).unwrap();
        shares.push(shares[0]);
        shares.push(DecryptionShare {
            trustee: 9,
            ..shares[2]
        });
        let (m, rejected) = decrypt(&CTX, &agg, &position(), &shares, &vks, 3).unwrap();
        assert_eq!(m, Scalar::from(7u64) * G);
        assert_eq!(rejected, vec![2, 4, 1, 9]);
        // Bad shares first: the valid ones after them are still used.
        let reordered = [shares[1], shares[3], shares[0], shares[2], shares[4]];
        let (m, rejected) = decrypt(&CTX, &agg, &position(), &reordered, &vks, 3).unwrap();
        assert_eq!(m, Scalar::from(7u64) * G);
        assert_eq!(rejected, vec![2, 4]);
        // Only two valid shares left: not enough.
        assert_eq!(
            decrypt(&CTX, &agg, &position(), &shares[..4], &vks, 3),
            Err(CryptoError::NotEnoughShares {
                valid: 2,
                threshold: 3
            })
        );
    }

    #[test]
    fn shares_are_bound_to_trustee_aggregate_position_and_context() {
        let c = ceremony(3, 2, 23);
        let mut rng = ChaCha20Rng::seed_from_u64(24);
        let pk = c.set.joint_public_key().unwrap();
        let agg = aggregate(&pk, &mut rng);
        let other_agg = aggregate(&pk, &mut rng);
        let vks = c.set.verification_keys();
        let share = all_shares(&c, &agg, &mut rng)[0];
        share.verify(&CTX, &vks[0], &agg, &position()).unwrap();
        assert!(share.verify(&CTX, &vks[1], &agg, &position()).is_err());
        assert!(share
            .verify(&CTX, &vks[0], &other_agg, &position())
            .is_err());
        let moved = TallyPosition {
            selection: 2,
            ..position()
        };
        assert!(share.verify(&CTX, &vks[0], &agg, &moved).is_err());
        assert!(share
            .verify(&ContextHash([0; 32]), &vks[0], &agg, &position())
            .is_err());
        // Relabelled as trustee 2's share, checked with trustee 2's key.
        let relabelled = DecryptionShare {
            trustee: 2,
            ..share
        };
        assert!(relabelled.verify(&CTX, &vks[1], &agg, &position()).is_err());
    }

    #[test]
    fn zero_aggregate_decrypts_to_identity() {
        let c = ceremony(3, 2, 25);
        let mut rng = ChaCha20Rng::seed_from_u64(26);
        let agg = Ciphertext::zero();
        let shares = all_shares(&c, &agg, &mut rng);
        let (m, rejected) = decrypt(
            &CTX,
            &agg,
            &position(),
            &shares,
            &c.set.verification_keys(),
            2,
        )
        .unwrap();
        assert!(rejected.is_empty());
        assert_eq!(DlogTable::new(10).solve(&m).unwrap(), 0);
    }

    #[test]
    fn decrypt_checks_its_parameters() {
        let c = ceremony(3, 2, 27);
        let mut rng = ChaCha20Rng::seed_from_u64(28);
        let agg = aggregate(&c.set.joint_public_key().unwrap(), &mut rng);
        let shares = all_shares(&c, &agg, &mut rng);
        let vks = c.set.verification_keys();
        for t in [0, 4] {
            assert!(matches!(
                decrypt(&CTX, &agg, &position(), &shares, &vks, t),
                Err(CryptoError::InvalidParameters(_))
            ));
        }
        assert!(combine(&agg, &[]).is_err());
        assert!(combine(&agg, &[shares[0], shares[0]]).is_err());
    }

    #[test]
    fn lagrange_interpolates_at_zero_and_rejects_bad_sets() {
        let mut rng = ChaCha20Rng::seed_from_u64(29);
        let coefficients: Vec<Scalar> = (0..4).map(|_| Scalar::random(&mut rng)).collect();
        let f = |j: u32| {
            let x = Scalar::from(j);
            coefficients
                .iter()
                .rev()
                .fold(Scalar::ZERO, |acc, a| acc * x + a)
        };
        for set in [vec![1, 2, 3, 4], vec![7, 2, 255, 40], vec![4, 3, 2, 1, 9]] {
            let lambdas = lagrange_coefficients(&set).unwrap();
            let at_zero: Scalar = set.iter().zip(&lambdas).map(|(&j, l)| l * f(j)).sum();
            assert_eq!(at_zero, coefficients[0]);
            for (&j, l) in set.iter().zip(&lambdas) {
                assert_eq!(lagrange_coefficient(j, &set).unwrap(), *l);
            }
        }
        assert_eq!(lagrange_coefficients(&[5]).unwrap(), vec![Scalar::ONE]);
        // λ_1 over {1, 2} is 2 / (2 − 1) = 2, λ_2 is 1 / (1 − 2) = −1.
        assert_eq!(
            lagrange_coefficients(&[1, 2]).unwrap(),
            vec![Scalar::from(2u64), -Scalar::ONE]
        );
        for bad in [&[][..], &[1, 0, 2], &[1, 2, 1]] {
            assert!(matches!(
                lagrange_coefficients(bad),
                Err(CryptoError::InvalidParameters(_))
            ));
        }
        assert!(lagrange_coefficient(3, &[1, 2]).is_err());
    }

    #[test]
    fn layout_round_trips_and_rejects_bad_input() {
        let c = ceremony(3, 2, 30);
        let mut rng = ChaCha20Rng::seed_from_u64(31);
        let agg = aggregate(&c.set.joint_public_key().unwrap(), &mut rng);
        let vks = c.set.verification_keys();
        let share = all_shares(&c, &agg, &mut rng)[2];
        let bytes = share.to_bytes();
        assert_eq!(bytes.len(), 100);
        assert_eq!(DecryptionShare::from_bytes(&bytes).unwrap(), share);
        assert!(DecryptionShare::from_bytes(&bytes[..99]).is_err());
        let mut long = bytes.to_vec();
        long.push(0);
        assert!(DecryptionShare::from_bytes(&long).is_err());
        for (offset, len, patch) in [(0, 4, 0u8), (4, 32, 0xff), (36, 32, 0xff), (68, 32, 0xff)] {
            let mut m = bytes;
            m[offset..offset + len].fill(patch);
            assert!(DecryptionShare::from_bytes(&m).is_err(), "offset {offset}");
        }
        // Every single-byte flip is caught at decoding or verification (with the key of
        // whatever trustee the flipped bytes name).
        for i in 0..bytes.len() {
            let mut m = bytes;
            m[i] ^= 0x01;
            let ok = DecryptionShare::from_bytes(&m).and_then(|s| {
                let y = vks
                    .get(s.trustee() as usize - 1)
                    .ok_or(CryptoError::NotEnoughShares {
                        valid: 0,
                        threshold: 1,
                    })?;
                s.verify(&CTX, y, &agg, &position())
            });
            assert!(ok.is_err(), "flip at byte {i} accepted");
        }
        // The share is really s_j·α.
        assert_eq!(*share.share(), c.key_shares[2].secret() * agg.alpha());
    }
}
