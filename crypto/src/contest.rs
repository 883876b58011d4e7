//! A whole contest on a ballot: encrypt every selection, prove every range, verify them.
//!
//! A contest has `k` selections (one per candidate, in manifest order, a blank-vote option
//! being one more selection), each with a value range, and a range for the sum of all its
//! selections ([`ContestShape`]). The manifest kinds map onto shapes as follows:
//!
//! | kind | selection range | sum range |
//! |---|---|---|
//! | plurality (exactly one) | `[0, 1]` | `[1, 1]` |
//! | approval (from `a` up to `b`) | `[0, 1]` | `[a, b]` |
//! | score (each `0..=R`, total at most `S`) | `[0, R]` | `[0, S]` |
//!
//! # Which proof for which range
//!
//! Every range (each selection's, and the sum's) is proved by one of two kinds, chosen by a
//! rule that depends on the range alone, so that any verifier recomputes it from the manifest
//! ([`ValueRange::proof_kind`]):
//!
//! * a range of at most [`CDS_MAX_BRANCHES`] values gets its own disjunctive Chaum–Pedersen
//!   proof ([`CdsRangeProof`]): fast to make, batch-verifiable, but growing with the range;
//! * every larger range goes into the contest's one aggregated Bulletproofs proof
//!   ([`BpRangeProof`]): logarithmic in size, but about a millisecond per range to make.
//!
//! Why 8 (measured in `docs/BENCHMARKS.md`): per value of a range, CDS costs 128 bytes, about
//! 55 µs to prove and 14 µs to verify in batch; a Bulletproofs range costs a 128-byte link
//! proof plus two values of the shared range proof, about 3.5 ms to prove and 0.6 ms to
//! verify. CDS is therefore faster up to about 40 values but larger from 3 values on. Up to 8
//! values (every 0/1 selection, small approval sums) a CDS proof stays under 1 KB and keeps
//! the cheap batch verification that national-scale counting needs; wider ranges (scores,
//! cumulative points, large sums) take the logarithmic-size path, so that a 5-candidate score
//! contest is 2 KB instead of 10 KB.
//!
//! # Randomness and the verification code
//!
//! All the randomness of a ballot comes from one 32-byte [`EncryptionSeed`]: selection `i` of
//! a contest is encrypted with `r_i = SHA-512(layout)` reduced mod ℓ (see
//! [`EncryptionSeed::selection_nonce`] for the layout). The voter's second device gets the seed
//! in the verification code and recomputes every `r_i`, then opens each ciphertext without
//! the election key ([`EncryptedContest::open_with_seed`]): the code stays 32 bytes however
//! many candidates there are.
//!
//! Spec: `docs/crypto-spec.md` §7.

use curve25519_dalek::traits::IsIdentity;
use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha512};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::dlog::DlogTable;
use crate::elgamal::{Ciphertext, Nonce, PublicKey};
use crate::encoding::Reader;
use crate::error::{CryptoError, Result};
use crate::group::{g_table, ContextHash, Scalar};
use crate::proofs::batch::BatchVerifier;
use crate::proofs::bp_range::{BpRangeProof, RangeWitness};
use crate::proofs::cds_range::{branch_count, proof_len, CdsRangeProof};
use crate::proofs::selection::{find_invalid_selections, SelectionProof, SelectionStatement};
use crate::proofs::{RangeStatement, RangeSubject};
use crate::transcript::ContestPosition;

/// Ranges with at most this many values are proved with CDS, larger ones with Bulletproofs.
pub const CDS_MAX_BRANCHES: u64 = 8;

/// The most selections a contest may have (bounds every allocation made while decoding).
pub const MAX_SELECTIONS: usize = 1024;

/// The largest value any range of a contest may allow (a selection's or the sum's). Counts
/// are recovered by a discrete-logarithm search bounded by (ballots × largest value), and a
/// verification device opens a ballot by one bounded by the largest value: an unbounded
/// manifest value would make both searches unbounded. Real contests need far less (scores of
/// 0..=10, cumulative votes of a few dozen points).
pub const MAX_VALUE: u64 = 1_000_000;

/// Label of the selection-nonce derivation.
const NONCE_KDF_LABEL: &[u8] = b"ivote-v1/selection-nonce";

/// The two proof kinds of a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProofKind {
    /// Disjunctive Chaum–Pedersen, one proof per range.
    Cds,
    /// Part of the contest's aggregated Bulletproofs proof.
    Bulletproofs,
}

/// The integers `lo ..= hi`, with `lo ≤ hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ValueRange {
    lo: u64,
    hi: u64,
}

impl ValueRange {
    /// Checks `lo ≤ hi`.
    pub fn new(lo: u64, hi: u64) -> Result<Self> {
        if lo > hi {
            return Err(CryptoError::InvalidParameters(format!(
                "range [{lo}, {hi}] is empty"
            )));
        }
        Ok(ValueRange { lo, hi })
    }

    /// Smallest value.
    pub fn lo(&self) -> u64 {
        self.lo
    }

    /// Largest value.
    pub fn hi(&self) -> u64 {
        self.hi
    }

    /// Whether `v` lies in the range.
    pub fn contains(&self, v: u64) -> bool {
        self.lo <= v && v <= self.hi
    }

    /// The rule: CDS for at most [`CDS_MAX_BRANCHES`] values, Bulletproofs above.
    pub fn proof_kind(&self) -> ProofKind {
        if self.hi - self.lo < CDS_MAX_BRANCHES {
            ProofKind::Cds
        } else {
            ProofKind::Bulletproofs
        }
    }
}

/// What a contest allows: one range per selection and a range for their sum.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContestShape {
    selections: Vec<ValueRange>,
    sum: ValueRange,
}

