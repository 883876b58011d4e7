//! `tally officials-key ...` and the unlocking of the officials' signing key for the
//! commands that sign (package build, roll sign-changes).

pub mod generate;

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Subcommand};
use ed25519_dalek::SigningKey;
use zeroize::Zeroizing;

use crate::passphrase::PassphraseSource;
use crate::secret_file::{self, SecretKind, SecretLabel};
use crate::{error::Refusal, fsio};

/// The secret file of the officials' signing key.
pub const SECRET_FILE: &str = "officials-key.SECRET.json";
/// The officials' public key, 64 hex digits and a newline: give it to every program that
/// loads the package.
pub const PUBLIC_FILE: &str = "officials-key.hex";
/// How passphrase prompts and messages name the key.
const WHO: &str = "the officials' signing key";

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

/// The label every officials' key file is bound to.
pub(crate) fn label() -> SecretLabel {
    SecretLabel {
        kind: SecretKind::OfficialsKey,
        election_id: String::new(),
        trustee: 0,
        ceremony_context: None,
    }
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
}

impl SigningArgs {
    /// Opens the signing key (asks for the passphrase).
    pub(crate) fn unlock(&self) -> Result<SigningKey> {
        unlock(
            &self.officials_key,
            &passphrases(self.passphrase_file.clone()),
        )
    }
}

pub(crate) fn passphrases(file: Option<PathBuf>) -> PassphraseSource {
    file.map_or(PassphraseSource::Prompt, PassphraseSource::File)
}

/// Opens the officials' secret key file at `path`.
pub(crate) fn unlock(path: &Path, source: &PassphraseSource) -> Result<SigningKey> {
    let name = path.display().to_string();
    let bytes = fsio::read(path)?;
    let pass = source.get_for(WHO, 1, false)?;
    let plain = secret_file::open(&name, &bytes, &label(), &pass)?;
    let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
        plain
            .as_slice()
            .try_into()
            .map_err(|_| Refusal::malformed(&name, "it does not hold a 32-byte key"))?,
    );
    Ok(SigningKey::from_bytes(&seed))
}
