//! The election as the count checks submissions against it: the verified package, the voter
//! roll whose hash the package carries, the trust anchors and CRL, the contest shapes.

use std::path::Path;

use anyhow::{Context, Result};
use ed25519_dalek::VerifyingKey;
use ivote_eid::{Crl, EidTrust, TrustAnchors, TrustError};
use ivote_protocol::ballot::BallotShapes;
use ivote_protocol::package::{verify_and_load, ElectionPackage, PackageTrust};
use ivote_protocol::roll::PackageRollError;
use ivote_protocol::{Country, VoterRoll};

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

/// Everything the import checks a submission against, parsed once.
#[derive(Debug)]
pub struct CountElection {
    /// The verified package.
    pub package: ElectionPackage,
    /// The contest shapes per district.
    pub shapes: BallotShapes,
    /// The e-ID trust anchors.
    pub anchors: TrustAnchors,
    /// The CRL, if the package has one.
    pub crl: Option<Crl>,
    /// The voter roll.
    pub roll: VoterRoll,
    /// Start of voting (Unix seconds, inclusive).
    pub starts: i64,
    /// End of voting (Unix seconds, exclusive).
    pub ends: i64,
}

impl CountElection {
    /// Builds the election from a verified package and the roll file (its SHA-256 must be
    /// the package's `roll.sha256`).
    pub fn new(package: ElectionPackage, roll_file: &Path, country: Country) -> Result<Self> {
        let roll_csv = fsio::read(roll_file)?;
        let roll = package
            .voter_roll(&roll_csv, country)
            .map_err(|e| match e {
                PackageRollError::NotPublished { expected, actual } => {
                    Refusal::from(CountError::RollHashMismatch {
                        expected: expected.to_hex(),
                        actual: actual.to_hex(),
                    })
                }
                PackageRollError::Invalid(errors) => Refusal::Roll {
                    file: roll_file.display().to_string(),
                    errors,
                },
            })?;
        let EidTrust { anchors, crl } =
            EidTrust::from_pem(&package.trust_anchors_pem, package.crl_pem.as_deref()).map_err(
                |e| {
                    let file = match e {
                        TrustError::Crl(_) => "the package's crl.pem",
                        _ => "the package's trust-anchors.pem",
                    };
                    Refusal::Eid {
                        file: file.into(),
                        error: Box::new(e.into_eid()),
                    }
                },
            )?;
        let shapes = BallotShapes::from_manifest(&package.manifest)
            .map_err(|e| Refusal::malformed("the package's manifest.toml", e.to_string()))?;
        Ok(CountElection {
            starts: package.manifest.voting_starts().as_second(),
            ends: package.manifest.voting_ends().as_second(),
            shapes,
            anchors,
            crl,
            roll,
            package,
        })
    }
}
