//! The embedded store: the journal is the truth, sled is an index rebuilt from it.
//!
//! * `DIR/journal`: the append-only journal ([`crate::journal`]).
//! * `DIR/index`: a sled database with the trees `ballots` (ballot hash → leaf), `voters`
//!   (voter id → latest sequence number), `verifications` (ballot hash → count) and `meta`
//!   (`size`).
//!
//! sled's flush is not an fsync, so sled may lag the journal after a crash: on start every
//! journal entry is re-indexed, and an index entry that contradicts the journal, or an index
//! that holds more entries than the journal, stops the start. The used challenge nonces and
//! the ciphertexts' fingerprints ([`Seen`]) live in memory, rebuilt from the journal on start.
//!
//! One writer thread owns the journal and does group commit: it drains the queue, re-checks
//! each submission's challenge (unused) and ciphertexts (unseen) under the `seen` lock,
//! assigns consecutive leaf indices, appends all entries with one `fdatasync`, updates the
//! index, extends the Merkle tree, signs one tree head and answers every waiter.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;

use ed25519_dalek::SigningKey;
use ivote_protocol::ballot_box::FinalHead;
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::merkle::{MerkleTree, NodeHash};
use ivote_protocol::receipt::{Receipt, SignedTreeHead};
use ivote_protocol::submission::SubmissionRecord;
use ivote_protocol::ContextHash;
use tokio::sync::mpsc;

use super::batch::{self, Job, Msg, Queue};
use super::seen::Seen;
use super::{
    lock, read, write, CloseFuture, CommitFuture, Store, StoreError, StoreFuture, Stored,
    FINAL_HEAD_FILE,
};
use crate::decide::{Accepted, StoreView};
use crate::election::Election;
use crate::journal::{Entry, Journal, JournalError, JournalReader, ScanEnd};
use crate::reject::Rejection;
use crate::replay::Replay;

const SIZE_KEY: &[u8] = b"size";

fn array<const N: usize>(v: &[u8], what: &str) -> Result<[u8; N], StoreError> {
    <[u8; N]>::try_from(v).map_err(|_| StoreError::IndexMismatch(format!("a malformed {what}")))
}

/// The sled trees.
#[derive(Debug)]
struct Index {
    db: sled::Db,
    ballots: sled::Tree,
    voters: sled::Tree,
    verifications: sled::Tree,
}

impl Index {
    fn open(path: &Path) -> Result<Index, StoreError> {
        let db = sled::open(path)?;
        Ok(Index {
            ballots: db.open_tree("ballots")?,
            voters: db.open_tree("voters")?,
            verifications: db.open_tree("verifications")?,
            db,
        })
    }

    fn voter_seq(&self, voter: &str) -> Result<u32, StoreError> {
        match self.voters.get(voter)? {
            Some(v) => Ok(u32::from_be_bytes(array(&v, "voter sequence number")?)),
            None => Ok(0),
        }
    }

    fn size(&self) -> Result<u64, StoreError> {
        match self.db.get(SIZE_KEY)? {
            Some(v) => Ok(u64::from_be_bytes(array(&v, "size")?)),
            None => Ok(0),
        }
    }

    /// Indexes one logged record; refuses if the index places its ballot elsewhere.
    fn index(&self, record: &SubmissionRecord) -> Result<(), StoreError> {
        let leaf = record.leaf_index.to_be_bytes();
        if let Some(v) = self.ballots.get(record.ballot_hash.0)? {
            if v.as_ref() != leaf {
                return Err(StoreError::IndexMismatch(format!(
                    "the index has ballot {} at another leaf than {}",
                    record.ballot_hash.to_hex(),
                    record.leaf_index
                )));
            }
        }
        self.voters
            .insert(record.voter_id.as_bytes(), &record.voter_seq.to_be_bytes())?;
        self.ballots.insert(record.ballot_hash.0, &leaf)?;
        self.db
            .insert(SIZE_KEY, &(record.leaf_index + 1).to_be_bytes())?;
        Ok(())
    }
}

/// The log: the Merkle tree, the latest signed head, and where each leaf's entry starts in
/// the journal.
#[derive(Debug)]
struct Log {
    tree: MerkleTree,
    head: SignedTreeHead,
    offsets: Vec<u64>,
    /// The last record's receive time (`i64::MIN` while the log is empty).
    last_received_at: i64,
}

