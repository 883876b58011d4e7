//! `tally ceremony receive`.

use anyhow::{Context, Result};
use clap::Args;
use rand::rngs::OsRng;

use super::{DirArgs, SecretArgs, TrusteeArgs};
use crate::ceremony;
use crate::cmd::print_written;

/// The arguments of `tally ceremony receive` (the help text is on
/// [`super::CeremonyCommand`]).
#[derive(Debug, Args)]
pub struct ReceiveArgs {
    #[command(flatten)]
    pub trustee: TrusteeArgs,
    #[command(flatten)]
    pub dir: DirArgs,
    #[command(flatten)]
    pub secret: SecretArgs,
}

/// Runs `receive`.
pub fn run(a: ReceiveArgs) -> Result<()> {
    let j = a.trustee.trustee;
    super::print_context(&a.dir);
    let pass = a.secret.passphrases().get(j, false)?;
    let w = ceremony::receive(
        &a.secret.folders(&a.dir),
        j,
        &pass,
        a.secret.kdf(),
        &mut OsRng,
    )
    .with_context(|| format!("key ceremony, receive of trustee {j}"))?;
    print_written(&w);
    Ok(())
}
