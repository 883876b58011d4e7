//! Where accepted submissions go: the [`Store`] trait the HTTP handlers use, so that another
//! backend (a replicated one) can be added without touching them, and its embedded default
//! [`JournalStore`] (in `store/journal_store.rs`): the append-only [`crate::journal`] as the
//! source of truth, sled as the index, a single writer thread doing group commit.

use std::future::Future;
use std::pin::Pin;

use ivote_protocol::ballot_box::FinalHead;
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::merkle::NodeHash;
use ivote_protocol::receipt::{Receipt, SignedTreeHead};
use ivote_protocol::submission::SubmissionRecord;
use thiserror::Error;

use crate::decide::{Accepted, StoreView};
use crate::journal::JournalError;
use crate::reject::Rejection;

mod journal_store;

pub use journal_store::JournalStore;

/// A submission as stored, for the voter's verification device.
#[derive(Clone, Debug)]
pub struct Stored {
    /// Its log record.
    pub record: SubmissionRecord,
    /// The submission layout as received.
    pub submission: Vec<u8>,
}

/// The store failed; the caller logs it and answers with a generic internal error.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The journal could not be read or written, or is corrupt.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The sled index failed.
    #[error("the index failed: {0}")]
    Index(#[from] sled::Error),
    /// The index disagrees with the journal.
    #[error("the index does not match the journal: {0}; move the index directory away to rebuild it from the journal")]
    IndexMismatch(String),
    /// An earlier write failed; the store refuses further writes until restarted.
    #[error("the store stopped accepting submissions after a write failure")]
    Stopped,
    /// The closing statement (`final-head`) is unreadable, not signed by this collector, or
    /// does not match the journal.
    #[error(
        "the closing statement {path} does not fit this ballot box: {detail}; restore the \
         ballot box from a backup or replica, do not edit it"
    )]
    FinalHead {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// The closing statement could not be written.
    #[error("cannot write the closing statement {path}: {detail}")]
    WriteFinalHead {
        /// The file.
        path: String,
        /// The operating system's message.
        detail: String,
    },
}

impl StoreError {
    /// The stable code of a damaged ballot box (the journal, the index or the closing
    /// statement contradicts itself); `None` for failures to read or write.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            StoreError::Journal(JournalError::Corrupt { .. }) => Some("store.corrupt_journal"),
            StoreError::IndexMismatch(_) => Some("store.index_mismatch"),
            StoreError::FinalHead { .. } => Some("store.bad_final_head"),
            StoreError::Journal(JournalError::Io { .. })
            | StoreError::Index(_)
            | StoreError::Stopped
            | StoreError::WriteFinalHead { .. } => None,
        }
    }
}

/// The file in the ballot box folder that holds the closing statement: the
/// [`FinalHead`] layout (176 bytes), written atomically and `fsync`ed when the box closes.
pub const FINAL_HEAD_FILE: &str = "final-head";

/// Why a commit did not produce a receipt.
#[derive(Debug, Error)]
pub enum CommitError {
    /// Refused at commit time (the atomic re-check of the challenge and the ciphertexts).
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A pending commit.
pub type CommitFuture = Pin<Box<dyn Future<Output = Result<Receipt, CommitError>> + Send>>;
/// A pending close.
pub type CloseFuture = Pin<Box<dyn Future<Output = Result<FinalHead, StoreError>> + Send>>;

/// The collector's storage, as the HTTP handlers see it.
pub trait Store: StoreView + Send + Sync {
    /// This store as what `decide` reads (a snapshot; [`Store::commit`] re-checks).
    fn view(&self) -> &dyn StoreView;
    /// Records a freshly issued challenge nonce, usable until `expires_at`.
    fn issue_challenge(&self, nonce: [u8; 32], now: i64, expires_at: i64)
        -> Result<(), StoreError>;
    /// How many issued challenges are not yet expired at `now` (used or not; some expired
    /// ones may still be counted): what `/challenge` holds against its cap.
    fn open_challenges(&self, now: i64) -> Result<usize, StoreError>;
    /// Persists an accepted submission received at `received_at`: re-checks its challenge
    /// and ciphertexts atomically, logs it, and resolves to its receipt once it is durable.
    fn commit(&self, accepted: Accepted, received_at: i64) -> CommitFuture;
    /// The latest signed tree head.
    fn head(&self) -> SignedTreeHead;
    /// The inclusion proof of `leaf` in the tree of `size` leaves (`None` if out of range).
    fn inclusion_proof(&self, leaf: u64, size: u64) -> Option<Vec<NodeHash>>;
    /// The consistency proof from size `from` to size `to` (`None` if out of range).
    fn consistency_proof(&self, from: u64, to: u64) -> Option<Vec<NodeHash>>;
    /// The stored submission with this ballot hash.
    fn find(&self, ballot_hash: &BallotHash) -> Result<Option<Stored>, StoreError>;
    /// How many ballots this voter has cast (their latest sequence number; 0 if none).
    fn ballots_cast(&self, voter_id: &str) -> Result<u32, StoreError>;
    /// Counts one more verification of this ballot; returns the count including this one.
    fn count_verification(&self, ballot_hash: &BallotHash) -> Result<u32, StoreError>;
    /// Closes the ballot box at `now`: every submission committed before is under the final
    /// head, every later one is refused (`election.closed`). The final head is durable when
    /// this resolves. Closing again resolves to the same final head.
    fn close(&self, now: i64) -> CloseFuture;
    /// The final head, once closed.
    fn final_head(&self) -> Option<FinalHead>;
}
