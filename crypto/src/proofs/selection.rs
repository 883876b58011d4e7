//! The selection proof: "the selected ballot `C` re-encrypts the ballot `B` and the flag `F`
//! encrypts 1, **or** `C` encrypts zeros and `F` encrypts 0", without saying which. Spec:
//! `docs/crypto-spec.md` §9.
//!
//! The tally publishes, for every logged ballot `B = (B_1 … B_m)`, a selected ballot
//! `C = (C_1 … C_m)` and a flag `F`, and sums the `C` instead of the `B`: a counted ballot
//! contributes its votes, a superseded or cancelled one contributes zeros, and the sum of the
//! flags decrypts to the number of counted ballots. Nobody without the witness can tell which
//! ballots counted, so a vote buyer cannot check that the ballot they paid for was not
//! superseded (docs/coercion.md).
//!
//! # The statement
//!
//! All under the election key `Y`, with `B_k = (a_k, b_k)`, `C_k = (c_k, d_k)`, `F = (f, g)`:
//!
//! ```text
//! branch 1 (counted):      C_k = B_k + (r_k·G, r_k·Y) for every k,   F = (s·G, s·Y + G)
//! branch 0 (not counted):  C_k =       (r_k·G, r_k·Y) for every k,   F = (s·G, s·Y)
//! ```
//!
//! # The proof
//!
//! 1. Strong Fiat–Shamir: the transcript absorbs the whole statement (`Y`, `m`, every `B_k`,
//!    every `C_k`, `F`), then draws weights `z_0, z_1 … z_m`.
//! 2. The weights fold the `2m + 2` per-component relations of a branch `b` into one
//!    Chaum–Pedersen (DLEQ) statement, "`(U_b, V_b)` is `(w·G, w·Y)` for some `w`":
//!    ```text
//!    U_b = Σ_k z_k·(c_k − b·a_k) + z_0·f        V_b = Σ_k z_k·(d_k − b·b_k) + z_0·(g − b·G)
//!    ```
//!    On the true branch `w = Σ_k z_k·r_k + z_0·s`. If some component is not of the branch's
//!    form, the combination is of it with probability at most `1/ℓ` (random-linear-combination
//!    batching, Bellare–Garay–Rabin 1998; the argument is in the spec).
//! 3. The two DLEQ statements are OR-composed (Cramer–Damgård–Schoenmakers 1994) in batchable
//!    form, with the conventions of [`super::cds_range`]: the prover simulates the false
//!    branch (random `e`, `u`; `P = u·G − e·U`, `Q = u·Y − e·V`), commits `P = t·G`, `Q = t·Y`
//!    on the true one, absorbs `P_0, Q_0, P_1, Q_1`, draws `c` and answers the true branch
//!    with `e_true = c − e_false`, `u_true = t + e_true·w`. The proof carries the four
//!    commitments, `e_0` (`e_1 = c − e_0` is not sent) and `u_0`, `u_1`: 224 bytes.
//! 4. The verifier checks `u_b·G = P_b + e_b·U_b` and `u_b·Y = Q_b + e_b·V_b` for `b = 0, 1`;
//!    these are linear in the statement's points, so a [`BatchVerifier`] checks thousands of
//!    proofs with one multiscalar multiplication.
//!
//! # Constant time
//!
//! Which branch is true (whether the ballot counted) is the secret. The prover does the same
//! work for both values of the bit: `C_k` adds `B_k` or the identity chosen by constant-time
//! selection, `F` adds `G` or the identity likewise, and both branches' commitments are
//! computed by one formula (with `δ_b = counted − b` and `t_b = u_b − e_b·w`,
//! `P_b = t_b·G − e_b·δ_b·A`, `Q_b = t_b·Y − e_b·δ_b·B*`, where `A = Σ z_k·a_k` and
//! `B* = Σ z_k·b_k + z_0·G`; the true branch has `e_b = 0`), the true branch being picked
//! with `subtle` selections, by constant-time scalar multiplications (fixed-base tables for
//! `G` and `Y`, dalek's constant-time variable-base multiplication for `A` and `B*`).
//! Variable time, on public data only: the multiscalar multiplications that make `A` and
//! `B*` (ballot points and weights), the compression of the published points, and everything
//! the verifier does. Not constant time: the `bool` the caller passes and the
//! [`FlagOpening`] that stores it (they are the caller's data; this module never branches on
//! them).

use core::iter::once;

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::elgamal::{Ciphertext, PublicKey};
use crate::encoding::{decode_scalar, Reader, POINT_LEN, SCALAR_LEN};
use crate::error::{CryptoError, Result};
use crate::group::{g_table, ContextHash, G};
use crate::proofs::batch::{find_failures, BatchVerifier};
use crate::transcript::{proof_transcript, TranscriptProtocol};

/// Domain separator of the selection proof transcript.
pub const SELECTION_DOMAIN: &[u8] = b"selection v1";

/// Length of an encoded [`SelectionProof`]: four points and three scalars, whatever `m`.
pub const SELECTION_PROOF_LEN: usize = 4 * POINT_LEN + 3 * SCALAR_LEN;

/// Length of an encoded [`FlagOpening`]: the bit and the flag's nonce.
pub const FLAG_OPENING_LEN: usize = 1 + SCALAR_LEN;

/// What decoding errors of the proof name.
const WHAT: &str = "selection proof";

/// "`selected` and `flag` are `ballot` re-encrypted with a flag of 1, or zeros with a flag of
/// 0", under `key`. `ballot` and `selected` are in ballot order (the order of the ballot's
/// ciphertexts in its encoding) and must have the same length `m ≥ 1`.
#[derive(Clone, Copy, Debug)]
pub struct SelectionStatement<'a> {
    /// The election key `Y`.
    pub key: &'a PublicKey,
    /// The published ballot's ciphertexts `B_k = (a_k, b_k)`.
    pub ballot: &'a [Ciphertext],
    /// The selected ballot's ciphertexts `C_k = (c_k, d_k)`.
    pub selected: &'a [Ciphertext],
    /// The flag `F = (f, g)`.
    pub flag: &'a Ciphertext,
}

