//! `voter-app`: everything is in the library (`ivote_voter_app::run`); this parses the
//! command line and turns the outcome into an exit status: 0 done, 1 refused, 2 could not
//! run.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = ivote_voter_app::Cli::parse();
    match ivote_voter_app::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("voter-app: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
