//! The counting rules, applied in log order to the checked submissions (`docs/tally.md`,
//! "The rules"):
//!
//! 1. an invalid submission is reported with its reason and changes nothing: it neither
//!    counts nor replaces the voter's earlier valid vote;
//! 2. a valid submission received before the voting window is a test vote: it never counts
//!    and never replaces anything;
//! 3. of each voter's valid submissions in the window, the one with the highest leaf index
//!    counts; the earlier ones are superseded (no clocks, no random tie-breaks: the log's
//!    order is the only order);
//! 4. a voter on the paper cancellation list has every e-vote cancelled, whenever it was
//!    cast: the paper vote is final.
//!
//! Pure and sequential; memory: one byte and one `u32` per leaf, one entry per voter.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ivote_protocol::acceptance::Rejection;
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::record::counts::{Decisions, LeafDecision, RuleCounts};
use ivote_protocol::ContextHash;

/// The reason recorded for a submission that is not what the collector logged (the import
/// then refuses the whole box).
const TAMPERED: &str = "tally.box_tampered";

/// What the checks said about one submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every check passed.
    Valid {
        /// The voter.
        voter_id: String,
        /// The ballot's hash.
        ballot_hash: BallotHash,
        /// When the collector received it (Unix seconds).
        received_at: i64,
    },
    /// A check refused it.
    Invalid(Rejection),
    /// It is not what the collector logged.
    Tampered,
}

const NO_VOTER: u32 = u32::MAX;

/// The rules' state while the log is read.
#[derive(Debug)]
pub struct Rules {
    starts: i64,
    outcomes: Vec<LeafDecision>,
    voter_of: Vec<u32>,
    voters: HashMap<String, u32>,
    /// Per voter index: the latest valid leaf in the window and its ballot hash.
    latest: Vec<(u64, BallotHash)>,
}

/// The rules' result.
#[derive(Debug)]
pub struct RulesResult {
    /// Every leaf's outcome.
    pub decisions: Decisions,
    /// The totals.
    pub counts: RuleCounts,
    /// The counted leaves with their ballot hashes.
    pub counted: BTreeMap<u64, BallotHash>,
}

impl Rules {
    /// Rules for a window opening at `starts` (Unix seconds).
    pub fn new(starts: i64) -> Rules {
        Rules {
            starts,
            outcomes: Vec::new(),
            voter_of: Vec::new(),
            voters: HashMap::new(),
            latest: Vec::new(),
        }
    }

    /// The next leaf's verdict (leaves come in log order).
    pub fn push(&mut self, verdict: Verdict) {
        let leaf = self.outcomes.len() as u64;
        let (outcome, voter) = match verdict {
            Verdict::Invalid(rejection) => {
                (LeafDecision::Invalid(rejection.code().into()), NO_VOTER)
            }
            Verdict::Tampered => (LeafDecision::Invalid(TAMPERED.into()), NO_VOTER),
            Verdict::Valid { received_at, .. } if received_at < self.starts => {
                (LeafDecision::TestVote, NO_VOTER)
            }
            Verdict::Valid {
                voter_id,
                ballot_hash,
                ..
            } => {
                let next = u32::try_from(self.latest.len()).unwrap_or(NO_VOTER);
                let v = *self.voters.entry(voter_id).or_insert(next);
                if v == next {
                    self.latest.push((leaf, ballot_hash));
                } else if let Some(slot) = self.latest.get_mut(v as usize) {
                    if let Some(o) = self.outcomes.get_mut(slot.0 as usize) {
                        *o = LeafDecision::Superseded;
                    }
                    *slot = (leaf, ballot_hash);
                }
                (LeafDecision::Counted, v)
            }
        };
        self.outcomes.push(outcome);
        self.voter_of.push(voter);
    }

