//! Threshold decryption of the aggregates and the districts' flag sums (the decryption
//! targets, [`Aggregates::targets`]): each trustee's shares (`decrypt-share`, after the
//! checks of [`super::trustee_check`]), then their combination (`combine`) from any `t` valid
//! share files.

use std::path::Path;

use anyhow::Result;
use ivote_crypto::dlog::DlogTable;
use ivote_crypto::proofs::dleq::TallyPosition;
use ivote_crypto::threshold::decryption::{combine, DecryptionShare};
use ivote_crypto::threshold::dkg::KeyShare;
use ivote_protocol::record::aggregates::Aggregates;
use ivote_protocol::record::results::Results;
use ivote_protocol::record::shares::ShareFile;
use ivote_protocol::record::{self, check_context};
use rand::rngs::OsRng;
use rayon::prelude::*;

use super::error::CountError;
use super::folder::CountFolder;
use super::progress;
use crate::error::Refusal;

/// How a decryption target is named to people: `district/contest/selection N`, or
/// `district/counted ballots` for a flag sum.
pub fn describe(position: &TallyPosition) -> String {
    if position.contest.is_empty() {
        format!("{}/counted ballots", position.district)
    } else {
        format!(
            "{}/{}/selection {}",
            position.district, position.contest, position.selection
        )
    }
}

