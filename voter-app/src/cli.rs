//! The command line.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::error::AppError;
use crate::messages::Lang;
use crate::package::Trust;
use crate::pkcs11::TokenArgs;
use crate::signer::EidSource;
use crate::{receipt_check, verify, vote};

/// The ivote voter app: cast an encrypted, signed ballot, keep the receipt, verify it on a
/// second device, check that it stays in the ballot box log. Voting again replaces the
/// earlier vote.
#[derive(Debug, Parser)]
#[command(name = "voter-app", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The language the app speaks to the voter: `--lang` when the app speaks it, else
    /// English (main.rs says a stopped command's error in it).
    pub fn lang(&self) -> Lang {
        match &self.command {
            Command::Vote { lang, .. } | Command::Verify { lang, .. } => {
                lang.as_deref().map_or(Lang::En, Lang::or_english)
            }
            Command::CheckReceipt { .. } => Lang::En,
        }
    }
}

/// The command-line arguments that say where the election comes from and what it is
/// trusted by.
#[derive(Debug, Args)]
pub struct ElectionArgs {
    /// The collector's address, e.g. https://vote.example.org
    #[arg(long, value_name = "URL")]
    pub collector: String,
    /// The election officials' public key, as they published it: its file
    /// (officials-key.hex) or the key itself, 64 hex digits. The election package must
    /// carry their signature.
    #[arg(long, value_name = "FILE_OR_HEX", conflicts_with = "context")]
    pub officials_key: Option<String>,
    /// The election's context hash (64 hex digits, as the officials published it), instead
    /// of their key.
    #[arg(long, value_name = "HEX")]
    pub context: Option<String>,
}

impl ElectionArgs {
    fn trust(&self) -> Result<Trust, AppError> {
        Trust::from_flags(self.officials_key.as_deref(), self.context.as_deref())
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Vote (or vote again: the newest vote replaces the older one).
    Vote {
        #[command(flatten)]
        election: ElectionArgs,
        /// Your e-ID certificate file (PEM or DER).
        #[arg(long, value_name = "CERT", required_unless_present = "pkcs11")]
        eid: Option<PathBuf>,
        /// Your e-ID private key file (PKCS#8, PEM or DER; if it is protected by a
        /// passphrase, you are asked for it).
        #[arg(long, value_name = "KEY", required_unless_present = "pkcs11")]
        key: Option<PathBuf>,
        /// Read the key's passphrase from the first line of this file instead of asking.
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// Sign with your ID card (or another smart card or PKCS#11 token) through this
        /// PKCS#11 module, instead of --eid and --key; for an Estonian ID card, OpenSC's:
        /// /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so. You are asked for PIN1.
        #[arg(long, value_name = "MODULE", conflicts_with_all = ["eid", "key", "passphrase_file"])]
        pkcs11: Option<PathBuf>,
        /// Which card or token to use, by its label or slot number (default: the one
        /// holding your authentication certificate).
        #[arg(long, value_name = "TOKEN", requires = "pkcs11")]
        pkcs11_token: Option<String>,
        /// For tests and automation only: read the card's PIN from the first line of this
        /// file instead of asking. Never keep a real PIN in a file.
        #[arg(long, value_name = "FILE", requires = "pkcs11")]
        pin_file: Option<PathBuf>,
        /// The language of the ballot and of the app (one of the election's, e.g. en, et,
        /// th, or one the app speaks: en, et, th, ru).
        #[arg(long, value_name = "LANG")]
        lang: Option<String>,
        /// Choose without the interactive screens, by candidate id: ID, ID=POINTS for
        /// score and points contests, CONTEST:ID when an id is on several contests. Repeat
        /// for each choice. The vote is cast without a confirmation question.
        #[arg(long, value_name = "ID")]
        choice: Vec<String>,
        /// Where to save the receipt (default: receipt-TRACKING-CODE.bin here).
        #[arg(long, value_name = "FILE")]
        receipt: Option<PathBuf>,
    },
    /// Check your vote on a second device with the verification code the app showed.
    Verify {
        #[command(flatten)]
        election: ElectionArgs,
        /// The language to show the ballot and the app's words in (as for `vote`).
        #[arg(long, value_name = "LANG")]
        lang: Option<String>,
        /// The verification code (dashes and spaces are ignored).
        #[arg(value_name = "CODE")]
        code: String,
    },
    /// Check that a saved receipt's ballot is still in the collector's log.
    CheckReceipt {
        #[command(flatten)]
        election: ElectionArgs,
        /// The receipt file saved by `vote`.
        #[arg(value_name = "RECEIPT")]
        receipt: PathBuf,
    },
}

/// Where `vote` finds the e-ID: a PKCS#11 module, or the certificate and key files (clap
/// requires one or the other).
fn eid_source(
    eid: Option<PathBuf>,
    key: Option<PathBuf>,
    passphrase_file: Option<PathBuf>,
    pkcs11: Option<PathBuf>,
    pkcs11_token: Option<String>,
    pin_file: Option<PathBuf>,
) -> Result<EidSource, AppError> {
    match (pkcs11, eid, key) {
        (Some(module), _, _) => Ok(EidSource::Token(TokenArgs {
            module,
            token: pkcs11_token,
            pin_file,
        })),
        (None, Some(certificate), Some(key)) => Ok(EidSource::Files {
            certificate,
            key,
            passphrase_file,
        }),
        _ => Err(AppError::refused(
            "app.no_eid",
            "give your e-ID: --eid CERT and --key KEY, or --pkcs11 MODULE for an ID card",
        )),
    }
}

/// Runs a command with the process's standard input and output.
pub fn run(cli: Cli) -> Result<(), AppError> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = match cli.command {
        Command::Vote {
            election,
            eid,
            key,
            passphrase_file,
            pkcs11,
            pkcs11_token,
            pin_file,
            lang,
            choice,
            receipt,
        } => vote::run(
            &vote::VoteArgs {
                trust: election.trust()?,
                collector: election.collector,
                eid: eid_source(eid, key, passphrase_file, pkcs11, pkcs11_token, pin_file)?,
                lang,
                choices: choice,
                receipt,
            },
            &mut input,
            &mut out,
        ),
        Command::Verify {
            election,
            lang,
            code,
        } => verify::run(
            &verify::VerifyArgs {
                trust: election.trust()?,
                collector: election.collector,
                lang,
                code,
            },
            &mut out,
        ),
        Command::CheckReceipt { election, receipt } => receipt_check::run(
            &receipt_check::CheckReceiptArgs {
                trust: election.trust()?,
                collector: election.collector,
                receipt,
            },
            &mut out,
        ),
    };
    let _ = out.flush();
    result
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
