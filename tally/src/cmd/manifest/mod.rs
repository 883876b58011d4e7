//! `tally manifest ...`.

pub mod check;

use clap::Subcommand;

/// What to do with a manifest.
#[derive(Debug, Subcommand)]
pub enum ManifestCommand {
    /// Check an election manifest (the TOML file describing the election) and summarise it.
    ///
    /// Reads MANIFEST.toml. Writes nothing. Prints every problem found, each with its code,
    /// line and column, key and what to fix, and exits with status 1; fix them all and run it
    /// again. If there is no problem, prints a summary: the election id and title, the voting
    /// window in UTC and in the officials' time zone, and the numbers of districts, contests
    /// and candidates per contest kind. Check afterwards that the summary says what you meant
    /// (the window's local times especially).
    ///
    /// The voting window must start in the future, unless --allow-past is given (for
    /// checking the manifest of a past election).
    Check(check::CheckArgs),
}
