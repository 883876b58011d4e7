//! Disjunctive Chaum–Pedersen (CDS) range proofs: "this ElGamal ciphertext encrypts a value
//! in `[lo, hi]`", for small ranges (0/1 selections, small sums). Spec:
//! `docs/crypto-spec.md` §5.
//!
//! # The proof
//!
//! The statement is a [`RangeStatement`]: key `Y`, ciphertext `(α, β)`, range `[lo, hi]`,
//! position and subject. Its `k = hi − lo + 1` branches are indexed `m = lo..=hi`; branch `m`
//! is the Chaum–Pedersen (DLEQ) statement
//!
//! ```text
//! log_G α = log_Y (β − m·G)
//! ```
//!
//! which holds, with witness `r`, exactly when `(α, β) = (r·G, m·G + r·Y)` encrypts `m`. The
//! prover knows the witness of one branch (`m = v`) and proves the OR of all branches
//! (Cramer–Damgård–Schoenmakers): it simulates every other branch with a random challenge
//! `c_m` and response `z_m`, runs the real branch honestly with a fresh nonce `w`, and the
//! Fiat–Shamir challenge `c` fixes the real branch's challenge through `Σ_m c_m = c`:
//!
//! ```text
//! real branch m = v:   a_v = w·G                 b_v = w·Y
//!                      c_v = c − Σ_{m≠v} c_m     z_v = w + c_v·r
//! simulated m ≠ v:     c_m, z_m random
//!                      a_m = z_m·G − c_m·α       b_m = z_m·Y − c_m·(β − m·G)
//! verifier, every m:   z_m·G = a_m + c_m·α       z_m·Y = b_m + c_m·(β − m·G)
//! ```
//!
//! The proof is in the **batchable (commitment) form**: it carries every `(a_m, b_m)`, so the
//! verification equations are group equations that a [`BatchVerifier`] can check for
//! thousands of proofs at once. It sends the challenges of the first `k − 1` branches only;
//! the last is `c − Σ` of the others, so `Σ_m c_m = c` holds by construction and costs the
//! verifier nothing to check.
//!
//! # Prover: constant time in the vote
//!
//! Which branch is real is the vote, so the prover does the same work for every branch and
//! picks the real one with constant-time selections. It uses that for an honest ciphertext
//! `α = r·G` and `β − m·G = (v − m)·G + r·Y`; with `t_m = z_m − c_m·r` the commitments are
//!
//! ```text
//! a_m = t_m·G         b_m = t_m·Y + c_m·(m − v)·G
//! ```
//!
//! which are exactly the simulation above (and, for `c_m = 0`, `z_m = w`, the real branch's
//! `w·G`, `w·Y`), computed with constant-time fixed-base tables only. The real branch is then
//! the one whose challenge is set to `c − Σ c_m` and whose response gets `+ c_v·r`.
//!
//! # Transcript
//!
//! `proof_transcript(context, b"cds-range v1")`, then the statement
//! ([`RangeStatement::append_to`]: `pk`, `nonce`, `district`, `contest`, `subject`, `lo`, `hi`,
//! `alpha`, `beta`), then for `m = lo..=hi` in order `a` (= `a_m`) and `b` (= `b_m`), then the
//! challenge `c`.

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rand_core::{CryptoRng, RngCore};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::elgamal::Nonce;
use crate::encoding::{put_scalar, Reader, POINT_LEN, SCALAR_LEN};
use crate::error::{CryptoError, Result};
use crate::group::{g_table, ContextHash, G};
use crate::proofs::batch::{find_failures, BatchVerifier};
use crate::proofs::RangeStatement;
use crate::transcript::{proof_transcript, TranscriptProtocol};

/// Domain separator of the CDS range proof transcript.
pub const DOMAIN: &[u8] = b"cds-range v1";

/// Largest number of branches (`hi − lo + 1`) a CDS range proof may have. Proof size and work
/// grow linearly with the range; larger ranges use Bulletproofs.
pub const MAX_BRANCHES: usize = 256;

/// `1/2 mod ℓ` = `(ℓ + 1)/2`, little-endian.
const ONE_HALF: [u8; 32] = [
    247, 233, 122, 46, 141, 49, 9, 44, 107, 206, 123, 81, 239, 124, 111, 10, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 8,
];

/// What the errors of this proof name.
const WHAT: &str = "CDS range proof";

