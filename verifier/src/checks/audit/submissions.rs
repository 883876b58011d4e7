//! One streaming pass over the bundle's `ballot-box.bin`: A04 (the box is the log the record
//! describes: the same final head, and each record is `log.bin`'s leaf: its receive time,
//! ballot hash and voter commitment), A06 (each submission is what the collector logged: its
//! ballot hash, certificate hash, signature and voter id are the record's), and every
//! submission's acceptance check again, at the time the collector received it
//! ([`ivote_protocol::acceptance`], whose module docs list the checks in order with their
//! codes); the first check that refuses gives the submission's reason. The same pass feeds
//! the checks of the log as a whole, A13–A17 ([`super::log_order`]).
//!
//! A reader thread decodes the box into chunks while the rayon pool judges the previous one;
//! the election's certificate cache, shared by the pool, keeps the certificates validated (a
//! voter who revotes sends the same certificate again), so only their status at the new time
//! is checked on a revote.

use std::collections::HashMap;

use ivote_protocol::acceptance::{EntryRefusal, LoadedElection, Rejection};
use ivote_protocol::ballot::DecodedBallot;
use ivote_protocol::ballot_box::{BallotBoxReader, BoxEntry, BALLOT_BOX_FILE};
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::record::log::LogFile;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

use super::log_order::{self, LogChecks};
use crate::checks::{progress_bar, Options};
use crate::report::{item_file, Failure};

/// Entries per chunk handed from the reader thread to the pool.
const CHUNK: usize = 1024;
/// Entries per batch verification of proofs.
const BATCH: usize = 64;

/// What a submission is checked against.
#[derive(Debug)]
pub struct Judge<'a> {
    /// The election: package, roll, certificate cache.
    pub election: &'a LoadedElection,
    /// Ballot hashes whose proofs V08 already verified in `ballots.bin` (the ballots with a
    /// selected ballot; increasing): the same hash is the same bytes, so those proofs are not
    /// verified twice.
    proven: &'a [BallotHash],
}

/// What the checks say about one submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// Every check passed.
    Valid,
    /// A check refused it.
    Invalid(Rejection),
    /// It is not what the collector logged (A06): its checks say nothing about the count.
    Tampered,
}

/// One leaf, as the rules need it: from its record (whose hash is `log.bin`'s leaf).
#[derive(Clone, Debug)]
pub struct Leaf {
    /// Index into [`BoxPass::voters`].
    pub voter: u32,
    /// When the collector received it.
    pub received_at: i64,
    /// The ballot's hash.
    pub ballot_hash: BallotHash,
    /// What the checks say.
    pub judgement: Judgement,
}

/// What the pass found.
#[derive(Debug)]
pub struct BoxPass {
    /// Every leaf read, in log order.
    pub leaves: Vec<Leaf>,
    /// The voter ids, by the index the leaves use.
    pub voters: Vec<String>,
    /// A04's failures.
    pub log_failures: Vec<Failure>,
    /// A06's failures.
    pub tamper_failures: Vec<Failure>,
    /// A13..A17, every leaf read pushed (taken when reported).
    pub order: Option<LogChecks>,
}

impl<'a> Judge<'a> {
    /// A judge of `election`'s submissions.
    pub fn new(election: &'a LoadedElection, proven: &'a [BallotHash]) -> Judge<'a> {
        Judge { election, proven }
    }

    /// Judges a batch of entries (one thread), every proof of the batch in one batch
    /// verification; results in the entries' order.
    fn judge_batch(&self, entries: &[BoxEntry], seed: [u8; 32]) -> Vec<Judged> {
        let mut out = Vec::with_capacity(entries.len());
        let mut pending = Vec::new();
        let mut decoded: Vec<DecodedBallot<'_>> = Vec::new();
        for e in entries {
            match self.election.check_box_entry(e) {
                Ok(accepted) => {
                    if self.proven.binary_search(&accepted.ballot_hash).is_err() {
                        pending.push(out.len());
                        decoded.push(accepted.ballot);
                    }
                    out.push(Judged::Done(Judgement::Valid));
                }
                Err(EntryRefusal::Tampered(why)) => {
                    out.push(Judged::Tampered(format!("{why} [{}]", why.code())))
                }
                Err(EntryRefusal::Invalid(r)) => out.push(Judged::Done(Judgement::Invalid(r))),
            }
        }
        let refs: Vec<&DecodedBallot<'_>> = decoded.iter().collect();
        let mut rng = ChaCha20Rng::from_seed(seed);
        for (k, rejection) in self.election.verify_proofs(&refs, &mut rng) {
            if let Some(slot) = pending.get(k).and_then(|&i| out.get_mut(i)) {
                *slot = Judged::Done(Judgement::Invalid(rejection));
            }
        }
        out
    }
}

/// One entry's outcome inside a batch.
enum Judged {
    Done(Judgement),
    Tampered(String),
}

