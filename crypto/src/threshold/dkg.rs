//! Key-ceremony building blocks: Feldman verifiable secret sharing run by every trustee
//! (the joint-Feldman / Pedersen DKG), so that the election secret key never exists in one
//! place.
//!
//! There are `n` trustees with indices `1..=n`, and any `t` of them can decrypt
//! (`1 ≤ t ≤ n ≤` [`MAX_TRUSTEES`], see [`ThresholdParams`]). Every trustee `i` acts as a dealer:
//!
//! 1. It draws a secret polynomial `f_i(x) = a_i0 + a_i1·x + … + a_i,t−1·x^(t−1)`
//!    ([`SecretPolynomial`]) and publishes the commitments `K_ik = a_ik·G` with a Schnorr proof
//!    of knowledge of each `a_ik` ([`PolynomialCommitment`]). The proofs bind the trustee and
//!    coefficient index, so nobody can publish a commitment derived from someone else's
//!    (rogue-key attacks: a dealer choosing `K_i0 = X − Σ_{m≠i} K_m0` would own the joint key).
//! 2. Once everyone's commitments are verified ([`CommitmentSet`]), it sends each trustee `j`
//!    the share `f_i(j)` ([`SecretShare`]) over a private channel ([`SecretPolynomial::deal`]).
//! 3. Each trustee `j` checks every received share against its dealer's commitments
//!    (Feldman: `f_i(j)·G = Σ_k K_ik·j^k`, [`verify_share`]) and, if all pass, keeps its key
//!    share `s_j = Σ_i f_i(j)` ([`KeyShare`]); otherwise it complains about the dealers whose
//!    shares failed ([`KeyShareOutcome::Complaints`]).
//!
//! With the joint polynomial `F = Σ_i f_i`, the election secret is `s = F(0) = Σ_i a_i0` and
//! `s_j = F(j)`. Nobody learns `s`, but everyone can compute from the public commitments
//! alone the joint key `Y = s·G = Σ_i K_i0` ([`CommitmentSet::joint_public_key`]) and each
//! trustee's verification key `Y_j = s_j·G = Σ_i Σ_k K_ik·j^k`
//! ([`CommitmentSet::verification_key`]), against which decryption shares are checked
//! ([`super::decryption`]).
//!
//! The typestate is small: a [`SecretPolynomial`] (round 1) is consumed by
//! [`SecretPolynomial::deal`], which hands out the shares and returns a [`ShareReceiver`]
//! (round 2) holding the trustee's own share; the polynomial is zeroized then. The file-based
//! ceremony (transport, encryption of shares, complaint resolution) lives elsewhere.
//!
//! See `docs/crypto-spec.md` §8.3.

use std::collections::BTreeMap;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, IsIdentity, VartimeMultiscalarMul};
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::elgamal::PublicKey;
use crate::encoding::{put_point, Reader, POINT_LEN, SCALAR_LEN};
use crate::error::{CryptoError, Result};
use crate::group::{g_table, ContextHash, Point};
use crate::proofs::schnorr::{SchnorrProof, SchnorrStatement, SCHNORR_PROOF_LEN};

/// The largest number of trustees. Indices travel as `u32`, but a ceremony is a handful of
/// people; the bound keeps every count in a layout small enough to allocate without fear.
pub const MAX_TRUSTEES: u32 = 255;

/// `n` trustees, any `t` of whom can decrypt. Validated once, so the rest of the module can
/// rely on `1 ≤ t ≤ n ≤ MAX_TRUSTEES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ThresholdParams {
    n: u32,
    t: u32,
}

impl ThresholdParams {
    /// Checks `1 ≤ t ≤ n ≤ MAX_TRUSTEES`.
    pub fn new(n: u32, t: u32) -> Result<Self> {
        if t == 0 || t > n || n > MAX_TRUSTEES {
            return Err(CryptoError::InvalidParameters(format!(
                "threshold {t} of {n} trustees: need 1 <= t <= n <= {MAX_TRUSTEES}"
            )));
        }
        Ok(ThresholdParams { n, t })
    }

    /// Number of trustees `n`.
    pub fn n(&self) -> u32 {
        self.n
    }

    /// Threshold `t`: the number of trustees needed to decrypt, and the number of coefficients
    /// of every polynomial (degree `t − 1`).
    pub fn t(&self) -> u32 {
        self.t
    }

    /// Whether `j` is a trustee index, i.e. in `1..=n`.
    pub fn contains(&self, j: u32) -> bool {
        (1..=self.n).contains(&j)
    }

    fn check_index(&self, j: u32) -> Result<()> {
        if self.contains(j) {
            Ok(())
        } else {
            Err(CryptoError::InvalidParameters(format!(
                "trustee index {j} outside 1..={}",
                self.n
            )))
        }
    }
}

/// Evaluates a committed polynomial at `j`: `Σ_k coefficients[k]·j^k` (variable time: the
/// commitments and `j` are public).
fn evaluate_commitments(coefficients: &[Point], j: u32) -> Point {
    let x = Scalar::from(j);
    // Collected, not streamed: dalek checks that both sides have the same size hint.
    let powers: Vec<Scalar> = core::iter::successors(Some(Scalar::ONE), |p| Some(p * x))
        .take(coefficients.len())
        .collect();
    RistrettoPoint::vartime_multiscalar_mul(&powers, coefficients)
}

