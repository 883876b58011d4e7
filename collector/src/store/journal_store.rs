//! The embedded store: the journal is the truth, sled is an index rebuilt from it.
//!
//! * `DIR/journal`: the append-only journal ([`crate::journal`]).
//! * `DIR/index`: a sled database with the trees `ballots` (ballot hash → leaf), `voters`
//!   (voter id → latest sequence number), `ciphertexts` (ciphertext → leaf), `challenges`
//!   (nonce → expiry ‖ used), `verifications` (ballot hash → count) and `meta` (`size`).
//!
//! sled's flush is not an fsync, so sled may lag the journal after a crash: on start every
//! journal entry is re-indexed, and an index entry that contradicts the journal, or an index
//! that holds more entries than the journal, stops the start. Challenges live in memory
//! (issuing one is a map insert plus an unflushed sled insert); losing one in a crash only
//! means the voter asks again.
//!
//! One writer thread owns the journal and does group commit: it drains the queue, re-checks
//! each submission's challenge (unused) and ciphertexts (unseen) under the challenge lock,
//! assigns consecutive leaf indices, appends all entries with one `fdatasync`, updates the
//! index, extends the Merkle tree, signs one tree head and answers every waiter.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::thread::JoinHandle;

use ed25519_dalek::SigningKey;
use ivote_protocol::ballot_box::FinalHead;
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::merkle::{MerkleTree, NodeHash};
use ivote_protocol::ocsp::OcspEvidence;
use ivote_protocol::receipt::{Receipt, ReceiptContent, SignedTreeHead};
use ivote_protocol::submission::SubmissionRecord;
use ivote_protocol::ContextHash;
use tokio::sync::{mpsc, oneshot};

use super::{CloseFuture, CommitError, CommitFuture, Store, StoreError, Stored, FINAL_HEAD_FILE};
use crate::decide::{Accepted, ChallengeState, StoreView};
use crate::election::Election;
use crate::journal::{Entry, Journal, JournalError, JournalReader, ScanEnd};
use crate::reject::Rejection;
use crate::replay::Replay;

/// The most submissions one group commit takes from the queue.
const MAX_BATCH: usize = 1024;
/// How many submissions may wait for the writer before senders wait.
const QUEUE: usize = 4096;
/// The most expired challenges one issue drops (more than one, so pruning keeps up with
/// issuing; bounded, so no single request pays for a backlog).
const PRUNE_PER_ISSUE: usize = 8;
/// The most expired challenges counting the open ones drops (so that a full map of expired
/// challenges, after a quiet spell, frees quickly).
const PRUNE_PER_COUNT: usize = 1024;
const SIZE_KEY: &[u8] = b"size";

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(PoisonError::into_inner)
}

fn array<const N: usize>(v: &[u8], what: &str) -> Result<[u8; N], StoreError> {
    <[u8; N]>::try_from(v).map_err(|_| StoreError::IndexMismatch(format!("a malformed {what}")))
}

/// A challenge in memory: its expiry and whether an accepted submission used it.
#[derive(Clone, Copy, Debug)]
struct Challenge {
    expires_at: i64,
    used: bool,
}

impl Challenge {
    fn to_bytes(self) -> [u8; 9] {
        let mut out = [0u8; 9];
        let (t, u) = out.split_at_mut(8);
        t.copy_from_slice(&self.expires_at.to_be_bytes());
        u.fill(u8::from(self.used));
        out
    }

    fn from_bytes(v: &[u8]) -> Result<Self, StoreError> {
        let v: [u8; 9] = array(v, "challenge")?;
        let (t, u) = v.split_at(8);
        Ok(Challenge {
            expires_at: i64::from_be_bytes(array(t, "challenge")?),
            used: u != [0],
        })
    }
}

/// The challenges not yet expired, and their expiry order (a min-heap), so that pruning
/// costs O(log n) per dropped challenge and never scans the map.
#[derive(Debug, Default)]
struct Challenges {
    map: HashMap<[u8; 32], Challenge>,
    by_expiry: BinaryHeap<Reverse<(i64, [u8; 32])>>,
}

impl Challenges {
    fn insert(&mut self, nonce: [u8; 32], c: Challenge) {
        self.map.insert(nonce, c);
        self.by_expiry.push(Reverse((c.expires_at, nonce)));
    }

    /// Removes at most `max` challenges expired at `now`; their nonces.
    fn prune(&mut self, now: i64, max: usize) -> Vec<[u8; 32]> {
        let mut dropped = Vec::new();
        while dropped.len() < max {
            match self.by_expiry.peek() {
                Some(Reverse((t, nonce))) if *t <= now => {
                    let nonce = *nonce;
                    self.by_expiry.pop();
                    self.map.remove(&nonce);
                    dropped.push(nonce);
                }
                _ => break,
            }
        }
        dropped
    }
}

