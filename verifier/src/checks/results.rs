//! V13 (every count recomputed from its combined point: the `v` with `v·G = β − Σ λ_j·D_j`,
//! at most the district's ballots times the selection's largest value, and each district's
//! number of counted ballots from its flag sum, at most the ballots `aggregates.bin` states)
//! and V14 (`results.bin` is exactly those counts, for these aggregates, from trustees whose
//! shares verified).

use std::sync::OnceLock;

use ivote_crypto::dlog::DlogTable;
use ivote_crypto::group::g_table;
use ivote_crypto::Scalar;
use ivote_protocol::package::ElectionPackage;
use ivote_protocol::record::results::Results;
use ivote_protocol::record::{check_context, RESULTS_FILE};

use super::aggregates::position_item;
use super::decryption::Decrypted;
use super::{because, COMBINATION, COUNTS, RESULTS, RULE_COUNTS};
use crate::files::RecordDir;
use crate::report::{item_file, Failure, Report, Status, VerifiedCount};

/// The largest count searched for when a combined point is not the published count's
/// (a search costs about its square root).
const MAX_SEARCH: u64 = 1 << 40;

/// The largest count possible at each target: an aggregate's ballots times the selection's
/// largest value; a flag sum's, the district's stated ballots (V15 checks they are equal).
fn bounds(package: &ElectionPackage, decrypted: &Decrypted) -> Vec<u64> {
    let aggregates = &decrypted.published.aggregates;
    let flags = aggregates
        .flags
        .iter()
        .map(|f| aggregates.counted_ballots(&f.district).min(MAX_SEARCH));
    aggregates
        .aggregates
        .iter()
        .map(|a| {
            let hi = package
                .manifest
                .district(&a.position.district)
                .and_then(|d| {
                    d.contests
                        .iter()
                        .find(|c| c.id.as_str() == a.position.contest)
                })
                .and_then(|c| {
                    c.selection_ranges()
                        .get(a.position.selection as usize)
                        .copied()
                })
                .map_or(0, |(_, hi)| hi);
            a.ballots.saturating_mul(hi).min(MAX_SEARCH)
        })
        .chain(flags)
        .collect()
}

/// The counts V13 recomputed, named after the manifest's candidates, for the report.
fn verified_counts(
    package: &ElectionPackage,
    decrypted: &Decrypted,
    recomputed: &[Option<u64>],
) -> Vec<VerifiedCount> {
    let aggregates = &decrypted.published.aggregates;
    // The districts' counted ballots, as their flag sums decrypt.
    let counted = |district: &str| -> Option<u64> {
        let d = aggregates
            .flags
            .iter()
            .position(|f| f.district == district)?;
        recomputed
            .get(aggregates.aggregates.len() + d)
            .copied()
            .flatten()
    };
    aggregates
        .aggregates
        .iter()
        .zip(recomputed)
        .filter_map(|(a, count)| {
            let p = &a.position;
            let contest = package
                .manifest
                .district(&p.district)?
                .contests
                .iter()
                .find(|c| c.id.as_str() == p.contest)?;
            let i = p.selection as usize;
            let candidate = match contest.candidates.get(i) {
                Some(c) => c,
                None if i == contest.candidates.len() => contest.blank.as_ref()?,
                None => return None,
            };
            Some(VerifiedCount {
                district: p.district.clone(),
                contest: p.contest.clone(),
                selection: p.selection,
                candidate: candidate.id.as_str().to_owned(),
                ballots: counted(&p.district)?,
                count: (*count)?,
            })
        })
        .collect()
}