impl SelectionStatement<'_> {
    /// The number `m` of ciphertexts, after checking that the ballot and the selected ballot
    /// have the same length and are not empty ([`CryptoError::SelectionShapeMismatch`]).
    pub fn width(&self) -> Result<usize> {
        let (ballot, selected) = (self.ballot.len(), self.selected.len());
        if ballot != selected || ballot == 0 {
            return Err(CryptoError::SelectionShapeMismatch { ballot, selected });
        }
        Ok(ballot)
    }

    /// Absorbs the whole statement, in this order: `pk`, `m`, `ballot-alpha` and
    /// `ballot-beta` of every `B_k` in order, `selected-alpha` and `selected-beta` of every
    /// `C_k` in order, `flag-alpha`, `flag-beta`. Assumes [`Self::width`] passed.
    pub fn append_to(&self, t: &mut Transcript) {
        t.append_bytes(b"pk", self.key.as_bytes());
        t.append_int(b"m", self.ballot.len() as u64);
        let append = |t: &mut Transcript, ct: &Ciphertext, alpha, beta| {
            let bytes = ct.to_bytes();
            let (a, b) = bytes.split_at(POINT_LEN);
            t.append_bytes(alpha, a);
            t.append_bytes(beta, b);
        };
        for ct in self.ballot {
            append(t, ct, b"ballot-alpha", b"ballot-beta");
        }
        for ct in self.selected {
            append(t, ct, b"selected-alpha", b"selected-beta");
        }
        append(t, self.flag, b"flag-alpha", b"flag-beta");
    }

    /// The transcript after the statement, and the weights `z_0, z_1 … z_m` drawn from it
    /// (each a `challenge_scalar(b"z")`, `z_0` first). Checks the shape.
    fn transcript_and_weights(&self, context: &ContextHash) -> Result<(Transcript, Weights)> {
        let m = self.width()?;
        let mut t = proof_transcript(context, SELECTION_DOMAIN);
        self.append_to(&mut t);
        let flag = t.challenge_scalar(b"z");
        let components = (0..m).map(|_| t.challenge_scalar(b"z")).collect();
        Ok((t, Weights { flag, components }))
    }
}

/// The weights of the linear combination: `z_0` for the flag, `z_1 … z_m` for the components.
struct Weights {
    flag: Scalar,
    components: Vec<Scalar>,
}

/// A commitment point, with the canonical bytes it was decoded from (or compressed to once),
/// so that the transcript and the encoding never re-compress it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Commitment {
    point: RistrettoPoint,
    bytes: CompressedRistretto,
}

impl Commitment {
    fn new(point: RistrettoPoint) -> Self {
        Commitment {
            point,
            bytes: point.compress(),
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self> {
        let bytes = CompressedRistretto::from_slice(r.take(POINT_LEN)?)
            .map_err(|_| CryptoError::NonCanonicalPoint(WHAT))?;
        let point = bytes
            .decompress()
            .ok_or(CryptoError::NonCanonicalPoint(WHAT))?;
        Ok(Commitment { point, bytes })
    }
}

/// The disjunctive proof of a [`SelectionStatement`] (see the module docs).
///
/// # Transcript
///
/// `proof_transcript(context, b"selection v1")`; the statement
/// ([`SelectionStatement::append_to`]); the weights `z_0 … z_m` (`challenge_scalar(b"z")`,
/// `m + 1` times); then `P0`, `Q0`, `P1`, `Q1`; challenge `c`.
///
/// # Layout
///
/// 224 bytes, whatever `m`:
///
/// | offset | length | field |
/// |---|---|---|
/// | 0 | 32 | `P_0`, canonical point |
/// | 32 | 32 | `Q_0`, canonical point |
/// | 64 | 32 | `P_1`, canonical point |
/// | 96 | 32 | `Q_1`, canonical point |
/// | 128 | 32 | `e_0`, canonical scalar (`e_1 = c − e_0` is not sent) |
/// | 160 | 32 | `u_0`, canonical scalar |
/// | 192 | 32 | `u_1`, canonical scalar |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SelectionProof {
    /// `P_0`, `P_1` (the `G` side of each branch).
    p: [Commitment; 2],
    /// `Q_0`, `Q_1` (the `Y` side).
    q: [Commitment; 2],
    /// `e_0`.
    e0: Scalar,
    /// `u_0`, `u_1`.
    u: [Scalar; 2],
}

impl SelectionProof {
    /// The prover. `counted` is the true branch, `nonces` the `r_k` and `flag_nonce` the `s`
    /// of the statement's selected ballot and flag; the shape has been checked. Not checked:
    /// that the statement is of the claimed branch with this witness (if it is not, the proof
    /// does not verify). Tests use it to show that a lying prover gets nowhere.
    fn prove<R: RngCore + CryptoRng>(
        context: &ContextHash,
        statement: &SelectionStatement<'_>,
        counted: Choice,
        nonces: &[Scalar],
        flag_nonce: &Scalar,
        rng: &mut R,
    ) -> Result<Self> {
        let (mut t, z) = statement.transcript_and_weights(context)?;
        let w = Zeroizing::new(
            z.components
                .iter()
                .zip(nonces)
                .map(|(zk, rk)| zk * rk)
                .sum::<Scalar>()
                + z.flag * flag_nonce,
        );
        // Public: A = Σ z_k·a_k and B* = Σ z_k·b_k + z_0·G, from the ballot and the weights.
        let a_sum = RistrettoPoint::vartime_multiscalar_mul(
            &z.components,
            statement.ballot.iter().map(Ciphertext::alpha),
        );
        let b_sum = RistrettoPoint::vartime_multiscalar_mul(
            z.components.iter().chain(once(&z.flag)),
            statement.ballot.iter().map(Ciphertext::beta).chain(once(G)),
        );

        // Nonces hedged with the transcript and the witness: a weak rng repeats none of them.
        let mut nonce_rng = t
            .build_rng()
            .rekey_with_witness_bytes(b"w", w.as_bytes())
            .finalize(rng);
        let bit = Zeroizing::new(Scalar::conditional_select(
            &Scalar::ZERO,
            &Scalar::ONE,
            counted,
        ));
        let mut e = Zeroizing::new([Scalar::ZERO; 2]);
        let mut u = Zeroizing::new([Scalar::ZERO; 2]);
        let mut commitments = [(Commitment::default(), Commitment::default()); 2];
        for (b, ((eb, ub), (p, q))) in
            (0u8..).zip(e.iter_mut().zip(u.iter_mut()).zip(commitments.iter_mut()))
        {
            let is_true = b.ct_eq(&counted.unwrap_u8());
            let e_sim = Zeroizing::new(Scalar::random(&mut nonce_rng));
            *eb = Scalar::conditional_select(&e_sim, &Scalar::ZERO, is_true);
            *ub = Scalar::random(&mut nonce_rng);
            let tb = Zeroizing::new(*ub - *eb * *w);
            let shift = Zeroizing::new(*eb * (*bit - Scalar::from(b)));
            *p = Commitment::new(&*tb * g_table() - a_sum * *shift);
            *q = Commitment::new(statement.key.mul(&tb) - b_sum * *shift);
        }
        let [(p0, q0), (p1, q1)] = commitments;
        let (p, q) = ([p0, p1], [q0, q1]);

        let c = commitment_challenge(&mut t, &p, &q);
        let e_true = c - e.iter().sum::<Scalar>();
        for (b, (eb, ub)) in (0u8..).zip(e.iter_mut().zip(u.iter_mut())) {
            let is_true = b.ct_eq(&counted.unwrap_u8());
            let u_true = Zeroizing::new(*ub + e_true * *w);
            eb.conditional_assign(&e_true, is_true);
            ub.conditional_assign(&u_true, is_true);
        }
        // Now public: the proof's challenges and responses.
        let [e0, _] = *e;
        Ok(SelectionProof { p, q, e0, u: *u })
    }

