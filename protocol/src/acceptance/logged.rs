//! Step 1 of a ballot-box entry's checks ([`super`]): the submission is the one the
//! collector logged. Its record is a leaf of the signed log, so a difference means the box
//! was altered after logging, which is no voter's doing.

use thiserror::Error;

use crate::ballot::ballot_hash;
use crate::ballot_box::BoxEntry;
use crate::hashes::{BallotHash, CertificateHash};

/// How a box entry differs from the collector's record of it.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
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
