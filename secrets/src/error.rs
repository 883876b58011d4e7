//! Why a secret file or a passphrase could not be used.

use ivote_protocol::ceremony::CeremonyError;
use thiserror::Error;

/// A secret file or passphrase problem. [`SecretError::code`] is `Some` for refusals (the
/// input was looked at and is not acceptable) and `None` when the program could not run.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The file is not a secret file, or not the one needed (`ceremony.malformed_file`,
    /// `ceremony.mismatch`).
    #[error(transparent)]
    Ceremony(#[from] CeremonyError),
    /// A new passphrase that is too short.
    #[error("the passphrase is too short: use at least {min} characters")]
    WeakPassphrase {
        /// The minimum length, in characters.
        min: usize,
    },
    /// The passphrase does not open a secret file (or the file was altered: the two cannot
    /// be told apart, and nothing else is revealed).
    #[error("wrong passphrase for {}", owner(*trustee, what))]
    WrongPassphrase {
        /// The trustee whose file it is (0: the officials' signing key).
        trustee: u32,
        /// "share", "ceremony key" or "officials' signing key".
        what: &'static str,
    },
    /// A secret file protected with Argon2id parameters below the production floor (made
    /// with `--insecure-fast-kdf`), opened without allowing them.
    #[error(
        "{file} is protected with test-grade passphrase hashing (Argon2id {memory_kib} KiB, \
         {iterations} pass(es)), below the production floor (65536 KiB, 3 passes): it was made \
         with --insecure-fast-kdf, for tests and demonstrations only, and its passphrase is \
         quickly guessed. Make it again without that flag; in a test, pass \
         --insecure-fast-kdf to open it"
    )]
    WeakKdf {
        /// The file.
        file: String,
        /// Its memory parameter, KiB.
        memory_kib: u32,
        /// Its passes.
        iterations: u32,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {detail}")]
    Read {
        /// The file.
        path: String,
        /// The operating system's message.
        detail: String,
    },
    /// The terminal could not be read (no terminal: use a passphrase file in tests).
    #[error("cannot read a passphrase from the terminal: {0}")]
    Terminal(String),
    /// The two typed passphrases differ.
    #[error("the two passphrases differ; nothing was written, start again")]
    Differ,
    /// Sealing failed (Argon2id refused its parameters, or the cipher failed).
    #[error("cannot seal the secret file: {0}")]
    Seal(String),
}

/// "trustee J's share file", or for the officials (trustee 0) "the officials' signing key
/// file".
fn owner(trustee: u32, what: &str) -> String {
    if trustee == 0 {
        format!("the {what} file")
    } else {
        format!("trustee {trustee}'s {what} file")
    }
}

impl SecretError {
    /// The stable code of a refusal (`ceremony.*`); `None` if the program could not run.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            SecretError::Ceremony(e) => Some(e.code()),
            SecretError::WeakPassphrase { .. } => Some("ceremony.weak_passphrase"),
            SecretError::WrongPassphrase { .. } => Some("ceremony.wrong_passphrase"),
            SecretError::WeakKdf { .. } => Some("ceremony.weak_kdf"),
            SecretError::Read { .. }
            | SecretError::Terminal(_)
            | SecretError::Differ
            | SecretError::Seal(_) => None,
        }
    }
}
