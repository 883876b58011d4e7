//! `tally combine`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use ivote_protocol::record;

use super::write_count_file;
use crate::count::decrypt::combine_files;
use crate::count::folder::CountFolder;
use crate::count::results::ElectionResults;

/// The arguments of `tally combine` (help on [`crate::Command::Combine`]).
#[derive(Debug, Args)]
pub struct CombineArgs {
    /// The count folder written by `tally import`.
    #[arg(long, value_name = "FOLDER")]
    pub count: PathBuf,
    /// The trustees' decryption share files (from `tally decrypt-share`).
    #[arg(value_name = "SHARE_FILE", required = true)]
    pub shares: Vec<PathBuf>,
}

/// Runs `combine`.
pub fn run(a: CombineArgs) -> Result<()> {
    let folder = CountFolder::load(&a.count)?;
    if folder.path(record::RESULTS_FILE).exists() {
        anyhow::bail!(
            "{} already exists: this count was already combined",
            folder.path(record::RESULTS_FILE).display()
        );
    }
    let combined = combine_files(&folder, &a.shares)?;
    for (file, why) in &combined.skipped {
        eprintln!("WARNING: skipped {file}: {why}");
    }
    for v in &combined.used {
        write_count_file(
            &folder.dir,
            &record::decryption_shares_file(v.file.trustee),
            &v.bytes,
        )?;
    }
    write_count_file(
        &folder.dir,
        record::RESULTS_FILE,
        &combined.results.to_bytes(),
    )?;
    let trustees: Vec<String> = combined
        .results
        .trustees
        .iter()
        .map(u32::to_string)
        .collect();
    println!(
        "counts recovered with the shares of trustees {}\n",
        trustees.join(", ")
    );
    print!(
        "{}",
        ElectionResults::new(
            &folder.package.manifest,
            &folder.aggregates,
            &combined.results
        )
        .to_table()
    );
    println!(
        "\nNext: `tally publish --count {} --ballot-box ballot-box.bin --officials-key \
         officials-key.SECRET.json --out record --auditors-out auditors`.",
        folder.dir.display()
    );
    Ok(())
}
