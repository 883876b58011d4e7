//! `tally ceremony receive`.

use anyhow::{Context, Result};
use clap::Args;
use rand::rngs::OsRng;

use super::{DirArgs, SecretArgs, TrusteeArgs};
use crate::ceremony;
use crate::cmd::print_written;

/// Rounds 2 and 3, each trustee: check what you received and keep your key share.
///
/// Needs roster.json, every commitment-I.json and every share-I-to-J.enc addressed to you,
/// and your trustee-J.ceremony-key.SECRET.json. Asks for your passphrase. Checks every
/// commitment and every share. If all is well, writes your key share
/// trustee-J.share.SECRET.json (under the same passphrase: keep it safe, it is needed to
/// count the votes) and confirm-J.json (public). If some share is wrong, writes
/// complaint-J.json naming the trustees who sent them, and exits with status 1: tell the
/// officials.
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
