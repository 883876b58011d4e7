//! Chaum–Pedersen proof of equal discrete logarithms, for decryption shares.
//!
//! A trustee `j` with key share `s_j` and verification key `X = Y_j = s_j·G` publishes, for an
//! aggregate ciphertext `(α, β)`, the decryption share `D = s_j·α`. The proof shows
//! `log_G X = log_A D` with `A = α`, so the share was made with the key the ceremony fixed.
//!
//! The prover draws a nonce `w`, commits `R_G = w·G` and `R_A = w·A`, draws
//! `c = H(context, statement, R_G, R_A)` and answers `z = w + c·s_j`. Compact form `(c, z)`:
//! the verifier recomputes `R_G = z·G − c·X`, `R_A = z·A − c·D` and checks the challenge.
//!
//! The statement ([`DleqStatement`]) is the whole decryption-share claim: the trustee index,
//! the tally position (district, contest, selection), `X`, the whole aggregate `(α, β)` and
//! `D`. A share copied to another position, another trustee or another aggregate therefore
//! does not verify.
//!
//! See `docs/crypto-spec.md` §8.2.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};

use super::schnorr::{CompactProof, COMPACT_PROOF_LEN};
use crate::elgamal::Ciphertext;
use crate::encoding::Reader;
use crate::error::{CryptoError, Result};
use crate::group::{g_table, ContextHash, Point};
use crate::transcript::{proof_transcript, TranscriptProtocol};

/// Domain separator of the DLEQ transcript.
pub const DLEQ_DOMAIN: &[u8] = b"dleq v1";

/// Length of an encoded [`DleqProof`].
pub const DLEQ_PROOF_LEN: usize = COMPACT_PROOF_LEN;

/// Which tallied ciphertext a decryption share speaks about: the aggregate of selection
/// `selection` of contest `contest` in district `district`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TallyPosition {
    /// District id from the manifest.
    pub district: String,
    /// Contest id from the manifest.
    pub contest: String,
    /// Selection index (candidate order of the manifest, from 0).
    pub selection: u32,
}

impl TallyPosition {
    /// Absorbs the position: `district`, `contest`, `selection`.
    pub fn append_to(&self, t: &mut Transcript) {
        t.append_bytes(b"district", self.district.as_bytes());
        t.append_bytes(b"contest", self.contest.as_bytes());
        t.append_int(b"selection", u64::from(self.selection));
    }
}

/// "`share = s·α` (α of the aggregate) for the `s` with `verification_key = s·G`", made by trustee
/// `trustee` at `position`.
#[derive(Clone, Copy, Debug)]
pub struct DleqStatement<'a> {
    /// The trustee index `j` (1-based).
    pub trustee: u32,
    /// District, contest and selection of the aggregate.
    pub position: &'a TallyPosition,
    /// `X = Y_j`, the trustee's verification key.
    pub verification_key: Point,
    /// The aggregate ciphertext `(α, β)`; `A = α`.
    pub aggregate: Ciphertext,
    /// `D`, the decryption share.
    pub share: Point,
}

impl DleqStatement<'_> {
    /// Absorbs the whole statement, in this order: `trustee`, the position (`district`,
    /// `contest`, `selection`), `X`, `alpha`, `beta`, `D`.
    pub fn append_to(&self, t: &mut Transcript) {
        t.append_int(b"trustee", u64::from(self.trustee));
        self.position.append_to(t);
        t.append_point(b"X", &self.verification_key);
        t.append_ciphertext(&self.aggregate);
        t.append_point(b"D", &self.share);
    }

    fn transcript(&self, context: &ContextHash) -> Transcript {
        let mut t = proof_transcript(context, DLEQ_DOMAIN);
        self.append_to(&mut t);
        t
    }
}

/// Chaum–Pedersen proof that `log_G X = log_A D`, in compact form.
///
/// # Transcript
///
/// `proof_transcript(context, b"dleq v1")`, then `trustee` (u64), `district`, `contest`,
/// `selection` (u64), `X`, `alpha`, `beta`, `D`, then the commitments `R_G = w·G`,
/// `R_A = w·A`, then the challenge `c`.
///
/// # Layout
///
/// 64 bytes: `c` (32, canonical scalar) ‖ `z` (32, canonical scalar).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DleqProof(CompactProof);

