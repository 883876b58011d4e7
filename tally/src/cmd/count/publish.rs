//! `tally publish`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use ivote_protocol::record::{self, seal};

use super::{AUDITORS_ONLY, IMPORT_FILES};
use crate::cmd::officials_key::SigningArgs;
use crate::count::folder::{CountFolder, BOX_HASH_FILE};
use crate::count::publish::{hash_file, SealedFolder};
use crate::error::Refusal;
use crate::fsio;

/// The arguments of `tally publish` (help on [`crate::Command::Publish`]).
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The count folder, after `tally combine`.
    #[arg(long, value_name = "FOLDER")]
    pub count: PathBuf,
    /// The ballot box that was imported (for the auditors' bundle; its SHA-256 must be the
    /// imported one's).
    #[arg(long, value_name = "FILE")]
    pub ballot_box: PathBuf,
    /// The officials' signing key and passphrase.
    #[command(flatten)]
    pub signing: SigningArgs,
    /// The election record folder to create.
    #[arg(long, value_name = "FOLDER")]
    pub out: PathBuf,
    /// The auditors' bundle folder to create (links submissions to voters: give it only to
    /// the auditors the law names).
    #[arg(long, value_name = "FOLDER")]
    pub auditors_out: PathBuf,
}

/// Runs `publish`.
pub fn run(a: PublishArgs) -> Result<()> {
    let folder = CountFolder::load(&a.count)?;
    if !folder.path(record::RESULTS_FILE).exists() {
        return Err(folder.refuse(
            record::RESULTS_FILE,
            "missing: run `tally combine` on this count folder first",
        ));
    }
    let expected = String::from_utf8_lossy(&fsio::read(&folder.path(BOX_HASH_FILE))?)
        .trim()
        .to_owned();
    if hex::encode(hash_file(&a.ballot_box)?) != expected {
        return Err(folder.refuse(
            BOX_HASH_FILE,
            format!(
                "{} is not the ballot box that was imported (SHA-256 {expected}): give that file",
                a.ballot_box.display()
            ),
        ));
    }
    let key = a.signing.unlock()?;
    if key.verifying_key() != folder.officials {
        return Err(Refusal::BadKey {
            file: a.signing.officials_key.display().to_string(),
            detail: "this is not the officials' key that signed the election package".into(),
        }
        .into());
    }
    let context = folder.package.context_hash;

    let mut rec = SealedFolder::new(&a.out)?;
    let package_dir = folder.path(record::PACKAGE_DIR);
    for name in ivote_protocol::fs::read_package_dir(&package_dir)?.keys() {
        rec.copy(
            &package_dir.join(name),
            &format!("{}/{name}", record::PACKAGE_DIR),
        )?;
    }
    let mut names: Vec<String> = [record::OFFICIALS_KEY_FILE, record::RESULTS_FILE]
        .into_iter()
        .chain(
            IMPORT_FILES
                .iter()
                .copied()
                .filter(|n| !AUDITORS_ONLY.contains(n)),
        )
        .map(str::to_owned)
        .collect();
    names.extend(
        (1..=folder.package.ceremony.params().n())
            .map(record::decryption_shares_file)
            .filter(|n| folder.path(n).exists()),
    );
    for name in &names {
        rec.copy(&folder.path(name), name)?;
    }
    let record_hash = rec.seal(&context, seal::KIND_RECORD, &key)?;

    let mut aud = SealedFolder::new(&a.auditors_out)?;
    aud.copy(&a.ballot_box, ivote_protocol::ballot_box::BALLOT_BOX_FILE)?;
    for &name in AUDITORS_ONLY {
        if folder.path(name).exists() {
            aud.copy(&folder.path(name), name)?;
        }
    }
    let auditors_hash = aud.seal(&context, seal::KIND_AUDITORS, &key)?;
    println!(
        "wrote the election record {} (index SHA-256 {record_hash}) and the auditors' bundle \
         {} (index SHA-256 {auditors_hash}). Read both hashes into the minutes. Next: publish \
         the record; `tally results {}` shows the results.",
        a.out.display(),
        a.auditors_out.display(),
        a.out.display()
    );
    Ok(())
}
