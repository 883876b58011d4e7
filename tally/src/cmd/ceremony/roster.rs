//! `tally ceremony roster`.

use anyhow::{Context, Result};
use clap::Args;

use super::DirArgs;
use crate::ceremony;
use crate::cmd::print_written;

/// After round 0, officials: assemble the roster.
///
/// Needs ceremony-params.json and every trustee's ceremony-key-J.json in the ceremony
/// folder. Writes roster.json and prints the ceremony context hash: read it aloud, every
/// trustee checks that their own commands print the same one.
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
