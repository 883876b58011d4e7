//! V07 (every ballot given a selected ballot decodes for this election, with a selected
//! ballot of its shape; sorted by ballot hash so none is there twice), V08 (every validity
//! proof of those, batch-verified on all cores, and every ballot published as invalid is
//! invalid), V09 (no ciphertext twice) and V18 (every selection proof, batch-verified), in
//! one streaming pass over `ballots.bin` that also adds up the selected ciphertexts per
//! (district, contest, selection) and the flags per district for V10, and keeps every
//! ballot hash for V17 (the ballots are the log's).
//!
//! A reader thread decodes the file into chunks while the rayon pool verifies the previous
//! ones, so memory is bounded by a few chunks whatever the size of the record (plus 16 bytes
//! per ciphertext for V09).

use std::collections::{HashMap, HashSet};

use ivote_crypto::proofs::selection::{find_invalid_selections, SelectionStatement};
use ivote_crypto::{Ciphertext, PublicKey};
use ivote_protocol::ballot::{verify_ballots, BallotShapes, DecodedBallot};
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::package::{ContextHash, ElectionPackage};
use ivote_protocol::record::aggregates::positions;
use ivote_protocol::record::ballots::{BallotsReader, PublishedBallot};
use ivote_protocol::record::{check_context, BALLOTS_FILE};
use rand::{CryptoRng, Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

use super::{
    because, progress_bar, Options, BALLOTS, BALLOT_PROOFS, DUPLICATE_CIPHERTEXTS, PACKAGE,
    SELECTION_PROOFS,
};
use crate::files::RecordDir;
use crate::report::{item_file, Failure, Report};

/// Ballots per chunk handed from the reader thread to the pool.
const CHUNK: usize = 2048;
/// Ballots per batch verification (one multiscalar multiplication).
const BATCH: usize = 64;
/// Bytes of a ciphertext's encoding compared in the first pass of V09.
const PRINT: usize = 16;

/// What the published ballots add up to, for V10, V13, V15 and V17.
#[derive(Clone, Debug)]
pub struct Tallied {
    /// Every ballot's hash, in the file's (increasing) order: V17 compares them with the
    /// log's leaves (32 bytes per ballot).
    pub hashes: Vec<BallotHash>,
    /// The valid ballots (those with a selected ballot) per district, in manifest order: the
    /// most a district's flag sum can decrypt to.
    pub valid_per_district: Vec<u64>,
    /// The sum of the selected ciphertexts at every position of
    /// `ivote_protocol::record::aggregates::positions`, in its order.
    pub sums: Vec<Ciphertext>,
    /// The sum of the flags per district, in manifest order.
    pub flags: Vec<Ciphertext>,
    /// Every valid ballot's hash and flag, in the file's order: kept only for `verifier
    /// audit`, which opens the flags (96 bytes per ballot).
    pub selected: Vec<(BallotHash, Ciphertext)>,
}

/// Where a district's selections start among the positions.
struct Layout {
    districts: HashMap<String, (usize, usize)>,
    district_count: usize,
    position_count: usize,
}

impl Layout {
    fn new(package: &ElectionPackage) -> Layout {
        let mut districts = HashMap::new();
        let all = positions(&package.manifest);
        for (i, p) in all.iter().enumerate() {
            let next = districts.len();
            districts.entry(p.district.clone()).or_insert((next, i));
        }
        Layout {
            district_count: districts.len(),
            districts,
            position_count: all.len(),
        }
    }
}

/// One batch's contribution.
struct Partial {
    valid_per_district: Vec<u64>,
    sums: Vec<Ciphertext>,
    flags: Vec<Ciphertext>,
    /// Valid ballots that V08 and V18 could not check (they do not decode).
    undecoded: u64,
    malformed: Vec<Failure>,
    bad_proofs: Vec<Failure>,
    bad_selections: Vec<Failure>,
    prints: Vec<[u8; PRINT]>,
}

impl Partial {
    fn new(layout: &Layout) -> Partial {
        Partial {
            valid_per_district: vec![0; layout.district_count],
            sums: vec![Ciphertext::zero(); layout.position_count],
            flags: vec![Ciphertext::zero(); layout.district_count],
            undecoded: 0,
            malformed: Vec::new(),
            bad_proofs: Vec::new(),
            bad_selections: Vec::new(),
            prints: Vec::new(),
        }
    }

    fn merge(mut self, other: Partial) -> Partial {
        for (a, b) in self
            .valid_per_district
            .iter_mut()
            .zip(other.valid_per_district)
        {
            *a += b;
        }
        for (a, b) in self.sums.iter_mut().zip(other.sums) {
            *a += b;
        }
        for (a, b) in self.flags.iter_mut().zip(other.flags) {
            *a += b;
        }
        self.undecoded += other.undecoded;
        self.malformed.extend(other.malformed);
        self.bad_proofs.extend(other.bad_proofs);
        self.bad_selections.extend(other.bad_selections);
        self.prints.extend(other.prints);
        self
    }
}

fn ballot_item(hash: &BallotHash) -> String {
    format!("ballot {}", hash.to_hex())
}

/// What one batch needs to know about the election.
struct Election<'a> {
    context: &'a ContextHash,
    joint_key: &'a PublicKey,
    shapes: &'a BallotShapes,
    layout: &'a Layout,
}

