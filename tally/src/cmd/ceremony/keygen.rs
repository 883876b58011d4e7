//! `tally ceremony keygen`.

use anyhow::Result;

use crate::ceremony;

/// The arguments of `tally ceremony keygen` (the help text is on
/// [`super::CeremonyCommand`]).
pub type KeygenArgs = super::TrusteeSecretArgs;

/// Runs `keygen` (a new passphrase: the trustee chooses it now).
pub fn run(a: KeygenArgs) -> Result<()> {
    a.run("keygen", true, ceremony::keygen)
}
