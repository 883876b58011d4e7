//! V07 (every counted ballot decodes for this election, sorted by ballot hash so none is
//! counted twice), V08 (every validity proof, batch-verified on all cores) and V09 (no
//! ciphertext twice), in one streaming pass over `counted-ballots.bin` that also adds up the
//! ciphertexts per (district, contest, selection) for V10.
//!
//! A reader thread decodes the file into chunks while the rayon pool verifies the previous
//! ones, so memory is bounded by a few chunks whatever the size of the record (plus 16 bytes
//! per ciphertext for V09).

use std::collections::{HashMap, HashSet};

use ivote_crypto::{Ciphertext, PublicKey};
use ivote_protocol::ballot::{verify_ballots, Ballot, BallotShapes, DecodedBallot};
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::package::{ContextHash, ElectionPackage};
use ivote_protocol::record::aggregates::positions;
use ivote_protocol::record::ballots::CountedBallotsReader;
use ivote_protocol::record::{check_context, COUNTED_BALLOTS_FILE};
use rand::{CryptoRng, Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

use super::{
    because, progress_bar, Options, BALLOTS, BALLOT_PROOFS, DUPLICATE_CIPHERTEXTS, PACKAGE,
};
use crate::files::RecordDir;
use crate::report::{item_file, Failure, Report};

/// Ballots per chunk handed from the reader thread to the pool.
const CHUNK: usize = 2048;
/// Ballots per batch verification (one multiscalar multiplication).
const BATCH: usize = 64;
/// Bytes of a ciphertext's encoding compared in the first pass of V09.
const PRINT: usize = 16;

/// What the counted ballots add up to, for V10 and V15.
#[derive(Clone, Debug)]
pub struct Tallied {
    /// The number of counted ballots.
    pub ballots: u64,
    /// Per district, in manifest order.
    pub per_district: Vec<u64>,
    /// The sum of the ciphertexts at every position of
    /// `ivote_protocol::record::aggregates::positions`, in its order.
    pub sums: Vec<Ciphertext>,
    /// Every counted ballot's hash, in the file's (increasing) order: kept only for
    /// `verifier audit`, which compares them with the ballots the rules select (32 bytes per
    /// ballot).
    pub hashes: Vec<BallotHash>,
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
    per_district: Vec<u64>,
    sums: Vec<Ciphertext>,
    malformed: Vec<Failure>,
    bad_proofs: Vec<Failure>,
    prints: Vec<[u8; PRINT]>,
}

impl Partial {
    fn new(layout: &Layout) -> Partial {
        Partial {
            per_district: vec![0; layout.district_count],
            sums: vec![Ciphertext::zero(); layout.position_count],
            malformed: Vec::new(),
            bad_proofs: Vec::new(),
            prints: Vec::new(),
        }
    }

    fn merge(mut self, other: Partial) -> Partial {
        for (a, b) in self.per_district.iter_mut().zip(other.per_district) {
            *a += b;
        }
        for (a, b) in self.sums.iter_mut().zip(other.sums) {
            *a += b;
        }
        self.malformed.extend(other.malformed);
        self.bad_proofs.extend(other.bad_proofs);
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

fn process(batch: &[(BallotHash, Ballot)], e: &Election<'_>, seed: [u8; 32]) -> Partial {
    let mut part = Partial::new(e.layout);
    let mut decoded: Vec<DecodedBallot<'_>> = Vec::with_capacity(batch.len());
    let mut owners: Vec<&BallotHash> = Vec::with_capacity(batch.len());
    for (hash, ballot) in batch {
        let d = match ballot.decode(e.context, e.shapes) {
            Ok(d) => d,
            Err(err) => {
                part.malformed.push(Failure {
                    item: ballot_item(hash),
                    detail: format!("{err} [{}]", err.code()),
                });
                continue;
            }
        };
        // decode() accepted the district, so the layout knows it.
        if let Some(&(district, first)) = e.layout.districts.get(&ballot.district) {
            if let Some(n) = part.per_district.get_mut(district) {
                *n += 1;
            }
            let cts = d.contests().flat_map(|c| c.selections());
            for (sum, ct) in part.sums.iter_mut().skip(first).zip(cts) {
                *sum += *ct;
                let mut print = [0u8; PRINT];
                print.copy_from_slice(ct.to_bytes().get(..PRINT).unwrap_or(&[0; PRINT]));
                part.prints.push(print);
            }
        }
        decoded.push(d);
        owners.push(hash);
    }
    let refs: Vec<&DecodedBallot<'_>> = decoded.iter().collect();
    let mut rng = ChaCha20Rng::from_seed(seed);
    for (i, contests) in verify_ballots(e.context, e.joint_key, &refs, &mut rng) {
        if let Some(hash) = owners.get(i) {
            part.bad_proofs.push(Failure {
                item: ballot_item(hash),
                detail: format!(
                    "the validity proofs of contest(s) {} do not verify [ballot.invalid_proof]",
                    contests.join(", ")
                ),
            });
        }
    }
    part
}

/// Runs V07, V08 and V09; returns the sums (and, with `keep_hashes`, every ballot hash) when
/// every ballot was read and decoded.
pub fn check<R: RngCore + CryptoRng>(
    dir: &RecordDir,
    package: Option<&ElectionPackage>,
    options: &Options,
    keep_hashes: bool,
    rng: &mut R,
    report: &mut Report,
) -> Option<Tallied> {
    let all = [BALLOTS, BALLOT_PROOFS, DUPLICATE_CIPHERTEXTS];
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
        report.failed(BALLOTS, item_file(COUNTED_BALLOTS_FILE), detail);
        for c in [BALLOT_PROOFS, DUPLICATE_CIPHERTEXTS] {
            report.skipped(c, because(&[BALLOTS], "the counted ballots cannot be read"));
        }
    };
    let shapes = match BallotShapes::from_manifest(&package.manifest) {
        Ok(s) => s,
        Err(e) => {
            fail_all(report, format!("{e} [{}]", e.code()));
            return None;
        }
    };
    let reader = match dir.open_stream(COUNTED_BALLOTS_FILE) {
        Ok(input) => CountedBallotsReader::new(input),
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
    if let Err(e) = check_context(
        COUNTED_BALLOTS_FILE,
        reader.context(),
        &package.context_hash,
    ) {
        malformed.push(Failure {
            item: item_file(COUNTED_BALLOTS_FILE),
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
        "verifying counted ballots",
        "ballots",
    );
    let mut master = ChaCha20Rng::from_seed(rng.gen());
    let mut total = Partial::new(&layout);
    let mut count = 0u64;
    let mut hashes = Vec::new();
    let streamed = crate::stream::in_chunks(reader, CHUNK, |chunk| {
        let batches: Vec<&[(BallotHash, Ballot)]> = chunk.chunks(BATCH).collect();
        let seeds: Vec<[u8; 32]> = batches.iter().map(|_| master.gen()).collect();
        let part = batches
            .par_iter()
            .zip(seeds)
            .map(|(batch, seed)| process(batch, &election, seed))
            .reduce(|| Partial::new(&layout), Partial::merge);
        total = std::mem::replace(&mut total, Partial::new(&layout)).merge(part);
        count += chunk.len() as u64;
        if keep_hashes {
            hashes.extend(chunk.iter().map(|(h, _)| *h));
        }
        bar.set_position(count);
    });
    let stream_error = streamed.err();
    bar.finish_and_clear();
    let undecoded = total.malformed.len() as u64;
    malformed.append(&mut total.malformed);
    if let Some(e) = &stream_error {
        malformed.push(Failure {
            item: item_file(COUNTED_BALLOTS_FILE),
            detail: format!("after {count} ballots: {e} [{}]", e.code()),
        });
    }
    let complete = malformed.is_empty();
    report.ran(BALLOTS, format!("{count} ballots"), malformed);
    // V08 and V09 say what they could not check: the ballots V07 found undecodable, and
    // everything after the point where the file stopped being readable.
    let verified = count - undecoded;
    let unchecked = |what: &str| -> Option<Failure> {
        let mut parts = Vec::new();
        if undecoded > 0 {
            parts.push(format!("{undecoded} ballot(s) do not decode"));
        }
        if stream_error.is_some() {
            parts.push(format!(
                "the file cannot be read beyond its first {count} of {reader_announced} \
                 announced ballots"
            ));
        }
        (!parts.is_empty()).then(|| Failure {
            item: item_file(COUNTED_BALLOTS_FILE),
            detail: format!(
                "{}, so {what} were not checked ({} did not pass)",
                parts.join(" and "),
                BALLOTS.id
            ),
        })
    };
    let covered = format!("{verified} ballots");
    match unchecked("their proofs") {
        None => report.ran(BALLOT_PROOFS, covered, total.bad_proofs),
        Some(u) => report.ran_partly(BALLOT_PROOFS, covered, total.bad_proofs, u),
    }
    if stream_error.is_some() {
        report.skipped(
            DUPLICATE_CIPHERTEXTS,
            because(&[BALLOTS], "the counted ballots could not all be read"),
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
        ballots: count,
        per_district: total.per_district,
        sums: total.sums,
        hashes,
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
        .open_stream(COUNTED_BALLOTS_FILE)
        .map_err(|e| e.to_string())
        .and_then(|input| CountedBallotsReader::new(input).map_err(|e| e.to_string()))
    {
        Ok(r) => r,
        Err(e) => {
            return vec![Failure {
                item: item_file(COUNTED_BALLOTS_FILE),
                detail: format!("cannot read it again to compare suspected duplicates: {e}"),
            }]
        }
    };
    let mut seen: HashMap<[u8; 64], Vec<String>> = HashMap::new();
    for (hash, ballot) in reader.flatten() {
        let Ok(selections) = ballot.selections(election.context, election.shapes) else {
            continue;
        };
        for ct in selections.iter().map(|c| c.to_bytes()) {
            if ct.get(..PRINT).is_some_and(|p| suspects.contains(p)) {
                seen.entry(ct).or_default().push(hash.to_hex());
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
