//! `tally ceremony init`.

use anyhow::{Context, Result};
use clap::Args;

use super::DirArgs;
use crate::ceremony;
use crate::cmd::print_written;

/// The arguments of `tally ceremony init` (the help text is on
/// [`super::CeremonyCommand`]).
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The election's id, exactly as in the election manifest (for example RK2027).
    #[arg(long, value_name = "ID")]
    pub election_id: String,
    /// How many trustees take part (at most 255).
    #[arg(long, value_name = "N")]
    pub trustees: u32,
    /// How many trustees are needed to decrypt the result (at least 1, at most the number of
    /// trustees). Fewer than this many can never decrypt anything.
    #[arg(long, value_name = "T")]
    pub threshold: u32,
    #[command(flatten)]
    pub dir: DirArgs,
}

/// Runs `init`.
pub fn run(a: InitArgs) -> Result<()> {
    let w = ceremony::init(&a.dir.dir, &a.election_id, a.trustees, a.threshold)
        .context("key ceremony, init")?;
    print_written(&[w]);
    Ok(())
}
