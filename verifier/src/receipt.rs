//! `verifier receipt`: a voter checks that the collector's receipt for their ballot is
//! genuine (R01) and that its record is in the log the tally started from (R02: the leaf is
//! the receipt's record, holding the receipt's ballot hash and receive time), after the
//! record itself checks out as far as the log (V01 to V06). R02 runs only when R01, V05 and
//! V06 passed: its failure accuses the collector, which only a genuine receipt and the
//! collector's own final log can do.
//!
//! Whether that ballot was then counted cannot be seen in the public record (a later revote
//! or a paper vote supersedes it, and the counted ballots carry no voter): auditors check it
//! with `verifier audit`.

use ivote_protocol::hashes::BallotHash;
use ivote_protocol::receipt::Receipt;
use rand::{CryptoRng, RngCore};

use crate::checks::{
    because, log, officials_key, package, seal, Options, CEREMONY, FINAL_HEAD, LOG_ROOT, PACKAGE,
    PACKAGE_SIGNATURE, SEAL,
};
use crate::files::RecordDir;
use crate::report::{Check, Failure, Report};

/// R01.
pub const RECEIPT_SIGNATURE: Check = Check {
    id: "R01",
    name: "receipt: the collector's signatures, for this ballot",
};
/// R02.
pub const RECEIPT_INCLUDED: Check = Check {
    id: "R02",
    name: "receipt: its record is a leaf of the final log, with its ballot and time",
};
/// The checks of `verifier receipt`, in order.
pub const RECEIPT_CATALOGUE: &[Check] = &[
    SEAL,
    PACKAGE_SIGNATURE,
    PACKAGE,
    CEREMONY,
    FINAL_HEAD,
    LOG_ROOT,
    RECEIPT_SIGNATURE,
    RECEIPT_INCLUDED,
];

/// A receipt file: its binary layout, or the same as hex text.
pub fn parse_receipt(bytes: &[u8]) -> Result<Receipt, String> {
    let text = std::str::from_utf8(bytes).ok().map(str::trim);
    let raw = match text.and_then(|t| hex::decode(t).ok()) {
        Some(raw) => raw,
        None => bytes.to_vec(),
    };
    Receipt::from_bytes(&raw).map_err(|e| format!("{e} [{}]", e.code()))
}

/// Checks `receipt` (the file's bytes) against the record in `dir`; `ballot` is the ballot
/// hash the voter's app showed, if given (otherwise the receipt's own is used).
pub fn check_receipt<R: RngCore + CryptoRng>(
    dir: &RecordDir,
    receipt: &[u8],
    ballot: Option<BallotHash>,
    options: &Options,
    _rng: &mut R,
) -> Report {
    let mut report = Report::new("receipt", RECEIPT_CATALOGUE);
    let key = officials_key(dir, options, &mut report);
    let package = package::check(dir, key.as_ref(), &mut report);
    seal::check(
        dir,
        key.as_ref(),
        package.as_ref().map(|p| &p.context_hash),
        ivote_protocol::record::seal::KIND_RECORD,
        SEAL,
        &mut report,
    );
    let log = log::check(dir, package.as_ref(), &mut report);
    let receipt = match parse_receipt(receipt) {
        Ok(r) => r,
        Err(e) => {
            report.failed(RECEIPT_SIGNATURE, "receipt", e);
            report.skipped(
                RECEIPT_INCLUDED,
                because(&[RECEIPT_SIGNATURE], "the receipt does not decode"),
            );
            return report;
        }
    };
    let content = &receipt.content;
    let item = format!("receipt for ballot {}", content.ballot_hash.to_hex());
    match &package {
        None => report.skipped(
            RECEIPT_SIGNATURE,
            because(&[PACKAGE], "the collector's key is in the package"),
        ),
        Some(p) => {
            let expected = ballot.unwrap_or(content.ballot_hash);
            let failures = match receipt.verify(&p.collector_key, &p.context_hash, &expected) {
                Ok(()) => vec![],
                Err(e) => vec![Failure {
                    item: item.clone(),
                    detail: format!("{e} [{}]", e.code()),
                }],
            };
            report.ran(
                RECEIPT_SIGNATURE,
                format!("leaf {}", content.leaf_index),
                failures,
            );
        }
    }
    // R02 says "the collector's log was rewritten" when it fails: only true of a receipt
    // that is the collector's, for this ballot (R01), compared with a log that is the
    // collector's (V05, V06).
    if !report.passed(RECEIPT_SIGNATURE) {
        report.skipped(
            RECEIPT_INCLUDED,
            because(
                &[RECEIPT_SIGNATURE],
                "the receipt is not shown to be the collector's receipt for this ballot in \
                 this election, so comparing it with the log proves nothing",
            ),
        );
        return report;
    }
    let log_checks = [FINAL_HEAD, LOG_ROOT];
    let Some(log) = log.filter(|_| log_checks.iter().all(|c| report.passed(*c))) else {
        report.skipped(
            RECEIPT_INCLUDED,
            because(
                &log_checks,
                "log.bin is not shown to be the collector's final log",
            ),
        );
        return report;
    };
    let mut failures = Vec::new();
    let size = log.leaves.len() as u64;
    let index = content.leaf_index;
    let mut fail = |detail: String| {
        failures.push(Failure {
            item: item.clone(),
            detail,
        })
    };
    match usize::try_from(index).ok().and_then(|i| log.leaves.get(i)) {
        None => fail(format!(
            "the final log has {size} leaves: no leaf {index}, the receipt's"
        )),
        Some(leaf) => {
            if leaf.record_hash(index) != content.record_hash {
                fail(format!(
                    "leaf {index} of the final log is not the receipt's record {}",
                    content.record_hash.to_hex()
                ));
            }
            if leaf.ballot_hash != content.ballot_hash {
                fail(format!(
                    "leaf {index} of the final log holds ballot {}, not the receipt's ballot {}",
                    leaf.ballot_hash.to_hex(),
                    content.ballot_hash.to_hex()
                ));
            }
            if leaf.received_at != content.received_at {
                fail(format!(
                    "leaf {index} of the final log was received at {}, the receipt says {}",
                    leaf.received_at, content.received_at
                ));
            }
        }
    }
    let seen = content.tree_head.size;
    if log.tree().root(seen) != Some(content.tree_head.root) {
        fail(format!(
            "the tree head in the receipt (size {seen}) is not a prefix of the final log: \
             the collector's log was rewritten after it gave this receipt"
        ));
    }
    report.ran(
        RECEIPT_INCLUDED,
        format!("leaf {} of {size}", content.leaf_index),
        failures,
    );
    report
}
