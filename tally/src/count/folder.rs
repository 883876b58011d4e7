//! The count folder that `tally import` writes and the later steps read:
//!
//! | file | what |
//! |---|---|
//! | `package/` | the election package (verified again by every step) |
//! | `officials-key.hex` | the officials' public key the package was verified with |
//! | `log.bin`, `ballots.bin`, `aggregates.bin`, `rule-counts.bin` | record files (`docs/election-record.md`) |
//! | `flag-openings.bin` | which ballots counted (auditors' bundle; never public) |
//! | `decisions.bin`, `paper-votes.csv` (if given) | for the auditors' bundle |
//! | `ballot-box.sha256` | the SHA-256 of the imported box (publish checks the box it bundles) |
//! | `import-report.txt` | the officials' report |
//! | `results.bin`, `decryption-shares-J.bin` | written by `tally combine` |

use std::path::{Path, PathBuf};

use anyhow::Result;
use ed25519_dalek::VerifyingKey;
use ivote_protocol::package::ElectionPackage;
use ivote_protocol::record::aggregates::Aggregates;
use ivote_protocol::record::{self, check_context, RecordError};

use super::election::load_package;
use super::error::CountError;
use crate::cmd::inputs;
use crate::error::Refusal;
use crate::fsio;

/// The imported box's SHA-256, hex.
pub const BOX_HASH_FILE: &str = "ballot-box.sha256";
/// The officials' import report.
pub const REPORT_FILE: &str = "import-report.txt";

/// A loaded count folder.
#[derive(Debug)]
pub struct CountFolder {
    /// The folder.
    pub dir: PathBuf,
    /// The officials' public key.
    pub officials: VerifyingKey,
    /// The verified package.
    pub package: ElectionPackage,
    /// `aggregates.bin`, decoded and checked against the manifest.
    pub aggregates: Aggregates,
    /// Its exact bytes' SHA-256.
    pub aggregates_hash: [u8; 32],
}

impl CountFolder {
    /// Loads and checks the folder.
    pub fn load(dir: &Path) -> Result<CountFolder> {
        let officials = inputs::public_key(&dir.join(record::OFFICIALS_KEY_FILE))?;
        let package = load_package(&dir.join(record::PACKAGE_DIR), &officials)?;
        let bytes = fsio::read(&dir.join(record::AGGREGATES_FILE))?;
        let aggregates = Aggregates::from_bytes(&bytes).map_err(|e| damaged(dir, &e))?;
        check_context(
            record::AGGREGATES_FILE,
            &aggregates.context,
            &package.context_hash,
        )
        .and_then(|()| aggregates.check_positions(&package.manifest))
        .map_err(|e| damaged(dir, &e))?;
        Ok(CountFolder {
            dir: dir.to_owned(),
            officials,
            package,
            aggregates,
            aggregates_hash: sha2::Digest::finalize(
                <sha2::Sha256 as sha2::Digest>::new_with_prefix(&bytes),
            )
            .into(),
        })
    }

    /// A file of the folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Refuses a folder with a damaged record file (`tally.count_folder`).
    pub fn damaged(&self, e: &RecordError) -> anyhow::Error {
        damaged(&self.dir, e)
    }

    /// Refuses a folder whose file disagrees with the others.
    pub fn refuse(&self, name: &str, detail: impl Into<String>) -> anyhow::Error {
        Refusal::from(CountError::CountFolder {
            file: self.path(name).display().to_string(),
            detail: detail.into(),
        })
        .into()
    }
}

/// A record file of the count folder `dir` that does not read or is for another election:
/// the folder is damaged (`tally.count_folder`, as for a file that disagrees with the others);
/// the record error names the file.
fn damaged(dir: &Path, e: &RecordError) -> anyhow::Error {
    Refusal::from(CountError::CountFolder {
        file: dir.display().to_string(),
        detail: e.to_string(),
    })
    .into()
}
