//! Fiat–Shamir transcripts: the only way challenges are made in ivote.
//!
//! Every proof's transcript starts with [`proof_transcript`], which absorbs, in order, the
//! versioned protocol label, the election context hash and the proof's domain separator; the
//! proof then absorbs its **whole statement** (through [`TranscriptProtocol`]) before the
//! prover's commitments, and only then draws its challenge. This is strong Fiat–Shamir: a
//! proof checked against any other statement, position or election draws another challenge.
//! The exact absorb order of every proof is in `docs/crypto-spec.md` §3 and each proof's section.

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;

use crate::elgamal::Ciphertext;
use crate::encoding::POINT_LEN;
use crate::group::ContextHash;

/// The transcript label every ivote transcript is created with.
pub const TRANSCRIPT_LABEL: &[u8] = b"ivote";
/// The protocol version absorbed first. Changing any transcript changes this.
pub const PROTOCOL_VERSION: &[u8] = b"ivote-v1";

/// Creates the transcript of one proof: protocol version, election context, domain separator.
pub fn proof_transcript(context: &ContextHash, domain: &'static [u8]) -> Transcript {
    let mut t = Transcript::new(TRANSCRIPT_LABEL);
    t.append_message(b"protocol", PROTOCOL_VERSION);
    t.append_message(b"context", context.as_bytes());
    t.append_message(b"dom-sep", domain);
    t
}

/// Typed appends and challenges over a merlin transcript (bulletproofs' pattern).
pub trait TranscriptProtocol {
    /// Absorbs a point as its canonical 32-byte encoding.
    fn append_point(&mut self, label: &'static [u8], point: &RistrettoPoint);
    /// Absorbs an already compressed point.
    fn append_compressed(&mut self, label: &'static [u8], point: &CompressedRistretto);
    /// Absorbs a scalar as its canonical 32-byte encoding.
    fn append_scalar(&mut self, label: &'static [u8], scalar: &Scalar);
    /// Absorbs an unsigned integer (8 bytes, little-endian, merlin's `append_u64`).
    fn append_int(&mut self, label: &'static [u8], value: u64);
    /// Absorbs a variable-length string or byte string (merlin frames it with its length).
    fn append_bytes(&mut self, label: &'static [u8], bytes: &[u8]);
    /// Absorbs a ciphertext as `alpha` then `beta` (32 bytes each), from the encoding the
    /// ciphertext keeps when it has one.
    fn append_ciphertext(&mut self, ciphertext: &Ciphertext);
    /// Draws a challenge scalar: 64 bytes reduced modulo the group order (uniform).
    fn challenge_scalar(&mut self, label: &'static [u8]) -> Scalar;
}

impl TranscriptProtocol for Transcript {
    fn append_point(&mut self, label: &'static [u8], point: &RistrettoPoint) {
        self.append_message(label, point.compress().as_bytes());
    }

    fn append_compressed(&mut self, label: &'static [u8], point: &CompressedRistretto) {
        self.append_message(label, point.as_bytes());
    }

    fn append_scalar(&mut self, label: &'static [u8], scalar: &Scalar) {
        self.append_message(label, scalar.as_bytes());
    }

    fn append_int(&mut self, label: &'static [u8], value: u64) {
        self.append_u64(label, value);
    }

    fn append_bytes(&mut self, label: &'static [u8], bytes: &[u8]) {
        self.append_message(label, bytes);
    }

    fn append_ciphertext(&mut self, ciphertext: &Ciphertext) {
        let encoding = ciphertext.to_bytes();
        let (alpha, beta) = encoding.split_at(POINT_LEN);
        self.append_message(b"alpha", alpha);
        self.append_message(b"beta", beta);
    }

    fn challenge_scalar(&mut self, label: &'static [u8]) -> Scalar {
        let mut buf = [0u8; 64];
        self.challenge_bytes(label, &mut buf);
        Scalar::from_bytes_mod_order_wide(&buf)
    }
}

/// Where a contest's proofs sit in the election: the submission's single-use challenge nonce
/// (issued by the collector), the district and the contest. Ballot proofs absorb it so that a
/// proof copied into another submission, district or contest does not verify (the
/// Cortier–Smyth ballot-copying attack).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContestPosition {
    /// The collector's single-use challenge nonce for this submission.
    pub nonce: [u8; 32],
    /// District id from the manifest.
    pub district: String,
    /// Contest id from the manifest.
    pub contest: String,
}

impl ContestPosition {
    /// Absorbs the position: `nonce`, `district`, `contest`.
    pub fn append_to(&self, t: &mut Transcript) {
        t.append_bytes(b"nonce", &self.nonce);
        t.append_bytes(b"district", self.district.as_bytes());
        t.append_bytes(b"contest", self.contest.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_and_domain_change_the_challenge() {
        let a = ContextHash([1; 32]);
        let b = ContextHash([2; 32]);
        let ca = proof_transcript(&a, b"x v1").challenge_scalar(b"c");
        let cb = proof_transcript(&b, b"x v1").challenge_scalar(b"c");
        let cd = proof_transcript(&a, b"y v1").challenge_scalar(b"c");
        assert_ne!(ca, cb);
        assert_ne!(ca, cd);
        assert_eq!(ca, proof_transcript(&a, b"x v1").challenge_scalar(b"c"));
    }
}