    /// The challenges `e_0, e_1` (`e_1 = c − e_0`) and the weights, from the transcript of
    /// this proof against `statement`.
    fn challenges(
        &self,
        context: &ContextHash,
        statement: &SelectionStatement<'_>,
    ) -> Result<([Scalar; 2], Weights)> {
        let (mut t, z) = statement.transcript_and_weights(context)?;
        let c = commitment_challenge(&mut t, &self.p, &self.q);
        Ok(([self.e0, c - self.e0], z))
    }

    /// Verifies the proof against its statement: computes `U_b`, `V_b` and checks
    /// `u_b·G − e_b·U_b = P_b` and `u_b·Y − e_b·V_b = Q_b` for `b = 0, 1`.
    ///
    /// Errors: [`CryptoError::SelectionShapeMismatch`] for a statement of mismatched or zero
    /// length, [`CryptoError::InvalidSelectionProof`] if an equation fails.
    pub fn verify(&self, context: &ContextHash, statement: &SelectionStatement<'_>) -> Result<()> {
        let (e, z) = self.challenges(context, statement)?;
        let zk = &z.components;
        let u0 = RistrettoPoint::vartime_multiscalar_mul(
            zk.iter().chain(once(&z.flag)),
            statement
                .selected
                .iter()
                .map(Ciphertext::alpha)
                .chain(once(statement.flag.alpha())),
        );
        let v0 = RistrettoPoint::vartime_multiscalar_mul(
            zk.iter().chain(once(&z.flag)),
            statement
                .selected
                .iter()
                .map(Ciphertext::beta)
                .chain(once(statement.flag.beta())),
        );
        let a_sum = RistrettoPoint::vartime_multiscalar_mul(
            zk,
            statement.ballot.iter().map(Ciphertext::alpha),
        );
        let b_sum = RistrettoPoint::vartime_multiscalar_mul(
            zk.iter().chain(once(&z.flag)),
            statement.ballot.iter().map(Ciphertext::beta).chain(once(G)),
        );
        let y = statement.key.point();
        let branches = [(u0, v0), (u0 - a_sum, v0 - b_sum)];
        for ((((big_u, big_v), eb), ub), (p, q)) in branches
            .into_iter()
            .zip(e)
            .zip(self.u)
            .zip(self.p.iter().zip(&self.q))
        {
            let lhs_p = RistrettoPoint::vartime_double_scalar_mul_basepoint(&-eb, &big_u, &ub);
            let lhs_q = RistrettoPoint::vartime_multiscalar_mul([ub, -eb], [*y, big_v]);
            if lhs_p != p.point || lhs_q != q.point {
                return Err(CryptoError::InvalidSelectionProof);
            }
        }
        Ok(())
    }

    /// Adds this proof's four verification equations to `batch`, each with its own weight
    /// (`ρ_{P0}, ρ_{P1}, ρ_{Q0}, ρ_{Q1}`): `ρ_{Pb}·(P_b + e_b·U_b − u_b·G) = 0` and
    /// `ρ_{Qb}·(Q_b + e_b·V_b − u_b·Y) = 0`, with `U_b`, `V_b` expanded into the statement's
    /// points (`4m + 2` of them, plus the four commitments; `G` and `Y` are summed bases).
    ///
    /// Errors (without touching the batch) for a statement of mismatched or zero length.
    pub fn add_to_batch<R: RngCore + CryptoRng>(
        &self,
        context: &ContextHash,
        statement: &SelectionStatement<'_>,
        batch: &mut BatchVerifier<'_, R>,
    ) -> Result<()> {
        let ([e0, e1], z) = self.challenges(context, statement)?;
        let [rp0, rp1, rq0, rq1] = [
            batch.weight(),
            batch.weight(),
            batch.weight(),
            batch.weight(),
        ];
        // Coefficients of c_k, a_k, d_k, b_k before the weight z_k.
        let on_c = rp0 * e0 + rp1 * e1;
        let on_a = -(rp1 * e1);
        let on_d = rq0 * e0 + rq1 * e1;
        let on_b = -(rq1 * e1);
        for ((zk, ballot), selected) in z
            .components
            .iter()
            .zip(statement.ballot)
            .zip(statement.selected)
        {
            batch.add_point(on_c * zk, selected.alpha());
            batch.add_point(on_d * zk, selected.beta());
            // The ballot's ciphertexts merge with their occurrences in the ballot's validity
            // proofs when both are in the same batch (`BatchVerifier::add_ciphertext`).
            batch.add_ciphertext(on_a * zk, on_b * zk, ballot);
        }
        batch.add_point(on_c * z.flag, statement.flag.alpha());
        batch.add_point(on_d * z.flag, statement.flag.beta());
        for (rho, com) in [
            (rp0, &self.p[0]),
            (rp1, &self.p[1]),
            (rq0, &self.q[0]),
            (rq1, &self.q[1]),
        ] {
            batch.add_point(rho, com.point);
        }
        let [u0, u1] = self.u;
        batch.add_g(-(rp0 * u0 + rp1 * u1) + on_b * z.flag);
        batch.add_base(statement.key.point(), -(rq0 * u0 + rq1 * u1));
        Ok(())
    }

    /// The 224-byte encoding (see the Layout section of the type).
    pub fn to_bytes(&self) -> [u8; SELECTION_PROOF_LEN] {
        let mut out = [0u8; SELECTION_PROOF_LEN];
        let fields = [
            self.p[0].bytes.to_bytes(),
            self.q[0].bytes.to_bytes(),
            self.p[1].bytes.to_bytes(),
            self.q[1].bytes.to_bytes(),
            self.e0.to_bytes(),
            self.u[0].to_bytes(),
            self.u[1].to_bytes(),
        ];
        for (chunk, field) in out.chunks_exact_mut(32).zip(fields) {
            chunk.copy_from_slice(&field);
        }
        out
    }

    /// Reads the 224-byte encoding from a larger layout.
    pub fn read(r: &mut Reader<'_>) -> Result<Self> {
        let (p0, q0, p1, q1) = (
            Commitment::read(r)?,
            Commitment::read(r)?,
            Commitment::read(r)?,
            Commitment::read(r)?,
        );
        let scalar = |r: &mut Reader<'_>| decode_scalar(r.take(SCALAR_LEN)?, WHAT);
        let e0 = scalar(r)?;
        let u = [scalar(r)?, scalar(r)?];
        Ok(SelectionProof {
            p: [p0, p1],
            q: [q0, q1],
            e0,
            u,
        })
    }

    /// Decodes exactly 224 bytes: canonical points (the identity is allowed, as in every
    /// batchable proof) and canonical scalars; any other length is refused.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != SELECTION_PROOF_LEN {
            return Err(CryptoError::WrongLength {
                what: WHAT,
                expected: SELECTION_PROOF_LEN,
                actual: bytes.len(),
            });
        }
        let mut r = Reader::new(bytes, WHAT);
        let proof = Self::read(&mut r)?;
        r.finish()?;
        Ok(proof)
    }
}

