//! `tally decrypt-share`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::ceremony::load_key_share;
use crate::cmd::officials_key::passphrases;
use crate::count::decrypt::decrypt_shares;
use crate::count::folder::CountFolder;
use crate::count::trustee_check::{check_ceremony, check_count};
use crate::fsio;
use crate::secret_file::KdfFloor;

/// The arguments of `tally decrypt-share` (help on [`crate::Command::DecryptShare`]).
#[derive(Debug, Args)]
pub struct DecryptShareArgs {
    /// The count folder written by `tally import`.
    #[arg(long, value_name = "FOLDER")]
    pub count: PathBuf,
    /// The ballot box the collector exported (ballot-box.bin), as the officials imported it:
    /// every counted ballot must be the ballot of a leaf of its signed log.
    #[arg(long, value_name = "FILE")]
    pub ballot_box: PathBuf,
    /// Your trustee number J.
    #[arg(long, value_name = "J")]
    pub trustee: u32,
    /// Your key share file from the key ceremony (trustee-J.share.SECRET.json).
    #[arg(long, value_name = "SECRET_FILE")]
    pub share: PathBuf,
    /// Read the passphrase from this file (line J, or a single line) instead of asking.
    /// For tests and demonstrations: for a real election, type it when asked.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Accept a key share file protected with the cheap passphrase hashing of `ceremony
    /// --insecure-fast-kdf`. For tests and demonstrations ONLY: without it such a file is
    /// refused (ceremony.weak_kdf).
    #[arg(long)]
    pub insecure_fast_kdf: bool,
    /// The decryption share file to write (e.g. decryption-shares-J.bin; must not exist).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Runs `decrypt-share`.
pub fn run(a: DecryptShareArgs) -> Result<()> {
    let folder = CountFolder::load(&a.count)?;
    let share = fsio::read(&a.share)?;
    check_ceremony(&folder, &a.share.display().to_string(), &share)?;
    println!(
        "count folder of election {}, context hash {}: the key ceremony you took part in (its \
         context hash {})",
        folder.package.manifest.election_id().as_str(),
        folder.package.context_hash.to_hex(),
        folder.package.ceremony.context.to_hex()
    );
    let c = check_count(&folder, &a.ballot_box)?;
    println!(
        "checked: the collector's signed log of {} submissions is the ballot box's; \
         ballots.bin holds every leaf's ballot once, each valid one with a proven selected \
         ballot; exactly the {} ballots of the leaves decided \"counted\" are selected, their \
         proofs verify, and aggregates.bin is the sum of the selected ballots.\nSet aside by \
         the rules: {} superseded by a revote, {} cancelled by a paper vote, {} test votes, {} \
         invalid (compare these with the import report the officials announced).",
        c.leaves, c.counted, c.superseded, c.cancelled, c.test_votes, c.invalid
    );
    let pass = passphrases(a.passphrase_file.clone()).get(a.trustee, false)?;
    let floor = KdfFloor::insecure_if(a.insecure_fast_kdf);
    let key = load_key_share(&a.share, a.trustee, &folder.package.ceremony, floor, &pass)?;
    drop(pass);
    let file = decrypt_shares(&folder, &key)?;
    let w = fsio::write_new_path(&a.out, &file.to_bytes())?;
    crate::cmd::print_written(&[w]);
    println!(
        "trustee {}: {} decryption shares with proofs. Next: give {} to the officials for \
         `tally combine` (it holds no secret).",
        a.trustee,
        file.shares.len(),
        a.out.display()
    );
    Ok(())
}