/// Runs V13 and V14; returns V13's counts (every target's: the aggregates, then the flag
/// sums) when it recovered all of them.
pub fn check(
    dir: &RecordDir,
    package: Option<&ElectionPackage>,
    decrypted: Option<&Decrypted>,
    report: &mut Report,
) -> Option<Vec<u64>> {
    let results = dir.read(RESULTS_FILE).map(|b| Results::from_bytes(&b));
    let (Some(package), Some(decrypted)) = (package, decrypted) else {
        let reason = because(&[COMBINATION], "there are no combined points");
        report.skipped(COUNTS, reason.clone());
        report.skipped(RESULTS, reason);
        return None;
    };
    let claimed: Option<&Vec<u64>> = match &results {
        Ok(Ok(r)) => Some(&r.counts),
        _ => None,
    };
    let bounds = bounds(package, decrypted);
    let table: OnceLock<DlogTable> = OnceLock::new();
    let max = bounds.iter().copied().max().unwrap_or(0);
    let targets = decrypted.published.aggregates.targets();
    let mut recomputed = Vec::with_capacity(targets.len());
    let mut failures = Vec::new();
    for (i, (m, (position, _))) in decrypted.combined.iter().zip(&targets).enumerate() {
        let bound = bounds.get(i).copied().unwrap_or(0);
        let fast = claimed
            .and_then(|c| c.get(i))
            .filter(|&&v| v <= bound && &Scalar::from(v) * g_table() == *m);
        let v = match fast {
            Some(&v) => Some(v),
            None => table
                .get_or_init(|| DlogTable::new(max))
                .solve(m)
                .ok()
                .filter(|&v| v <= bound),
        };
        match v {
            Some(v) => recomputed.push(Some(v)),
            None => {
                recomputed.push(None);
                failures.push(Failure {
                    item: position_item(position),
                    detail: format!(
                        "the combined point is not v·G for any count v from 0 to {bound} \
                         ({} ballots stated)",
                        decrypted
                            .published
                            .aggregates
                            .counted_ballots(&position.district)
                    ),
                });
            }
        }
    }
    // The counts are vouched for only when everything they rest on verified: every check
    // of the record but V13 itself, V14 and V15 (the seal, the package, the ceremony, the
    // log, the ballots, their proofs and selections, the sums, the decryption), whatever
    // order the report lists them in. V14 and V15 may still fail: the officials' results.bin
    // is then wrong, and these are the counts it should have held.
    let chain_verified = report
        .checks
        .iter()
        .filter(|c| ![COUNTS.id, RESULTS.id, RULE_COUNTS.id].contains(&c.id))
        .filter(|c| c.id.starts_with('V'))
        .all(|c| c.status == Status::Passed);
    if failures.is_empty() && chain_verified {
        report.counts = verified_counts(package, decrypted, &recomputed);
    }
    report.ran(COUNTS, format!("{} counts", recomputed.len()), failures);
    let counts: Option<Vec<u64>> = recomputed.iter().copied().collect();
    check_results(package, decrypted, results, &recomputed, report);
    counts
}

/// V14.
fn check_results(
    package: &ElectionPackage,
    decrypted: &Decrypted,
    results: Result<Result<Results, ivote_protocol::record::RecordError>, crate::files::ReadError>,
    recomputed: &[Option<u64>],
    report: &mut Report,
) {
    let targets = decrypted.published.aggregates.targets();

    let results = match results {
        Err(e) => {
            report.not_run(RESULTS, format!("{e} [{}]", e.code()));
            return;
        }
        Ok(Err(e)) => {
            report.failed(
                RESULTS,
                item_file(RESULTS_FILE),
                format!("{e} [{}]", e.code()),
            );
            return;
        }
        Ok(Ok(r)) => r,
    };
    let file = item_file(RESULTS_FILE);
    let mut failures = Vec::new();
    if let Err(e) = check_context(RESULTS_FILE, &results.context, &package.context_hash) {
        failures.push(Failure {
            item: file.clone(),
            detail: format!("{e} [{}]", e.code()),
        });
    }
    if results.aggregates_hash != decrypted.published.sha256 {
        failures.push(Failure {
            item: file.clone(),
            detail: "it is the result of another aggregates.bin (its aggregates hash differs)"
                .into(),
        });
    }
    let t = package.ceremony.params().t() as usize;
    let unverified: Vec<u32> = results
        .trustees
        .iter()
        .copied()
        .filter(|j| !decrypted.valid_trustees.contains(j))
        .collect();
    if results.trustees.len() < t || !unverified.is_empty() {
        failures.push(Failure {
            item: file.clone(),
            detail: format!(
                "it names trustees {:?} as combined; the threshold is {t} and the trustees \
                 whose shares verified are {:?}",
                results.trustees, decrypted.valid_trustees
            ),
        });
    }
    if results.counts.len() != targets.len() {
        failures.push(Failure {
            item: file.clone(),
            detail: format!(
                "{} counts for {} sums (aggregates and flag sums)",
                results.counts.len(),
                targets.len()
            ),
        });
    }
    for ((published, expected), (position, _)) in
        results.counts.iter().zip(recomputed).zip(&targets)
    {
        let differs = expected.is_none_or(|v| v != *published);
        if differs {
            failures.push(Failure {
                item: position_item(position),
                detail: match expected {
                    Some(v) => format!("{RESULTS_FILE} says {published}, the decryption gives {v}"),
                    None => format!(
                        "{RESULTS_FILE} says {published}, the decryption gives no valid count \
                         (V13)"
                    ),
                },
            });
        }
    }
    report.ran(
        RESULTS,
        format!("{} counts", results.counts.len()),
        failures,
    );
}
