//! The checks of `docs/verification.md`, one module per group, and the order they run in.
//!
//! Every check records its outcome in the [`Report`]; a check that needs what an earlier one
//! established (the loaded package, the decoded log, the recomputed sums) gets it as an
//! `Option` and reports itself skipped, with the reason, when it is missing: nothing ever
//! passes silently.

pub mod aggregates;
pub mod audit;
pub mod ballots;
pub mod binding;
pub mod counts;
pub mod decryption;
pub mod log;
pub mod package;
pub mod results;
pub mod seal;

use ed25519_dalek::VerifyingKey;
use indicatif::{ProgressBar, ProgressStyle};
use ivote_protocol::package::ElectionPackage;
use ivote_protocol::record::counts::RuleCounts;
use ivote_protocol::record::log::LogFile;
use rand::{CryptoRng, RngCore};

use self::ballots::Tallied;

use crate::files::RecordDir;
use crate::report::{Check, Report};

/// V01.
pub const SEAL: Check = Check {
    id: "V01",
    name: "record seal: the officials' signature and every file's SHA-256",
};
/// V02.
pub const PACKAGE_SIGNATURE: Check = Check {
    id: "V02",
    name: "election package: the officials' signature",
};
/// V03.
pub const PACKAGE: Check = Check {
    id: "V03",
    name: "election package: files, manifest and context hash recomputed",
};
/// V04.
pub const CEREMONY: Check = Check {
    id: "V04",
    name: "key ceremony: every trustee's signature, every proof, the joint key and verification \
           keys recomputed",
};
/// V05.
pub const FINAL_HEAD: Check = Check {
    id: "V05",
    name: "log: the collector's signatures on its final head",
};
/// V06.
pub const LOG_ROOT: Check = Check {
    id: "V06",
    name: "log: the final root recomputed from the leaf hashes",
};
/// V07.
pub const BALLOTS: Check = Check {
    id: "V07",
    name: "ballots: well-formed, for this election, each once, each valid one with a selected \
           ballot of its shape",
};
/// V08.
pub const BALLOT_PROOFS: Check = Check {
    id: "V08",
    name: "ballots: every validity proof against the context; those published as invalid are",
};
/// V09.
pub const DUPLICATE_CIPHERTEXTS: Check = Check {
    id: "V09",
    name: "ballots: no ciphertext twice",
};
/// V17.
pub const LOG_BALLOTS: Check = Check {
    id: "V17",
    name: "ballots: exactly the ballots of the log's leaves, one each",
};
/// V18.
pub const SELECTION_PROOFS: Check = Check {
    id: "V18",
    name: "selected ballots: every selection proof (the ballot re-encrypted and a flag of 1, \
           or zeros and a flag of 0)",
};
/// V10.
pub const AGGREGATES: Check = Check {
    id: "V10",
    name: "aggregates recomputed from the selected ballots and their flags",
};
/// V11.
pub const DECRYPTION_SHARES: Check = Check {
    id: "V11",
    name: "decryption shares: every DLEQ proof against the trustee's verification key",
};
/// V12.
pub const COMBINATION: Check = Check {
    id: "V12",
    name: "decryption: Lagrange combination of at least t trustees' shares",
};
/// V13.
pub const COUNTS: Check = Check {
    id: "V13",
    name: "counts recomputed from the combined points",
};
/// V14.
pub const RESULTS: Check = Check {
    id: "V14",
    name: "results.bin equal to the recomputed counts",
};
/// V15.
pub const RULE_COUNTS: Check = Check {
    id: "V15",
    name: "rule counts consistent with the log and the decrypted flags",
};
/// V16 (it runs with V05 and V06, and is listed after V15 so that ids stay in order).
pub const LOG_ORDER: Check = Check {
    id: "V16",
    name: "log: receive times in order, none after the close, no ballot twice",
};

/// Every check of `verifier check`, in order.
pub const CATALOGUE: &[Check] = &[
    SEAL,
    PACKAGE_SIGNATURE,
    PACKAGE,
    CEREMONY,
    FINAL_HEAD,
    LOG_ROOT,
    BALLOTS,
    BALLOT_PROOFS,
    DUPLICATE_CIPHERTEXTS,
    AGGREGATES,
    DECRYPTION_SHARES,
    COMBINATION,
    COUNTS,
    RESULTS,
    RULE_COUNTS,
    LOG_ORDER,
    LOG_BALLOTS,
    SELECTION_PROOFS,
];

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The officials' public key, obtained out of band. Without it the record's own
    /// `officials-key.hex` is used, and the report says so.
    pub officials_key: Option<VerifyingKey>,
    /// Show a progress bar on the terminal for the long checks.
    pub progress: bool,
}

