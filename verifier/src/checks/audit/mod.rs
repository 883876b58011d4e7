//! `verifier audit`: for the auditors the law names, who also hold the auditors' bundle (the
//! exported ballot box, every leaf's decision, the paper list) and the voter roll. Besides
//! every check of `verifier check`, it re-checks every submission and re-applies the counting
//! rules, and checks that the counted ballots are exactly the ones the rules select
//! (`docs/verification.md`, checks `A01`..`A17`), and that the collector's log as a whole is
//! an honest one: times, the window's end, no ballot or nonce twice, each voter's sequence
//! numbers ([`log_order`]).

pub mod inputs;
pub mod judgements;
pub mod log_order;
pub mod rules;
pub mod submissions;

use std::collections::BTreeSet;

use ivote_eid::TrustError;
use ivote_protocol::acceptance::{LoadError, LoadedElection, LoadedPackage};
use ivote_protocol::ballot_box::BALLOT_BOX_FILE;
use ivote_protocol::package::{ElectionPackage, CRL_FILE, MANIFEST_FILE, TRUST_ANCHORS_FILE};
use ivote_protocol::record::counts::Decisions;
use ivote_protocol::record::flag_openings::FlagOpenings;
use ivote_protocol::record::log::LogFile;
use ivote_protocol::record::seal::KIND_AUDITORS;
use ivote_protocol::record::PACKAGE_DIR;
use ivote_protocol::{Country, VoterRoll};
use rand::{CryptoRng, RngCore};

use self::submissions::{BoxPass, Judge};
use super::{
    because, run_record_checks, seal, Options, RecordChecked, BALLOTS, BALLOT_PROOFS, CATALOGUE,
    FINAL_HEAD, PACKAGE, RULE_COUNTS,
};
use crate::files::RecordDir;
use crate::report::{item_file, Check, Report};

/// A01.
pub const BUNDLE_SEAL: Check = Check {
    id: "A01",
    name: "auditors' bundle seal: the officials' signature and every file's SHA-256",
};
/// A02.
pub const ROLL: Check = Check {
    id: "A02",
    name: "voter roll: the package's roll.sha256, well-formed",
};
/// A03.
pub const PAPER_LIST: Check = Check {
    id: "A03",
    name: "paper cancellation list: every code on the roll, once",
};
/// A04.
pub const BOX_IS_LOG: Check = Check {
    id: "A04",
    name: "ballot box: the log of the record (final head, every leaf recomputed)",
};
/// A05.
pub const DECISIONS: Check = Check {
    id: "A05",
    name: "decisions: one well-formed decision per leaf",
};
/// A06.
pub const SUBMISSIONS_LOGGED: Check = Check {
    id: "A06",
    name: "submissions: each is what the collector logged",
};
/// A07.
pub const ELIGIBILITY: Check = Check {
    id: "A07",
    name: "submissions: in the window, certificate valid and unrevoked, voter on the roll and in the ballot's district",
};
/// A08.
pub const SIGNATURES: Check = Check {
    id: "A08",
    name: "submissions: every e-ID signature over the vote message",
};
/// A09.
pub const BALLOT_CHECKS: Check = Check {
    id: "A09",
    name: "submissions: every ballot for this election, with valid proofs",
};
/// A10.
pub const RULES: Check = Check {
    id: "A10",
    name: "counting rules recomputed: test votes, the last vote counts, paper cancels",
};
/// A11.
pub const COUNTED_EXACTLY: Check = Check {
    id: "A11",
    name: "counted ballots: every flag opening opens its flag, and the flags that say \
           \"counted\" are exactly the ballots the rules select",
};
/// A12.
pub const RULE_COUNTS_RECOMPUTED: Check = Check {
    id: "A12",
    name: "rule counts recomputed from the decisions and the paper list",
};

/// A13.
pub const TIMES_IN_ORDER: Check = Check {
    id: "A13",
    name: "log: receive times never decrease along the log",
};
/// A14.
pub const IN_WINDOW: Check = Check {
    id: "A14",
    name: "log: no submission received after the window closed",
};
/// A15.
pub const BALLOT_ONCE: Check = Check {
    id: "A15",
    name: "log: no ballot hash twice",
};
/// A16.
pub const NONCE_ONCE: Check = Check {
    id: "A16",
    name: "log: no challenge nonce twice",
};
/// A17.
pub const VOTER_SEQUENCE: Check = Check {
    id: "A17",
    name: "log: each voter's sequence numbers 1, 2, 3, ... in log order",
};

/// The checks `verifier audit` adds to those of `verifier check`, in order.
pub const AUDIT_CHECKS: &[Check] = &[
    BUNDLE_SEAL,
    ROLL,
    PAPER_LIST,
    BOX_IS_LOG,
    DECISIONS,
    SUBMISSIONS_LOGGED,
    ELIGIBILITY,
    SIGNATURES,
    BALLOT_CHECKS,
    RULES,
    COUNTED_EXACTLY,
    RULE_COUNTS_RECOMPUTED,
    TIMES_IN_ORDER,
    IN_WINDOW,
    BALLOT_ONCE,
    NONCE_ONCE,
    VOTER_SEQUENCE,
];