#[derive(Debug)]
struct Shared {
    index: Index,
    seen: Mutex<Seen>,
    log: RwLock<Log>,
    reader: JournalReader,
    /// Set once the box is closed (then the log never grows again).
    final_head: RwLock<Option<FinalHead>>,
}

impl StoreView for Shared {
    fn challenge_used(&self, nonce: &[u8; 32]) -> bool {
        lock(&self.seen).nonce_used(nonce)
    }

    fn any_ciphertext_stored(&self, ciphertexts: &[[u8; 64]]) -> bool {
        lock(&self.seen).any_ciphertext_stored(ciphertexts)
    }
}

/// The embedded store (see the module docs).
#[derive(Debug)]
pub struct JournalStore {
    shared: Arc<Shared>,
    queue: Option<Queue>,
    writer: Option<JoinHandle<()>>,
}

impl JournalStore {
    /// Opens the store in `dir` (created if missing) for `election`, rebuilding and
    /// cross-checking the index from the journal, and starts the writer thread. `key` is the
    /// collector's signing key; `now` timestamps the tree head signed on start. Returns how
    /// the journal scan ended (`torn > 0` if a torn last entry was cut off).
    pub fn open(
        dir: &Path,
        election: &Election,
        key: SigningKey,
        now: i64,
    ) -> Result<(JournalStore, ScanEnd), StoreError> {
        let existed = dir.is_dir();
        std::fs::create_dir_all(dir)
            .and_then(|()| {
                // A new folder's own name must be durable too, like the journal's in it.
                if existed {
                    Ok(())
                } else {
                    ivote_protocol::fs::sync_folder_of(dir)
                }
            })
            .map_err(|source| JournalError::Io {
                action: "create the directory of",
                path: dir.to_owned(),
                source,
            })?;
        let index = Index::open(&dir.join("index"))?;
        let indexed = index.size()?;
        let mut tree = MerkleTree::new();
        let mut offsets = Vec::new();
        let mut last_received_at = i64::MIN;
        let mut replay = Replay::new(&election.context, &election.shapes);
        let mut seen = Seen::default();
        let (journal, end) = Journal::open(&dir.join("journal"), |offset, entry| {
            let checked = replay.check(&entry)?;
            let r = &entry.record;
            index.index(r)?;
            seen.add(
                checked.nonce,
                checked.challenge_expires,
                &checked.ciphertexts,
            );
            tree.push(r.leaf_hash());
            offsets.push(offset);
            last_received_at = r.received_at;
            Ok(())
        })?;
        if indexed > end.entries {
            return Err(StoreError::IndexMismatch(format!(
                "the index holds {indexed} entries but the journal only {}: entries that were \
                 acknowledged are missing from the journal",
                end.entries
            )));
        }
        if end.torn > 0 {
            tracing::warn!(
                bytes = end.torn,
                offset = end.valid_len,
                "cut off a torn last journal entry (a crash during its write, before any receipt)"
            );
        }
        seen.forget_expired(now);
        let root = tree
            .root(tree.size())
            .ok_or_else(|| StoreError::IndexMismatch("the Merkle tree lost leaves".into()))?;
        let final_path = dir.join(FINAL_HEAD_FILE);
        let final_head = load_final_head(&final_path, &key, &election.context, &tree)?;
        let head = match &final_head {
            Some(f) => f.head,
            None => SignedTreeHead::sign(&key, &election.context, tree.size(), root, now),
        };
        let shared = Arc::new(Shared {
            index,
            seen: Mutex::new(seen),
            log: RwLock::new(Log {
                tree,
                head,
                offsets,
                last_received_at,
            }),
            reader: journal.reader()?,
            final_head: RwLock::new(final_head),
        });
        let (queue, rx) = Queue::new();
        let writer = Writer {
            shared: shared.clone(),
            journal,
            key,
            context: election.context,
            final_path,
            failed: false,
        };
        let handle = std::thread::Builder::new()
            .name("collector-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|source| JournalError::Io {
                action: "start the writer thread for",
                path: dir.to_owned(),
                source,
            })?;
        let store = JournalStore {
            shared,
            queue: Some(queue),
            writer: Some(handle),
        };
        Ok((store, end))
    }
}

