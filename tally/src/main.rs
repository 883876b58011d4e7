//! `tally`: the officials' offline tool. Everything is in the library (`tally::run`); this
//! only parses the command line and turns the outcome into an exit status.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = tally::Cli::parse();
    match tally::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", tally::error_message(&e));
            ExitCode::from(tally::exit_code(&e))
        }
    }
}