/// What the auditor brings besides the record and the bundle.
#[derive(Clone, Copy, Debug)]
pub struct AuditInputs<'a> {
    /// The voter roll file's bytes (the package holds only its SHA-256).
    pub roll: &'a [u8],
    /// Its name, for the report.
    pub roll_name: &'a str,
    /// The country of the roll's personal codes.
    pub country: Country,
}

fn skip_all(report: &mut Report, checks: &[Check], on: &[Check], why: &str) {
    for c in checks {
        report.skipped(*c, because(on, why));
    }
}

/// The checks that judge the ballot box's submissions.
const JUDGED: [Check; 5] = [
    BOX_IS_LOG,
    SUBMISSIONS_LOGGED,
    ELIGIBILITY,
    SIGNATURES,
    BALLOT_CHECKS,
];
/// The checks that build on the judged submissions.
const AFTER: [Check; 3] = [RULES, COUNTED_EXACTLY, RULE_COUNTS_RECOMPUTED];
/// The checks of the log as a whole (they need the box, not the decisions), in order.
const LOG_WHOLE: [Check; 5] = [
    TIMES_IN_ORDER,
    IN_WINDOW,
    BALLOT_ONCE,
    NONCE_ONCE,
    VOTER_SEQUENCE,
];

/// Runs every check of `verifier check` on `record`, then A01..A17 with the auditors'
/// `bundle`: the bundle's files, then the election loaded for the acceptance check, then one
/// pass over the ballot box (and the log as a whole), then the decisions and the rules.
pub fn audit_record<R: RngCore + CryptoRng>(
    record: &RecordDir,
    bundle: &RecordDir,
    inputs: &AuditInputs<'_>,
    options: &Options,
    rng: &mut R,
) -> Report {
    let catalogue = [CATALOGUE, AUDIT_CHECKS].concat();
    let mut report = Report::new("audit", &catalogue);
    let rec = run_record_checks(record, options, true, rng, &mut report);
    let files = read_bundle(&rec, bundle, inputs, &mut report);
    let (Some(package), Some(log), Some(roll)) =
        (rec.package.as_ref(), rec.log.as_ref(), files.roll)
    else {
        skip_all(
            &mut report,
            &[&JUDGED[..], &AFTER[..], &LOG_WHOLE[..]].concat(),
            &[PACKAGE, FINAL_HEAD, ROLL],
            "the submissions are checked against the package, the log and the roll",
        );
        return report;
    };
    let Some(election) = load_election(package, roll, &mut report) else {
        return report;
    };
    let Some(pass) = judge_box(&rec, bundle, &election, log, options, rng, &mut report) else {
        return report;
    };
    let Some(decisions) = files.decisions else {
        skip_all(
            &mut report,
            &[&JUDGED[2..], &AFTER[..]].concat(),
            &[DECISIONS],
            "the submissions are compared with decisions.bin",
        );
        return report;
    };
    check_decisions(
        &rec,
        &election,
        &pass,
        &decisions,
        files.paper.as_ref(),
        files.openings,
        &mut report,
    );
    report
}

/// What the bundle's own checks (A01, A02, A03, A05) give the later ones.
struct BundleFiles {
    roll: Option<VoterRoll>,
    paper: Option<BTreeSet<String>>,
    decisions: Option<Decisions>,
    openings: Result<FlagOpenings, inputs::OpeningsProblem>,
}

/// A01 (the bundle's seal), A02 (the roll), A03 (the paper list), A05 (the decisions).
fn read_bundle(
    rec: &RecordChecked,
    bundle: &RecordDir,
    inputs: &AuditInputs<'_>,
    report: &mut Report,
) -> BundleFiles {
    let package = rec.package.as_ref();
    seal::check(
        bundle,
        rec.officials_key.as_ref(),
        package.map(|p| &p.context_hash),
        KIND_AUDITORS,
        BUNDLE_SEAL,
        report,
    );
    let roll = inputs::roll(
        package,
        inputs.roll,
        inputs.roll_name,
        inputs.country,
        report,
    );
    let paper = inputs::paper_list(bundle, roll.as_ref(), report);
    let decisions = judgements::decisions(bundle, rec.log.as_ref(), report);
    let openings = inputs::flag_openings(bundle, package);
    BundleFiles {
        roll,
        paper,
        decisions,
        openings,
    }
}