fn process(batch: &[PublishedBallot], e: &Election<'_>, seed: [u8; 32]) -> Partial {
    let mut part = Partial::new(e.layout);
    let mut decoded: Vec<DecodedBallot<'_>> = Vec::with_capacity(batch.len());
    let mut owners: Vec<&PublishedBallot> = Vec::with_capacity(batch.len());
    // The valid ballots' ciphertexts, for their selection proofs.
    let mut statements: Vec<(&PublishedBallot, Vec<Ciphertext>)> = Vec::new();
    for b in batch {
        let d = match (b.ballot.decode(e.context, e.shapes), &b.selection) {
            (Ok(d), _) => d,
            // Published as invalid, and it is: nothing to add up.
            (Err(_), None) => continue,
            (Err(err), Some(_)) => {
                part.undecoded += 1;
                part.malformed.push(Failure {
                    item: ballot_item(&b.hash),
                    detail: format!(
                        "given a selected ballot, but it is not a ballot of this election: \
                         {err} [{}]",
                        err.code()
                    ),
                });
                continue;
            }
        };
        if let Some(s) = &b.selection {
            let ciphertexts: Vec<Ciphertext> = d
                .contests()
                .flat_map(|c| c.selections().iter().copied())
                .collect();
            if ciphertexts.len() != s.selected.len() {
                part.undecoded += 1;
                part.malformed.push(Failure {
                    item: ballot_item(&b.hash),
                    detail: format!(
                        "its selected ballot has {} ciphertexts, the ballot {} [selection.shape_mismatch]",
                        s.selected.len(),
                        ciphertexts.len()
                    ),
                });
                continue;
            }
            // decode() accepted the district, so the layout knows it.
            if let Some(&(district, first)) = e.layout.districts.get(&b.ballot.district) {
                if let Some(n) = part.valid_per_district.get_mut(district) {
                    *n += 1;
                }
                if let Some(f) = part.flags.get_mut(district) {
                    *f += s.flag;
                }
                for (sum, ct) in part.sums.iter_mut().skip(first).zip(&s.selected) {
                    *sum += *ct;
                }
            }
            for ct in &ciphertexts {
                let mut print = [0u8; PRINT];
                print.copy_from_slice(ct.to_bytes().get(..PRINT).unwrap_or(&[0; PRINT]));
                part.prints.push(print);
            }
            statements.push((b, ciphertexts));
        }
        decoded.push(d);
        owners.push(b);
    }
    let refs: Vec<&DecodedBallot<'_>> = decoded.iter().collect();
    let mut rng = ChaCha20Rng::from_seed(seed);
    let failed: HashMap<usize, Vec<String>> =
        verify_ballots(e.context, e.joint_key, &refs, &mut rng)
            .into_iter()
            .collect();
    for (i, b) in owners.iter().enumerate() {
        match (failed.get(&i), &b.selection) {
            (Some(contests), Some(_)) => part.bad_proofs.push(Failure {
                item: ballot_item(&b.hash),
                detail: format!(
                    "the validity proofs of contest(s) {} do not verify [ballot.invalid_proof]",
                    contests.join(", ")
                ),
            }),
            (None, None) => part.bad_proofs.push(Failure {
                item: ballot_item(&b.hash),
                detail: "published as invalid, but it decodes and every validity proof \
                         verifies: a valid ballot was left out of the selection \
                         [record.valid_marked_invalid]"
                    .into(),
            }),
            _ => {}
        }
    }
    let items: Vec<_> = statements
        .iter()
        .filter_map(|(b, ciphertexts)| {
            b.selection.as_ref().map(|s| {
                (
                    SelectionStatement {
                        key: e.joint_key,
                        ballot: ciphertexts,
                        selected: &s.selected,
                        flag: &s.flag,
                    },
                    &s.proof,
                )
            })
        })
        .collect();
    for i in find_invalid_selections(e.context, &items, &mut rng) {
        if let Some((b, _)) = statements.get(i) {
            part.bad_selections.push(Failure {
                item: ballot_item(&b.hash),
                detail: "its selection proof does not verify: the selected ballot is not \
                         proven to be the ballot re-encrypted or zeros [selection.invalid_proof]"
                    .into(),
            });
        }
    }
    part
}

