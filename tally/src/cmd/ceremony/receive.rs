//! `tally ceremony receive`.

use anyhow::Result;

use crate::ceremony;

/// The arguments of `tally ceremony receive` (the help text is on
/// [`super::CeremonyCommand`]).
pub type ReceiveArgs = super::TrusteeSecretArgs;

/// Runs `receive` (the passphrase chosen at keygen), after printing the ceremony context
/// hash for the trustee to compare with the one read aloud.
pub fn run(a: ReceiveArgs) -> Result<()> {
    super::print_context(&a.dir);
    a.run("receive", false, ceremony::receive)
}