/// The election the submissions are checked against; when the package's trust anchors, CRL
/// or contests do not load, A07 fails and the rest is skipped.
fn load_election(
    package: &ElectionPackage,
    roll: VoterRoll,
    report: &mut Report,
) -> Option<LoadedElection> {
    let loaded = LoadedPackage::new(package).map_err(|e| {
        let file = match &e {
            LoadError::Trust(TrustError::Crl(_)) => CRL_FILE,
            LoadError::Trust(_) => TRUST_ANCHORS_FILE,
            _ => MANIFEST_FILE,
        };
        let detail = match &e {
            LoadError::Trust(t) => format!("{} [{}]", t.eid(), e.code()),
            LoadError::Shapes(b) => format!("{b} [{}]", e.code()),
            other => format!("{other} [{}]", e.code()),
        };
        (item_file(&format!("{PACKAGE_DIR}/{file}")), detail)
    });
    match loaded {
        Ok(loaded) => Some(LoadedElection::with_roll(loaded, roll)),
        Err((item, detail)) => {
            report.failed(ELIGIBILITY, item, detail);
            skip_all(
                report,
                &[BOX_IS_LOG, SUBMISSIONS_LOGGED, SIGNATURES, BALLOT_CHECKS],
                &[ELIGIBILITY],
                "the package's trust anchors, CRL and contests are needed",
            );
            skip_all(
                report,
                &[&AFTER[..], &LOG_WHOLE[..]].concat(),
                &[ELIGIBILITY],
                "the submissions could not be judged",
            );
            None
        }
    }
}

/// A04, A06 and A13..A17: one pass over the ballot box, judging every submission. `None`
/// (with the later checks skipped) when the box cannot be read or is not the record's log.
fn judge_box<R: RngCore + CryptoRng>(
    rec: &RecordChecked,
    bundle: &RecordDir,
    election: &LoadedElection,
    log: &LogFile,
    options: &Options,
    rng: &mut R,
    report: &mut Report,
) -> Option<BoxPass> {
    // When every valid ballot's proofs verified (V08), the same ballots in the box need not
    // be verified again.
    let proven: Vec<_> = match rec.tallied.as_ref() {
        Some(t) if report.passed(BALLOT_PROOFS) => t.selected.iter().map(|(h, _)| *h).collect(),
        _ => Vec::new(),
    };
    let judge = Judge::new(election, &proven);
    let input = match bundle.open_stream(BALLOT_BOX_FILE) {
        Ok(i) => i,
        Err(e) => {
            report.not_run(BOX_IS_LOG, format!("{e} [{}]", e.code()));
            skip_all(
                report,
                &[&JUDGED[1..], &AFTER[..], &LOG_WHOLE[..]].concat(),
                &[BOX_IS_LOG],
                "the ballot box cannot be read",
            );
            return None;
        }
    };
    let mut pass = submissions::pass(input, log, &judge, options, rng);
    let box_ok = pass.log_failures.is_empty();
    let covered = format!("{} submissions", pass.leaves.len());
    report.ran(
        BOX_IS_LOG,
        covered.clone(),
        std::mem::take(&mut pass.log_failures),
    );
    report.ran(
        SUBMISSIONS_LOGGED,
        covered,
        std::mem::take(&mut pass.tamper_failures),
    );
    if !box_ok {
        skip_all(
            report,
            &[&JUDGED[2..], &AFTER[..], &LOG_WHOLE[..]].concat(),
            &[BOX_IS_LOG],
            "the ballot box is not the log the record describes",
        );
        return None;
    }
    match pass.order.take() {
        Some(order) => order.report(report),
        None => skip_all(report, &LOG_WHOLE, &[BOX_IS_LOG], "the box was not read"),
    }
    Some(pass)
}

/// A07..A09 (each judgement against its decision), then A10..A12 (the rules recomputed, the
/// counted ballots, the rule counts).
fn check_decisions(
    rec: &RecordChecked,
    election: &LoadedElection,
    pass: &BoxPass,
    decisions: &Decisions,
    paper: Option<&BTreeSet<String>>,
    openings: Result<FlagOpenings, inputs::OpeningsProblem>,
    report: &mut Report,
) {
    judgements::compare(pass, decisions, report);
    match paper {
        Some(paper) => {
            let expected = rules::apply(pass, decisions, paper, election.starts);
            rules::check_rules(pass, decisions, &expected, report);
        }
        None => report.skipped(RULES, because(&[PAPER_LIST], "the paper list is needed")),
    }
    match (rec.tallied.as_ref(), openings) {
        (_, Err(inputs::OpeningsProblem::Unreadable(why))) => report.not_run(COUNTED_EXACTLY, why),
        (_, Err(inputs::OpeningsProblem::Malformed(f))) => report.ran(COUNTED_EXACTLY, "", vec![f]),
        (Some(t), Ok(openings)) => rules::check_counted(
            pass,
            decisions,
            &openings,
            &t.selected,
            &election.package.joint_key,
            report,
        ),
        (None, Ok(_)) => report.skipped(
            COUNTED_EXACTLY,
            because(&[BALLOTS], "the ballots could not all be read"),
        ),
    }
    match (paper, rec.rule_counts.as_ref()) {
        (Some(paper), Some(recorded)) => {
            let recomputed = rules::totals(pass, decisions, paper);
            rules::check_counts(recorded, &recomputed, report);
        }
        _ => report.skipped(
            RULE_COUNTS_RECOMPUTED,
            because(
                &[PAPER_LIST, RULE_COUNTS],
                "the paper list and rule-counts.bin are needed",
            ),
        ),
    }
}