/// The Fiat–Shamir challenge `c`, after the statement and the weights: `P0`, `Q0`, `P1`,
/// `Q1`, then `challenge_scalar(b"c")`.
fn commitment_challenge(t: &mut Transcript, p: &[Commitment; 2], q: &[Commitment; 2]) -> Scalar {
    t.append_compressed(b"P0", &p[0].bytes);
    t.append_compressed(b"Q0", &q[0].bytes);
    t.append_compressed(b"P1", &p[1].bytes);
    t.append_compressed(b"Q1", &q[1].bytes);
    t.challenge_scalar(b"c")
}

/// Verifies many selection proofs at once (one multiscalar multiplication, see
/// [`BatchVerifier`]). A batch containing a false proof passes with probability at most
/// `2⁻¹²⁸`. Errors: the first statement of bad shape, else
/// [`CryptoError::InvalidSelectionProof`]. [`find_invalid_selections`] names the bad ones.
pub fn verify_selections<R: RngCore + CryptoRng>(
    context: &ContextHash,
    items: &[(SelectionStatement<'_>, &SelectionProof)],
    rng: &mut R,
) -> Result<()> {
    let points = items.iter().map(|(s, _)| 4 * s.ballot.len() + 6).sum();
    let mut batch = BatchVerifier::with_capacity(rng, points);
    for (statement, proof) in items {
        proof.add_to_batch(context, statement, &mut batch)?;
    }
    batch
        .verify()
        .map_err(|_| CryptoError::InvalidSelectionProof)
}

/// Indices (in increasing order) of the items whose proof does not verify: a batch check
/// first, and if it fails, one-by-one checks ([`find_failures`]). Empty if all verify.
pub fn find_invalid_selections<R: RngCore + CryptoRng>(
    context: &ContextHash,
    items: &[(SelectionStatement<'_>, &SelectionProof)],
    rng: &mut R,
) -> Vec<usize> {
    find_failures(
        items,
        |all| verify_selections(context, all, rng),
        |(statement, proof)| proof.verify(context, statement),
    )
}

/// The opening of a flag: whether the ballot counted, and the flag's nonce `s`. It is given
/// to the auditors, who check it against the flag ([`FlagOpening::check`]) and the counting
/// rules; it reveals whether the ballot counted and nothing about the vote. Secret to
/// everybody else: zeroized on drop, never printed.
///
/// # Layout
///
/// 33 bytes: `counted` (1 byte, `0x00` or `0x01`) ‖ `s` (32, canonical scalar).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct FlagOpening {
    counted: bool,
    nonce: Scalar,
}

impl core::fmt::Debug for FlagOpening {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("FlagOpening(<secret>)")
    }
}

impl FlagOpening {
    /// Whether the ballot counted (the flag encrypts 1).
    pub fn counted(&self) -> bool {
        self.counted
    }

    /// Checks that `flag = (s·G, s·Y + counted·G)` under `key`; else
    /// [`CryptoError::BadFlagOpening`]. (Variable time: the auditor who checks it knows it.)
    pub fn check(&self, key: &PublicKey, flag: &Ciphertext) -> Result<()> {
        let value = if self.counted {
            G
        } else {
            RistrettoPoint::identity()
        };
        if flag.alpha() == &self.nonce * g_table() && flag.beta() == key.mul(&self.nonce) + value {
            Ok(())
        } else {
            Err(CryptoError::BadFlagOpening)
        }
    }

    /// The 33-byte encoding, zeroized on drop.
    pub fn to_bytes(&self) -> Zeroizing<[u8; FLAG_OPENING_LEN]> {
        let mut out = Zeroizing::new([0u8; FLAG_OPENING_LEN]);
        if let Some((bit, nonce)) = out.split_first_mut() {
            *bit = u8::from(self.counted);
            nonce.copy_from_slice(self.nonce.as_bytes());
        }
        out
    }

    /// Decodes exactly 33 bytes: a bit byte of `0x00` or `0x01`, a canonical scalar.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        const WHAT: &str = "flag opening";
        let mut r = Reader::new(bytes, WHAT);
        let counted = match r.take(1)? {
            [0] => false,
            [1] => true,
            _ => {
                return Err(CryptoError::BadLayout {
                    what: WHAT,
                    detail: "the counted byte must be 0 or 1".into(),
                })
            }
        };
        let nonce = r.scalar()?;
        r.finish()?;
        Ok(FlagOpening { counted, nonce })
    }
}

/// What [`Selector::select`] makes for one ballot: the selected ballot `C`, the flag `F`,
/// the proof, and the flag's opening for the auditors.
#[derive(Clone, Debug)]
pub struct Selected {
    /// `C_k`, in ballot order; each carries its encoding.
    pub selected: Vec<Ciphertext>,
    /// `F`.
    pub flag: Ciphertext,
    /// The proof of the statement `(Y, B, C, F)`.
    pub proof: SelectionProof,
    /// `(counted, s)`, for the auditors only.
    pub opening: FlagOpening,
}

impl Selected {
    /// The statement this selection proves, for `ballot` under `key`.
    pub fn statement<'a>(
        &'a self,
        key: &'a PublicKey,
        ballot: &'a [Ciphertext],
    ) -> SelectionStatement<'a> {
        SelectionStatement {
            key,
            ballot,
            selected: &self.selected,
            flag: &self.flag,
        }
    }
}

/// The tally's selection prover for one election: the context and the election key (whose
/// [`PublicKey`] carries the precomputed table that makes the `2m` multiplications by `Y` of
/// a re-encryption fast).
#[derive(Clone, Debug)]
pub struct Selector {
    context: ContextHash,
    key: PublicKey,
}

impl Selector {
    /// The prover for the election with this context and key.
    pub fn new(context: &ContextHash, key: &PublicKey) -> Selector {
        Selector {
            context: *context,
            key: key.clone(),
        }
    }