impl DleqProof {
    /// Proves the statement with `secret` (`X = secret·G`, `D = secret·A`). A secret that does
    /// not match both is refused ([`CryptoError::InvalidParameters`]). Constant time in
    /// `secret` and the nonce.
    pub fn prove(
        context: &ContextHash,
        statement: &DleqStatement<'_>,
        secret: &Scalar,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<DleqProof> {
        let a = statement.aggregate.alpha();
        if secret * g_table() != statement.verification_key || secret * a != statement.share {
            return Err(CryptoError::InvalidParameters(
                "DLEQ prover: the secret is not the common logarithm of X and D".into(),
            ));
        }
        let t = statement.transcript(context);
        Ok(DleqProof(CompactProof::prove(t, secret, rng, |w, t| {
            t.append_point(b"R_G", &(w * g_table()));
            t.append_point(b"R_A", &(w * a));
        })))
    }

    /// Verifies against `statement`: recomputes `R_G = z·G − c·X`, `R_A = z·A − c·D` (variable
    /// time: all public) and checks that the transcript yields `c`.
    pub fn verify(&self, context: &ContextHash, statement: &DleqStatement<'_>) -> Result<()> {
        let CompactProof {
            challenge,
            response,
        } = self.0;
        let r_g = RistrettoPoint::vartime_double_scalar_mul_basepoint(
            &-challenge,
            &statement.verification_key,
            &response,
        );
        let r_a = RistrettoPoint::vartime_multiscalar_mul(
            [response, -challenge],
            [statement.aggregate.alpha(), statement.share],
        );
        let mut t = statement.transcript(context);
        t.append_point(b"R_G", &r_g);
        t.append_point(b"R_A", &r_a);
        self.0.check(t, "decryption share proof (DLEQ)")
    }

    /// The 64-byte encoding `c ‖ z`.
    pub fn to_bytes(&self) -> [u8; DLEQ_PROOF_LEN] {
        self.0.to_bytes()
    }

    /// Reads the 64-byte encoding from a layout.
    pub fn read(r: &mut Reader<'_>) -> Result<DleqProof> {
        CompactProof::read(r).map(DleqProof)
    }

    /// Decodes exactly 64 bytes (canonical scalars).
    pub fn from_bytes(bytes: &[u8]) -> Result<DleqProof> {
        CompactProof::from_bytes(bytes, "DLEQ proof").map(DleqProof)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elgamal::{Nonce, PublicKey};
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    const CTX: ContextHash = ContextHash([3; 32]);

    fn position() -> TallyPosition {
        TallyPosition {
            district: "d1".into(),
            contest: "mayor".into(),
            selection: 2,
        }
    }

    fn random_point(rng: &mut ChaCha20Rng) -> Point {
        &Scalar::random(rng) * g_table()
    }

    /// A trustee secret, an aggregate under some election key, and the honest statement.
    fn setup(seed: u64, pos: &TallyPosition) -> (Scalar, DleqStatement<'_>, DleqProof) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let s = Scalar::random(&mut rng);
        let pk = PublicKey::from_point(random_point(&mut rng)).unwrap();
        let aggregate = Ciphertext::encrypt(&pk, 5, &Nonce::random(&mut rng));
        let st = DleqStatement {
            trustee: 2,
            position: pos,
            verification_key: &s * g_table(),
            aggregate,
            share: s * aggregate.alpha(),
        };
        let proof = DleqProof::prove(&CTX, &st, &s, &mut rng).unwrap();
        (s, st, proof)
    }

    #[test]
    fn honest_proof_verifies_and_round_trips() {
        let pos = position();
        let (_, st, proof) = setup(1, &pos);
        proof.verify(&CTX, &st).unwrap();
        let bytes = proof.to_bytes();
        assert_eq!(bytes.len(), 64);
        assert_eq!(DleqProof::from_bytes(&bytes).unwrap(), proof);
    }

    #[test]
    fn every_single_byte_flip_is_rejected() {
        let pos = position();
        let (_, st, proof) = setup(2, &pos);
        let bytes = proof.to_bytes();
        for i in 0..bytes.len() {
            for bit in [0x01u8, 0x80] {
                let mut m = bytes;
                m[i] ^= bit;
                let ok = DleqProof::from_bytes(&m).and_then(|p| p.verify(&CTX, &st));
                assert!(ok.is_err(), "flip at byte {i} accepted");
            }
        }
    }

    #[test]
    fn every_statement_field_matters() {
        let pos = position();
        let (_, st, proof) = setup(3, &pos);
        let mut rng = ChaCha20Rng::seed_from_u64(42);
        let other_district = TallyPosition {
            district: "d2".into(),
            ..position()
        };
        let other_contest = TallyPosition {
            contest: "council".into(),
            ..position()
        };
        let other_selection = TallyPosition {
            selection: 3,
            ..position()
        };
        let bad = [
            DleqStatement { trustee: 3, ..st },
            DleqStatement {
                position: &other_district,
                ..st
            },
            DleqStatement {
                position: &other_contest,
                ..st
            },
            DleqStatement {
                position: &other_selection,
                ..st
            },
            DleqStatement {
                verification_key: random_point(&mut rng),
                ..st
            },
            DleqStatement {
                aggregate: Ciphertext::new(random_point(&mut rng), st.aggregate.beta()),
                ..st
            },
            DleqStatement {
                aggregate: Ciphertext::new(st.aggregate.alpha(), random_point(&mut rng)),
                ..st
            },
            DleqStatement {
                share: random_point(&mut rng),
                ..st
            },
        ];
        for (i, b) in bad.iter().enumerate() {
            assert_eq!(
                proof.verify(&CTX, b),
                Err(CryptoError::InvalidProof("decryption share proof (DLEQ)")),
                "statement variant {i} accepted"
            );
        }
        assert!(proof.verify(&ContextHash([4; 32]), &st).is_err());
    }

    #[test]
    fn a_wrong_share_cannot_be_proved_or_forged() {
        let pos = position();
        let (s, st, proof) = setup(4, &pos);
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        // D made with another secret than X's: the prover refuses, for either secret.
        let cheat = DleqStatement {
            share: (s + Scalar::ONE) * st.aggregate.alpha(),
            ..st
        };
        for secret in [s, s + Scalar::ONE] {
            assert!(matches!(
                DleqProof::prove(&CTX, &cheat, &secret, &mut rng),
                Err(CryptoError::InvalidParameters(_))
            ));
        }
        // The honest proof does not cover the wrong share, nor does a random (c, z).
        assert!(proof.verify(&CTX, &cheat).is_err());
        let forged = DleqProof(CompactProof {
            challenge: Scalar::random(&mut rng),
            response: Scalar::random(&mut rng),
        });
        assert!(forged.verify(&CTX, &cheat).is_err());
    }

    #[test]
    fn identity_alpha_only_admits_identity_share() {
        // The zero aggregate (no ballots) has α = 0: the honest share is the identity.
        let pos = position();
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let s = Scalar::random(&mut rng);
        let st = DleqStatement {
            trustee: 1,
            position: &pos,
            verification_key: &s * g_table(),
            aggregate: Ciphertext::zero(),
            share: s * Ciphertext::zero().alpha(),
        };
        let proof = DleqProof::prove(&CTX, &st, &s, &mut rng).unwrap();
        proof.verify(&CTX, &st).unwrap();
        let other = DleqStatement {
            share: random_point(&mut rng),
            ..st
        };
        assert!(proof.verify(&CTX, &other).is_err());
    }

    #[test]
    fn decoding_rejects_bad_lengths_and_non_canonical_scalars() {
        let pos = position();
        let (_, _, proof) = setup(7, &pos);
        let bytes = proof.to_bytes();
        assert!(DleqProof::from_bytes(&bytes[..63]).is_err());
        let mut long = bytes.to_vec();
        long.push(0);
        assert!(DleqProof::from_bytes(&long).is_err());
        for half in 0..2 {
            let mut m = bytes;
            m[32 * half..32 * half + 32].copy_from_slice(&[0xff; 32]);
            assert!(matches!(
                DleqProof::from_bytes(&m),
                Err(CryptoError::NonCanonicalScalar(_))
            ));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn honest_proofs_verify(seed: u64, trustee in 1u32..=255, selection: u32) {
            let pos = TallyPosition { selection, ..position() };
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let s = Scalar::random(&mut rng);
            let aggregate = Ciphertext::new(random_point(&mut rng), random_point(&mut rng));
            let st = DleqStatement {
                trustee,
                position: &pos,
                verification_key: &s * g_table(),
                aggregate,
                share: s * aggregate.alpha(),
            };
            let proof = DleqProof::prove(&CTX, &st, &s, &mut rng).unwrap();
            prop_assert!(proof.verify(&CTX, &st).is_ok());
        }
    }
}
