//! V15: `rule-counts.bin` adds up (its decoder checks `submissions = counted + superseded +
//! test votes + cancelled + rejected` and `voters = counted + cancelled voters`), its
//! submissions are the log's leaves, and the counted ballots are what the selected ballots'
//! flags decrypt to (V13): in all (`rule-counts.bin`) and per district (`aggregates.bin`).
//! Which ballots the rules selected needs the voters' identities: `verifier audit` checks
//! that.

use ivote_protocol::package::ElectionPackage;
use ivote_protocol::record::counts::RuleCounts;
use ivote_protocol::record::log::LogFile;
use ivote_protocol::record::{check_context, RULE_COUNTS_FILE};

use super::aggregates::position_item;
use super::decryption::Decrypted;
use super::{because, COUNTS, FINAL_HEAD, PACKAGE, RULE_COUNTS};
use crate::files::RecordDir;
use crate::report::{item_file, Failure, Report};

/// Runs V15; returns the rule counts when they decode.
pub fn check(
    dir: &RecordDir,
    package: Option<&ElectionPackage>,
    log: Option<&LogFile>,
    decrypted: Option<&Decrypted>,
    counts_v13: Option<&[u64]>,
    report: &mut Report,
) -> Option<RuleCounts> {
    let bytes = match dir.read(RULE_COUNTS_FILE) {
        Ok(b) => b,
        Err(e) => {
            report.not_run(RULE_COUNTS, format!("{e} [{}]", e.code()));
            return None;
        }
    };
    let file = item_file(RULE_COUNTS_FILE);
    let (context, counts) = match RuleCounts::from_bytes(&bytes) {
        Ok(c) => c,
        Err(e) => {
            report.failed(RULE_COUNTS, file, format!("{e} [{}]", e.code()));
            return None;
        }
    };
    let (Some(package), Some(log), Some(decrypted), Some(v13)) =
        (package, log, decrypted, counts_v13)
    else {
        report.skipped(
            RULE_COUNTS,
            because(
                &[PACKAGE, FINAL_HEAD, COUNTS],
                "the package, the log and the decrypted flag sums are all needed",
            ),
        );
        return Some(counts);
    };
    let mut failures = Vec::new();
    let mut differ = |detail: String| {
        failures.push(Failure {
            item: file.clone(),
            detail,
        })
    };
    if let Err(e) = check_context(RULE_COUNTS_FILE, &context, &package.context_hash) {
        differ(format!("{e} [{}]", e.code()));
    }
    let leaves = log.leaves.len() as u64;
    if counts.submissions != leaves {
        differ(format!(
            "{} submissions; the log has {leaves} leaves",
            counts.submissions
        ));
    }
    let aggregates = &decrypted.published.aggregates;
    let flags = v13.get(aggregates.aggregates.len()..).unwrap_or_default();
    let decrypted_total: u64 = flags.iter().sum();
    if counts.counted != decrypted_total {
        differ(format!(
            "{} ballots counted; the selected ballots' flags decrypt to {decrypted_total}",
            counts.counted
        ));
    }
    for (f, counted) in aggregates.flags.iter().zip(flags) {
        let stated = aggregates.counted_ballots(&f.district);
        if stated != *counted {
            failures.push(Failure {
                item: position_item(&f.position()),
                detail: format!(
                    "aggregates.bin says the district counts {stated} ballots; its flags \
                     decrypt to {counted}"
                ),
            });
        }
    }
    report.ran(
        RULE_COUNTS,
        format!(
            "{} submissions, {} counted",
            counts.submissions, counts.counted
        ),
        failures,
    );
    Some(counts)
}
