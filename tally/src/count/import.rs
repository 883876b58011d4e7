//! `tally import`: reads the exported ballot box twice, streaming, so that memory stays
//! bounded whatever its size.
//!
//! 1. Every entry is checked ([`super::checks`], in parallel batches) and its record hashed
//!    into the Merkle tree; the rules ([`super::rules`]) keep, per voter, only the latest
//!    valid leaf. Every valid ballot in the window is summed at once ([`super::aggregate`]),
//!    so that each ballot is decoded only once. At the end the tree's root must be the
//!    collector's signed final head's, and no submission may differ from its record.
//! 2. The box is read again (each record must still hash to its leaf of pass 1): the
//!    ballots that turned out superseded or cancelled (few: revotes and paper voters) are
//!    decoded and taken away from the sums; the counted ones are spread over 256 temporary
//!    files by the first byte of their ballot hash; each file is then sorted in memory and
//!    appended to `counted-ballots.bin` (the anonymized, hash-sorted list).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use anyhow::{Context, Result};
use ivote_protocol::ballot::{ballot_hash, Ballot, Hash32};
use ivote_protocol::ballot_box::{BallotBoxError, BallotBoxReader};
use ivote_protocol::layout::Writer;
use ivote_protocol::merkle::{leaf_hash, MerkleTree};
use ivote_protocol::record::aggregates::Aggregates;
use ivote_protocol::record::ballots::CountedBallotsWriter;
use ivote_protocol::record::counts::LeafDecision;
use ivote_protocol::record::log::LogFile;
use rayon::prelude::*;

use super::aggregate::Aggregator;
use super::checks::{check_batch, Checked};
use super::election::CountElection;
use super::error::CountError;
use super::progress;
use super::rules::{Rules, RulesResult, Verdict};
use crate::error::Refusal;

/// Entries read before a parallel check.
const CHUNK: usize = 1024;
/// Entries one thread checks with one batch verification.
const BATCH: usize = 64;
/// Read buffer.
const BUFFER: usize = 1 << 20;

/// What the import produced.
#[derive(Debug)]
pub struct Imported {
    /// The rules' decisions and counts.
    pub rules: RulesResult,
    /// The log (final head, leaves).
    pub log: LogFile,
    /// The sums.
    pub aggregates: Aggregates,
    /// One line per invalid submission: `leaf N, voter V: [code] message`.
    pub problems: Vec<String>,
}

fn box_error(file: &Path) -> impl Fn(BallotBoxError) -> Refusal + '_ {
    move |e| {
        CountError::BallotBox {
            code: e.code(),
            file: file.display().to_string(),
            detail: e.to_string(),
        }
        .into()
    }
}

fn open_box(path: &Path) -> Result<BallotBoxReader<BufReader<File>>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(BallotBoxReader::new(BufReader::with_capacity(BUFFER, file)).map_err(box_error(path))?)
}

