//! Schnorr proof of knowledge of a discrete logarithm, for key-ceremony commitments.
//!
//! Statement: a point `K`, and where it sits in the key ceremony (the trustee that published
//! it and the index of the polynomial coefficient it commits to). Witness: `k` with
//! `K = k·G`.
//!
//! The prover draws a nonce `w`, commits `R = w·G`, draws the challenge
//! `c = H(context, statement, R)` from the transcript and answers `z = w + c·k`. The proof is
//! kept in compact form `(c, z)`: the verifier recomputes `R = z·G − c·K` and accepts iff the
//! transcript, fed the same statement and this `R`, yields the same `c`. Why the position is
//! in the statement: without it, a trustee could copy another trustee's commitment and proof
//! (or reorder its own coefficients) and still pass, which breaks the independence the joint
//! key relies on (rogue-key attacks).
//!
//! The compact `(c, z)` form is shared with the Chaum–Pedersen proof ([`super::dleq`]),
//! which is this protocol run in two bases at once: the crate-private `CompactProof` holds the common
//! encoding and the hedged nonce derivation.
//!
//! See `docs/crypto-spec.md` §8.1.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::encoding::{Reader, SCALAR_LEN};
use crate::error::{CryptoError, Result};
use crate::group::{g_table, ContextHash, Point};
use crate::transcript::{proof_transcript, TranscriptProtocol};

/// Domain separator of the Schnorr transcript.
pub const SCHNORR_DOMAIN: &[u8] = b"schnorr-pok v1";

/// Length of an encoded compact proof `c ‖ z` (Schnorr and DLEQ alike).
pub const COMPACT_PROOF_LEN: usize = 2 * SCALAR_LEN;

/// Length of an encoded [`SchnorrProof`].
pub const SCHNORR_PROOF_LEN: usize = COMPACT_PROOF_LEN;

/// A sigma proof in compact form: the challenge `c` and the response `z`. The prover's
/// commitments are not sent; the verifier recomputes them from `(c, z)` and the statement and
/// re-derives the challenge, so the proof is two scalars whatever the number of bases.
///
/// # Layout
///
/// | offset | length | field |
/// |---|---|---|
/// | 0 | 32 | `c`, canonical scalar |
/// | 32 | 32 | `z`, canonical scalar |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CompactProof {
    /// The challenge `c`.
    pub(crate) challenge: Scalar,
    /// The response `z = w + c·witness`.
    pub(crate) response: Scalar,
}

impl CompactProof {
    /// Runs the prover's side: `commit(w)` returns the commitments to absorb for nonce `w`
    /// (after the statement, which the caller has absorbed into `t`). The nonce is hedged
    /// (merlin's `TranscriptRng`: the transcript so far, the witness and `rng` together), so
    /// neither a weak `rng` nor a replayed statement repeats it, and it zeroizes on drop.
    pub(crate) fn prove<F>(
        mut t: Transcript,
        witness: &Scalar,
        rng: &mut (impl RngCore + CryptoRng),
        commit: F,
    ) -> CompactProof
    where
        F: FnOnce(&Scalar, &mut Transcript),
    {
        let mut nonce_rng = t
            .build_rng()
            .rekey_with_witness_bytes(b"witness", witness.as_bytes())
            .finalize(rng);
        let w = Zeroizing::new(Scalar::random(&mut nonce_rng));
        commit(&w, &mut t);
        let challenge = t.challenge_scalar(b"c");
        CompactProof {
            challenge,
            response: *w + challenge * witness,
        }
    }

    /// Accepts iff `t` (the statement and the recomputed commitments absorbed) yields `c`.
    pub(crate) fn check(&self, mut t: Transcript, what: &'static str) -> Result<()> {
        if t.challenge_scalar(b"c") == self.challenge {
            Ok(())
        } else {
            Err(CryptoError::InvalidProof(what))
        }
    }

    /// `c ‖ z`.
    pub(crate) fn to_bytes(self) -> [u8; COMPACT_PROOF_LEN] {
        let mut out = [0u8; COMPACT_PROOF_LEN];
        out[..SCALAR_LEN].copy_from_slice(self.challenge.as_bytes());
        out[SCALAR_LEN..].copy_from_slice(self.response.as_bytes());
        out
    }

