//! Group commit, the part both stores share: the writer's queue of submissions and closes,
//! how a batch is taken from it, the re-check at commit, the log records a batch becomes and
//! the receipts it is answered with. Each store supplies only where the batch is made
//! durable (one `fdatasync` of the journal, or one PostgreSQL transaction).

use std::collections::HashMap;

use ed25519_dalek::SigningKey;
use ivote_protocol::ballot_box::FinalHead;
use ivote_protocol::merkle::MerkleTree;
use ivote_protocol::ocsp::OcspEvidence;
use ivote_protocol::receipt::{Receipt, ReceiptContent, SignedTreeHead};
use ivote_protocol::submission::SubmissionRecord;
use ivote_protocol::ContextHash;
use tokio::sync::{mpsc, oneshot};

use super::seen::{Pending, Seen};
use super::{CloseFuture, CommitError, CommitFuture, StoreError};
use crate::decide::Accepted;
use crate::journal::Entry;
use crate::reject::Rejection;

/// The most submissions one group commit takes from the queue.
pub const MAX_BATCH: usize = 1024;
/// How many submissions may wait for the writer before senders wait.
const QUEUE: usize = 4096;

/// A submission waiting to be logged.
#[derive(Debug)]
pub struct Job {
    /// The checked submission.
    pub accepted: Accepted,
    /// When it was received (stamped again in log order by [`recheck`]).
    pub received_at: i64,
    /// Where its receipt, or its refusal, goes.
    pub reply: oneshot::Sender<Result<Receipt, CommitError>>,
}

/// What the writer is asked to do, in order: a close answers after every submission queued
/// before it, and every submission queued after it is refused.
#[derive(Debug)]
pub enum Msg {
    /// Log a submission.
    Submit(Box<Job>),
    /// Close the box at `now`.
    Close {
        /// The closing time.
        now: i64,
        /// Where the final head goes.
        reply: oneshot::Sender<Result<FinalHead, StoreError>>,
    },
}

/// The writer's queue as the store's handlers see it: a submission or a close sent, its
/// answer awaited.
#[derive(Clone, Debug)]
pub struct Queue(mpsc::Sender<Msg>);

impl Queue {
    /// A queue and the writer's end of it.
    pub fn new() -> (Queue, mpsc::Receiver<Msg>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        (Queue(tx), rx)
    }

