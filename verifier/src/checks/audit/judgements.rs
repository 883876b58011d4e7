//! A05 (`decisions.bin` is well-formed: it decodes, is for this election, has one entry per
//! leaf of the log, and every reason is a code of the count's checks) and A07–A09: each
//! submission's checks, recomputed by [`super::submissions`], against what `decisions.bin`
//! says of it. A leaf the count called invalid must be invalid for that reason (the first
//! check that refuses it, in the acceptance check's order: `ivote_protocol::acceptance`); a
//! leaf the count called anything else (counted, superseded, cancelled, test vote) must pass
//! every check. A disagreement is
//! reported in the check of the reason involved: A07 eligibility at receive time, A08 the
//! e-ID signature, A09 the ballot and its proofs.

use ivote_protocol::record::counts::{Decisions, LeafDecision};
use ivote_protocol::record::log::LogFile;
use ivote_protocol::record::{check_context, DECISIONS_FILE};

use super::submissions::{BoxPass, Judgement};
use super::{BALLOT_CHECKS, DECISIONS, ELIGIBILITY, SIGNATURES};
use crate::checks::because;
use crate::checks::FINAL_HEAD;
use crate::files::RecordDir;
use crate::report::{item_file, Check, Failure, Report};

/// The reason code of a ballot for another district than the voter's.
const WRONG_DISTRICT: &str = "voter.wrong_district";

/// The check a reason code belongs to; `None` for a code no check of the count gives.
pub fn check_of(code: &str) -> Option<Check> {
    match code {
        "eid.bad_signature" | "eid.signature_encoding" => Some(SIGNATURES),
        WRONG_DISTRICT => Some(ELIGIBILITY),
        c if c.starts_with("eid.") => Some(ELIGIBILITY),
        c if c.starts_with("ballot.") => Some(BALLOT_CHECKS),
        _ => None,
    }
}

/// Runs A05; returns the decisions when they are usable.
pub fn decisions(
    bundle: &RecordDir,
    log: Option<&LogFile>,
    report: &mut Report,
) -> Option<Decisions> {
    let bytes = match bundle.read(DECISIONS_FILE) {
        Ok(b) => b,
        Err(e) => {
            report.not_run(DECISIONS, format!("{e} [{}]", e.code()));
            return None;
        }
    };
    let item = item_file(DECISIONS_FILE);
    let decisions = match Decisions::from_bytes(&bytes) {
        Ok(d) => d,
        Err(e) => {
            report.failed(DECISIONS, item, format!("{e} [{}]", e.code()));
            return None;
        }
    };
    let Some(log) = log else {
        report.skipped(
            DECISIONS,
            because(
                &[FINAL_HEAD],
                "the decisions are matched with log.bin's leaves",
            ),
        );
        return None;
    };
    let mut failures = Vec::new();
    if let Err(e) = check_context(DECISIONS_FILE, &decisions.context, &log.context) {
        failures.push(Failure {
            item: item.clone(),
            detail: format!("{e} [{}]", e.code()),
        });
    }
    if decisions.outcomes.len() != log.leaves.len() {
        failures.push(Failure {
            item: item.clone(),
            detail: format!(
                "{} entries; log.bin has {} leaves",
                decisions.outcomes.len(),
                log.leaves.len()
            ),
        });
    }
    for (i, o) in decisions.outcomes.iter().enumerate() {
        if let LeafDecision::Invalid(code) = o {
            if check_of(code).is_none() {
                failures.push(Failure {
                    item: format!("leaf {i}"),
                    detail: format!("the reason [{code}] is not a code of the count's checks"),
                });
            }
        }
    }
    let ok = failures.is_empty();
    report.ran(
        DECISIONS,
        format!("{} leaves", decisions.outcomes.len()),
        failures,
    );
    ok.then_some(decisions)
}

/// Runs A07, A08 and A09: every recomputed judgement against its decision.
pub fn compare(pass: &BoxPass, decisions: &Decisions, report: &mut Report) {
    let mut per_check: [(Check, Vec<Failure>); 3] = [
        (ELIGIBILITY, Vec::new()),
        (SIGNATURES, Vec::new()),
        (BALLOT_CHECKS, Vec::new()),
    ];
    let mut compared = 0u64;
    for (i, (leaf, decision)) in pass.leaves.iter().zip(&decisions.outcomes).enumerate() {
        let voter = pass
            .voters
            .get(leaf.voter as usize)
            .map(String::as_str)
            .unwrap_or("?");
        let disagreement = match (&leaf.judgement, decision) {
            (Judgement::Tampered, _) => continue,
            (Judgement::Valid, LeafDecision::Invalid(code)) => Some((
                code.as_str(),
                format!(
                    "decisions.bin says invalid [{code}], but every check of the submission passes"
                ),
            )),
            (Judgement::Invalid(r), LeafDecision::Invalid(code)) if r.code() != code => Some((
                r.code(),
                format!(
                    "decisions.bin says invalid [{code}], but the first check that refuses it \
                     gives: {r} [{}]",
                    r.code()
                ),
            )),
            (Judgement::Invalid(r), o) if !matches!(o, LeafDecision::Invalid(_)) => Some((
                r.code(),
                format!(
                    "decisions.bin says {}, but the submission is invalid: {r} [{}]",
                    o.describe(),
                    r.code()
                ),
            )),
            _ => None,
        };
        compared += 1;
        if let Some((code, detail)) = disagreement {
            let check = check_of(code).unwrap_or(ELIGIBILITY);
            if let Some((_, failures)) = per_check.iter_mut().find(|(c, _)| *c == check) {
                failures.push(Failure {
                    item: format!("leaf {i} (voter {voter})"),
                    detail,
                });
            }
        }
    }
    for (check, failures) in per_check {
        report.ran(check, format!("{compared} submissions"), failures);
    }
}
