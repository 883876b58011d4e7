//! What a voter sends (a [`Submission`]: ballot, e-ID certificate, signature) and what the
//! collector logs for each accepted one (a [`SubmissionRecord`], whose hash is a leaf of
//! its Merkle log).
//!
//! # What the voter signs
//!
//! With their e-ID key, the 77 bytes [`vote_message`]:
//! `"ivote-v1/vote" ‖ context hash (32) ‖ ballot hash (32)`. The label keeps a vote
//! signature from being taken for any other signature made with the same e-ID key; the
//! context hash binds it to the election; the ballot hash covers the ballot's layout,
//! whose nonce is derived from the collector's signed challenge and the voter's certificate
//! ([`SignedChallenge::ballot_nonce`]), so the signature covers the challenge too.
//!
//! # Submission layout
//!
//! | field | length |
//! |---|---|
//! | the collector's signed challenge ([`crate::challenge`]) | [`CHALLENGE_LEN`] (145) |
//! | ballot layout, length-prefixed | 4 + ≤ [`MAX_BALLOT_BYTES`] |
//! | certificate DER, length-prefixed | 4 + ≤ [`MAX_CERTIFICATE_BYTES`] |
//! | signature, length-prefixed (Ed25519: 64; ECDSA: `r ‖ s`, 64 or 96) | 4 + ≤ [`MAX_SIGNATURE_BYTES`] |
//!
//! # Record layout
//!
//! | field | length |
//! |---|---|
//! | leaf index, `u64` | 8 |
//! | receive time, Unix seconds, `i64` | 8 |
//! | voter id (`PNOEE-…`), length-prefixed | 4 + ≤ 64 |
//! | voter sequence number (1 for the first vote, 2 for the first revote…), `u32` | 4 |
//! | ballot hash | 32 |
//! | certificate hash, `SHA-256(DER)` | 32 |
//! | signature, length-prefixed | 4 + ≤ [`MAX_SIGNATURE_BYTES`] |
//!
//! Integers are big-endian; `bytes(x)` is `u32 length ‖ x`.
//!
//! # Record hash (the Merkle leaf)
//!
//! The record hash is computed in one place, [`LogLeaf::record_hash`]:
//!
//! ```text
//! voter commitment = SHA-256("ivote-v1/record-voter" ‖ bytes(voter id) ‖ u32 voter seq
//!                            ‖ certificate hash (32) ‖ bytes(signature))
//! record hash      = SHA-256("ivote-v1/record" ‖ u64 leaf index ‖ i64 receive time
//!                            ‖ ballot hash (32) ‖ voter commitment (32))
//! ```
//!
//! and the Merkle leaf is that 32-byte hash (leaf hash `SHA-256(0x00 ‖ record hash)`). The
//! public log (`log.bin`) publishes each leaf's [`LogLeaf`] (receive time, ballot hash, voter
//! commitment), so anyone sees which ballot every leaf holds and when it was received, and
//! recomputes the root, without learning who cast it: the commitment covers the voter's
//! signature, which nobody can predict without the voter's e-ID key, so it cannot be found
//! by trying the (few) personal codes; and it covers the sequence number, so two
//! submissions of one voter get unrelated commitments and the log does not show which
//! ballots a revote superseded.
//!
//! # Sealing
//!
//! [`Submission::seal`] is the one place a voter's choices become a submission: derive the
//! ballot's nonce from the challenge and the certificate, encrypt and prove the ballot, hash
//! its layout, sign [`vote_message`], frame. The voter app, the load
//! generator, the benchmarks and the tests all call it ([`Submission::seal_layout`] when a
//! test signs a ballot it made or altered itself). The e-ID key is a closure, so the same
//! code serves a key file, a test key, or later a smart card whose signing can fail.

use ivote_crypto::contest::EncryptionSeed;
use ivote_crypto::PublicKey;
use rand_core::{CryptoRng, RngCore};
use thiserror::Error;

use crate::ballot::{ballot_hash, Ballot, BallotError, BallotShapes};
use crate::challenge::{SignedChallenge, CHALLENGE_LEN};
use crate::hashes::{BallotHash, CertificateHash, RecordHash, VoterCommitment};
use crate::layout::{labelled_hash, LayoutError, Reader, Writer};
use crate::merkle::{leaf_hash, NodeHash};
use crate::package::ContextHash;

