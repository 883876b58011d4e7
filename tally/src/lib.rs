//! `tally`: the officials' offline tool: election setup, key ceremony, counting and the
//! election record.
//!
//! The binary is a thin shell over this library: [`Cli`] is the command line (clap derive;
//! its doc comments are the `--help` texts), [`run`] dispatches to one module per
//! subcommand under [`cmd`], and [`exit_code`] maps the outcome to the documented exit
//! status:
//!
//! | status | meaning |
//! |---|---|
//! | 0 | done |
//! | 1 | the input was refused: validation, a proof, a complaint, a wrong passphrase ([`Refusal`]) |
//! | 2 | could not run: a file missing or unreadable, a disk error, a command-line mistake |
//!
//! Election setup (manifest, roll, officials' key, package, and with the feature
//! `insecure-demo-pki` the demo PKI: [`cmd`]) and the key ceremony ([`ceremony`]).

pub mod ceremony;
pub mod cmd;
pub mod count;
pub mod error;
pub mod fsio;

/// Secret files and passphrases live in `ivote-secrets` (shared with `collector close`).
pub use ivote_secrets::{passphrase, secret_file};

pub use cmd::{run, Cli, Command};
pub use error::{exit_code, refusal_code, Refusal, EXIT_COULD_NOT_RUN, EXIT_OK, EXIT_REFUSED};

/// The one-paragraph message printed for an error: the stable code of a refusal, then the
/// whole chain of context ("while doing X: because Y").
pub fn error_message(err: &anyhow::Error) -> String {
    match error::refusal_code(err) {
        Some(code) => format!("tally: refused [{code}]: {err:#}"),
        None => format!("tally: could not run: {err:#}"),
    }
}