impl ContestShape {
    /// Checks 1 to [`MAX_SELECTIONS`] selections, that the sum range can be reached
    /// (`sum.lo ≤ Σ hi` and `Σ lo ≤ sum.hi`), and that no sum overflows.
    pub fn new(selections: Vec<ValueRange>, sum: ValueRange) -> Result<Self> {
        if selections.is_empty() || selections.len() > MAX_SELECTIONS {
            return Err(CryptoError::InvalidParameters(format!(
                "a contest has 1 to {MAX_SELECTIONS} selections, not {}",
                selections.len()
            )));
        }
        let total = |f: fn(&ValueRange) -> u64| {
            selections
                .iter()
                .try_fold(0u64, |acc, r| acc.checked_add(f(r)))
                .ok_or_else(|| CryptoError::InvalidParameters("selection ranges overflow".into()))
        };
        if let Some(r) = selections
            .iter()
            .chain(core::iter::once(&sum))
            .find(|r| r.hi > MAX_VALUE)
        {
            return Err(CryptoError::InvalidParameters(format!(
                "a range up to {} is too large: contests allow values up to {MAX_VALUE}",
                r.hi
            )));
        }
        let (min_total, max_total) = (total(ValueRange::lo)?, total(ValueRange::hi)?);
        if sum.lo > max_total || min_total > sum.hi {
            return Err(CryptoError::InvalidParameters(format!(
                "no ballot can satisfy the sum range [{}, {}]: the selections add up to \
                 between {min_total} and {max_total}",
                sum.lo, sum.hi
            )));
        }
        let shape = ContestShape { selections, sum };
        let bulletproofs = shape
            .subjects()
            .filter(|(_, r)| r.proof_kind() == ProofKind::Bulletproofs)
            .count();
        if bulletproofs > crate::proofs::bp_range::MAX_STATEMENTS {
            return Err(CryptoError::InvalidParameters(format!(
                "{bulletproofs} large ranges in one contest; at most {} are supported",
                crate::proofs::bp_range::MAX_STATEMENTS
            )));
        }
        Ok(shape)
    }

    /// `k` selections in `[0, 1]` with the sum in `sum`: plurality (`[1, 1]`) and approval.
    pub fn zero_one(k: usize, sum: ValueRange) -> Result<Self> {
        Self::new(vec![ValueRange { lo: 0, hi: 1 }; k], sum)
    }

    /// The selection ranges, in manifest order.
    pub fn selections(&self) -> &[ValueRange] {
        &self.selections
    }

    /// The sum range.
    pub fn sum(&self) -> ValueRange {
        self.sum
    }

    /// Every range of the contest with its subject: the selections in order, then the sum.
    /// This is the order of proofs in [`EncryptedContest`]'s layout.
    pub fn subjects(&self) -> impl Iterator<Item = (RangeSubject, ValueRange)> + '_ {
        (0u32..)
            .zip(&self.selections)
            .map(|(i, r)| (RangeSubject::Selection(i), *r))
            .chain(core::iter::once((RangeSubject::Sum, self.sum)))
    }

    /// Checks the voter's choices against the shape; the message says what is wrong in the
    /// contest's own terms (which selection, which bound), so an app can show it.
    pub fn check_choices(&self, values: &[u64]) -> Result<()> {
        if values.len() != self.selections.len() {
            return Err(CryptoError::InvalidParameters(format!(
                "{} values for a contest of {} selections",
                values.len(),
                self.selections.len()
            )));
        }
        for (i, (v, r)) in values.iter().zip(&self.selections).enumerate() {
            if !r.contains(*v) {
                return Err(CryptoError::InvalidParameters(format!(
                    "selection {i} must be between {} and {}",
                    r.lo, r.hi
                )));
            }
        }
        let total = values
            .iter()
            .try_fold(0u64, |acc, v| acc.checked_add(*v))
            .unwrap_or(u64::MAX);
        if !self.sum.contains(total) {
            return Err(CryptoError::InvalidParameters(format!(
                "the selections add up to {total}; the contest allows {} to {}",
                self.sum.lo, self.sum.hi
            )));
        }
        Ok(())
    }
}

/// The voter's 32-byte secret from which every encryption nonce of a ballot derives. Whoever
/// holds it can read the ballot: it goes into the verification code and nowhere else.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct EncryptionSeed([u8; 32]);

impl core::fmt::Debug for EncryptionSeed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("EncryptionSeed(<secret>)")
    }
}

impl EncryptionSeed {
    /// A fresh random seed.
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        EncryptionSeed(seed)
    }

    /// The seed from a verification code.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        EncryptionSeed(bytes)
    }

    /// The seed's bytes, for the verification code.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The nonce of selection `index` of the contest at `position`:
    /// `SHA-512("ivote-v1/selection-nonce" ‖ len(N) ‖ N ‖ len(district) ‖ district ‖
    /// len(contest) ‖ contest ‖ index ‖ seed)` reduced mod ℓ, with lengths and the index as
    /// big-endian `u32`. Distinct positions give independent nonces.
    pub fn selection_nonce(&self, position: &ContestPosition, index: u32) -> Nonce {
        let mut h = Sha512::new();
        h.update(NONCE_KDF_LABEL);
        for field in [
            &position.nonce[..],
            position.district.as_bytes(),
            position.contest.as_bytes(),
        ] {
            h.update((field.len() as u32).to_be_bytes());
            h.update(field);
        }
        h.update(index.to_be_bytes());
        h.update(self.0);
        let wide = Zeroizing::new(<[u8; 64]>::from(h.finalize()));
        Nonce::from_scalar(Scalar::from_bytes_mod_order_wide(&wide))
    }
}

/// One contest of a ballot: the selections' ciphertexts and the proofs that they are valid.
///
/// # Layout
///
/// | field | length |
/// |---|---|
/// | `k`, the number of selections, big-endian `u32` | 4 |
/// | the `k` ciphertexts `α ‖ β` | `64k` |
/// | for each range in [`ContestShape::subjects`] order whose kind is CDS: its [`CdsRangeProof`] | `128·b − 32` for `b` values |
/// | if any range's kind is Bulletproofs: the [`BpRangeProof`] over those ranges, in the same order | the rest |
///
/// The shape (from the manifest) tells the decoder every proof's length; `k` must match it.
/// The sum's ciphertext is not sent: the verifier adds up the selections.
#[derive(Clone, Debug)]
pub struct EncryptedContest {
    selections: Vec<Ciphertext>,
    cds: Vec<CdsRangeProof>,
    bulletproofs: Option<BpRangeProof>,
}

