//! `tally ceremony init`.

use anyhow::{Context, Result};
use clap::Args;

use super::{DirArgs, ParamsArgs};
use crate::ceremony;
use crate::cmd::print_written;

/// The arguments of `tally ceremony init` (the help text is on
/// [`super::CeremonyCommand`]).
#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub params: ParamsArgs,
    #[command(flatten)]
    pub dir: DirArgs,
}

/// Runs `init`.
pub fn run(a: InitArgs) -> Result<()> {
    let p = &a.params;
    let w = ceremony::init(&a.dir.dir, &p.election_id, p.trustees, p.threshold)
        .context("key ceremony, init")?;
    print_written(&[w]);
    Ok(())
}
