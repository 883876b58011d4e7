//! A02 (the voter roll the auditor was given is the package's: its SHA-256 is the package's
//! `roll.sha256`, and it parses for the manifest) and A03 (the paper cancellation list of the
//! bundle: the `id_code` header, then codes each on the roll, each once), and the bundle's
//! `flag-openings.bin` for A11.
//!
//! The paper list's format and parser are `ivote_protocol::roll::paper_list`, the one
//! `tally import` uses (`docs/tally.md`).

use std::collections::BTreeSet;

use ivote_protocol::package::ElectionPackage;
use ivote_protocol::record::flag_openings::FlagOpenings;
use ivote_protocol::record::{check_context, FLAG_OPENINGS_FILE, PAPER_VOTES_FILE};
use ivote_protocol::roll::{parse_paper_list, PackageRollError};
use ivote_protocol::{Country, VoterRoll};

use super::{PAPER_LIST, ROLL};
use crate::checks::{because, PACKAGE};
use crate::files::RecordDir;
use crate::report::{item_file, Failure, Report};

/// Runs A02; returns the roll when it is the package's and parses.
pub fn roll(
    package: Option<&ElectionPackage>,
    roll_file: &[u8],
    roll_name: &str,
    country: Country,
    report: &mut Report,
) -> Option<VoterRoll> {
    let Some(package) = package else {
        report.skipped(
            ROLL,
            because(&[PACKAGE], "the roll is checked against the package"),
        );
        return None;
    };
    let item = item_file(roll_name);
    match package.voter_roll(roll_file, country) {
        Ok(roll) => {
            report.ran(ROLL, format!("{} voters", roll.len()), vec![]);
            Some(roll)
        }
        Err(PackageRollError::NotPublished { expected, actual }) => {
            report.failed(
                ROLL,
                item,
                format!(
                    "its SHA-256 is {actual}, the package's roll.sha256 says {expected}: it is \
                     not the roll the election was run with; use the roll file published with \
                     the package"
                ),
            );
            None
        }
        Err(PackageRollError::Invalid(errors)) => {
            let failures = errors
                .0
                .iter()
                .map(|e| Failure {
                    item: item.clone(),
                    detail: format!("{e} [{}] (is --country right?)", e.code.code()),
                })
                .collect();
            report.ran(ROLL, "", failures);
            None
        }
    }
}

/// Runs A03; returns the voter ids (`PNOEE-…`) on the paper list (none when the bundle has
/// no list).
pub fn paper_list(
    bundle: &RecordDir,
    roll: Option<&VoterRoll>,
    report: &mut Report,
) -> Option<BTreeSet<String>> {
    if !bundle.exists(PAPER_VOTES_FILE) {
        report.ran(
            PAPER_LIST,
            format!("no {PAPER_VOTES_FILE} in the bundle: nobody voted on paper"),
            vec![],
        );
        return Some(BTreeSet::new());
    }
    let Some(roll) = roll else {
        report.skipped(
            PAPER_LIST,
            because(&[ROLL], "the paper list's codes are looked up in the roll"),
        );
        return None;
    };
    let bytes = match bundle.read(PAPER_VOTES_FILE) {
        Ok(b) => b,
        Err(e) => {
            report.not_run(PAPER_LIST, format!("{e} [{}]", e.code()));
            return None;
        }
    };
    match parse_paper_list(&bytes, roll) {
        Ok(ids) => {
            report.ran(PAPER_LIST, format!("{} id codes", ids.len()), vec![]);
            Some(ids)
        }
        Err(problems) => {
            let failures = problems
                .into_iter()
                .map(|detail| Failure {
                    item: item_file(PAPER_VOTES_FILE),
                    detail,
                })
                .collect();
            report.ran(PAPER_LIST, "", failures);
            None
        }
    }
}

/// Why `flag-openings.bin` cannot be used: A11 is then not run (the file cannot be read) or
/// failed (it is not a well-formed file for this election).
#[derive(Debug)]
pub enum OpeningsProblem {
    /// The file cannot be read: the reason.
    Unreadable(String),
    /// The file is malformed or another election's: the failure.
    Malformed(Failure),
}

/// Reads the bundle's `flag-openings.bin` for A11.
pub fn flag_openings(
    bundle: &RecordDir,
    package: Option<&ElectionPackage>,
) -> Result<FlagOpenings, OpeningsProblem> {
    let bytes = bundle
        .read(FLAG_OPENINGS_FILE)
        .map_err(|e| OpeningsProblem::Unreadable(format!("{e} [{}]", e.code())))?;
    let malformed = |e: ivote_protocol::record::RecordError| {
        OpeningsProblem::Malformed(Failure {
            item: item_file(FLAG_OPENINGS_FILE),
            detail: format!("{e} [{}]", e.code()),
        })
    };
    let openings = FlagOpenings::from_bytes(&bytes).map_err(malformed)?;
    if let Some(p) = package {
        check_context(FLAG_OPENINGS_FILE, &openings.context, &p.context_hash).map_err(malformed)?;
    }
    Ok(openings)
}
