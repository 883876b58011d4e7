//! `tally results`.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use ivote_protocol::record::aggregates::Aggregates;
use ivote_protocol::record::results::Results;
use ivote_protocol::record::{self, check_context, seal};

use crate::cmd::inputs;
use crate::count::election::load_package;
use crate::count::error::CountError;
use crate::count::publish::open_sealed;
use crate::count::results::ElectionResults;
use crate::error::Refusal;
use crate::fsio;

/// The output formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// A table for the terminal.
    Table,
    /// CSV: district,contest,candidate,name,party,votes,ballots (district `all`: the
    /// totals by party of a contest held in several districts).
    Csv,
    /// JSON.
    Json,
    /// A self-contained HTML page with a bar chart per contest.
    Html,
}

/// The arguments of `tally results` (help on [`crate::Command::Results`]).
#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// The election record folder (from `tally publish`).
    #[arg(value_name = "RECORD")]
    pub record: PathBuf,
    /// The officials' public key: its file (officials-key.hex) or the key itself, 64 hex
    /// digits, as they published it.
    #[arg(long, value_name = "FILE_OR_HEX")]
    pub officials_key: String,
    /// What to print.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Write the results to this file (e.g. results.html) instead of printing them; says
    /// where it wrote them.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs `results`.
pub fn run(a: ResultsArgs) -> Result<()> {
    let officials = inputs::officials_key(&a.officials_key)?;
    let index = open_sealed(&a.record, &officials)?;
    let package = load_package(&a.record.join(record::PACKAGE_DIR), &officials)?;
    let refuse = |e| Refusal::from(CountError::from(e));
    if index.kind != seal::KIND_RECORD {
        return Err(refuse(ivote_protocol::record::RecordError::Malformed {
            file: record::INDEX_FILE,
            detail: format!("this folder is an {}, not an election record", index.kind),
        })
        .into());
    }
    check_context(record::INDEX_FILE, &index.context, &package.context_hash).map_err(refuse)?;
    let aggregates = Aggregates::from_bytes(&fsio::read(&a.record.join(record::AGGREGATES_FILE))?)
        .map_err(refuse)?;
    let results =
        Results::from_bytes(&fsio::read(&a.record.join(record::RESULTS_FILE))?).map_err(refuse)?;
    check_context(
        record::AGGREGATES_FILE,
        &aggregates.context,
        &package.context_hash,
    )
    .and_then(|()| {
        check_context(
            record::RESULTS_FILE,
            &results.context,
            &package.context_hash,
        )
    })
    .and_then(|()| aggregates.check_positions(&package.manifest))
    .map_err(refuse)?;
    if results.counts.len() != aggregates.targets().len() {
        return Err(refuse(ivote_protocol::record::RecordError::Malformed {
            file: record::RESULTS_FILE,
            detail: "not one count per aggregate and per district's flag sum".into(),
        })
        .into());
    }
    let r = ElectionResults::new(&package.manifest, &aggregates, &results);
    let text = match a.format {
        Format::Table => r.to_table(),
        Format::Csv => r.to_csv(),
        Format::Json => r.to_json(),
        Format::Html => r.to_html(),
    };
    match &a.out {
        Some(path) => {
            fsio::write(path, text.as_bytes())?;
            println!("results written to {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}