/// Decodes a trustee index of a layout: `1..=MAX_TRUSTEES`.
pub(crate) fn read_index(r: &mut Reader<'_>, what: &'static str) -> Result<u32> {
    let j = r.u32()?;
    if (1..=MAX_TRUSTEES).contains(&j) {
        Ok(j)
    } else {
        Err(CryptoError::BadLayout {
            what,
            detail: format!("trustee index {j} outside 1..={MAX_TRUSTEES}"),
        })
    }
}

/// Length of an encoded [`SecretShare`].
pub const SECRET_SHARE_LEN: usize = 4 + 4 + SCALAR_LEN;

/// The share `f_i(j)` that dealer `i` sends to trustee `j`. Secret: it zeroizes on drop and
/// Debug does not print it.
///
/// # Layout
///
/// | offset | length | field |
/// |---|---|---|
/// | 0 | 4 | `dealer` `i`, u32 big-endian, in `1..=255` |
/// | 4 | 4 | `recipient` `j`, u32 big-endian, in `1..=255` |
/// | 8 | 32 | `f_i(j)`, canonical scalar |
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SecretShare {
    dealer: u32,
    recipient: u32,
    value: Scalar,
}

impl core::fmt::Debug for SecretShare {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "SecretShare {{ dealer: {}, recipient: {}, value: <secret> }}",
            self.dealer, self.recipient
        )
    }
}

impl SecretShare {
    /// The dealer `i`.
    pub fn dealer(&self) -> u32 {
        self.dealer
    }

    /// The recipient `j`.
    pub fn recipient(&self) -> u32 {
        self.recipient
    }

    /// The 40-byte encoding (to be encrypted for the recipient), zeroized on drop.
    pub fn to_bytes(&self) -> Zeroizing<[u8; SECRET_SHARE_LEN]> {
        let mut out = Zeroizing::new([0u8; SECRET_SHARE_LEN]);
        let buf: &mut [u8; SECRET_SHARE_LEN] = &mut out;
        buf[..4].copy_from_slice(&self.dealer.to_be_bytes());
        buf[4..8].copy_from_slice(&self.recipient.to_be_bytes());
        buf[8..].copy_from_slice(self.value.as_bytes());
        out
    }

    /// Decodes exactly 40 bytes: indices in `1..=255`, canonical scalar.
    pub fn from_bytes(bytes: &[u8]) -> Result<SecretShare> {
        const WHAT: &str = "secret share";
        let mut r = Reader::new(bytes, WHAT);
        let dealer = read_index(&mut r, WHAT)?;
        let recipient = read_index(&mut r, WHAT)?;
        let value = r.scalar()?;
        r.finish()?;
        Ok(SecretShare {
            dealer,
            recipient,
            value,
        })
    }
}

/// Length of an encoded [`KeyShare`].
pub const KEY_SHARE_LEN: usize = 4 + SCALAR_LEN;

/// Trustee `j`'s final key share `s_j = Σ_i f_i(j)`, with which it makes decryption shares.
/// Secret: it zeroizes on drop and Debug does not print it.
///
/// # Layout
///
/// | offset | length | field |
/// |---|---|---|
/// | 0 | 4 | `index` `j`, u32 big-endian, in `1..=255` |
/// | 4 | 32 | `s_j`, canonical scalar |
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct KeyShare {
    index: u32,
    secret: Scalar,
}

impl core::fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "KeyShare {{ index: {}, secret: <secret> }}", self.index)
    }
}

impl KeyShare {
    /// The trustee index `j`.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// `Y_j = s_j·G` (constant time), to compare with the value the commitments give.
    pub fn verification_key(&self) -> Point {
        &self.secret * g_table()
    }

    /// The secret `s_j`.
    pub(crate) fn secret(&self) -> &Scalar {
        &self.secret
    }

    /// The 36-byte encoding (for the trustee's protected storage), zeroized on drop.
    pub fn to_bytes(&self) -> Zeroizing<[u8; KEY_SHARE_LEN]> {
        let mut out = Zeroizing::new([0u8; KEY_SHARE_LEN]);
        let buf: &mut [u8; KEY_SHARE_LEN] = &mut out;
        buf[..4].copy_from_slice(&self.index.to_be_bytes());
        buf[4..].copy_from_slice(self.secret.as_bytes());
        out
    }

    /// Decodes exactly 36 bytes: index in `1..=255`, canonical scalar.
    pub fn from_bytes(bytes: &[u8]) -> Result<KeyShare> {
        const WHAT: &str = "key share";
        let mut r = Reader::new(bytes, WHAT);
        let index = read_index(&mut r, WHAT)?;
        let secret = r.scalar()?;
        r.finish()?;
        Ok(KeyShare { index, secret })
    }
}

/// Dealer `i`'s secret polynomial `f_i` of degree `t − 1` (round 1 of the ceremony). Its
/// constant term `a_i0` is the dealer's contribution to the election secret, so the
/// coefficients zeroize on drop and Debug does not print them.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SecretPolynomial {
    #[zeroize(skip)]
    params: ThresholdParams,
    trustee: u32,
    /// `a_i0, …, a_i,t−1`.
    coefficients: Vec<Scalar>,
}

