//! What the counting rules did: `rule-counts.bin` (totals, in the record) and
//! `decisions.bin` (one line per leaf of the log, in the auditors' bundle).
//!
//! Every valid submission ends in exactly one outcome (the rules, `docs/tally.md`):
//! a test vote (received before the window), cancelled (its voter voted on paper),
//! superseded (the voter has a valid submission later in the log), or counted (the voter's
//! last valid one). An invalid submission is only reported: it changes nothing.
//!
//! `rule-counts.bin`: `lp("ivote-v1/record/rule-counts") ‖ context (32) ‖ u64 submissions ‖
//! u64 voters ‖ u64 counted ‖ u64 superseded ‖ u64 test votes ‖ u64 paper votes ‖ u64
//! cancelled voters ‖ u64 cancelled submissions ‖ u32 k ‖ k × (lp reason code ‖ u64 count)`,
//! reasons strictly increasing, counts non-zero. The decoder checks `submissions = counted +
//! superseded + test votes + cancelled submissions + Σ rejected` and `voters = counted +
//! cancelled voters`.
//!
//! `decisions.bin`: `lp("ivote-v1/record/decisions") ‖ context (32) ‖ u64 n ‖ n × (u64 leaf ‖
//! u8 outcome ‖ lp reason)`, leaf `i` at position `i`; outcome 0 counted, 1 superseded,
//! 2 cancelled, 3 test vote, 4 invalid; the reason (an error code such as
//! `eid.revoked`) is present for, and only for, an invalid submission.

use super::{
    count_u32, header, read_count, read_header, read_id, RecordError, DECISIONS_FILE,
    RULE_COUNTS_FILE,
};
use crate::layout::Reader;
use crate::package::ContextHash;

/// The label of `rule-counts.bin`.
pub const RULE_COUNTS_LABEL: &[u8] = b"ivote-v1/record/rule-counts";
/// The label of `decisions.bin`.
pub const DECISIONS_LABEL: &[u8] = b"ivote-v1/record/decisions";
const MAX_REASONS: usize = 1024;

/// The totals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleCounts {
    /// Entries in the ballot box.
    pub submissions: u64,
    /// Distinct voters with a valid submission in the voting window.
    pub voters: u64,
    /// Ballots counted (one per voter not cancelled).
    pub counted: u64,
    /// Valid submissions replaced by a later valid one of the same voter (revotes).
    pub superseded: u64,
    /// Valid submissions received before the voting window (never counted).
    pub test_votes: u64,
    /// Id codes on the paper cancellation list.
    pub paper_votes: u64,
    /// Voters with a valid e-vote who are on the paper list (their e-votes do not count).
    pub cancelled_voters: u64,
    /// Those voters' valid submissions in the window.
    pub cancelled_submissions: u64,
    /// Invalid submissions, per reason code (strictly increasing codes, non-zero counts).
    pub rejected: Vec<(String, u64)>,
}

impl RuleCounts {
    /// Σ rejected.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.iter().map(|(_, n)| n).sum()
    }

    /// The layout.
    pub fn to_bytes(&self, context: &ContextHash) -> Vec<u8> {
        let mut w = header(RULE_COUNTS_LABEL, context);
        w.u64(self.submissions)
            .u64(self.voters)
            .u64(self.counted)
            .u64(self.superseded)
            .u64(self.test_votes)
            .u64(self.paper_votes)
            .u64(self.cancelled_voters)
            .u64(self.cancelled_submissions)
            .u32(count_u32(self.rejected.len()));
        for (code, n) in &self.rejected {
            w.bytes(code.as_bytes()).u64(*n);
        }
        w.finish()
    }

    /// Decodes the layout and checks that the totals add up; returns the context too.
    pub fn from_bytes(bytes: &[u8]) -> Result<(ContextHash, RuleCounts), RecordError> {
        const F: &str = RULE_COUNTS_FILE;
        let mut r = Reader::new(bytes, "rule counts");
        let context = read_header(&mut r, RULE_COUNTS_LABEL, F)?;
        let mut u = || r.u64().map_err(RecordError::layout(F));
        let mut c = RuleCounts {
            submissions: u()?,
            voters: u()?,
            counted: u()?,
            superseded: u()?,
            test_votes: u()?,
            paper_votes: u()?,
            cancelled_voters: u()?,
            cancelled_submissions: u()?,
            rejected: Vec::new(),
        };
        let k = read_count(&mut r, "reasons", MAX_REASONS, F)?;
        for _ in 0..k {
            let code = read_id(&mut r, "a reason code", F)?;
            let n = r.u64().map_err(RecordError::layout(F))?;
            if n == 0 || c.rejected.last().is_some_and(|(last, _)| *last >= code) {
                return Err(RecordError::malformed(
                    F,
                    "the reasons are not in increasing order with non-zero counts",
                ));
            }
            c.rejected.push((code, n));
        }
        r.finish().map_err(RecordError::layout(F))?;
        let parts = [
            c.counted,
            c.superseded,
            c.test_votes,
            c.cancelled_submissions,
            c.rejected_total(),
        ];
        let sum = parts.iter().try_fold(0u64, |a, b| a.checked_add(*b));
        if sum != Some(c.submissions) || c.counted.checked_add(c.cancelled_voters) != Some(c.voters)
        {
            return Err(RecordError::malformed(
                F,
                "the totals do not add up (submissions = counted + superseded + test votes + \
                 cancelled + rejected, voters = counted + cancelled voters)",
            ));
        }
        Ok((context, c))
    }
}