/// Reads the closing statement, if the box was closed, and checks it: signed by this
/// collector for this election, and its head is the journal's whole tree.
fn load_final_head(
    path: &Path,
    key: &SigningKey,
    context: &ContextHash,
    tree: &MerkleTree,
) -> Result<Option<FinalHead>, StoreError> {
    let bad = |detail: String| StoreError::FinalHead {
        path: path.display().to_string(),
        detail,
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(bad(format!("cannot read it: {e}"))),
    };
    let f = FinalHead::from_bytes(&bytes).map_err(|e| bad(e.to_string()))?;
    f.verify(&key.verifying_key(), context).map_err(|e| {
        bad(format!(
            "{e} (not this collector's, or not this election's)"
        ))
    })?;
    let root = tree.root(tree.size());
    if f.head.size != tree.size() || root != Some(f.head.root) {
        return Err(bad(format!(
            "it closes a log of {} entries with another root, the journal holds {}",
            f.head.size,
            tree.size()
        )));
    }
    Ok(Some(f))
}

impl JournalStore {
    fn find_now(&self, ballot_hash: &BallotHash) -> Result<Option<Stored>, StoreError> {
        let Some(leaf) = self.shared.index.ballots.get(ballot_hash.0)? else {
            return Ok(None);
        };
        let leaf = u64::from_be_bytes(array(&leaf, "leaf index")?);
        let offset = usize::try_from(leaf)
            .ok()
            .and_then(|i| read(&self.shared.log).offsets.get(i).copied())
            .ok_or_else(|| {
                StoreError::IndexMismatch(format!("the index has leaf {leaf}, the log not"))
            })?;
        let entry = self.shared.reader.read(offset)?;
        Ok(Some(Stored {
            record: entry.record,
            submission: entry.submission,
        }))
    }

    fn count_verification_now(&self, ballot_hash: &BallotHash) -> Result<u32, StoreError> {
        let count = self
            .shared
            .index
            .verifications
            .update_and_fetch(ballot_hash.0, |old| {
                let n = old
                    .and_then(|v| <[u8; 4]>::try_from(v).ok())
                    .map_or(0, u32::from_be_bytes);
                Some(n.saturating_add(1).to_be_bytes().to_vec())
            })?;
        match count {
            Some(v) => Ok(u32::from_be_bytes(array(&v, "verification count")?)),
            None => Ok(0),
        }
    }
}

impl Drop for JournalStore {
    /// Closes the queue and waits for the writer to answer what it holds, so that the
    /// journal and index are closed when the store is gone.
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(w) = self.writer.take() {
            if w.join().is_err() {
                tracing::error!("the writer thread panicked");
            }
        }
        if let Err(e) = self.shared.index.db.flush() {
            tracing::error!("flushing the index: {e}");
        }
    }
}

impl StoreView for JournalStore {
    fn challenge_used(&self, nonce: &[u8; 32]) -> bool {
        self.shared.challenge_used(nonce)
    }

    fn any_ciphertext_stored(&self, ciphertexts: &[[u8; 64]]) -> bool {
        self.shared.any_ciphertext_stored(ciphertexts)
    }
}

impl Store for JournalStore {
    fn view(&self) -> &dyn StoreView {
        self
    }

    fn commit(&self, accepted: Accepted, received_at: i64) -> CommitFuture {
        match &self.queue {
            Some(q) => q.commit(accepted, received_at),
            None => Box::pin(std::future::ready(Err(StoreError::Stopped.into()))),
        }
    }

    fn head(&self) -> SignedTreeHead {
        read(&self.shared.log).head
    }

    fn inclusion_proof(&self, leaf: u64, size: u64) -> Option<Vec<NodeHash>> {
        read(&self.shared.log).tree.inclusion_proof(leaf, size)
    }

    fn consistency_proof(&self, from: u64, to: u64) -> Option<Vec<NodeHash>> {
        read(&self.shared.log).tree.consistency_proof(from, to)
    }

    fn find<'a>(&'a self, ballot_hash: &'a BallotHash) -> StoreFuture<'a, Option<Stored>> {
        Box::pin(std::future::ready(self.find_now(ballot_hash)))
    }

    fn ballots_cast<'a>(&'a self, voter_id: &'a str) -> StoreFuture<'a, u32> {
        Box::pin(std::future::ready(self.shared.index.voter_seq(voter_id)))
    }

    fn count_verification<'a>(&'a self, ballot_hash: &'a BallotHash) -> StoreFuture<'a, u32> {
        Box::pin(std::future::ready(self.count_verification_now(ballot_hash)))
    }