fn leaf_item(index: u64, voter: &str) -> String {
    format!("leaf {index} (voter {voter})")
}

/// Reads `ballot-box.bin` from `input` once and judges every submission (A04, A06 and the
/// judgements).
pub fn pass<I: std::io::Read + Send>(
    input: I,
    log: &LogFile,
    judge: &Judge<'_>,
    options: &Options,
    rng: &mut impl Rng,
) -> BoxPass {
    let mut out = BoxPass {
        leaves: Vec::new(),
        voters: Vec::new(),
        log_failures: Vec::new(),
        tamper_failures: Vec::new(),
        order: None,
    };
    let file = item_file(BALLOT_BOX_FILE);
    let reader = match BallotBoxReader::new(input) {
        Ok(r) => r,
        Err(e) => {
            out.log_failures.push(Failure {
                item: file,
                detail: format!("{e} [{}]", e.code()),
            });
            return out;
        }
    };
    if *reader.context() != judge.election.context {
        out.log_failures.push(Failure {
            item: file.clone(),
            detail: format!(
                "it is for another election (context hash {}, this election's is {}) \
                 [record.wrong_election]",
                reader.context().to_hex(),
                judge.election.context.to_hex()
            ),
        });
    }
    if *reader.final_head() != log.final_head {
        out.log_failures.push(Failure {
            item: file.clone(),
            detail: format!(
                "its final head (size {}, root {}) is not log.bin's (size {}, root {})",
                reader.final_head().head.size,
                hex::encode(reader.final_head().head.root),
                log.final_head.head.size,
                hex::encode(log.final_head.head.root)
            ),
        });
    }
    let bar = progress_bar(
        options,
        reader.final_head().head.size,
        "auditing submissions",
        "submissions",
    );
    let mut master = ChaCha20Rng::from_seed(rng.gen());
    let mut voter_index: HashMap<String, u32> = HashMap::new();
    let mut order = LogChecks::new(judge.election.ends);
    let streamed = crate::stream::in_chunks(reader, CHUNK, |chunk| {
        let batches: Vec<&[BoxEntry]> = chunk.chunks(BATCH).collect();
        let seeds: Vec<[u8; 32]> = batches.iter().map(|_| master.gen()).collect();
        let judged: Vec<Vec<Judged>> = batches
            .par_iter()
            .zip(seeds)
            .map(|(batch, seed)| judge.judge_batch(batch, seed))
            .collect();
        let nonces: Vec<Option<[u8; 32]>> = chunk
            .par_iter()
            .map(|e| log_order::nonce(&e.submission.ballot))
            .collect();
        for ((e, j), nonce) in chunk.iter().zip(judged.into_iter().flatten()).zip(nonces) {
            let record = &e.record;
            order.push(record, nonce);
            let logged = usize::try_from(e.index)
                .ok()
                .and_then(|i| log.leaves.get(i));
            let leaf = record.log_leaf();
            if logged != Some(&leaf) {
                out.log_failures.push(Failure {
                    item: leaf_item(e.index, &record.voter_id),
                    detail: match logged {
                        Some(l) => format!(
                            "its record (received at {}, ballot {}, voter commitment {}) is \
                             not log.bin's leaf (received at {}, ballot {}, voter commitment \
                             {})",
                            leaf.received_at,
                            leaf.ballot_hash.to_hex(),
                            leaf.voter.to_hex(),
                            l.received_at,
                            l.ballot_hash.to_hex(),
                            l.voter.to_hex()
                        ),
                        None => "log.bin has no such leaf".into(),
                    },
                });
            }
            let judgement = match j {
                Judged::Done(v) => v,
                Judged::Tampered(why) => {
                    out.tamper_failures.push(Failure {
                        item: leaf_item(e.index, &record.voter_id),
                        detail: why,
                    });
                    Judgement::Tampered
                }
            };
            let next = u32::try_from(out.voters.len()).unwrap_or(u32::MAX);
            let voter = *voter_index.entry(record.voter_id.clone()).or_insert(next);
            if voter == next {
                out.voters.push(record.voter_id.clone());
            }
            out.leaves.push(Leaf {
                voter,
                received_at: record.received_at,
                ballot_hash: record.ballot_hash,
                judgement,
            });
        }
        bar.inc(chunk.len() as u64);
    });
    out.order = Some(order);
    let stream_error = streamed.err();
    bar.finish_and_clear();
    if let Some(e) = stream_error {
        out.log_failures.push(Failure {
            item: file,
            detail: format!("after {} entries: {e} [{}]", out.leaves.len(), e.code()),
        });
    } else if out.leaves.len() != log.leaves.len() {
        out.log_failures.push(Failure {
            item: file,
            detail: format!(
                "it holds {} submissions, log.bin {} leaves",
                out.leaves.len(),
                log.leaves.len()
            ),
        });
    }
    out
}
