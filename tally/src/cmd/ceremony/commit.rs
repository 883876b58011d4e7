//! `tally ceremony commit`.

use anyhow::{Context, Result};
use clap::Args;
use rand::rngs::OsRng;

use super::{DirArgs, TrusteeArgs};
use crate::ceremony;
use crate::cmd::print_written;

/// The arguments of `tally ceremony commit` (the help text is on
/// [`super::CeremonyCommand`]).
#[derive(Debug, Args)]
pub struct CommitArgs {
    #[command(flatten)]
    pub trustee: TrusteeArgs,
    #[command(flatten)]
    pub dir: DirArgs,
}

/// Runs `commit`.
pub fn run(a: CommitArgs) -> Result<()> {
    let j = a.trustee.trustee;
    super::print_context(&a.dir);
    let w = ceremony::commit(&a.dir.dir, j, &mut OsRng)
        .with_context(|| format!("key ceremony, commit of trustee {j}"))?;
    print_written(&w);
    Ok(())
}