impl core::fmt::Debug for SecretPolynomial {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "SecretPolynomial {{ trustee: {}, params: {:?}, coefficients: <secret> }}",
            self.trustee, self.params
        )
    }
}

impl SecretPolynomial {
    /// Draws `t` uniformly random coefficients for trustee `trustee` (in `1..=n`).
    pub fn random(
        params: ThresholdParams,
        trustee: u32,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<SecretPolynomial> {
        params.check_index(trustee)?;
        let coefficients = (0..params.t).map(|_| Scalar::random(rng)).collect();
        Ok(SecretPolynomial {
            params,
            trustee,
            coefficients,
        })
    }

    /// The dealer's index `i`.
    pub fn trustee(&self) -> u32 {
        self.trustee
    }

    /// The share `f_i(j)` for trustee `j` in `1..=n` (Horner's rule, constant time in the
    /// coefficients). `j = 0` is refused: `f_i(0)` is the dealer's secret itself.
    pub fn evaluate(&self, j: u32) -> Result<SecretShare> {
        self.params.check_index(j)?;
        let x = Scalar::from(j);
        let mut acc = Zeroizing::new(Scalar::ZERO);
        for a in self.coefficients.iter().rev() {
            *acc = *acc * x + a;
        }
        Ok(SecretShare {
            dealer: self.trustee,
            recipient: j,
            value: *acc,
        })
    }

    /// `K_ik = a_ik·G` for every `k` (constant time).
    fn public_coefficients(&self) -> Vec<Point> {
        self.coefficients.iter().map(|a| a * g_table()).collect()
    }

    /// The commitment to publish in round 1: `K_ik` and a Schnorr proof for each.
    pub fn commit(
        &self,
        context: &ContextHash,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<PolynomialCommitment> {
        let coefficients = self.public_coefficients();
        let proofs = (0u32..)
            .zip(self.coefficients.iter().zip(&coefficients))
            .map(|(k, (a, public))| {
                let statement = SchnorrStatement {
                    public: *public,
                    trustee: self.trustee,
                    coefficient: k,
                };
                SchnorrProof::prove(context, &statement, a, rng)
            })
            .collect::<Result<_>>()?;
        Ok(PolynomialCommitment {
            trustee: self.trustee,
            coefficients,
            proofs,
        })
    }

    /// Round 2: given the verified commitments of the ceremony, which must hold this
    /// polynomial's own commitment under its index, returns the shares `f_i(j)` to send to
    /// every other trustee `j` in `1..=n` and the [`ShareReceiver`] that keeps `f_i(i)`. The
    /// polynomial is consumed and zeroized.
    pub fn deal(self, commitments: CommitmentSet) -> Result<(Vec<SecretShare>, ShareReceiver)> {
        if commitments.params != self.params {
            return Err(CryptoError::InvalidParameters(
                "commitment set made for other threshold parameters".into(),
            ));
        }
        let own = commitments.get(self.trustee).ok_or_else(|| {
            CryptoError::InvalidParameters(format!(
                "trustee {}'s own commitment is not in the set",
                self.trustee
            ))
        })?;
        if own.coefficients != self.public_coefficients() {
            return Err(CryptoError::InvalidParameters(format!(
                "the set holds another commitment under trustee {}'s index",
                self.trustee
            )));
        }
        let shares = (1..=self.params.n)
            .filter(|&j| j != self.trustee)
            .map(|j| self.evaluate(j))
            .collect::<Result<_>>()?;
        let own = self.evaluate(self.trustee)?;
        Ok((shares, ShareReceiver { own, commitments }))
    }
}

/// Dealer `i`'s public commitment: `K_ik = a_ik·G` for `k = 0..t`, each with a Schnorr proof
/// of knowledge of `a_ik` for the statement `(K_ik, trustee i, coefficient k)`.
///
/// # Layout
///
/// `8 + 96·t` bytes:
///
/// | offset | length | field |
/// |---|---|---|
/// | 0 | 4 | `trustee` `i`, u32 big-endian |
/// | 4 | 4 | count `t`, u32 big-endian, in `1..=255` |
/// | 8 + 96·k | 32 | `K_ik`, canonical non-identity point |
/// | 40 + 96·k | 64 | Schnorr proof for `K_ik` (`c ‖ z`) |
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolynomialCommitment {
    trustee: u32,
    coefficients: Vec<Point>,
    proofs: Vec<SchnorrProof>,
}

const COMMITMENT_ENTRY_LEN: usize = POINT_LEN + SCHNORR_PROOF_LEN;

impl PolynomialCommitment {
    /// The dealer `i`.
    pub fn trustee(&self) -> u32 {
        self.trustee
    }

    /// `K_i0, …, K_i,t−1`.
    pub fn coefficients(&self) -> &[Point] {
        &self.coefficients
    }

    /// Checks the commitment for a ceremony with `params`: the dealer index is in `1..=n`,
    /// there are exactly `t` coefficients, none is the identity, and every Schnorr proof
    /// verifies for its `(K_ik, i, k)`. Failures name the dealer
    /// ([`CryptoError::DealerMisbehaved`]).
    pub fn verify(&self, context: &ContextHash, params: &ThresholdParams) -> Result<()> {
        let fault = |reason| CryptoError::DealerMisbehaved {
            dealer: self.trustee,
            reason,
        };
        if !params.contains(self.trustee) {
            return Err(fault("dealer index outside 1..=n"));
        }
        let t = params.t as usize;
        if self.coefficients.len() != t || self.proofs.len() != t {
            return Err(fault("commitment does not have t coefficients"));
        }
        for (k, (public, proof)) in (0u32..).zip(self.coefficients.iter().zip(&self.proofs)) {
            if public.is_identity() {
                return Err(fault("identity coefficient commitment"));
            }
            let statement = SchnorrStatement {
                public: *public,
                trustee: self.trustee,
                coefficient: k,
            };
            proof
                .verify(context, &statement)
                .map_err(|_| fault("Schnorr proof of a coefficient fails"))?;
        }
        Ok(())
    }

    /// The encoding described in the type's `# Layout`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + COMMITMENT_ENTRY_LEN * self.coefficients.len());
        out.extend_from_slice(&self.trustee.to_be_bytes());
        let count = u32::try_from(self.coefficients.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&count.to_be_bytes());
        for (public, proof) in self.coefficients.iter().zip(&self.proofs) {
            put_point(&mut out, public);
            proof.write(&mut out);
        }
        out
    }

    /// Decodes the layout: count in `1..=255`, length exactly `8 + 96·count`, canonical
    /// non-identity points, canonical scalars. (The count is checked against `t` and the
    /// index against `n` by [`PolynomialCommitment::verify`].)
    pub fn from_bytes(bytes: &[u8]) -> Result<PolynomialCommitment> {
        const WHAT: &str = "polynomial commitment";
        let mut r = Reader::new(bytes, WHAT);
        let trustee = r.u32()?;
        let count = r.u32()?;
        if !(1..=MAX_TRUSTEES).contains(&count) {
            return Err(CryptoError::BadLayout {
                what: WHAT,
                detail: format!("coefficient count {count} outside 1..={MAX_TRUSTEES}"),
            });
        }
        let count = count as usize;
        if r.remaining() != COMMITMENT_ENTRY_LEN * count {
            return Err(CryptoError::WrongLength {
                what: WHAT,
                expected: 8 + COMMITMENT_ENTRY_LEN * count,
                actual: bytes.len(),
            });
        }
        let mut coefficients = Vec::with_capacity(count);
        let mut proofs = Vec::with_capacity(count);
        for _ in 0..count {
            coefficients.push(r.nonidentity_point()?);
            proofs.push(SchnorrProof::read(&mut r)?);
        }
        r.finish()?;
        Ok(PolynomialCommitment {
            trustee,
            coefficients,
            proofs,
        })
    }
}

/// Feldman's check of the share `f_i(j)` that dealer `i` sent to trustee `j`:
/// `f_i(j)·G = Σ_k K_ik·j^k`. A failure is [`CryptoError::DealerMisbehaved`] naming the
/// dealer. The share must come from `commitment`'s dealer ([`CryptoError::InvalidParameters`]
/// otherwise: that is the caller mixing things up, not the dealer cheating).
pub fn verify_share(commitment: &PolynomialCommitment, share: &SecretShare) -> Result<()> {
    if share.dealer != commitment.trustee {
        return Err(CryptoError::InvalidParameters(format!(
            "share from dealer {} checked against dealer {}'s commitment",
            share.dealer, commitment.trustee
        )));
    }
    if share.recipient == 0 {
        return Err(CryptoError::InvalidParameters(
            "share for recipient 0 (the dealer's secret)".into(),
        ));
    }
    // The share is the recipient's secret: constant-time s·G; the right side is public.
    if &share.value * g_table() == evaluate_commitments(&commitment.coefficients, share.recipient) {
        Ok(())
    } else {
        Err(CryptoError::DealerMisbehaved {
            dealer: share.dealer,
            reason: "secret share fails the Feldman check against the dealer's commitment",
        })
    }
}

/// The verified commitments of the (qualified) dealers of a ceremony: the only source of the
/// joint key and the verification keys, so that these are never computed from unchecked data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitmentSet {
    params: ThresholdParams,
    /// Sorted by dealer index, indices distinct.
    commitments: Vec<PolynomialCommitment>,
    /// The joint polynomial's commitments `A_k = Σ_i K_ik`, `k = 0..t`.
    joint: Vec<Point>,
}