/// Runs both passes; writes `counted-ballots.bin` into `work` (a fresh folder).
pub fn import(
    el: &CountElection,
    box_path: &Path,
    paper: &BTreeSet<String>,
    work: &Path,
) -> Result<Imported> {
    let context = el.package.context_hash;
    let mut reader = open_box(box_path)?;
    let name = box_path.display().to_string();
    if *reader.context() != context {
        return Err(Refusal::from(CountError::BallotBox {
            code: "tally.box_wrong_election",
            file: name,
            detail: format!(
                "it is for another election (context hash {}, this package's is {})",
                reader.context().to_hex(),
                context.to_hex()
            ),
        })
        .into());
    }
    let final_head = *reader.final_head();
    final_head
        .verify(&el.package.collector_key, &context)
        .map_err(box_error(box_path))?;
    let size = final_head.head.size;

    // Pass 1: check everything, apply the rules.
    let bar = progress::bar(size, "checking submissions");
    let mut tree = MerkleTree::new();
    let mut leaves = Vec::new();
    let mut rules = Rules::new(el.starts);
    let mut tampered = Vec::new();
    let mut problems = Vec::new();
    let mut aggregator = Aggregator::new(context, &el.package.manifest, &el.shapes);
    loop {
        let chunk = reader
            .by_ref()
            .take(CHUNK)
            .collect::<Result<Vec<_>, _>>()
            .map_err(box_error(box_path))?;
        if chunk.is_empty() {
            break;
        }
        for e in &chunk {
            let h = e.record.hash();
            tree.push(leaf_hash(&h.0));
            leaves.push(h);
        }
        let checked: Vec<Vec<Checked>> = chunk
            .par_chunks(BATCH)
            .map(|b| check_batch(el, b))
            .collect();
        for (e, c) in chunk.iter().zip(checked.into_iter().flatten()) {
            match c {
                Checked::Tampered(why) => {
                    tampered.push((e.index, why));
                    rules.push(Verdict::Invalid("tally.box_tampered".into()));
                }
                Checked::Done {
                    verdict,
                    message,
                    selections,
                } => {
                    if let (Verdict::Invalid(code), Some(m)) = (&verdict, message) {
                        problems.push(format!(
                            "leaf {}, voter {}: [{code}] {m}",
                            e.index, e.record.voter_id
                        ));
                    }
                    // Summed now; taken away in pass 2 if it is superseded or cancelled.
                    if rules.push(verdict) {
                        if let Some(s) = selections {
                            aggregator.add_selections(&s.district, &s.ciphertexts)?;
                        }
                    }
                }
            }
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    if !tampered.is_empty() {
        return Err(Refusal::from(CountError::Tampered {
            file: name,
            leaves: tampered,
        })
        .into());
    }
    let root = tree.root(tree.size());
    if tree.size() != size || root != Some(final_head.head.root) {
        return Err(Refusal::from(CountError::RootMismatch {
            file: name,
            size: tree.size(),
            expected: hex::encode(final_head.head.root),
            actual: root.map(hex::encode).unwrap_or_default(),
        })
        .into());
    }
    let rules = rules.finish(paper, &context);

    // Pass 2: the counted ballots, by hash bucket, then sorted and summed.
    let buckets_dir = work.join(".buckets");
    std::fs::create_dir_all(&buckets_dir)
        .with_context(|| format!("cannot create {}", buckets_dir.display()))?;
    let bucket_path = |b: usize| buckets_dir.join(format!("{b:02x}"));
    let mut buckets = (0..256)
        .map(|b| {
            File::create(bucket_path(b))
                .map(|f| BufWriter::with_capacity(64 << 10, f))
                .with_context(|| format!("cannot create {}", bucket_path(b).display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let bar = progress::bar(size, "anonymizing ballots");
    for entry in open_box(box_path)? {
        let e = entry.map_err(box_error(box_path))?;
        bar.inc(1);
        let h = ballot_hash(&e.submission.ballot);
        let i = e.index as usize;
        if leaves.get(i) != Some(&e.record.hash()) || h != e.record.ballot_hash {
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
        match rules.decisions.outcomes.get(i) {
            Some(LeafDecision::Counted) => {
                let w = buckets
                    .get_mut(usize::from(h.0[0]))
                    .context("bucket out of range")?;
                w.write_all(&Writer::new().bytes(&e.submission.ballot).finish())
                    .context("cannot write a temporary file")?;
            }
            Some(LeafDecision::Superseded | LeafDecision::Cancelled) => {
                let ballot = Ballot::from_bytes(&e.submission.ballot).map_err(|e| {
                    Refusal::from(CountError::CountFolder {
                        file: name.clone(),
                        detail: e.to_string(),
                    })
                })?;
                aggregator.subtract(&ballot)?;
            }
            _ => {}
        }
    }
    bar.finish_and_clear();
    for w in buckets {
        w.into_inner()
            .map_err(|e| e.into_error())
            .context("cannot write a temporary file")?;
    }

    let out_path = work.join(ivote_protocol::record::COUNTED_BALLOTS_FILE);
    let out =
        File::create(&out_path).with_context(|| format!("cannot create {}", out_path.display()))?;
    let mut writer = CountedBallotsWriter::new(
        BufWriter::with_capacity(BUFFER, out),
        &context,
        rules.counted.len() as u64,
    )?;
    let bar = progress::bar(rules.counted.len() as u64, "sorting ballots");
    for b in 0..256 {
        let bytes = std::fs::read(bucket_path(b)).context("cannot read a temporary file")?;
        let mut ballots = split_layouts(&bytes)?;
        ballots.sort_unstable_by_key(|(h, _)| *h);
        for (_, layout) in &ballots {
            writer.push(layout)?;
        }
        bar.inc(ballots.len() as u64);
    }
    bar.finish_and_clear();
    let out = writer.finish()?;
    out.into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot write {}", out_path.display()))?;
    std::fs::remove_dir_all(&buckets_dir).context("cannot remove the temporary files")?;

    let aggregates = aggregator.finish(&el.package.manifest);
    Ok(Imported {
        log: LogFile {
            context,
            final_head,
            leaves,
        },
        aggregates,
        problems,
        rules,
    })
}

/// Splits a bucket file (length-prefixed layouts) into `(ballot hash, layout)`.
fn split_layouts(mut bytes: &[u8]) -> Result<Vec<(Hash32, Vec<u8>)>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let mut len = [0u8; 4];
        bytes
            .read_exact(&mut len)
            .context("a damaged temporary file")?;
        let mut layout = vec![0u8; u32::from_be_bytes(len) as usize];
        bytes
            .read_exact(&mut layout)
            .context("a damaged temporary file")?;
        out.push((ballot_hash(&layout), layout));
    }
    Ok(out)
}

/// The import report: the totals, then every submission that was not counted and why.
pub fn report(imported: &Imported, box_sha256: &str) -> String {
    let c = &imported.rules.counts;
    let mut s = String::new();
    let mut line = |l: String| {
        s.push_str(&l);
        s.push('\n');
    };
    line(format!("ballot box SHA-256: {box_sha256}"));
    line(format!("submissions in the box:      {}", c.submissions));
    line(format!("voters with a valid e-vote:  {}", c.voters));
    line(format!("ballots counted:             {}", c.counted));
    line(format!("superseded by a revote:      {}", c.superseded));
    line(format!("test votes (before window):  {}", c.test_votes));
    line(format!(
        "paper cancellation list:     {} id codes",
        c.paper_votes
    ));
    line(format!(
        "cancelled voters:            {}",
        c.cancelled_voters
    ));
    line(format!(
        "cancelled submissions:       {}",
        c.cancelled_submissions
    ));
    line(format!(
        "rejected (invalid):          {}",
        c.rejected_total()
    ));
    for (code, n) in &c.rejected {
        line(format!("  [{code}] {n}"));
    }
    if !imported.problems.is_empty() {
        line(String::new());
        line("Invalid submissions (reported, not counted, they replace nothing):".into());
        for p in &imported.problems {
            line(format!("  {p}"));
        }
    }
    line(String::new());
    line("Every submission that was not counted:".into());
    for (i, o) in imported.rules.decisions.outcomes.iter().enumerate() {
        if *o != LeafDecision::Counted {
            line(format!("  leaf {i}: {}", o.describe()));
        }
    }
    s
}