/// The sled trees.
#[derive(Debug)]
struct Index {
    db: sled::Db,
    ballots: sled::Tree,
    voters: sled::Tree,
    ciphertexts: sled::Tree,
    challenges: sled::Tree,
    verifications: sled::Tree,
}

impl Index {
    fn open(path: &Path) -> Result<Index, StoreError> {
        let db = sled::open(path)?;
        Ok(Index {
            ballots: db.open_tree("ballots")?,
            voters: db.open_tree("voters")?,
            ciphertexts: db.open_tree("ciphertexts")?,
            challenges: db.open_tree("challenges")?,
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
    fn index(
        &self,
        record: &SubmissionRecord,
        nonce: &[u8; 32],
        challenge_expires: i64,
        ciphertexts: &[[u8; 64]],
    ) -> Result<(), StoreError> {
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
        for c in ciphertexts {
            self.ciphertexts.insert(c, &leaf)?;
        }
        let used = Challenge {
            expires_at: challenge_expires,
            used: true,
        };
        self.challenges.insert(nonce, &used.to_bytes())?;
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
    challenges: Mutex<Challenges>,
    log: RwLock<Log>,
    reader: JournalReader,
    /// Set once the box is closed (then the log never grows again).
    final_head: RwLock<Option<FinalHead>>,
}

impl StoreView for Shared {
    fn challenge(&self, nonce: &[u8; 32]) -> Option<ChallengeState> {
        lock(&self.challenges).map.get(nonce).map(|c| match c.used {
            true => ChallengeState::Used,
            false => ChallengeState::Issued {
                expires_at: c.expires_at,
            },
        })
    }

    fn ciphertext_stored(&self, ciphertext: &[u8; 64]) -> bool {
        // Fail closed: if the index cannot answer, treat the ciphertext as stored.
        self.index
            .ciphertexts
            .contains_key(ciphertext)
            .unwrap_or_else(|e| {
                tracing::error!("reading the ciphertext index: {e}");
                true
            })
    }
}

#[derive(Debug)]
struct Job {
    accepted: Accepted,
    received_at: i64,
    reply: oneshot::Sender<Result<Receipt, CommitError>>,
}

/// What the writer is asked to do, in order: a close answers after every submission queued
/// before it, and every submission queued after it is refused.
#[derive(Debug)]
enum Msg {
    Submit(Box<Job>),
    Close {
        now: i64,
        reply: oneshot::Sender<Result<FinalHead, StoreError>>,
    },
}

/// The embedded store (see the module docs).
#[derive(Debug)]
pub struct JournalStore {
    shared: Arc<Shared>,
    queue: Option<mpsc::Sender<Msg>>,
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
        let (journal, end) = Journal::open(&dir.join("journal"), |offset, entry| {
            let checked = replay.check(&entry)?;
            let r = &entry.record;
            index.index(
                r,
                &checked.nonce,
                r.received_at.saturating_add(election.challenge_ttl),
                &checked.ciphertexts,
            )?;
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
        let challenges = load_challenges(&index, now)?;
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
            challenges: Mutex::new(challenges),
            log: RwLock::new(Log {
                tree,
                head,
                offsets,
                last_received_at,
            }),
            reader: journal.reader()?,
            final_head: RwLock::new(final_head),
        });
        let (tx, rx) = mpsc::channel(QUEUE);
        let writer = Writer {
            shared: shared.clone(),
            journal,
            key,
            context: election.context,
            challenge_ttl: election.challenge_ttl,
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
            queue: Some(tx),
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

/// Loads the unexpired challenges into memory and drops the expired ones from the index.
fn load_challenges(index: &Index, now: i64) -> Result<Challenges, StoreError> {
    let mut challenges = Challenges::default();
    for item in index.challenges.iter() {
        let (k, v) = item?;
        let c = Challenge::from_bytes(&v)?;
        if c.expires_at <= now {
            index.challenges.remove(&k)?;
        } else {
            challenges.insert(array(&k, "challenge nonce")?, c);
        }
    }
    Ok(challenges)
}

impl JournalStore {
    /// Drops at most `max` challenges expired at `now`, from the map (under the lock) and
    /// from the index (outside it).
    fn prune_challenges(&self, now: i64, max: usize) -> Result<(), StoreError> {
        let expired = lock(&self.shared.challenges).prune(now, max);
        for k in expired {
            self.shared.index.challenges.remove(k)?;
        }
        Ok(())
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
    fn challenge(&self, nonce: &[u8; 32]) -> Option<ChallengeState> {
        self.shared.challenge(nonce)
    }

    fn ciphertext_stored(&self, ciphertext: &[u8; 64]) -> bool {
        self.shared.ciphertext_stored(ciphertext)
    }
}

impl Store for JournalStore {
    fn view(&self) -> &dyn StoreView {
        self
    }

    fn issue_challenge(
        &self,
        nonce: [u8; 32],
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let c = Challenge {
            expires_at,
            used: false,
        };
        // The index first, outside the lock the writer takes: a submission cannot use the
        // nonce before it is in the map, and a restart re-marks used ones from the journal.
        self.shared.index.challenges.insert(nonce, &c.to_bytes())?;
        lock(&self.shared.challenges).insert(nonce, c);
        self.prune_challenges(now, PRUNE_PER_ISSUE)
    }

    fn open_challenges(&self, now: i64) -> Result<usize, StoreError> {
        self.prune_challenges(now, PRUNE_PER_COUNT)?;
        Ok(lock(&self.shared.challenges).map.len())
    }

    fn commit(&self, accepted: Accepted, received_at: i64) -> CommitFuture {
        let queue = self.queue.clone();
        Box::pin(async move {
            let queue = queue.ok_or(StoreError::Stopped)?;
            let (reply, answer) = oneshot::channel();
            let job = Job {
                accepted,
                received_at,
                reply,
            };
            queue
                .send(Msg::Submit(Box::new(job)))
                .await
                .map_err(|_| StoreError::Stopped)?;
            answer.await.map_err(|_| StoreError::Stopped)?
        })
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

    fn find(&self, ballot_hash: &BallotHash) -> Result<Option<Stored>, StoreError> {
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

    fn ballots_cast(&self, voter_id: &str) -> Result<u32, StoreError> {
        self.shared.index.voter_seq(voter_id)
    }

    fn count_verification(&self, ballot_hash: &BallotHash) -> Result<u32, StoreError> {
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

    fn close(&self, now: i64) -> CloseFuture {
        let queue = self.queue.clone();
        Box::pin(async move {
            let queue = queue.ok_or(StoreError::Stopped)?;
            let (reply, answer) = oneshot::channel();
            queue
                .send(Msg::Close { now, reply })
                .await
                .map_err(|_| StoreError::Stopped)?;
            answer.await.map_err(|_| StoreError::Stopped)?
        })
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
    challenge_ttl: i64,
    /// Where the closing statement goes.
    final_path: PathBuf,
    /// Set after a failed write: the journal's state is unknown, so nothing more is accepted.
    failed: bool,
}

impl Writer {
    fn run(mut self, mut queue: mpsc::Receiver<Msg>) {
        while let Some(first) = queue.blocking_recv() {
            let mut jobs = Vec::new();
            let mut next = Some(first);
            // A batch ends at a close, so the close covers exactly what came before it.
            while let Some(msg) = next.take() {
                match msg {
                    Msg::Submit(job) => {
                        jobs.push(*job);
                        if jobs.len() < MAX_BATCH {
                            next = queue.try_recv().ok();
                        }
                    }
                    Msg::Close { now, reply } => {
                        self.commit(std::mem::take(&mut jobs));
                        // The caller may have gone: the box is closed all the same.
                        let _ = reply.send(self.close(now));
                    }
                }
            }
            self.commit(jobs);
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
        let size = log.tree.size();
        let root = log
            .tree
            .root(size)
            .ok_or_else(|| StoreError::IndexMismatch("the Merkle tree lost leaves".into()))?;
        let timestamp = now.max(log.head.timestamp);
        let head = SignedTreeHead::sign(&self.key, &self.context, size, root, timestamp);
        let final_head = FinalHead::sign(head, &self.key, &self.context);
        ivote_protocol::fs::write_atomically(&self.final_path, |w| {
            std::io::Write::write_all(w, &final_head.to_bytes())
        })
        .map_err(|e| StoreError::WriteFinalHead {
            path: self.final_path.display().to_string(),
            detail: e.to_string(),
        })?;
        log.head = head;
        *write(&self.shared.final_head) = Some(final_head);
        tracing::info!(size, "ballot box closed");
        Ok(final_head)
    }

    fn commit(&mut self, jobs: Vec<Job>) {
        if jobs.is_empty() {
            return;
        }
        let closed = read(&self.shared.final_head).is_some();
        if self.failed || closed {
            for job in jobs {
                let refusal: CommitError = if self.failed {
                    StoreError::Stopped.into()
                } else {
                    Rejection::Closed.into()
                };
                // The waiter may have gone (a timeout): nothing to answer then.
                let _ = job.reply.send(Err(refusal));
            }
            return;
        }
        let admitted = self.recheck(jobs);
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
                for job in admitted {
                    let _ = job.reply.send(Err(StoreError::Stopped.into()));
                }
            }
        }
    }

    /// The atomic re-check: challenge issued and unused, no ciphertext stored or earlier in
    /// the batch. Refused jobs are answered here; admitted ones have their challenge used.
    ///
    /// It also stamps each admitted job's receive time in log order: requests decided
    /// concurrently reach the writer in any order, and the log's times must never decrease
    /// (the tally refuses a box whose times do, `tally.box_time_order`). A job decided at `t`
    /// behind one logged at `t' > t` is stamped `t'` (still a time it was waiting here, so not
    /// a lie; so is a clock stepped back); if that is no longer inside its challenge's
    /// lifetime, which the collector caps at the end of the challenge's window, it is refused
    /// as expired and the voter asks again.
    fn recheck(&self, jobs: Vec<Job>) -> Vec<Job> {
        let mut challenges = lock(&self.shared.challenges);
        let mut seen: HashSet<[u8; 64]> = HashSet::new();
        let mut admitted = Vec::with_capacity(jobs.len());
        let mut last = read(&self.shared.log).last_received_at;
        for mut job in jobs {
            job.received_at = job.received_at.max(last);
            let a = &job.accepted;
            let verdict = match challenges.map.get_mut(&a.nonce) {
                None => Err(Rejection::UnknownChallenge),
                Some(c) if c.used => Err(Rejection::UsedChallenge),
                Some(_) if job.received_at >= a.submission.challenge.expires_at => {
                    Err(Rejection::ExpiredChallenge)
                }
                Some(_)
                    if a.ciphertexts
                        .iter()
                        .any(|c| seen.contains(c) || self.shared.ciphertext_stored(c)) =>
                {
                    Err(Rejection::DuplicateCiphertext)
                }
                Some(c) => {
                    c.used = true;
                    Ok(())
                }
            };
            match verdict {
                Ok(()) => {
                    seen.extend(a.ciphertexts.iter().copied());
                    last = job.received_at;
                    admitted.push(job);
                }
                Err(r) => {
                    let _ = job.reply.send(Err(r.into()));
                }
            }
        }
        admitted
    }

    /// Appends, syncs, indexes and logs the admitted jobs; returns their receipts.
    fn persist(&mut self, jobs: &[Job]) -> Result<Vec<Receipt>, StoreError> {
        let size = read(&self.shared.log).tree.size();
        let mut seqs: HashMap<&str, u32> = HashMap::new();
        let mut entries = Vec::with_capacity(jobs.len());
        for (leaf_index, job) in (size..).zip(jobs) {
            let a = &job.accepted;
            let previous = match seqs.get(a.voter_id.as_str()) {
                Some(s) => *s,
                None => self.shared.index.voter_seq(&a.voter_id)?,
            };
            let voter_seq = previous.saturating_add(1);
            seqs.insert(&a.voter_id, voter_seq);
            entries.push(Entry {
                record: SubmissionRecord {
                    leaf_index,
                    received_at: job.received_at,
                    voter_id: a.voter_id.clone(),
                    voter_seq,
                    ballot_hash: a.ballot_hash,
                    certificate_hash: a.certificate_hash,
                    signature: a.submission.signature.clone(),
                },
                submission: a.submission.to_bytes(),
                ocsp: OcspEvidence::encode(a.ocsp.as_ref()),
            });
        }
        let frames: Vec<Vec<u8>> = entries.iter().map(Entry::frame).collect();
        let mut offset = self.journal.append_synced(&frames.concat())?;
        let mut offsets = Vec::with_capacity(frames.len());
        for f in &frames {
            offsets.push(offset);
            offset += f.len() as u64;
        }
        for (e, job) in entries.iter().zip(jobs) {
            self.shared.index.index(
                &e.record,
                &job.accepted.nonce,
                job.received_at.saturating_add(self.challenge_ttl),
                &job.accepted.ciphertexts,
            )?;
        }
        let mut log = write(&self.shared.log);
        for e in &entries {
            log.tree.push(e.record.leaf_hash());
        }
        log.offsets.extend(offsets);
        if let Some(last) = jobs.last() {
            log.last_received_at = last.received_at;
        }
        let new_size = log.tree.size();
        let root = log
            .tree
            .root(new_size)
            .ok_or_else(|| StoreError::IndexMismatch("the Merkle tree lost leaves".into()))?;
        let timestamp = jobs
            .iter()
            .map(|j| j.received_at)
            .fold(log.head.timestamp, i64::max);
        log.head = SignedTreeHead::sign(&self.key, &self.context, new_size, root, timestamp);
        let head = log.head;
        Ok(entries
            .iter()
            .map(|e| {
                ReceiptContent {
                    ballot_hash: e.record.ballot_hash,
                    voter_seq: e.record.voter_seq,
                    leaf_index: e.record.leaf_index,
                    received_at: e.record.received_at,
                    record_hash: e.record.hash(),
                    tree_head: head,
                    inclusion: log
                        .tree
                        .inclusion_proof(e.record.leaf_index, new_size)
                        .unwrap_or_default(),
                }
                .sign(&self.key, &self.context)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests;
