//! The collector's signed challenge: what a ballot is made for, and what ties the collector's
//! clock to the voter's.
//!
//! The collector answers `POST /challenge` with a [`SignedChallenge`]: a fresh random nonce,
//! when it was issued and when it expires (Unix seconds, the collector's clock), the
//! election's context hash and its [`Purpose`], signed with the collector's key (the
//! package's `collector-key.hex`, which also signs tree heads and receipts). The voter app
//! refuses a challenge whose issue time is far from its own clock
//! ([`CLOCK_TOLERANCE`]) before it signs anything, and the submission carries the challenge,
//! so the collector's later claims about a ballot's receive time can be checked against a
//! time the voter saw: every check below runs again in `tally import` and `verifier audit`.
//!
//! # Layout (145 bytes)
//!
//! | field | encoding |
//! |---|---|
//! | election context hash | 32 bytes |
//! | nonce | 32 random bytes |
//! | issue time | `i64`, Unix seconds |
//! | expiry time | `i64`, Unix seconds |
//! | purpose | 1 byte: `0x01` a real vote, `0x02` a test vote |
//! | Ed25519 signature | 64 bytes |
//!
//! The collector signs `"ivote-v1/challenge" ‖` the first 81 bytes.
//!
//! # When a challenge is good for a submission received at `t`
//!
//! ([`SignedChallenge::check_received`]; the window is `[voting_starts, voting_ends)`, so
//! `t = voting_ends` is outside it):
//!
//! 1. its context hash is the election's (`challenge.wrong_election`);
//! 2. the package's collector key signed it (`challenge.bad_signature`);
//! 3. `issued ≤ t < expires` (`challenge.outside_lifetime`);
//! 4. a real-vote challenge: `voting_starts ≤ t < voting_ends`
//!    (`challenge.real_vote_outside_window`); a test-vote challenge: `t < voting_starts`
//!    (`challenge.test_vote_in_window`).
//!
//! The collector issues a test-vote challenge only before the window (with `serve
//! --accept-test-votes`) and caps its expiry at `voting_starts`; a real-vote challenge only
//! in the window, its expiry capped at `voting_ends`. So an honest collector never logs a
//! submission that fails 3 or 4, and a collector that times a real vote outside the window (to
//! have it dropped as a test vote or as late) is caught.
//!
//! # The ballot's nonce
//!
//! The nonce field of the ballot layout, which every validity proof absorbs, is
//! [`SignedChallenge::ballot_nonce`]: `SHA-256("ivote-v1/ballot-nonce" ‖ challenge layout
//! (145) ‖ SHA-256(certificate DER))`. The proofs are then bound to this voter and this
//! challenge: a ballot blocked on its way cannot be cast again under another voter's
//! certificate (`ballot.nonce_mismatch`), and the ballot hash, which the voter signs and the
//! log record holds, commits to the whole challenge.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::hashes::CertificateHash;
use crate::layout::{labelled_hash, LayoutError, Reader, Writer};
use crate::package::ContextHash;

/// Prefixed to what the collector signs.
pub const CHALLENGE_LABEL: &[u8] = b"ivote-v1/challenge";
/// Prefixed to the challenge and certificate hash to derive a ballot's nonce.
pub const BALLOT_NONCE_LABEL: &[u8] = b"ivote-v1/ballot-nonce";
/// Length of a signed challenge's layout.
pub const CHALLENGE_LEN: usize = 32 + 32 + 8 + 8 + 1 + 64;
/// How far (seconds) a challenge's issue time may be from the voter app's clock: the app
/// refuses a challenge outside this. With [`MAX_CHALLENGE_LIFETIME`] it bounds how far a
/// collector can shift the receive time it logs from the time the voter voted.
pub const CLOCK_TOLERANCE: i64 = 300;
/// The longest lifetime (`expires - issued`, seconds) of a challenge the voter app takes, and
/// the largest `collector serve --challenge-ttl`.
pub const MAX_CHALLENGE_LIFETIME: i64 = 3600;

