//! Batch verification of group equations `Σ sᵢ·Pᵢ = 0`.
//!
//! Every verification equation of our sigma protocols has the form `Σ sᵢ·Pᵢ = 0` (identity)
//! over Ristretto points. Checking thousands of such equations one by one costs one
//! multiscalar multiplication each; a [`BatchVerifier`] instead multiplies **each equation by
//! its own fresh random weight** `ρ`, adds them all up and checks the single combined equation
//! with one variable-time multiscalar multiplication (Straus for small batches, Pippenger for
//! large ones). Coefficients of bases that recur in every equation (`G`, the election key `Y`,
//! `H`) are summed into one scalar per base, so they cost one point each for the whole batch.
//!
//! # Why the random weights make this sound
//!
//! Suppose equation `j` is false: its residue `Rⱼ = Σᵢ sⱼᵢ·Pⱼᵢ ≠ 0`. The batch accepts only if
//! `ρⱼ·Rⱼ = −Σ_{e≠j} ρₑ·Rₑ`. Ristretto255 has prime order `ℓ > 2²⁵²`, so `Rⱼ` generates the
//! group and `ρ ↦ ρ·Rⱼ` is injective on `[0, 2¹²⁸)`: whatever the other weights are, at most one
//! value of `ρⱼ` satisfies the combined equation. The weights are drawn by the verifier from a
//! cryptographic rng **after** the proofs are fixed, independently and uniformly in
//! `[0, 2¹²⁸)`, so a batch containing a false equation is accepted with probability at most
//! `2⁻¹²⁸`, which matches the ~128-bit security of the group. We use 128-bit weights rather
//! than full scalars because a short weight has zero upper digits, which Straus and Pippenger
//! skip: the commitments of a proof (the points that only ever get a weight as coefficient)
//! cost about half as much. (Ristretto has no small subgroup, so there is no cofactor caveat.)
//!
//! # Contract
//!
//! The verifier does not know which terms belong to which equation: the caller must multiply
//! **every** term of an equation by the same weight from [`BatchVerifier::weight`], and use a
//! fresh weight for every equation. The proof types of this crate do this for their own
//! equations (e.g. [`crate::proofs::cds_range::CdsRangeProof::add_to_batch`]).
//!
//! # Ciphertexts that recur
//!
//! A ballot's ciphertexts occur in its validity proofs and again in its selection proof.
//! [`BatchVerifier::add_ciphertext`] keys a ciphertext by its 64-byte encoding and merges the
//! coefficients of every later occurrence into the first: equal canonical encodings are equal
//! points, so the checked sum is the same, and a recurring ciphertext costs its two points
//! once in the multiscalar multiplication instead of once per proof.
//!
//! # Finding the culprit
//!
//! A failed batch says only that some equation is false. The tally must name the bad ballot,
//! so [`find_failures`] falls back to checking the items of a failed batch one by one, which
//! is the authoritative check.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use rand_core::{CryptoRng, RngCore};

use crate::elgamal::{Ciphertext, CIPHERTEXT_LEN};
use crate::error::{CryptoError, Result};
use crate::group::G;

/// Accumulates randomly weighted equations `Σ sᵢ·Pᵢ = 0` and checks them all at once.
pub struct BatchVerifier<'r, R> {
    rng: &'r mut R,
    /// Summed coefficient of `G`.
    g: Scalar,
    /// Other recurring bases (the election key, `H`) with their summed coefficients.
    bases: Vec<(RistrettoPoint, Scalar)>,
    /// Coefficients of the points that occur in one proof only.
    scalars: Vec<Scalar>,
    /// The points that occur in one proof only, parallel to `scalars`.
    points: Vec<RistrettoPoint>,
    /// Where the `α` of a ciphertext added with [`Self::add_ciphertext`] sits in `points`
    /// (its `β` follows), by the ciphertext's encoding.
    ciphertexts: HashMap<[u8; CIPHERTEXT_LEN], usize>,
}

impl<R> core::fmt::Debug for BatchVerifier<'_, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BatchVerifier")
            .field("bases", &(1 + self.bases.len()))
            .field("points", &self.points.len())
            .finish()
    }
}