/// Prefixed to what a voter signs.
pub const VOTE_SIGNATURE_LABEL: &[u8] = b"ivote-v1/vote";
/// Prefixed to what a voter signs to ask the collector about themselves (district, ballots
/// cast): distinct from [`VOTE_SIGNATURE_LABEL`], so the answer's signature can never be
/// taken for a vote.
pub const VOTER_INFO_LABEL: &[u8] = b"ivote-v1/voter-info";
/// Prefixed to a record's public parts before hashing ([`LogLeaf::record_hash`]).
pub const RECORD_HASH_LABEL: &[u8] = b"ivote-v1/record";
/// Prefixed to the parts of a record that identify the voter before hashing
/// ([`SubmissionRecord::voter_commitment`]).
pub const VOTER_COMMITMENT_LABEL: &[u8] = b"ivote-v1/record-voter";
/// The largest ballot layout accepted.
pub const MAX_BALLOT_BYTES: usize = 4 << 20;
/// The largest certificate accepted.
pub const MAX_CERTIFICATE_BYTES: usize = 16 << 10;
/// The largest signature accepted.
pub const MAX_SIGNATURE_BYTES: usize = 256;
/// The largest submission layout: the challenge, then a ballot, a certificate and a
/// signature at their limits, each with its 4-byte length.
pub const MAX_SUBMISSION_BYTES: usize =
    CHALLENGE_LEN + 12 + MAX_BALLOT_BYTES + MAX_CERTIFICATE_BYTES + MAX_SIGNATURE_BYTES;
/// The longest voter id.
pub const MAX_VOTER_ID_LEN: usize = 64;

/// The message a voter signs with the e-ID key (see the module docs).
pub fn vote_message(context: &ContextHash, ballot_hash: &BallotHash) -> Vec<u8> {
    [VOTE_SIGNATURE_LABEL, &context.0, &ballot_hash.0].concat()
}

/// The message a voter signs with the e-ID key to ask the collector for their district and
/// how many ballots they have cast: `"ivote-v1/voter-info" ‖ context hash (32) ‖ challenge
/// nonce (32)`, 83 bytes. The nonce is a fresh, unexpired challenge of the collector (the
/// same one then goes into the ballot), so a captured query cannot be replayed later.
pub fn voter_info_message(context: &ContextHash, nonce: &[u8; 32]) -> Vec<u8> {
    [VOTER_INFO_LABEL, &context.0, nonce].concat()
}

/// A signed ballot as the voter sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    /// The collector's signed challenge the ballot was made for (its nonce is the one the
    /// collector uses up; the ballot's nonce is derived from the whole challenge).
    pub challenge: SignedChallenge,
    /// The ballot's layout, exactly as signed.
    pub ballot: Vec<u8>,
    /// The voter's e-ID certificate, DER.
    pub certificate: Vec<u8>,
    /// The e-ID signature over [`vote_message`].
    pub signature: Vec<u8>,
}

impl Submission {
    /// The layout.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.challenge.write(&mut w);
        w.bytes(&self.ballot)
            .bytes(&self.certificate)
            .bytes(&self.signature)
            .finish()
    }

    /// Decodes the layout (bounds checked, no trailing bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, LayoutError> {
        let mut r = Reader::new(bytes, "submission");
        let challenge = SignedChallenge::read(&mut r)?;
        let ballot = r.bytes("the ballot", MAX_BALLOT_BYTES)?.to_vec();
        let certificate = r.bytes("the certificate", MAX_CERTIFICATE_BYTES)?.to_vec();
        let signature = r.bytes("the signature", MAX_SIGNATURE_BYTES)?.to_vec();
        r.finish()?;
        Ok(Submission {
            challenge,
            ballot,
            certificate,
            signature,
        })
    }
}

/// What a ballot is sealed for: the election, the voter's district and the collector's
/// challenge.
#[derive(Debug, Clone, Copy)]
pub struct SealFor<'a> {
    /// The context hash.
    pub context: &'a ContextHash,
    /// The election key.
    pub joint_key: &'a PublicKey,
    /// The contests' shapes.
    pub shapes: &'a BallotShapes,
    /// The voter's district.
    pub district: &'a str,
    /// The collector's signed challenge (checked by the caller: the voter app refuses one
    /// that is not the collector's, or far from its clock).
    pub challenge: &'a SignedChallenge,
}

