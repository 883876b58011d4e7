//! `forge-box`: the dishonest collector's kit on the command line (tests and demonstrations
//! only). Reads an honest exported `ballot-box.bin` and the collector's secret key file, and
//! writes a box forged as a collector that lies about time and order would, correctly signed
//! ([`ivote_e2e::forge`]):
//!
//! ```text
//! forge-box --box ballot-box.bin --collector-key collector-key.SECRET.hex --out forged.bin \
//!     [--renumber] reappend:1@1803280000 retime:7@1803279590 move:3@1 drop:2
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use ivote_e2e::forge::{forge_box, read_collector_key, Forgery, Numbering};

/// Forges a ballot box as a dishonest collector would.
#[derive(Debug, Parser)]
#[command(name = "forge-box", version)]
struct Cli {
    /// The honest exported ballot box.
    #[arg(long = "box")]
    ballot_box: PathBuf,
    /// The collector's secret key file (`collector-key.SECRET.hex`).
    #[arg(long)]
    collector_key: PathBuf,
    /// The forged box to write (must not exist).
    #[arg(long)]
    out: PathBuf,
    /// Renumber each voter's submissions 1, 2, 3, ... after the lies (a careful forger);
    /// otherwise each record keeps its number.
    #[arg(long)]
    renumber: bool,
    /// The lies, applied in order: reappend:LEAF@TIME, retime:LEAF@TIME, move:LEAF@POSITION,
    /// drop:LEAF.
    #[arg(required = true)]
    forgeries: Vec<Forgery>,
}

fn run(cli: &Cli) -> Result<()> {
    let honest = std::fs::read(&cli.ballot_box)
        .with_context(|| format!("cannot read {}", cli.ballot_box.display()))?;
    let key = read_collector_key(&cli.collector_key)?;
    let numbering = if cli.renumber {
        Numbering::Renumber
    } else {
        Numbering::Keep
    };
    let forged = forge_box(&honest, &key, &cli.forgeries, numbering)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&cli.out)
        .with_context(|| format!("cannot create {}", cli.out.display()))?;
    std::io::Write::write_all(&mut file, &forged)
        .with_context(|| format!("cannot write {}", cli.out.display()))?;
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("forge-box: {e:#}");
            ExitCode::from(2)
        }
    }
}
