//! V17: the ballots of `ballots.bin` are exactly the ballots of the log's leaves, one each.
//! With V06 (the leaves give the collector's signed root) this proves, without naming a
//! voter, that every ballot the result could contain was logged by the collector, and that
//! every logged ballot is published (counted or not: `docs/coercion.md`).

use std::collections::{BTreeMap, BTreeSet};

use ivote_protocol::hashes::BallotHash;
use ivote_protocol::record::log::LogFile;
use ivote_protocol::record::{BALLOTS_FILE, LOG_FILE};

use super::ballots::Tallied;
use super::{because, BALLOTS, FINAL_HEAD, LOG_BALLOTS, LOG_ROOT};
use crate::report::{Failure, Report, Status};

/// Runs V17.
pub fn check(log: Option<&LogFile>, tallied: Option<&Tallied>, report: &mut Report) {
    let log_ok = [FINAL_HEAD, LOG_ROOT]
        .iter()
        .all(|c| report.status(*c) == Some(&Status::Passed));
    let (Some(log), Some(tallied), true) = (log, tallied, log_ok) else {
        report.skipped(
            LOG_BALLOTS,
            because(
                &[FINAL_HEAD, LOG_ROOT, BALLOTS],
                "the signed log and every ballot are both needed",
            ),
        );
        return;
    };
    let mut leaves: BTreeMap<BallotHash, Vec<u64>> = BTreeMap::new();
    for (i, _, hash) in log.ballots() {
        // FIXME-merge
        leaves.entry(hash).or_default().push(i);
    }
    let published: BTreeSet<&BallotHash> = tallied.hashes.iter().collect();
    let mut failures = Vec::new();
    for (hash, at) in &leaves {
        if !published.contains(hash) {
            for leaf in at {
                failures.push(Failure {
                    item: format!("leaf {leaf}"),
                    detail: format!(
                        "its ballot {} is not in {BALLOTS_FILE}: a logged ballot was left out",
                        hash.to_hex()
                    ),
                });
            }
        }
    }
    for hash in &tallied.hashes {
        if !leaves.contains_key(hash) {
            failures.push(Failure {
                item: format!("ballot {}", hash.to_hex()),
                detail: format!("it is the ballot of no leaf of {LOG_FILE}: it was never logged"),
            });
        }
    }
    report.ran(
        LOG_BALLOTS,
        format!(
            "{} leaves, {} ballots",
            log.leaves.len(),
            tallied.hashes.len()
        ),
        failures,
    );
}