impl EncryptedContest {
    /// Encrypts `values` (one per selection, already checked against `shape`: refused
    /// otherwise) with nonces derived from `seed`, and proves every range.
    pub fn encrypt<R: RngCore + CryptoRng>(
        context: &ContextHash,
        public_key: &PublicKey,
        position: &ContestPosition,
        shape: &ContestShape,
        values: &[u64],
        seed: &EncryptionSeed,
        rng: &mut R,
    ) -> Result<Self> {
        shape.check_choices(values)?;
        let witnesses: Vec<RangeWitness> = (0u32..)
            .zip(values)
            .map(|(i, v)| RangeWitness::new(*v, &seed.selection_nonce(position, i)))
            .collect();
        Self::encrypt_witnesses(context, public_key, position, shape, &witnesses, rng)
    }

    /// Encrypts and proves the selections' `(value, nonce)` witnesses (values checked).
    fn encrypt_witnesses<R: RngCore + CryptoRng>(
        context: &ContextHash,
        public_key: &PublicKey,
        position: &ContestPosition,
        shape: &ContestShape,
        witnesses: &[RangeWitness],
        rng: &mut R,
    ) -> Result<Self> {
        let selections: Vec<Ciphertext> = witnesses
            .iter()
            .map(|w| Ciphertext::encrypt(public_key, w.value(), w.nonce()))
            .collect();
        let sum_witness = RangeWitness::sum(witnesses)?;
        let statements = statements(public_key, position, shape, &selections);

        let mut cds = Vec::new();
        let mut bp_statements = Vec::new();
        let mut bp_witnesses = Vec::new();
        for (statement, (subject, range)) in statements.iter().zip(shape.subjects()) {
            let witness = match subject {
                RangeSubject::Selection(i) => witnesses
                    .get(i as usize)
                    .ok_or_else(|| CryptoError::InvalidParameters("selection index".into()))?,
                RangeSubject::Sum => &sum_witness,
            };
            match range.proof_kind() {
                ProofKind::Cds => cds.push(CdsRangeProof::prove(
                    context,
                    statement,
                    witness.value(),
                    witness.nonce(),
                    rng,
                )?),
                ProofKind::Bulletproofs => {
                    bp_statements.push(*statement);
                    bp_witnesses.push(witness.clone());
                }
            }
        }
        let bulletproofs = if bp_statements.is_empty() {
            None
        } else {
            Some(BpRangeProof::prove(
                context,
                &bp_statements,
                &bp_witnesses,
                rng,
            )?)
        };
        Ok(EncryptedContest {
            selections,
            cds,
            bulletproofs,
        })
    }

    /// The selections' ciphertexts, in manifest order.
    pub fn selections(&self) -> &[Ciphertext] {
        &self.selections
    }

    /// Verifies every proof of this contest one by one (CDS proofs individually). For many
    /// ballots use [`verify_contests`], which batches the CDS proofs.
    pub fn verify<R: RngCore + CryptoRng>(
        &self,
        context: &ContextHash,
        public_key: &PublicKey,
        position: &ContestPosition,
        shape: &ContestShape,
        rng: &mut R,
    ) -> Result<()> {
        let parts = self.split(public_key, position, shape)?;
        for (statement, proof) in &parts.cds {
            proof.verify(context, statement)?;
        }
        parts.verify_bulletproofs(context, rng)
    }

    /// Opens the contest with the voter's seed instead of the election key: recomputes every
    /// selection's nonce `r_i`, checks `α_i = r_i·G` and finds the value `v_i` in the
    /// selection's range with `β_i − r_i·Y = v_i·G`. This is what the verification device
    /// shows the voter. Fails if the seed does not open a selection (a wrong code, or a
    /// ballot that is not the one the voter made).
    pub fn open_with_seed(
        &self,
        public_key: &PublicKey,
        position: &ContestPosition,
        shape: &ContestShape,
        seed: &EncryptionSeed,
    ) -> Result<Vec<u64>> {
        if self.selections.len() != shape.selections.len() {
            return Err(CryptoError::InvalidParameters(
                "the ballot does not have the contest's number of selections".into(),
            ));
        }
        let max = shape
            .selections
            .iter()
            .map(ValueRange::hi)
            .max()
            .unwrap_or(0);
        let table = DlogTable::new(max);
        (0u32..)
            .zip(&self.selections)
            .zip(&shape.selections)
            .map(|((i, ct), range)| {
                let r = seed.selection_nonce(position, i);
                if r.scalar() * g_table() != ct.alpha() {
                    return Err(CryptoError::NotOpenedBySeed { selection: i });
                }
                let point = ct.beta() - public_key.mul(r.scalar());
                match table.solve(&point) {
                    Ok(v) if range.contains(v) => Ok(v),
                    _ => Err(CryptoError::NotOpenedBySeed { selection: i }),
                }
            })
            .collect()
    }