/// What a challenge is for: decided by the collector when it issues it, from its clock and
/// the voting window. In JSON (`POST /challenge`): `"vote"` or `"test"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// A vote that counts: issued in the voting window.
    Vote,
    /// A test vote, which never counts: issued before the window.
    Test,
}

impl Purpose {
    fn byte(self) -> u8 {
        match self {
            Purpose::Vote => 1,
            Purpose::Test => 2,
        }
    }

    /// `"vote"` or `"test"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Vote => "vote",
            Purpose::Test => "test",
        }
    }
}

/// A challenge as the collector signed it (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedChallenge {
    /// The election's context hash.
    pub context: ContextHash,
    /// 32 random bytes, single use.
    pub nonce: [u8; 32],
    /// When it was issued (Unix seconds, the collector's clock).
    pub issued_at: i64,
    /// When it expires (Unix seconds, exclusive).
    pub expires_at: i64,
    /// Real or test vote.
    pub purpose: Purpose,
    /// The collector's Ed25519 signature.
    pub signature: [u8; 64],
}

/// Why a challenge is not good for a submission (see the module docs, "When a challenge
/// is good").
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ChallengeFault {
    /// Its context hash is another election's.
    #[error("the challenge is for another election")]
    WrongElection,
    /// The collector key of the package did not sign it.
    #[error("the challenge is not signed by this election's collector key")]
    BadSignature,
    /// Received outside `[issued, expires)`.
    #[error("received at {at}, outside its challenge's lifetime [{issued}, {expires})")]
    OutsideLifetime {
        /// The receive time.
        at: i64,
        /// The challenge's issue time.
        issued: i64,
        /// Its expiry.
        expires: i64,
    },
    /// A real vote received outside the voting window.
    #[error("a real vote received at {at}, outside the voting window [{starts}, {ends})")]
    RealVoteOutsideWindow {
        /// The receive time.
        at: i64,
        /// Start of voting.
        starts: i64,
        /// End of voting (exclusive).
        ends: i64,
    },
    /// A test vote received at or after the start of voting.
    #[error("a test vote received at {at}, not before the voting window starts at {starts}")]
    TestVoteInWindow {
        /// The receive time.
        at: i64,
        /// Start of voting.
        starts: i64,
    },
}

impl ChallengeFault {
    /// The stable code, e.g. `challenge.bad_signature`.
    pub fn code(&self) -> &'static str {
        match self {
            ChallengeFault::WrongElection => "challenge.wrong_election",
            ChallengeFault::BadSignature => "challenge.bad_signature",
            ChallengeFault::OutsideLifetime { .. } => "challenge.outside_lifetime",
            ChallengeFault::RealVoteOutsideWindow { .. } => "challenge.real_vote_outside_window",
            ChallengeFault::TestVoteInWindow { .. } => "challenge.test_vote_in_window",
        }
    }
}

impl SignedChallenge {
    /// What the collector signs: the label and the layout's first 81 bytes.
    fn message(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.fixed(CHALLENGE_LABEL);
        self.write_statement(&mut w);
        w.finish()
    }

    fn write_statement(&self, w: &mut Writer) {
        w.fixed(&self.context.0)
            .fixed(&self.nonce)
            .i64(self.issued_at)
            .i64(self.expires_at)
            .fixed(&[self.purpose.byte()]);
    }

    /// Signs a challenge with the collector's key.
    pub fn sign(
        key: &SigningKey,
        context: ContextHash,
        nonce: [u8; 32],
        issued_at: i64,
        expires_at: i64,
        purpose: Purpose,
    ) -> SignedChallenge {
        let mut c = SignedChallenge {
            context,
            nonce,
            issued_at,
            expires_at,
            purpose,
            signature: [0; 64],
        };
        c.signature = key.sign(&c.message()).to_bytes();
        c
    }