impl CommitmentSet {
    /// Verifies every commitment ([`PolynomialCommitment::verify`]) and that no dealer appears
    /// twice. The set may be any non-empty subset of `1..=n` (the dealers that remain
    /// qualified after complaints).
    pub fn new(
        context: &ContextHash,
        params: ThresholdParams,
        mut commitments: Vec<PolynomialCommitment>,
    ) -> Result<CommitmentSet> {
        if commitments.is_empty() {
            return Err(CryptoError::InvalidParameters(
                "a commitment set needs at least one dealer".into(),
            ));
        }
        for c in &commitments {
            c.verify(context, &params)?;
        }
        commitments.sort_by_key(|c| c.trustee);
        if let Some(dealer) = commitments.windows(2).find_map(|w| match w {
            [a, b] if a.trustee == b.trustee => Some(a.trustee),
            _ => None,
        }) {
            return Err(CryptoError::InvalidParameters(format!(
                "two commitments for dealer {dealer}"
            )));
        }
        let mut joint = vec![RistrettoPoint::identity(); params.t as usize];
        for c in &commitments {
            for (a, k) in joint.iter_mut().zip(&c.coefficients) {
                *a += k;
            }
        }
        Ok(CommitmentSet {
            params,
            commitments,
            joint,
        })
    }

