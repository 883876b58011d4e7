//! V05 (the collector's final head: its tree-head signature and its closing signature, with
//! the collector key of the package), V06 (the root recomputed from every leaf of `log.bin`:
//! each record hash from the leaf's published receive time, ballot hash and voter commitment
//! and its index) and V16 (the log as a whole, from what it publishes: receive times that
//! never decrease, none at or after the close, no ballot twice).

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use ivote_protocol::hashes::BallotHash;
use ivote_protocol::package::ElectionPackage;
use ivote_protocol::record::log::LogFile;
use ivote_protocol::record::{check_context, LOG_FILE};

use super::{because, FINAL_HEAD, LOG_ORDER, LOG_ROOT, PACKAGE};
use crate::files::RecordDir;
use crate::report::{item_file, Failure, Report};

/// Runs V05 and V06; returns the decoded log.
pub fn check(
    dir: &RecordDir,
    package: Option<&ElectionPackage>,
    report: &mut Report,
) -> Option<LogFile> {
    let bytes = match dir.read(LOG_FILE) {
        Ok(b) => b,
        Err(e) => {
            for c in [FINAL_HEAD, LOG_ROOT] {
                report.not_run(c, format!("{e} [{}]", e.code()));
            }
            return None;
        }
    };
    let log = match LogFile::from_bytes(&bytes) {
        Ok(log) => log,
        Err(e) => {
            report.failed(
                FINAL_HEAD,
                item_file(LOG_FILE),
                format!("{e} [{}]", e.code()),
            );
            report.skipped(LOG_ROOT, because(&[FINAL_HEAD], "log.bin does not decode"));
            return None;
        }
    };
    let size = log.final_head.head.size;
    match package {
        None => report.skipped(
            FINAL_HEAD,
            because(&[PACKAGE], "the collector's key is in the package"),
        ),
        Some(p) => {
            let mut failures = Vec::new();
            if let Err(e) = check_context(LOG_FILE, &log.context, &p.context_hash) {
                failures.push(Failure {
                    item: item_file(LOG_FILE),
                    detail: format!("{e} [{}]", e.code()),
                });
            }
            if let Err(e) = log.final_head.verify(&p.collector_key, &p.context_hash) {
                failures.push(Failure {
                    item: "final head".into(),
                    detail: format!(
                        "{e} [{}]: the final head is not signed by the package's collector key",
                        e.code()
                    ),
                });
            }
            report.ran(FINAL_HEAD, format!("{size} leaves"), failures);
        }
    }
    let failures = if log.root_matches() {
        vec![]
    } else {
        vec![Failure {
            item: "final head".into(),
            detail: format!(
                "the {size} leaves of {LOG_FILE} (each record hash recomputed from the leaf's \
                 index, receive time, ballot hash and voter commitment) do not hash to the \
                 final head's root {}",
                hex::encode(log.final_head.head.root)
            ),
        }]
    };
    report.ran(LOG_ROOT, format!("{size} leaves"), failures);
    Some(log)
}

/// Runs V16 on the log V05 and V06 showed to be the collector's: along the leaves, receive
/// times never decrease, none is at or after the package's `voting_ends` (the window is
/// `[voting_starts, voting_ends)`: the collector accepts nothing after it), and no ballot hash
/// is an earlier leaf's (a voter's earlier vote re-appended after their revote). Every
/// failing leaf is named. The auditors check the same on the ballot box (A13–A15); since
/// `log.bin` publishes each leaf's time and ballot hash, anyone can.
pub fn check_order(log: Option<&LogFile>, package: Option<&ElectionPackage>, report: &mut Report) {
    let needed = [FINAL_HEAD, LOG_ROOT];
    let failed: Vec<_> = needed.into_iter().filter(|c| !report.passed(*c)).collect();
    let (Some(log), Some(package), true) = (log, package, failed.is_empty()) else {
        report.skipped(
            LOG_ORDER,
            because(
                if failed.is_empty() { &needed } else { &failed },
                "log.bin is not shown to be the collector's final log",
            ),
        );
        return;
    };
    let ends = package.manifest.voting_ends().as_second();
    let failures = order_failures(log, ends);
    report.ran(LOG_ORDER, format!("{} leaves", log.leaves.len()), failures);
}

/// V16's failures, in leaf order.
fn order_failures(log: &LogFile, ends: i64) -> Vec<Failure> {
    let mut failures = Vec::new();
    let mut first_of: HashMap<BallotHash, u64> = HashMap::with_capacity(log.leaves.len());
    let mut before: Option<(u64, i64)> = None;
    for (i, at, ballot) in log.ballots() {
        let mut fail = |detail: String| {
            failures.push(Failure {
                item: format!("leaf {i} (ballot {})", ballot.to_hex()),
                detail,
            })
        };
        if let Some((j, then)) = before.filter(|(_, then)| at < *then) {
            fail(format!(
                "received at {at}, before leaf {j} (received at {then}): the log's times go \
                 backwards"
            ));
        }
        if at >= ends {
            fail(format!(
                "received at {at}, at or after the end of the voting window (voting_ends \
                 {ends}): the collector accepts nothing then"
            ));
        }
        match first_of.entry(ballot) {
            Entry::Occupied(first) => fail(format!(
                "the same ballot as leaf {}: a ballot is logged once",
                first.get()
            )),
            Entry::Vacant(v) => {
                v.insert(i);
            }
        }
        before = Some((i, at));
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use ivote_protocol::ballot_box::FinalHead;
    use ivote_protocol::hashes::VoterCommitment;
    use ivote_protocol::receipt::SignedTreeHead;
    use ivote_protocol::submission::LogLeaf;
    use ivote_protocol::ContextHash;

    fn log(leaves: &[(i64, u8)]) -> LogFile {
        let key = SigningKey::from_bytes(&[1; 32]);
        let ctx = ContextHash([2; 32]);
        let head = SignedTreeHead::sign(&key, &ctx, leaves.len() as u64, [0; 32], 0);
        LogFile {
            context: ctx,
            final_head: FinalHead::sign(head, &key, &ctx),
            leaves: leaves
                .iter()
                .map(|&(at, b)| LogLeaf {
                    received_at: at,
                    ballot_hash: BallotHash([b; 32]),
                    voter: VoterCommitment([b; 32]),
                })
                .collect(),
        }
    }

    fn named(leaves: &[(i64, u8)]) -> Vec<String> {
        order_failures(&log(leaves), 2000)
            .into_iter()
            .map(|f| f.item.split(' ').take(2).collect::<Vec<_>>().join(" "))
            .collect()
    }

    #[test]
    fn an_honest_log_passes_and_each_lie_names_its_leaf() {
        // Equal times, a test vote before the window: fine.
        assert!(named(&[(500, 1), (1000, 2), (1000, 3), (1999, 4)]).is_empty());
        assert_eq!(named(&[(1000, 1), (1100, 2), (1050, 3)]), ["leaf 2"]);
        assert_eq!(
            named(&[(1000, 1), (2000, 2), (2500, 3)]),
            ["leaf 1", "leaf 2"]
        );
        // A ballot re-appended twice: both copies named, each against the first.
        let twice = order_failures(&log(&[(1000, 1), (1100, 2), (1200, 1), (1300, 1)]), 2000);
        let details: Vec<_> = twice.iter().map(|f| f.detail.as_str()).collect();
        assert_eq!(details.len(), 2);
        assert!(
            details.iter().all(|d| d.contains("as leaf 0")),
            "{details:?}"
        );
        assert!(twice[0].item.starts_with("leaf 2 "));
        assert!(twice[1].item.starts_with("leaf 3 "));
    }
}
