//! Why a ceremony file or transcript was refused. Codes are stable (`ceremony.*`) and shared
//! by `tally` (which runs the ceremony) and every loader of the election package.

/// Why a ceremony's public evidence was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CeremonyError {
    /// The ceremony's parameters (election id, number of trustees, threshold, a trustee
    /// number) are not allowed.
    #[error("invalid ceremony parameters: {0}")]
    InvalidParameters(String),
    /// A file is not what its name says: not JSON of the right format, a bad hex field, a
    /// malformed key or commitment.
    #[error("{file} is malformed: {detail}")]
    MalformedFile {
        /// The file name.
        file: String,
        /// What is wrong.
        detail: String,
    },
    /// A well-formed file that belongs to another ceremony or another trustee, or that
    /// disagrees with the other files of this ceremony.
    #[error("{file} does not belong here: {detail}")]
    Mismatch {
        /// The file name.
        file: String,
        /// What disagrees.
        detail: String,
    },
    /// A dealer's published commitment does not verify.
    #[error("trustee {dealer}'s commitment is invalid: {detail}")]
    BadCommitment {
        /// The dealer.
        dealer: u32,
        /// Which check failed.
        detail: String,
    },
    /// A trustee's confirmation disagrees with the published commitments.
    #[error("trustee {trustee}'s confirmation disagrees with the commitments: {detail}")]
    ConfirmationMismatch {
        /// The confirming trustee.
        trustee: u32,
        /// What disagrees.
        detail: String,
    },
}

impl CeremonyError {
    /// The stable error code, e.g. `"ceremony.bad_commitment"`.
    pub fn code(&self) -> &'static str {
        match self {
            CeremonyError::InvalidParameters(_) => "ceremony.invalid_parameters",
            CeremonyError::MalformedFile { .. } => "ceremony.malformed_file",
            CeremonyError::Mismatch { .. } => "ceremony.mismatch",
            CeremonyError::BadCommitment { .. } => "ceremony.bad_commitment",
            CeremonyError::ConfirmationMismatch { .. } => "ceremony.confirmation_mismatch",
        }
    }

    /// Shorthand for [`CeremonyError::MalformedFile`].
    pub fn malformed(file: &str, detail: impl Into<String>) -> CeremonyError {
        CeremonyError::MalformedFile {
            file: file.to_owned(),
            detail: detail.into(),
        }
    }

    /// Shorthand for [`CeremonyError::Mismatch`].
    pub fn mismatch(file: &str, detail: impl Into<String>) -> CeremonyError {
        CeremonyError::Mismatch {
            file: file.to_owned(),
            detail: detail.into(),
        }
    }
}
