//! `tally import`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use ivote_protocol::{record, Country};

use crate::cmd::inputs;
use crate::count::election::{load_package, CountElection};
use crate::count::folder::{BOX_HASH_FILE, REPORT_FILE};
use crate::count::import::{import, report};
use crate::count::{paper, publish::hash_file};
use crate::fsio;

/// The arguments of `tally import` (help on [`crate::Command::Import`]).
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The election package folder.
    #[arg(long, value_name = "FOLDER")]
    pub package: PathBuf,
    /// The officials' public key: its file (officials-key.hex) or the key itself, 64 hex
    /// digits, as they published it. The package must carry their signature.
    #[arg(long, value_name = "FILE_OR_HEX")]
    pub officials_key: String,
    /// The voter roll file published with the package (its SHA-256 must be the package's).
    #[arg(long, value_name = "CSV_FILE")]
    pub roll: PathBuf,
    /// The roll's country: EE or TH.
    #[arg(long, value_name = "EE|TH")]
    pub country: Country,
    /// The ballot box exported by the collector (ballot-box.bin).
    #[arg(long, value_name = "FILE")]
    pub ballot_box: PathBuf,
    /// The paper cancellation list: first line `id_code`, then the personal code of every
    /// voter who voted on paper, one per line.
    #[arg(long, value_name = "FILE")]
    pub paper_votes: Option<PathBuf>,
    /// The count folder to create (must not exist).
    #[arg(long, value_name = "FOLDER")]
    pub out: PathBuf,
}

/// Runs `import`.
pub fn run(a: ImportArgs) -> Result<()> {
    if a.out.exists() {
        anyhow::bail!(
            "{} already exists; give a new folder to --out (nothing is ever overwritten)",
            a.out.display()
        );
    }
    let officials = inputs::officials_key(&a.officials_key)?;
    let package = load_package(&a.package, &officials)?;
    println!(
        "election package OK: election {}, context hash {}",
        package.manifest.election_id().as_str(),
        package.context_hash.to_hex()
    );
    let el = CountElection::new(package, &a.roll, a.country)?;
    let (paper_ids, paper_bytes) = match &a.paper_votes {
        Some(p) => {
            let bytes = fsio::read(p)?;
            let ids = paper::parse(&p.display().to_string(), &bytes, &el.election.roll)
                .map_err(crate::error::Refusal::from)?;
            (ids, Some(bytes))
        }
        None => Default::default(),
    };
    let box_hash = hex::encode(hash_file(&a.ballot_box)?);
    let parent = a
        .out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    fsio::ensure_dir(parent)?;
    let tmp = tempfile::Builder::new()
        .prefix(".tmp-count-")
        .tempdir_in(parent)
        .with_context(|| format!("cannot create a folder in {}", parent.display()))?;
    let work = tmp.path();
    let imported = import(&el, &a.ballot_box, &paper_ids, work)?;
    let context = el.package.context_hash;
    let text = report(&imported, &box_hash);
    fsio::write_new(work, record::LOG_FILE, &imported.log.to_bytes())?;
    fsio::write_new(
        work,
        record::AGGREGATES_FILE,
        &imported.aggregates.to_bytes(),
    )?;
    fsio::write_new(
        work,
        record::RULE_COUNTS_FILE,
        &imported.rules.counts.to_bytes(&context),
    )?;
    fsio::write_new(
        work,
        record::DECISIONS_FILE,
        &imported.rules.decisions.to_bytes(),
    )?;
    fsio::write_new(work, REPORT_FILE, text.as_bytes())?;
    fsio::write_new(work, BOX_HASH_FILE, format!("{box_hash}\n").as_bytes())?;
    fsio::write_new(
        work,
        record::OFFICIALS_KEY_FILE,
        format!("{}\n", hex::encode(officials.as_bytes())).as_bytes(),
    )?;
    if let Some(bytes) = &paper_bytes {
        fsio::write_new(work, record::PAPER_VOTES_FILE, bytes)?;
    }
    let files = ivote_protocol::fs::read_package_dir(&a.package)?;
    ivote_protocol::fs::write_package_dir(&work.join(record::PACKAGE_DIR), &files)?;
    std::fs::rename(tmp.keep(), &a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    // The totals: the report up to its first blank line.
    println!("{}", text.split("\n\n").next().unwrap_or_default());
    println!(
        "\nwrote the count folder {} (the full report, with every submission that was not \
         counted, is {}).\nNext: each trustee runs `tally decrypt-share --count {} \
         --ballot-box {} --trustee J --share trustee-J.share.SECRET.json --out \
         decryption-shares-J.bin`.",
        a.out.display(),
        a.out.join(REPORT_FILE).display(),
        a.out.display(),
        a.ballot_box.display()
    );
    Ok(())
}
