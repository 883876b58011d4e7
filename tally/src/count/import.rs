//! `tally import`: reads the exported ballot box twice, streaming, so that memory stays
//! bounded whatever its size.
//!
//! 1. Every entry is checked ([`super::checks`], in parallel batches) and its record hashed
//!    into the Merkle tree (what `log.bin` publishes of it kept: receive time, ballot hash,
//!    voter commitment); the rules ([`super::rules`]) keep, per voter, only the latest
//!    valid leaf. At the end the tree's root must be the
//!    collector's signed final head's, no submission may differ from its record, and the
//!    log as a whole must be an honest log ([`super::log_order`]: times, the window's end,
//!    no ballot or nonce twice, each voter's sequence numbers).
//! 2. [`super::selection`]: every ballot into `ballots.bin` (hash-sorted), each valid one
//!    with its selected ballot (a re-encryption if it counted, zeros if not, and the proof
//!    that it is one of the two), and the sums of the selected ballots.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use anyhow::{Context, Result};
use ivote_protocol::ballot_box::{BallotBoxError, BallotBoxReader, BoxEntry, FinalHead};
use ivote_protocol::merkle::MerkleTree;
use ivote_protocol::record::aggregates::Aggregates;
use ivote_protocol::record::counts::LeafDecision;
use ivote_protocol::record::log::LogFile;
use ivote_protocol::submission::LogLeaf;
use rayon::prelude::*;

use super::checks::{check_batch, Checked};
use super::election::CountElection;
use super::error::CountError;
use super::log_order::{nonce_of, LogOrder, LogProblem};
use super::progress;
use super::rules::{Rules, RulesResult, Verdict};
use super::selection::select_all;
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

pub(super) fn box_error(file: &Path) -> impl Fn(BallotBoxError) -> Refusal + '_ {
    move |e| {
        CountError::BallotBox {
            code: e.code(),
            file: file.display().to_string(),
            detail: e.to_string(),
        }
        .into()
    }
}

pub(super) fn open_box(path: &Path) -> Result<BallotBoxReader<BufReader<File>>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(BallotBoxReader::new(BufReader::with_capacity(BUFFER, file)).map_err(box_error(path))?)
}

/// Runs both passes; writes `ballots.bin` and `flag-openings.bin` into `work` (a fresh
/// folder).
pub fn import(
    el: &CountElection,
    box_path: &Path,
    paper: &BTreeSet<String>,
    work: &Path,
) -> Result<Imported> {
    let context = el.package.context_hash;
    let (reader, final_head) = open_for(el, box_path)?;
    let checked = check_box(el, reader, box_path, &final_head)?;
    let rules = checked.rules.finish(paper, &context);
    let aggregates = select_all(el, box_path, &checked.leaves, &rules, work)?;
    Ok(Imported {
        log: LogFile {
            context,
            final_head,
            leaves: checked.leaves,
        },
        aggregates,
        problems: checked.problems,
        rules,
    })
}

/// Opens the box and checks its header: this election's, with a final head the collector
/// signed.
fn open_for(
    el: &CountElection,
    box_path: &Path,
) -> Result<(BallotBoxReader<BufReader<File>>, FinalHead)> {
    let context = el.package.context_hash;
    let reader = open_box(box_path)?;
    if *reader.context() != context {
        return Err(Refusal::from(CountError::BallotBox {
            code: "tally.box_wrong_election",
            file: box_path.display().to_string(),
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
    Ok((reader, final_head))
}

/// What pass 1 found.
struct CheckedBox {
    /// What `log.bin` publishes of every record, in log order.
    leaves: Vec<LogLeaf>,
    /// The rules, every leaf pushed.
    rules: Rules,
    /// One line per invalid submission.
    problems: Vec<String>,
}

/// Pass 1: checks every entry ([`super::checks`], in parallel batches), hashes its record
/// into the Merkle tree and pushes its verdict to the rules. Refuses the box if a submission differs from its record,
/// the tree is not the signed final head's, or the signed log is not an honest log
/// ([`super::log_order`]).
fn check_box(
    el: &CountElection,
    mut reader: BallotBoxReader<BufReader<File>>,
    box_path: &Path,
    final_head: &FinalHead,
) -> Result<CheckedBox> {
    let name = box_path.display().to_string();
    let size = final_head.head.size;
    let bar = progress::bar(size, "checking submissions");
    let mut tree = MerkleTree::new();
    let mut out = CheckedBox {
        leaves: Vec::new(),
        rules: Rules::new(el.election.starts),
        problems: Vec::new(),
    };
    let mut tampered = Vec::new();
    let mut order = LogOrder::new(el.election.ends);
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
            let leaf = e.record.log_leaf();
            tree.push(leaf.leaf_hash(e.record.leaf_index));
            out.leaves.push(leaf);
        }
        let checked: Vec<Vec<Checked>> = chunk
            .par_chunks(BATCH)
            .map(|b| check_batch(el, b))
            .collect();
        let nonces: Vec<Option<[u8; 32]>> = chunk
            .par_iter()
            .map(|e| nonce_of(&e.submission.ballot))
            .collect();
        for ((e, c), nonce) in chunk.iter().zip(checked.into_iter().flatten()).zip(nonces) {
            order.push(&e.record, nonce);
            if let Checked::Tampered(why) = &c {
                tampered.push((e.index, format!("{why} [{}]", why.code())));
            }
            apply(&mut out, e, c);
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
    refuse_dishonest_log(&name, order.finish())?;
    Ok(out)
}

/// Refuses the box when its signed log is not an honest log: the code is the first
/// problem's (in log order), the message names every problem (the first 20) with its code.
fn refuse_dishonest_log(file: &str, problems: Vec<LogProblem>) -> Result<()> {
    let Some(first) = problems.first() else {
        return Ok(());
    };
    let shown: Vec<String> = problems
        .iter()
        .take(20)
        .map(|p| format!("leaf {}: [{}] {}", p.leaf, p.code, p.detail))
        .collect();
    let more = problems.len().saturating_sub(shown.len());
    Err(Refusal::from(CountError::BallotBox {
        code: first.code,
        file: file.to_owned(),
        detail: format!(
            "the collector signed a log that lies about time or order ({} problem(s)): {}{}; \
             nothing was counted: keep the box as evidence and investigate the collector \
             (docs/tally.md, \"The log as a whole\")",
            problems.len(),
            shown.join("; "),
            if more > 0 {
                format!("; and {more} more")
            } else {
                String::new()
            }
        ),
    })
    .into())
}

/// One checked entry into the rules and the report's problems.
fn apply(out: &mut CheckedBox, e: &BoxEntry, checked: Checked) {
    match checked {
        Checked::Tampered(_) => {
            out.rules.push(Verdict::Tampered);
        }
        Checked::Done(verdict) => {
            if let Verdict::Invalid(r) = &verdict {
                out.problems.push(format!(
                    "leaf {}, voter {}: [{}] {r}",
                    e.index,
                    e.record.voter_id,
                    r.code()
                ));
            }
            out.rules.push(verdict);
        }
    }
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