/// Runs V07, V08, V09 and V18; returns the sums and every ballot hash (and, with
/// `keep_selected`, every valid ballot's flag) when every ballot was read and every valid
/// one decoded.
pub fn check<R: RngCore + CryptoRng>(
    dir: &RecordDir,
    package: Option<&ElectionPackage>,
    options: &Options,
    keep_selected: bool,
    rng: &mut R,
    report: &mut Report,
) -> Option<Tallied> {
    let all = [
        BALLOTS,
        BALLOT_PROOFS,
        DUPLICATE_CIPHERTEXTS,
        SELECTION_PROOFS,
    ];
    let Some(package) = package else {
        for c in all {
            report.skipped(
                c,
                because(&[PACKAGE], "the ballots are checked against the package"),
            );
        }
        return None;
    };
    let fail_all = |report: &mut Report, detail: String| {
        report.failed(BALLOTS, item_file(BALLOTS_FILE), detail);
        for c in [BALLOT_PROOFS, DUPLICATE_CIPHERTEXTS, SELECTION_PROOFS] {
            report.skipped(c, because(&[BALLOTS], "the ballots cannot be read"));
        }
    };
    let shapes = match BallotShapes::from_manifest(&package.manifest) {
        Ok(s) => s,
        Err(e) => {
            fail_all(report, format!("{e} [{}]", e.code()));
            return None;
        }
    };
    let reader = match dir.open_stream(BALLOTS_FILE) {
        Ok(input) => BallotsReader::new(input),
        Err(e) => {
            for c in all {
                report.not_run(c, format!("{e} [{}]", e.code()));
            }
            return None;
        }
    };
    let reader = match reader {
        Ok(r) => r,
        Err(e) => {
            fail_all(report, format!("{e} [{}]", e.code()));
            return None;
        }
    };
    let mut malformed = Vec::new();
    if let Err(e) = check_context(BALLOTS_FILE, reader.context(), &package.context_hash) {
        malformed.push(Failure {
            item: item_file(BALLOTS_FILE),
            detail: format!("{e} [{}]", e.code()),
        });
    }
    let joint_key = &package.ceremony.joint_key;
    let layout = Layout::new(package);
    let election = Election {
        context: &package.context_hash,
        joint_key,
        shapes: &shapes,
        layout: &layout,
    };
    let reader_announced = reader.announced();
    let bar = progress_bar(
        options,
        reader_announced,
        "verifying ballots and selections",
        "ballots",
    );
    let mut master = ChaCha20Rng::from_seed(rng.gen());
    let mut total = Partial::new(&layout);
    let mut count = 0u64;
    let mut hashes = Vec::new();
    let mut selected = Vec::new();
    let streamed = crate::stream::in_chunks(reader, CHUNK, |chunk| {
        let batches: Vec<&[PublishedBallot]> = chunk.chunks(BATCH).collect();
        let seeds: Vec<[u8; 32]> = batches.iter().map(|_| master.gen()).collect();
        let part = batches
            .par_iter()
            .zip(seeds)
            .map(|(batch, seed)| process(batch, &election, seed))
            .reduce(|| Partial::new(&layout), Partial::merge);
        total = std::mem::replace(&mut total, Partial::new(&layout)).merge(part);
        count += chunk.len() as u64;
        hashes.extend(chunk.iter().map(|b| b.hash));
        if keep_selected {
            selected.extend(
                chunk
                    .iter()
                    .filter_map(|b| b.selection.as_ref().map(|s| (b.hash, s.flag))),
            );
        }
        bar.set_position(count);
    });
    let stream_error = streamed.err();
    bar.finish_and_clear();
    let undecoded = total.undecoded;
    malformed.append(&mut total.malformed);
    if let Some(e) = &stream_error {
        malformed.push(Failure {
            item: item_file(BALLOTS_FILE),
            detail: format!("after {count} ballots: {e} [{}]", e.code()),
        });
    }
    let complete = malformed.is_empty();
    report.ran(BALLOTS, format!("{count} ballots"), malformed);
    // V08, V09 and V18 say what they could not check: the valid ballots V07 found
    // undecodable, and everything after the point where the file stopped being readable.
    let verified = count - undecoded;
    let unchecked = |what: &str| -> Option<Failure> {
        let mut parts = Vec::new();
        if undecoded > 0 {
            parts.push(format!(
                "{undecoded} ballot(s) given a selected ballot do not decode"
            ));
        }
        if stream_error.is_some() {
            parts.push(format!(
                "the file cannot be read beyond its first {count} of {reader_announced} \
                 announced ballots"
            ));
        }
        (!parts.is_empty()).then(|| Failure {
            item: item_file(BALLOTS_FILE),
            detail: format!(
                "{}, so {what} were not checked ({} did not pass)",
                parts.join(" and "),
                BALLOTS.id
            ),
        })
    };
    let covered = format!("{verified} ballots");
    match unchecked("their proofs") {
        None => report.ran(BALLOT_PROOFS, covered.clone(), total.bad_proofs),
        Some(u) => report.ran_partly(BALLOT_PROOFS, covered.clone(), total.bad_proofs, u),
    }
    match unchecked("their selection proofs") {
        None => report.ran(SELECTION_PROOFS, covered, total.bad_selections),
        Some(u) => report.ran_partly(SELECTION_PROOFS, covered, total.bad_selections, u),
    }
    if stream_error.is_some() {
        report.skipped(
            DUPLICATE_CIPHERTEXTS,
            because(&[BALLOTS], "the ballots could not all be read"),
        );
    } else {
        let prints = std::mem::take(&mut total.prints);
        let covered = format!("{} ciphertexts", prints.len());
        let failures = duplicates(dir, &election, prints);
        match unchecked("their ciphertexts") {
            None => report.ran(DUPLICATE_CIPHERTEXTS, covered, failures),
            Some(u) => report.ran_partly(DUPLICATE_CIPHERTEXTS, covered, failures, u),
        }
    }
    complete.then_some(Tallied {
        hashes,
        valid_per_district: total.valid_per_district,
        sums: total.sums,
        flags: total.flags,
        selected,
    })
}

