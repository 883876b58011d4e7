//! The checks every journal entry passes when the journal is read back (on every start of
//! the store, and again by `collector export`): each voter's sequence numbers are 1, 2, ...
//! in leaf order, the record's ballot hash is its submission's, and the ballot's layout,
//! contests and ciphertexts decode for the election. The journal's own framing, checksums
//! and leaf order are checked by [`crate::journal::scan`]; the signatures and proofs were
//! checked when the submission was accepted, and the tally checks them again.

use std::collections::HashMap;

use ivote_protocol::ballot::{ballot_hash, Ballot, BallotError, BallotShapes};
use ivote_protocol::layout::LayoutError;
use ivote_protocol::submission::Submission;
use ivote_protocol::ContextHash;
use thiserror::Error;

use crate::journal::Entry;

/// Why an entry fails the replay. The journal reports it as corruption at the entry's offset
/// ([`crate::journal::EntryError::Replay`], `store.corrupt_journal`).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// A voter's sequence numbers are not 1, 2, ... in leaf order.
    #[error("voter {voter}'s entry has sequence number {found}, expected {expected}")]
    Sequence {
        /// The voter.
        voter: String,
        /// The entry's number.
        found: u32,
        /// The number it must have.
        expected: u32,
    },
    /// The submission does not decode.
    #[error(transparent)]
    Submission(LayoutError),
    /// The record's ballot hash is not the hash of its submission's ballot.
    #[error("the record's ballot hash is not its submission's")]
    BallotHash,
    /// The ballot does not decode for this election.
    #[error(transparent)]
    Ballot(#[from] BallotError),
}

/// What a checked entry gives the index.
#[derive(Debug)]
pub struct Checked {
    /// The submission's challenge nonce (used up).
    pub nonce: [u8; 32],
    /// When that challenge expires (Unix seconds): until then its nonce must be remembered.
    pub challenge_expires: i64,
    /// Every selection ciphertext of the ballot.
    pub ciphertexts: Vec<[u8; 64]>,
}

/// Checks entries in leaf order (it remembers each voter's count).
#[derive(Debug)]
pub struct Replay<'a> {
    context: &'a ContextHash,
    shapes: &'a BallotShapes,
    seqs: HashMap<String, u32>,
}

impl<'a> Replay<'a> {
    /// A replay of a journal of the election with this context and ballot shapes.
    pub fn new(context: &'a ContextHash, shapes: &'a BallotShapes) -> Self {
        Replay {
            context,
            shapes,
            seqs: HashMap::new(),
        }
    }

    /// Checks the next entry (the caller adds where it is).
    pub fn check(&mut self, entry: &Entry) -> Result<Checked, ReplayError> {
        let r = &entry.record;
        let seq = self.seqs.entry(r.voter_id.clone()).or_insert(0);
        *seq += 1;
        if r.voter_seq != *seq {
            return Err(ReplayError::Sequence {
                voter: r.voter_id.clone(),
                found: r.voter_seq,
                expected: *seq,
            });
        }
        let submission =
            Submission::from_bytes(&entry.submission).map_err(ReplayError::Submission)?;
        if ballot_hash(&submission.ballot) != r.ballot_hash {
            return Err(ReplayError::BallotHash);
        }
        let ballot = Ballot::from_bytes(&submission.ballot)?;
        // The ciphertexts only: the proofs were verified on acceptance and the tally verifies
        // them again; decoding their points too would triple the cost of a restart.
        let selections = ballot.selections(self.context, self.shapes)?;
        Ok(Checked {
            nonce: submission.challenge.nonce,
            challenge_expires: submission.challenge.expires_at,
            ciphertexts: selections.iter().map(|c| c.to_bytes()).collect(),
        })
    }

    /// A replay that goes on after entries already checked, whose voters' latest sequence
    /// numbers are `voters` (from [`Replay::into_voters`]).
    pub fn resume(
        context: &'a ContextHash,
        shapes: &'a BallotShapes,
        voters: HashMap<String, u32>,
    ) -> Self {
        Replay {
            context,
            shapes,
            seqs: voters,
        }
    }

    /// Each voter's latest sequence number, to resume from.
    pub fn into_voters(self) -> HashMap<String, u32> {
        self.seqs
    }

    /// How many distinct voters were seen.
    pub fn voters(&self) -> usize {
        self.seqs.len()
    }
}
