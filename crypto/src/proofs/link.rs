//! ElGamal–Pedersen link: an ElGamal ciphertext and a Pedersen commitment hold the same value.
//!
//! Bulletproofs prove ranges of *Pedersen commitments* `C = v·G + s·H`, while ballots carry
//! *ElGamal ciphertexts* `(α, β) = (r·G, v·G + r·Y)`. This sigma protocol bridges the two: it
//! proves knowledge of `(v, r, s)` with
//!
//! ```text
//! α = r·G,    β = v·G + r·Y,    C = v·G + s·H
//! ```
//!
//! (a conjunction of three linear relations sharing the witnesses, i.e. a Schnorr proof of a
//! preimage of the group homomorphism `(v, r, s) ↦ (r·G, v·G + r·Y, v·G + s·H)`).
//!
//! `H` is [`crate::group::h`], whose logarithm to `G` nobody knows. It must never be the
//! election key `Y`: the trustees together know `log_G Y`, so a commitment blinded with `Y`
//! would not bind them to `v`. With an independent `H`, `C` binds everybody to `v`, and since
//! `α` fixes `r` and `β − r·Y = v·G`, the `v` extracted from an accepting prover is the
//! plaintext of the ciphertext even for someone who knows `log_G Y`.
//!
//! # Protocol
//!
//! Prover: random nonces `w_v, w_r, w_s`;
//! `A1 = w_r·G`, `A2 = w_v·G + w_r·Y`, `A3 = w_v·G + w_s·H`; challenge `c` from the transcript;
//! responses `z_v = w_v + c·v`, `z_r = w_r + c·r`, `z_s = w_s + c·s`.
//!
//! Verifier (compact form): recompute `A1 = z_r·G − c·α`, `A2 = z_v·G + z_r·Y − c·β`,
//! `A3 = z_v·G + z_s·H − c·C`, recompute the challenge from them and accept iff it equals `c`.
//!
//! The compact form `(c, z_v, z_r, z_s)` (128 bytes) is used rather than the batchable form
//! `(A1, A2, A3, z_v, z_r, z_s)` (192 bytes): ballots are stored and sent by the million,
//! while a contest has only a handful of links whose verification cost is dwarfed by the
//! Bulletproofs verification next to them, so batching would save little.
//!
//! # Transcript
//!
//! `proof_transcript(context, b"elgamal-pedersen-link v1")`, then the statement through
//! [`RangeStatement::append_to`] (`pk`, `nonce`, `district`, `contest`, `subject`, `lo`, `hi`,
//! `alpha`, `beta`), then `C`, then `A1`, `A2`, `A3`, then the challenge `c`.

use core::fmt;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::elgamal::Nonce;
use crate::encoding::{put_scalar, Reader, SCALAR_LEN};
use crate::error::{CryptoError, Result};
use crate::group::{g_table, h, ContextHash, G};
use crate::proofs::RangeStatement;
use crate::transcript::{proof_transcript, TranscriptProtocol};

/// Domain separator of the link proof's transcript.
pub const LINK_DOMAIN: &[u8] = b"elgamal-pedersen-link v1";

/// Length of an encoded [`LinkProof`].
pub const LINK_PROOF_LEN: usize = 4 * SCALAR_LEN;

/// The Pedersen commitment `value·G + blinding·H` (constant time in both).
pub fn pedersen_commit(value: &Scalar, blinding: &Scalar) -> RistrettoPoint {
    value * g_table() + blinding * h()
}

/// What the link prover knows: the value `v`, the encryption randomness `r` and the
/// commitment's blinding `s`. Secret: zeroized on drop, never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct LinkWitness {
    v: Scalar,
    r: Scalar,
    s: Scalar,
}

impl fmt::Debug for LinkWitness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkWitness(<secret>)")
    }
}

impl LinkWitness {
    /// The witness for a ciphertext of `value` made with `nonce`, committed with `blinding`.
    pub fn new(value: u64, nonce: &Nonce, blinding: &Scalar) -> Self {
        LinkWitness {
            v: Scalar::from(value),
            r: *nonce.scalar(),
            s: *blinding,
        }
    }

    /// A witness with an arbitrary scalar value (e.g. `−1`), for forging attempts in tests.
    #[cfg(test)]
    pub(crate) fn from_scalars(v: Scalar, r: Scalar, s: Scalar) -> Self {
        LinkWitness { v, r, s }
    }
}

/// Proof that `statement.ciphertext` and the commitment `C` hold the same value (see the
/// module docs for the math and the transcript).
///
/// # Transcript
///
/// `proof_transcript(context, b"elgamal-pedersen-link v1")`, then `pk`, `nonce`, `district`,
/// `contest`, `subject`, `lo`, `hi`, `alpha`, `beta` ([`RangeStatement::append_to`]), then
/// `C`, `A1`, `A2`, `A3`, then the challenge `c`.
///
/// # Layout
///
/// 128 bytes: `c ‖ z_v ‖ z_r ‖ z_s`, four canonical 32-byte scalars (offsets 0, 32, 64, 96).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkProof {
    c: Scalar,
    z_v: Scalar,
    z_r: Scalar,
    z_s: Scalar,
}

