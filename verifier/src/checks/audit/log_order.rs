//! A13–A17: the collector's log as a whole, leaf after leaf in log order. The collector alone
//! sets each record's receive time, leaf and sequence number, and signs the log; what no
//! single entry shows, the whole log does. An honest collector's log has
//!
//! * A13: receive times that never decrease along the log;
//! * A14: no receive time at or after the end of the window (`voting_ends`, exclusive);
//! * A15: no ballot hash (the record's) twice;
//! * A16: no challenge nonce (the ballot's, when its layout decodes) twice;
//! * A17: for each voter, sequence numbers 1, 2, 3, … in log order: the voter's `k`-th leaf
//!   has `voter_seq` `k`.
//!
//! A leaf breaking one of them is named under its check, with the earlier leaf involved.
//! `tally import` refuses such a box whole (`tally.box_*`, `docs/tally.md`); a record built
//! from one anyway fails here. This is the verifier's own implementation, from the docs.

use std::collections::HashMap;

use ivote_protocol::ballot::Ballot;
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::submission::SubmissionRecord;

use super::LOG_WHOLE;
use crate::report::{Failure, Report};

/// The checks' state while the box is read, and their failures.
#[derive(Debug)]
pub struct LogChecks {
    ends: i64,
    last: Option<(u64, i64)>,
    ballots: HashMap<BallotHash, u64>,
    nonces: HashMap<[u8; 32], u64>,
    /// Per voter id: the voter's leaves so far.
    leaves_of: HashMap<String, u32>,
    /// The failures of A13..A17, in that order ([`LOG_WHOLE`]'s).
    failures: [Vec<Failure>; 5],
    leaves: u64,
}

/// The challenge nonce of a ballot layout, if it decodes.
pub fn nonce(ballot: &[u8]) -> Option<[u8; 32]> {
    Ballot::from_bytes(ballot).ok().map(|b| b.nonce)
}

impl LogChecks {
    /// The checks of a log whose window ends at `ends` (Unix seconds, exclusive).
    pub fn new(ends: i64) -> LogChecks {
        LogChecks {
            ends,
            last: None,
            ballots: HashMap::new(),
            nonces: HashMap::new(),
            leaves_of: HashMap::new(),
            failures: Default::default(),
            leaves: 0,
        }
    }

    fn fail(&mut self, check: usize, record: &SubmissionRecord, detail: String) {
        if let Some(f) = self.failures.get_mut(check) {
            f.push(Failure {
                item: format!("leaf {} (voter {})", record.leaf_index, record.voter_id),
                detail,
            });
        }
    }

    /// The next leaf (in log order): its record and its ballot's nonce.
    pub fn push(&mut self, record: &SubmissionRecord, nonce: Option<[u8; 32]>) {
        self.leaves += 1;
        let (leaf, at) = (record.leaf_index, record.received_at);
        if let Some((before, then)) = self.last.replace((leaf, at)) {
            if at < then {
                self.fail(
                    0,
                    record,
                    format!("received at {at}, before leaf {before} (received at {then})"),
                );
            }
        }
        if at >= self.ends {
            let ends = self.ends;
            self.fail(
                1,
                record,
                format!("received at {at}, at or after the end of the window ({ends})"),
            );
        }
        if let Some(other) = self.ballots.insert(record.ballot_hash, leaf) {
            let hash = record.ballot_hash.to_hex();
            self.fail(2, record, format!("ballot {hash} is also leaf {other}'s"));
        }
        if let Some(n) = nonce {
            if let Some(other) = self.nonces.insert(n, leaf) {
                let n = hex::encode(n);
                self.fail(
                    3,
                    record,
                    format!("challenge nonce {n} is also leaf {other}'s"),
                );
            }
        }
        let k = self.leaves_of.entry(record.voter_id.clone()).or_insert(0);
        *k = k.saturating_add(1);
        let k = *k;
        if record.voter_seq != k {
            let seq = record.voter_seq;
            self.fail(
                4,
                record,
                format!("the voter's leaf number {k} in log order has sequence number {seq}"),
            );
        }
    }

    /// Reports A13..A17.
    pub fn report(self, report: &mut Report) {
        let covered = format!("{} leaves", self.leaves);
        for (check, failures) in LOG_WHOLE.into_iter().zip(self.failures) {
            report.ran(check, covered.clone(), failures);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ivote_protocol::hashes::CertificateHash;

    fn record(leaf: u64, at: i64, voter: &str, seq: u32, ballot: u8) -> SubmissionRecord {
        SubmissionRecord {
            leaf_index: leaf,
            received_at: at,
            voter_id: voter.into(),
            voter_seq: seq,
            ballot_hash: BallotHash([ballot; 32]),
            certificate_hash: CertificateHash([0; 32]),
            signature: vec![],
        }
    }

    /// Per check A13..A17, the leaves it names.
    fn failing(log: &[(SubmissionRecord, u8)]) -> [Vec<String>; 5] {
        let mut checks = LogChecks::new(2000);
        for (r, n) in log {
            checks.push(r, Some([*n; 32]));
        }
        checks
            .failures
            .map(|f| f.into_iter().map(|f| f.item).collect())
    }

    #[test]
    fn an_honest_log_passes_and_each_lie_fails_its_check() {
        let honest = [
            (record(0, 900, "A", 1, 1), 1),
            (record(1, 1000, "A", 2, 2), 2),
            (record(2, 1000, "B", 1, 3), 3),
        ];
        assert_eq!(failing(&honest), <[Vec<String>; 5]>::default());
        let lies = [
            (record(0, 1000, "A", 1, 1), 1),
            (record(1, 1100, "A", 2, 2), 2),
            (record(2, 1200, "A", 1, 1), 1), // A's first vote again, its old number
            (record(3, 1150, "B", 1, 3), 3), // before leaf 2
            (record(4, 2000, "C", 2, 4), 2), // after the close; C's first is number 2
        ];
        let [a13, a14, a15, a16, a17] = failing(&lies);
        assert_eq!(a13, ["leaf 3 (voter B)"]);
        assert_eq!(a14, ["leaf 4 (voter C)"]);
        assert_eq!(a15, ["leaf 2 (voter A)"]);
        assert_eq!(a16, ["leaf 2 (voter A)", "leaf 4 (voter C)"]);
        assert_eq!(a17, ["leaf 2 (voter A)", "leaf 4 (voter C)"]);
    }
}
