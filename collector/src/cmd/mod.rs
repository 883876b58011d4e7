//! The `collector` command line: [`Cli`] (clap derive; its doc comments are the `--help`
//! texts), [`run`] dispatching to one module per subcommand, and [`CmdError`] with the exit
//! status it maps to:
//!
//! | status | meaning |
//! |---|---|
//! | 0 | done (for `serve`: stopped by SIGTERM or ctrl-c) |
//! | 1 | the input was refused: package, roll, key (the message starts with its code) |
//! | 2 | could not run: a file missing or unreadable, the address taken, a command-line mistake |

pub mod close;
pub mod export;
pub mod keygen;
mod package;
pub mod serve;

use std::path::Path;

use clap::{Parser, Subcommand};

/// Exit status: done.
pub const EXIT_OK: u8 = 0;
/// Exit status: the input was refused.
pub const EXIT_REFUSED: u8 = 1;
/// Exit status: the command could not run.
pub const EXIT_COULD_NOT_RUN: u8 = 2;

/// The online ballot box: checks, stores and logs submissions, issues signed receipts.
///
/// Exit status: 0 done; 1 the input was refused (the message starts with its code); 2 the
/// command could not run (a file is missing or unreadable, the address is taken, or the
/// command line is wrong). See docs/collector.md.
#[derive(Debug, Parser)]
#[command(name = "collector", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
// Parsed once per process: the size of `serve`'s many options costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make the collector's signing key (it signs tree heads and receipts).
    ///
    /// Writes, in the folder given with --out, collector-key.SECRET.hex (the secret key,
    /// unencrypted, readable only by its owner: the server reads it at every start; keep it
    /// on the server) and collector-key.hex (the public key: give it to the officials for
    /// `tally package build --collector-key`). Refuses to overwrite an existing key.
    Keygen(keygen::KeygenArgs),
    /// Serve the election's ballot box over HTTP.
    ///
    /// Loads and verifies the election package (with the officials' public key or the
    /// published context hash), checks that the voter roll is the one the package names and
    /// that the signing key is the package's collector key, opens the ballot box in --data
    /// (re-checking its journal), then answers on --listen until SIGTERM or ctrl-c. Logs go
    /// to standard error (set RUST_LOG, e.g. RUST_LOG=debug, for more).
    Serve(serve::ServeArgs),
    /// Close the ballot box now, on the officials' authority (it closes itself when voting
    /// ends).
    ///
    /// Opens the officials' signing key (asks for its passphrase), signs a close request for
    /// the collector's election and the current time (the collector takes it within 5
    /// minutes of its own clock), sends it, and prints the final head: the collector's signed
    /// statement of the log's last size and root. After it the collector refuses every
    /// submission. Closing twice gives the same final head.
    Close(close::CloseArgs),
    /// Write the closed ballot box for the offline tally.
    ///
    /// Run it on the collector's ballot box folder after the box is closed and the server
    /// stopped. Verifies the package, checks the final head (the collector's signature over
    /// the last tree head), reads the journal again and re-checks every entry, rebuilds the
    /// Merkle tree (it must be the final head's), and writes, in --out, ballot-box.bin (for
    /// the tally) and ballot-box.txt (a summary). Exporting twice gives identical files.
    Export(export::ExportArgs),
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CmdError {
    /// The input was looked at and refused.
    #[error("refused [{code}]: {message}")]
    Refused {
        /// The stable code.
        code: &'static str,
        /// What to do about it.
        message: String,
    },
    /// The collector refused a request (its code and message).
    #[error("refused [{code}]: {message}")]
    RefusedRemotely {
        /// The collector's code.
        code: String,
        /// The collector's message.
        message: String,
    },
    /// The command could not run.
    #[error("could not run: {0}")]
    CouldNotRun(String),
}

impl CmdError {
    /// A refusal from an error with a stable code.
    pub fn refused(code: &'static str, message: impl std::fmt::Display) -> Self {
        CmdError::Refused {
            code,
            message: message.to_string(),
        }
    }

    /// The exit status.
    pub fn exit_code(&self) -> u8 {
        match self {
            CmdError::Refused { .. } | CmdError::RefusedRemotely { .. } => EXIT_REFUSED,
            CmdError::CouldNotRun(_) => EXIT_COULD_NOT_RUN,
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), CmdError> {
    match cli.command {
        Command::Keygen(a) => keygen::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Close(a) => close::run(a),
        Command::Export(a) => export::run(a),
    }
}

/// Reads a whole file; the error names it.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, CmdError> {
    std::fs::read(path)
        .map_err(|e| CmdError::CouldNotRun(format!("cannot read {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
