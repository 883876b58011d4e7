//! `tally ceremony ...`: one module per step of the key ceremony.

pub mod commit;
pub mod finish;
pub mod init;
pub mod keygen;
pub mod receive;
pub mod roster;
pub mod run_all;

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::ceremony::Folders;
use crate::passphrase::PassphraseSource;
use crate::secret_file::KdfParams;

/// The steps of the key ceremony, in the order they are run.
#[derive(Debug, Subcommand)]
pub enum CeremonyCommand {
    /// Officials, first: write the ceremony parameters (election, number of trustees,
    /// threshold) into a new ceremony folder.
    Init(init::InitArgs),
    /// Each trustee, round 0: make your ceremony key pair. The secret half is saved under
    /// your passphrase; the public half is for the roster.
    Keygen(keygen::KeygenArgs),
    /// Officials, after round 0: gather every trustee's public ceremony key into the roster.
    Roster(roster::RosterArgs),
    /// Each trustee, round 1: make your part of the election key and a share of it for every
    /// trustee, encrypted so that only that trustee can read it.
    Commit(commit::CommitArgs),
    /// Each trustee, rounds 2 and 3: check everything you received and keep your key share,
    /// or complain about the trustees whose shares are wrong.
    Receive(receive::ReceiveArgs),
    /// Officials, last: check every public file and write the ceremony transcript and the
    /// election public key.
    Finish(finish::FinishArgs),
    /// Demonstrations and tests only: the whole ceremony on one computer, writing the same
    /// files as the separate steps. Never for a real election.
    RunAll(run_all::RunAllArgs),
}

/// The ceremony folder.
#[derive(Debug, Args)]
pub struct DirArgs {
    /// The ceremony folder: where the public ceremony files are read and written (the
    /// folder you copy to and from the USB stick).
    #[arg(long, visible_alias = "out", value_name = "FOLDER")]
    pub dir: PathBuf,
}

/// A trustee's secret files and passphrase.
#[derive(Debug, Args)]
pub struct SecretArgs {
    /// Folder for your own secret files (named *.SECRET.json). By default, the ceremony
    /// folder. They are protected by your passphrase, but never copy them to the shared USB
    /// stick.
    #[arg(long, value_name = "FOLDER")]
    pub secret_dir: Option<PathBuf>,
    /// Read the passphrase from this file (first line, or line N for trustee N) instead of
    /// asking for it. For tests and demonstrations: in a real ceremony, type it when asked.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Protect secret files with very cheap passphrase hashing. For tests and demonstrations
    /// ONLY: a passphrase protected this way is quickly guessed.
    #[arg(long)]
    pub insecure_fast_kdf: bool,
}

impl SecretArgs {
    pub(crate) fn folders(&self, dir: &DirArgs) -> Folders {
        Folders {
            public: dir.dir.clone(),
            secret: self.secret_dir.clone().unwrap_or_else(|| dir.dir.clone()),
        }
    }

    pub(crate) fn passphrases(&self) -> PassphraseSource {
        self.passphrase_file
            .clone()
            .map_or(PassphraseSource::Prompt, PassphraseSource::File)
    }

    pub(crate) fn kdf(&self) -> KdfParams {
        kdf(self.insecure_fast_kdf)
    }
}

/// The Argon2id parameters for the `--insecure-fast-kdf` flag, with a warning when it is set.
pub(crate) fn kdf(insecure_fast: bool) -> KdfParams {
    if insecure_fast {
        eprintln!(
            "warning: --insecure-fast-kdf: secret files are protected with cheap passphrase \
             hashing; for tests and demonstrations only"
        );
        KdfParams::INSECURE_FAST_FOR_TESTS
    } else {
        KdfParams::STANDARD
    }
}

/// The trustee number.
#[derive(Debug, Args)]
pub struct TrusteeArgs {
    /// Your trustee number, 1 to the number of trustees, as the officials assigned it.
    #[arg(long, value_name = "NUMBER")]
    pub trustee: u32,
}
