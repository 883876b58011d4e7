//! V15: `rule-counts.bin` adds up (its decoder checks `submissions = counted + superseded +
//! test votes + cancelled + rejected` and `voters = counted + cancelled voters`), its
//! submissions are the log's leaves and its counted ballots are the ballots in
//! `counted-ballots.bin`. What each rule decided for each leaf needs the voters' identities:
//! `verifier audit` checks that.

use ivote_protocol::package::ElectionPackage;
use ivote_protocol::record::counts::RuleCounts;
use ivote_protocol::record::log::LogFile;
use ivote_protocol::record::{check_context, RULE_COUNTS_FILE};

use super::ballots::Tallied;
use super::{because, BALLOTS, FINAL_HEAD, PACKAGE, RULE_COUNTS};
use crate::files::RecordDir;
use crate::report::{item_file, Failure, Report};

/// Runs V15; returns the rule counts when they decode.
pub fn check(
    dir: &RecordDir,
    package: Option<&ElectionPackage>,
    log: Option<&LogFile>,
    tallied: Option<&Tallied>,
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
    let (Some(package), Some(log), Some(tallied)) = (package, log, tallied) else {
        report.skipped(
            RULE_COUNTS,
            because(
                &[PACKAGE, FINAL_HEAD, BALLOTS],
                "the package, the log and the counted ballots are all needed",
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
    if counts.counted != tallied.ballots {
        differ(format!(
            "{} ballots counted; counted-ballots.bin has {}",
            counts.counted, tallied.ballots
        ));
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
