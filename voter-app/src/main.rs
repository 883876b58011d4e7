//! `voter-app`: everything is in the library (`ivote_voter_app::run`); this parses the
//! command line and turns the outcome into an exit status: 0 done, 1 refused, 2 could not
//! run (said in the voter's language, `--lang`).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = ivote_voter_app::Cli::parse();
    let lang = cli.lang();
    match ivote_voter_app::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("voter-app: {}", e.in_language(lang));
            ExitCode::from(e.exit_code())
        }
    }
}