impl<'r, R: RngCore + CryptoRng> BatchVerifier<'r, R> {
    /// An empty batch drawing its weights from `rng`.
    pub fn new(rng: &'r mut R) -> Self {
        Self::with_capacity(rng, 0)
    }

    /// An empty batch with room for `points` per-proof points (avoids reallocation).
    pub fn with_capacity(rng: &'r mut R, points: usize) -> Self {
        BatchVerifier {
            rng,
            g: Scalar::ZERO,
            bases: Vec::new(),
            scalars: Vec::with_capacity(points),
            points: Vec::with_capacity(points),
            ciphertexts: HashMap::new(),
        }
    }

    /// A fresh weight for one equation: uniform in `[0, 2¹²⁸)` (see the module docs).
    pub fn weight(&mut self) -> Scalar {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        Scalar::from(u128::from_le_bytes(bytes))
    }

    /// Adds `s·G` (the caller has already multiplied `s` by the equation's weight).
    pub fn add_g(&mut self, s: Scalar) {
        self.g += s;
    }

    /// Adds `s·base` for a base shared by many equations (the election key, `H`): its
    /// coefficients are summed, so it costs one point for the whole batch.
    pub fn add_base(&mut self, base: &RistrettoPoint, s: Scalar) {
        match self.bases.iter_mut().find(|(p, _)| p == base) {
            Some((_, acc)) => *acc += s,
            None => self.bases.push((*base, s)),
        }
    }

    /// Adds `s·point` for a point of one proof (a commitment, a ciphertext component).
    pub fn add_point(&mut self, s: Scalar, point: RistrettoPoint) {
        self.scalars.push(s);
        self.points.push(point);
    }

    /// Adds `s_alpha·α + s_beta·β` for a ciphertext `(α, β)` of a proof's statement. A
    /// ciphertext that carries its encoding and was added before (by this or another proof)
    /// gets the coefficients added to its earlier ones instead of new points (see the module
    /// docs); one without an encoding (a sum) is added as two new points.
    pub fn add_ciphertext(&mut self, s_alpha: Scalar, s_beta: Scalar, ciphertext: &Ciphertext) {
        let Some(encoding) = ciphertext.encoding() else {
            self.add_point(s_alpha, ciphertext.alpha());
            self.add_point(s_beta, ciphertext.beta());
            return;
        };
        match self.ciphertexts.entry(*encoding) {
            Entry::Occupied(at) => {
                let mut coefficients = self.scalars.iter_mut().skip(*at.get());
                for s in [s_alpha, s_beta] {
                    if let Some(c) = coefficients.next() {
                        *c += s;
                    }
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(self.points.len());
                self.add_point(s_alpha, ciphertext.alpha());
                self.add_point(s_beta, ciphertext.beta());
            }
        }
    }

    /// Checks that the weighted sum of everything added is the identity, with one
    /// variable-time multiscalar multiplication (all inputs are public).
    pub fn verify(self) -> Result<()> {
        let scalars = core::iter::once(self.g)
            .chain(self.bases.iter().map(|(_, s)| *s))
            .chain(self.scalars);
        let points = core::iter::once(G)
            .chain(self.bases.iter().map(|(p, _)| *p))
            .chain(self.points);
        if RistrettoPoint::vartime_multiscalar_mul(scalars, points).is_identity() {
            Ok(())
        } else {
            Err(CryptoError::InvalidProof("batch of proofs"))
        }
    }
}

/// Verifies `items` with `verify_batch`; if the batch fails, checks every item with
/// `verify_one` and returns the indices of those that fail, in increasing order.
///
/// An empty result means every item verifies: when the batch passes (a false item passes a
/// batch with probability at most `2⁻¹²⁸`), or when the one-by-one checks all pass (the
/// one-by-one check is authoritative).
pub fn find_failures<T>(
    items: &[T],
    verify_batch: impl FnOnce(&[T]) -> Result<()>,
    mut verify_one: impl FnMut(&T) -> Result<()>,
) -> Vec<usize> {
    if verify_batch(items).is_ok() {
        return Vec::new();
    }
    items
        .iter()
        .enumerate()
        .filter(|(_, item)| verify_one(item).is_err())
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::{g_table, h};
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    /// Adds the true equation `x·G − X = 0` (and `x·H − X' = 0`) with fresh weights.
    fn add_dlog(batch: &mut BatchVerifier<'_, ChaCha20Rng>, x: Scalar, big_x: RistrettoPoint) {
        let w = batch.weight();
        batch.add_g(w * x);
        batch.add_point(-w, big_x);
    }

    #[test]
    fn true_equations_pass_and_one_false_equation_fails() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let xs: Vec<Scalar> = (0..50).map(|_| Scalar::random(&mut rng)).collect();
        let mut check_rng = ChaCha20Rng::seed_from_u64(2);
        let mut batch = BatchVerifier::new(&mut check_rng);
        for x in &xs {
            add_dlog(&mut batch, *x, x * g_table());
            let w = batch.weight();
            batch.add_base(&h(), w * x);
            batch.add_point(-w, x * h());
        }
        assert!(batch.verify().is_ok());

        let mut batch = BatchVerifier::new(&mut check_rng);
        for (i, x) in xs.iter().enumerate() {
            let big_x = if i == 17 {
                x * g_table() + G
            } else {
                x * g_table()
            };
            add_dlog(&mut batch, *x, big_x);
        }
        assert!(batch.verify().is_err());
    }

