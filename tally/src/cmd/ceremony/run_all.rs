//! `tally ceremony run-all`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use rand::rngs::OsRng;

use super::{kdf, print_joint_key, DirArgs, ParamsArgs};
use crate::ceremony::{self, Folders};
use crate::cmd::print_written;
use crate::passphrase::PassphraseSource;

/// The arguments of `tally ceremony run-all` (the help text is on
/// [`super::CeremonyCommand`]).
#[derive(Debug, Args)]
pub struct RunAllArgs {
    #[command(flatten)]
    pub params: ParamsArgs,
    #[command(flatten)]
    pub dir: DirArgs,
    /// File of passphrases: line N is trustee N's, or a single line for all trustees.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: PathBuf,
    /// Very cheap passphrase hashing (tests and demonstrations only).
    #[arg(long)]
    pub insecure_fast_kdf: bool,
}

/// Runs `run-all`.
pub fn run(a: RunAllArgs) -> Result<()> {
    let p = &a.params;
    let (w, c) = ceremony::run_all(
        &Folders::single(&a.dir.dir),
        &p.election_id,
        p.trustees,
        p.threshold,
        &PassphraseSource::File(a.passphrase_file),
        kdf(a.insecure_fast_kdf),
        &mut OsRng,
    )
    .context("key ceremony, run-all")?;
    print_written(&w);
    print_joint_key(&c);
    Ok(())
}
