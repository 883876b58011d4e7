//! Pass 2 of `tally import`: every logged ballot into `ballots.bin`, each valid one with its
//! selected ballot and flag (`docs/coercion.md`), and the sums of those.
//!
//! The box is read again (each record must still hash to its leaf of pass 1) and every
//! ballot is spread over 256 temporary files by the first byte of its hash, with what the
//! rules decided for its leaf. Each file is then sorted in memory and, in parallel, each
//! ballot gets its selected ballot: a re-encryption of it and a flag encrypting 1 if it
//! counted, an encryption of zeros and a flag encrypting 0 if not, with the selection proof
//! (`ivote_crypto::proofs::selection`). A ballot whose leaf the rules found invalid is checked
//! on its own (it may be valid and only, say, signed with a revoked certificate): if it
//! decodes and its proofs verify it gets a selected ballot of zeros like any other ballot
//! that did not count; if not, it is published marked invalid, for anyone to see that it is.
//! The flags' randomness goes to `flag-openings.bin` (auditors' bundle) and nowhere else.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ivote_crypto::proofs::selection::{FlagOpening, Selector};
use ivote_protocol::ballot::{ballot_hash, Ballot};
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::layout::Writer;
use ivote_protocol::record::aggregates::Aggregates;
use ivote_protocol::record::ballots::{BallotsWriter, SelectedBallot};
use ivote_protocol::record::counts::LeafDecision;
use ivote_protocol::record::flag_openings::FlagOpenings;
use ivote_protocol::record::{BALLOTS_FILE, FLAG_OPENINGS_FILE};
use ivote_protocol::submission::LogLeaf;
use rand::rngs::OsRng;
use rayon::prelude::*;

use super::aggregate::Aggregator;
use super::election::CountElection;
use super::error::CountError;
use super::progress;
use super::rules::RulesResult;
use crate::error::Refusal;

/// Write buffer.
const BUFFER: usize = 1 << 20;

/// What the rules decided for a ballot's leaf, as far as selection goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    /// Counted: its selected ballot re-encrypts it.
    Counted = 0,
    /// Valid, not counted (superseded, cancelled, a test vote).
    NotCounted = 1,
    /// The leaf is invalid: the ballot is checked on its own.
    InvalidLeaf = 2,
}

impl Status {
    fn of(decision: Option<&LeafDecision>) -> Status {
        match decision {
            Some(LeafDecision::Counted) => Status::Counted,
            Some(LeafDecision::Superseded | LeafDecision::Cancelled | LeafDecision::TestVote) => {
                Status::NotCounted
            }
            Some(LeafDecision::Invalid(_)) | None => Status::InvalidLeaf,
        }
    }

    fn from_byte(b: u8) -> Option<Status> {
        [Status::Counted, Status::NotCounted, Status::InvalidLeaf]
            .into_iter()
            .find(|s| *s as u8 == b)
    }
}

/// One ballot, made ready for `ballots.bin`.
struct Prepared {
    layout: Vec<u8>,
    district: String,
    counted: bool,
    /// `None`: the ballot is not valid for the election.
    selection: Option<(SelectedBallot, FlagOpening)>,
}

/// The 256 temporary files the ballots are spread over, by the first byte of their hash.
struct Buckets {
    dir: PathBuf,
}

impl Buckets {
    fn create(work: &Path) -> Result<Buckets> {
        let dir = work.join(".buckets");
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Buckets { dir })
    }

    fn path(&self, bucket: usize) -> PathBuf {
        self.dir.join(format!("{bucket:02x}"))
    }
}

/// Pass 2: writes `ballots.bin` and `flag-openings.bin` into `work`; returns the sums.
pub fn select_all(
    el: &CountElection,
    box_path: &Path,
    leaves: &[LogLeaf],
    rules: &RulesResult,
    work: &Path,
) -> Result<Aggregates> {
    let buckets = Buckets::create(work)?;
    spread(box_path, leaves, rules, &buckets)?;
    let aggregates = write_ballots(el, &buckets, leaves.len() as u64, work)?;
    std::fs::remove_dir_all(&buckets.dir).context("cannot remove the temporary files")?;
    Ok(aggregates)
}

