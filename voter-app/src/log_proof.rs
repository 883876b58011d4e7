//! Proofs against the collector's log, checked with the collector key from the verified
//! package: a signed tree head, a record's inclusion under it, consistency between two heads.

use ivote_eid::VoterCertificate;
use ivote_protocol::hashes::{BallotHash, CertificateHash, RecordHash};
use ivote_protocol::merkle::{verify_consistency, verify_inclusion, NodeHash};
use ivote_protocol::receipt::SignedTreeHead;
use ivote_protocol::submission::{Submission, SubmissionRecord};
use ivote_protocol::wire::StoredBallot;

use crate::client::Collector;
use crate::error::AppError;
use crate::package::Election;

/// The log record of a stored ballot, rebuilt from what `/verify` answers and the
/// submission's validated certificate (the record is what the log's leaf hashes).
pub fn record_of(
    stored: &StoredBallot,
    submission: &Submission,
    ballot_hash: BallotHash,
    cert: &VoterCertificate,
) -> SubmissionRecord {
    SubmissionRecord {
        leaf_index: stored.leaf_index,
        received_at: stored.received_at,
        voter_id: cert.voter_id().to_owned(),
        voter_seq: stored.voter_seq,
        ballot_hash,
        certificate_hash: CertificateHash(*cert.fingerprint()),
        signature: submission.signature.clone(),
    }
}

/// The collector's latest tree head, its signature checked.
pub fn latest_head(collector: &Collector, election: &Election) -> Result<SignedTreeHead, AppError> {
    let head = collector.head()?;
    head.verify(&election.package.collector_key, election.context())
        .map_err(|_| {
            AppError::refused(
                "log.bad_head",
                "the collector's log state is not signed by the election's collector key; do \
                 not trust this collector, and tell the election officials",
            )
        })?;
    Ok(head)
}

/// Checks that `leaf` (a record hash at `leaf_index`) is in the tree of `head`.
pub fn check_included(
    collector: &Collector,
    head: &SignedTreeHead,
    leaf_index: u64,
    record_hash: &RecordHash,
) -> Result<(), AppError> {
    let missing = || {
        AppError::refused(
            "log.not_included",
            format!(
                "your ballot (position {leaf_index}) is NOT in the collector's log of {} \
                 ballots; keep your receipt and tell the election officials",
                head.size
            ),
        )
    };
    if leaf_index >= head.size {
        return Err(missing());
    }
    let proof = collector.inclusion(leaf_index, head.size)?;
    let leaf = ivote_protocol::merkle::leaf_hash(&record_hash.0);
    if verify_inclusion(&leaf, leaf_index, head.size, &proof, &head.root) {
        Ok(())
    } else {
        Err(missing())
    }
}

/// Checks that the log of `new` extends the log of `old` (nothing was removed or changed).
pub fn check_consistent(
    collector: &Collector,
    old: &SignedTreeHead,
    new: &SignedTreeHead,
) -> Result<(), AppError> {
    let bad = || {
        AppError::refused(
            "log.inconsistent",
            format!(
                "the collector's log of {} ballots does not extend the log of {} ballots your \
                 receipt was signed in: ballots were removed or changed; keep your receipt and \
                 tell the election officials",
                new.size, old.size
            ),
        )
    };
    if new.size < old.size {
        return Err(bad());
    }
    let proof: Vec<NodeHash> = if new.size == old.size {
        Vec::new()
    } else {
        collector.consistency(old.size, new.size)?
    };
    if verify_consistency(old.size, new.size, &old.root, &new.root, &proof) {
        Ok(())
    } else {
        Err(bad())
    }
}
