//! `tally roll ...`.

pub mod apply_changes;
pub mod check;
pub mod sign_changes;

use std::path::PathBuf;

use clap::{Args, Subcommand};
use ivote_protocol::roll::Country;

/// The voter roll.
#[derive(Debug, Subcommand)]
pub enum RollCommand {
    /// Check a voter roll (CSV: id_code,district,name) against the manifest.
    ///
    /// Reads the manifest and the roll. Writes nothing. Prints every problem with its line
    /// (malformed id code for the country, duplicate voter, unknown district, bad header...)
    /// and exits with status 1; fix them all and run it again. If there is none, prints the
    /// number of voters per district and the roll hash (SHA-256 of the file): the package
    /// binds exactly this file, so check afterwards that the counts are what the population
    /// register says, and read the hash into the minutes.
    Check(check::CheckArgs),
    /// Sign a change list to the voter roll with the officials' key.
    ///
    /// Reads the change list (CSV: seq,action,id_code,district; actions add, remove, move;
    /// seq continuing the roll's history from 1) and the officials' secret key file (asks for
    /// its passphrase). Writes the signature file given with --out (refuses to overwrite).
    /// Publish the change list with its signature; `tally roll apply-changes` checks both.
    SignChanges(sign_changes::SignChangesArgs),
    /// Apply signed change lists to the voter roll and write the new roll.
    ///
    /// Reads the manifest, the roll, and each change list with its signature (give
    /// --changes and --signature once per list, in order), checks each signature with the
    /// officials' public key, applies the changes in order, and writes the new roll file
    /// given with --out (refuses to overwrite). Stops at the first change that does not fit
    /// (a voter added twice, moved but not on the roll, a seq out of order), naming its file
    /// and line, with exit status 1. Prints the new counts per district and the new roll hash.
    ApplyChanges(apply_changes::ApplyChangesArgs),
}

/// The manifest, roll and country of a roll command.
#[derive(Debug, Args)]
pub struct RollArgs {
    /// The election manifest (TOML).
    #[arg(long, value_name = "MANIFEST.toml")]
    pub manifest: PathBuf,
    /// The voter roll file (CSV).
    #[arg(long, value_name = "ROLL.csv")]
    pub roll: PathBuf,
    /// Whose personal codes the roll holds: EE (Estonian, 11 digits) or TH (Thai, 13 digits).
    #[arg(long, value_name = "EE|TH")]
    pub country: Country,
}

/// Prints voters per district and the roll hash.
pub(crate) fn print_counts(roll: &ivote_protocol::VoterRoll, file_hash_hex: &str) {
    println!("voters: {}", roll.len());
    for (district, n) in roll.district_counts() {
        println!("  {district}: {n}");
    }
    println!("roll hash (sha256 of the file): {file_hash_hex}");
}
