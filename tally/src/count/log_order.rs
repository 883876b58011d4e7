//! The checks of the collector's log as a whole (`docs/tally.md`, "The log as a whole"): what
//! no single entry shows, only the entries in log order. The collector alone sets each
//! record's receive time, leaf and sequence number and signs the log; an honest collector's
//! log always has
//!
//! 1. receive times that never decrease along the log (`tally.box_time_order`): it appends
//!    as it receives, with one clock;
//! 2. no receive time at or after the end of the window (`tally.box_after_close`): it accepts
//!    nothing then;
//! 3. no ballot hash twice (`tally.box_ballot_twice`) and no challenge nonce twice
//!    (`tally.box_nonce_twice`): a challenge is used once, a stored ciphertext never again;
//! 4. for each voter, sequence numbers 1, 2, 3, … in log order: the voter's `k`-th leaf
//!    has `voter_seq` `k` (`tally.box_voter_seq`).
//!
//! A log that breaks one of these was signed by a collector that lies about time or order
//! (re-appending a voter's earlier vote after their revote, shifting a vote out of the window,
//! reordering): the import refuses the whole box, naming every such leaf, and counts nothing.
//! Deciding per leaf which of two copies counts, or dropping the late one, would let the
//! collector choose the outcome; the officials must stop and investigate instead.
//!
//! Sequential, in log order; memory: a ballot hash and a nonce per leaf, a sequence number
//! per voter.

use std::collections::HashMap;

use ivote_protocol::ballot::Ballot;
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::submission::SubmissionRecord;

/// Receive times that decrease along the log.
pub const TIME_ORDER: &str = "tally.box_time_order";
/// A receive time at or after the end of the window.
pub const AFTER_CLOSE: &str = "tally.box_after_close";
/// The same ballot hash at two leaves.
pub const BALLOT_TWICE: &str = "tally.box_ballot_twice";
/// The same challenge nonce at two leaves.
pub const NONCE_TWICE: &str = "tally.box_nonce_twice";
/// A voter's sequence numbers that are not 1, 2, 3, … in log order.
pub const VOTER_SEQ: &str = "tally.box_voter_seq";

/// One leaf that breaks a rule of an honest log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogProblem {
    /// The leaf.
    pub leaf: u64,
    /// Which rule (one of this module's codes).
    pub code: &'static str,
    /// What is wrong, naming the earlier leaf involved.
    pub detail: String,
}

/// The state of the checks while the log is read, leaf after leaf.
#[derive(Debug)]
pub struct LogOrder {
    ends: i64,
    /// The previous leaf's index and receive time.
    previous: Option<(u64, i64)>,
    ballots: HashMap<BallotHash, u64>,
    nonces: HashMap<[u8; 32], u64>,
    /// Per voter id: how many of the voter's leaves came so far.
    seqs: HashMap<String, u32>,
    problems: Vec<LogProblem>,
}

/// The challenge nonce of a submission's ballot layout; `None` when the ballot does not
/// decode (the entry's own checks report it).
pub fn nonce_of(ballot: &[u8]) -> Option<[u8; 32]> {
    Ballot::from_bytes(ballot).ok().map(|b| b.nonce)
}