    /// The ceremony's parameters.
    pub fn params(&self) -> ThresholdParams {
        self.params
    }

    /// The commitments, sorted by dealer index.
    pub fn commitments(&self) -> &[PolynomialCommitment] {
        &self.commitments
    }

    /// The commitment of dealer `i`, if it is in the set.
    pub fn get(&self, dealer: u32) -> Option<&PolynomialCommitment> {
        self.commitments.iter().find(|c| c.trustee == dealer)
    }

    /// The election key `Y = Σ_i K_i0`. The identity is refused (it cannot happen with one
    /// honest dealer).
    pub fn joint_public_key(&self) -> Result<PublicKey> {
        PublicKey::from_point(self.joint.first().copied().unwrap_or_default())
    }

    /// Trustee `j`'s verification key `Y_j = Σ_i Σ_k K_ik·j^k = Σ_k A_k·j^k`, for `j` in
    /// `1..=n`.
    pub fn verification_key(&self, j: u32) -> Result<Point> {
        self.params.check_index(j)?;
        Ok(evaluate_commitments(&self.joint, j))
    }

    /// All verification keys: element `j − 1` is `Y_j`, for `j = 1..=n`.
    pub fn verification_keys(&self) -> Vec<Point> {
        (1..=self.params.n)
            .map(|j| evaluate_commitments(&self.joint, j))
            .collect()
    }

    /// Trustee `recipient`'s key share from the shares it received (its own `f_j(j)`
    /// included): one share from every dealer of the set is expected. Each is checked with
    /// [`verify_share`]; a dealer whose share is missing, addressed to another recipient or
    /// fails the check is complained about. Returns the key share `s_j = Σ_i f_i(j)` if there
    /// is no complaint, the sorted list of dealers to complain about otherwise.
    ///
    /// A share from a dealer outside the set, or two shares from one dealer, is an error of
    /// the caller ([`CryptoError::InvalidParameters`]).
    pub fn collect_key_share<'a>(
        &self,
        recipient: u32,
        shares: impl IntoIterator<Item = &'a SecretShare>,
    ) -> Result<KeyShareOutcome> {
        self.params.check_index(recipient)?;
        let mut by_dealer = BTreeMap::new();
        for share in shares {
            if self.get(share.dealer).is_none() {
                return Err(CryptoError::InvalidParameters(format!(
                    "share from trustee {}, who is not a dealer of this set",
                    share.dealer
                )));
            }
            if by_dealer.insert(share.dealer, share).is_some() {
                return Err(CryptoError::InvalidParameters(format!(
                    "two shares from dealer {}",
                    share.dealer
                )));
            }
        }
        let mut secret = Zeroizing::new(Scalar::ZERO);
        let mut complaints = Vec::new();
        for commitment in &self.commitments {
            match by_dealer.get(&commitment.trustee) {
                Some(share)
                    if share.recipient == recipient && verify_share(commitment, share).is_ok() =>
                {
                    *secret += share.value;
                }
                _ => complaints.push(commitment.trustee),
            }
        }
        if complaints.is_empty() {
            Ok(KeyShareOutcome::Ready(KeyShare {
                index: recipient,
                secret: *secret,
            }))
        } else {
            Ok(KeyShareOutcome::Complaints(complaints))
        }
    }
}

/// What a trustee gets at the end of the share exchange.
#[derive(Debug)]
pub enum KeyShareOutcome {
    /// Every dealer's share passed: the trustee's key share.
    Ready(KeyShare),
    /// The dealers (sorted indices) whose share was missing or failed the Feldman check.
    Complaints(Vec<u32>),
}

/// Round 2 of a trustee: it has dealt its shares and waits for everyone else's. Holds its own
/// share `f_j(j)` (secret, zeroized on drop) and the verified commitments.
#[derive(Debug)]
pub struct ShareReceiver {
    own: SecretShare,
    commitments: CommitmentSet,
}

impl ShareReceiver {
    /// The trustee's index `j`.
    pub fn index(&self) -> u32 {
        self.own.recipient
    }

    /// The verified commitments of the ceremony.
    pub fn commitments(&self) -> &CommitmentSet {
        &self.commitments
    }

