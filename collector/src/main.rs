//! `collector`: the online ballot box. Everything is in the library
//! (`ivote_collector::cmd::run`); this only parses the command line and turns the outcome
//! into an exit status.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = ivote_collector::cmd::Cli::parse();
    match ivote_collector::cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("collector: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
