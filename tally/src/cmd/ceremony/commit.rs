//! `tally ceremony commit`.

use anyhow::{Context, Result};
use clap::Args;
use rand::rngs::OsRng;

use super::{DirArgs, TrusteeArgs};
use crate::ceremony;
use crate::cmd::print_written;

/// Round 1, each trustee: make your part of the election key.
///
/// Needs roster.json. Writes commitment-J.json (public) and share-J-to-K.enc for every
/// trustee K, each encrypted so that only trustee K can open it. Your secret part exists only
/// in memory during this command and is never written to disk. No passphrase is needed. Run
/// it once only: a second run refuses to overwrite.
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
    let w = ceremony::commit(&a.dir.dir, j, &mut OsRng)
        .with_context(|| format!("key ceremony, commit of trustee {j}"))?;
    print_written(&w);
    Ok(())
}
