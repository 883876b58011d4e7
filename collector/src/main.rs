//! `collector`: the online ballot box: checks, stores and logs submissions, issues signed receipts.
//!
//! Only the command-line shell exists so far; the capability is built in issue 4.
//! Until then the program says so and exits with status 2 ("could not run").

use clap::Parser;

/// the online ballot box: checks, stores and logs submissions, issues signed receipts.
#[derive(Debug, Parser)]
#[command(name = "collector", version, about)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
    eprintln!("collector: not available yet in this version of ivote (tracked as issue 4)");
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