    /// Makes the selected ballot, the flag and the proof for `ballot`: if `counted`, `C`
    /// re-encrypts `ballot` and `F` encrypts 1, else `C` encrypts zeros and `F` encrypts 0.
    /// The randomness `r_k`, `s` is fresh from `rng` and zeroized after use; constant time in
    /// `counted` (see the module docs). An empty ballot is refused
    /// ([`CryptoError::SelectionShapeMismatch`]).
    pub fn select<R: RngCore + CryptoRng>(
        &self,
        ballot: &[Ciphertext],
        counted: bool,
        rng: &mut R,
    ) -> Result<Selected> {
        let bit = Choice::from(u8::from(counted));
        let identity = RistrettoPoint::identity();
        let mut nonces: Zeroizing<Vec<Scalar>> = Zeroizing::new(Vec::with_capacity(ballot.len()));
        let mut selected = Vec::with_capacity(ballot.len());
        for b in ballot {
            let r = Zeroizing::new(Scalar::random(rng));
            let alpha =
                &*r * g_table() + RistrettoPoint::conditional_select(&identity, &b.alpha(), bit);
            let beta =
                self.key.mul(&r) + RistrettoPoint::conditional_select(&identity, &b.beta(), bit);
            selected.push(Ciphertext::new(alpha, beta).encoded());
            nonces.push(*r);
        }
        let s = Zeroizing::new(Scalar::random(rng));
        let flag = Ciphertext::new(
            &*s * g_table(),
            self.key.mul(&s) + RistrettoPoint::conditional_select(&identity, &G, bit),
        )
        .encoded();
        let statement = SelectionStatement {
            key: &self.key,
            ballot,
            selected: &selected,
            flag: &flag,
        };
        let proof = SelectionProof::prove(&self.context, &statement, bit, &nonces, &s, rng)?;
        Ok(Selected {
            proof,
            opening: FlagOpening { counted, nonce: *s },
            selected,
            flag,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elgamal::Nonce;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    const CTX: ContextHash = ContextHash([9; 32]);

    /// The national shape: 81 candidates and the blank vote.
    const NATIONAL: usize = 82;

    fn keypair(seed: u64) -> (Scalar, PublicKey) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let s = Scalar::random(&mut rng);
        (s, PublicKey::from_point(&s * g_table()).unwrap())
    }

    fn encrypt_all(pk: &PublicKey, values: &[u64], rng: &mut ChaCha20Rng) -> Vec<Ciphertext> {
        values
            .iter()
            .map(|v| Ciphertext::encrypt(pk, *v, &Nonce::random(rng)))
            .collect()
    }

    /// A one-hot ballot of `m` selections, choice `choice`.
    fn one_hot(pk: &PublicKey, m: usize, choice: usize, rng: &mut ChaCha20Rng) -> Vec<Ciphertext> {
        let values: Vec<u64> = (0..m).map(|i| u64::from(i == choice)).collect();
        encrypt_all(pk, &values, rng)
    }

    fn decrypt(secret: &Scalar, ct: &Ciphertext) -> RistrettoPoint {
        ct.decrypt_to_point(secret)
    }

    fn value(v: u64) -> RistrettoPoint {
        Scalar::from(v) * G
    }

    /// The textbook prover, written from the spec's equations rather than through the
    /// witness's structure: computes `U_b`, `V_b` from the statement, simulates the branch
    /// it does not claim and answers the claimed one with `w`. It cross-checks the
    /// constant-time prover (honest claims verify) and forges (lies do not).
    fn textbook_prove(
        statement: &SelectionStatement<'_>,
        claimed: usize,
        w_of: impl Fn(&Weights) -> Scalar,
        rng: &mut ChaCha20Rng,
    ) -> SelectionProof {
        let (mut t, z) = statement.transcript_and_weights(&CTX).unwrap();
        let w = w_of(&z);
        let y = *statement.key.point();
        let mut u_pts = [RistrettoPoint::identity(); 2];
        let mut v_pts = [RistrettoPoint::identity(); 2];
        for b in 0..2 {
            let bs = Scalar::from(b as u64);
            let mut u = z.flag * statement.flag.alpha();
            let mut v = z.flag * (statement.flag.beta() - bs * G);
            for ((zk, bk), ck) in z
                .components
                .iter()
                .zip(statement.ballot)
                .zip(statement.selected)
            {
                u += zk * (ck.alpha() - bs * bk.alpha());
                v += zk * (ck.beta() - bs * bk.beta());
            }
            u_pts[b] = u;
            v_pts[b] = v;
        }
        let (nonce, e_sim, u_sim) = (
            Scalar::random(rng),
            Scalar::random(rng),
            Scalar::random(rng),
        );
        let other = 1 - claimed;
        let mut p = [Commitment::default(); 2];
        let mut q = [Commitment::default(); 2];
        p[claimed] = Commitment::new(nonce * G);
        q[claimed] = Commitment::new(nonce * y);
        p[other] = Commitment::new(u_sim * G - e_sim * u_pts[other]);
        q[other] = Commitment::new(u_sim * y - e_sim * v_pts[other]);
        let c = commitment_challenge(&mut t, &p, &q);
        let mut e = [Scalar::ZERO; 2];
        let mut u = [Scalar::ZERO; 2];
        e[other] = e_sim;
        u[other] = u_sim;
        e[claimed] = c - e_sim;
        u[claimed] = nonce + e[claimed] * w;
        SelectionProof { p, q, e0: e[0], u }
    }

    /// `w = Σ z_k·r_k + z_0·s` for the given nonces.
    fn witness(nonces: &[Scalar], s: Scalar) -> impl Fn(&Weights) -> Scalar + '_ {
        move |z: &Weights| {
            z.components
                .iter()
                .zip(nonces)
                .map(|(a, b)| a * b)
                .sum::<Scalar>()
                + z.flag * s
        }
    }

    /// Builds `C_k = keep_k·B_k + (r_k·G, r_k·Y) + extra_k·G` and `F = (s·G, s·Y + flag·G)`,
    /// returning them with their nonces: the raw material of honest and dishonest statements.
    fn build(
        pk: &PublicKey,
        ballot: &[Ciphertext],
        keep: &[bool],
        extra: &[u64],
        flag: i64,
        rng: &mut ChaCha20Rng,
    ) -> (Vec<Ciphertext>, Ciphertext, Vec<Scalar>, Scalar) {
        let mut nonces = Vec::new();
        let selected = ballot
            .iter()
            .zip(keep)
            .zip(extra)
            .map(|((b, k), x)| {
                let r = Scalar::random(rng);
                nonces.push(r);
                let fresh = Ciphertext::new(r * G, r * pk.point() + value(*x));
                if *k {
                    *b + fresh
                } else {
                    fresh
                }
            })
            .collect();
        let s = Scalar::random(rng);
        let flag_value = if flag >= 0 {
            value(flag as u64)
        } else {
            -value(flag.unsigned_abs())
        };
        let f = Ciphertext::new(s * G, s * pk.point() + flag_value);
        (selected, f, nonces, s)
    }

    #[test]
    fn honest_selections_verify_and_decrypt_to_the_ballot_or_zeros() {
        let (secret, pk) = keypair(1);
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let selector = Selector::new(&CTX, &pk);
        for m in [1, 2, NATIONAL] {
            let ballot = one_hot(&pk, m, m / 2, &mut rng);
            for counted in [false, true] {
                let sel = selector.select(&ballot, counted, &mut rng).unwrap();
                let st = sel.statement(&pk, &ballot);
                sel.proof.verify(&CTX, &st).unwrap();
                verify_selections(&CTX, &[(st, &sel.proof)], &mut rng).unwrap();
                // What the tally sums: C decrypts to B's values or to zeros, F to the bit.
                for (k, c) in sel.selected.iter().enumerate() {
                    let expected = u64::from(counted && k == m / 2);
                    assert_eq!(decrypt(&secret, c), value(expected));
                    assert_eq!(
                        c.to_bytes(),
                        Ciphertext::from_bytes(&c.to_bytes()).unwrap().to_bytes()
                    );
                }
                assert_eq!(decrypt(&secret, &sel.flag), value(u64::from(counted)));
                // A fresh re-encryption: no component equals the ballot's.
                assert!(sel.selected.iter().zip(&ballot).all(|(c, b)| c != b));
                // The opening is for the auditors and checks.
                assert_eq!(sel.opening.counted(), counted);
                sel.opening.check(&pk, &sel.flag).unwrap();
                // Round trip through bytes.
                let bytes = sel.proof.to_bytes();
                assert_eq!(bytes.len(), SELECTION_PROOF_LEN);
                let decoded = SelectionProof::from_bytes(&bytes).unwrap();
                assert_eq!(decoded, sel.proof);
                decoded.verify(&CTX, &st).unwrap();
            }
        }
    }

    #[test]
    fn textbook_prover_agrees() {
        let (_, pk) = keypair(1);
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let ballot = one_hot(&pk, 5, 1, &mut rng);
        for counted in [false, true] {
            let keep = [counted; 5];
            let (selected, flag, nonces, s) =
                build(&pk, &ballot, &keep, &[0; 5], i64::from(counted), &mut rng);
            let st = SelectionStatement {
                key: &pk,
                ballot: &ballot,
                selected: &selected,
                flag: &flag,
            };
            let proof = textbook_prove(&st, usize::from(counted), witness(&nonces, s), &mut rng);
            proof.verify(&CTX, &st).unwrap();
            // The constant-time prover on the same statement and witness.
            let ct = SelectionProof::prove(
                &CTX,
                &st,
                Choice::from(u8::from(counted)),
                &nonces,
                &s,
                &mut rng,
            )
            .unwrap();
            ct.verify(&CTX, &st).unwrap();
            // Claiming the other branch with the same witness fails.
            let lie = textbook_prove(&st, usize::from(!counted), witness(&nonces, s), &mut rng);
            assert_eq!(
                lie.verify(&CTX, &st),
                Err(CryptoError::InvalidSelectionProof)
            );
            let lie = SelectionProof::prove(
                &CTX,
                &st,
                Choice::from(u8::from(!counted)),
                &nonces,
                &s,
                &mut rng,
            )
            .unwrap();
            assert_eq!(
                lie.verify(&CTX, &st),
                Err(CryptoError::InvalidSelectionProof)
            );
        }
    }

    /// Every way a dishonest tally could build `(C, F)` that is of neither branch, proved
    /// with both provers claiming both branches, one by one and in a batch: all refused.
    fn assert_unprovable(
        pk: &PublicKey,
        ballot: &[Ciphertext],
        built: &(Vec<Ciphertext>, Ciphertext, Vec<Scalar>, Scalar),
        rng: &mut ChaCha20Rng,
    ) {
        let (selected, flag, nonces, s) = built;
        let st = SelectionStatement {
            key: pk,
            ballot,
            selected,
            flag,
        };
        for claimed in [0usize, 1] {
            let forged = textbook_prove(&st, claimed, witness(nonces, *s), rng);
            assert_eq!(
                forged.verify(&CTX, &st),
                Err(CryptoError::InvalidSelectionProof)
            );
            assert!(verify_selections(&CTX, &[(st, &forged)], rng).is_err());
            let choice = Choice::from(claimed as u8);
            let lie = SelectionProof::prove(&CTX, &st, choice, nonces, s, rng).unwrap();
            assert_eq!(
                lie.verify(&CTX, &st),
                Err(CryptoError::InvalidSelectionProof)
            );
            assert!(verify_selections(&CTX, &[(st, &lie)], rng).is_err());
        }
    }

    #[test]
    fn a_flag_of_two_or_minus_one_is_refused() {
        let (_, pk) = keypair(1);
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let ballot = one_hot(&pk, NATIONAL, 7, &mut rng);
        for (keep, flag) in [
            (true, 2),
            (false, 2),
            (true, -1),
            (false, -1),
            (true, 0),
            (false, 1),
        ] {
            let built = build(
                &pk,
                &ballot,
                &[keep; NATIONAL],
                &[0; NATIONAL],
                flag,
                &mut rng,
            );
            assert_unprovable(&pk, &ballot, &built, &mut rng);
        }
    }

    #[test]
    fn a_selected_ballot_that_mixes_re_encryptions_and_zeros_is_refused() {
        let (_, pk) = keypair(1);
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        // Every component encrypts 1, so "re-encrypts B_k" and "zero" differ everywhere.
        let ones = encrypt_all(&pk, &[1; 6], &mut rng);
        let mixes: [[bool; 6]; 4] = [
            [true, true, true, true, true, false],
            [false, true, false, false, false, false],
            [true, false, true, false, true, false],
            [false, false, false, false, false, true],
        ];
        for keep in mixes {
            for flag in [0, 1] {
                let built = build(&pk, &ones, &keep, &[0; 6], flag, &mut rng);
                assert_unprovable(&pk, &ones, &built, &mut rng);
            }
        }
        // The national one-hot ballot: the chosen candidate's component dropped from an
        // otherwise counted ballot, or only it kept on an uncounted one.
        let ballot = one_hot(&pk, NATIONAL, 40, &mut rng);
        for (kept, flag) in [(false, 1), (true, 0)] {
            let mut keep = [!kept; NATIONAL];
            keep[40] = kept;
            let built = build(&pk, &ballot, &keep, &[0; NATIONAL], flag, &mut rng);
            assert_unprovable(&pk, &ballot, &built, &mut rng);
        }
    }

    #[test]
    fn a_selected_ballot_with_one_component_off_is_refused() {
        let (_, pk) = keypair(1);
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let ballot = one_hot(&pk, NATIONAL, 3, &mut rng);
        for k in [0, 3, NATIONAL - 1] {
            for counted in [false, true] {
                let mut extra = [0u64; NATIONAL];
                extra[k] = 1;
                let built = build(
                    &pk,
                    &ballot,
                    &[counted; NATIONAL],
                    &extra,
                    i64::from(counted),
                    &mut rng,
                );
                assert_unprovable(&pk, &ballot, &built, &mut rng);
            }
        }
    }

    #[test]
    fn a_re_encryption_of_another_ballot_is_refused() {
        let (_, pk) = keypair(1);
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let ballot = one_hot(&pk, NATIONAL, 1, &mut rng);
        let other = one_hot(&pk, NATIONAL, 2, &mut rng);
        // Honestly built from `other`, claimed for `ballot`.
        let built = build(&pk, &other, &[true; NATIONAL], &[0; NATIONAL], 1, &mut rng);
        assert_unprovable(&pk, &ballot, &built, &mut rng);
        // The selector's output for `other`, checked against `ballot` (a swapped B).
        let selector = Selector::new(&CTX, &pk);
        for counted in [true, false] {
            let sel = selector.select(&other, counted, &mut rng).unwrap();
            sel.proof.verify(&CTX, &sel.statement(&pk, &other)).unwrap();
            let swapped = sel.statement(&pk, &ballot);
            assert_eq!(
                sel.proof.verify(&CTX, &swapped),
                Err(CryptoError::InvalidSelectionProof)
            );
            assert!(verify_selections(&CTX, &[(swapped, &sel.proof)], &mut rng).is_err());
        }
    }

    #[test]
    fn other_statements_and_contexts_are_refused() {
        let (_, pk) = keypair(1);
        let (_, other_pk) = keypair(2);
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let ballot = one_hot(&pk, 4, 0, &mut rng);
        let sel = Selector::new(&CTX, &pk)
            .select(&ballot, true, &mut rng)
            .unwrap();
        let st = sel.statement(&pk, &ballot);
        sel.proof.verify(&CTX, &st).unwrap();

        let other_sel = Selector::new(&CTX, &pk)
            .select(&ballot, true, &mut rng)
            .unwrap();
        let mut reordered = ballot.clone();
        reordered.swap(0, 1);
        let mut reordered_selected = sel.selected.clone();
        reordered_selected.swap(0, 1);
        let swapped_flag = Ciphertext::new(sel.flag.beta(), sel.flag.alpha());
        let others = [
            SelectionStatement {
                key: &other_pk,
                ..st
            },
            SelectionStatement {
                selected: &other_sel.selected,
                ..st
            },
            SelectionStatement {
                flag: &other_sel.flag,
                ..st
            },
            SelectionStatement {
                flag: &swapped_flag,
                ..st
            },
            SelectionStatement {
                ballot: &reordered,
                ..st
            },
            SelectionStatement {
                selected: &reordered_selected,
                ..st
            },
            SelectionStatement {
                ballot: &reordered,
                selected: &reordered_selected,
                ..st
            },
            // A consistent but shorter statement (m = 3).
            SelectionStatement {
                ballot: &ballot[..3],
                selected: &sel.selected[..3],
                ..st
            },
        ];
        for (i, other) in others.iter().enumerate() {
            assert_eq!(
                sel.proof.verify(&CTX, other),
                Err(CryptoError::InvalidSelectionProof),
                "statement {i} accepted"
            );
        }
        assert_eq!(
            sel.proof.verify(&ContextHash([10; 32]), &st),
            Err(CryptoError::InvalidSelectionProof)
        );
    }

    #[test]
    fn shapes_that_do_not_match_are_errors_not_panics() {
        let (_, pk) = keypair(1);
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let ballot = one_hot(&pk, 4, 0, &mut rng);
        let sel = Selector::new(&CTX, &pk)
            .select(&ballot, false, &mut rng)
            .unwrap();
        let st = sel.statement(&pk, &ballot);
        let bad = [
            (
                SelectionStatement {
                    ballot: &ballot[..3],
                    ..st
                },
                3,
                4,
            ),
            (
                SelectionStatement {
                    selected: &sel.selected[..1],
                    ..st
                },
                4,
                1,
            ),
            (
                SelectionStatement {
                    ballot: &[],
                    selected: &[],
                    ..st
                },
                0,
                0,
            ),
        ];
        for (statement, b, s) in bad {
            let expected = CryptoError::SelectionShapeMismatch {
                ballot: b,
                selected: s,
            };
            assert_eq!(sel.proof.verify(&CTX, &statement), Err(expected.clone()));
            assert_eq!(
                verify_selections(&CTX, &[(st, &sel.proof), (statement, &sel.proof)], &mut rng),
                Err(expected.clone())
            );
            assert_eq!(expected.code(), "selection.shape_mismatch");
            let mut batch = BatchVerifier::new(&mut rng);
            assert!(sel
                .proof
                .add_to_batch(&CTX, &statement, &mut batch)
                .is_err());
        }
        assert_eq!(
            Selector::new(&CTX, &pk)
                .select(&[], true, &mut rng)
                .map(|_| ()),
            Err(CryptoError::SelectionShapeMismatch {
                ballot: 0,
                selected: 0
            })
        );
    }

    /// The proof with one field replaced by `f(field)`, re-encoded.
    fn with_field(proof: &SelectionProof, field: usize, f: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
        let mut bytes = proof.to_bytes().to_vec();
        let range = 32 * field..32 * field + 32;
        let new = f(&bytes[range.clone()]);
        bytes[range].copy_from_slice(&new);
        bytes
    }

    #[test]
    fn every_mutated_field_and_byte_is_refused() {
        let (_, pk) = keypair(1);
        let mut rng = ChaCha20Rng::seed_from_u64(10);
        let ballot = one_hot(&pk, 3, 2, &mut rng);
        let selector = Selector::new(&CTX, &pk);
        for counted in [false, true] {
            let sel = selector.select(&ballot, counted, &mut rng).unwrap();
            let st = sel.statement(&pk, &ballot);
            // Each field replaced by a valid encoding of another value: a point + G, a scalar + 1.
            for field in 0..7 {
                let bad = with_field(&sel.proof, field, |old| {
                    if field < 4 {
                        let p = CompressedRistretto::from_slice(old)
                            .unwrap()
                            .decompress()
                            .unwrap();
                        (p + G).compress().to_bytes().to_vec()
                    } else {
                        let s = decode_scalar(old, "s").unwrap();
                        (s + Scalar::ONE).to_bytes().to_vec()
                    }
                });
                let proof = SelectionProof::from_bytes(&bad).unwrap();
                assert_eq!(
                    proof.verify(&CTX, &st),
                    Err(CryptoError::InvalidSelectionProof),
                    "field {field}"
                );
                assert!(
                    verify_selections(&CTX, &[(st, &proof)], &mut rng).is_err(),
                    "field {field}"
                );
            }
            // Every single-byte change.
            let bytes = sel.proof.to_bytes();
            for i in 0..bytes.len() {
                for flip in [0x01u8, 0x80, 0xff] {
                    let mut bad = bytes;
                    bad[i] ^= flip;
                    let rejected = match SelectionProof::from_bytes(&bad) {
                        Err(_) => true,
                        Ok(p) => p.verify(&CTX, &st).is_err(),
                    };
                    assert!(rejected, "byte {i} ^ {flip:#x} accepted");
                }
            }
            // The two commitments of a branch swapped, the branches swapped.
            let b = bytes;
            let mut swapped = b;
            swapped[..64].copy_from_slice(&b[64..128]);
            swapped[64..128].copy_from_slice(&b[..64]);
            let p = SelectionProof::from_bytes(&swapped).unwrap();
            assert!(p.verify(&CTX, &st).is_err());
            let mut swapped = b;
            swapped[160..192].copy_from_slice(&b[192..]);
            swapped[192..].copy_from_slice(&b[160..192]);
            let p = SelectionProof::from_bytes(&swapped).unwrap();
            assert!(p.verify(&CTX, &st).is_err());
        }
    }

    #[test]
    fn non_canonical_and_wrong_length_encodings_are_refused() {
        let (_, pk) = keypair(1);
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        let ballot = one_hot(&pk, 2, 0, &mut rng);
        let sel = Selector::new(&CTX, &pk)
            .select(&ballot, true, &mut rng)
            .unwrap();
        let bytes = sel.proof.to_bytes();
        for len in [0, 223, 225] {
            let mut b = bytes.to_vec();
            b.resize(len, 0);
            assert!(matches!(
                SelectionProof::from_bytes(&b),
                Err(CryptoError::WrongLength { expected: 224, .. })
            ));
        }
        // The group order l (not reduced), 2^256 − 1, and a non-canonical point.
        let order: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        for field in 4..7 {
            for bad in [order, [0xff; 32]] {
                let b = with_field(&sel.proof, field, |_| bad.to_vec());
                assert_eq!(
                    SelectionProof::from_bytes(&b),
                    Err(CryptoError::NonCanonicalScalar(WHAT))
                );
            }
        }
        let mut odd = [0u8; 32];
        odd[0] = 1;
        for field in 0..4 {
            for bad in [[0xff; 32], odd] {
                let b = with_field(&sel.proof, field, |_| bad.to_vec());
                assert_eq!(
                    SelectionProof::from_bytes(&b),
                    Err(CryptoError::NonCanonicalPoint(WHAT))
                );
            }
        }
        // Read from a larger layout: exactly 224 bytes consumed.
        let mut long = bytes.to_vec();
        long.push(7);
        let mut r = Reader::new(&long, "t");
        assert_eq!(SelectionProof::read(&mut r).unwrap(), sel.proof);
        assert_eq!(r.remaining(), 1);
    }

    #[test]
    fn a_batch_with_one_bad_proof_fails_and_names_it() {
        let (_, pk) = keypair(1);
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let selector = Selector::new(&CTX, &pk);
        let ballots: Vec<Vec<Ciphertext>> = (0..20)
            .map(|i| {
                one_hot(
                    &pk,
                    if i % 5 == 0 { NATIONAL } else { 1 + i % 4 },
                    0,
                    &mut rng,
                )
            })
            .collect();
        let sels: Vec<Selected> = ballots
            .iter()
            .enumerate()
            .map(|(i, b)| selector.select(b, i % 3 != 0, &mut rng).unwrap())
            .collect();
        let items: Vec<(SelectionStatement<'_>, &SelectionProof)> = sels
            .iter()
            .zip(&ballots)
            .map(|(s, b)| (s.statement(&pk, b), &s.proof))
            .collect();
        verify_selections(&CTX, &items, &mut rng).unwrap();
        assert!(find_invalid_selections(&CTX, &items, &mut rng).is_empty());
        assert!(verify_selections(&CTX, &[], &mut rng).is_ok());

        // Proof 10 (m = 82) with a response + 1.
        let bad_bytes = with_field(&sels[10].proof, 6, |old| {
            (decode_scalar(old, "u").unwrap() + Scalar::ONE)
                .to_bytes()
                .to_vec()
        });
        let bad = SelectionProof::from_bytes(&bad_bytes).unwrap();
        let mut mutated = items.clone();
        mutated[10].1 = &bad;
        assert_eq!(
            verify_selections(&CTX, &mutated, &mut rng),
            Err(CryptoError::InvalidSelectionProof)
        );
        assert_eq!(find_invalid_selections(&CTX, &mutated, &mut rng), vec![10]);

        // Proof 7's statement with proof 13's selected ballot (same m): only 7 fails.
        let mut mixed = items.clone();
        mixed[7].0.selected = &sels[13].selected;
        assert_eq!(find_invalid_selections(&CTX, &mixed, &mut rng), vec![7]);

        // A flag of 2 in item 3.
        let (selected, flag, nonces, s) = build(&pk, &ballots[3], &[true; 4], &[0; 4], 2, &mut rng);
        let st = SelectionStatement {
            key: &pk,
            ballot: &ballots[3],
            selected: &selected,
            flag: &flag,
        };
        let forged = textbook_prove(&st, 1, witness(&nonces, s), &mut rng);
        let mut flagged = items.clone();
        flagged[3] = (st, &forged);
        assert_eq!(find_invalid_selections(&CTX, &flagged, &mut rng), vec![3]);

        // A statement of bad shape in item 6 (m = 3) is named too.
        let mut shaped = items.clone();
        shaped[6].0.selected = &sels[6].selected[..1];
        assert_eq!(find_invalid_selections(&CTX, &shaped, &mut rng), vec![6]);
    }

    #[test]
    fn flag_openings_check_and_refuse() {
        let (_, pk) = keypair(1);
        let mut rng = ChaCha20Rng::seed_from_u64(13);
        let ballot = one_hot(&pk, 2, 1, &mut rng);
        let selector = Selector::new(&CTX, &pk);
        let yes = selector.select(&ballot, true, &mut rng).unwrap();
        let no = selector.select(&ballot, false, &mut rng).unwrap();
        yes.opening.check(&pk, &yes.flag).unwrap();
        no.opening.check(&pk, &no.flag).unwrap();
        // Each opening against the other flag; each with the bit flipped; with a nonce + 1.
        let flip = |o: &FlagOpening| {
            let mut b = *o.to_bytes();
            b[0] ^= 1;
            FlagOpening::from_bytes(&b).unwrap()
        };
        let bump = |o: &FlagOpening| {
            let mut b = *o.to_bytes();
            let s = decode_scalar(&b[1..], "s").unwrap() + Scalar::ONE;
            b[1..].copy_from_slice(s.as_bytes());
            FlagOpening::from_bytes(&b).unwrap()
        };
        for (opening, flag) in [
            (yes.opening.clone(), no.flag),
            (no.opening.clone(), yes.flag),
            (flip(&yes.opening), yes.flag),
            (flip(&no.opening), no.flag),
            (bump(&yes.opening), yes.flag),
            (bump(&no.opening), no.flag),
        ] {
            assert_eq!(opening.check(&pk, &flag), Err(CryptoError::BadFlagOpening));
        }
        assert_eq!(CryptoError::BadFlagOpening.code(), "selection.bad_opening");
        assert_eq!(
            CryptoError::InvalidSelectionProof.code(),
            "selection.invalid_proof"
        );
        let (_, other_pk) = keypair(2);
        assert!(yes.opening.check(&other_pk, &yes.flag).is_err());

        // Layout: bit byte then s; round trip; refusals.
        let bytes = yes.opening.to_bytes();
        assert_eq!(bytes.len(), FLAG_OPENING_LEN);
        assert_eq!(bytes[0], 1);
        assert_eq!(no.opening.to_bytes()[0], 0);
        assert_eq!(FlagOpening::from_bytes(&*bytes).unwrap(), yes.opening);
        let mut two = *bytes;
        two[0] = 2;
        assert!(matches!(
            FlagOpening::from_bytes(&two),
            Err(CryptoError::BadLayout { .. })
        ));
        let mut big = *bytes;
        big[1..].copy_from_slice(&[0xff; 32]);
        assert!(matches!(
            FlagOpening::from_bytes(&big),
            Err(CryptoError::NonCanonicalScalar(_))
        ));
        assert!(FlagOpening::from_bytes(&bytes[..32]).is_err());
        let mut long = bytes.to_vec();
        long.push(0);
        assert!(FlagOpening::from_bytes(&long).is_err());
        assert_eq!(format!("{:?}", yes.opening), "FlagOpening(<secret>)");
    }
}