    /// Applies the paper list (voter ids) and totals everything.
    pub fn finish(mut self, paper: &BTreeSet<String>, context: &ContextHash) -> RulesResult {
        let mut cancelled = vec![false; self.latest.len()];
        for (id, &v) in &self.voters {
            if paper.contains(id) {
                if let Some(c) = cancelled.get_mut(v as usize) {
                    *c = true;
                }
            }
        }
        for (o, &v) in self.outcomes.iter_mut().zip(&self.voter_of) {
            if v != NO_VOTER && cancelled.get(v as usize).copied().unwrap_or(false) {
                *o = LeafDecision::Cancelled;
            }
        }
        let mut counts = RuleCounts {
            submissions: self.outcomes.len() as u64,
            voters: self.latest.len() as u64,
            paper_votes: paper.len() as u64,
            cancelled_voters: cancelled.iter().filter(|c| **c).count() as u64,
            ..RuleCounts::default()
        };
        let mut rejected: BTreeMap<String, u64> = BTreeMap::new();
        for o in &self.outcomes {
            match o {
                LeafDecision::Counted => counts.counted += 1,
                LeafDecision::Superseded => counts.superseded += 1,
                LeafDecision::Cancelled => counts.cancelled_submissions += 1,
                LeafDecision::TestVote => counts.test_votes += 1,
                LeafDecision::Invalid(code) => *rejected.entry(code.clone()).or_default() += 1,
            }
        }
        counts.rejected = rejected.into_iter().collect();
        let counted = self
            .latest
            .iter()
            .zip(&cancelled)
            .filter(|(_, c)| !**c)
            .map(|(&(leaf, hash), _)| (leaf, hash))
            .collect();
        RulesResult {
            decisions: Decisions {
                context: *context,
                outcomes: self.outcomes,
            },
            counts,
            counted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ivote_eid::EidError;
    use ivote_protocol::ballot::BallotError;

    const START: i64 = 1000;

    fn valid(voter: &str, b: u8, at: i64) -> Verdict {
        Verdict::Valid {
            voter_id: voter.into(),
            ballot_hash: BallotHash([b; 32]),
            received_at: at,
        }
    }

    #[test]
    fn last_valid_counts_invalid_changes_nothing_paper_is_final() {
        let mut r = Rules::new(START);
        r.push(valid("A", 1, START - 5)); // 0 test vote
        r.push(valid("A", 2, START)); // 1 superseded by 3
        r.push(Verdict::Invalid(EidError::BadSignature.into())); // 2
        r.push(valid("A", 3, START + 1)); // 3 counted
        r.push(Verdict::Invalid(
            BallotError::InvalidProof(vec!["parliament".into()]).into(),
        )); // 4: A's garbage, ignored
        r.push(valid("B", 4, START + 2)); // 5 cancelled (paper)
        r.push(valid("B", 5, START + 3)); // 6 revote after paper: cancelled
        r.push(valid("C", 6, START + 4)); // 7 counted
        r.push(valid("D", 7, START - 1)); // 8 only a test vote: D is no voter
        let paper: BTreeSet<String> = ["B".to_owned(), "E".to_owned()].into();
        let res = r.finish(&paper, &ContextHash([0; 32]));
        use LeafDecision::*;
        assert_eq!(
            res.decisions.outcomes,
            [
                TestVote,
                Superseded,
                Invalid("eid.bad_signature".into()),
                Counted,
                Invalid("ballot.invalid_proof".into()),
                Cancelled,
                Cancelled,
                Counted,
                TestVote
            ]
        );
        let c = &res.counts;
        assert_eq!(
            (
                c.submissions,
                c.voters,
                c.counted,
                c.superseded,
                c.test_votes
            ),
            (9, 3, 2, 1, 2)
        );
        assert_eq!(
            (c.paper_votes, c.cancelled_voters, c.cancelled_submissions),
            (2, 1, 2)
        );
        assert_eq!(
            c.rejected,
            [
                ("ballot.invalid_proof".to_owned(), 1),
                ("eid.bad_signature".to_owned(), 1)
            ]
        );
        assert_eq!(
            res.counted.into_iter().collect::<Vec<_>>(),
            [(3, BallotHash([3; 32])), (7, BallotHash([6; 32]))]
        );
        // The totals satisfy the record decoder's invariants.
        let bytes = c.to_bytes(&ContextHash([0; 32]));
        assert!(RuleCounts::from_bytes(&bytes).is_ok());
    }
}
