//! `national`: the national-scale run (docs/BENCHMARKS.md, "National-scale run"). A whole
//! election of the Estonian 2023 shape with the real programs, every stage timed:
//!
//! ```sh
//! cargo run --release --bin national -- --dir DIR
//! cargo run --release --bin national -- --dir DIR --voters 3000 --revotes 100 --paper 13
//! ```
//!
//! Rerunning the same command in the same folder resumes where it stopped.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use ivote_e2e::flow::Ui;
use ivote_e2e::national::timing::table;
use ivote_e2e::national::{self, Params, RunOptions, Stage};
use ivote_e2e::programs::{Programs, PROGRAMS};
use ivote_e2e::terminal::Terminal;

/// The national-scale run: an election of the Estonian 2023 shape (12 districts, 968
/// candidates, 313,514 e-voters, 10,787 revotes, 1,329 paper cancellations: 324,301
/// submissions) with real P-384 e-ID signatures and real proofs, each stage timed (setup,
/// collector, cast: ballot creation and collector intake, close, export, count, verify),
/// the results compared with what the voters cast. Resumable: rerun the same command.
/// NOT FOR REAL ELECTIONS: demo keys and certificates.
#[derive(Debug, Parser)]
#[command(name = "national", version)]
struct Args {
    /// The run's folder (created; a rerun in it resumes). A full run needs about 45 GB.
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    /// Districts (one 1-of-n plurality contest each).
    #[arg(long, default_value_t = 12)]
    districts: usize,
    /// Candidates in all, split between the districts as evenly as possible.
    #[arg(long, default_value_t = 968)]
    candidates: usize,
    /// Voters in the roll; every one e-votes.
    #[arg(long, default_value_t = 313_514)]
    voters: usize,
    /// Voters who vote a second time (later in the stream).
    #[arg(long, default_value_t = 10_787)]
    revotes: usize,
    /// E-voters on the paper-vote list (their e-votes are cancelled).
    #[arg(long, default_value_t = 1_329)]
    paper: usize,
    /// The demo e-IDs' key algorithm: p384 as Estonian ID cards, or ed25519, p256.
    #[arg(long, default_value = "p384")]
    key_algorithm: String,
    /// Seed of the plan (who votes what, revotes, is on the paper list; the order).
    #[arg(long, default_value_t = 2023)]
    seed: u64,
    /// Submissions per chunk of the cast (challenges fetched, ballots built, submitted).
    #[arg(long, default_value_t = 4096)]
    chunk: usize,
    /// Concurrent connections to the collector.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Stop after this stage (rerun without it to carry on).
    #[arg(long, value_enum, value_name = "STAGE")]
    until: Option<Stage>,
    /// For tests: interrupt the cast after N submissions of its first chunk.
    #[arg(long, value_name = "N", hide = true)]
    test_interrupt_cast: Option<usize>,
    /// Do not build the programs first (they must be beside this one).
    #[arg(long)]
    no_build: bool,
}

fn run(args: Args) -> Result<()> {
    let programs = if args.no_build {
        Programs::beside_current_exe()?
    } else {
        println!("==> Building the programs ({})", PROGRAMS.join(", "));
        Programs::build_and_locate()?
    };
    let params = Params {
        districts: args.districts,
        candidates: args.candidates,
        voters: args.voters,
        revotes: args.revotes,
        paper: args.paper,
        key_algorithm: args.key_algorithm,
        seed: args.seed,
        chunk: args.chunk,
    };
    let options = RunOptions {
        concurrency: args.concurrency.max(1),
        until: args.until,
        interrupt_cast: args.test_interrupt_cast,
    };
    let ui = Terminal;
    println!(
        "ivote national-scale run in {}: {}",
        args.dir.display(),
        params.describe()
    );
    println!("NOT FOR REAL ELECTIONS: demo keys, demo certificates, one machine.");
    let summary = national::run(&programs, &args.dir, &params, &options, &ui)?;
    if !summary.skipped.is_empty() {
        let names: Vec<String> = summary.skipped.iter().map(|s| s.name()).collect();
        ui.info(&format!(
            "already done before this run: {}",
            names.join(", ")
        ));
    }
    ui.step("Timings");
    print!("{}", table(&summary.rows));
    match summary.last {
        Some(Stage::Compare) => println!(
            "\nDone: the results are exactly what the voters cast. Timings in {}",
            args.dir.join("timings.md").display()
        ),
        Some(stage) => println!(
            "\nStopped after the {} stage: rerun the same command without --until to carry on.",
            stage.name()
        ),
        None => println!("\nNo stage was done: rerun the same command to start."),
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("national: {e:#}");
            ExitCode::FAILURE
        }
    }
}
