//! The command line: one module per subcommand, dispatched in [`run`].

pub mod ceremony;

use clap::{Parser, Subcommand};

use crate::fsio::Written;

/// tally: the election officials' offline tool.
///
/// Run it on an offline computer. Exit status: 0 done; 1 the input was refused (a check
/// failed, a complaint, a wrong passphrase): read the message; 2 the command could not run
/// (a file is missing or unreadable, or the command line is wrong).
#[derive(Debug, Parser)]
#[command(name = "tally", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The key ceremony that makes the election key, so that no single computer ever holds
    /// the secret: see docs/key-ceremony.md for the whole procedure.
    #[command(subcommand)]
    Ceremony(ceremony::CeremonyCommand),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    use ceremony::CeremonyCommand as C;
    match cli.command {
        Command::Ceremony(C::Init(a)) => ceremony::init::run(a),
        Command::Ceremony(C::Keygen(a)) => ceremony::keygen::run(a),
        Command::Ceremony(C::Roster(a)) => ceremony::roster::run(a),
        Command::Ceremony(C::Commit(a)) => ceremony::commit::run(a),
        Command::Ceremony(C::Receive(a)) => ceremony::receive::run(a),
        Command::Ceremony(C::Finish(a)) => ceremony::finish::run(a),
        Command::Ceremony(C::RunAll(a)) => ceremony::run_all::run(a),
    }
}

/// Prints the files a command wrote, with their SHA-256, for the ceremony minutes.
pub(crate) fn print_written(written: &[Written]) {
    for w in written {
        println!("wrote {}  (sha256 {})", w.path.display(), w.sha256);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_has_help() {
        let mut cli = Cli::command();
        let ceremony = cli.find_subcommand_mut("ceremony").unwrap();
        let names: Vec<String> = ceremony
            .get_subcommands()
            .map(|c| c.get_name().to_owned())
            .collect();
        assert_eq!(
            names,
            ["init", "keygen", "roster", "commit", "receive", "finish", "run-all"]
        );
        for sub in ceremony.get_subcommands_mut() {
            let help = sub.render_long_help().to_string();
            assert!(help.len() > 200, "{}: {help}", sub.get_name());
        }
    }
}