    /// Checks the shares received from the other dealers and sums them with the own one
    /// ([`CommitmentSet::collect_key_share`]). Not consuming: after complaints are resolved,
    /// the trustee can try again with corrected shares.
    pub fn receive(&self, shares: &[SecretShare]) -> Result<KeyShareOutcome> {
        self.commitments.collect_key_share(
            self.own.recipient,
            core::iter::once(&self.own).chain(shares),
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    pub(crate) const CTX: ContextHash = ContextHash([9; 32]);

    /// The result of an honest ceremony: key shares (index order), the commitments and the
    /// election secret `s = Σ_i a_i0` (known here only because this is a test).
    pub(crate) struct Ceremony {
        pub(crate) key_shares: Vec<KeyShare>,
        pub(crate) set: CommitmentSet,
        pub(crate) secret: Scalar,
    }

    fn polynomials(params: ThresholdParams, rng: &mut ChaCha20Rng) -> Vec<SecretPolynomial> {
        (1..=params.n())
            .map(|i| SecretPolynomial::random(params, i, rng).unwrap())
            .collect()
    }

    fn commitment_set(polys: &[SecretPolynomial], rng: &mut ChaCha20Rng) -> CommitmentSet {
        let params = polys[0].params;
        let commitments = polys.iter().map(|p| p.commit(&CTX, rng).unwrap()).collect();
        CommitmentSet::new(&CTX, params, commitments).unwrap()
    }

    /// Deals every polynomial; returns the receivers and, per recipient, the shares sent to it.
    fn deal_all(
        polys: Vec<SecretPolynomial>,
        set: &CommitmentSet,
    ) -> (Vec<ShareReceiver>, BTreeMap<u32, Vec<SecretShare>>) {
        let mut inbox: BTreeMap<u32, Vec<SecretShare>> = BTreeMap::new();
        let mut receivers = Vec::new();
        for p in polys {
            let (shares, receiver) = p.deal(set.clone()).unwrap();
            for s in shares {
                inbox.entry(s.recipient()).or_default().push(s);
            }
            receivers.push(receiver);
        }
        (receivers, inbox)
    }

    pub(crate) fn ceremony(n: u32, t: u32, seed: u64) -> Ceremony {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let params = ThresholdParams::new(n, t).unwrap();
        let polys = polynomials(params, &mut rng);
        let secret = polys.iter().map(|p| p.coefficients[0]).sum();
        let set = commitment_set(&polys, &mut rng);
        let (receivers, inbox) = deal_all(polys, &set);
        let key_shares = receivers
            .iter()
            .map(|r| {
                match r
                    .receive(inbox.get(&r.index()).map_or(&[], Vec::as_slice))
                    .unwrap()
                {
                    KeyShareOutcome::Ready(k) => k,
                    KeyShareOutcome::Complaints(c) => panic!("honest ceremony complained: {c:?}"),
                }
            })
            .collect();
        Ceremony {
            key_shares,
            set,
            secret,
        }
    }

    #[test]
    fn params_are_validated() {
        assert!(ThresholdParams::new(5, 3).is_ok());
        assert!(ThresholdParams::new(1, 1).is_ok());
        assert!(ThresholdParams::new(255, 255).is_ok());
        for (n, t) in [(5, 0), (3, 4), (256, 2), (0, 0)] {
            assert!(matches!(
                ThresholdParams::new(n, t),
                Err(CryptoError::InvalidParameters(_))
            ));
        }
        let p = ThresholdParams::new(3, 2).unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(0);
        assert!(SecretPolynomial::random(p, 0, &mut rng).is_err());
        assert!(SecretPolynomial::random(p, 4, &mut rng).is_err());
        let poly = SecretPolynomial::random(p, 3, &mut rng).unwrap();
        assert!(poly.evaluate(0).is_err());
        assert!(poly.evaluate(4).is_err());
    }

    #[test]
    fn ceremonies_give_consistent_keys() {
        for (n, t) in [(5, 3), (3, 2), (1, 1), (4, 4)] {
            let c = ceremony(n, t, u64::from(n * 10 + t));
            // The joint key is Σ a_i0·G = s·G.
            assert_eq!(
                *c.set.joint_public_key().unwrap().point(),
                &c.secret * g_table()
            );
            let vks = c.set.verification_keys();
            assert_eq!(vks.len(), n as usize);
            for (k, vk) in c.key_shares.iter().zip(&vks) {
                assert_eq!(k.verification_key(), *vk);
                assert_eq!(c.set.verification_key(k.index()).unwrap(), *vk);
            }
            assert!(c.set.verification_key(0).is_err());
            assert!(c.set.verification_key(n + 1).is_err());
        }
    }

    #[test]
    fn bad_missing_or_misaddressed_shares_name_their_dealer() {
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        let params = ThresholdParams::new(5, 3).unwrap();
        let polys = polynomials(params, &mut rng);
        let set = commitment_set(&polys, &mut rng);
        let (receivers, mut inbox) = deal_all(polys, &set);
        let receiver = &receivers[0]; // trustee 1
        let mut shares = inbox.remove(&1).unwrap();
        // Dealer 4 sends a wrong value.
        let bad = shares.iter_mut().find(|s| s.dealer == 4).unwrap();
        bad.value += Scalar::ONE;
        assert_eq!(
            verify_share(set.get(4).unwrap(), bad),
            Err(CryptoError::DealerMisbehaved {
                dealer: 4,
                reason: "secret share fails the Feldman check against the dealer's commitment"
            })
        );
        // Dealer 2 sends nothing; dealer 5 sends a share made for trustee 3.
        shares.retain(|s| s.dealer != 2 && s.dealer != 5);
        let misaddressed = inbox
            .get_mut(&3)
            .unwrap()
            .iter()
            .position(|s| s.dealer == 5)
            .unwrap();
        shares.push(inbox.get_mut(&3).unwrap().remove(misaddressed));
        match receiver.receive(&shares).unwrap() {
            KeyShareOutcome::Complaints(c) => assert_eq!(c, vec![2, 4, 5]),
            KeyShareOutcome::Ready(_) => panic!("bad shares accepted"),
        }
        // A share checked against another dealer's commitment is a caller error.
        assert!(matches!(
            verify_share(set.get(2).unwrap(), &shares[0]),
            Err(CryptoError::InvalidParameters(_))
        ));
    }

    #[test]
    fn collecting_rejects_duplicates_and_strangers() {
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let params = ThresholdParams::new(3, 2).unwrap();
        let polys = polynomials(params, &mut rng);
        let set = commitment_set(&polys[..2], &mut rng); // dealer 3 disqualified
        let stranger = polys[2].evaluate(1).unwrap();
        let (receivers, mut inbox) = deal_all(polys.into_iter().take(2).collect(), &set);
        let shares = inbox.remove(&1).unwrap();
        assert_eq!(shares.len(), 1);
        assert!(matches!(
            receivers[0].receive(&shares).unwrap(),
            KeyShareOutcome::Ready(_)
        ));
        let copy = |s: &SecretShare| SecretShare::from_bytes(&*s.to_bytes()).unwrap();
        for bad in [
            [copy(&shares[0]), stranger],
            [copy(&shares[0]), copy(&shares[0])],
        ] {
            assert!(matches!(
                receivers[0].receive(&bad),
                Err(CryptoError::InvalidParameters(_))
            ));
        }
        // A recipient outside 1..=n.
        assert!(set.collect_key_share(4, &shares).is_err());
    }

    #[test]
    fn commitments_moved_or_damaged_do_not_verify() {
        let mut rng = ChaCha20Rng::seed_from_u64(13);
        let params = ThresholdParams::new(5, 3).unwrap();
        let polys = polynomials(params, &mut rng);
        let honest = polys[1].commit(&CTX, &mut rng).unwrap(); // trustee 2
        honest.verify(&CTX, &params).unwrap();
        let fails = |c: &PolynomialCommitment| {
            assert!(matches!(
                c.verify(&CTX, &params),
                Err(CryptoError::DealerMisbehaved { .. })
            ));
        };
        // Moved to another trustee.
        fails(&PolynomialCommitment {
            trustee: 3,
            ..honest.clone()
        });
        // Coefficients (with their proofs) moved to other coefficient indices.
        let mut swapped = honest.clone();
        swapped.coefficients.swap(0, 1);
        swapped.proofs.swap(0, 1);
        fails(&swapped);
        // Another context.
        assert!(honest.verify(&ContextHash([1; 32]), &params).is_err());
        // Wrong count, out-of-range index, identity coefficient, other key under a proof.
        let mut short = honest.clone();
        short.coefficients.pop();
        short.proofs.pop();
        fails(&short);
        fails(&PolynomialCommitment {
            trustee: 6,
            ..honest.clone()
        });
        let mut identity = honest.clone();
        identity.coefficients[2] = RistrettoPoint::identity();
        fails(&identity);
        let mut other_key = honest.clone();
        other_key.coefficients[1] = &Scalar::random(&mut rng) * g_table();
        fails(&other_key);
        // A copied commitment (rogue dealer reusing trustee 2's) is refused for dealer 4.
        let copied = PolynomialCommitment {
            trustee: 4,
            ..honest.clone()
        };
        fails(&copied);
        // Two commitments for one dealer.
        assert!(matches!(
            CommitmentSet::new(&CTX, params, vec![honest.clone(), honest.clone()]),
            Err(CryptoError::InvalidParameters(_))
        ));
        assert!(CommitmentSet::new(&CTX, params, vec![]).is_err());
    }

    #[test]
    fn deal_refuses_a_set_without_its_own_commitment() {
        let mut rng = ChaCha20Rng::seed_from_u64(14);
        let params = ThresholdParams::new(3, 2).unwrap();
        let polys = polynomials(params, &mut rng);
        let set = commitment_set(&polys, &mut rng);
        // Trustee 1's commitment replaced by one of another polynomial under its index.
        let impostor = SecretPolynomial::random(params, 1, &mut rng).unwrap();
        let mut commitments = set.commitments().to_vec();
        commitments[0] = impostor.commit(&CTX, &mut rng).unwrap();
        let swapped = CommitmentSet::new(&CTX, params, commitments).unwrap();
        let mut polys = polys.into_iter();
        assert!(polys.next().unwrap().deal(swapped).is_err());
        // Without its own commitment at all.
        let others = CommitmentSet::new(&CTX, params, set.commitments()[1..].to_vec()).unwrap();
        let p3 = polys.nth(1).unwrap();
        let other_params = ThresholdParams::new(4, 2).unwrap();
        let wrong_params =
            CommitmentSet::new(&CTX, other_params, set.commitments().to_vec()).unwrap();
        assert!(p3.deal(wrong_params).is_err());
        let p1 = SecretPolynomial::random(params, 1, &mut rng).unwrap();
        assert!(p1.deal(others).is_err());
    }

    #[test]
    fn commitment_layout_round_trips_and_rejects_bad_input() {
        let mut rng = ChaCha20Rng::seed_from_u64(15);
        let params = ThresholdParams::new(5, 3).unwrap();
        let poly = SecretPolynomial::random(params, 2, &mut rng).unwrap();
        let c = poly.commit(&CTX, &mut rng).unwrap();
        let bytes = c.to_bytes();
        assert_eq!(bytes.len(), 8 + 96 * 3);
        assert_eq!(PolynomialCommitment::from_bytes(&bytes).unwrap(), c);
        for len in [0, 7, 8, bytes.len() - 1] {
            assert!(PolynomialCommitment::from_bytes(&bytes[..len]).is_err());
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(PolynomialCommitment::from_bytes(&long).is_err());
        // Counts 0 and 256 are refused, as is a count that disagrees with the length.
        for count in [0u32, 256, 2, 4] {
            let mut m = bytes.clone();
            m[4..8].copy_from_slice(&count.to_be_bytes());
            assert!(PolynomialCommitment::from_bytes(&m).is_err());
        }
        // Non-canonical and identity points, non-canonical scalars.
        for (offset, patch) in [
            (8, [0xff; 32]),
            (8, [0; 32]),
            (40, [0xff; 32]),
            (72, [0xff; 32]),
        ] {
            let mut m = bytes.clone();
            m[offset..offset + 32].copy_from_slice(&patch);
            assert!(
                PolynomialCommitment::from_bytes(&m).is_err(),
                "offset {offset}"
            );
        }
        // Every single-byte flip is caught at decoding or verification.
        for i in 0..bytes.len() {
            let mut m = bytes.clone();
            m[i] ^= 0x01;
            let ok = PolynomialCommitment::from_bytes(&m).and_then(|c| c.verify(&CTX, &params));
            assert!(ok.is_err(), "flip at byte {i} accepted");
        }
    }

    #[test]
    fn secret_layouts_round_trip_and_reject_bad_input() {
        let c = ceremony(3, 2, 16);
        let k = &c.key_shares[1];
        let kb = k.to_bytes();
        assert_eq!(kb.len(), 36);
        let k2 = KeyShare::from_bytes(&*kb).unwrap();
        assert_eq!(k2.index(), 2);
        assert_eq!(k2.secret(), k.secret());
        let mut rng = ChaCha20Rng::seed_from_u64(17);
        let p = SecretPolynomial::random(c.set.params(), 1, &mut rng).unwrap();
        let s = p.evaluate(3).unwrap();
        let sb = s.to_bytes();
        assert_eq!(sb.len(), 40);
        let s2 = SecretShare::from_bytes(&*sb).unwrap();
        assert_eq!((s2.dealer(), s2.recipient(), s2.value), (1, 3, s.value));

        for (bytes, decode) in [
            (
                kb.to_vec(),
                (|b: &[u8]| KeyShare::from_bytes(b).map(|_| ())) as fn(&[u8]) -> Result<()>,
            ),
            (sb.to_vec(), |b: &[u8]| {
                SecretShare::from_bytes(b).map(|_| ())
            }),
        ] {
            assert!(decode(&bytes[..bytes.len() - 1]).is_err());
            let mut long = bytes.clone();
            long.push(0);
            assert!(decode(&long).is_err());
            let n = bytes.len();
            let mut m = bytes.clone();
            m[n - 32..].copy_from_slice(&[0xff; 32]);
            assert_eq!(
                decode(&m),
                Err(CryptoError::NonCanonicalScalar(if n == 36 {
                    "key share"
                } else {
                    "secret share"
                }))
            );
            for index in [0u32, 256] {
                let mut m = bytes.clone();
                m[..4].copy_from_slice(&index.to_be_bytes());
                assert!(matches!(decode(&m), Err(CryptoError::BadLayout { .. })));
            }
        }
        let mut m = sb.to_vec();
        m[4..8].copy_from_slice(&0u32.to_be_bytes());
        assert!(SecretShare::from_bytes(&m).is_err());
    }

    #[test]
    fn debug_never_prints_secrets() {
        let c = ceremony(3, 2, 18);
        let k = &c.key_shares[0];
        let mut rng = ChaCha20Rng::seed_from_u64(19);
        let p = SecretPolynomial::random(c.set.params(), 1, &mut rng).unwrap();
        let s = p.evaluate(2).unwrap();
        for (text, secret) in [
            (format!("{k:?}"), *k.secret()),
            (format!("{p:?}"), p.coefficients[0]),
            (format!("{s:?}"), s.value),
        ] {
            assert!(text.contains("<secret>"));
            assert!(!text.contains(&hex::encode(secret.as_bytes())));
            assert!(!text.contains(&format!("{:?}", secret.as_bytes())));
        }
    }
}
