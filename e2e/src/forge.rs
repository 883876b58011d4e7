//! The dishonest collector's kit (issue 15, holes 1a–1d): takes an honest exported ballot box
//! and the collector's secret key file, and forges boxes as a collector that lies about time
//! and order would, each correctly signed: the records changed, the leaves renumbered, the
//! Merkle tree recomputed (each record hash by [`SubmissionRecord::hash`], the one place it
//! is computed), the tree head and the closing signature signed with the collector's key over
//! the forged log. Every check of a single entry still passes (the voters' signatures cover
//! only the ballot); only the checks of the log as a whole (`tally import`'s `tally.box_*`,
//! `verifier audit`'s A13–A17, and for what `log.bin` publishes, times and ballot hashes,
//! `verifier check`'s V16) can refuse such a box. The end-to-end tests drive the real
//! programs on these boxes (`tests/dishonest_collector.rs`).

use anyhow::{bail, Context, Result};
use ed25519_dalek::SigningKey;
use ivote_protocol::ballot_box::{BallotBoxReader, BallotBoxWriter, FinalHead};
use ivote_protocol::merkle::MerkleTree;
use ivote_protocol::ocsp::OcspEvidence;
use ivote_protocol::receipt::SignedTreeHead;
use ivote_protocol::submission::{Submission, SubmissionRecord};
use std::collections::HashMap;

/// One lie about the log. Leaves are named by their position in the log as it is when the
/// forgery applies (forgeries apply in order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Forgery {
    /// Hole 1a: appends a copy of leaf `leaf`'s signed submission (a voter's earlier vote) at
    /// the end of the log, received at `at`.
    Reappend {
        /// The leaf copied.
        leaf: usize,
        /// Its new receive time.
        at: i64,
    },
    /// Holes 1b and 1d: leaf `leaf` received at `at` instead (before the window: a "test
    /// vote"; after the close: dropped; before its predecessor: times reordered).
    Retime {
        /// The leaf.
        leaf: usize,
        /// Its new receive time.
        at: i64,
    },
    /// Holes 1c and 1d: moves leaf `leaf` to position `to`, keeping its receive time (a
    /// submission held back and appended later, or two of a voter's votes swapped).
    Move {
        /// The leaf moved.
        leaf: usize,
        /// Its new position.
        to: usize,
    },
    /// Leaves leaf `leaf` out of the log (a vote dropped).
    Drop {
        /// The leaf.
        leaf: usize,
    },
}

/// How the forger numbers each voter's submissions after the lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Numbering {
    /// Renumbers them 1, 2, 3, … in the forged log's order (a careful forger).
    Renumber,
    /// Keeps each record's number (a re-appended vote keeps its old one).
    Keep,
}

/// Reads the collector's secret key file (`collector keygen`'s `collector-key.SECRET.hex`).
pub fn read_collector_key(path: &std::path::Path) -> Result<SigningKey> {
    let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    ivote_collector::key_file::signing_key(&text)
        .with_context(|| format!("{} is not a collector secret key file", path.display()))
}

/// Forges `honest` (a `ballot-box.bin`): applies `forgeries` in order, numbers the voters'
/// submissions as `numbering` says, and signs the forged log with `collector` (its tree
/// head at the honest final head's time).
pub fn forge_box(
    honest: &[u8],
    collector: &SigningKey,
    forgeries: &[Forgery],
    numbering: Numbering,
) -> Result<Vec<u8>> {
    let reader = BallotBoxReader::new(honest).context("the honest box does not read")?;
    let context = *reader.context();
    let timestamp = reader.final_head().head.timestamp;
    // Each entry with the OCSP answer the collector stored with it, kept as it was.
    let mut log: Vec<(SubmissionRecord, Submission, Option<OcspEvidence>)> = reader
        .map(|e| e.map(|e| (e.record, e.submission, e.ocsp)))
        .collect::<Result<_, _>>()
        .context("the honest box does not read")?;
    for f in forgeries {
        let leaf = match f {
            Forgery::Reappend { leaf, .. }
            | Forgery::Retime { leaf, .. }
            | Forgery::Move { leaf, .. }
            | Forgery::Drop { leaf } => *leaf,
        };
        if leaf >= log.len() {
            bail!("{f:?}: the log has {} leaves", log.len());
        }
        match *f {
            Forgery::Reappend { leaf, at } => {
                let mut copy = log.get(leaf).context("no such leaf")?.clone();
                copy.0.received_at = at;
                log.push(copy);
            }
            Forgery::Retime { leaf, at } => {
                if let Some(e) = log.get_mut(leaf) {
                    e.0.received_at = at;
                }
            }
            Forgery::Move { leaf, to } => {
                let e = log.remove(leaf);
                log.insert(to.min(log.len()), e);
            }
            Forgery::Drop { leaf } => {
                log.remove(leaf);
            }
        }
    }
    let mut seqs: HashMap<String, u32> = HashMap::new();
    let mut tree = MerkleTree::new();
    for (i, (record, _, _)) in log.iter_mut().enumerate() {
        record.leaf_index = i as u64;
        if numbering == Numbering::Renumber {
            let n = seqs.entry(record.voter_id.clone()).or_insert(0);
            *n += 1;
            record.voter_seq = *n;
        }
        tree.push(record.leaf_hash());
    }
    let size = tree.size();
    let root = tree
        .root(size)
        .context("a forged log needs at least one leaf")?;
    let head = SignedTreeHead::sign(collector, &context, size, root, timestamp);
    let final_head = FinalHead::sign(head, collector, &context);
    let mut writer = BallotBoxWriter::new(Vec::new(), &context, &final_head)?;
    for (record, submission, ocsp) in &log {
        writer.push(
            &record.to_bytes(),
            &submission.to_bytes(),
            &OcspEvidence::encode(ocsp.as_ref()),
        )?;
    }
    Ok(writer.finish()?)
}

/// The command line's form: `reappend:LEAF@TIME`, `retime:LEAF@TIME`, `move:LEAF@POSITION`,
/// `drop:LEAF` (times in Unix seconds).
impl std::str::FromStr for Forgery {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Forgery> {
        let (kind, rest) = s
            .split_once(':')
            .with_context(|| format!("{s:?}: expected KIND:LEAF[@VALUE]"))?;
        let (leaf, value) = match rest.split_once('@') {
            Some((l, v)) => (l, Some(v)),
            None => (rest, None),
        };
        let leaf: usize = leaf
            .parse()
            .with_context(|| format!("{s:?}: the leaf is not a number"))?;
        let value = |what: &str| -> Result<i64> {
            value
                .with_context(|| format!("{s:?}: expected {kind}:LEAF@{what}"))?
                .parse()
                .with_context(|| format!("{s:?}: the {what} is not a number"))
        };
        Ok(match kind {
            "reappend" => Forgery::Reappend {
                leaf,
                at: value("TIME")?,
            },
            "retime" => Forgery::Retime {
                leaf,
                at: value("TIME")?,
            },
            "move" => Forgery::Move {
                leaf,
                to: usize::try_from(value("POSITION")?)
                    .with_context(|| format!("{s:?}: a negative position"))?,
            },
            "drop" => Forgery::Drop { leaf },
            other => bail!("{other:?}: not one of reappend, retime, move, drop"),
        })
    }
}