    #[test]
    fn a_recurring_ciphertext_is_one_pair_of_points_and_checks_the_same() {
        use crate::elgamal::{Nonce, PublicKey};
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let y = Scalar::random(&mut rng);
        let pk = PublicKey::from_point(&y * g_table()).unwrap();
        let r = Scalar::random(&mut rng);
        let ct = Ciphertext::encrypt(&pk, 3, &Nonce::from_scalar(r));
        let decoded = Ciphertext::from_bytes(&ct.to_bytes()).unwrap();
        let sum = ct + Ciphertext::zero();
        // Two true equations about the same ciphertext, α = r·G and β = 3·G + r·Y, added
        // once from `ct` and once from an independently decoded copy, and once as a sum
        // (no encoding: new points).
        let mut check_rng = ChaCha20Rng::seed_from_u64(6);
        let mut batch = BatchVerifier::new(&mut check_rng);
        for c in [&ct, &decoded, &sum] {
            let (wa, wb) = (batch.weight(), batch.weight());
            batch.add_ciphertext(wa, wb, c);
            batch.add_g(-wa * r - wb * Scalar::from(3u64));
            batch.add_base(pk.point(), -wb * r);
        }
        assert_eq!(batch.points.len(), 4);
        assert!(batch.verify().is_ok());

        // The same with a false equation on the recurring ciphertext: still caught.
        let mut batch = BatchVerifier::new(&mut check_rng);
        for (c, v) in [(&ct, 3u64), (&decoded, 4)] {
            let (wa, wb) = (batch.weight(), batch.weight());
            batch.add_ciphertext(wa, wb, c);
            batch.add_g(-wa * r - wb * Scalar::from(v));
            batch.add_base(pk.point(), -wb * r);
        }
        assert_eq!(batch.points.len(), 2);
        assert!(batch.verify().is_err());
    }

    #[test]
    fn empty_batch_passes() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        assert!(BatchVerifier::new(&mut rng).verify().is_ok());
    }

    #[test]
    fn weights_are_128_bit_and_fresh() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let mut batch = BatchVerifier::new(&mut rng);
        let a = batch.weight();
        let b = batch.weight();
        assert_ne!(a, b);
        assert!(a.as_bytes()[16..].iter().all(|&x| x == 0));
    }

    #[test]
    fn find_failures_names_exactly_the_bad_items() {
        let items = [1, 2, 3, 4, 5];
        let one = |x: &i32| {
            if *x % 2 == 0 {
                Err(CryptoError::InvalidProof("test"))
            } else {
                Ok(())
            }
        };
        let all = |xs: &[i32]| xs.iter().try_for_each(one);
        assert_eq!(find_failures(&items, all, one), vec![1, 3]);
        assert!(find_failures(&[1, 3], all, one).is_empty());
    }
}
