//! V11 (every trustee's decryption share of every aggregate and every district's flag sum,
//! with its DLEQ proof against the trustee's verification key from the ceremony) and V12 (the Lagrange combination of the
//! shares of the trustees whose files verified, at least `t` of them).
//!
//! This is what makes a dishonest official's result fail even if re-sealed with the
//! officials' key: the combined points come from shares bound by proofs to the ceremony's
//! keys and to the aggregates, which V10 recomputes from the ballots.

use ivote_crypto::threshold::decryption::{combine, DecryptionShare};
use ivote_crypto::Point;
use ivote_protocol::package::ElectionPackage;
use ivote_protocol::record::shares::ShareFile;
use ivote_protocol::record::{check_context, decryption_shares_file};
use rayon::prelude::*;

use super::aggregates::{position_item, Published};
use super::{because, AGGREGATES, COMBINATION, DECRYPTION_SHARES};
use crate::files::RecordDir;
use crate::report::{item_file, Failure, Report};

/// The decryption as recomputed.
#[derive(Clone, Debug)]
pub struct Decrypted {
    /// The aggregates decrypted.
    pub published: Published,
    /// The trustees whose every share verified, increasing.
    pub valid_trustees: Vec<u32>,
    /// `v·G` for every target (the aggregates, then the flag sums), from those trustees'
    /// shares.
    pub combined: Vec<Point>,
}

/// Checks one trustee's file; returns its shares if every one verified.
fn trustee_shares(
    dir: &RecordDir,
    package: &ElectionPackage,
    published: &Published,
    j: u32,
    failures: &mut Vec<Failure>,
) -> Option<Vec<DecryptionShare>> {
    let name = decryption_shares_file(j);
    let item = item_file(&name);
    let bytes = dir.read(&name).ok()?;
    let file = match ShareFile::from_bytes(&bytes) {
        Ok(f) => f,
        Err(e) => {
            failures.push(Failure {
                item,
                detail: format!("{e} [{}]", e.code()),
            });
            return None;
        }
    };
    let before = failures.len();
    if let Err(e) = check_context(
        "decryption share file",
        &file.context,
        &package.context_hash,
    ) {
        failures.push(Failure {
            item: item.clone(),
            detail: format!("{e} [{}]", e.code()),
        });
    }
    if file.trustee != j {
        failures.push(Failure {
            item: item.clone(),
            detail: format!("it holds trustee {}'s shares", file.trustee),
        });
    }
    if file.aggregates_hash != published.sha256 {
        failures.push(Failure {
            item: item.clone(),
            detail: "it decrypts another aggregates.bin (its aggregates hash differs)".into(),
        });
    }
    let targets = published.aggregates.targets();
    if file.shares.len() != targets.len() {
        failures.push(Failure {
            item: item.clone(),
            detail: format!(
                "{} shares for {} sums (aggregates and flag sums)",
                file.shares.len(),
                targets.len()
            ),
        });
    }
    let context = package.context_hash;
    let key = package.ceremony.verification_keys.get(j as usize - 1)?;
    let mut bad: Vec<Failure> = file
        .shares
        .par_iter()
        .zip(targets.par_iter())
        .filter(|(s, (position, ct))| s.verify(&context, key, ct, position).is_err())
        .map(|(_, (position, _))| Failure {
            item: format!("trustee {j}, {}", position_item(position)),
            detail: "the decryption share's DLEQ proof does not verify against the trustee's \
                     verification key and the aggregate"
                .into(),
        })
        .collect();
    failures.append(&mut bad);
    (failures.len() == before).then_some(file.shares)
}

/// Runs V11 and V12.
pub fn check(
    dir: &RecordDir,
    package: Option<&ElectionPackage>,
    published: Option<Published>,
    report: &mut Report,
) -> Option<Decrypted> {
    let (Some(package), Some(published)) = (package, published) else {
        for c in [DECRYPTION_SHARES, COMBINATION] {
            report.skipped(
                c,
                because(
                    &[AGGREGATES],
                    "aggregates.bin could not be read against the package",
                ),
            );
        }
        return None;
    };
    let n = package.ceremony.params().n();
    let t = package.ceremony.params().t();
    let mut failures = Vec::new();
    let mut valid: Vec<(u32, Vec<DecryptionShare>)> = Vec::new();
    let mut present = 0;
    for j in 1..=n {
        if !dir.exists(&decryption_shares_file(j)) {
            continue;
        }
        present += 1;
        if let Some(shares) = trustee_shares(dir, package, &published, j, &mut failures) {
            valid.push((j, shares));
        }
    }
    report.ran(
        DECRYPTION_SHARES,
        format!("{present} of {n} trustees' files"),
        failures,
    );
    if valid.len() < t as usize {
        report.failed(
            COMBINATION,
            "trustees",
            format!(
                "only {} trustees' shares all verified; the threshold is {t}",
                valid.len()
            ),
        );
        return None;
    }
    let targets = published.aggregates.targets();
    let combined: Result<Vec<Point>, _> = targets
        .par_iter()
        .enumerate()
        .map(|(i, (_, ct))| combine(ct, valid.iter().filter_map(|(_, s)| s.get(i))))
        .collect();
    let valid_trustees: Vec<u32> = valid.iter().map(|(j, _)| *j).collect();
    match combined {
        Ok(combined) => {
            report.ran(
                COMBINATION,
                format!("trustees {valid_trustees:?}, threshold {t}"),
                vec![],
            );
            Some(Decrypted {
                published,
                valid_trustees,
                combined,
            })
        }
        Err(e) => {
            report.failed(COMBINATION, "trustees", e.to_string());
            None
        }
    }
}