/// The number of branches `k = hi − lo + 1` of the range `[lo, hi]`.
///
/// Errors with [`CryptoError::InvalidParameters`] if `lo > hi` or `k > MAX_BRANCHES`.
pub fn branch_count(lo: u64, hi: u64) -> Result<usize> {
    let span = hi
        .checked_sub(lo)
        .ok_or_else(|| CryptoError::InvalidParameters(format!("range [{lo}, {hi}] is empty")))?;
    usize::try_from(span)
        .ok()
        .and_then(|s| s.checked_add(1))
        .filter(|k| *k <= MAX_BRANCHES)
        .ok_or_else(|| {
            CryptoError::InvalidParameters(format!(
                "range [{lo}, {hi}] has more than {MAX_BRANCHES} values"
            ))
        })
}

/// Encoded length of a proof with `k ≥ 1` branches: `2k` points, `k − 1` challenges, `k`
/// responses, i.e. `128·k − 32` bytes.
pub const fn proof_len(branches: usize) -> usize {
    2 * branches * POINT_LEN + (branches.saturating_sub(1) + branches) * SCALAR_LEN
}

/// The commitments `(a_m, b_m)` of one branch, kept both as points (for the verification
/// equations) and as the canonical bytes they were decoded from (for the transcript and the
/// encoding, so they are never re-compressed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BranchCommitment {
    a: RistrettoPoint,
    b: RistrettoPoint,
    a_bytes: CompressedRistretto,
    b_bytes: CompressedRistretto,
}

/// A CDS proof that a ciphertext encrypts a value in `[lo, hi]` (see the module docs).
///
/// # Transcript
///
/// `proof_transcript(context, b"cds-range v1")`; the statement: `pk`, `nonce`, `district`,
/// `contest`, `subject`, `lo`, `hi`, `alpha`, `beta`; then `a`, `b` for each branch
/// `m = lo..=hi` in order; challenge `c`.
///
/// # Layout
///
/// With `k = hi − lo + 1` branches (known from the statement, not encoded), `128·k − 32`
/// bytes:
///
/// | offset | length | field |
/// |---|---|---|
/// | `64·i` | 32 | `a_{lo+i}`, canonical point, `i = 0..k` |
/// | `64·i + 32` | 32 | `b_{lo+i}`, canonical point |
/// | `64·k + 32·i` | 32 | `c_{lo+i}`, canonical scalar, `i = 0..k−1` (the last challenge is not sent) |
/// | `96·k − 32 + 32·i` | 32 | `z_{lo+i}`, canonical scalar, `i = 0..k` |
///
/// For a 0/1 selection (`k = 2`) that is 224 bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CdsRangeProof {
    /// `(a_m, b_m)` for `m = lo..=hi`.
    commitments: Vec<BranchCommitment>,
    /// `c_m` for `m = lo..hi` (all but the last branch).
    challenges: Vec<Scalar>,
    /// `z_m` for `m = lo..=hi`.
    responses: Vec<Scalar>,
}

impl CdsRangeProof {
    /// Proves that `statement.ciphertext` encrypts `value` under `statement.public_key` with
    /// randomness `nonce`, and that `value ∈ [statement.lo, statement.hi]`.
    ///
    /// Checked: the range (`lo ≤ hi`, at most [`MAX_BRANCHES`] values) and `value ∈ [lo, hi]`
    /// ([`CryptoError::InvalidParameters`], which does not repeat the secret value). Not
    /// checked, to save the cost of an encryption: that the ciphertext really is
    /// `Enc(value; nonce)`; if it is not, the proof simply does not verify.
    ///
    /// Constant time in `value` and `nonce` (see the module docs).
    pub fn prove<R: RngCore + CryptoRng>(
        context: &ContextHash,
        statement: &RangeStatement<'_>,
        value: u64,
        nonce: &Nonce,
        rng: &mut R,
    ) -> Result<Self> {
        let (lo, hi) = (statement.lo, statement.hi);
        let branches = branch_count(lo, hi)?;
        if value < lo || value > hi {
            return Err(CryptoError::InvalidParameters(format!(
                "the value to prove is outside [{lo}, {hi}]"
            )));
        }
        Ok(Self::prove_unchecked(
            context, statement, branches, value, nonce, rng,
        ))
    }