    fn close(&self, now: i64) -> CloseFuture {
        match &self.queue {
            Some(q) => q.close(now),
            None => Box::pin(std::future::ready(Err(StoreError::Stopped))),
        }
    }

    fn final_head(&self) -> Option<FinalHead> {
        *read(&self.shared.final_head)
    }
}

/// The single writer (see the module docs).
struct Writer {
    shared: Arc<Shared>,
    journal: Journal,
    key: SigningKey,
    context: ContextHash,
    /// Where the closing statement goes.
    final_path: PathBuf,
    /// Set after a failed write: the journal's state is unknown, so nothing more is accepted.
    failed: bool,
}

impl Writer {
    fn run(mut self, mut queue: mpsc::Receiver<Msg>) {
        while let Some(first) = queue.blocking_recv() {
            let (jobs, close) = batch::take_batch(first, &mut queue);
            self.commit(jobs);
            if let Some((now, reply)) = close {
                // The caller may have gone: the box is closed all the same.
                let _ = reply.send(self.close(now));
            }
        }
    }

    /// Signs the final head over the whole log and writes it durably; once closed, the same
    /// final head again.
    fn close(&mut self, now: i64) -> Result<FinalHead, StoreError> {
        if let Some(f) = *read(&self.shared.final_head) {
            return Ok(f);
        }
        if self.failed {
            return Err(StoreError::Stopped);
        }
        let mut log = write(&self.shared.log);
        let final_head = batch::final_head(&self.key, &self.context, &log.tree, &log.head, now)?;
        ivote_protocol::fs::write_atomically(&self.final_path, |w| {
            std::io::Write::write_all(w, &final_head.to_bytes())
        })
        .map_err(|e| StoreError::WriteFinalHead {
            path: self.final_path.display().to_string(),
            detail: e.to_string(),
        })?;
        log.head = final_head.head;
        *write(&self.shared.final_head) = Some(final_head);
        tracing::info!(size = final_head.head.size, "ballot box closed");
        Ok(final_head)
    }

    fn commit(&mut self, jobs: Vec<Job>) {
        if jobs.is_empty() {
            return;
        }
        if self.failed {
            return batch::refuse_all(jobs, || StoreError::Stopped.into());
        }
        if read(&self.shared.final_head).is_some() {
            return batch::refuse_all(jobs, || Rejection::Closed.into());
        }
        let last = read(&self.shared.log).last_received_at;
        let admitted = batch::recheck(&mut lock(&self.shared.seen), last, jobs);
        if admitted.is_empty() {
            return;
        }
        match self.persist(&admitted) {
            Ok(receipts) => {
                for (job, receipt) in admitted.into_iter().zip(receipts) {
                    let _ = job.reply.send(Ok(receipt));
                }
            }
            Err(e) => {
                tracing::error!("writing accepted submissions failed, refusing further ones: {e}");
                self.failed = true;
                batch::refuse_all(admitted, || StoreError::Stopped.into());
            }
        }
    }

    /// Appends, syncs, indexes and logs the admitted jobs; returns their receipts.
    fn persist(&mut self, jobs: &[Job]) -> Result<Vec<Receipt>, StoreError> {
        let size = read(&self.shared.log).tree.size();
        let index = &self.shared.index;
        let entries = batch::entries(jobs, size, |voter| index.voter_seq(voter))?;
        let frames: Vec<Vec<u8>> = entries.iter().map(Entry::frame).collect();
        let mut offset = self.journal.append_synced(&frames.concat())?;
        let mut offsets = Vec::with_capacity(frames.len());
        for f in &frames {
            offsets.push(offset);
            offset += f.len() as u64;
        }
        {
            let mut seen = lock(&self.shared.seen);
            for job in jobs {
                let a = &job.accepted;
                seen.add(a.nonce, a.submission.challenge.expires_at, &a.ciphertexts);
            }
        }
        for e in &entries {
            index.index(&e.record)?;
        }
        let mut log = write(&self.shared.log);
        for e in &entries {
            log.tree.push(e.record.leaf_hash());
        }
        log.offsets.extend(offsets);
        if let Some(last) = jobs.last() {
            log.last_received_at = last.received_at;
        }
        log.head = batch::head_after(&self.key, &self.context, &log.tree, &log.head, &entries)?;
        Ok(batch::receipts(
            &self.key,
            &self.context,
            &log.tree,
            log.head,
            &entries,
        ))
    }
}

#[cfg(test)]
mod tests;
