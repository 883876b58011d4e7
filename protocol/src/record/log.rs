//! `log.bin`: the collector's final head and, for every leaf of its log, what the public may
//! know of the record: when it was received, which ballot it holds and the voter commitment
//! that stands for who cast it ([`LogLeaf`]). Anyone recomputes each record hash and the root,
//! sees that the log is in time order, closed at the end of the window and holds no ballot
//! twice, and can tie published ballots to leaves, without learning who voted or linking two
//! leaves of one voter.
//!
//! Layout: `lp("ivote-v1/record/log") ‖ context (32) ‖ final head (176, the ballot box's
//! closing statement: `docs/ballot-format.md`) ‖ u64 n ‖ n × (i64 receive time ‖ ballot hash
//! (32) ‖ voter commitment (32))`, with `n` the head's size. Leaf `i` of the Merkle tree is
//! record hash `i`, `SHA-256("ivote-v1/record" ‖ u64 i ‖ i64 receive time ‖ ballot hash ‖
//! voter commitment)` ([`LogLeaf::record_hash`]), its leaf hash `SHA-256(0x00 ‖ leaf)`.

use super::{header, read_header, RecordError, LOG_FILE};
use crate::ballot_box::FinalHead;
use crate::hashes::{BallotHash, RecordHash};
use crate::layout::Reader;
use crate::merkle::MerkleTree;
use crate::package::ContextHash;
use crate::submission::{LogLeaf, SubmissionRecord};

/// The file's label.
pub const LABEL: &[u8] = b"ivote-v1/record/log";
const F: &str = LOG_FILE;

/// The log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogFile {
    /// The election.
    pub context: ContextHash,
    /// The collector's closing statement.
    pub final_head: FinalHead,
    /// What is public of every record, in leaf order.
    pub leaves: Vec<LogLeaf>,
}

impl LogFile {
    /// The log of `records` (the ballot box's, in leaf order) under `final_head`.
    pub fn of_records<'a>(
        context: ContextHash,
        final_head: FinalHead,
        records: impl IntoIterator<Item = &'a SubmissionRecord>,
    ) -> LogFile {
        LogFile {
            context,
            final_head,
            leaves: records
                .into_iter()
                .map(SubmissionRecord::log_leaf)
                .collect(),
        }
    }

    /// The layout.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(LABEL, &self.context);
        w.fixed(&self.final_head.to_bytes())
            .u64(self.leaves.len() as u64);
        for l in &self.leaves {
            l.write(&mut w);
        }
        w.finish()
    }

    /// Decodes the layout (the number of leaves must be the head's size).
    pub fn from_bytes(bytes: &[u8]) -> Result<LogFile, RecordError> {
        let mut r = Reader::new(bytes, "log");
        let context = read_header(&mut r, LABEL, F)?;
        let head = r.take(FinalHead::LEN).map_err(RecordError::layout(F))?;
        let final_head =
            FinalHead::from_bytes(head).map_err(|e| RecordError::malformed(F, e.to_string()))?;
        let n = r.u64().map_err(RecordError::layout(F))?;
        if n != final_head.head.size || n > (bytes.len() / LogLeaf::LEN) as u64 {
            return Err(RecordError::malformed(
                F,
                format!(
                    "{n} leaves; the final head's size is {}",
                    final_head.head.size
                ),
            ));
        }
        let leaves = (0..n)
            .map(|_| LogLeaf::read(&mut r).map_err(RecordError::layout(F)))
            .collect::<Result<Vec<_>, _>>()?;
        r.finish().map_err(RecordError::layout(F))?;
        Ok(LogFile {
            context,
            final_head,
            leaves,
        })
    }

    /// Every leaf's `(leaf index, receive time, ballot hash)`, in leaf order.
    pub fn ballots(&self) -> impl ExactSizeIterator<Item = (u64, i64, BallotHash)> + '_ {
        self.leaves
            .iter()
            .enumerate()
            .map(|(i, l)| (i as u64, l.received_at, l.ballot_hash))
    }

    /// Every leaf's record hash, recomputed from its published parts and index, in leaf
    /// order.
    pub fn record_hashes(&self) -> impl ExactSizeIterator<Item = RecordHash> + '_ {
        self.leaves
            .iter()
            .enumerate()
            .map(|(i, l)| l.record_hash(i as u64))
    }

    /// Leaf `index`'s record hash, if there is such a leaf.
    pub fn record_hash(&self, index: u64) -> Option<RecordHash> {
        let leaf = self.leaves.get(usize::try_from(index).ok()?)?;
        Some(leaf.record_hash(index))
    }

    /// The Merkle tree of every leaf.
    pub fn tree(&self) -> MerkleTree {
        let mut tree = MerkleTree::new();
        for (i, l) in self.leaves.iter().enumerate() {
            tree.push(l.leaf_hash(i as u64));
        }
        tree
    }

    /// Whether the leaves hash to the final head's root.
    pub fn root_matches(&self) -> bool {
        let tree = self.tree();
        tree.root(tree.size()) == Some(self.final_head.head.root)
    }
}