/// Reads the box again and spreads every ballot, with its leaf's status, over the buckets.
fn spread(
    box_path: &Path,
    leaves: &[LogLeaf],
    rules: &RulesResult,
    buckets: &Buckets,
) -> Result<()> {
    let name = box_path.display().to_string();
    let mut files = (0..256)
        .map(|b| {
            File::create(buckets.path(b))
                .map(|f| BufWriter::with_capacity(64 << 10, f))
                .with_context(|| format!("cannot create {}", buckets.path(b).display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let bar = progress::bar(leaves.len() as u64, "anonymizing ballots");
    for entry in super::import::open_box(box_path)? {
        let e = entry.map_err(super::import::box_error(box_path))?;
        bar.inc(1);
        let h = ballot_hash(&e.submission.ballot);
        let i = e.index as usize;
        if leaves.get(i) != Some(&e.record.log_leaf()) || h != e.record.ballot_hash {
            return Err(Refusal::from(CountError::BallotBox {
                code: "tally.box_changed",
                file: name,
                detail: format!(
                    "leaf {i} changed while it was being counted; keep the file untouched and \
                     run the import again"
                ),
            })
            .into());
        }
        let status = Status::of(rules.decisions.outcomes.get(i));
        let w = files
            .get_mut(usize::from(h.0[0]))
            .context("bucket out of range")?;
        let mut record = Writer::new();
        record.fixed(&[status as u8]).bytes(&e.submission.ballot);
        w.write_all(&record.finish())
            .context("cannot write a temporary file")?;
    }
    bar.finish_and_clear();
    for w in files {
        w.into_inner()
            .map_err(|e| e.into_error())
            .context("cannot write a temporary file")?;
    }
    Ok(())
}

/// Sorts each bucket, selects its ballots in parallel and appends them to `ballots.bin`;
/// writes `flag-openings.bin`.
fn write_ballots(
    el: &CountElection,
    buckets: &Buckets,
    count: u64,
    work: &Path,
) -> Result<Aggregates> {
    let context = el.package.context_hash;
    let key = &el.package.ceremony.joint_key;
    let selector = Selector::new(&context, key);
    let out_path = work.join(BALLOTS_FILE);
    let out =
        File::create(&out_path).with_context(|| format!("cannot create {}", out_path.display()))?;
    let mut writer = BallotsWriter::new(BufWriter::with_capacity(BUFFER, out), &context, count)?;
    let mut aggregator = Aggregator::new(context, &el.package.manifest);
    let mut openings = Vec::new();
    let bar = progress::bar(count, "selecting ballots");
    for b in 0..256 {
        let bytes = std::fs::read(buckets.path(b)).context("cannot read a temporary file")?;
        let mut entries = split(&bytes)?;
        entries.sort_unstable_by_key(|(h, _, _)| *h);
        bar.inc(entries.len() as u64);
        let prepared = entries
            .into_par_iter()
            .map(|(hash, status, layout)| prepare(el, &selector, hash, status, layout))
            .collect::<Result<Vec<_>>>()?;
        for p in prepared {
            let hash = writer.push(&p.layout, p.selection.as_ref().map(|(s, _)| s))?;
            if let Some((selected, opening)) = p.selection {
                aggregator.add(&p.district, &selected.selected, &selected.flag)?;
                if p.counted {
                    aggregator.count(&p.district)?;
                }
                openings.push((hash, opening));
            }
        }
    }
    bar.finish_and_clear();
    let out = writer.finish()?;
    out.into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot write {}", out_path.display()))?;
    let openings = FlagOpenings { context, openings }.to_bytes()?;
    crate::fsio::write_new(work, FLAG_OPENINGS_FILE, &openings)?;
    Ok(aggregator.finish(&el.package.manifest))
}

/// Decodes a ballot, checks it if its leaf was invalid, and selects it.
fn prepare(
    el: &CountElection,
    selector: &Selector,
    hash: BallotHash,
    status: Status,
    layout: Vec<u8>,
) -> Result<Prepared> {
    let context = el.package.context_hash;
    let shapes = &el.election.shapes;
    let ballot = Ballot::from_bytes(&layout).map_err(|e| damaged(&hash, e))?;
    let valid = match status {
        Status::InvalidLeaf => ballot
            .check(&context, &el.package.ceremony.joint_key, shapes, &mut OsRng)
            .is_ok(),
        Status::Counted | Status::NotCounted => true,
    };
    let selection = if valid {
        let ciphertexts = ballot
            .selections(&context, shapes)
            .map_err(|e| damaged(&hash, e))?;
        let s = selector
            .select(&ciphertexts, status == Status::Counted, &mut OsRng)
            .map_err(|e| damaged(&hash, e))?;
        Some((
            SelectedBallot {
                flag: s.flag,
                proof: s.proof,
                selected: s.selected,
            },
            s.opening,
        ))
    } else {
        None
    };
    Ok(Prepared {
        layout,
        district: ballot.district,
        counted: status == Status::Counted,
        selection,
    })
}

fn damaged(hash: &BallotHash, e: impl std::fmt::Display) -> anyhow::Error {
    Refusal::from(CountError::CountFolder {
        file: BALLOTS_FILE.into(),
        detail: format!("ballot {}: {e}", hash.to_hex()),
    })
    .into()
}

/// Splits a bucket file (`u8 status ‖ lp(layout)` each) into `(ballot hash, status, layout)`.
fn split(mut bytes: &[u8]) -> Result<Vec<(BallotHash, Status, Vec<u8>)>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let mut head = [0u8; 5];
        bytes
            .read_exact(&mut head)
            .context("a damaged temporary file")?;
        let status = Status::from_byte(head[0]).context("a damaged temporary file")?;
        let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        let mut layout = vec![0u8; len];
        bytes
            .read_exact(&mut layout)
            .context("a damaged temporary file")?;
        out.push((ballot_hash(&layout), status, layout));
    }
    Ok(out)
}