/// A signed submission and its ballot's hash (the ballot id, which the receipt names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// The ballot hash.
    pub ballot_hash: BallotHash,
    /// The submission.
    pub submission: Submission,
}

/// Why a ballot could not be sealed: the choices do not fit the ballot, or the signer
/// failed (`E`: its own error; [`std::convert::Infallible`] for a key in memory).
#[derive(Debug, Error)]
pub enum SealError<E> {
    /// The ballot could not be made.
    #[error(transparent)]
    Ballot(#[from] BallotError),
    /// The e-ID signer failed.
    #[error("the e-ID key could not sign: {0}")]
    Sign(E),
}

impl Submission {
    /// Encrypts and proves `choices` (per contest of the district, one value per selection;
    /// every encryption nonce from `seed`, the proofs' from `rng`) with the ballot nonce of
    /// the challenge and `certificate` (DER) ([`SignedChallenge::ballot_nonce`]), signs the
    /// ballot with `sign` (the voter's e-ID key over [`vote_message`]) and frames the
    /// submission.
    pub fn seal<E, R: RngCore + CryptoRng>(
        on: SealFor<'_>,
        choices: &[Vec<u64>],
        seed: &EncryptionSeed,
        certificate: &[u8],
        sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
        rng: &mut R,
    ) -> Result<Sealed, SealError<E>> {
        let ballot = Ballot::encrypt(
            on.context,
            on.joint_key,
            on.shapes,
            on.district,
            on.challenge.ballot_nonce(&CertificateHash::of(certificate)),
            choices,
            seed,
            rng,
        )?;
        Self::seal_layout(
            on.context,
            on.challenge,
            ballot.to_bytes(),
            certificate,
            sign,
        )
        .map_err(SealError::Sign)
    }

    /// Signs a ballot layout already made (tests that send altered or malformed ballots)
    /// with `sign` over [`vote_message`] and frames the submission with `challenge` and
    /// `certificate`.
    pub fn seal_layout<E>(
        context: &ContextHash,
        challenge: &SignedChallenge,
        ballot: Vec<u8>,
        certificate: &[u8],
        sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
    ) -> Result<Sealed, E> {
        let hash = ballot_hash(&ballot);
        let signature = sign(&vote_message(context, &hash))?;
        Ok(Sealed {
            ballot_hash: hash,
            submission: Submission {
                challenge: *challenge,
                ballot,
                certificate: certificate.to_vec(),
                signature,
            },
        })
    }
}

/// What the collector logs for an accepted submission (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionRecord {
    /// Position in the log, from 0.
    pub leaf_index: u64,
    /// When the collector received it (Unix seconds).
    pub received_at: i64,
    /// The voter id from the certificate.
    pub voter_id: String,
    /// 1 for the voter's first accepted ballot, 2 for the first revote, ...
    pub voter_seq: u32,
    /// The ballot hash.
    pub ballot_hash: BallotHash,
    /// `SHA-256` of the certificate's DER.
    pub certificate_hash: CertificateHash,
    /// The voter's signature.
    pub signature: Vec<u8>,
}

impl SubmissionRecord {
    /// The layout.
    pub fn to_bytes(&self) -> Vec<u8> {
        Writer::new()
            .u64(self.leaf_index)
            .i64(self.received_at)
            .bytes(self.voter_id.as_bytes())
            .u32(self.voter_seq)
            .fixed(&self.ballot_hash.0)
            .fixed(&self.certificate_hash.0)
            .bytes(&self.signature)
            .finish()
    }

