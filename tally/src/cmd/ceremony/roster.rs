//! `tally ceremony roster`.

use anyhow::{Context, Result};
use clap::Args;

use super::DirArgs;
use crate::ceremony;
use crate::cmd::print_written;

/// The arguments of `tally ceremony roster` (the help text is on
/// [`super::CeremonyCommand`]).
#[derive(Debug, Args)]
pub struct RosterArgs {
    #[command(flatten)]
    pub dir: DirArgs,
}

/// Runs `roster`.
pub fn run(a: RosterArgs) -> Result<()> {
    let (w, context) = ceremony::roster(&a.dir.dir).context("key ceremony, roster")?;
    print_written(&[w]);
    println!("ceremony context hash: {}", hex::encode(context.0));
    Ok(())
}
