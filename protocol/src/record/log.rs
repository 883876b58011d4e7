//! `log.bin`: the collector's final head and every leaf of its log, so that anyone can
//! recompute the root and check the counted ballots against what the collector logged.
//!
//! Layout: `lp("ivote-v1/record/log") ‖ context (32) ‖ final head (176, the ballot box's
//! closing statement: `docs/ballot-format.md`) ‖ u64 n ‖ n × record hash (32)`, with `n` the
//! head's size. Leaf `i` of the Merkle tree is record hash `i`
//! (`SHA-256("ivote-v1/record" ‖ record layout)`), its leaf hash `SHA-256(0x00 ‖ leaf)`.

use super::{header, read_header, RecordError, LOG_FILE};
use crate::ballot_box::FinalHead;
use crate::hashes::RecordHash;
use crate::layout::Reader;
use crate::merkle::{leaf_hash, MerkleTree};
use crate::package::ContextHash;

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
    /// Every record hash, in leaf order.
    pub leaves: Vec<RecordHash>,
}

impl LogFile {
    /// The layout.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(LABEL, &self.context);
        w.fixed(&self.final_head.to_bytes())
            .u64(self.leaves.len() as u64);
        for l in &self.leaves {
            w.fixed(&l.0);
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
        if n != final_head.head.size || n > (bytes.len() / 32) as u64 {
            return Err(RecordError::malformed(
                F,
                format!(
                    "{n} leaves; the final head's size is {}",
                    final_head.head.size
                ),
            ));
        }
        let leaves = (0..n)
            .map(|_| r.array().map(RecordHash).map_err(RecordError::layout(F)))
            .collect::<Result<Vec<_>, _>>()?;
        r.finish().map_err(RecordError::layout(F))?;
        Ok(LogFile {
            context,
            final_head,
            leaves,
        })
    }

    /// Whether the leaves hash to the final head's root.
    pub fn root_matches(&self) -> bool {
        let mut tree = MerkleTree::new();
        for l in &self.leaves {
            tree.push(leaf_hash(&l.0));
        }
        tree.root(tree.size()) == Some(self.final_head.head.root)
    }
}
