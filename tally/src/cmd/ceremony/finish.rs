//! `tally ceremony finish`.

use anyhow::{Context, Result};
use clap::Args;

use super::DirArgs;
use crate::ceremony;
use crate::cmd::print_written;

/// The arguments of `tally ceremony finish` (the help text is on
/// [`super::CeremonyCommand`]).
#[derive(Debug, Args)]
pub struct FinishArgs {
    #[command(flatten)]
    pub dir: DirArgs,
}

/// Runs `finish`.
pub fn run(a: FinishArgs) -> Result<()> {
    let (w, c) = ceremony::finish(&a.dir.dir).context("key ceremony, finish")?;
    print_written(&w);
    super::print_joint_key(&c);
    Ok(())
}
