//! The OCSP answer stored with a submission, so that the certificate's status when the ballot
//! was cast can be re-checked offline by `tally import` and `verifier audit`
//! (docs/eid.md, "OCSP at cast time"; the election's settings are in [`OcspSettings`]).
//!
//! Layout (in the collector's journal and the ballot box, after the submission): empty when
//! the certificate's CA is not checked with OCSP; otherwise one byte saying how the collector
//! obtained the answer, then the DER `OCSPResponse` (at most [`MAX_OCSP_BYTES`]):
//!
//! - `0x01` **fetched** for this submission: the request carried [`ocsp_nonce`] of this
//!   submission, and the response must echo it;
//! - `0x02` **reused**: a good answer the collector fetched for an earlier submission with the
//!   same certificate (its nonce is that submission's, so it is judged by its times alone).
//!
//! The answer must have been produced at most [`MAX_AGE`] seconds (fetched) or [`REUSE_FOR`]
//! seconds (reused) before the receive time and at most [`MAX_SKEW`] after it, and say good
//! at that time.

use sha2::{Digest, Sha256};

use crate::hashes::{BallotHash, CertificateHash};
use crate::layout::{LayoutError, Reader};

/// The largest OCSP response stored (responders that include their certificate chain send a
/// few kilobytes; RSA-4096 responders under 4 KB).
pub const MAX_OCSP_BYTES: usize = 16 << 10;
/// How long before the receive time an answer may have been produced (seconds).
pub const MAX_AGE: i64 = 15 * 60;
/// How long after the receive time an answer may have been produced: the responder's clock
/// may run ahead of the collector's (seconds).
pub const MAX_SKEW: i64 = 60;
/// How long the collector reuses a good answer for the same certificate (seconds): a revoked
/// card is refused at most this long after its CA says so.
pub const REUSE_FOR: i64 = 5 * 60;
/// Domain separation of [`ocsp_nonce`].
pub const NONCE_LABEL: &[u8] = b"ivote-v1/ocsp-nonce";

/// How the collector obtained the stored answer (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OcspEvidence {
    /// Fetched for this submission, with its nonce.
    Fetched(Vec<u8>),
    /// Fetched for an earlier submission with the same certificate, reused.
    Reused(Vec<u8>),
}

const FETCHED: u8 = 0x01;
const REUSED: u8 = 0x02;

impl OcspEvidence {
    /// The DER `OCSPResponse`.
    pub fn response(&self) -> &[u8] {
        match self {
            OcspEvidence::Fetched(der) | OcspEvidence::Reused(der) => der,
        }
    }

    /// The stored layout of an optional answer (see the module docs).
    pub fn encode(evidence: Option<&OcspEvidence>) -> Vec<u8> {
        match evidence {
            None => Vec::new(),
            Some(OcspEvidence::Fetched(der)) => [&[FETCHED][..], der].concat(),
            Some(OcspEvidence::Reused(der)) => [&[REUSED][..], der].concat(),
        }
    }

    /// Decodes the stored layout: empty is no answer; an unknown kind, an empty or too long
    /// response is malformed.
    pub fn decode(bytes: &[u8]) -> Result<Option<OcspEvidence>, LayoutError> {
        let Some((&kind, der)) = bytes.split_first() else {
            return Ok(None);
        };
        let mut r = Reader::new(bytes, "OCSP answer");
        if der.is_empty() || der.len() > MAX_OCSP_BYTES {
            return Err(r.error(format!(
                "the response is {} bytes long; 1 to {MAX_OCSP_BYTES} are allowed",
                der.len()
            )));
        }
        let evidence = match kind {
            FETCHED => OcspEvidence::Fetched(der.to_vec()),
            REUSED => OcspEvidence::Reused(der.to_vec()),
            other => return Err(r.error(format!("unknown kind {other:#04x}"))),
        };
        r.take(bytes.len())?;
        r.finish()?;
        Ok(Some(evidence))
    }
}

/// The nonce of the OCSP request made for a submission: `SHA-256("ivote-v1/ocsp-nonce" ‖
/// ballot hash (32) ‖ certificate hash (32))`. Anyone can recompute it from the submission,
/// so a stored answer that echoes it was provably fetched for this ballot, not before it
/// existed.
pub fn ocsp_nonce(ballot_hash: &BallotHash, certificate_hash: &CertificateHash) -> [u8; 32] {
    Sha256::new()
        .chain_update(NONCE_LABEL)
        .chain_update(ballot_hash.0)
        .chain_update(certificate_hash.0)
        .finalize()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_round_trips_and_refuses_what_is_not_one() {
        for evidence in [
            None,
            Some(OcspEvidence::Fetched(vec![0x30, 1, 2])),
            Some(OcspEvidence::Reused(vec![0x30])),
        ] {
            let bytes = OcspEvidence::encode(evidence.as_ref());
            assert_eq!(OcspEvidence::decode(&bytes).unwrap(), evidence);
        }
        for bad in [
            vec![FETCHED],
            vec![0x03, 0x30],
            vec![0x00, 0x30],
            [&[REUSED][..], &vec![0; MAX_OCSP_BYTES + 1]].concat(),
        ] {
            let err = OcspEvidence::decode(&bad).unwrap_err();
            assert_eq!(err.code(), "layout.malformed", "{err}");
        }
    }

    #[test]
    fn the_nonce_binds_the_ballot_and_the_certificate() {
        let (b, c) = (BallotHash([1; 32]), CertificateHash([2; 32]));
        let n = ocsp_nonce(&b, &c);
        assert_ne!(n, ocsp_nonce(&BallotHash([3; 32]), &c));
        assert_ne!(n, ocsp_nonce(&b, &CertificateHash([3; 32])));
        let expected: [u8; 32] = Sha256::digest([NONCE_LABEL, &[1; 32], &[2; 32]].concat()).into();
        assert_eq!(n, expected);
    }
}
