//! Where accepted submissions go: the [`Store`] trait the HTTP handlers use, and its two
//! backends: the embedded default [`JournalStore`] (in `store/journal_store.rs`: the
//! append-only [`crate::journal`] as the source of truth, sled as the index, a single writer
//! thread doing group commit) and the replicated [`PgStore`] (in `store/pg_store.rs`:
//! PostgreSQL, several collectors on one database). Both keep what must not be accepted
//! twice in memory ([`seen::Seen`]), rebuilt from the log at start.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use ivote_protocol::ballot_box::FinalHead;
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::merkle::NodeHash;
use ivote_protocol::receipt::{Receipt, SignedTreeHead};
use ivote_protocol::submission::SubmissionRecord;
use thiserror::Error;

use crate::decide::{Accepted, StoreView};
use crate::journal::JournalError;
use crate::reject::Rejection;

mod batch;
#[cfg(test)]
mod contract_tests;
mod journal_store;
mod pg_store;
mod seen;

pub use journal_store::JournalStore;
pub use pg_store::{closing_statement, read_log, PgStore};

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
    /// The database could not be reached, or failed a statement: the caller may retry.
    #[error("the database: {0}")]
    Database(String),
    /// `--store` is not a PostgreSQL connection string.
    #[error(
        "the store's address is not a PostgreSQL connection string ({0}); write \
         postgres://USER@HOST1:PORT,HOST2:PORT/DB?target_session_attrs=read-write"
    )]
    BadUrl(String),
    /// The database holds another election's ballot box.
    #[error(
        "the database holds the ballot box of another election (context {0}); give each \
         election its own database"
    )]
    WrongElection(String),
    /// A log row of the database is not a valid entry, or not where it belongs.
    #[error(
        "the database's log row {leaf} is damaged: {detail}; restore the database from its \
         standby or a backup, do not edit it"
    )]
    BadRow {
        /// The row's leaf index.
        leaf: i64,
        /// What is wrong.
        detail: String,
    },
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
            StoreError::BadUrl(_) => Some("store.bad_url"),
            StoreError::WrongElection(_) => Some("store.wrong_election"),
            StoreError::BadRow { .. } => Some("store.corrupt_database"),
            StoreError::Journal(JournalError::Io { .. })
            | StoreError::Index(_)
            | StoreError::Database(_)
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
/// A pending read or update.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// The collector's storage, as the HTTP handlers see it.
pub trait Store: StoreView + Send + Sync {
    /// This store as what `decide` reads (a snapshot; [`Store::commit`] re-checks).
    fn view(&self) -> &dyn StoreView;
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
    fn find<'a>(&'a self, ballot_hash: &'a BallotHash) -> StoreFuture<'a, Option<Stored>>;
    /// How many ballots this voter has cast (their latest sequence number; 0 if none).
    fn ballots_cast<'a>(&'a self, voter_id: &'a str) -> StoreFuture<'a, u32>;
    /// Counts one more verification of this ballot; returns the count including this one.
    fn count_verification<'a>(&'a self, ballot_hash: &'a BallotHash) -> StoreFuture<'a, u32>;
    /// Closes the ballot box at `now`: every submission committed before is under the final
    /// head, every later one is refused (`election.closed`). The final head is durable when
    /// this resolves. Closing again resolves to the same final head.
    fn close(&self, now: i64) -> CloseFuture;
    /// The final head, once closed.
    fn final_head(&self) -> Option<FinalHead>;
}

/// Locks; a poisoned lock's value is used as is.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(PoisonError::into_inner)
}