/// The Fiat–Shamir challenge over the whole statement and the prover's commitments.
fn challenge(
    context: &ContextHash,
    statement: &RangeStatement<'_>,
    commitment: &RistrettoPoint,
    a: [&RistrettoPoint; 3],
) -> Scalar {
    let mut t = proof_transcript(context, LINK_DOMAIN);
    statement.append_to(&mut t);
    t.append_point(b"C", commitment);
    let [a1, a2, a3] = a;
    t.append_point(b"A1", a1);
    t.append_point(b"A2", a2);
    t.append_point(b"A3", a3);
    t.challenge_scalar(b"c")
}

impl LinkProof {
    /// Proves that `statement.ciphertext` and `commitment` both hold the witness's value.
    ///
    /// Refuses (`InvalidParameters`) a witness that does not open both, so that a bug upstream
    /// surfaces here rather than as a proof that fails verification later. The value's range is
    /// not checked here: that is the range proof's job.
    pub fn prove<R: RngCore + CryptoRng>(
        context: &ContextHash,
        statement: &RangeStatement<'_>,
        commitment: &RistrettoPoint,
        witness: &LinkWitness,
        rng: &mut R,
    ) -> Result<Self> {
        let pk = statement.public_key;
        let ct = &statement.ciphertext;
        let opens = ct.alpha() == &witness.r * g_table()
            && ct.beta() == &witness.v * g_table() + pk.mul(&witness.r)
            && *commitment == pedersen_commit(&witness.v, &witness.s);
        if !opens {
            return Err(CryptoError::InvalidParameters(
                "link witness does not open the ciphertext and the commitment".into(),
            ));
        }

        let w_v = Zeroizing::new(Scalar::random(rng));
        let w_r = Zeroizing::new(Scalar::random(rng));
        let w_s = Zeroizing::new(Scalar::random(rng));
        let w_v_g = &*w_v * g_table();
        let a1 = &*w_r * g_table();
        let a2 = w_v_g + pk.mul(&w_r);
        let a3 = w_v_g + *w_s * h();

        let c = challenge(context, statement, commitment, [&a1, &a2, &a3]);
        Ok(LinkProof {
            c,
            z_v: *w_v + c * witness.v,
            z_r: *w_r + c * witness.r,
            z_s: *w_s + c * witness.s,
        })
    }

    /// Checks the proof against `statement` and `commitment` (variable time: public data only).
    pub fn verify(
        &self,
        context: &ContextHash,
        statement: &RangeStatement<'_>,
        commitment: &RistrettoPoint,
    ) -> Result<()> {
        let ct = &statement.ciphertext;
        let minus_c = -self.c;
        let a1 =
            RistrettoPoint::vartime_double_scalar_mul_basepoint(&minus_c, &ct.alpha(), &self.z_r);
        let a2 = RistrettoPoint::vartime_multiscalar_mul(
            [self.z_v, self.z_r, minus_c],
            [G, *statement.public_key.point(), ct.beta()],
        );
        let a3 = RistrettoPoint::vartime_multiscalar_mul(
            [self.z_v, self.z_s, minus_c],
            [G, h(), *commitment],
        );
        if challenge(context, statement, commitment, [&a1, &a2, &a3]) == self.c {
            Ok(())
        } else {
            Err(CryptoError::InvalidProof("ElGamal–Pedersen link proof"))
        }
    }

    /// The 128-byte encoding (see `# Layout`).
    pub fn to_bytes(&self) -> [u8; LINK_PROOF_LEN] {
        let mut out = Vec::with_capacity(LINK_PROOF_LEN);
        self.write(&mut out);
        let mut arr = [0u8; LINK_PROOF_LEN];
        arr.copy_from_slice(&out);
        arr
    }

    /// Appends the 128-byte encoding.
    pub fn write(&self, out: &mut Vec<u8>) {
        for s in [&self.c, &self.z_v, &self.z_r, &self.z_s] {
            put_scalar(out, s);
        }
    }

