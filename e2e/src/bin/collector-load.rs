//! `collector-load`: the collector's load generator and benchmark (docs/BENCHMARKS.md).
//!
//! `collector-load setup --dir DIR --voters N --candidates K` makes a whole load-test
//! election with the real `tally` binary (insecure demo PKI, fast KDF: tests and benchmarks
//! only; the `tally` beside this program, built with `--features insecure-demo-pki`)
//! and the collector's key, and prints the `collector serve` command.
//! `collector-load run --collector URL --pki DIR/pki` then votes: every demo voter once
//! (and a share of them twice), with C concurrent connections, verifying every receipt, and
//! reports accepted submissions per second and latency percentiles.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use ivote_collector::client::ApiClient;
use ivote_e2e::load::{self, Plan};
use ivote_testkit::cli;

/// The collector's load generator.
#[derive(Debug, Parser)]
#[command(name = "collector-load", version)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Make a load-test election in a new folder (with the tally binary).
    Setup(SetupArgs),
    /// Vote against a running collector and report throughput and latency.
    Run(RunArgs),
}

#[derive(Debug, Args)]
struct SetupArgs {
    /// The folder to make (must not exist).
    #[arg(long)]
    dir: PathBuf,
    /// How many voters.
    #[arg(long, default_value_t = 2000)]
    voters: u32,
    /// How many candidates in the one contest (e.g. 5 or 81).
    #[arg(long, default_value_t = 5)]
    candidates: usize,
    /// The tally binary, built with the feature `insecure-demo-pki` (default: `tally` beside
    /// this program).
    #[arg(long)]
    tally: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The collector's address.
    #[arg(long)]
    collector: String,
    /// The demo PKI folder of the setup (DIR/pki).
    #[arg(long)]
    pki: PathBuf,
    /// For https: the CA certificate (PEM) of the collector's certificate.
    #[arg(long)]
    ca_cert: Option<PathBuf>,
    /// Concurrent connections.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// The share of voters who vote twice (0 to 1).
    #[arg(long, default_value_t = 0.1)]
    revote_fraction: f64,
    /// Write every verified receipt here (hex, one per line).
    #[arg(long)]
    receipts: Option<PathBuf>,
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn setup(a: SetupArgs) -> Result<(), String> {
    let tally = match a.tally {
        Some(t) => t,
        None => std::env::current_exe()
            .map_err(|e| e.to_string())?
            .with_file_name("tally"),
    };
    std::fs::create_dir(&a.dir).map_err(|e| format!("{}: {e}", a.dir.display()))?;
    let starts = now() - 600;
    let manifest = load::manifest_toml(a.candidates, starts, starts + 7 * 86_400)?;
    let write = |name: &str, text: &str| {
        std::fs::write(a.dir.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    write("manifest.toml", &manifest)?;
    write("pass.txt", "load test passphrase\n")?;
    let keygen = ivote_collector::cmd::Cli::try_parse_from([
        "collector",
        "keygen",
        "--out",
        &a.dir.join("collector").display().to_string(),
    ])
    .map_err(|e| e.to_string())?;
    ivote_collector::cmd::run(keygen).map_err(|e| e.to_string())?;
    for args in load::setup_commands(&a.dir, a.voters, a.candidates, starts - 3600)? {
        let out = Command::new(&tally)
            .args(&args)
            .output()
            .map_err(|e| format!("{}: {e}", tally.display()))?;
        if !out.status.success() {
            return Err(format!(
                "tally {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    let officials = std::fs::read_to_string(a.dir.join("officials/officials-key.hex"))
        .map_err(|e| e.to_string())?;
    let serve = cli::collector_serve(
        &a.dir,
        cli::COLLECTOR_SECRET,
        "data",
        ["--officials-key", officials.trim()],
    );
    println!("collector {}", serve.join(" "));
    Ok(())
}

fn write_receipts(
    path: &Path,
    receipts: &[ivote_protocol::receipt::Receipt],
) -> Result<(), String> {
    let text: String = receipts
        .iter()
        .map(|r| format!("{}\n", hex::encode(r.to_bytes())))
        .collect();
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn run(a: RunArgs) -> Result<(), String> {
    let voters = load::read_voters(&a.pki).map_err(|e| e.to_string())?;
    let ca = a
        .ca_cert
        .as_ref()
        .map(std::fs::read)
        .transpose()
        .map_err(|e| e.to_string())?;
    let client = ApiClient::new(&a.collector, ca.as_deref()).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let plan = Plan {
        concurrency: a.concurrency,
        revote_fraction: a.revote_fraction,
    };
    println!(
        "{} voters, concurrency {}, revote fraction {}",
        voters.len(),
        plan.concurrency,
        plan.revote_fraction
    );
    let report = runtime
        .block_on(load::run(client, Arc::new(voters), plan))
        .map_err(|e| e.to_string())?;
    print!("{}", report.render());
    if let Some(path) = &a.receipts {
        write_receipts(path, &report.receipts)?;
    }
    if report.failures.contains_key("bad_receipt") {
        return Err("some receipts did not verify".into());
    }
    Ok(())
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Cmd::Setup(a) => setup(a),
        Cmd::Run(a) => run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("collector-load: {e}");
            ExitCode::FAILURE
        }
    }
}