    /// The prover without the range check: `value ∈ [lo, hi]` and
    /// `branches = branch_count(lo, hi)` are the caller's job. Tests use it to show that a
    /// lying prover gets nowhere.
    fn prove_unchecked<R: RngCore + CryptoRng>(
        context: &ContextHash,
        statement: &RangeStatement<'_>,
        branches: usize,
        value: u64,
        nonce: &Nonce,
        rng: &mut R,
    ) -> Self {
        let r = nonce.scalar();
        let v = Zeroizing::new(Scalar::from(value));
        let real = value.wrapping_sub(statement.lo);

        // Commitments, the same computation for every branch; the real one has c = 0, z = w.
        // They are computed halved, so that one batch inversion compresses all of them
        // (`double_and_compress_batch` encodes `2·P`); the points are doubled back below.
        let half = Scalar::from_bytes_mod_order(ONE_HALF);
        // Secret vectors are allocated once (no reallocation leaves copies behind).
        let mut c: Zeroizing<Vec<Scalar>> = Zeroizing::new(Vec::with_capacity(branches));
        let mut z: Zeroizing<Vec<Scalar>> = Zeroizing::new(Vec::with_capacity(branches));
        let mut halves = Vec::with_capacity(2 * branches);
        for (i, m) in (statement.lo..=statement.hi).enumerate() {
            let is_real = (i as u64).ct_eq(&real);
            let cm = Scalar::conditional_select(&Scalar::random(rng), &Scalar::ZERO, is_real);
            let zm = Zeroizing::new(Scalar::random(rng));
            let t_half = Zeroizing::new((*zm - cm * r) * half);
            let s_half = Zeroizing::new(cm * (Scalar::from(m) - *v) * half);
            halves.push(&*t_half * g_table());
            halves.push(statement.public_key.mul(&t_half) + &*s_half * g_table());
            c.push(cm);
            z.push(*zm);
        }
        let mut encodings = RistrettoPoint::double_and_compress_batch(&halves).into_iter();
        let mut halves = halves.into_iter();
        let commitments: Vec<BranchCommitment> = core::iter::from_fn(|| {
            let (a, b) = (halves.next()?, halves.next()?);
            Some(BranchCommitment {
                a: a + a,
                b: b + b,
                a_bytes: encodings.next()?,
                b_bytes: encodings.next()?,
            })
        })
        .collect();

        // Challenge; the real branch takes what is left of it and answers.
        let challenge = transcript_challenge(context, statement, &commitments);
        let c_real = challenge - c.iter().sum::<Scalar>();
        for (i, (cm, zm)) in c.iter_mut().zip(z.iter_mut()).enumerate() {
            let is_real = (i as u64).ct_eq(&real);
            let z_real = Zeroizing::new(*zm + c_real * r);
            cm.conditional_assign(&c_real, is_real);
            zm.conditional_assign(&z_real, is_real);
        }
        let sent = c.len().saturating_sub(1);
        CdsRangeProof {
            commitments,
            challenges: c.iter().take(sent).copied().collect(),
            responses: z.to_vec(),
        }
    }

    /// Verifies the proof against its statement, equation by equation:
    /// `z_m·G − c_m·α = a_m` and `z_m·Y − c_m·(β − m·G) = b_m` for every branch `m`.
    pub fn verify(&self, context: &ContextHash, statement: &RangeStatement<'_>) -> Result<()> {
        let challenges = self.all_challenges(context, statement)?;
        let alpha = statement.ciphertext.alpha();
        let y = statement.public_key.point();
        // β − m·G, starting at m = lo and stepping by −G (lo = 0 for selections: skip lo·G).
        let mut beta_m = statement.ciphertext.beta();
        if statement.lo != 0 {
            beta_m -= &Scalar::from(statement.lo) * g_table();
        }
        for ((com, c), z) in self
            .commitments
            .iter()
            .zip(&challenges)
            .zip(&self.responses)
        {
            let a = RistrettoPoint::vartime_double_scalar_mul_basepoint(&-c, &alpha, z);
            let b = RistrettoPoint::vartime_multiscalar_mul([*z, -c], [*y, beta_m]);
            if a != com.a || b != com.b {
                return Err(CryptoError::InvalidProof(WHAT));
            }
            beta_m -= G;
        }
        Ok(())
    }

