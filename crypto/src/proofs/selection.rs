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
        let bit = Scalar::conditional_select(&Scalar::ZERO, &Scalar::ONE, counted);
        let mut e = Zeroizing::new([Scalar::ZERO; 2]);
        let mut u = Zeroizing::new([Scalar::ZERO; 2]);
        let mut commitments = [(Commitment::default(), Commitment::default()); 2];
        for (b, ((eb, ub), (p, q))) in
            (0u8..).zip(e.iter_mut().zip(u.iter_mut()).zip(commitments.iter_mut()))
        {
            let is_true = b.ct_eq(&counted.unwrap_u8());
            let e_sim = Scalar::random(&mut nonce_rng);
            *eb = Scalar::conditional_select(&e_sim, &Scalar::ZERO, is_true);
            *ub = Scalar::random(&mut nonce_rng);
            let tb = Zeroizing::new(*ub - *eb * *w);
            let shift = Zeroizing::new(*eb * (bit - Scalar::from(b)));
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
            batch.add_point(on_a * zk, ballot.alpha());
            batch.add_point(on_d * zk, selected.beta());
            batch.add_point(on_b * zk, ballot.beta());
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
