//! `tally ceremony ...`: one module per step of the key ceremony.

pub mod commit;
pub mod finish;
pub mod init;
pub mod keygen;
pub mod receive;
pub mod roster;
pub mod run_all;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use rand::rngs::OsRng;

use crate::ceremony::Folders;
use crate::cmd::print_written;
use crate::fsio::Written;
use crate::passphrase::{Passphrase, PassphraseSource};
use crate::secret_file::KdfParams;

/// The steps of the key ceremony, in the order they are run.
#[derive(Debug, Subcommand)]
pub enum CeremonyCommand {
    /// Officials, first: write the ceremony parameters.
    ///
    /// Creates the ceremony folder (if needed) and the file ceremony-params.json in it. Copy the
    /// folder to the USB stick and give it to the trustees for round 0 (keygen).
    Init(init::InitArgs),
    /// Round 0, each trustee: make your ceremony key pair.
    ///
    /// Asks for a new passphrase twice (at least 8 characters; remember it: without it your key
    /// share cannot be used). Writes trustee-J.ceremony-key.SECRET.json (your secret key, under
    /// your passphrase: it stays with you) and ceremony-key-J.json (public: give it to the
    /// officials). Read the printed sha256 aloud for the minutes.
    Keygen(keygen::KeygenArgs),
    /// After round 0, officials: assemble the roster.
    ///
    /// Needs ceremony-params.json and every trustee's ceremony-key-J.json in the ceremony
    /// folder. Writes roster.json and prints the ceremony context hash: read it aloud, every
    /// trustee checks that their own commands print the same one.
    Roster(roster::RosterArgs),
    /// Round 1, each trustee: make your part of the election key.
    ///
    /// Needs roster.json and your trustee-J.ceremony-key.SECRET.json. Asks for your passphrase
    /// (it opens your signing key), checks that the roster lists your own keys under your
    /// number, and writes commitment-J.json (public) and share-J-to-K.enc for every trustee K,
    /// each encrypted so that only trustee K can open it, all signed by you. Your secret part
    /// exists only in memory during this command and is never written to disk. Run it once
    /// only: a second run refuses to overwrite.
    Commit(commit::CommitArgs),
    /// Rounds 2 and 3, each trustee: check what you received and keep your key share.
    ///
    /// Needs roster.json, every commitment-I.json and every share-I-to-J.enc addressed to you,
    /// and your trustee-J.ceremony-key.SECRET.json. Asks for your passphrase. Checks every
    /// signature (your own commitment must be the one you made), every commitment and every
    /// share. If all is well, writes your key share
    /// trustee-J.share.SECRET.json (under the same passphrase: keep it safe, it is needed to
    /// count the votes) and confirm-J.json (public). If some share is wrong, writes
    /// complaint-J.json naming the trustees who sent them, and exits with status 1: tell the
    /// officials.
    Receive(receive::ReceiveArgs),
    /// Officials, last: check every public file and write the transcript and the election key.
    ///
    /// Needs roster.json, every commitment-I.json and every confirm-J.json. Refuses if any
    /// complaint-J.json is present (see docs/key-ceremony.md, "When a complaint appears"), or
    /// if any commitment or confirmation does not check out. Writes ceremony.json (the public
    /// transcript, which goes into the election package) and joint-key.hex (the election public
    /// key). Read the printed sha256 values into the minutes.
    Finish(finish::FinishArgs),
    /// Demonstrations and tests only: the whole ceremony on one computer.
    ///
    /// Runs init, every trustee's keygen, roster, every commit, every receive and finish, in a
    /// new folder, producing exactly the files of a real ceremony. One computer then held every
    /// secret, so the key is NOT fit for a real election.
    RunAll(run_all::RunAllArgs),
}

/// The ceremony's parameters (`init`, and `run-all`, which runs init).
#[derive(Debug, Args)]
pub struct ParamsArgs {
    /// The election's id, exactly as in the election manifest (for example RK2027).
    #[arg(long, value_name = "ID")]
    pub election_id: String,
    /// How many trustees take part (at most 255).
    #[arg(long, value_name = "N")]
    pub trustees: u32,
    /// How many trustees are needed to decrypt the result (at least 1, at most the number of
    /// trustees). Fewer than this many can never decrypt anything.
    #[arg(long, value_name = "T")]
    pub threshold: u32,
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

/// A trustee's step that opens or writes their secret files (`keygen`, `commit`, `receive`).
#[derive(Debug, Args)]
pub struct TrusteeSecretArgs {
    #[command(flatten)]
    pub trustee: TrusteeArgs,
    #[command(flatten)]
    pub dir: DirArgs,
    #[command(flatten)]
    pub secret: SecretArgs,
}

/// What a trustee's step does with their folders, number, passphrase and hashing cost.
type TrusteeStep =
    fn(&Folders, u32, &Passphrase, KdfParams, &mut OsRng) -> anyhow::Result<Vec<Written>>;

impl TrusteeSecretArgs {
    /// Runs `step` (named `name` in errors) for this trustee with their passphrase (a new one
    /// when `new_passphrase`), and prints the files it wrote.
    pub(crate) fn run(&self, name: &str, new_passphrase: bool, step: TrusteeStep) -> Result<()> {
        let j = self.trustee.trustee;
        let pass = self.secret.passphrases().get(j, new_passphrase)?;
        let w = step(
            &self.secret.folders(&self.dir),
            j,
            &pass,
            self.secret.kdf(),
            &mut OsRng,
        )
        .with_context(|| format!("key ceremony, {name} of trustee {j}"))?;
        print_written(&w);
        Ok(())
    }
}

/// Prints the election public key, as `finish` (and `run-all`) made it.
pub(crate) fn print_joint_key(ceremony: &crate::ceremony::VerifiedCeremony) {
    println!(
        "election public key: {}",
        hex::encode(ceremony.joint_key.to_bytes())
    );
}

/// Prints the ceremony context hash of the roster in `dir`, for the trustee to compare with
/// the one the officials read aloud. Silent if there is no readable roster yet: the step that
/// follows reports that properly.
pub(crate) fn print_context(dir: &DirArgs) {
    if let Ok(r) = crate::ceremony::load_roster(&dir.dir) {
        println!("ceremony context hash: {}", hex::encode(r.context_hash().0));
    }
}