    /// Reads `c ‖ z` (canonical scalars) from a layout.
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<CompactProof> {
        Ok(CompactProof {
            challenge: r.scalar()?,
            response: r.scalar()?,
        })
    }

    /// Decodes exactly [`COMPACT_PROOF_LEN`] bytes.
    pub(crate) fn from_bytes(bytes: &[u8], what: &'static str) -> Result<CompactProof> {
        if bytes.len() != COMPACT_PROOF_LEN {
            return Err(CryptoError::WrongLength {
                what,
                expected: COMPACT_PROOF_LEN,
                actual: bytes.len(),
            });
        }
        let mut r = Reader::new(bytes, what);
        let proof = Self::read(&mut r)?;
        r.finish()?;
        Ok(proof)
    }
}

/// "I know `log_G public`", for coefficient `coefficient` of trustee `trustee`'s key-ceremony
/// polynomial. Every field is absorbed, so a proof moved to another trustee or another
/// coefficient does not verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchnorrStatement {
    /// The point `K = k·G`.
    pub public: Point,
    /// Index of the trustee whose commitment this is (1-based).
    pub trustee: u32,
    /// Index `k` of the polynomial coefficient (0 = the constant term).
    pub coefficient: u32,
}

impl SchnorrStatement {
    /// Absorbs the statement, in this order: `trustee`, `coefficient`, `K`.
    pub fn append_to(&self, t: &mut Transcript) {
        t.append_int(b"trustee", u64::from(self.trustee));
        t.append_int(b"coefficient", u64::from(self.coefficient));
        t.append_point(b"K", &self.public);
    }

    fn transcript(&self, context: &ContextHash) -> Transcript {
        let mut t = proof_transcript(context, SCHNORR_DOMAIN);
        self.append_to(&mut t);
        t
    }
}

/// Schnorr proof of knowledge of `k` with `K = k·G`, in compact form.
///
/// # Transcript
///
/// `proof_transcript(context, b"schnorr-pok v1")`, then `trustee` (u64), `coefficient` (u64),
/// `K`, then the commitment `R = w·G`, then the challenge `c` (64 bytes, reduced).
///
/// # Layout
///
/// 64 bytes: `c` (32, canonical scalar) ‖ `z` (32, canonical scalar).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchnorrProof(CompactProof);

impl SchnorrProof {
    /// Proves knowledge of `secret` with `statement.public = secret·G`. A secret that does not
    /// match is refused ([`CryptoError::InvalidParameters`]) rather than yielding a proof that
    /// would not verify.
    pub fn prove(
        context: &ContextHash,
        statement: &SchnorrStatement,
        secret: &Scalar,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<SchnorrProof> {
        if secret * g_table() != statement.public {
            return Err(CryptoError::InvalidParameters(
                "Schnorr prover: the secret is not the logarithm of the public point".into(),
            ));
        }
        let t = statement.transcript(context);
        Ok(SchnorrProof(CompactProof::prove(t, secret, rng, |w, t| {
            t.append_point(b"R", &(w * g_table()));
        })))
    }

    /// Verifies against `statement`: recomputes `R = z·G − c·K` (variable time: all public)
    /// and checks that the transcript yields `c`.
    pub fn verify(&self, context: &ContextHash, statement: &SchnorrStatement) -> Result<()> {
        let CompactProof {
            challenge,
            response,
        } = self.0;
        let r = RistrettoPoint::vartime_double_scalar_mul_basepoint(
            &-challenge,
            &statement.public,
            &response,
        );
        let mut t = statement.transcript(context);
        t.append_point(b"R", &r);
        self.0.check(t, "Schnorr proof of knowledge")
    }

    /// The 64-byte encoding `c ‖ z`.
    pub fn to_bytes(&self) -> [u8; SCHNORR_PROOF_LEN] {
        self.0.to_bytes()
    }

    /// Appends the 64-byte encoding to a layout.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bytes());
    }

    /// Reads the 64-byte encoding from a layout.
    pub fn read(r: &mut Reader<'_>) -> Result<SchnorrProof> {
        CompactProof::read(r).map(SchnorrProof)
    }