    /// Checks 1 and 2 of the module docs: this election's, signed by `collector`.
    pub fn verify(
        &self,
        collector: &VerifyingKey,
        context: &ContextHash,
    ) -> Result<(), ChallengeFault> {
        if self.context != *context {
            return Err(ChallengeFault::WrongElection);
        }
        collector
            .verify(&self.message(), &Signature::from_bytes(&self.signature))
            .map_err(|_| ChallengeFault::BadSignature)
    }

    /// Checks 3 and 4 of the module docs for a submission received at `at`, in the window
    /// `[starts, ends)`.
    pub fn check_time(&self, at: i64, starts: i64, ends: i64) -> Result<(), ChallengeFault> {
        if at < self.issued_at || at >= self.expires_at {
            return Err(ChallengeFault::OutsideLifetime {
                at,
                issued: self.issued_at,
                expires: self.expires_at,
            });
        }
        match self.purpose {
            Purpose::Vote if at < starts || at >= ends => {
                Err(ChallengeFault::RealVoteOutsideWindow { at, starts, ends })
            }
            Purpose::Test if at >= starts => Err(ChallengeFault::TestVoteInWindow { at, starts }),
            Purpose::Vote | Purpose::Test => Ok(()),
        }
    }

    /// Every check of the module docs, for a submission received at `at`.
    pub fn check_received(
        &self,
        collector: &VerifyingKey,
        context: &ContextHash,
        at: i64,
        (starts, ends): (i64, i64),
    ) -> Result<(), ChallengeFault> {
        self.verify(collector, context)?;
        self.check_time(at, starts, ends)
    }

    /// The nonce of the ballot this voter makes for this challenge (see the module docs).
    pub fn ballot_nonce(&self, certificate: &CertificateHash) -> [u8; 32] {
        let mut input = self.to_bytes();
        input.extend_from_slice(&certificate.0);
        labelled_hash(BALLOT_NONCE_LABEL, &input)
    }

