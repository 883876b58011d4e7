//! `tally roll sign-changes`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use ivote_protocol::roll::ChangeList;

use crate::cmd::officials_key::SigningArgs;
use crate::cmd::print_written;
use crate::fsio;

/// The arguments of `tally roll sign-changes` (help on [`super::RollCommand`]).
#[derive(Debug, Args)]
pub struct SignChangesArgs {
    /// The change list (CSV: seq,action,id_code,district).
    #[arg(long, value_name = "CHANGES.csv")]
    pub changes: PathBuf,
    #[command(flatten)]
    pub key: SigningArgs,
    /// The signature file to write.
    #[arg(long, value_name = "SIGNATURE")]
    pub out: PathBuf,
}

/// Runs `roll sign-changes`.
pub fn run(a: SignChangesArgs) -> Result<()> {
    let csv = fsio::read(&a.changes)?;
    let key = a.key.unlock()?;
    let w = fsio::write_new_path(&a.out, &ChangeList::sign(&csv, &key))?;
    print_written(&[w]);
    Ok(())
}
