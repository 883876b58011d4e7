//! `voter-app`: the voter's app: cast an encrypted, signed ballot, keep the receipt, verify, revote.
//!
//! Only the command-line shell exists so far; the capability is built in issue 5.
//! Until then the program says so and exits with status 2 ("could not run").

use clap::Parser;

/// the voter's app: cast an encrypted, signed ballot, keep the receipt, verify, revote.
#[derive(Debug, Parser)]
#[command(name = "voter-app", version, about)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
    eprintln!("voter-app: not available yet in this version of ivote (tracked as issue 5)");
    std::process::exit(2);
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
