//! Large ranges: one aggregated Bulletproofs range proof per contest (`docs/crypto-spec.md` §6).
//!
//! A disjunctive proof ([`crate::proofs::cds_range`]) grows linearly with the size of the range;
//! score and cumulative contests (a score in `0..=10` per candidate, a sum of up to 20 points)
//! use this logarithmic-size path instead.
//!
//! # Math
//!
//! For every range statement `i` (ciphertext `(α_i, β_i)` encrypting `v_i` with randomness
//! `r_i`, range `[lo_i, hi_i]`; the subject may be a selection or the contest sum, whose
//! ciphertext is the homomorphic sum and whose randomness is the sum of the selections'), the
//! prover draws a blinding `s_i` and publishes
//!
//! * the Pedersen commitment `C_i = v_i·G + s_i·H`,
//! * a [`LinkProof`] that `C_i` and the ciphertext hold the same `v_i`,
//!
//! and proves, in ONE aggregated Bulletproofs range proof with bit size `n`, that the values
//! committed in
//!
//! ```text
//! V_{2i}   = C_i − lo_i·G      (value v_i − lo_i, blinding  s_i)
//! V_{2i+1} = hi_i·G − C_i      (value hi_i − v_i, blinding −s_i)
//! ```
//!
//! lie in `[0, 2^n)`. The verifier computes every `V_j` itself from `C_i`, `lo_i`, `hi_i`; it
//! never takes value commitments from the prover. If `a = v − lo` and `b = hi − v` both lie in
//! `[0, 2^n)` with `n ≤ 64`, then `a + b = hi − lo` holds modulo the group order ℓ and, both
//! sides being below `2^65 ≪ ℓ`, over the integers, so `v = lo + a ∈ [lo, hi]`.
//!
//! `n` is the smallest of 8, 16, 32, 64 with `2^n > max_i (hi_i − lo_i)` (so honest values
//! fit). The number of values `2k` is padded to `m`, the next power of two, with the identity
//! (the commitment to 0 with blinding 0). The padding commitments are fixed by the protocol,
//! not taken from the proof, so they cannot weaken the statement about the real `V_j`
//! (Bulletproofs' aggregated soundness holds for each commitment separately); bulletproofs
//! 5.0.0 explicitly accepts identity commitments (`verify_multiple` absorbs them with
//! `append_point`, not `validate_and_append_point`).
//!
//! # Transcript
//!
//! Each link proof runs on its own transcript (see [`crate::proofs::link`]), which absorbs
//! its whole statement and `C_i`. The range proof's transcript is
//! `proof_transcript(context, b"bp-range v1")`, then `k` (`b"k"`, the number of statements),
//! then every statement in order through [`RangeStatement::append_to`], then every `C_i` in
//! order (`b"C"`), then `n` (`b"n"`) and `m` (`b"m"`); it is then handed to bulletproofs, which
//! appends its own domain separator (`rangeproof v1`, `n`, `m`), the `V_j`, and its
//! commitments. The link proofs are not absorbed into it: compact link proofs carry no
//! commitments, each one is already bound to its statement and `C_i`, and both transcripts
//! bind the same statement, so the proof is the conjunction of independently sound
//! strong-Fiat–Shamir proofs.

use std::sync::{Arc, Mutex, PoisonError};

use bulletproofs::{BulletproofGens, RangeProof};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::elgamal::Nonce;
use crate::encoding::{put_point, Reader, POINT_LEN};
use crate::error::{CryptoError, Result};
use crate::group::{pedersen_gens, ContextHash};
use crate::proofs::link::{pedersen_commit, LinkProof, LinkWitness, LINK_PROOF_LEN};
use crate::proofs::RangeStatement;
use crate::transcript::{proof_transcript, TranscriptProtocol};

/// Domain separator of the range proof's transcript.
pub const BP_RANGE_DOMAIN: &[u8] = b"bp-range v1";

/// Most range statements one proof may hold: bounds the generators a verifier must build
/// (`2 · 256 = 512` parties of 64 generators each) and the allocation `from_bytes` may make.
pub const MAX_STATEMENTS: usize = 256;

/// Bulletproofs' fixed part: points `A, S, T_1, T_2`, scalars `t_x, t̃_x, ẽ`, and the inner
/// product's final scalars `a, b`.
const RANGE_PROOF_FIXED_ELEMENTS: usize = 9;

