//! `tally officials-key ...` and the unlocking of the officials' signing key for the
//! commands that sign (package build, roll sign-changes).

pub mod generate;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use ed25519_dalek::SigningKey;

use crate::passphrase::PassphraseSource;
use crate::secret_file::KdfFloor;

pub use ivote_secrets::officials_key::{label, PUBLIC_FILE, SECRET_FILE, WHO};

/// The officials' signing key.
#[derive(Debug, Subcommand)]
pub enum OfficialsKeyCommand {
    /// Make the officials' signing key, which signs the election package and voter roll
    /// change lists.
    ///
    /// Asks for a new passphrase twice (at least 8 characters; the officials keep it: without
    /// it nothing can be signed). Writes, in the folder given with --out,
    /// officials-key.SECRET.json (the secret key under the passphrase: keep it on the offline
    /// computer and a backup stick) and officials-key.hex (the public key: publish it, and
    /// give it to the collector, the voter app and the verifier). Refuses to overwrite an
    /// existing key. Read the printed public key into the minutes.
    Generate(generate::GenerateArgs),
}

/// The officials' secret key file and its passphrase, for commands that sign.
#[derive(Debug, Args)]
pub struct SigningArgs {
    /// The officials' secret key file (officials-key.SECRET.json, from `tally officials-key
    /// generate`).
    #[arg(long = "officials-key", value_name = "SECRET_FILE")]
    pub officials_key: PathBuf,
    /// Read the passphrase from this file (first line) instead of asking for it. For tests
    /// and demonstrations: for a real election, type it when asked.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Accept a key file protected with the cheap passphrase hashing of `officials-key
    /// generate --insecure-fast-kdf`. For tests and demonstrations ONLY: without it such a
    /// file is refused (ceremony.weak_kdf).
    #[arg(long)]
    pub insecure_fast_kdf: bool,
}

impl SigningArgs {
    /// Opens the signing key (asks for the passphrase).
    pub(crate) fn unlock(&self) -> Result<SigningKey> {
        Ok(ivote_secrets::officials_key::unlock(
            &self.officials_key,
            &passphrases(self.passphrase_file.clone()),
            KdfFloor::insecure_if(self.insecure_fast_kdf),
        )?)
    }
}

pub(crate) fn passphrases(file: Option<PathBuf>) -> PassphraseSource {
    file.map_or(PassphraseSource::Prompt, PassphraseSource::File)
}