impl LogOrder {
    /// The checks of a log whose window ends at `ends` (Unix seconds, exclusive).
    pub fn new(ends: i64) -> LogOrder {
        LogOrder {
            ends,
            previous: None,
            ballots: HashMap::new(),
            nonces: HashMap::new(),
            seqs: HashMap::new(),
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, leaf: u64, code: &'static str, detail: String) {
        self.problems.push(LogProblem { leaf, code, detail });
    }

    /// The next leaf's record (leaves come in log order) and its ballot's nonce.
    pub fn push(&mut self, record: &SubmissionRecord, nonce: Option<[u8; 32]>) {
        let leaf = record.leaf_index;
        let at = record.received_at;
        if let Some((before, then)) = self.previous {
            if at < then {
                self.problem(
                    leaf,
                    TIME_ORDER,
                    format!("received at {at}, before leaf {before} (received at {then})"),
                );
            }
        }
        self.previous = Some((leaf, at));
        if at >= self.ends {
            let ends = self.ends;
            self.problem(
                leaf,
                AFTER_CLOSE,
                format!("received at {at}, after the window closed at {ends}"),
            );
        }
        if let Some(first) = self.ballots.insert(record.ballot_hash, leaf) {
            self.problem(
                leaf,
                BALLOT_TWICE,
                format!(
                    "ballot {} is also leaf {first}'s",
                    record.ballot_hash.to_hex()
                ),
            );
        }
        if let Some(n) = nonce {
            if let Some(first) = self.nonces.insert(n, leaf) {
                self.problem(
                    leaf,
                    NONCE_TWICE,
                    format!("challenge nonce {} is also leaf {first}'s", hex::encode(n)),
                );
            }
        }
        let seen = self.seqs.entry(record.voter_id.clone()).or_insert(0);
        let expected = seen.saturating_add(1);
        *seen = expected;
        if record.voter_seq != expected {
            let voter = &record.voter_id;
            let found = record.voter_seq;
            self.problem(
                leaf,
                VOTER_SEQ,
                format!(
                    "voter {voter}: submission number {expected} in the log, its record says {found}"
                ),
            );
        }
    }

    /// Every problem, in log order (within a leaf, in the order of the module docs).
    pub fn finish(self) -> Vec<LogProblem> {
        self.problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ivote_protocol::hashes::CertificateHash;

    const ENDS: i64 = 2000;

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

    fn codes(log: &[(SubmissionRecord, [u8; 32])]) -> Vec<(u64, &'static str)> {
        let mut l = LogOrder::new(ENDS);
        for (r, n) in log {
            l.push(r, Some(*n));
        }
        l.finish().into_iter().map(|p| (p.leaf, p.code)).collect()
    }

    #[test]
    fn an_honest_log_passes() {
        let log = [
            (record(0, 900, "A", 1, 1), [1; 32]),
            (record(1, 1000, "A", 2, 2), [2; 32]),
            (record(2, 1000, "B", 1, 3), [3; 32]),
            (record(3, 1999, "A", 3, 4), [4; 32]),
        ];
        assert_eq!(codes(&log), []);
    }

    #[test]
    fn each_lie_is_named_with_its_code() {
        // A's first vote re-appended after the revote, with its own number and with the
        // next one; a time going back; a time after the close.
        let log = [
            (record(0, 1000, "A", 1, 1), [1; 32]),
            (record(1, 1100, "A", 2, 2), [2; 32]),
            (record(2, 1200, "A", 1, 1), [1; 32]),
            (record(3, 1150, "B", 1, 3), [3; 32]),
            (record(4, 2000, "C", 1, 4), [4; 32]),
            (record(5, 2001, "C", 2, 5), [4; 32]),
        ];
        assert_eq!(
            codes(&log),
            [
                (2, BALLOT_TWICE),
                (2, NONCE_TWICE),
                (2, VOTER_SEQ),
                (3, TIME_ORDER),
                (4, AFTER_CLOSE),
                (5, AFTER_CLOSE),
                (5, NONCE_TWICE),
            ]
        );
        // The re-appended vote numbered as the voter's third: still the same ballot.
        let log = [
            (record(0, 1000, "A", 1, 1), [1; 32]),
            (record(1, 1100, "A", 2, 2), [2; 32]),
            (record(2, 1200, "A", 3, 1), [1; 32]),
        ];
        assert_eq!(codes(&log), [(2, BALLOT_TWICE), (2, NONCE_TWICE)]);
        // A voter whose numbers skip one, and one starting at 2.
        let log = [
            (record(0, 1000, "A", 1, 1), [1; 32]),
            (record(1, 1100, "A", 3, 2), [2; 32]),
            (record(2, 1200, "B", 2, 3), [3; 32]),
        ];
        assert_eq!(codes(&log), [(1, VOTER_SEQ), (2, VOTER_SEQ)]);
    }
}