    /// Decodes the layout.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, LayoutError> {
        let mut r = Reader::new(bytes, "submission record");
        let record = SubmissionRecord {
            leaf_index: r.u64()?,
            received_at: r.i64()?,
            voter_id: r.string("the voter id", MAX_VOTER_ID_LEN)?.to_owned(),
            voter_seq: r.u32()?,
            ballot_hash: BallotHash(r.array()?),
            certificate_hash: CertificateHash(r.array()?),
            signature: r.bytes("the signature", MAX_SIGNATURE_BYTES)?.to_vec(),
        };
        r.finish()?;
        Ok(record)
    }

    /// `SHA-256("ivote-v1/record-voter" ‖ bytes(voter id) ‖ u32 voter seq ‖ certificate
    /// hash ‖ bytes(signature))`: what the public log shows in place of the voter (module
    /// docs).
    pub fn voter_commitment(&self) -> VoterCommitment {
        let parts = Writer::new()
            .bytes(self.voter_id.as_bytes())
            .u32(self.voter_seq)
            .fixed(&self.certificate_hash.0)
            .bytes(&self.signature)
            .finish();
        VoterCommitment(labelled_hash(VOTER_COMMITMENT_LABEL, &parts))
    }

    /// What the public log shows of this record.
    pub fn log_leaf(&self) -> LogLeaf {
        LogLeaf {
            received_at: self.received_at,
            ballot_hash: self.ballot_hash,
            voter: self.voter_commitment(),
        }
    }

    /// The record hash, the Merkle leaf ([`LogLeaf::record_hash`] at this record's index).
    pub fn hash(&self) -> RecordHash {
        self.log_leaf().record_hash(self.leaf_index)
    }

    /// The record's Merkle leaf hash, `SHA-256(0x00 ‖ record hash)`.
    pub fn leaf_hash(&self) -> NodeHash {
        leaf_hash(&self.hash().0)
    }
}

/// What the public log (`log.bin`) shows of a submission record: when it was received,
/// which ballot it holds, and the voter commitment that stands for who cast it (module docs).
/// With its leaf index it gives the record hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogLeaf {
    /// When the collector received it (Unix seconds).
    pub received_at: i64,
    /// The ballot hash.
    pub ballot_hash: BallotHash,
    /// [`SubmissionRecord::voter_commitment`].
    pub voter: VoterCommitment,
}

impl LogLeaf {
    /// The layout's length: `i64 receive time ‖ ballot hash (32) ‖ voter commitment (32)`.
    pub const LEN: usize = 8 + 32 + 32;

    /// `SHA-256("ivote-v1/record" ‖ u64 leaf index ‖ i64 receive time ‖ ballot hash ‖ voter
    /// commitment)`: the record hash of the record at `leaf_index`, the Merkle leaf. The one
    /// place a record hash is computed.
    pub fn record_hash(&self, leaf_index: u64) -> RecordHash {
        let mut w = Writer::new();
        w.u64(leaf_index);
        self.write(&mut w);
        RecordHash(labelled_hash(RECORD_HASH_LABEL, &w.finish()))
    }

    /// The record's Merkle leaf hash at `leaf_index`, `SHA-256(0x00 ‖ record hash)`.
    pub fn leaf_hash(&self, leaf_index: u64) -> NodeHash {
        leaf_hash(&self.record_hash(leaf_index).0)
    }

    /// Appends the layout ([`LogLeaf::LEN`] bytes).
    pub fn write(&self, w: &mut Writer) {
        w.i64(self.received_at)
            .fixed(&self.ballot_hash.0)
            .fixed(&self.voter.0);
    }

