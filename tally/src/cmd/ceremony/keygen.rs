//! `tally ceremony keygen`.

use anyhow::{Context, Result};
use clap::Args;
use rand::rngs::OsRng;

use super::{DirArgs, SecretArgs, TrusteeArgs};
use crate::ceremony;
use crate::cmd::print_written;

/// Round 0, each trustee: make your ceremony key pair.
///
/// Asks for a new passphrase twice (at least 8 characters; remember it: without it your key
/// share cannot be used). Writes trustee-J.ceremony-key.SECRET.json (your secret key, under
/// your passphrase: it stays with you) and ceremony-key-J.json (public: give it to the
/// officials). Read the printed sha256 aloud for the minutes.
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