/// A progress bar on the terminal for a long check (hidden unless `options.progress`).
pub(crate) fn progress_bar(
    options: &Options,
    total: u64,
    message: &'static str,
    unit: &str,
) -> ProgressBar {
    if !options.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{msg}} [{{elapsed_precise}}] {{wide_bar}} {{pos}}/{{len}} {unit}, ETA {{eta}}"
    )) {
        bar.set_style(style);
    }
    bar.set_message(message);
    bar
}

/// Why a skipped check was skipped.
pub(crate) fn because(checks: &[Check], what: &str) -> String {
    let ids: Vec<&str> = checks.iter().map(|c| c.id).collect();
    format!("{what} ({} did not pass)", ids.join(", "))
}

/// The officials' key: the one given, or the record's `officials-key.hex` (with a note).
pub(crate) fn officials_key(
    dir: &RecordDir,
    options: &Options,
    report: &mut Report,
) -> Option<VerifyingKey> {
    use ivote_protocol::record::OFFICIALS_KEY_FILE;
    if let Some(k) = options.officials_key {
        report.officials_key_pinned = true;
        report.notes.push(format!(
            "the officials' key given on the command line: {}",
            hex::encode(k.as_bytes())
        ));
        return Some(k);
    }
    let key = dir
        .read(OFFICIALS_KEY_FILE)
        .ok()
        .and_then(|b| parse_key_hex(&b));
    match key {
        Some(k) => report.notes.push(format!(
            "the officials' key was taken from the record's {OFFICIALS_KEY_FILE} ({}): compare \
             it with the key the officials published elsewhere, or pass it with \
             --officials-key, or this record only proves it is consistent with itself",
            hex::encode(k.as_bytes())
        )),
        None => report.notes.push(format!(
            "no usable officials' key: {OFFICIALS_KEY_FILE} is missing or not 64 hex digits, \
             and none was given with --officials-key"
        )),
    }
    key
}

/// An Ed25519 public key as 64 hex digits, optionally followed by a newline.
pub fn parse_key_hex(bytes: &[u8]) -> Option<VerifyingKey> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.strip_suffix('\n').unwrap_or(text);
    let mut key = [0u8; 32];
    hex::decode_to_slice(text, &mut key).ok()?;
    VerifyingKey::from_bytes(&key).ok()
}

/// What the record's checks established, for the checks that build on them (`audit`).
pub(crate) struct RecordChecked {
    /// The officials' key used (given, or the record's own).
    pub officials_key: Option<VerifyingKey>,
    /// The package, when it loaded (V03).
    pub package: Option<ElectionPackage>,
    /// The log, when it decoded.
    pub log: Option<LogFile>,
    /// The selected ballots' sums and every ballot hash (and every flag, when asked), when
    /// every ballot was read (V07).
    pub tallied: Option<Tallied>,
    /// `rule-counts.bin`, when it decoded.
    pub rule_counts: Option<RuleCounts>,
}

/// Runs V01..V18 on the record in `dir` into `report`; `keep_selected` keeps every valid
/// ballot's flag (for the audit).
pub(crate) fn run_record_checks<R: RngCore + CryptoRng>(
    dir: &RecordDir,
    options: &Options,
    keep_selected: bool,
    rng: &mut R,
    report: &mut Report,
) -> RecordChecked {
    let key = officials_key(dir, options, report);
    let package = package::check(dir, key.as_ref(), report);
    seal::check(
        dir,
        key.as_ref(),
        package.as_ref().map(|p| &p.context_hash),
        ivote_protocol::record::seal::KIND_RECORD,
        SEAL,
        report,
    );
    let log = log::check(dir, package.as_ref(), report);
    log::check_order(log.as_ref(), package.as_ref(), report);
    let tallied = ballots::check(dir, package.as_ref(), options, keep_selected, rng, report);
    binding::check(log.as_ref(), tallied.as_ref(), report);
    let aggregates = aggregates::check(dir, package.as_ref(), tallied.as_ref(), report);
    let decrypted = decryption::check(dir, package.as_ref(), aggregates, report);
    let counts = results::check(dir, package.as_ref(), decrypted.as_ref(), report);
    let rule_counts = counts::check(
        dir,
        package.as_ref(),
        log.as_ref(),
        decrypted.as_ref(),
        counts.as_deref(),
        report,
    );
    RecordChecked {
        officials_key: key,
        package,
        log,
        tallied,
        rule_counts,
    }
}

/// Runs every check on the record in `dir`.
pub fn check_record<R: RngCore + CryptoRng>(
    dir: &RecordDir,
    options: &Options,
    rng: &mut R,
) -> Report {
    let mut report = Report::new("check", CATALOGUE);
    run_record_checks(dir, options, false, rng, &mut report);
    report
}
