//! V10: `aggregates.bin` is exactly the sum of the selected ballots' ciphertexts at every
//! (district, contest, selection) of the manifest, in its order, and of their flags per
//! district. (Each district's stated number of counted ballots is checked against its
//! decrypted flag sum by V15.)

use ivote_protocol::package::ElectionPackage;
use ivote_protocol::record::aggregates::Aggregates;
use ivote_protocol::record::{check_context, AGGREGATES_FILE};
use sha2::{Digest, Sha256};

use super::ballots::Tallied;
use super::{because, AGGREGATES, BALLOTS, PACKAGE};
use crate::files::RecordDir;
use crate::report::{item_file, Failure, Report};

/// The aggregates as published, with the SHA-256 of the file's bytes (which the decryption
/// shares and the results name).
#[derive(Clone, Debug)]
pub struct Published {
    /// The decoded file.
    pub aggregates: Aggregates,
    /// `SHA-256` of its bytes.
    pub sha256: [u8; 32],
}

/// A decryption target's position in words (a flag sum's contest is empty).
pub fn position_item(p: &ivote_crypto::proofs::dleq::TallyPosition) -> String {
    if p.contest.is_empty() {
        format!("district {} counted ballots (flag sum)", p.district)
    } else {
        format!(
            "district {} contest {} selection {}",
            p.district, p.contest, p.selection
        )
    }
}

/// Runs V10; returns the published aggregates when they decode and are laid out as the
/// manifest says (the decryption checks are about them, whether or not V10 passed).
pub fn check(
    dir: &RecordDir,
    package: Option<&ElectionPackage>,
    tallied: Option<&Tallied>,
    report: &mut Report,
) -> Option<Published> {
    let Some(package) = package else {
        report.skipped(AGGREGATES, because(&[PACKAGE], "the package did not load"));
        return None;
    };
    let bytes = match dir.read(AGGREGATES_FILE) {
        Ok(b) => b,
        Err(e) => {
            report.not_run(AGGREGATES, format!("{e} [{}]", e.code()));
            return None;
        }
    };
    let file_failure = |e: ivote_protocol::record::RecordError| Failure {
        item: item_file(AGGREGATES_FILE),
        detail: format!("{e} [{}]", e.code()),
    };
    let aggregates = match Aggregates::from_bytes(&bytes) {
        Ok(a) => a,
        Err(e) => {
            report.ran(AGGREGATES, "", vec![file_failure(e)]);
            return None;
        }
    };
    let mut failures = Vec::new();
    if let Err(e) = check_context(AGGREGATES_FILE, &aggregates.context, &package.context_hash) {
        failures.push(file_failure(e));
    }
    if let Err(e) = aggregates.check_positions(&package.manifest) {
        report.ran(AGGREGATES, "", vec![file_failure(e)]);
        return None;
    }
    let published = Published {
        sha256: Sha256::digest(&bytes).into(),
        aggregates,
    };
    let Some(tallied) = tallied else {
        report.skipped(
            AGGREGATES,
            because(&[BALLOTS], "the ballots could not all be read"),
        );
        return Some(published);
    };
    for (a, sum) in published.aggregates.aggregates.iter().zip(&tallied.sums) {
        if a.ciphertext != *sum {
            failures.push(Failure {
                item: position_item(&a.position),
                detail: "the ciphertext is not the sum of the selected ballots' ciphertexts".into(),
            });
        }
    }
    for (f, sum) in published.aggregates.flags.iter().zip(&tallied.flags) {
        if f.ciphertext != *sum {
            failures.push(Failure {
                item: position_item(&f.position()),
                detail: "the ciphertext is not the sum of the district's flags".into(),
            });
        }
    }
    report.ran(
        AGGREGATES,
        format!(
            "{} aggregates, {} flag sums",
            published.aggregates.aggregates.len(),
            published.aggregates.flags.len()
        ),
        failures,
    );
    Some(published)
}
