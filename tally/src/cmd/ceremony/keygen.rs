//! `tally ceremony keygen`.

use anyhow::{Context, Result};
use clap::Args;
use rand::rngs::OsRng;

use super::{DirArgs, SecretArgs, TrusteeArgs};
use crate::ceremony;
use crate::cmd::print_written;

/// The arguments of `tally ceremony keygen` (the help text is on
/// [`super::CeremonyCommand`]).
#[derive(Debug, Args)]
pub struct KeygenArgs {
    #[command(flatten)]
    pub trustee: TrusteeArgs,
    #[command(flatten)]
    pub dir: DirArgs,
    #[command(flatten)]
    pub secret: SecretArgs,
}

/// Runs `keygen`.
pub fn run(a: KeygenArgs) -> Result<()> {
    let j = a.trustee.trustee;
    let pass = a.secret.passphrases().get(j, true)?;
    let w = ceremony::keygen(
        &a.secret.folders(&a.dir),
        j,
        &pass,
        a.secret.kdf(),
        &mut OsRng,
    )
    .with_context(|| format!("key ceremony, keygen of trustee {j}"))?;
    print_written(&w);
    Ok(())
}