/// Trustee `key.index()`'s decryption shares of every target, with DLEQ proofs.
pub fn decrypt_shares(folder: &CountFolder, key: &KeyShare) -> Result<ShareFile> {
    let context = folder.package.context_hash;
    let targets = folder.aggregates.targets();
    let bar = progress::bar(targets.len() as u64, "decrypting");
    let shares = targets
        .par_iter()
        .map(|(position, ciphertext)| {
            let s = DecryptionShare::create(&context, key, ciphertext, position, &mut OsRng);
            bar.inc(1);
            s
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Refusal::malformed("the key share", e.to_string()))?;
    bar.finish_and_clear();
    Ok(ShareFile {
        context: folder.package.context_hash,
        aggregates_hash: folder.aggregates_hash,
        trustee: key.index(),
        shares,
    })
}

/// A share file that was accepted, with its bytes (published as they are).
#[derive(Debug)]
pub struct ValidShares {
    /// The decoded file.
    pub file: ShareFile,
    /// Its exact bytes.
    pub bytes: Vec<u8>,
}

/// Why a share file was skipped.
fn check_share_file(folder: &CountFolder, bytes: &[u8]) -> Result<ShareFile, String> {
    let p = &folder.package;
    let file = ShareFile::from_bytes(bytes).map_err(|e| e.to_string())?;
    check_context("the share file", &file.context, &p.context_hash).map_err(|e| e.to_string())?;
    if file.aggregates_hash != folder.aggregates_hash {
        return Err(format!(
            "trustee {} decrypted another aggregates.bin (not this count's): ask them to run \
             decrypt-share on this count folder",
            file.trustee
        ));
    }
    let n = p.ceremony.params().n();
    let key = file
        .trustee
        .checked_sub(1)
        .and_then(|i| p.ceremony.verification_keys.get(i as usize))
        .ok_or_else(|| format!("trustee {} is not one of the {n} trustees", file.trustee))?;
    let targets = folder.aggregates.targets();
    if file.shares.len() != targets.len() {
        return Err(format!(
            "trustee {}'s file has {} shares for {} sums",
            file.trustee,
            file.shares.len(),
            targets.len()
        ));
    }
    let context = p.context_hash;
    let bad = targets
        .par_iter()
        .zip(&file.shares)
        .position_first(|((position, ct), s)| s.verify(&context, key, ct, position).is_err());
    if let Some(i) = bad {
        return Err(format!(
            "trustee {}'s proof for {} does not verify: this share file is wrong or was altered",
            file.trustee,
            targets.get(i).map_or(String::new(), |(p, _)| describe(p))
        ));
    }
    Ok(file)
}

/// Refuses counts whose decrypted flag sums (the numbers of ballots counted per district,
/// after the aggregates' counts) are not the numbers `aggregates.bin` states: the selected
/// ballots are then not the count they claim to be.
fn check_counted(folder: &CountFolder, aggregates: &Aggregates, counts: &[u64]) -> Result<()> {
    let flags = counts
        .get(aggregates.aggregates.len()..)
        .unwrap_or_default();
    for (flag, decrypted) in aggregates.flags.iter().zip(flags) {
        let stated = aggregates.counted_ballots(&flag.district);
        if stated != *decrypted {
            return Err(folder.refuse(
                record::AGGREGATES_FILE,
                format!(
                    "district {} counts {stated} ballots, but its selected ballots' flags                      decrypt to {decrypted}: the selection is not the count it claims to be",
                    flag.district
                ),
            ));
        }
    }
    Ok(())
}

/// What `combine` found.
#[derive(Debug)]
pub struct Combined {
    /// The counts.
    pub results: Results,
    /// The share files used (the first `t` valid ones by trustee).
    pub used: Vec<ValidShares>,
    /// Skipped files: `(file, why)`.
    pub skipped: Vec<(String, String)>,
}

/// Checks every share file, then recovers each count from the first `t` valid ones.
pub fn combine_files(folder: &CountFolder, files: &[impl AsRef<Path>]) -> Result<Combined> {
    let p = &folder.package;
    let t = p.ceremony.params().t();
    let mut valid: Vec<ValidShares> = Vec::new();
    let mut skipped = Vec::new();
    for f in files {
        let f = f.as_ref();
        let name = f.display().to_string();
        let bytes = crate::fsio::read(f)?;
        match check_share_file(folder, &bytes) {
            Ok(file) if valid.iter().any(|v| v.file.trustee == file.trustee) => {
                skipped.push((name, format!("a second file of trustee {}", file.trustee)));
            }
            Ok(file) => valid.push(ValidShares { file, bytes }),
            Err(why) => skipped.push((name, why)),
        }
    }
    valid.sort_by_key(|v| v.file.trustee);
    if valid.len() < t as usize {
        return Err(Refusal::from(CountError::NotEnoughShares {
            valid: valid.len(),
            trustees: valid.iter().map(|v| v.file.trustee).collect(),
            threshold: t,
        })
        .into());
    }
    valid.truncate(t as usize);
    let max = p
        .manifest
        .districts()
        .iter()
        .flat_map(|d| &d.contests)
        .flat_map(|c| c.selection_ranges())
        .map(|(_, hi)| hi)
        .max()
        .unwrap_or(1);
    let most_ballots = folder
        .aggregates
        .aggregates
        .iter()
        .map(|a| a.ballots)
        .max()
        .unwrap_or(0);
    let table = DlogTable::new(most_ballots.saturating_mul(max));
    let counts = folder
        .aggregates
        .targets()
        .par_iter()
        .enumerate()
        .map(|(i, (position, ciphertext))| {
            let shares: Vec<&DecryptionShare> =
                valid.iter().filter_map(|v| v.file.shares.get(i)).collect();
            let point = combine(ciphertext, shares).map_err(|e| e.to_string())?;
            table
                .solve(&point)
                .map_err(|e| format!("{}: {e}", describe(position)))
        })
        .collect::<Result<Vec<u64>, String>>()
        .map_err(|e| {
            folder.refuse(
                record::AGGREGATES_FILE,
                format!("cannot recover a count: {e}"),
            )
        })?;
    check_counted(folder, &folder.aggregates, &counts)?;
    Ok(Combined {
        results: Results {
            context: p.context_hash,
            aggregates_hash: folder.aggregates_hash,
            trustees: valid.iter().map(|v| v.file.trustee).collect(),
            counts,
        },
        used: valid,
        skipped,
    })
}