    /// Adds this proof's `2k` verification equations to `batch`, each with its own weight:
    /// for every branch `m`, `ρ_m·(a_m + c_m·α − z_m·G) = 0` and
    /// `ρ'_m·(b_m + c_m·β − c_m·m·G − z_m·Y) = 0`.
    ///
    /// Errors (without touching the batch) if the proof's branch count does not match the
    /// statement's range or the range is invalid.
    pub fn add_to_batch<R: RngCore + CryptoRng>(
        &self,
        context: &ContextHash,
        statement: &RangeStatement<'_>,
        batch: &mut BatchVerifier<'_, R>,
    ) -> Result<()> {
        let challenges = self.all_challenges(context, statement)?;
        let mut alpha_coeff = Scalar::ZERO;
        let mut beta_coeff = Scalar::ZERO;
        let mut g_coeff = Scalar::ZERO;
        let mut y_coeff = Scalar::ZERO;
        let branches = self
            .commitments
            .iter()
            .zip(&challenges)
            .zip(&self.responses);
        for (((com, c), z), m) in branches.zip(statement.lo..=statement.hi) {
            let (wa, wb) = (batch.weight(), batch.weight());
            batch.add_point(wa, com.a);
            batch.add_point(wb, com.b);
            let wb_c = wb * c;
            alpha_coeff += wa * c;
            beta_coeff += wb_c;
            g_coeff -= wa * z + wb_c * Scalar::from(m);
            y_coeff -= wb * z;
        }
        batch.add_ciphertext(alpha_coeff, beta_coeff, &statement.ciphertext);
        batch.add_g(g_coeff);
        batch.add_base(statement.public_key.point(), y_coeff);
        Ok(())
    }

