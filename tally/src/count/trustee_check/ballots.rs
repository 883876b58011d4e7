//! Step 4 and 5 of the trustee's check (module docs of [`super`]): `ballots.bin` against the
//! log's leaves and the decisions, every validity proof, every selection proof, every flag
//! opening, and the sums.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::BufReader;

use anyhow::{Context, Result};
use ivote_crypto::proofs::selection::{FlagOpening, SelectionStatement};
use ivote_crypto::{Ciphertext, ContextHash, PublicKey};
use ivote_protocol::ballot::{verify_ballots, BallotShapes, DecodedBallot};
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::record::ballots::{BallotsReader, PublishedBallot};
use ivote_protocol::record::counts::LeafDecision;
use ivote_protocol::record::flag_openings::FlagOpenings;
use ivote_protocol::record::{self, check_context};
use rand::rngs::OsRng;
use rayon::prelude::*;

use super::{refuse, TrusteeCheckError};
use crate::count::aggregate::Aggregator;
use crate::count::folder::CountFolder;
use crate::count::progress;
use crate::error::Refusal;
use crate::fsio;

/// Ballots read before a parallel step.
const CHUNK: usize = 1024;
/// Ballots one thread verifies in one batch verification.
const BATCH: usize = 64;
/// Failures named in a message (the count says how many there are in all).
const NAMED: usize = 20;

/// Failures of one kind: how many, and the first [`NAMED`].
#[derive(Default)]
struct Found<T> {
    count: u64,
    first: Vec<T>,
}

impl<T> Found<T> {
    fn push(&mut self, item: T) {
        self.count += 1;
        if self.first.len() < NAMED {
            self.first.push(item);
        }
    }
}

/// Everything found wrong, by kind.
#[derive(Default)]
struct Problems {
    not_logged: Found<String>,
    invalid: Found<(String, String)>,
    marked_invalid: Found<String>,
    bad_selection: Found<String>,
    not_the_rules: Found<(String, String)>,
}

impl Problems {
    fn none(&self) -> bool {
        self.not_logged.count
            + self.invalid.count
            + self.marked_invalid.count
            + self.bad_selection.count
            + self.not_the_rules.count
            == 0
    }

    /// The refusal for the first kind found, in the order of the module docs.
    fn refusal(self) -> Option<anyhow::Error> {
        let p = self;
        if p.not_logged.count > 0 {
            return Some(refuse(TrusteeCheckError::BallotNotLogged {
                count: p.not_logged.count,
                hashes: p.not_logged.first,
            }));
        }
        if p.invalid.count > 0 {
            return Some(refuse(TrusteeCheckError::InvalidProof {
                count: p.invalid.count,
                ballots: p.invalid.first,
            }));
        }
        if p.marked_invalid.count > 0 {
            return Some(refuse(TrusteeCheckError::ValidMarkedInvalid {
                count: p.marked_invalid.count,
                hashes: p.marked_invalid.first,
            }));
        }
        if p.bad_selection.count > 0 {
            return Some(refuse(TrusteeCheckError::BadSelection {
                count: p.bad_selection.count,
                hashes: p.bad_selection.first,
            }));
        }
        if p.not_the_rules.count > 0 {
            return Some(refuse(TrusteeCheckError::SelectionNotTheRules {
                count: p.not_the_rules.count,
                ballots: p.not_the_rules.first,
            }));
        }
        None
    }
}

/// What one thread found about one batch of entries.
enum Finding {
    /// A ballot given a selected ballot that is not valid: why.
    Invalid(BallotHash, String),
    /// A ballot marked invalid that is valid.
    MarkedInvalid(BallotHash),
    /// A selection proof that does not verify.
    BadSelection(BallotHash),
}

