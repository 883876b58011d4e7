//! `tally ceremony run-all`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use rand::rngs::OsRng;

use super::{kdf, DirArgs};
use crate::ceremony::{self, Folders};
use crate::cmd::print_written;
use crate::passphrase::PassphraseSource;

/// The arguments of `tally ceremony run-all` (the help text is on
/// [`super::CeremonyCommand`]).
#[derive(Debug, Args)]
pub struct RunAllArgs {
    /// The election's id.
    #[arg(long, value_name = "ID")]
    pub election_id: String,
    /// How many trustees.
    #[arg(long, value_name = "N")]
    pub trustees: u32,
    /// How many trustees are needed to decrypt.
    #[arg(long, value_name = "T")]
    pub threshold: u32,
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
    let (w, c) = ceremony::run_all(
        &Folders::single(&a.dir.dir),
        &a.election_id,
        a.trustees,
        a.threshold,
        &PassphraseSource::File(a.passphrase_file),
        kdf(a.insecure_fast_kdf),
        &mut OsRng,
    )
    .context("key ceremony, run-all")?;
    print_written(&w);
    println!(
        "election public key: {}",
        hex::encode(c.joint_key.to_bytes())
    );
    Ok(())
}
