//! The whole ceremony in one process, for demonstrations and tests: the same step functions
//! in order, so it writes exactly the files of a real ceremony.

use anyhow::Result;
use ivote_protocol::ceremony::VerifiedCeremony;
use rand::{CryptoRng, RngCore};

use super::{commit, finish, init, keygen, receive, roster, Folders};
use crate::fsio::Written;
use crate::passphrase::PassphraseSource;
use crate::secret_file::{KdfFloor, KdfParams};

/// The whole ceremony in one process, for demonstrations and tests: `init`, every `keygen`,
/// `roster`, every `commit`, every `receive`, `finish`, with the same functions.
pub fn run_all(
    folders: &Folders,
    election_id: &str,
    n: u32,
    t: u32,
    passphrases: &PassphraseSource,
    kdf: KdfParams,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<(Vec<Written>, VerifiedCeremony)> {
    let mut written = vec![init(&folders.public, election_id, n, t)?];
    for j in 1..=n {
        written.extend(keygen(folders, j, &passphrases.get(j, true)?, kdf, rng)?);
    }
    written.push(roster(&folders.public)?.0);
    for j in 1..=n {
        written.extend(commit(
            folders,
            j,
            &passphrases.get(j, false)?,
            KdfFloor::for_sealing_with(&kdf),
            rng,
        )?);
    }
    for j in 1..=n {
        written.extend(receive(folders, j, &passphrases.get(j, false)?, kdf, rng)?);
    }
    let (w, ceremony) = finish(&folders.public)?;
    written.extend(w);
    Ok((written, ceremony))
}