/// V09: sorts the fingerprints; when two agree (which honest ballots never do), reads the
/// ballots again to compare the whole ciphertexts and name the ballots that share one.
fn duplicates(
    dir: &RecordDir,
    election: &Election<'_>,
    mut prints: Vec<[u8; PRINT]>,
) -> Vec<Failure> {
    prints.par_sort_unstable();
    let suspects: HashSet<[u8; PRINT]> = prints
        .windows(2)
        .filter_map(|w| match w {
            [a, b] if a == b => Some(*a),
            _ => None,
        })
        .collect();
    drop(prints);
    if suspects.is_empty() {
        return Vec::new();
    }
    let reader = match dir
        .open_stream(BALLOTS_FILE)
        .map_err(|e| e.to_string())
        .and_then(|input| BallotsReader::new(input).map_err(|e| e.to_string()))
    {
        Ok(r) => r,
        Err(e) => {
            return vec![Failure {
                item: item_file(BALLOTS_FILE),
                detail: format!("cannot read it again to compare suspected duplicates: {e}"),
            }]
        }
    };
    let mut seen: HashMap<[u8; 64], Vec<String>> = HashMap::new();
    for b in reader.flatten().filter(|b| b.selection.is_some()) {
        let Ok(selections) = b.ballot.selections(election.context, election.shapes) else {
            continue;
        };
        for ct in selections.iter().map(|c| c.to_bytes()) {
            if ct.get(..PRINT).is_some_and(|p| suspects.contains(p)) {
                seen.entry(ct).or_default().push(b.hash.to_hex());
            }
        }
    }
    let mut failures: Vec<Failure> = seen
        .into_iter()
        .filter(|(_, ballots)| ballots.len() > 1)
        .map(|(ct, ballots)| Failure {
            item: format!(
                "ciphertext {}",
                hex::encode(ct.get(..PRINT).unwrap_or_default())
            ),
            detail: format!(
                "appears {} times, in ballot(s) {}",
                ballots.len(),
                ballots.join(", ")
            ),
        })
        .collect();
    failures.sort_by(|a, b| a.item.cmp(&b.item));
    failures
}
