//! The count's subcommands, in the order officials run them: `import`, `decrypt-share`
//! (each trustee), `combine`, `publish`, `results` (docs/tally.md).

pub mod combine;
pub mod decrypt_share;
pub mod import;
pub mod publish;
pub mod results;

use std::path::Path;

use anyhow::Result;
use ivote_protocol::record;

use crate::fsio::{self, Written};

/// Writes `name` into the count folder (never overwriting), printing it.
pub(crate) fn write_count_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<Written> {
    let w = fsio::write_new(dir, name, bytes)?;
    crate::cmd::print_written(std::slice::from_ref(&w));
    Ok(w)
}

/// The record's files that `import` writes into the count folder.
pub(crate) const IMPORT_FILES: &[&str] = &[
    record::LOG_FILE,
    record::BALLOTS_FILE,
    record::AGGREGATES_FILE,
    record::RULE_COUNTS_FILE,
    record::DECISIONS_FILE,
    record::FLAG_OPENINGS_FILE,
];

/// The files of the count folder that go to the auditors' bundle, never to the public
/// record: they say which submission is whose and which ballots counted.
pub(crate) const AUDITORS_ONLY: &[&str] = &[
    record::DECISIONS_FILE,
    record::FLAG_OPENINGS_FILE,
    record::PAPER_VOTES_FILE,
];