    /// The encoding (see `# Layout`).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&(self.selections.len() as u32).to_be_bytes());
        for ct in &self.selections {
            ct.write(&mut out);
        }
        for proof in &self.cds {
            proof.write(&mut out);
        }
        if let Some(bp) = &self.bulletproofs {
            out.extend_from_slice(&bp.to_bytes());
        }
        out
    }

    /// Decodes a contest of the given shape (canonical encodings, no trailing bytes).
    pub fn from_bytes(bytes: &[u8], shape: &ContestShape) -> Result<Self> {
        let mut r = Reader::new(bytes, WHAT);
        let selections = read_ciphertexts(&mut r, shape)?;
        let mut cds = Vec::new();
        let mut has_bulletproofs = false;
        for (_, range) in shape.subjects() {
            match range.proof_kind() {
                ProofKind::Cds => cds.push(CdsRangeProof::read(
                    &mut r,
                    branch_count(range.lo, range.hi)?,
                )?),
                ProofKind::Bulletproofs => has_bulletproofs = true,
            }
        }
        let bulletproofs = if has_bulletproofs {
            let rest = r.take(r.remaining())?;
            Some(BpRangeProof::from_bytes(rest)?)
        } else {
            None
        };
        r.finish()?;
        Ok(EncryptedContest {
            selections,
            cds,
            bulletproofs,
        })
    }

    /// Reads only the selections' ciphertexts of an encoded contest of this shape, checking
    /// the selection count and that the proofs take the length the shape gives them, but not
    /// decoding the proofs. For adding up ballots that were checked before (a trustee's
    /// re-sum of the counted ballots): decoding a 0/1 selection's proof costs twice as
    /// much as its ciphertext (four more points to decompress), and a sum needs none of it.
    pub fn read_selections(bytes: &[u8], shape: &ContestShape) -> Result<Vec<Ciphertext>> {
        let mut r = Reader::new(bytes, WHAT);
        let selections = read_ciphertexts(&mut r, shape)?;
        let mut cds_len = 0;
        let mut has_bulletproofs = false;
        for (_, range) in shape.subjects() {
            match range.proof_kind() {
                ProofKind::Cds => cds_len += proof_len(branch_count(range.lo, range.hi)?),
                ProofKind::Bulletproofs => has_bulletproofs = true,
            }
        }
        let proofs_fit = if has_bulletproofs {
            r.remaining() > cds_len
        } else {
            r.remaining() == cds_len
        };
        if !proofs_fit {
            return Err(CryptoError::BadLayout {
                what: WHAT,
                detail: format!(
                    "{} bytes of proofs do not fit the contest's shape",
                    r.remaining()
                ),
            });
        }
        Ok(selections)
    }

    /// Pairs every proof with its statement, checking that the proofs present are exactly
    /// the ones the shape calls for.
    fn split<'a>(
        &'a self,
        public_key: &'a PublicKey,
        position: &'a ContestPosition,
        shape: &ContestShape,
    ) -> Result<ContestParts<'a>> {
        const WHAT: &str = "contest proofs (do not match the contest's shape)";
        if self.selections.len() != shape.selections.len() {
            return Err(CryptoError::InvalidProof(WHAT));
        }
        let statements = statements(public_key, position, shape, &self.selections);
        let mut cds_proofs = self.cds.iter();
        let mut parts = ContestParts {
            cds: Vec::with_capacity(self.cds.len()),
            bp_statements: Vec::new(),
            bulletproofs: self.bulletproofs.as_ref(),
        };
        for (statement, (_, range)) in statements.into_iter().zip(shape.subjects()) {
            match range.proof_kind() {
                ProofKind::Cds => {
                    let proof = cds_proofs.next().ok_or(CryptoError::InvalidProof(WHAT))?;
                    parts.cds.push((statement, proof));
                }
                ProofKind::Bulletproofs => parts.bp_statements.push(statement),
            }
        }
        if cds_proofs.next().is_some()
            || parts.bp_statements.is_empty() != parts.bulletproofs.is_none()
        {
            return Err(CryptoError::InvalidProof(WHAT));
        }
        Ok(parts)
    }
}

/// What the layout errors of an encrypted contest name.
const WHAT: &str = "encrypted contest";

/// What the error names when a selection's `α` is the identity.
const UNENCRYPTED: &str = "selection ciphertext (its α is the identity: the vote is not encrypted)";

/// Reads the selection count, which must be the shape's, and the selections' ciphertexts.
///
/// A selection whose `α` is the identity is refused here, the one place every ballot's
/// ciphertexts are decoded: `(identity, v·G)` is the vote `v` in the clear (randomness 0),
/// and its range proofs verify, since `r = 0` is a valid witness. Honest encryption gives
/// the identity only with probability 1/ℓ. (Sums, such as an empty district's aggregate,
/// may be the identity: they are not read through here.)
fn read_ciphertexts(r: &mut Reader<'_>, shape: &ContestShape) -> Result<Vec<Ciphertext>> {
    let k = r.u32()? as usize;
    if k != shape.selections.len() {
        return Err(CryptoError::BadLayout {
            what: WHAT,
            detail: format!("{k} selections, the contest has {}", shape.selections.len()),
        });
    }
    (0..k)
        .map(|_| {
            let ct = Ciphertext::read(r)?;
            if ct.alpha().is_identity() {
                return Err(CryptoError::IdentityPoint(UNENCRYPTED));
            }
            Ok(ct)
        })
        .collect()
}

/// A contest's proofs paired with their statements.
struct ContestParts<'a> {
    cds: Vec<(RangeStatement<'a>, &'a CdsRangeProof)>,
    bp_statements: Vec<RangeStatement<'a>>,
    bulletproofs: Option<&'a BpRangeProof>,
}

impl ContestParts<'_> {
    fn verify_bulletproofs<R: RngCore + CryptoRng>(
        &self,
        context: &ContextHash,
        rng: &mut R,
    ) -> Result<()> {
        match self.bulletproofs {
            Some(bp) => bp.verify(context, &self.bp_statements, rng),
            None => Ok(()),
        }
    }
}

/// The range statements of a contest, in [`ContestShape::subjects`] order; the sum's
/// ciphertext is the homomorphic sum of the selections.
fn statements<'a>(
    public_key: &'a PublicKey,
    position: &'a ContestPosition,
    shape: &ContestShape,
    selections: &[Ciphertext],
) -> Vec<RangeStatement<'a>> {
    let sum: Ciphertext = selections.iter().copied().sum();
    shape
        .subjects()
        .zip(selections.iter().copied().chain(core::iter::once(sum)))
        .map(|((subject, range), ciphertext)| RangeStatement {
            public_key,
            position,
            subject,
            lo: range.lo,
            hi: range.hi,
            ciphertext,
        })
        .collect()
}

/// One contest to check in [`verify_contests`].
#[derive(Clone, Copy, Debug)]
pub struct ContestToVerify<'a> {
    /// Submission nonce, district, contest.
    pub position: &'a ContestPosition,
    /// The contest's shape from the manifest.
    pub shape: &'a ContestShape,
    /// The encrypted contest.
    pub contest: &'a EncryptedContest,
}