    /// Decodes exactly 128 bytes (canonical scalars, no trailing bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != LINK_PROOF_LEN {
            return Err(CryptoError::WrongLength {
                what: "link proof",
                expected: LINK_PROOF_LEN,
                actual: bytes.len(),
            });
        }
        let mut r = Reader::new(bytes, "link proof");
        let proof = Self::read(&mut r)?;
        r.finish()?;
        Ok(proof)
    }

    /// Reads the four scalars from a layout.
    pub fn read(r: &mut Reader<'_>) -> Result<Self> {
        Ok(LinkProof {
            c: r.scalar()?,
            z_v: r.scalar()?,
            z_r: r.scalar()?,
            z_s: r.scalar()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elgamal::{Ciphertext, PublicKey};
    use crate::proofs::RangeSubject;
    use crate::transcript::ContestPosition;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    struct Fixture {
        context: ContextHash,
        pk: PublicKey,
        position: ContestPosition,
        ciphertext: Ciphertext,
        commitment: RistrettoPoint,
        proof: LinkProof,
    }

    impl Fixture {
        fn statement(&self) -> RangeStatement<'_> {
            RangeStatement {
                public_key: &self.pk,
                position: &self.position,
                subject: RangeSubject::Selection(2),
                lo: 0,
                hi: 10,
                ciphertext: self.ciphertext,
            }
        }
    }

    fn position() -> ContestPosition {
        ContestPosition {
            nonce: [7; 32],
            district: "d1".into(),
            contest: "c1".into(),
        }
    }

    fn fixture(seed: u64, v: u64) -> Fixture {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let pk = PublicKey::from_point(&Scalar::random(&mut rng) * g_table()).unwrap();
        let nonce = Nonce::random(&mut rng);
        let blinding = Scalar::random(&mut rng);
        let ciphertext = Ciphertext::encrypt(&pk, v, &nonce);
        let commitment = pedersen_commit(&Scalar::from(v), &blinding);
        let mut f = Fixture {
            context: ContextHash([3; 32]),
            pk,
            position: position(),
            ciphertext,
            commitment,
            proof: LinkProof {
                c: Scalar::ZERO,
                z_v: Scalar::ZERO,
                z_r: Scalar::ZERO,
                z_s: Scalar::ZERO,
            },
        };
        let witness = LinkWitness::new(v, &nonce, &blinding);
        f.proof = LinkProof::prove(
            &f.context,
            &f.statement(),
            &f.commitment,
            &witness,
            &mut rng,
        )
        .unwrap();
        f
    }

    #[test]
    fn honest_proof_verifies_and_round_trips() {
        let f = fixture(1, 7);
        f.proof
            .verify(&f.context, &f.statement(), &f.commitment)
            .unwrap();
        let bytes = f.proof.to_bytes();
        assert_eq!(LinkProof::from_bytes(&bytes).unwrap(), f.proof);
        assert!(LinkProof::from_bytes(&bytes[..127]).is_err());
        let mut long = bytes.to_vec();
        long.push(0);
        assert!(LinkProof::from_bytes(&long).is_err());
    }

    #[test]
    fn every_single_byte_mutation_is_rejected() {
        let f = fixture(2, 3);
        let bytes = f.proof.to_bytes();
        for pos in 0..LINK_PROOF_LEN {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut m = bytes;
                m[pos] ^= flip;
                let ok = LinkProof::from_bytes(&m)
                    .and_then(|p| p.verify(&f.context, &f.statement(), &f.commitment));
                assert!(ok.is_err(), "byte {pos} ^ {flip:#x} accepted");
            }
        }
    }

    #[test]
    fn other_statements_are_rejected() {
        let f = fixture(3, 5);
        let other = fixture(4, 5);
        let check = |s: &RangeStatement<'_>, c: &RistrettoPoint, ctx: &ContextHash| {
            assert_eq!(
                f.proof.verify(ctx, s, c),
                Err(CryptoError::InvalidProof("ElGamal–Pedersen link proof"))
            );
        };
        let base = f.statement();
        check(&base, &f.commitment, &ContextHash([4; 32]));
        check(&base, &other.commitment, &f.context);
        check(
            &RangeStatement {
                public_key: &other.pk,
                ..base
            },
            &f.commitment,
            &f.context,
        );
        check(
            &RangeStatement {
                ciphertext: other.ciphertext,
                ..base
            },
            &f.commitment,
            &f.context,
        );
        for pos in [
            ContestPosition {
                nonce: [8; 32],
                ..position()
            },
            ContestPosition {
                district: "d2".into(),
                ..position()
            },
            ContestPosition {
                contest: "c2".into(),
                ..position()
            },
        ] {
            check(
                &RangeStatement {
                    position: &pos,
                    ..base
                },
                &f.commitment,
                &f.context,
            );
        }
        for subject in [RangeSubject::Selection(1), RangeSubject::Sum] {
            check(
                &RangeStatement { subject, ..base },
                &f.commitment,
                &f.context,
            );
        }
        check(&RangeStatement { lo: 1, ..base }, &f.commitment, &f.context);
        check(
            &RangeStatement { hi: 11, ..base },
            &f.commitment,
            &f.context,
        );
    }

    #[test]
    fn prover_refuses_a_witness_that_does_not_open_the_statement() {
        let f = fixture(5, 4);
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let wrong = LinkWitness::new(4, &Nonce::random(&mut rng), &Scalar::ONE);
        assert!(matches!(
            LinkProof::prove(&f.context, &f.statement(), &f.commitment, &wrong, &mut rng),
            Err(CryptoError::InvalidParameters(_))
        ));
    }

    #[test]
    fn witness_debug_hides_secrets() {
        let w = LinkWitness::from_scalars(Scalar::ONE, Scalar::ONE, Scalar::ONE);
        assert_eq!(format!("{w:?}"), "LinkWitness(<secret>)");
    }
}
