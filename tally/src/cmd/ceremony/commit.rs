//! `tally ceremony commit`.

use anyhow::Result;

use crate::ceremony;
use crate::secret_file::KdfFloor;

/// The arguments of `tally ceremony commit` (the help text is on
/// [`super::CeremonyCommand`]).
pub type CommitArgs = super::TrusteeSecretArgs;

/// Runs `commit` (the passphrase chosen at keygen opens the trustee's signing key), after
/// printing the ceremony context hash for the trustee to compare with the one read aloud.
pub fn run(a: CommitArgs) -> Result<()> {
    super::print_context(&a.dir);
    a.run("commit", false, |folders, j, pass, kdf, rng| {
        ceremony::commit(folders, j, pass, KdfFloor::for_sealing_with(&kdf), rng)
    })
}