/// Verifies many contests at once, all CDS proofs in one batch (one multiscalar
/// multiplication), each Bulletproofs proof on its own. Returns the indices, in increasing
/// order, of the contests that do not verify; empty when all do. A failed batch falls back
/// to one-by-one checks so that every bad contest is named.
pub fn verify_contests<R: RngCore + CryptoRng>(
    context: &ContextHash,
    public_key: &PublicKey,
    items: &[ContestToVerify<'_>],
    rng: &mut R,
) -> Vec<usize> {
    let mut split = SplitContests::new(context, public_key, items, rng);
    split.name_cds_failures(context, rng);
    split.into_bad()
}

/// Which items failed in [`verify_contests_and_selections`]; both lists in increasing order,
/// both empty when everything verifies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Failures {
    /// Indices of the contests whose proofs do not verify.
    pub contests: Vec<usize>,
    /// Indices of the selection proofs that do not verify (or whose statement has a bad
    /// shape).
    pub selections: Vec<usize>,
}

/// [`verify_contests`] and [`verify_selections`](crate::proofs::selection::verify_selections)
/// in **one** batch: the contests' CDS proofs and the selection proofs go into the same
/// [`BatchVerifier`], where the ballot ciphertexts that both speak about are merged
/// ([`BatchVerifier::add_ciphertext`]: the selection statements' `ballot` must be the very
/// ciphertexts decoded from the ballots, which carry their encodings). That saves about half
/// of the selection proofs' verification. If the batch fails, the two one-by-one fallbacks
/// name the bad contests and the bad selection proofs.
pub fn verify_contests_and_selections<R: RngCore + CryptoRng>(
    context: &ContextHash,
    public_key: &PublicKey,
    contests: &[ContestToVerify<'_>],
    selections: &[(SelectionStatement<'_>, &SelectionProof)],
    rng: &mut R,
) -> Failures {
    let mut split = SplitContests::new(context, public_key, contests, rng);
    let points = split
        .cds_items
        .iter()
        .map(|(_, p)| 2 * p.branches() + 2)
        .chain(selections.iter().map(|(s, _)| 4 * s.ballot.len() + 6))
        .sum();
    let mut batch = BatchVerifier::with_capacity(rng, points);
    let added = split
        .cds_items
        .iter()
        .try_for_each(|(s, p)| p.add_to_batch(context, s, &mut batch))
        .and_then(|()| {
            selections
                .iter()
                .try_for_each(|(s, p)| p.add_to_batch(context, s, &mut batch))
        });
    if added.and_then(|()| batch.verify()).is_ok() {
        return Failures {
            contests: split.into_bad(),
            selections: Vec::new(),
        };
    }
    split.name_cds_failures(context, rng);
    Failures {
        contests: split.into_bad(),
        selections: find_invalid_selections(context, selections, rng),
    }
}

/// Contests taken apart for batch verification: those already known bad (shape, layout,
/// Bulletproofs), and every CDS proof with its statement and the contest it belongs to.
struct SplitContests<'a> {
    bad: Vec<usize>,
    cds_items: Vec<(RangeStatement<'a>, &'a CdsRangeProof)>,
    cds_owner: Vec<usize>,
}

impl<'a> SplitContests<'a> {
    /// Splits every contest and checks its Bulletproofs proof (on its own).
    fn new<R: RngCore + CryptoRng>(
        context: &ContextHash,
        public_key: &'a PublicKey,
        items: &[ContestToVerify<'a>],
        rng: &mut R,
    ) -> Self {
        let mut split = SplitContests {
            bad: Vec::new(),
            cds_items: Vec::new(),
            cds_owner: Vec::new(),
        };
        for (index, item) in items.iter().enumerate() {
            let parts = match item.contest.split(public_key, item.position, item.shape) {
                Ok(parts) => parts,
                Err(_) => {
                    split.bad.push(index);
                    continue;
                }
            };
            if parts.verify_bulletproofs(context, rng).is_err() {
                split.bad.push(index);
                continue;
            }
            for pair in parts.cds {
                split.cds_items.push(pair);
                split.cds_owner.push(index);
            }
        }
        split
    }

    /// Batch-checks the CDS proofs and marks the contests of those that fail.
    fn name_cds_failures<R: RngCore + CryptoRng>(&mut self, context: &ContextHash, rng: &mut R) {
        for i in CdsRangeProof::find_invalid(context, &self.cds_items, rng) {
            if let Some(owner) = self.cds_owner.get(i) {
                self.bad.push(*owner);
            }
        }
    }

    /// The bad contests, sorted, each once.
    fn into_bad(mut self) -> Vec<usize> {
        self.bad.sort_unstable();
        self.bad.dedup();
        self.bad
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::G;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    const CTX: ContextHash = ContextHash([7; 32]);

    fn setup(seed: u64) -> (ChaCha20Rng, Scalar, PublicKey) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let s = Scalar::random(&mut rng);
        let pk = PublicKey::from_point(&s * g_table()).unwrap();
        (rng, s, pk)
    }

    fn position(nonce: u8) -> ContestPosition {
        ContestPosition {
            nonce: [nonce; 32],
            district: "d01".into(),
            contest: "parliament".into(),
        }
    }

    fn plurality(k: usize) -> ContestShape {
        ContestShape::zero_one(k, ValueRange::new(1, 1).unwrap()).unwrap()
    }

    fn score() -> ContestShape {
        ContestShape::new(
            vec![ValueRange::new(0, 10).unwrap(); 5],
            ValueRange::new(0, 20).unwrap(),
        )
        .unwrap()
    }

    fn one_hot(k: usize, choice: usize) -> Vec<u64> {
        (0..k).map(|i| u64::from(i == choice)).collect()
    }

    #[test]
    fn a_selection_sent_in_the_clear_is_refused_though_its_proofs_verify() {
        // What a dishonest voting app could send: every selection "encrypted" with
        // randomness 0, i.e. (identity, v·G), the vote in the clear. Its range proofs
        // verify (r = 0 is a valid witness): only the decoder can refuse it.
        let (mut rng, _, pk) = setup(40);
        for (shape, values) in [
            (plurality(3), one_hot(3, 1)),
            (score(), vec![3, 0, 10, 2, 5]),
        ] {
            let zero = Nonce::from_scalar(Scalar::ZERO);
            let witnesses: Vec<RangeWitness> = values
                .iter()
                .map(|v| RangeWitness::new(*v, &zero))
                .collect();
            let plain = EncryptedContest::encrypt_witnesses(
                &CTX,
                &pk,
                &position(1),
                &shape,
                &witnesses,
                &mut rng,
            )
            .unwrap();
            assert!(plain.selections()[0].alpha().is_identity());
            plain
                .verify(&CTX, &pk, &position(1), &shape, &mut rng)
                .expect("the proofs of a plaintext ballot verify");
            let bytes = plain.to_bytes();
            let refused = CryptoError::IdentityPoint(UNENCRYPTED);
            assert_eq!(
                EncryptedContest::from_bytes(&bytes, &shape).unwrap_err(),
                refused
            );
            assert_eq!(
                EncryptedContest::read_selections(&bytes, &shape).unwrap_err(),
                refused
            );
        }
        // One selection in the clear among encrypted ones is refused too.
        let shape = plurality(3);
        let seed = EncryptionSeed::random(&mut rng);
        let honest = EncryptedContest::encrypt(
            &CTX,
            &pk,
            &position(1),
            &shape,
            &one_hot(3, 0),
            &seed,
            &mut rng,
        )
        .unwrap();
        let mut bytes = honest.to_bytes();
        bytes[4 + 64..4 + 96].copy_from_slice(&[0; 32]);
        assert_eq!(
            EncryptedContest::from_bytes(&bytes, &shape).unwrap_err(),
            CryptoError::IdentityPoint(UNENCRYPTED)
        );
    }

    #[test]
    fn proof_kind_rule() {
        let kind = |lo, hi| ValueRange::new(lo, hi).unwrap().proof_kind();
        assert_eq!(kind(0, 1), ProofKind::Cds);
        assert_eq!(kind(1, 1), ProofKind::Cds);
        assert_eq!(kind(0, 7), ProofKind::Cds);
        assert_eq!(kind(3, 10), ProofKind::Cds);
        assert_eq!(kind(0, 8), ProofKind::Bulletproofs);
        assert_eq!(kind(0, 10), ProofKind::Bulletproofs);
        assert_eq!(kind(0, u64::MAX), ProofKind::Bulletproofs);
        assert!(ValueRange::new(2, 1).is_err());
    }

    #[test]
    fn shapes_are_validated() {
        let r01 = ValueRange::new(0, 1).unwrap();
        assert!(ContestShape::new(vec![], r01).is_err());
        assert!(ContestShape::new(vec![r01; MAX_SELECTIONS + 1], r01).is_err());
        // Three 0/1 selections can never add up to 4.
        assert!(ContestShape::new(vec![r01; 3], ValueRange::new(4, 5).unwrap()).is_err());
        // Selections of at least 1 each can never add up to at most 1 with 2 of them.
        let r12 = ValueRange::new(1, 2).unwrap();
        assert!(ContestShape::new(vec![r12; 2], r01).is_err());
        assert!(ContestShape::new(
            vec![ValueRange::new(0, u64::MAX).unwrap(); 2],
            ValueRange::new(0, u64::MAX).unwrap()
        )
        .is_err());
        // Values above MAX_VALUE would make the counting and opening searches unbounded.
        let big = ValueRange::new(0, MAX_VALUE + 1).unwrap();
        assert!(ContestShape::new(vec![r01], big).is_err());
        assert!(ContestShape::new(vec![big], ValueRange::new(0, 1).unwrap()).is_err());
        let max = ValueRange::new(0, MAX_VALUE).unwrap();
        assert!(ContestShape::new(vec![max; 2], max).is_ok());
    }

    #[test]
    fn choices_are_checked_before_anything_is_encrypted() {
        let (mut rng, _, pk) = setup(1);
        let shape = plurality(5);
        let seed = EncryptionSeed::random(&mut rng);
        for bad in [
            vec![0, 0, 0, 0, 0],
            vec![1, 1, 0, 0, 0],
            vec![2, 0, 0, 0, 0],
            vec![1, 0, 0, 0],
        ] {
            let err =
                EncryptedContest::encrypt(&CTX, &pk, &position(1), &shape, &bad, &seed, &mut rng)
                    .unwrap_err();
            assert!(matches!(err, CryptoError::InvalidParameters(_)), "{bad:?}");
        }
    }

    #[test]
    fn plurality_round_trip_verify_open_and_size() {
        let (mut rng, s, pk) = setup(2);
        let shape = plurality(5);
        for choice in 0..5 {
            let seed = EncryptionSeed::random(&mut rng);
            let values = one_hot(5, choice);
            let pos = position(choice as u8);
            let c = EncryptedContest::encrypt(&CTX, &pk, &pos, &shape, &values, &seed, &mut rng)
                .unwrap();
            c.verify(&CTX, &pk, &pos, &shape, &mut rng).unwrap();
            let bytes = c.to_bytes();
            // k, 5 ciphertexts, 5 two-branch CDS proofs, the one-branch sum proof.
            assert_eq!(bytes.len(), 4 + 5 * 64 + 5 * 224 + 96);
            let decoded = EncryptedContest::from_bytes(&bytes, &shape).unwrap();
            assert_eq!(decoded.to_bytes(), bytes);
            decoded.verify(&CTX, &pk, &pos, &shape, &mut rng).unwrap();
            assert_eq!(
                decoded.open_with_seed(&pk, &pos, &shape, &seed).unwrap(),
                values
            );
            for (i, ct) in decoded.selections().iter().enumerate() {
                assert_eq!(ct.decrypt_to_point(&s), Scalar::from(values[i]) * G);
            }
        }
    }

    #[test]
    fn score_contest_uses_bulletproofs_and_mixed_contests_work() {
        let (mut rng, _, pk) = setup(3);
        let pos = position(9);
        let seed = EncryptionSeed::random(&mut rng);
        let shape = score();
        let values = [10, 0, 3, 7, 0];
        let c =
            EncryptedContest::encrypt(&CTX, &pk, &pos, &shape, &values, &seed, &mut rng).unwrap();
        assert!(c.cds.is_empty() && c.bulletproofs.is_some());
        let bytes = c.to_bytes();
        let decoded = EncryptedContest::from_bytes(&bytes, &shape).unwrap();
        decoded.verify(&CTX, &pk, &pos, &shape, &mut rng).unwrap();
        assert_eq!(
            decoded.open_with_seed(&pk, &pos, &shape, &seed).unwrap(),
            values
        );
        // Total 21 > 20 is refused.
        assert!(EncryptedContest::encrypt(
            &CTX,
            &pk,
            &pos,
            &shape,
            &[10, 10, 1, 0, 0],
            &seed,
            &mut rng
        )
        .is_err());

        // Approval of up to 12 of 20: 0/1 selections by CDS, the sum [0, 12] by Bulletproofs.
        let approval = ContestShape::zero_one(20, ValueRange::new(0, 12).unwrap()).unwrap();
        let values: Vec<u64> = (0..20).map(|i| u64::from(i % 3 == 0)).collect();
        let c = EncryptedContest::encrypt(&CTX, &pk, &pos, &approval, &values, &seed, &mut rng)
            .unwrap();
        assert_eq!(c.cds.len(), 20);
        assert!(c.bulletproofs.is_some());
        let decoded = EncryptedContest::from_bytes(&c.to_bytes(), &approval).unwrap();
        decoded
            .verify(&CTX, &pk, &pos, &approval, &mut rng)
            .unwrap();
    }

    #[test]
    fn other_statement_or_tampering_is_rejected() {
        let (mut rng, _, pk) = setup(4);
        let shape = plurality(3);
        let pos = position(1);
        let seed = EncryptionSeed::random(&mut rng);
        let c = EncryptedContest::encrypt(&CTX, &pk, &pos, &shape, &[0, 1, 0], &seed, &mut rng)
            .unwrap();
        c.verify(&CTX, &pk, &pos, &shape, &mut rng).unwrap();
        // Another context, submission nonce, district, contest, key or shape.
        assert!(c
            .verify(&ContextHash([8; 32]), &pk, &pos, &shape, &mut rng)
            .is_err());
        assert!(c.verify(&CTX, &pk, &position(2), &shape, &mut rng).is_err());
        let mut other = pos.clone();
        other.district = "d02".into();
        assert!(c.verify(&CTX, &pk, &other, &shape, &mut rng).is_err());
        let mut other = pos.clone();
        other.contest = "president".into();
        assert!(c.verify(&CTX, &pk, &other, &shape, &mut rng).is_err());
        let (_, _, other_pk) = setup(5);
        assert!(c.verify(&CTX, &other_pk, &pos, &shape, &mut rng).is_err());
        let approval = ContestShape::zero_one(3, ValueRange::new(0, 1).unwrap()).unwrap();
        assert!(c.verify(&CTX, &pk, &pos, &approval, &mut rng).is_err());
        assert!(c.verify(&CTX, &pk, &pos, &plurality(4), &mut rng).is_err());

        // A selection of 2: replace the selection by an encryption of 2.
        let mut forged = c.clone();
        forged.selections[1] = Ciphertext::encrypt(&pk, 2, &Nonce::random(&mut rng));
        assert!(forged.verify(&CTX, &pk, &pos, &shape, &mut rng).is_err());
        // Two selections swapped: every CDS proof is bound to its index.
        let mut swapped = c.clone();
        swapped.selections.swap(0, 1);
        assert!(swapped.verify(&CTX, &pk, &pos, &shape, &mut rng).is_err());
        // Every single-byte change of the encoding is refused (decoding or verification).
        let bytes = c.to_bytes();
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x01;
            let ok = EncryptedContest::from_bytes(&b, &shape)
                .and_then(|d| d.verify(&CTX, &pk, &pos, &shape, &mut rng));
            assert!(ok.is_err(), "byte {i}");
        }
        assert!(EncryptedContest::from_bytes(&bytes[..bytes.len() - 1], &shape).is_err());
        let mut long = bytes.clone();
        long.push(0);
        assert!(EncryptedContest::from_bytes(&long, &shape).is_err());
    }

    #[test]
    fn read_selections_gives_the_ciphertexts_and_checks_the_layout() {
        let (mut rng, _, pk) = setup(9);
        for (shape, values) in [
            (plurality(4), one_hot(4, 2)),
            (score(), vec![3, 0, 10, 5, 2]),
        ] {
            let seed = EncryptionSeed::random(&mut rng);
            let contest = EncryptedContest::encrypt(
                &CTX,
                &pk,
                &position(1),
                &shape,
                &values,
                &seed,
                &mut rng,
            )
            .unwrap();
            let bytes = contest.to_bytes();
            let read = EncryptedContest::read_selections(&bytes, &shape).unwrap();
            let expected: Vec<[u8; 64]> =
                contest.selections().iter().map(|c| c.to_bytes()).collect();
            let got: Vec<[u8; 64]> = read.iter().map(|c| c.to_bytes()).collect();
            assert_eq!(got, expected);
            // A proof byte too few or too many, or another selection count, is refused.
            let mut longer = bytes.clone();
            longer.push(0);
            let shorter = &bytes[..bytes.len() - 1];
            for bad in [&longer[..], shorter] {
                let fits = EncryptedContest::read_selections(bad, &shape).is_ok();
                // A Bulletproofs tail has no fixed length: only its absence is caught here.
                assert_eq!(fits, shape == score(), "{} bytes", bad.len());
            }
            let mut wrong_count = bytes.clone();
            wrong_count[3] ^= 1;
            assert!(EncryptedContest::read_selections(&wrong_count, &shape).is_err());
            if shape == score() {
                // Without its Bulletproofs proof (every range of `score()` is one): refused.
                let no_proofs = &bytes[..4 + 5 * 64];
                assert!(EncryptedContest::read_selections(no_proofs, &shape).is_err());
            }
        }
    }

    #[test]
    fn wrong_seed_does_not_open() {
        let (mut rng, _, pk) = setup(6);
        let shape = plurality(4);
        let pos = position(3);
        let seed = EncryptionSeed::random(&mut rng);
        let c = EncryptedContest::encrypt(&CTX, &pk, &pos, &shape, &one_hot(4, 2), &seed, &mut rng)
            .unwrap();
        let wrong = EncryptionSeed::random(&mut rng);
        assert_eq!(
            c.open_with_seed(&pk, &pos, &shape, &wrong),
            Err(CryptoError::NotOpenedBySeed { selection: 0 })
        );
        // The right seed at another position derives other nonces.
        assert!(c.open_with_seed(&pk, &position(4), &shape, &seed).is_err());
        assert!(format!("{seed:?}").contains("secret"));
    }

    #[test]
    fn batch_verification_names_the_bad_contests_and_tally_adds_up() {
        let (mut rng, s, pk) = setup(7);
        let shape = plurality(4);
        let positions: Vec<ContestPosition> = (0..30).map(|i| position(i as u8)).collect();
        let mut contests = Vec::new();
        for (i, pos) in positions.iter().enumerate() {
            let seed = EncryptionSeed::random(&mut rng);
            contests.push(
                EncryptedContest::encrypt(
                    &CTX,
                    &pk,
                    pos,
                    &shape,
                    &one_hot(4, i % 4),
                    &seed,
                    &mut rng,
                )
                .unwrap(),
            );
        }
        let items = |cs: &[EncryptedContest]| -> Vec<usize> {
            let items: Vec<ContestToVerify<'_>> = cs
                .iter()
                .zip(&positions)
                .map(|(contest, position)| ContestToVerify {
                    position,
                    shape: &shape,
                    contest,
                })
                .collect();
            verify_contests(&CTX, &pk, &items, &mut ChaCha20Rng::seed_from_u64(99))
        };
        assert!(items(&contests).is_empty());

        // The homomorphic tally of the 30 ballots decrypts to the counts.
        for (j, expected) in [8u64, 8, 7, 7].into_iter().enumerate() {
            let total: Ciphertext = contests.iter().map(|c| c.selections()[j]).sum();
            assert_eq!(total.decrypt_to_point(&s), Scalar::from(expected) * G);
        }

        let mut tampered = contests.clone();
        tampered[5].selections[0] = tampered[6].selections[0];
        tampered[17] = contests[18].clone();
        assert_eq!(items(&tampered), vec![5, 17]);
    }

    #[test]
    fn contests_and_selections_in_one_batch_name_what_fails() {
        use crate::proofs::selection::{Selected, Selector};
        let (mut rng, _, pk) = setup(8);
        let shape = plurality(82);
        let positions: Vec<ContestPosition> = (0..6).map(position).collect();
        let contests: Vec<EncryptedContest> = positions
            .iter()
            .enumerate()
            .map(|(i, pos)| {
                let seed = EncryptionSeed::random(&mut rng);
                let values = one_hot(82, i * 13);
                EncryptedContest::encrypt(&CTX, &pk, pos, &shape, &values, &seed, &mut rng).unwrap()
            })
            .collect();
        // Selection proofs over ballots decoded from bytes, as a verifier has them.
        let decoded: Vec<EncryptedContest> = contests
            .iter()
            .map(|c| EncryptedContest::from_bytes(&c.to_bytes(), &shape).unwrap())
            .collect();
        let selector = Selector::new(&CTX, &pk);
        let selected: Vec<Selected> = decoded
            .iter()
            .enumerate()
            .map(|(i, c)| {
                selector
                    .select(c.selections(), i % 2 == 0, &mut rng)
                    .unwrap()
            })
            .collect();
        let check = |cs: &[EncryptedContest], sels: &[Selected]| -> Failures {
            let items: Vec<ContestToVerify<'_>> = cs
                .iter()
                .zip(&positions)
                .map(|(contest, position)| ContestToVerify {
                    position,
                    shape: &shape,
                    contest,
                })
                .collect();
            let proofs: Vec<(SelectionStatement<'_>, &SelectionProof)> = sels
                .iter()
                .zip(cs)
                .map(|(s, c)| (s.statement(&pk, c.selections()), &s.proof))
                .collect();
            let mut check_rng = ChaCha20Rng::seed_from_u64(98);
            let both = verify_contests_and_selections(&CTX, &pk, &items, &proofs, &mut check_rng);
            // The same verdicts as the two separate checks.
            assert_eq!(
                both.contests,
                verify_contests(&CTX, &pk, &items, &mut check_rng)
            );
            assert_eq!(
                both.selections,
                find_invalid_selections(&CTX, &proofs, &mut check_rng)
            );
            both
        };
        assert_eq!(check(&decoded, &selected), Failures::default());

        // A tampered contest (its proofs no longer match) and a selection proof moved to
        // another ballot: each named in its own list.
        let mut tampered = decoded.clone();
        tampered[1].selections[0] = tampered[2].selections[0];
        let mut moved = selected.clone();
        moved[4].proof = selected[3].proof;
        assert_eq!(
            check(&tampered, &moved),
            Failures {
                contests: vec![1],
                selections: vec![1, 4],
            }
        );
        // Only a selection proof bad (a selected ballot of another ballot).
        let mut swapped = selected.clone();
        swapped[0].selected = selected[5].selected.clone();
        assert_eq!(
            check(&decoded, &swapped),
            Failures {
                contests: vec![],
                selections: vec![0],
            }
        );
        // Only a contest bad (a proof of another ballot).
        let mut other = decoded.clone();
        other[3] = decoded[2].clone();
        let failures = check(&other, &selected);
        assert_eq!(failures.contests, vec![3]);
    }
}
