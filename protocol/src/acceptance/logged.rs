//! The checks of a ballot-box entry ([`super`]) that only the collector can fail: the submission is
//! the one the collector logged, under a challenge the collector signed and received in
//! that challenge's lifetime and window. Its record is a leaf of the signed log, so a
//! difference means the box was altered after logging, or the collector logged what its
//! own checks refuse: no voter's doing either way.

use thiserror::Error;

use crate::ballot::ballot_hash;
use crate::ballot_box::BoxEntry;
use crate::challenge::ChallengeFault;
use crate::hashes::{BallotHash, CertificateHash};

/// How a box entry is not what an honest collector logs.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LogMismatch {
    /// The named parts (`ballot`, `certificate`, `signature`) are not the record's.
    #[error("its {} differs from the logged record", .0.join(", "))]
    Differs(Vec<&'static str>),
    /// The certificate is another voter's than the record names.
    #[error("its certificate is {certificate}'s, the record says {record}")]
    VoterId {
        /// The certificate's voter id.
        certificate: String,
        /// The record's.
        record: String,
    },
    /// The submission's challenge is not this collector's for this election, or the record's
    /// receive time is outside its lifetime or the window of its purpose.
    #[error("{0}")]
    Challenge(ChallengeFault),
    /// The ballot's nonce is not the one derived from the submission's challenge and
    /// certificate: the collector logged a ballot with another challenge than it was made
    /// for (or accepted one its check refuses).
    #[error("its ballot was not made for its challenge and certificate (another nonce)")]
    NonceMismatch,
}

impl LogMismatch {
    /// The stable code: `log.differs`, `log.voter_id`, `ballot.nonce_mismatch`, or the
    /// challenge's (`challenge.bad_signature`, `challenge.outside_lifetime`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            LogMismatch::Differs(_) => "log.differs",
            LogMismatch::VoterId { .. } => "log.voter_id",
            LogMismatch::Challenge(f) => f.code(),
            LogMismatch::NonceMismatch => "ballot.nonce_mismatch",
        }
    }
}

/// The ballot hash and certificate hash (SHA-256 of its DER) of the entry's submission, if
/// they and its signature are the record's.
pub(super) fn check(entry: &BoxEntry) -> Result<(BallotHash, CertificateHash), LogMismatch> {
    let (record, sub) = (&entry.record, &entry.submission);
    let hash = ballot_hash(&sub.ballot);
    let cert_hash = CertificateHash::of(&sub.certificate);
    let differs: Vec<&'static str> = [
        (hash != record.ballot_hash, "ballot"),
        (cert_hash != record.certificate_hash, "certificate"),
        (sub.signature != record.signature, "signature"),
    ]
    .into_iter()
    .filter_map(|(d, what)| d.then_some(what))
    .collect();
    if differs.is_empty() {
        Ok((hash, cert_hash))
    } else {
        Err(LogMismatch::Differs(differs))
    }
}