/// What the counting rules decided for one leaf (`decisions.bin`): counted, or why not.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LeafDecision {
    /// The voter's last valid submission: counted.
    Counted,
    /// A later valid submission of the same voter replaced it.
    Superseded,
    /// The voter voted on paper.
    Cancelled,
    /// Received before the voting window.
    TestVote,
    /// Invalid, with the reason's code; reported, changes nothing.
    Invalid(String),
}

impl LeafDecision {
    fn tag(&self) -> u8 {
        match self {
            LeafDecision::Counted => 0,
            LeafDecision::Superseded => 1,
            LeafDecision::Cancelled => 2,
            LeafDecision::TestVote => 3,
            LeafDecision::Invalid(_) => 4,
        }
    }

    /// A word for reports: `counted`, `superseded`, `cancelled`, `test vote`, or the reason.
    pub fn describe(&self) -> String {
        match self {
            LeafDecision::Counted => "counted".into(),
            LeafDecision::Superseded => "superseded by a later vote".into(),
            LeafDecision::Cancelled => "cancelled: voted on paper".into(),
            LeafDecision::TestVote => "test vote before the window".into(),
            LeafDecision::Invalid(code) => format!("invalid [{code}]"),
        }
    }
}

/// Every leaf's outcome, in leaf order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decisions {
    /// The election.
    pub context: ContextHash,
    /// The decision on leaf `i`, at `i`.
    pub outcomes: Vec<LeafDecision>,
}

impl Decisions {
    /// The layout.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(DECISIONS_LABEL, &self.context);
        w.u64(self.outcomes.len() as u64);
        for (i, o) in self.outcomes.iter().enumerate() {
            w.u64(i as u64).fixed(&[o.tag()]);
            match o {
                LeafDecision::Invalid(code) => w.bytes(code.as_bytes()),
                _ => w.bytes(&[]),
            };
        }
        w.finish()
    }

    /// Decodes the layout.
    pub fn from_bytes(bytes: &[u8]) -> Result<Decisions, RecordError> {
        const F: &str = DECISIONS_FILE;
        let mut r = Reader::new(bytes, "decisions");
        let context = read_header(&mut r, DECISIONS_LABEL, F)?;
        let n = r.u64().map_err(RecordError::layout(F))?;
        // Each entry takes at least 13 bytes: bound the allocation by the input.
        if n > (bytes.len() / 13) as u64 {
            return Err(RecordError::malformed(F, format!("{n} entries cannot fit")));
        }
        let mut outcomes = Vec::with_capacity(n as usize);
        for i in 0..n {
            let leaf = r.u64().map_err(RecordError::layout(F))?;
            if leaf != i {
                return Err(RecordError::malformed(
                    F,
                    format!("entry {i} is for leaf {leaf}"),
                ));
            }
            let [tag] = r.array::<1>().map_err(RecordError::layout(F))?;
            let reason = r
                .string("a reason", crate::ballot::MAX_ID_LEN)
                .map_err(RecordError::layout(F))?;
            let outcome = match (tag, reason.is_empty()) {
                (0, true) => LeafDecision::Counted,
                (1, true) => LeafDecision::Superseded,
                (2, true) => LeafDecision::Cancelled,
                (3, true) => LeafDecision::TestVote,
                (4, false) => LeafDecision::Invalid(reason.to_owned()),
                _ => {
                    return Err(RecordError::malformed(
                        F,
                        format!("entry {i}: outcome {tag} with reason {reason:?}"),
                    ))
                }
            };
            outcomes.push(outcome);
        }
        r.finish().map_err(RecordError::layout(F))?;
        Ok(Decisions { context, outcomes })
    }
}