    /// The layout (145 bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.write(&mut w);
        w.finish()
    }

    /// Appends the layout.
    pub fn write(&self, w: &mut Writer) {
        self.write_statement(w);
        w.fixed(&self.signature);
    }

    /// Reads the layout.
    pub fn read(r: &mut Reader<'_>) -> Result<Self, LayoutError> {
        let context = ContextHash(r.array()?);
        let nonce = r.array()?;
        let issued_at = r.i64()?;
        let expires_at = r.i64()?;
        let purpose = match r.array::<1>()? {
            [1] => Purpose::Vote,
            [2] => Purpose::Test,
            [b] => return Err(r.error(format!("challenge purpose {b}; 1 or 2"))),
        };
        Ok(SignedChallenge {
            context,
            nonce,
            issued_at,
            expires_at,
            purpose,
            signature: r.array()?,
        })
    }

    /// Decodes the layout (exactly 145 bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, LayoutError> {
        let mut r = Reader::new(bytes, "challenge");
        let c = Self::read(&mut r)?;
        r.finish()?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: ContextHash = ContextHash([3; 32]);
    const STARTS: i64 = 1_000;
    const ENDS: i64 = 2_000;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[8; 32])
    }

    fn challenge(issued: i64, expires: i64, purpose: Purpose) -> SignedChallenge {
        SignedChallenge::sign(&key(), CTX, [4; 32], issued, expires, purpose)
    }

    fn code(c: &SignedChallenge, at: i64) -> &'static str {
        c.check_received(&key().verifying_key(), &CTX, at, (STARTS, ENDS))
            .map(|()| "ok")
            .unwrap_or_else(|e| e.code())
    }

    #[test]
    fn layout_round_trips_and_is_strict() {
        let c = challenge(1_500, 1_800, Purpose::Vote);
        let bytes = c.to_bytes();
        assert_eq!(bytes.len(), CHALLENGE_LEN);
        assert_eq!(SignedChallenge::from_bytes(&bytes).unwrap(), c);
        assert_eq!(&bytes[..32], &CTX.0);
        assert_eq!(bytes[80], 1);
        let mut long = bytes.clone();
        long.push(0);
        assert!(SignedChallenge::from_bytes(&long).is_err());
        assert!(SignedChallenge::from_bytes(&bytes[..144]).is_err());
        for purpose in [0u8, 3, 255] {
            let mut b = bytes.clone();
            b[80] = purpose;
            assert!(SignedChallenge::from_bytes(&b).is_err(), "{purpose}");
        }
    }

    #[test]
    fn the_signature_covers_every_field_and_the_label() {
        let pk = key().verifying_key();
        let c = challenge(1_500, 1_800, Purpose::Vote);
        c.verify(&pk, &CTX).unwrap();
        // Every single-bit change of the layout is refused.
        let bytes = c.to_bytes();
        for i in 0..bytes.len() {
            for bit in [0x01u8, 0x80] {
                let mut b = bytes.clone();
                b[i] ^= bit;
                if let Ok(m) = SignedChallenge::from_bytes(&b) {
                    assert!(m.verify(&pk, &CTX).is_err(), "byte {i}");
                }
            }
        }
        // Another key, another election, another statement signed by the same key.
        let other = SigningKey::from_bytes(&[9; 32]).verifying_key();
        assert_eq!(c.verify(&other, &CTX), Err(ChallengeFault::BadSignature));
        assert_eq!(
            c.verify(&pk, &ContextHash([1; 32])),
            Err(ChallengeFault::WrongElection)
        );
        let test = challenge(1_500, 1_800, Purpose::Test);
        let swapped = SignedChallenge {
            signature: test.signature,
            ..c
        };
        assert_eq!(swapped.verify(&pk, &CTX), Err(ChallengeFault::BadSignature));
        // The same bytes signed without the label are not a challenge signature.
        let unlabelled = key().sign(&bytes[..81]).to_bytes();
        let c2 = SignedChallenge {
            signature: unlabelled,
            ..c
        };
        assert_eq!(c2.verify(&pk, &CTX), Err(ChallengeFault::BadSignature));
    }

    #[test]
    fn lifetime_and_window_rules() {
        let vote = challenge(1_500, 1_800, Purpose::Vote);
        assert_eq!(code(&vote, 1_500), "ok");
        assert_eq!(code(&vote, 1_799), "ok");
        assert_eq!(code(&vote, 1_499), "challenge.outside_lifetime");
        assert_eq!(code(&vote, 1_800), "challenge.outside_lifetime");
        // A real-vote challenge whose lifetime leaves the window (a dishonest collector's):
        // the window decides; `t = voting_ends` is outside it.
        let wide = challenge(900, 2_100, Purpose::Vote);
        assert_eq!(code(&wide, 999), "challenge.real_vote_outside_window");
        assert_eq!(code(&wide, 1_000), "ok");
        assert_eq!(code(&wide, 1_999), "ok");
        assert_eq!(code(&wide, 2_000), "challenge.real_vote_outside_window");
        let test = challenge(900, 2_100, Purpose::Test);
        assert_eq!(code(&test, 999), "ok");
        assert_eq!(code(&test, 1_000), "challenge.test_vote_in_window");
        assert_eq!(code(&test, 2_050), "challenge.test_vote_in_window");
        // The signature first.
        let forged = SignedChallenge {
            signature: [0; 64],
            ..vote
        };
        assert_eq!(code(&forged, 1_600), "challenge.bad_signature");
    }

    #[test]
    fn the_ballot_nonce_binds_the_challenge_and_the_certificate() {
        let c = challenge(1_500, 1_800, Purpose::Vote);
        let cert = CertificateHash([6; 32]);
        let n = c.ballot_nonce(&cert);
        let mut input = c.to_bytes();
        input.extend_from_slice(&[6; 32]);
        assert_eq!(n, labelled_hash(b"ivote-v1/ballot-nonce", &input));
        assert_ne!(n, c.ballot_nonce(&CertificateHash([7; 32])));
        assert_ne!(
            n,
            challenge(1_500, 1_801, Purpose::Vote).ballot_nonce(&cert)
        );
        assert_ne!(
            n,
            challenge(1_500, 1_800, Purpose::Test).ballot_nonce(&cert)
        );
    }
}