/// What the prover knows about one range statement: the value and the encryption randomness.
/// Secret: zeroized on drop, never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct RangeWitness {
    value: u64,
    nonce: Nonce,
}

impl core::fmt::Debug for RangeWitness {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RangeWitness(<secret>)")
    }
}

impl RangeWitness {
    /// The witness of a ciphertext of `value` encrypted with `nonce`.
    pub fn new(value: u64, nonce: &Nonce) -> Self {
        RangeWitness {
            value,
            nonce: nonce.clone(),
        }
    }

    /// The value.
    pub(crate) fn value(&self) -> u64 {
        self.value
    }

    /// The encryption nonce.
    pub(crate) fn nonce(&self) -> &Nonce {
        &self.nonce
    }

    /// The witness of the homomorphic sum of the given ciphertexts: the sum of the values and
    /// of the nonces. Fails if the values' sum overflows `u64`.
    pub fn sum<'a>(parts: impl IntoIterator<Item = &'a RangeWitness>) -> Result<Self> {
        let mut value = 0u64;
        let mut nonce = Zeroizing::new(Scalar::ZERO);
        for p in parts {
            value = value.checked_add(p.value).ok_or_else(|| {
                CryptoError::InvalidParameters("sum of the selections overflows u64".into())
            })?;
            *nonce += p.nonce.scalar();
        }
        Ok(RangeWitness {
            value,
            nonce: Nonce::from_scalar(*nonce),
        })
    }
}

