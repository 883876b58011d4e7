//! Election package errors. Every loader refuses a package the same way, with these codes.

use crate::ceremony::CeremonyError;
use crate::manifest::ManifestErrors;

/// Why an election package was refused (or could not be built).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PackageError {
    /// A file the index lists, or one every package must have, is not in the directory.
    #[error(
        "the package has no file `{0}`; it must be there (copy the complete package directory)"
    )]
    MissingFile(String),
    /// A file in the directory that the index does not list (or that no package has).
    #[error("the package directory has a file `{0}` that is not part of the package; remove it")]
    ExtraFile(String),
    /// `package.json` is not a valid index.
    #[error("the package index package.json is not valid: {0}")]
    BadIndex(String),
    /// A file's SHA-256 differs from the one in the index: it was altered after signing.
    #[error("the file `{name}` was changed after the package was signed (its SHA-256 is {actual}, the index says {expected}); get the package again from the officials")]
    HashMismatch {
        /// The file.
        name: String,
        /// The hash in the index.
        expected: String,
        /// The hash of the file as found.
        actual: String,
    },
    /// `package.sig` is not 128 hex digits.
    #[error("package.sig must hold 128 hex digits (a 64-byte Ed25519 signature)")]
    BadSignatureFile,
    /// The index's signature does not verify with the officials' key.
    #[error("the package's signature does not verify with the officials' key: the index was altered, or this package is for another election")]
    BadSignature,
    /// The package's context hash is not the pinned one.
    #[error("the package's context hash is {actual}, not the expected {expected}: this is another package")]
    ContextMismatch {
        /// The pinned hash.
        expected: String,
        /// The package's hash.
        actual: String,
    },
    /// The manifest does not validate.
    #[error("manifest.toml: {0}")]
    BadManifest(ManifestErrors),
    /// `roll.sha256` is not 64 hex digits.
    #[error("roll.sha256 must hold 64 hex digits (the SHA-256 of the voter roll file)")]
    BadRollHash,
    /// `collector-key.hex` is not an Ed25519 public key.
    #[error("collector-key.hex must hold 64 hex digits: the collector's Ed25519 public key")]
    BadCollectorKey,
    /// `joint-key.hex` is not a valid election public key.
    #[error("joint-key.hex must hold 64 hex digits: a canonical, non-identity Ristretto255 point")]
    BadJointKey,
    /// The ceremony transcript does not verify (a commitment, a confirmation, or its stated
    /// joint key or verification keys).
    #[error("ceremony.json: {0}; use the ceremony.json that `tally ceremony finish` wrote")]
    BadCeremony(CeremonyError),
    /// The ceremony was held for another election id than the manifest's.
    #[error("ceremony.json is the key ceremony of election `{ceremony}`, but the manifest is for `{manifest}`; use this election's ceremony folder")]
    CeremonyForAnotherElection {
        /// The ceremony's election id.
        ceremony: String,
        /// The manifest's election id.
        manifest: String,
    },
    /// `joint-key.hex` is not the joint key the ceremony transcript gives.
    #[error("joint-key.hex is not the election key that ceremony.json gives: copy both files from the same ceremony folder")]
    JointKeyMismatch,
}

impl PackageError {
    /// The stable code, e.g. `"package.hash_mismatch"`.
    pub fn code(&self) -> &'static str {
        match self {
            PackageError::MissingFile(_) => "package.missing_file",
            PackageError::ExtraFile(_) => "package.extra_file",
            PackageError::BadIndex(_) => "package.bad_index",
            PackageError::HashMismatch { .. } => "package.hash_mismatch",
            PackageError::BadSignatureFile => "package.bad_signature_file",
            PackageError::BadSignature => "package.bad_signature",
            PackageError::ContextMismatch { .. } => "package.context_mismatch",
            PackageError::BadManifest(_) => "package.bad_manifest",
            PackageError::BadRollHash => "package.bad_roll_hash",
            PackageError::BadCollectorKey => "package.bad_collector_key",
            PackageError::BadJointKey => "package.bad_joint_key",
            PackageError::BadCeremony(_) => "package.bad_ceremony",
            PackageError::CeremonyForAnotherElection { .. } => "package.ceremony_election_mismatch",
            PackageError::JointKeyMismatch => "package.joint_key_mismatch",
        }
    }
}