    /// Verifies many proofs at once (one multiscalar multiplication, see [`BatchVerifier`]).
    /// Accepts a batch containing a false proof with probability at most `2⁻¹²⁸` per false
    /// equation. Use [`CdsRangeProof::find_invalid`] to name the bad proofs of a failed batch.
    pub fn verify_batch<R: RngCore + CryptoRng>(
        context: &ContextHash,
        items: &[(RangeStatement<'_>, &CdsRangeProof)],
        rng: &mut R,
    ) -> Result<()> {
        let points: usize = items.iter().map(|(_, p)| 2 * p.commitments.len() + 2).sum();
        let mut batch = BatchVerifier::with_capacity(rng, points);
        for (statement, proof) in items {
            proof.add_to_batch(context, statement, &mut batch)?;
        }
        batch.verify().map_err(|_| CryptoError::InvalidProof(WHAT))
    }

    /// Indices (in increasing order) of the proofs of `items` that do not verify: a batch
    /// check first, and if it fails, one-by-one checks. Empty if all verify.
    pub fn find_invalid<R: RngCore + CryptoRng>(
        context: &ContextHash,
        items: &[(RangeStatement<'_>, &CdsRangeProof)],
        rng: &mut R,
    ) -> Vec<usize> {
        find_failures(
            items,
            |all| Self::verify_batch(context, all, rng),
            |(statement, proof)| proof.verify(context, statement),
        )
    }

    /// The number of branches `k` this proof has.
    pub fn branches(&self) -> usize {
        self.commitments.len()
    }

    /// The encoding (see the Layout section of the type).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(proof_len(self.branches()));
        self.write(&mut out);
        out
    }

    /// Appends the encoding.
    pub fn write(&self, out: &mut Vec<u8>) {
        for com in &self.commitments {
            out.extend_from_slice(com.a_bytes.as_bytes());
            out.extend_from_slice(com.b_bytes.as_bytes());
        }
        for s in self.challenges.iter().chain(&self.responses) {
            put_scalar(out, s);
        }
    }

    /// Decodes exactly [`proof_len`]`(branches)` bytes; `branches` comes from the statement
    /// ([`branch_count`]`(lo, hi)`). Rejects a bad branch count, wrong lengths, trailing bytes
    /// and non-canonical points and scalars.
    pub fn from_bytes(bytes: &[u8], branches: usize) -> Result<Self> {
        let expected = proof_len(branches);
        if bytes.len() != expected {
            return Err(CryptoError::WrongLength {
                what: WHAT,
                expected,
                actual: bytes.len(),
            });
        }
        let mut r = Reader::new(bytes, WHAT);
        let proof = Self::read(&mut r, branches)?;
        r.finish()?;
        Ok(proof)
    }

    /// Reads a proof with `branches` branches from a larger layout.
    pub fn read(r: &mut Reader<'_>, branches: usize) -> Result<Self> {
        if !(1..=MAX_BRANCHES).contains(&branches) {
            return Err(CryptoError::InvalidParameters(format!(
                "a CDS range proof has 1 to {MAX_BRANCHES} branches, not {branches}"
            )));
        }
        let commitments = (0..branches)
            .map(|_| {
                let a_bytes = CompressedRistretto::from_slice(r.take(POINT_LEN)?)
                    .map_err(|_| CryptoError::NonCanonicalPoint(WHAT))?;
                let b_bytes = CompressedRistretto::from_slice(r.take(POINT_LEN)?)
                    .map_err(|_| CryptoError::NonCanonicalPoint(WHAT))?;
                let decompress = |p: &CompressedRistretto| {
                    p.decompress().ok_or(CryptoError::NonCanonicalPoint(WHAT))
                };
                Ok(BranchCommitment {
                    a: decompress(&a_bytes)?,
                    b: decompress(&b_bytes)?,
                    a_bytes,
                    b_bytes,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let challenges = (1..branches)
            .map(|_| r.scalar())
            .collect::<Result<Vec<_>>>()?;
        let responses = (0..branches)
            .map(|_| r.scalar())
            .collect::<Result<Vec<_>>>()?;
        Ok(CdsRangeProof {
            commitments,
            challenges,
            responses,
        })
    }

    /// All `k` challenges `c_m`: the `k − 1` sent ones and the last, `c − Σ` of the others.
    /// Errors if the statement's range is invalid or does not have this proof's branch count.
    fn all_challenges(
        &self,
        context: &ContextHash,
        statement: &RangeStatement<'_>,
    ) -> Result<Vec<Scalar>> {
        if branch_count(statement.lo, statement.hi)? != self.branches() {
            return Err(CryptoError::InvalidProof(WHAT));
        }
        let c = transcript_challenge(context, statement, &self.commitments);
        let last = c - self.challenges.iter().sum::<Scalar>();
        Ok(self
            .challenges
            .iter()
            .copied()
            .chain(core::iter::once(last))
            .collect())
    }
}

/// The Fiat–Shamir challenge `c`: domain, statement, then every branch's `a`, `b` in order.
fn transcript_challenge(
    context: &ContextHash,
    statement: &RangeStatement<'_>,
    commitments: &[BranchCommitment],
) -> Scalar {
    let mut t = proof_transcript(context, DOMAIN);
    statement.append_to(&mut t);
    for com in commitments {
        t.append_compressed(b"a", &com.a_bytes);
        t.append_compressed(b"b", &com.b_bytes);
    }
    t.challenge_scalar(b"c")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elgamal::{Ciphertext, PublicKey};
    use crate::proofs::RangeSubject;
    use crate::transcript::ContestPosition;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    const CTX: ContextHash = ContextHash([7; 32]);

    fn key(seed: u64) -> PublicKey {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        PublicKey::from_point(&Scalar::random(&mut rng) * g_table()).unwrap()
    }

    fn position(nonce: u8, district: &str, contest: &str) -> ContestPosition {
        ContestPosition {
            nonce: [nonce; 32],
            district: district.into(),
            contest: contest.into(),
        }
    }

    fn statement<'a>(
        pk: &'a PublicKey,
        pos: &'a ContestPosition,
        lo: u64,
        hi: u64,
        ciphertext: Ciphertext,
    ) -> RangeStatement<'a> {
        RangeStatement {
            public_key: pk,
            position: pos,
            subject: RangeSubject::Selection(3),
            lo,
            hi,
            ciphertext,
        }
    }

    /// Encrypts `v` and proves it in `[lo, hi]`.
    fn honest(
        pk: &PublicKey,
        pos: &ContestPosition,
        lo: u64,
        hi: u64,
        v: u64,
        rng: &mut ChaCha20Rng,
    ) -> (Ciphertext, CdsRangeProof) {
        let r = Nonce::random(rng);
        let ct = Ciphertext::encrypt(pk, v, &r);
        let proof =
            CdsRangeProof::prove(&CTX, &statement(pk, pos, lo, hi, ct), v, &r, rng).unwrap();
        (ct, proof)
    }

    /// The textbook CDS prover, written directly from the equations on `(α, β)` rather than
    /// through `(v, r)`: claims that branch `claimed` (an index into `lo..=hi`) has witness `r`.
    /// It cross-checks the optimised prover (honest claims verify) and forges (lies do not).
    fn textbook_prove(
        statement: &RangeStatement<'_>,
        claimed: usize,
        r: &Scalar,
        rng: &mut ChaCha20Rng,
    ) -> CdsRangeProof {
        let (alpha, beta) = (statement.ciphertext.alpha(), statement.ciphertext.beta());
        let y = *statement.public_key.point();
        let w = Scalar::random(rng);
        let mut c = Vec::new();
        let mut z = Vec::new();
        let mut commitments = Vec::new();
        for (i, m) in (statement.lo..=statement.hi).enumerate() {
            let (cm, zm) = (Scalar::random(rng), Scalar::random(rng));
            let (a, b) = if i == claimed {
                (w * G, w * y)
            } else {
                (
                    zm * G - cm * alpha,
                    zm * y - cm * (beta - Scalar::from(m) * G),
                )
            };
            commitments.push(BranchCommitment {
                a,
                b,
                a_bytes: a.compress(),
                b_bytes: b.compress(),
            });
            c.push(cm);
            z.push(zm);
        }
        let challenge = transcript_challenge(&CTX, statement, &commitments);
        let others: Scalar = c
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != claimed)
            .map(|(_, x)| x)
            .sum();
        c[claimed] = challenge - others;
        z[claimed] = w + c[claimed] * r;
        c.pop();
        CdsRangeProof {
            commitments,
            challenges: c,
            responses: z,
        }
    }

    #[test]
    fn honest_proofs_verify_for_every_value_of_several_ranges() {
        let pk = key(1);
        let pos = position(1, "d1", "c1");
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        for (lo, hi) in [(0, 1), (1, 1), (0, 3), (2, 7)] {
            for v in lo..=hi {
                let (ct, proof) = honest(&pk, &pos, lo, hi, v, &mut rng);
                let st = statement(&pk, &pos, lo, hi, ct);
                proof.verify(&CTX, &st).unwrap();
                assert_eq!(proof.branches(), (hi - lo + 1) as usize);
                let bytes = proof.to_bytes();
                assert_eq!(bytes.len(), proof_len(proof.branches()));
                let decoded = CdsRangeProof::from_bytes(&bytes, proof.branches()).unwrap();
                assert_eq!(decoded, proof);
                decoded.verify(&CTX, &st).unwrap();
            }
        }
    }

    #[test]
    fn textbook_prover_agrees() {
        let pk = key(1);
        let pos = position(1, "d1", "c1");
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        for v in 2..=7u64 {
            let r = Nonce::random(&mut rng);
            let st = statement(&pk, &pos, 2, 7, Ciphertext::encrypt(&pk, v, &r));
            let proof = textbook_prove(&st, (v - 2) as usize, r.scalar(), &mut rng);
            proof.verify(&CTX, &st).unwrap();
        }
    }

    #[test]
    fn one_half_is_the_inverse_of_two() {
        assert_eq!(
            Scalar::from_bytes_mod_order(ONE_HALF) * Scalar::from(2u64),
            Scalar::ONE
        );
        assert!(bool::from(Scalar::from_canonical_bytes(ONE_HALF).is_some()));
    }

    #[test]
    fn sizes() {
        assert_eq!(proof_len(1), 96);
        assert_eq!(proof_len(2), 224);
        assert_eq!(proof_len(8), 992);
        for k in 1..=MAX_BRANCHES {
            assert_eq!(proof_len(k), 128 * k - 32);
        }
    }

    #[test]
    fn every_single_byte_mutation_is_rejected() {
        let pk = key(1);
        let pos = position(1, "d1", "c1");
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        for v in [0, 1] {
            let (ct, proof) = honest(&pk, &pos, 0, 1, v, &mut rng);
            let st = statement(&pk, &pos, 0, 1, ct);
            let bytes = proof.to_bytes();
            assert_eq!(bytes.len(), 224);
            for i in 0..bytes.len() {
                for flip in [0x01u8, 0x80, 0xff] {
                    let mut bad = bytes.clone();
                    bad[i] ^= flip;
                    let rejected = match CdsRangeProof::from_bytes(&bad, 2) {
                        Err(_) => true,
                        Ok(p) => p.verify(&CTX, &st).is_err(),
                    };
                    assert!(rejected, "byte {i} ^ {flip:#x} accepted");
                }
            }
        }
    }

    #[test]
    fn other_statements_are_rejected() {
        let pk = key(1);
        let pos = position(1, "d1", "c1");
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let (ct, proof) = honest(&pk, &pos, 0, 1, 1, &mut rng);
        let st = statement(&pk, &pos, 0, 1, ct);
        proof.verify(&CTX, &st).unwrap();

        let other_pk = key(2);
        let other_ct = Ciphertext::encrypt(&pk, 1, &Nonce::random(&mut rng));
        let other_nonce = position(2, "d1", "c1");
        let other_district = position(1, "d2", "c1");
        let other_contest = position(1, "d1", "c2");
        let others = [
            RangeStatement {
                public_key: &other_pk,
                ..st
            },
            RangeStatement {
                ciphertext: other_ct,
                ..st
            },
            RangeStatement {
                ciphertext: Ciphertext::new(ct.beta(), ct.alpha()),
                ..st
            },
            RangeStatement {
                position: &other_nonce,
                ..st
            },
            RangeStatement {
                position: &other_district,
                ..st
            },
            RangeStatement {
                position: &other_contest,
                ..st
            },
            RangeStatement {
                subject: RangeSubject::Selection(4),
                ..st
            },
            RangeStatement {
                subject: RangeSubject::Sum,
                ..st
            },
            RangeStatement { lo: 1, hi: 2, ..st },
            RangeStatement { lo: 0, hi: 2, ..st },
            RangeStatement { hi: 0, ..st },
            RangeStatement { lo: 2, hi: 1, ..st },
        ];
        for (i, other) in others.iter().enumerate() {
            assert!(proof.verify(&CTX, other).is_err(), "statement {i} accepted");
        }
        assert!(proof.verify(&ContextHash([8; 32]), &st).is_err());
    }

    #[test]
    fn prover_refuses_values_and_ranges_it_cannot_prove() {
        let pk = key(1);
        let pos = position(1, "d1", "c1");
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let r = Nonce::random(&mut rng);
        for (lo, hi, v) in [(0, 1, 2), (2, 7, 1), (2, 7, 8), (1, 1, 0), (0, 1, u64::MAX)] {
            let st = statement(&pk, &pos, lo, hi, Ciphertext::encrypt(&pk, v, &r));
            assert!(matches!(
                CdsRangeProof::prove(&CTX, &st, v, &r, &mut rng),
                Err(CryptoError::InvalidParameters(_))
            ));
        }
        for (lo, hi) in [(1, 0), (0, 256), (0, u64::MAX), (5, u64::MAX)] {
            let st = statement(&pk, &pos, lo, hi, Ciphertext::encrypt(&pk, lo, &r));
            assert!(matches!(
                CdsRangeProof::prove(&CTX, &st, lo, &r, &mut rng),
                Err(CryptoError::InvalidParameters(_))
            ));
        }
        // The largest allowed range still works.
        assert_eq!(branch_count(10, 265).unwrap(), MAX_BRANCHES);
    }

    #[test]
    fn lies_about_a_ciphertext_of_two_or_minus_one_do_not_verify() {
        let pk = key(1);
        let pos = position(1, "d1", "c1");
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let r = Nonce::random(&mut rng);
        let two = Ciphertext::encrypt(&pk, 2, &r);
        let minus_one = Ciphertext::new(two.alpha(), two.beta() - Scalar::from(3u64) * G);
        for ct in [two, minus_one] {
            let st = statement(&pk, &pos, 0, 1, ct);
            for claimed in 0..2 {
                let forged = textbook_prove(&st, claimed, r.scalar(), &mut rng);
                assert!(forged.verify(&CTX, &st).is_err());
                let bytes = forged.to_bytes();
                let decoded = CdsRangeProof::from_bytes(&bytes, 2).unwrap();
                assert!(decoded.verify(&CTX, &st).is_err());
                // The optimised prover, lying about the value.
                let lie =
                    CdsRangeProof::prove_unchecked(&CTX, &st, 2, claimed as u64, &r, &mut rng);
                assert!(lie.verify(&CTX, &st).is_err());
            }
            // Telling the truth outside the range does not help either.
            let truth = CdsRangeProof::prove_unchecked(&CTX, &st, 2, 2, &r, &mut rng);
            assert!(truth.verify(&CTX, &st).is_err());
            // Nor does the batch verifier accept any of these.
            let forged = textbook_prove(&st, 1, r.scalar(), &mut rng);
            assert!(CdsRangeProof::verify_batch(&CTX, &[(st, &forged)], &mut rng).is_err());
        }
    }

    #[test]
    fn batch_accepts_honest_proofs_and_names_the_bad_one() {
        let pk = key(1);
        let pos = position(1, "d1", "c1");
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let ranges = [(0u64, 1u64), (1, 1), (0, 3), (2, 7)];
        let made: Vec<(u64, u64, Ciphertext, CdsRangeProof)> = (0..100u64)
            .map(|i| {
                let (lo, hi) = ranges[(i % 4) as usize];
                let v = lo + i % (hi - lo + 1);
                let (ct, proof) = honest(&pk, &pos, lo, hi, v, &mut rng);
                (lo, hi, ct, proof)
            })
            .collect();
        let items: Vec<(RangeStatement<'_>, &CdsRangeProof)> = made
            .iter()
            .map(|(lo, hi, ct, p)| (statement(&pk, &pos, *lo, *hi, *ct), p))
            .collect();
        CdsRangeProof::verify_batch(&CTX, &items, &mut rng).unwrap();
        assert!(CdsRangeProof::find_invalid(&CTX, &items, &mut rng).is_empty());
        assert!(CdsRangeProof::verify_batch(&CTX, &[], &mut rng).is_ok());

        // Proofs under two different keys batch together (each key is one summed base).
        let pk2 = key(2);
        let (ct2, proof2) = honest(&pk2, &pos, 0, 1, 1, &mut rng);
        let mut two_keys = items.clone();
        two_keys.push((statement(&pk2, &pos, 0, 1, ct2), &proof2));
        CdsRangeProof::verify_batch(&CTX, &two_keys, &mut rng).unwrap();
        two_keys[100].0.public_key = &pk;
        assert_eq!(
            CdsRangeProof::find_invalid(&CTX, &two_keys, &mut rng),
            vec![100]
        );

        // A mutated response (still a canonical scalar) in proof 42.
        let mut bytes = made[42].3.to_bytes();
        let n = bytes.len();
        let z = decode_last_scalar(&bytes) + Scalar::ONE;
        bytes[n - 32..].copy_from_slice(z.as_bytes());
        let bad = CdsRangeProof::from_bytes(&bytes, made[42].3.branches()).unwrap();
        let mut mutated = items.clone();
        mutated[42].1 = &bad;
        assert!(CdsRangeProof::verify_batch(&CTX, &mutated, &mut rng).is_err());
        assert_eq!(
            CdsRangeProof::find_invalid(&CTX, &mutated, &mut rng),
            vec![42]
        );

        // Proofs 0 and 4 (both 0/1 ranges) swapped between their statements.
        let mut swapped = items.clone();
        swapped[0].1 = items[4].1;
        swapped[4].1 = items[0].1;
        assert!(CdsRangeProof::verify_batch(&CTX, &swapped, &mut rng).is_err());
        assert_eq!(
            CdsRangeProof::find_invalid(&CTX, &swapped, &mut rng),
            vec![0, 4]
        );

        // A proof whose branch count does not match its statement fails the batch too.
        let mut wrong_k = items.clone();
        wrong_k[1].1 = items[2].1;
        assert!(CdsRangeProof::verify_batch(&CTX, &wrong_k, &mut rng).is_err());
        assert_eq!(
            CdsRangeProof::find_invalid(&CTX, &wrong_k, &mut rng),
            vec![1]
        );
    }

    fn decode_last_scalar(bytes: &[u8]) -> Scalar {
        crate::encoding::decode_scalar(&bytes[bytes.len() - 32..], "z").unwrap()
    }

    #[test]
    fn encoding_rejects_bad_lengths_counts_and_non_canonical_fields() {
        let pk = key(1);
        let pos = position(1, "d1", "c1");
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let (ct, proof) = honest(&pk, &pos, 0, 1, 0, &mut rng);
        let bytes = proof.to_bytes();
        assert!(matches!(
            CdsRangeProof::from_bytes(&bytes[..223], 2),
            Err(CryptoError::WrongLength { .. })
        ));
        let mut long = bytes.clone();
        long.push(0);
        assert!(matches!(
            CdsRangeProof::from_bytes(&long, 2),
            Err(CryptoError::WrongLength { .. })
        ));
        assert!(CdsRangeProof::from_bytes(&bytes, 3).is_err());
        assert!(CdsRangeProof::from_bytes(&[], 0).is_err());
        assert!(CdsRangeProof::from_bytes(&vec![0; proof_len(257)], 257).is_err());
        let mut r = Reader::new(&bytes, "t");
        assert!(matches!(
            CdsRangeProof::read(&mut r, 0),
            Err(CryptoError::InvalidParameters(_))
        ));

        // Non-canonical point (a_0) and scalar (c_0, then z_1).
        let mut bad = bytes.clone();
        bad[..32].copy_from_slice(&[0xff; 32]);
        assert_eq!(
            CdsRangeProof::from_bytes(&bad, 2),
            Err(CryptoError::NonCanonicalPoint(WHAT))
        );
        for offset in [128, 192] {
            let mut bad = bytes.clone();
            bad[offset..offset + 32].copy_from_slice(&[0xff; 32]);
            assert_eq!(
                CdsRangeProof::from_bytes(&bad, 2),
                Err(CryptoError::NonCanonicalScalar(WHAT))
            );
        }
        // A proof decoded with more branches than the statement has does not verify.
        let (ct3, proof3) = honest(&pk, &pos, 0, 2, 2, &mut rng);
        let decoded = CdsRangeProof::from_bytes(&proof3.to_bytes(), 3).unwrap();
        decoded
            .verify(&CTX, &statement(&pk, &pos, 0, 2, ct3))
            .unwrap();
        assert!(decoded
            .verify(&CTX, &statement(&pk, &pos, 0, 1, ct))
            .is_err());
    }
}
