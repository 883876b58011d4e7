//! `tally`: the officials' offline tool: election setup, key ceremony, counting and the election record.
//!
//! Only the command-line shell exists so far; the capability is built in issue 6.
//! Until then the program says so and exits with status 2 ("could not run").

use clap::Parser;

/// the officials' offline tool: election setup, key ceremony, counting and the election record.
#[derive(Debug, Parser)]
#[command(name = "tally", version, about)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
    eprintln!("tally: not available yet in this version of ivote (tracked as issue 6)");
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