    /// Decodes exactly 64 bytes (canonical scalars).
    pub fn from_bytes(bytes: &[u8]) -> Result<SchnorrProof> {
        CompactProof::from_bytes(bytes, "Schnorr proof").map(SchnorrProof)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    const CTX: ContextHash = ContextHash([7; 32]);

    fn setup(seed: u64) -> (Scalar, SchnorrStatement, SchnorrProof) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let k = Scalar::random(&mut rng);
        let st = SchnorrStatement {
            public: &k * g_table(),
            trustee: 3,
            coefficient: 1,
        };
        let proof = SchnorrProof::prove(&CTX, &st, &k, &mut rng).unwrap();
        (k, st, proof)
    }

    #[test]
    fn honest_proof_verifies_and_round_trips() {
        let (_, st, proof) = setup(1);
        proof.verify(&CTX, &st).unwrap();
        let bytes = proof.to_bytes();
        assert_eq!(bytes.len(), 64);
        assert_eq!(SchnorrProof::from_bytes(&bytes).unwrap(), proof);
    }

    #[test]
    fn every_single_byte_flip_is_rejected() {
        let (_, st, proof) = setup(2);
        let bytes = proof.to_bytes();
        for i in 0..bytes.len() {
            for bit in [0x01u8, 0x80] {
                let mut m = bytes;
                m[i] ^= bit;
                let ok = SchnorrProof::from_bytes(&m).and_then(|p| p.verify(&CTX, &st));
                assert!(ok.is_err(), "flip at byte {i} accepted");
            }
        }
    }

    #[test]
    fn other_statement_is_rejected() {
        let (_, st, proof) = setup(3);
        let mut rng = ChaCha20Rng::seed_from_u64(99);
        let other_key = SchnorrStatement {
            public: &Scalar::random(&mut rng) * g_table(),
            ..st
        };
        let other_trustee = SchnorrStatement { trustee: 4, ..st };
        let other_coefficient = SchnorrStatement {
            coefficient: 0,
            ..st
        };
        for bad in [other_key, other_trustee, other_coefficient] {
            assert_eq!(
                proof.verify(&CTX, &bad),
                Err(CryptoError::InvalidProof("Schnorr proof of knowledge"))
            );
        }
        assert!(proof.verify(&ContextHash([8; 32]), &st).is_err());
    }

    #[test]
    fn wrong_witness_is_refused_and_forgery_fails() {
        let (k, st, _) = setup(4);
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        assert!(matches!(
            SchnorrProof::prove(&CTX, &st, &(k + Scalar::ONE), &mut rng),
            Err(CryptoError::InvalidParameters(_))
        ));
        // A proof made with a random "response" and challenge does not verify.
        let forged = SchnorrProof(CompactProof {
            challenge: Scalar::random(&mut rng),
            response: Scalar::random(&mut rng),
        });
        assert!(forged.verify(&CTX, &st).is_err());
    }

    #[test]
    fn decoding_rejects_bad_lengths_and_non_canonical_scalars() {
        let (_, _, proof) = setup(6);
        let bytes = proof.to_bytes();
        assert!(matches!(
            SchnorrProof::from_bytes(&bytes[..63]),
            Err(CryptoError::WrongLength { .. })
        ));
        let mut long = bytes.to_vec();
        long.push(0);
        assert!(matches!(
            SchnorrProof::from_bytes(&long),
            Err(CryptoError::WrongLength { .. })
        ));
        for half in 0..2 {
            let mut m = bytes;
            m[32 * half..32 * half + 32].copy_from_slice(&[0xff; 32]);
            assert!(matches!(
                SchnorrProof::from_bytes(&m),
                Err(CryptoError::NonCanonicalScalar(_))
            ));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn honest_proofs_verify(seed: u64, trustee in 1u32..=255, coefficient in 0u32..255) {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let k = Scalar::random(&mut rng);
            let st = SchnorrStatement { public: &k * g_table(), trustee, coefficient };
            let proof = SchnorrProof::prove(&CTX, &st, &k, &mut rng).unwrap();
            prop_assert!(proof.verify(&CTX, &st).is_ok());
        }
    }
}
