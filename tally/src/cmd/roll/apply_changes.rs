//! `tally roll apply-changes`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use ivote_protocol::manifest::WindowCheck;
use ivote_protocol::roll::{ChangeList, RollHash};

use super::{print_counts, RollArgs};
use crate::cmd::{inputs, print_written};
use crate::error::Refusal;
use crate::fsio;

/// The arguments of `tally roll apply-changes` (help on [`super::RollCommand`]).
#[derive(Debug, Args)]
pub struct ApplyChangesArgs {
    #[command(flatten)]
    pub roll: RollArgs,
    /// A change list; repeat for several, in order.
    #[arg(long, value_name = "CHANGES.csv", required = true)]
    pub changes: Vec<PathBuf>,
    /// The signature of each change list, in the same order.
    #[arg(long, value_name = "SIGNATURE", required = true)]
    pub signature: Vec<PathBuf>,
    /// The officials' public key: its file (officials-key.hex) or the key itself, 64 hex
    /// digits, as they published it.
    #[arg(long, value_name = "FILE_OR_HEX")]
    pub officials_key: String,
    /// The new roll file to write.
    #[arg(long, value_name = "NEWROLL.csv")]
    pub out: PathBuf,
}

/// Runs `roll apply-changes`.
pub fn run(a: ApplyChangesArgs) -> Result<()> {
    if a.changes.len() != a.signature.len() {
        anyhow::bail!(
            "{} change lists but {} signatures: give one --signature per --changes, in order",
            a.changes.len(),
            a.signature.len()
        );
    }
    let manifest = inputs::manifest(&a.roll.manifest, WindowCheck::AllowPast)?;
    let (mut roll, _) = inputs::roll(&a.roll.roll, a.roll.country, &manifest)?;
    let officials = inputs::officials_key(&a.officials_key)?;
    for (changes, signature) in a.changes.iter().zip(&a.signature) {
        let file = changes.display().to_string();
        let list = ChangeList::verify_and_parse(
            &fsio::read(changes)?,
            &fsio::read(signature)?,
            &officials,
            a.roll.country,
        )
        .map_err(|errors| Refusal::Roll {
            file: file.clone(),
            errors,
        })?;
        roll = roll.apply(&list).map_err(|e| Refusal::Roll {
            file: file.clone(),
            errors: e.into(),
        })?;
        println!("applied {file}");
    }
    let csv = roll.to_csv().context("writing the new roll")?;
    print_written(&[fsio::write_new_path(&a.out, &csv)?]);
    print_counts(&roll, &RollHash::of_file(&csv).to_hex());
    Ok(())
}
