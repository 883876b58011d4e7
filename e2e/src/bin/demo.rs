//! `demo`: a complete local election with the real ivote programs, each a separate process
//! talking HTTP on loopback, on the embedded default storage. What a newcomer runs first:
//!
//! ```sh
//! cargo run --release --bin demo -- --voters 1000 --dir DIR
//! ```
//!
//! With `--keep-open` it then prints the browser booth's address and keeps voting open for
//! votes by hand until Enter is pressed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Result};
use clap::Parser;
use ivote_e2e::flow::{self, Options};
use ivote_e2e::plan::Shares;
use ivote_e2e::programs::{Programs, PROGRAMS};
use ivote_e2e::terminal::Terminal;

/// A complete local election with the real programs: demo e-IDs and roll, a 3-of-5 key
/// ceremony, the collector, voters casting (some vote again, some also vote on paper, some
/// have revoked certificates, one checks their vote on a second device), closing, export,
/// the count with 3 of the 5 trustees, the signed election record, and the independent
/// verifier. NOT FOR REAL ELECTIONS: every key and certificate is a throw-away demo one.
#[derive(Debug, Parser)]
#[command(name = "demo", version)]
struct Args {
    /// Voters in the roll.
    #[arg(long, default_value_t = 1000)]
    voters: usize,
    /// The working folder (created; must not hold an election). Default: a new temporary
    /// folder, kept after the run.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Seed of the voters' random choices.
    #[arg(long, default_value_t = 2027)]
    seed: u64,
    /// Voters casting at the same time (default: twice the cores).
    #[arg(long)]
    parallel: Option<usize>,
    /// Do not build the programs first (they must be beside this one).
    #[arg(long)]
    no_build: bool,
    /// Once the scripted voters are done, keep voting open and print the browser booth's
    /// address, to vote by hand (builds the booth: needs the wasm32 target and
    /// wasm-bindgen-cli, docs/booth.md); Enter closes voting and counts.
    #[arg(long)]
    keep_open: bool,
}

fn run(args: Args) -> Result<()> {
    if args.voters < 10 {
        bail!("a demo needs at least 10 voters");
    }
    let programs = if args.no_build {
        Programs::beside_current_exe()?
    } else {
        println!("==> Building the programs ({})", PROGRAMS.join(", "));
        Programs::build_and_locate()?
    };
    let dir = match args.dir {
        Some(d) => d,
        None => tempfile::Builder::new()
            .prefix("ivote-demo-")
            .tempdir()?
            .keep(),
    };
    let booth = if args.keep_open {
        println!("==> Building the browser booth (voter-app/web/build.sh)");
        Some(ivote_e2e::booth::build(&programs)?)
    } else {
        None
    };
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let options = Options {
        voters: args.voters,
        revoked: (args.voters / 100).max(1),
        shares: Shares::default(),
        trustees: vec![1, 3, 5],
        seed: args.seed,
        parallel: args.parallel.unwrap_or(2 * cores),
        booth,
    };
    println!("ivote demo: {} voters in {}", args.voters, dir.display());
    println!("NOT FOR REAL ELECTIONS: demo keys, demo certificates, one machine.");
    let started = Instant::now();
    let outcome = flow::run(&programs, &dir, &options, &Terminal)?;

    println!("\n==> Results");
    print!("{}", outcome.results_table);
    println!(
        "\nThe results page (open it in a browser): {}",
        outcome.results_page.display()
    );
    let expected = outcome.plan.expected(&flow::load_manifest(&outcome.files)?);
    if outcome.hand_votes > 0 {
        println!(
            "\nThe results include {} vote(s) cast by hand in the booth, so they are not \
             compared with the scripted voters' (the verifier below checks them all).",
            outcome.hand_votes
        );
    } else if outcome.results != expected {
        bail!("the published results differ from what the voters cast");
    } else {
        println!(
            "\nThe published results are exactly what the {} counted voters cast \
             (each one's last vote, paper voters' e-votes cancelled).",
            outcome.plan.counted_voters()
        );
    }
    println!("\n==> The verifier's report");
    print!("{}", outcome.verifier_report);
    println!(
        "\nDone in {} s. The election record is {}; check it yourself with\n    \
         {} check {}",
        started.elapsed().as_secs(),
        outcome.record.display(),
        programs.path("verifier").display(),
        outcome.record.display()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo: {e:#}");
            ExitCode::FAILURE
        }
    }
}