    /// Queues a submission; resolves to its receipt or refusal.
    pub fn commit(&self, accepted: Accepted, received_at: i64) -> CommitFuture {
        let queue = self.0.clone();
        Box::pin(async move {
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

    /// Queues a close; resolves to the final head.
    pub fn close(&self, now: i64) -> CloseFuture {
        let queue = self.0.clone();
        Box::pin(async move {
            let (reply, answer) = oneshot::channel();
            queue
                .send(Msg::Close { now, reply })
                .await
                .map_err(|_| StoreError::Stopped)?;
            answer.await.map_err(|_| StoreError::Stopped)?
        })
    }
}

/// A close taken from the queue, to run after the batch before it.
pub type Close = (i64, oneshot::Sender<Result<FinalHead, StoreError>>);

/// Takes a batch starting with `first`: further queued submissions up to [`MAX_BATCH`],
/// ending early at a close (so that the close covers exactly what came before it).
pub fn take_batch(first: Msg, queue: &mut mpsc::Receiver<Msg>) -> (Vec<Job>, Option<Close>) {
    let mut jobs = Vec::new();
    let mut next = Some(first);
    while let Some(msg) = next.take() {
        match msg {
            Msg::Submit(job) => {
                jobs.push(*job);
                if jobs.len() < MAX_BATCH {
                    next = queue.try_recv().ok();
                }
            }
            Msg::Close { now, reply } => return (jobs, Some((now, reply))),
        }
    }
    (jobs, None)
}

/// Answers every job with the same refusal or failure.
pub fn refuse_all(jobs: Vec<Job>, why: impl Fn() -> CommitError) {
    for job in jobs {
        // The waiter may have gone (a timeout): nothing to answer then.
        let _ = job.reply.send(Err(why()));
    }
}

/// The atomic re-check, under the lock that orders the log: challenge unused and
/// unexpired, no ciphertext stored or earlier in the batch. Refused jobs are answered here.
///
/// It also stamps each admitted job's receive time in log order: requests decided
/// concurrently reach the writer in any order, and the log's times must never decrease (the
/// tally refuses a box whose times do, `tally.box_time_order`). A job decided at `t` behind
/// one logged at `t' > t` (`last`, the log's last time) is stamped `t'` (still a time it was
/// waiting here, so not a lie; so is a clock stepped back, or another collector's clock
/// ahead of this one's); if that is no longer inside its challenge's lifetime, which the
/// collector caps at the end of the challenge's window, it is refused as expired and the
/// voter asks again.
pub fn recheck(seen: &mut Seen, mut last: i64, jobs: Vec<Job>) -> Vec<Job> {
    seen.forget_expired(last);
    let mut pending = Pending::default();
    let mut admitted = Vec::with_capacity(jobs.len());
    for mut job in jobs {
        job.received_at = job.received_at.max(last);
        let a = &job.accepted;
        let verdict = if job.received_at >= a.submission.challenge.expires_at {
            Err(Rejection::ExpiredChallenge)
        } else {
            seen.admit(&mut pending, &a.nonce, &a.ciphertexts)
        };
        match verdict {
            Ok(()) => {
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

/// The log entries of admitted jobs from leaf `size` on: consecutive leaf indices, and
/// each voter's next sequence number (`latest` says a voter's latest logged one).
pub fn entries(
    jobs: &[Job],
    size: u64,
    mut latest: impl FnMut(&str) -> Result<u32, StoreError>,
) -> Result<Vec<Entry>, StoreError> {
    let mut seqs: HashMap<&str, u32> = HashMap::new();
    let mut entries = Vec::with_capacity(jobs.len());
    for (leaf_index, job) in (size..).zip(jobs) {
        let a = &job.accepted;
        let previous = match seqs.get(a.voter_id.as_str()) {
            Some(s) => *s,
            None => latest(&a.voter_id)?,
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
    Ok(entries)
}

/// The tree head after `entries` were logged into `tree` (already pushed): signed at the
/// latest of `previous`'s time and the entries' receive times.
pub fn head_after(
    key: &SigningKey,
    context: &ContextHash,
    tree: &MerkleTree,
    previous: &SignedTreeHead,
    entries: &[Entry],
) -> Result<SignedTreeHead, StoreError> {
    let size = tree.size();
    let root = tree
        .root(size)
        .ok_or_else(|| StoreError::IndexMismatch("the Merkle tree lost leaves".into()))?;
    let timestamp = entries
        .iter()
        .map(|e| e.record.received_at)
        .fold(previous.timestamp, i64::max);
    Ok(SignedTreeHead::sign(key, context, size, root, timestamp))
}

/// The receipts of `entries`, under `head` of `tree`.
pub fn receipts(
    key: &SigningKey,
    context: &ContextHash,
    tree: &MerkleTree,
    head: SignedTreeHead,
    entries: &[Entry],
) -> Vec<Receipt> {
    entries
        .iter()
        .map(|e| {
            ReceiptContent {
                ballot_hash: e.record.ballot_hash,
                voter_seq: e.record.voter_seq,
                leaf_index: e.record.leaf_index,
                received_at: e.record.received_at,
                record_hash: e.record.hash(),
                tree_head: head,
                inclusion: tree
                    .inclusion_proof(e.record.leaf_index, head.size)
                    .unwrap_or_default(),
            }
            .sign(key, context)
        })
        .collect()
}

/// The final head closing a log of `tree` at `now` (never before `head`'s time).
pub fn final_head(
    key: &SigningKey,
    context: &ContextHash,
    tree: &MerkleTree,
    head: &SignedTreeHead,
    now: i64,
) -> Result<FinalHead, StoreError> {
    let size = tree.size();
    let root = tree
        .root(size)
        .ok_or_else(|| StoreError::IndexMismatch("the Merkle tree lost leaves".into()))?;
    let head = SignedTreeHead::sign(key, context, size, root, now.max(head.timestamp));
    Ok(FinalHead::sign(head, key, context))
}
