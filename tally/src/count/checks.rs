//! The checks of the ballot box's entries: each entry's acceptance check
//! ([`ivote_protocol::acceptance`], whose module docs list the checks in order with their
//! codes) at the time the collector received it, in parallel batches, with every proof of a
//! batch verified at once. An entry that is not what the collector logged
//! ([`Checked::Tampered`]) makes the import refuse the whole box, naming the leaves.

use ivote_protocol::acceptance::{EntryRefusal, LogMismatch};
use ivote_protocol::ballot::DecodedBallot;
use ivote_protocol::ballot_box::BoxEntry;
use rand::rngs::OsRng;

use super::election::CountElection;
use super::rules::Verdict;

/// What the checks found.
#[derive(Debug)]
pub enum Checked {
    /// The submission does not match its record: what differs.
    Tampered(LogMismatch),
    /// Every check passed, or one failed: the verdict for the rules (an invalid one says
    /// why).
    Done(Verdict),
}

/// Checks a batch of entries (one thread); every proof of the batch in one batch
/// verification. Results in the entries' order.
pub fn check_batch(el: &CountElection, entries: &[BoxEntry]) -> Vec<Checked> {
    let election = &el.election;
    let mut out = Vec::with_capacity(entries.len());
    // The positions in `out` of the ballots whose proofs remain, and the ballots.
    let mut pending = Vec::new();
    let mut ballots: Vec<DecodedBallot<'_>> = Vec::new();
    for e in entries {
        match election.check_box_entry(e) {
            Ok(accepted) => {
                pending.push(out.len());
                out.push(Checked::Done(Verdict::Valid {
                    voter_id: e.record.voter_id.clone(),
                    ballot_hash: accepted.ballot_hash,
                    received_at: e.record.received_at,
                }));
                ballots.push(accepted.ballot);
            }
            Err(EntryRefusal::Tampered(why)) => out.push(Checked::Tampered(why)),
            Err(EntryRefusal::Invalid(rejection)) => {
                out.push(Checked::Done(Verdict::Invalid(rejection)))
            }
        }
    }
    let refs: Vec<&DecodedBallot<'_>> = ballots.iter().collect();
    for (k, rejection) in election.verify_proofs(&refs, &mut OsRng) {
        if let Some(slot) = pending.get(k).and_then(|&i| out.get_mut(i)) {
            *slot = Checked::Done(Verdict::Invalid(rejection));
        }
    }
    out
}
