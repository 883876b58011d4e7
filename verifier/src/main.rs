//! `verifier`: the independent verifier of a published election record
//! (`docs/verification.md`). Exit status: 0 verified, 1 a check failed, 2 could not run.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::Country;
use ivote_verifier::receipt::check_receipt;
use ivote_verifier::{audit_record, check_record, AuditInputs, Options, RecordDir, Report};
use rand::rngs::OsRng;

/// The independent verifier of a published election record.
#[derive(Debug, Parser)]
#[command(name = "verifier", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print the report as JSON (format ivote-verifier-report-v1) instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// The officials' public key, as they published it: its file (officials-key.hex) or the
    /// key itself, 64 hex digits. Without it the record's own officials-key.hex is used,
    /// which only proves the record is consistent with itself.
    #[arg(long, global = true, value_name = "FILE_OR_HEX")]
    officials_key: Option<String>,
    /// No progress bar.
    #[arg(long, global = true)]
    quiet: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every check of docs/verification.md on a record folder.
    Check {
        /// The election record folder.
        record: PathBuf,
    },
    /// For auditors: every check of `check`, then every submission of the auditors' bundle
    /// re-checked and the counting rules re-applied (checks A01..).
    Audit {
        /// The election record folder.
        record: PathBuf,
        /// The auditors' bundle folder.
        bundle: PathBuf,
        /// The voter roll file published with the package (its SHA-256 must be the
        /// package's roll.sha256).
        #[arg(long, value_name = "FILE")]
        roll: PathBuf,
        /// The country of the roll's personal codes: EE or TH.
        #[arg(long, default_value = "EE")]
        country: Country,
    },
    /// Check a voter's receipt against the record's final log.
    Receipt {
        /// The election record folder.
        record: PathBuf,
        /// The receipt file (binary, or hex text).
        receipt: PathBuf,
        /// The ballot hash the voting app showed (64 hex digits).
        #[arg(long, value_name = "HEX")]
        ballot_hash: Option<String>,
    },
}

fn could_not_run(message: &str) -> ExitCode {
    eprintln!("verifier: {message}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let officials_key = match cli
        .officials_key
        .as_deref()
        .map(ivote_protocol::fs::read_public_key_arg)
        .transpose()
    {
        Ok(key) => key,
        Err(e) => return could_not_run(&format!("--officials-key: {e}")),
    };
    let options = Options {
        officials_key,
        progress: !cli.quiet && !cli.json,
    };
    let report: Report = match &cli.command {
        Command::Check { record } => match RecordDir::open(record) {
            Ok(dir) => check_record(&dir, &options, &mut OsRng),
            Err(e) => return could_not_run(&e.to_string()),
        },
        Command::Audit {
            record,
            bundle,
            roll,
            country,
        } => {
            let (record, bundle) = match (RecordDir::open(record), RecordDir::open(bundle)) {
                (Ok(r), Ok(b)) => (r, b),
                (Err(e), _) | (_, Err(e)) => return could_not_run(&e.to_string()),
            };
            let roll_bytes = match std::fs::read(roll) {
                Ok(b) => b,
                Err(e) => return could_not_run(&format!("cannot read {}: {e}", roll.display())),
            };
            let inputs = AuditInputs {
                roll: &roll_bytes,
                roll_name: &roll.display().to_string(),
                country: *country,
            };
            audit_record(&record, &bundle, &inputs, &options, &mut OsRng)
        }
        Command::Receipt {
            record,
            receipt,
            ballot_hash,
        } => {
            let ballot = match ballot_hash.as_deref().map(BallotHash::from_hex) {
                None => None,
                Some(Some(h)) => Some(h),
                Some(None) => return could_not_run("--ballot-hash must be 64 hex digits"),
            };
            let dir = match RecordDir::open(record) {
                Ok(dir) => dir,
                Err(e) => return could_not_run(&e.to_string()),
            };
            let bytes = match std::fs::read(receipt) {
                Ok(b) => b,
                Err(e) => return could_not_run(&format!("cannot read {}: {e}", receipt.display())),
            };
            check_receipt(&dir, &bytes, ballot, &options, &mut OsRng)
        }
    };
    if cli.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    ExitCode::from(u8::try_from(report.exit_code()).unwrap_or(2))
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
