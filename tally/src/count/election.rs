//! The election as the count checks submissions against it: the verified package and the
//! election loaded from it and the voter roll whose hash it carries
//! ([`ivote_protocol::acceptance::LoadedElection`]).

use std::path::Path;

use anyhow::{Context, Result};
use ed25519_dalek::VerifyingKey;
use ivote_eid::TrustError;
use ivote_protocol::acceptance::{LoadError, LoadedElection};
use ivote_protocol::package::{verify_and_load, ElectionPackage, PackageTrust};
use ivote_protocol::roll::PackageRollError;
use ivote_protocol::Country;

use super::error::CountError;
use crate::error::Refusal;
use crate::fsio;

/// Loads and verifies the package folder `dir` against the officials' public key.
pub fn load_package(dir: &Path, officials: &VerifyingKey) -> Result<ElectionPackage> {
    let files = ivote_protocol::fs::read_package_dir(dir)
        .with_context(|| format!("cannot read the election package {}", dir.display()))?;
    let package =
        verify_and_load(&files, PackageTrust::OfficialsKey(officials)).map_err(Refusal::from)?;
    Ok(package)
}

/// The verified package, and the election every submission is checked against (the
/// acceptance check's, [`LoadedElection`]), parsed once.
#[derive(Debug)]
pub struct CountElection {
    /// The verified package.
    pub package: ElectionPackage,
    /// The trust anchors and CRL, the contest shapes, the window and the voter roll.
    pub election: LoadedElection,
}

impl CountElection {
    /// Builds the election from a verified package and the roll file (its SHA-256 must be
    /// the package's `roll.sha256`).
    pub fn new(package: ElectionPackage, roll_file: &Path, country: Country) -> Result<Self> {
        let roll_csv = fsio::read(roll_file)?;
        let election = LoadedElection::new(&package, &roll_csv, country).map_err(|e| match e {
            LoadError::Roll(PackageRollError::NotPublished { expected, actual }) => {
                Refusal::from(CountError::RollHashMismatch {
                    expected: expected.to_hex(),
                    actual: actual.to_hex(),
                })
            }
            LoadError::Roll(PackageRollError::Invalid(errors)) => Refusal::Roll {
                file: roll_file.display().to_string(),
                errors,
            },
            LoadError::Trust(e) => {
                let file = match e {
                    TrustError::Crl(_) => "the package's crl.pem",
                    _ => "the package's trust-anchors.pem",
                };
                Refusal::Eid {
                    file: file.into(),
                    error: Box::new(e.into_eid()),
                }
            }
            LoadError::Shapes(e) => {
                Refusal::malformed("the package's manifest.toml", e.to_string())
            }
            other => Refusal::malformed("the election package", other.to_string()),
        })?;
        Ok(CountElection { package, election })
    }
}
