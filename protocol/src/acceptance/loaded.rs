//! What every program that checks submissions loads once from a verified election package
//! (and, to check eligibility, the voter roll): parsed and indexed, so that checking a
//! submission only looks things up.

use ed25519_dalek::VerifyingKey;
use ivote_crypto::PublicKey;
use ivote_eid::{Crl, EidTrust, TrustAnchors, TrustError};
use thiserror::Error;

use super::cache::CertificateCache;
use super::ocsp::{OcspSettings, OcspSettingsError};
use crate::ballot::{BallotError, BallotShapes};
use crate::package::{ContextHash, ElectionPackage};
use crate::roll::{Country, PackageRollError, VoterRoll};

/// The package's part: what a ballot and a certificate are checked against. The voter app,
/// which has no roll, loads this alone.
#[derive(Debug)]
pub struct LoadedPackage {
    /// The election context hash.
    pub context: ContextHash,
    /// The joint election key.
    pub joint_key: PublicKey,
    /// The collector's key (`collector-key.hex`): it signs challenges, receipts and tree
    /// heads.
    pub collector_key: VerifyingKey,
    /// Every contest's shape, per district.
    pub shapes: BallotShapes,
    /// The e-ID trust anchors.
    pub anchors: TrustAnchors,
    /// The CRL, if the package has one.
    pub crl: Option<Crl>,
    /// Which CAs' voters are checked by OCSP at cast time (`ocsp.toml`; empty without it).
    pub ocsp: OcspSettings,
    /// Start of voting (Unix seconds, inclusive).
    pub starts: i64,
    /// End of voting (Unix seconds, exclusive).
    pub ends: i64,
}

impl LoadedPackage {
    /// The voting window `[starts, ends)`.
    pub fn voting_window(&self) -> (i64, i64) {
        (self.starts, self.ends)
    }
}

/// The election as submissions are checked against it: the package's part, the voter roll
/// and the cache of validated certificates.
#[derive(Debug)]
pub struct LoadedElection {
    /// The package's part.
    pub package: LoadedPackage,
    /// The voter roll.
    pub roll: VoterRoll,
    /// Certificates validated so far.
    pub certificates: CertificateCache,
}

/// Reads the package's part through the election: `election.context`, `election.shapes`, ...
impl std::ops::Deref for LoadedElection {
    type Target = LoadedPackage;

    fn deref(&self) -> &LoadedPackage {
        &self.package
    }
}

/// Why an election does not load from its package and roll.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The roll file is not the package's, or does not validate.
    #[error("{0}")]
    Roll(PackageRollError),
    /// The package's trust anchors or CRL do not load.
    #[error("the package's e-ID trust: {0}")]
    Trust(TrustError),
    /// The package's `ocsp.toml` does not load.
    #[error("the package's {0}")]
    Ocsp(OcspSettingsError),
    /// The manifest's contests give no ballot shapes.
    #[error("the package's manifest: {0}")]
    Shapes(BallotError),
}

impl LoadError {
    /// The stable code: `election.roll_hash_mismatch`, or the underlying error's code
    /// (`roll.*` for the roll's first problem, `eid.*`, `ballot.*`).
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::Roll(PackageRollError::NotPublished { .. }) => "election.roll_hash_mismatch",
            LoadError::Roll(PackageRollError::Invalid(e)) => {
                e.codes().first().copied().unwrap_or("roll.invalid")
            }
            LoadError::Trust(e) => e.code(),
            LoadError::Ocsp(e) => e.code(),
            LoadError::Shapes(e) => e.code(),
        }
    }
}

impl LoadedPackage {
    /// Loads from a verified package ([`crate::package::verify_and_load`]): the trust
    /// anchors and CRL ([`EidTrust::from_pem`]), the OCSP settings
    /// ([`OcspSettings::from_toml`]), then the contests' shapes.
    pub fn new(package: &ElectionPackage) -> Result<LoadedPackage, LoadError> {
        let EidTrust { anchors, crl } =
            EidTrust::from_pem(&package.trust_anchors_pem, package.crl_pem.as_deref())
                .map_err(LoadError::Trust)?;
        let ocsp = match &package.ocsp_toml {
            Some(toml) => OcspSettings::from_toml(toml, &anchors).map_err(LoadError::Ocsp)?,
            None => OcspSettings::default(),
        };
        let manifest = &package.manifest;
        Ok(LoadedPackage {
            context: package.context_hash,
            joint_key: package.ceremony.joint_key.clone(),
            collector_key: package.collector_key,
            shapes: BallotShapes::from_manifest(manifest).map_err(LoadError::Shapes)?,
            anchors,
            crl,
            ocsp,
            starts: manifest.voting_starts().as_second(),
            ends: manifest.voting_ends().as_second(),
        })
    }
}

impl LoadedElection {
    /// Loads from a verified package and the voter roll file's bytes, of `country`'s codes.
    /// The roll must be the file the officials published: its SHA-256 must be the package's
    /// `roll.sha256`, checked before it is parsed ([`ElectionPackage::voter_roll`]); then
    /// [`LoadedPackage::new`].
    pub fn new(
        package: &ElectionPackage,
        roll_csv: &[u8],
        country: Country,
    ) -> Result<LoadedElection, LoadError> {
        let roll = package
            .voter_roll(roll_csv, country)
            .map_err(LoadError::Roll)?;
        Ok(LoadedElection::with_roll(
            LoadedPackage::new(package)?,
            roll,
        ))
    }

    /// The election of a loaded package and a roll already checked against it (the
    /// verifier reports the roll's problems as a check of their own).
    pub fn with_roll(package: LoadedPackage, roll: VoterRoll) -> LoadedElection {
        LoadedElection {
            package,
            roll,
            certificates: CertificateCache::default(),
        }
    }
}