    /// Reads the layout.
    pub fn read(r: &mut Reader<'_>) -> Result<LogLeaf, LayoutError> {
        Ok(LogLeaf {
            received_at: r.i64()?,
            ballot_hash: BallotHash(r.array()?),
            voter: VoterCommitment(r.array()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> SubmissionRecord {
        SubmissionRecord {
            leaf_index: 7,
            received_at: 1_800_000_000,
            voter_id: "PNOEE-38001085718".into(),
            voter_seq: 2,
            ballot_hash: BallotHash([1; 32]),
            certificate_hash: CertificateHash([2; 32]),
            signature: vec![3; 64],
        }
    }

    #[test]
    fn message_layout() {
        let m = vote_message(&ContextHash([4; 32]), &BallotHash([5; 32]));
        assert_eq!(m.len(), 77);
        assert!(m.starts_with(b"ivote-v1/vote"));
        assert_eq!(&m[13..45], &[4; 32]);
        assert_eq!(&m[45..], &[5; 32]);
        let q = voter_info_message(&ContextHash([4; 32]), &[6; 32]);
        assert_eq!(q.len(), 83);
        assert!(q.starts_with(b"ivote-v1/voter-info"));
        assert_eq!(&q[19..51], &[4; 32]);
        assert_eq!(&q[51..], &[6; 32]);
    }

    fn challenge() -> SignedChallenge {
        SignedChallenge::sign(
            &ed25519_dalek::SigningKey::from_bytes(&[1; 32]),
            ContextHash([5; 32]),
            [6; 32],
            1_800_000_000,
            1_800_000_300,
            crate::challenge::Purpose::Vote,
        )
    }

    #[test]
    fn seal_encrypts_signs_the_vote_message_and_frames() {
        use ivote_crypto::{Scalar, G};
        use rand::rngs::StdRng;
        use rand::SeedableRng;

        use crate::manifest::{ElectionManifest, WindowCheck};

        let manifest = ElectionManifest::from_toml(
            include_str!("../../docs/examples/manifest.toml"),
            WindowCheck::AllowPast,
        )
        .unwrap();
        let shapes = BallotShapes::from_manifest(&manifest).unwrap();
        let joint_key = PublicKey::from_point(G * Scalar::from(11u64)).unwrap();
        let context = ContextHash([5; 32]);
        let challenge = challenge();
        let on = SealFor {
            context: &context,
            joint_key: &joint_key,
            shapes: &shapes,
            district: "tartu",
            challenge: &challenge,
        };
        let choices = [vec![0, 1], vec![1, 0, 1]];
        let mut rng = StdRng::seed_from_u64(1);
        let seed = EncryptionSeed::random(&mut rng);
        let mut signed = Vec::new();
        let sealed = Submission::seal(
            on,
            &choices,
            &seed,
            b"certificate",
            |m: &[u8]| {
                signed = m.to_vec();
                Ok::<_, std::convert::Infallible>(vec![7; 64])
            },
            &mut rng,
        )
        .unwrap();
        let s = &sealed.submission;
        assert_eq!(Submission::from_bytes(&s.to_bytes()).unwrap(), *s);
        assert_eq!(sealed.ballot_hash, ballot_hash(&s.ballot));
        assert_eq!(signed, vote_message(&context, &sealed.ballot_hash));
        assert_eq!(
            (&s.certificate[..], &s.signature[..]),
            (&b"certificate"[..], &[7u8; 64][..])
        );
        let ballot = Ballot::from_bytes(&s.ballot).unwrap();
        // The ballot's nonce is the challenge's for this certificate, and the challenge
        // travels with it.
        assert_eq!(s.challenge, challenge);
        assert_eq!(
            ballot.nonce,
            challenge.ballot_nonce(&CertificateHash::of(b"certificate"))
        );
        ballot
            .check(&context, &joint_key, &shapes, &mut rng)
            .unwrap();
        assert_eq!(
            Submission::seal_layout(
                &context,
                &challenge,
                s.ballot.clone(),
                b"certificate",
                |_: &[u8]| { Ok::<_, std::convert::Infallible>(vec![7; 64]) }
            )
            .unwrap(),
            sealed
        );

        // A signer's failure and choices that do not fit come back as errors.
        let card = Submission::seal(
            on,
            &choices,
            &seed,
            b"c",
            |_: &[u8]| Err("card removed"),
            &mut rng,
        );
        assert!(matches!(card, Err(SealError::Sign("card removed"))));
        let wrong = Submission::seal(
            on,
            &[vec![0, 1]],
            &seed,
            b"c",
            |_: &[u8]| Ok::<_, std::convert::Infallible>(vec![]),
            &mut rng,
        );
        assert!(matches!(wrong, Err(SealError::Ballot(_))));
    }

    #[test]
    fn submission_round_trip_and_rejections() {
        let s = Submission {
            challenge: challenge(),
            ballot: vec![1; 100],
            certificate: vec![2; 50],
            signature: vec![3; 64],
        };
        let bytes = s.to_bytes();
        assert_eq!(Submission::from_bytes(&bytes).unwrap(), s);
        let mut long = bytes.clone();
        long.push(0);
        assert!(Submission::from_bytes(&long).is_err());
        assert!(Submission::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        let huge = Submission {
            signature: vec![0; MAX_SIGNATURE_BYTES + 1],
            ..s
        };
        assert!(Submission::from_bytes(&huge.to_bytes()).is_err());
        // The challenge comes first, as its 145 bytes.
        assert_eq!(&bytes[..CHALLENGE_LEN], &challenge().to_bytes()[..]);
        assert!(Submission::from_bytes(&bytes[..CHALLENGE_LEN + 3]).is_err());
    }

    #[test]
    fn record_round_trip_and_hash_covers_every_field() {
        let r = record();
        let bytes = r.to_bytes();
        assert_eq!(SubmissionRecord::from_bytes(&bytes).unwrap(), r);
        let mut long = bytes.clone();
        long.push(0);
        assert!(SubmissionRecord::from_bytes(&long).is_err());
        let h = r.hash();
        let variants = [
            SubmissionRecord {
                leaf_index: 8,
                ..record()
            },
            SubmissionRecord {
                received_at: 1,
                ..record()
            },
            SubmissionRecord {
                voter_id: "PNOEE-1".into(),
                ..record()
            },
            SubmissionRecord {
                voter_seq: 1,
                ..record()
            },
            SubmissionRecord {
                ballot_hash: BallotHash([0; 32]),
                ..record()
            },
            SubmissionRecord {
                certificate_hash: CertificateHash([0; 32]),
                ..record()
            },
            SubmissionRecord {
                signature: vec![3; 63],
                ..record()
            },
        ];
        for v in variants {
            assert_ne!(v.hash(), h);
        }
        assert_eq!(r.leaf_hash(), leaf_hash(&h.0));
        // What the public log shows gives the same hash.
        let leaf = r.log_leaf();
        assert_eq!(leaf.record_hash(r.leaf_index), h);
        assert_eq!(leaf.leaf_hash(r.leaf_index), r.leaf_hash());
        let mut w = Writer::new();
        leaf.write(&mut w);
        let bytes = w.finish();
        assert_eq!(bytes.len(), LogLeaf::LEN);
        let mut rd = Reader::new(&bytes, "log leaf");
        assert_eq!(LogLeaf::read(&mut rd).unwrap(), leaf);
        rd.finish().unwrap();
    }

    /// The record hash and voter commitment of [`record`], computed independently from
    /// docs/ballot-format.md ("Submission record"): a change of the formula is a change of
    /// the v1 format.
    #[test]
    fn record_hash_and_voter_commitment_are_frozen() {
        let r = record();
        assert_eq!(
            r.voter_commitment().to_hex(),
            "7cdc6092cfd0767c2d9cf8bf7708fe4312359c119e9b61aae25ea2f11e61e5ee"
        );
        assert_eq!(
            r.hash().to_hex(),
            "89381aaae335ac16e8bb974daed4ebc79f8459231163318dec0ed5b2344bcedc"
        );
    }

    /// The commitment hides the voter: it changes with each field that identifies the
    /// submitter (so two submissions of one voter, which differ at least in the sequence
    /// number, give unrelated commitments), and with nothing the log publishes anyway.
    #[test]
    fn voter_commitment_covers_the_voter_fields_only() {
        let r = record();
        let c = r.voter_commitment();
        let revote = SubmissionRecord {
            leaf_index: 9,
            received_at: 1_800_000_100,
            voter_seq: 3,
            ballot_hash: BallotHash([4; 32]),
            signature: vec![5; 64],
            ..record()
        };
        assert_ne!(revote.voter_commitment(), c);
        // Same certificate, same signature bytes, only the number differs: still unrelated.
        let numbered = SubmissionRecord {
            voter_seq: 3,
            ..record()
        };
        assert_ne!(numbered.voter_commitment(), c);
        assert_ne!(numbered.voter_commitment(), revote.voter_commitment());
        for v in [
            SubmissionRecord {
                voter_id: "PNOEE-38001085719".into(),
                ..record()
            },
            SubmissionRecord {
                certificate_hash: CertificateHash([0; 32]),
                ..record()
            },
            SubmissionRecord {
                signature: vec![3; 63],
                ..record()
            },
            SubmissionRecord {
                signature: [vec![3; 63], vec![4]].concat(),
                ..record()
            },
        ] {
            assert_ne!(v.voter_commitment(), c, "{v:?}");
        }
        for same in [
            SubmissionRecord {
                leaf_index: 0,
                ..record()
            },
            SubmissionRecord {
                received_at: 0,
                ..record()
            },
            SubmissionRecord {
                ballot_hash: BallotHash([0; 32]),
                ..record()
            },
        ] {
            assert_eq!(same.voter_commitment(), c);
        }
    }
}