/// Checks `ballots.bin` and `flag-openings.bin` against `logged` (every leaf's ballot hash,
/// leaf and decision), and `aggregates.bin` against their sums.
pub fn check(
    folder: &CountFolder,
    logged: &HashMap<BallotHash, (u64, LeafDecision)>,
) -> Result<()> {
    let p = &folder.package;
    let context = p.context_hash;
    let key = &p.ceremony.joint_key;
    let shapes = BallotShapes::from_manifest(&p.manifest)
        .map_err(|e| Refusal::malformed("manifest.toml", e.to_string()))?;
    let openings = FlagOpenings::from_bytes(&fsio::read(&folder.path(record::FLAG_OPENINGS_FILE))?)
        .and_then(|o| check_context(record::FLAG_OPENINGS_FILE, &o.context, &context).map(|()| o))
        .map_err(|e| folder.damaged(&e))?;
    let mut openings = openings.openings.into_iter().peekable();
    let path = folder.path(record::BALLOTS_FILE);
    let file = File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader = BallotsReader::new(BufReader::with_capacity(1 << 20, file))
        .map_err(|e| folder.damaged(&e))?;
    check_context(record::BALLOTS_FILE, reader.context(), &context)
        .map_err(|e| folder.damaged(&e))?;
    let bar = progress::bar(
        reader.announced(),
        "checking the ballots and their selection",
    );
    let mut aggregator = Aggregator::new(context, &p.manifest);
    let mut seen: HashSet<BallotHash> = HashSet::with_capacity(logged.len());
    let mut problems = Problems::default();
    let mut chunk: Vec<PublishedBallot> = Vec::with_capacity(CHUNK);
    let mut reader = reader.peekable();
    while reader.peek().is_some() {
        chunk.clear();
        for item in reader.by_ref().take(CHUNK) {
            chunk.push(item.map_err(|e| folder.damaged(&e))?);
        }
        let findings: Vec<Finding> = chunk
            .par_chunks(BATCH)
            .flat_map_iter(|batch| verify_batch(batch, &context, key, &shapes))
            .collect();
        for f in findings {
            match f {
                Finding::Invalid(h, why) => problems.invalid.push((h.to_hex(), why)),
                Finding::MarkedInvalid(h) => problems.marked_invalid.push(h.to_hex()),
                Finding::BadSelection(h) => problems.bad_selection.push(h.to_hex()),
            }
        }
        for b in &chunk {
            let decision = match logged.get(&b.hash) {
                Some((_, d)) if seen.insert(b.hash) => d,
                _ => {
                    problems.not_logged.push(b.hash.to_hex());
                    continue;
                }
            };
            let counted = *decision == LeafDecision::Counted;
            let Some(selected) = &b.selection else {
                if counted {
                    problems
                        .not_the_rules
                        .push((b.hash.to_hex(), "counted, but published as invalid".into()));
                }
                continue;
            };
            let opening = match openings.next_if(|(h, _)| *h <= b.hash) {
                Some((h, o)) if h == b.hash => o,
                _ => {
                    problems.bad_selection.push(b.hash.to_hex());
                    continue;
                }
            };
            if opening.check(key, &selected.flag).is_err() {
                problems.bad_selection.push(b.hash.to_hex());
                continue;
            }
            if opening.counted() != counted {
                problems.not_the_rules.push((
                    b.hash.to_hex(),
                    format!(
                        "its flag says {}, its leaf is decided \"{}\"",
                        said(&opening),
                        decision.describe()
                    ),
                ));
                continue;
            }
            if problems.none() {
                aggregator.add(&b.ballot.district, &selected.selected, &selected.flag)?;
                if counted {
                    aggregator.count(&b.ballot.district)?;
                }
            }
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    if let Some((h, _)) = openings.next() {
        problems.bad_selection.push(h.to_hex());
    }
    if let Some(e) = problems.refusal() {
        return Err(e);
    }
    let mut missing: Vec<u64> = logged
        .iter()
        .filter(|(h, _)| !seen.contains(h))
        .map(|(_, (leaf, _))| *leaf)
        .collect();
    if !missing.is_empty() {
        missing.sort_unstable();
        return Err(refuse(TrusteeCheckError::BallotMissing {
            count: missing.len() as u64,
            leaves: missing.into_iter().take(NAMED).collect(),
        }));
    }
    if aggregator.finish(&p.manifest) != folder.aggregates {
        return Err(refuse(TrusteeCheckError::AggregatesMismatch));
    }
    Ok(())
}

fn said(opening: &FlagOpening) -> &'static str {
    if opening.counted() {
        "counted"
    } else {
        "not counted"
    }
}

/// One thread's batch: every ballot's validity proofs in one batch verification (a ballot
/// marked invalid must fail them), then every selection proof in one batch verification.
fn verify_batch(
    batch: &[PublishedBallot],
    context: &ContextHash,
    key: &PublicKey,
    shapes: &BallotShapes,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut decoded: Vec<DecodedBallot<'_>> = Vec::with_capacity(batch.len());
    let mut owners: Vec<&PublishedBallot> = Vec::with_capacity(batch.len());
    for b in batch {
        match b.ballot.decode(context, shapes) {
            Ok(d) => {
                decoded.push(d);
                owners.push(b);
            }
            Err(e) if b.selection.is_some() => {
                out.push(Finding::Invalid(b.hash, format!("{e} [{}]", e.code())))
            }
            Err(_) => {}
        }
    }
    let refs: Vec<&DecodedBallot<'_>> = decoded.iter().collect();
    let failed: HashMap<usize, Vec<String>> = verify_ballots(context, key, &refs, &mut OsRng)
        .into_iter()
        .collect();
    let mut statements = Vec::new();
    for (i, (b, d)) in owners.iter().zip(&decoded).enumerate() {
        match (failed.get(&i), &b.selection) {
            (Some(contests), Some(_)) => out.push(Finding::Invalid(
                b.hash,
                format!(
                    "the validity proofs of contest(s) {} do not verify",
                    contests.join(", ")
                ),
            )),
            (Some(_), None) => {}
            (None, None) => out.push(Finding::MarkedInvalid(b.hash)),
            (None, Some(s)) => {
                let ciphertexts: Vec<Ciphertext> = d
                    .contests()
                    .flat_map(|c| c.selections().iter().copied())
                    .collect();
                statements.push((b.hash, ciphertexts, s));
            }
        }
    }
    let items: Vec<_> = statements
        .iter()
        .map(|(_, ballot, s)| {
            (
                SelectionStatement {
                    key,
                    ballot,
                    selected: &s.selected,
                    flag: &s.flag,
                },
                &s.proof,
            )
        })
        .collect();
    if ivote_crypto::proofs::selection::verify_selections(context, &items, &mut OsRng).is_err() {
        for ((hash, _, _), (statement, proof)) in statements.iter().zip(&items) {
            if proof.verify(context, statement).is_err() {
                out.push(Finding::BadSelection(*hash));
            }
        }
    }
    out
}