/// The bit size and the padded number of values of a proof over `statements`.
///
/// `n` is the smallest of 8, 16, 32, 64 with `2^n > max(hi − lo)`; `m` is `2k` rounded up to
/// a power of two. Refuses an empty list, more than [`MAX_STATEMENTS`] statements and `lo > hi`.
fn parameters(statements: &[RangeStatement<'_>]) -> Result<(usize, usize)> {
    if statements.is_empty() || statements.len() > MAX_STATEMENTS {
        return Err(CryptoError::InvalidParameters(format!(
            "a Bulletproofs range proof holds 1 to {MAX_STATEMENTS} statements, not {}",
            statements.len()
        )));
    }
    let mut widest = 0u64;
    for s in statements {
        let width = s.hi.checked_sub(s.lo).ok_or_else(|| {
            CryptoError::InvalidParameters(format!("range [{}, {}] is empty", s.lo, s.hi))
        })?;
        widest = widest.max(width);
    }
    Ok((bit_size(widest), (2 * statements.len()).next_power_of_two()))
}

/// The smallest of 8, 16, 32, 64 with `2^n > width`.
fn bit_size(width: u64) -> usize {
    let bits = 64 - width.leading_zeros() as usize;
    [8, 16, 32].into_iter().find(|&n| bits <= n).unwrap_or(64)
}

/// The Bulletproofs generators for at least `parties` values, built once and shared: they
/// cost `2 · 64` hash-to-group evaluations per party. Party `j`'s generators do not depend on
/// the capacity, so a larger cached set serves every smaller proof.
fn generators(parties: usize) -> Arc<BulletproofGens> {
    static CACHE: Mutex<Option<Arc<BulletproofGens>>> = Mutex::new(None);
    let mut cached = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(gens) = cached.as_ref().filter(|g| g.party_capacity >= parties) {
        return Arc::clone(gens);
    }
    let gens = Arc::new(BulletproofGens::new(64, parties));
    *cached = Some(Arc::clone(&gens));
    gens
}

/// The range proof's transcript up to the point where bulletproofs takes over (see the
/// module docs).
fn transcript(
    context: &ContextHash,
    statements: &[RangeStatement<'_>],
    commitments: &[RistrettoPoint],
    n: usize,
    m: usize,
) -> Transcript {
    let mut t = proof_transcript(context, BP_RANGE_DOMAIN);
    t.append_int(b"k", statements.len() as u64);
    for s in statements {
        s.append_to(&mut t);
    }
    for c in commitments {
        t.append_point(b"C", c);
    }
    t.append_int(b"n", n as u64);
    t.append_int(b"m", m as u64);
    t
}

/// Proof that each of a contest's ciphertexts encrypts a value in its range, for all the
/// contest's statements that use this path (see the module docs for the math and the
/// transcripts).
///
/// # Transcript
///
/// Each link proof: its own transcript (see [`LinkProof`]). The range proof:
/// `proof_transcript(context, b"bp-range v1")`, then `k`, then for each statement in order
/// `pk`, `nonce`, `district`, `contest`, `subject`, `lo`, `hi`, `alpha`, `beta`
/// ([`RangeStatement::append_to`]), then `C` for each statement in order, then `n`, `m`; then
/// bulletproofs' own labels (`dom-sep` = `rangeproof v1`, `n`, `m`, `V`…, `A`, `S`, `y`, `z`,
/// `T_1`, `T_2`, `x`, `t_x`, `t_x_blinding`, `e_blinding`, `w`, `dom-sep` = `ipp v1`, `n`,
/// then `L`, `R`, `u` per round).
///
/// # Layout
///
/// With `k` statements, `n` and `m` as in the module docs and `L = log2(n·m)`:
///
/// | offset | length | field |
/// |---|---|---|
/// | 0 | 4 | `k`, big-endian `u32`, `1 ≤ k ≤ 256` |
/// | 4 | `32k` | `C_0 … C_{k−1}`, canonical points |
/// | `4 + 32k` | `128k` | link proofs `0 … k−1`, each `c ‖ z_v ‖ z_r ‖ z_s` |
/// | `4 + 160k` | `32(9 + 2L)` | bulletproofs' `RangeProof::to_bytes`: `A, S, T_1, T_2` (points), `t_x, t̃_x, ẽ` (scalars), `L_0, R_0, …, L_{L−1}, R_{L−1}` (points), `a, b` (scalars) |
///
/// The range proof takes all the remaining bytes. Decoding requires canonical encodings
/// throughout, non-identity range-proof points, and `L − log2(m) ∈ {3, 4, 5, 6}`; the
/// verifier then checks `k` and `L` against its own statements.
#[derive(Clone, Debug)]
pub struct BpRangeProof {
    commitments: Vec<RistrettoPoint>,
    links: Vec<LinkProof>,
    range_proof: RangeProof,
}

impl BpRangeProof {
    /// Proves `statements` with `witnesses` (one per statement, same order; for the contest
    /// sum use [`RangeWitness::sum`]).
    ///
    /// Refuses (`InvalidParameters`) a value outside its range (bulletproofs' prover would
    /// silently make a proof that does not verify), a witness that does not open its
    /// ciphertext, mismatched lengths, and the parameter errors of the module docs.
    pub fn prove<R: RngCore + CryptoRng>(
        context: &ContextHash,
        statements: &[RangeStatement<'_>],
        witnesses: &[RangeWitness],
        rng: &mut R,
    ) -> Result<Self> {
        let (n, m) = parameters(statements)?;
        if witnesses.len() != statements.len() {
            return Err(CryptoError::InvalidParameters(format!(
                "{} witnesses for {} statements",
                witnesses.len(),
                statements.len()
            )));
        }

        // Allocated once at their final length `m`, so no reallocation leaves a copy of the
        // secrets behind that `Zeroizing` would not wipe.
        let mut values = Zeroizing::new(Vec::with_capacity(m));
        let mut blindings = Zeroizing::new(Vec::with_capacity(m));
        let mut commitments = Vec::with_capacity(statements.len());
        let mut links = Vec::with_capacity(statements.len());
        for (statement, witness) in statements.iter().zip(witnesses) {
            if !(statement.lo..=statement.hi).contains(&witness.value) {
                return Err(CryptoError::InvalidParameters(format!(
                    "value outside its range [{}, {}]",
                    statement.lo, statement.hi
                )));
            }
            let blinding = Zeroizing::new(Scalar::random(rng));
            let commitment = pedersen_commit(&Scalar::from(witness.value), &blinding);
            let link_witness = LinkWitness::new(witness.value, &witness.nonce, &blinding);
            links.push(LinkProof::prove(
                context,
                statement,
                &commitment,
                &link_witness,
                rng,
            )?);
            commitments.push(commitment);
            values.push(witness.value - statement.lo);
            values.push(statement.hi - witness.value);
            blindings.push(*blinding);
            blindings.push(-*blinding);
        }
        values.resize(m, 0);
        blindings.resize(m, Scalar::ZERO);

        let mut t = transcript(context, statements, &commitments, n, m);
        let (range_proof, _) = RangeProof::prove_multiple_with_rng(
            &generators(m),
            &pedersen_gens(),
            &mut t,
            &values,
            &blindings,
            n,
            rng,
        )
        .map_err(|e| CryptoError::InvalidParameters(format!("bulletproofs prover: {e}")))?;
        Ok(BpRangeProof {
            commitments,
            links,
            range_proof,
        })
    }

    /// Checks the proof against `statements` (same list and order as the prover's).
    ///
    /// `rng` draws bulletproofs' verifier-side batching weight; it needs no secrecy beyond
    /// being unpredictable to the prover. Variable time: public data only.
    pub fn verify<R: RngCore + CryptoRng>(
        &self,
        context: &ContextHash,
        statements: &[RangeStatement<'_>],
        rng: &mut R,
    ) -> Result<()> {
        let (n, m) = parameters(statements)?;
        if self.commitments.len() != statements.len() || self.links.len() != statements.len() {
            return Err(CryptoError::InvalidProof(
                "Bulletproofs range proof (number of statements)",
            ));
        }
        for ((statement, commitment), link) in
            statements.iter().zip(&self.commitments).zip(&self.links)
        {
            link.verify(context, statement, commitment)?;
        }

        let mut value_commitments = Vec::with_capacity(m);
        for (statement, c) in statements.iter().zip(&self.commitments) {
            let lo = Scalar::from(statement.lo);
            let hi = Scalar::from(statement.hi);
            // C − lo·G and hi·G − C
            let v_lo = RistrettoPoint::vartime_double_scalar_mul_basepoint(&Scalar::ONE, c, &-lo);
            let v_hi = RistrettoPoint::vartime_double_scalar_mul_basepoint(&-Scalar::ONE, c, &hi);
            value_commitments.push(v_lo.compress());
            value_commitments.push(v_hi.compress());
        }
        value_commitments.resize(m, CompressedRistretto::identity());

        let mut t = transcript(context, statements, &self.commitments, n, m);
        self.range_proof
            .verify_multiple_with_rng(
                &generators(m),
                &pedersen_gens(),
                &mut t,
                &value_commitments,
                n,
                rng,
            )
            .map_err(|_| CryptoError::InvalidProof("Bulletproofs range proof"))
    }

    /// The encoding (see `# Layout`).
    pub fn to_bytes(&self) -> Vec<u8> {
        let range_proof = self.range_proof.to_bytes();
        let k = self.commitments.len();
        let mut out = Vec::with_capacity(4 + k * (POINT_LEN + LINK_PROOF_LEN) + range_proof.len());
        // `k ≤ MAX_STATEMENTS` for every proof this type can hold (made by `prove` or decoded).
        out.extend_from_slice(&u32::try_from(k).unwrap_or(u32::MAX).to_be_bytes());
        for c in &self.commitments {
            put_point(&mut out, c);
        }
        for link in &self.links {
            link.write(&mut out);
        }
        out.extend_from_slice(&range_proof);
        out
    }

    /// Decodes the layout of `# Layout`: canonical encodings only, no trailing bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        const WHAT: &str = "Bulletproofs range proof";
        let mut r = Reader::new(bytes, WHAT);
        let k = usize::try_from(r.u32()?).unwrap_or(usize::MAX);
        if k == 0 || k > MAX_STATEMENTS {
            return Err(CryptoError::BadLayout {
                what: WHAT,
                detail: format!("{k} statements, must be 1 to {MAX_STATEMENTS}"),
            });
        }
        let commitments = (0..k).map(|_| r.point()).collect::<Result<Vec<_>>>()?;
        let links = (0..k)
            .map(|_| LinkProof::read(&mut r))
            .collect::<Result<Vec<_>>>()?;

        let range_bytes = r.take(r.remaining())?;
        r.finish()?;
        check_range_proof_layout(range_bytes, (2 * k).next_power_of_two())?;
        let range_proof =
            RangeProof::from_bytes(range_bytes).map_err(|e| CryptoError::BadLayout {
                what: WHAT,
                detail: format!("range proof: {e}"),
            })?;
        Ok(BpRangeProof {
            commitments,
            links,
            range_proof,
        })
    }
}

/// Checks bulletproofs' range-proof encoding for `m` values: its length is `32(9 + 2L)` with
/// `L − log2(m)` the log of a valid bit size, its points are canonical and not the identity
/// (bulletproofs' verifier rejects identities; here they fail at decoding instead) and its
/// scalars canonical. `RangeProof::from_bytes` itself checks only the scalars.
fn check_range_proof_layout(bytes: &[u8], m: usize) -> Result<()> {
    const WHAT: &str = "Bulletproofs range proof";
    let elements = bytes.len() / POINT_LEN;
    let rounds = elements.saturating_sub(RANGE_PROOF_FIXED_ELEMENTS) / 2;
    let log_n = rounds.checked_sub(m.trailing_zeros() as usize);
    let well_sized = bytes.len() % POINT_LEN == 0
        && elements >= RANGE_PROOF_FIXED_ELEMENTS
        && (elements - RANGE_PROOF_FIXED_ELEMENTS) % 2 == 0
        && matches!(log_n, Some(3..=6));
    if !well_sized {
        return Err(CryptoError::BadLayout {
            what: WHAT,
            detail: format!("range proof of {} bytes for {m} values", bytes.len()),
        });
    }
    let mut r = Reader::new(bytes, WHAT);
    for _ in 0..4 {
        r.nonidentity_point()?; // A, S, T_1, T_2
    }
    for _ in 0..3 {
        r.scalar()?; // t_x, t_x_blinding, e_blinding
    }
    for _ in 0..2 * rounds {
        r.nonidentity_point()?; // L_j, R_j
    }
    r.scalar()?; // a
    r.scalar()?; // b
    r.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elgamal::{Ciphertext, PublicKey};
    use crate::group::g_table;
    use crate::proofs::RangeSubject;
    use crate::transcript::ContestPosition;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    const CONTEXT: ContextHash = ContextHash([9; 32]);

    fn position() -> ContestPosition {
        ContestPosition {
            nonce: [5; 32],
            district: "north".into(),
            contest: "council".into(),
        }
    }

    fn key(rng: &mut ChaCha20Rng) -> PublicKey {
        PublicKey::from_point(&Scalar::random(rng) * g_table()).unwrap()
    }

    /// A contest's ciphertexts, ranges and witnesses: selections with ranges `ranges[i]`
    /// holding `values[i]`, plus (if `sum_hi` is given) the sum in `[0, sum_hi]`.
    struct Contest {
        pk: PublicKey,
        position: ContestPosition,
        subjects: Vec<RangeSubject>,
        ranges: Vec<(u64, u64)>,
        ciphertexts: Vec<Ciphertext>,
        witnesses: Vec<RangeWitness>,
    }

    impl Contest {
        fn new(seed: u64, ranges: &[(u64, u64)], values: &[u64], sum_hi: Option<u64>) -> Self {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let pk = key(&mut rng);
            let mut c = Contest {
                pk,
                position: position(),
                subjects: Vec::new(),
                ranges: ranges.to_vec(),
                ciphertexts: Vec::new(),
                witnesses: Vec::new(),
            };
            for (i, &v) in values.iter().enumerate() {
                let nonce = Nonce::random(&mut rng);
                c.subjects.push(RangeSubject::Selection(i as u32));
                c.ciphertexts.push(Ciphertext::encrypt(&c.pk, v, &nonce));
                c.witnesses.push(RangeWitness::new(v, &nonce));
            }
            if let Some(hi) = sum_hi {
                let sum = RangeWitness::sum(&c.witnesses).unwrap();
                c.subjects.push(RangeSubject::Sum);
                c.ranges.push((0, hi));
                c.ciphertexts.push(c.ciphertexts.iter().copied().sum());
                c.witnesses.push(sum);
            }
            c
        }

        fn statements(&self) -> Vec<RangeStatement<'_>> {
            (0..self.subjects.len())
                .map(|i| RangeStatement {
                    public_key: &self.pk,
                    position: &self.position,
                    subject: self.subjects[i],
                    lo: self.ranges[i].0,
                    hi: self.ranges[i].1,
                    ciphertext: self.ciphertexts[i],
                })
                .collect()
        }

        fn prove(&self, seed: u64) -> Result<BpRangeProof> {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            BpRangeProof::prove(&CONTEXT, &self.statements(), &self.witnesses, &mut rng)
        }
    }

    fn verify(proof: &BpRangeProof, statements: &[RangeStatement<'_>]) -> Result<()> {
        proof.verify(&CONTEXT, statements, &mut ChaCha20Rng::seed_from_u64(99))
    }

    /// Score 0..=10 over 5 candidates, sum ≤ 20: 6 statements, 12 values padded to 16, n = 8.
    fn score_contest(seed: u64) -> Contest {
        Contest::new(seed, &[(0, 10); 5], &[10, 0, 3, 7, 0], Some(20))
    }

    /// One selection in [0, 10]: 2 values, n = 8 (the smallest proof, for exhaustive tests).
    fn small_contest(seed: u64) -> Contest {
        Contest::new(seed, &[(0, 10)], &[4], None)
    }

    #[test]
    fn parameters_pick_bit_size_and_padding() {
        assert_eq!(bit_size(0), 8);
        assert_eq!(bit_size(255), 8);
        assert_eq!(bit_size(256), 16);
        assert_eq!(bit_size(65_535), 16);
        assert_eq!(bit_size(65_536), 32);
        assert_eq!(bit_size(u64::from(u32::MAX)), 32);
        assert_eq!(bit_size(1 << 32), 64);
        assert_eq!(bit_size(u64::MAX), 64);
        let c = score_contest(1);
        assert_eq!(parameters(&c.statements()).unwrap(), (8, 16));
        assert!(parameters(&[]).is_err());
        let c = Contest::new(2, &[(5, 4)], &[4], None);
        assert!(parameters(&c.statements()).is_err());
    }

    #[test]
    fn score_contest_proves_verifies_and_round_trips() {
        let c = score_contest(3);
        let proof = c.prove(4).unwrap();
        verify(&proof, &c.statements()).unwrap();

        let bytes = proof.to_bytes();
        // 4 + 6·32 + 6·128 + 32·(9 + 2·log2(8·16))
        assert_eq!(bytes.len(), 4 + 6 * 32 + 6 * 128 + 32 * (9 + 2 * 7));
        assert_eq!(bytes.len(), 1700);
        let decoded = BpRangeProof::from_bytes(&bytes).unwrap();
        assert_eq!(decoded.to_bytes(), bytes);
        verify(&decoded, &c.statements()).unwrap();
    }

    #[test]
    fn sixteen_bit_range_with_nonzero_lo() {
        let c = Contest::new(5, &[(100, 1000), (0, 3)], &[999, 3], None);
        assert_eq!(parameters(&c.statements()).unwrap(), (16, 4));
        let proof = c.prove(6).unwrap();
        verify(&proof, &c.statements()).unwrap();
        assert_eq!(proof.to_bytes().len(), 4 + 2 * 160 + 32 * (9 + 2 * 6));
    }

    #[test]
    fn prover_refuses_values_outside_the_range_and_wrong_witnesses() {
        let above = Contest::new(7, &[(0, 10)], &[11], None);
        assert!(matches!(
            above.prove(1),
            Err(CryptoError::InvalidParameters(_))
        ));
        let below = Contest::new(8, &[(2, 10)], &[1], None);
        assert!(matches!(
            below.prove(1),
            Err(CryptoError::InvalidParameters(_))
        ));
        // The sum above its bound, every selection within its own.
        let sum_above = Contest::new(9, &[(0, 10); 3], &[10, 10, 1], Some(20));
        assert!(matches!(
            sum_above.prove(1),
            Err(CryptoError::InvalidParameters(_))
        ));
        // A witness that does not open the ciphertext (claims 5, encrypts 4).
        let mut c = small_contest(10);
        let nonce = c.witnesses[0].nonce.clone();
        c.witnesses[0] = RangeWitness::new(5, &nonce);
        assert!(matches!(c.prove(1), Err(CryptoError::InvalidParameters(_))));
        // Lengths must match.
        let c = score_contest(11);
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        assert!(
            BpRangeProof::prove(&CONTEXT, &c.statements(), &c.witnesses[..5], &mut rng).is_err()
        );
        assert!(BpRangeProof::prove(&CONTEXT, &[], &[], &mut rng).is_err());
    }

    /// A cheating prover who encrypts `v` (any scalar) in `[0, 10]`: honest link proof for
    /// `C = v·G + s·H`, and a range proof made over the real transcript for the values
    /// `claimed` with blindings `(s, −s)`.
    fn forge(v: Scalar, claimed: [u64; 2]) -> (Contest, BpRangeProof) {
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let mut c = small_contest(13);
        let r = Scalar::random(&mut rng);
        let s = Scalar::random(&mut rng);
        c.ciphertexts[0] = Ciphertext::new(&r * g_table(), &v * g_table() + r * c.pk.point());
        let statements = c.statements();
        let commitment = pedersen_commit(&v, &s);
        let link = LinkProof::prove(
            &CONTEXT,
            &statements[0],
            &commitment,
            &LinkWitness::from_scalars(v, r, s),
            &mut rng,
        )
        .unwrap();
        let mut t = transcript(&CONTEXT, &statements, &[commitment], 8, 2);
        let (range_proof, _) = RangeProof::prove_multiple_with_rng(
            &generators(2),
            &pedersen_gens(),
            &mut t,
            &claimed,
            &[s, -s],
            8,
            &mut rng,
        )
        .unwrap();
        let proof = BpRangeProof {
            commitments: vec![commitment],
            links: vec![link],
            range_proof,
        };
        (c, proof)
    }

    #[test]
    fn forged_proofs_for_out_of_range_plaintexts_are_rejected() {
        let bad = Err(CryptoError::InvalidProof("Bulletproofs range proof"));
        // 11 in [0, 10]: the range proof is made for 10 (or for 11 with hi − v "wrapped").
        for claimed in [[10, 0], [11, 255], [11, 0]] {
            let (c, proof) = forge(Scalar::from(11u64), claimed);
            assert_eq!(verify(&proof, &c.statements()), bad, "{claimed:?}");
        }
        // −1 in [0, 10].
        for claimed in [[0, 10], [255, 11]] {
            let (c, proof) = forge(-Scalar::ONE, claimed);
            assert_eq!(verify(&proof, &c.statements()), bad, "{claimed:?}");
        }
        // Sanity: the same forging code with an honest value verifies.
        let (c, proof) = forge(Scalar::from(4u64), [4, 6]);
        verify(&proof, &c.statements()).unwrap();
    }

    #[test]
    fn every_single_byte_mutation_of_a_small_proof_is_rejected() {
        let c = small_contest(14);
        let bytes = c.prove(15).unwrap().to_bytes();
        let statements = c.statements();
        for pos in 0..bytes.len() {
            let mut m = bytes.clone();
            m[pos] ^= 0x01;
            let ok = BpRangeProof::from_bytes(&m).and_then(|p| verify(&p, &statements));
            assert!(ok.is_err(), "byte {pos} accepted");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn mutations_of_the_score_proof_are_rejected(pos in 0usize..1700, flip in 1u8..=255) {
            let (c, bytes) = score_proof();
            let mut m = bytes.clone();
            m[pos] ^= flip;
            let ok = BpRangeProof::from_bytes(&m).and_then(|p| verify(&p, &c.statements()));
            prop_assert!(ok.is_err());
        }

        #[test]
        fn mutations_of_the_bulletproof_part_are_rejected(pos in (4 + 6 * 160)..1700usize, flip in 1u8..=255) {
            let (c, bytes) = score_proof();
            let mut m = bytes.clone();
            m[pos] ^= flip;
            let ok = BpRangeProof::from_bytes(&m).and_then(|p| verify(&p, &c.statements()));
            prop_assert!(ok.is_err());
        }
    }

    /// The score contest and its encoded proof, made once for the proptests.
    fn score_proof() -> (&'static Contest, &'static Vec<u8>) {
        use std::sync::OnceLock;
        static PROOF: OnceLock<(Contest, Vec<u8>)> = OnceLock::new();
        let (c, bytes) = PROOF.get_or_init(|| {
            let c = score_contest(16);
            let bytes = c.prove(17).unwrap().to_bytes();
            (c, bytes)
        });
        (c, bytes)
    }

    #[test]
    fn other_statements_are_rejected() {
        let (c, bytes) = score_proof();
        let proof = BpRangeProof::from_bytes(bytes).unwrap();
        let base = c.statements();
        let rejected = |statements: &[RangeStatement<'_>], context: &ContextHash| {
            let r = proof.verify(context, statements, &mut ChaCha20Rng::seed_from_u64(1));
            assert!(r.is_err());
        };
        rejected(&base, &ContextHash([10; 32]));

        let mut rng = ChaCha20Rng::seed_from_u64(18);
        let other_pk = key(&mut rng);
        let other_ct = Ciphertext::encrypt(&c.pk, 3, &Nonce::random(&mut rng));
        let positions = [
            ContestPosition {
                nonce: [6; 32],
                ..position()
            },
            ContestPosition {
                district: "south".into(),
                ..position()
            },
            ContestPosition {
                contest: "mayor".into(),
                ..position()
            },
        ];
        for i in [0, 5] {
            let s = base[i];
            let mut variants = vec![
                RangeStatement {
                    public_key: &other_pk,
                    ..s
                },
                RangeStatement {
                    ciphertext: other_ct,
                    ..s
                },
                RangeStatement {
                    subject: RangeSubject::Selection(7),
                    ..s
                },
                RangeStatement { lo: 1, ..s },
                RangeStatement { hi: s.hi + 1, ..s },
                RangeStatement { hi: 300, ..s }, // changes n too
            ];
            variants.extend(
                positions
                    .iter()
                    .map(|p| RangeStatement { position: p, ..s }),
            );
            for v in variants {
                let mut statements = base.clone();
                statements[i] = v;
                rejected(&statements, &CONTEXT);
            }
        }
        // The sum labelled as a selection and a selection labelled as the sum.
        let mut statements = base.clone();
        statements[5].subject = RangeSubject::Selection(5);
        rejected(&statements, &CONTEXT);
        let mut statements = base.clone();
        statements[0].subject = RangeSubject::Sum;
        rejected(&statements, &CONTEXT);
        // Statements reordered, missing or added.
        let mut statements = base.clone();
        statements.swap(0, 1);
        rejected(&statements, &CONTEXT);
        rejected(&base[..5], &CONTEXT);
        let mut statements = base.clone();
        statements.push(base[0]);
        rejected(&statements, &CONTEXT);
    }

    #[test]
    fn swapped_commitments_and_links_are_rejected() {
        let (c, bytes) = score_proof();
        let proof = BpRangeProof::from_bytes(bytes).unwrap();
        let statements = c.statements();
        let mut swapped = proof.clone();
        swapped.commitments.swap(1, 2);
        assert!(verify(&swapped, &statements).is_err());
        swapped.links.swap(1, 2);
        assert!(verify(&swapped, &statements).is_err());
        let mut links_only = proof.clone();
        links_only.links.swap(0, 3);
        assert!(verify(&links_only, &statements).is_err());
    }

    #[test]
    fn truncated_extended_and_miscounted_encodings_are_rejected() {
        let (_, bytes) = score_proof();
        for len in [0, 3, 4, 100, 4 + 6 * 160, bytes.len() - 32, bytes.len() - 1] {
            assert!(BpRangeProof::from_bytes(&bytes[..len]).is_err(), "{len}");
        }
        for extra in [vec![0u8], vec![0u8; 32], vec![0u8; 64]] {
            let mut long = bytes.clone();
            long.extend_from_slice(&extra);
            assert!(BpRangeProof::from_bytes(&long).is_err());
        }
        for k in [0u32, 5, 7, 257, u32::MAX] {
            let mut m = bytes.clone();
            m[..4].copy_from_slice(&k.to_be_bytes());
            assert!(BpRangeProof::from_bytes(&m).is_err(), "k = {k}");
        }
    }

    #[test]
    fn range_proof_for_another_bit_size_is_rejected() {
        // A valid proof for [0, 1000] (n = 16) does not verify for [0, 10] (n = 8).
        let wide = Contest::new(19, &[(0, 1000)], &[4], None);
        let proof = wide.prove(20).unwrap();
        let mut narrow_statements = wide.statements();
        narrow_statements[0].hi = 10;
        assert!(verify(&proof, &narrow_statements).is_err());
    }

    #[test]
    fn witness_sum_and_debug() {
        let mut rng = ChaCha20Rng::seed_from_u64(21);
        let a = RangeWitness::new(u64::MAX, &Nonce::random(&mut rng));
        let b = RangeWitness::new(1, &Nonce::random(&mut rng));
        assert!(RangeWitness::sum([&a, &b]).is_err());
        assert_eq!(format!("{a:?}"), "RangeWitness(<secret>)");
    }
}
