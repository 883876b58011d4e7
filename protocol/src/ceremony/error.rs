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
    /// A message whose signature is not its sender's: substituted, altered or moved to
    /// another index by whoever carried it.
    #[error(
        "{file} is not signed by trustee {signer}: its {step} signature does not verify with \
         trustee {signer}'s ceremony signing key in the roster. The file was replaced, altered \
         or moved to another trustee's number on its way; use the file trustee {signer} made \
         (compare its fingerprint with the minutes)"
    )]
    BadSignature {
        /// The file.
        file: String,
        /// The trustee who should have signed it.
        signer: u32,
        /// Which message (`commitment`, `share`, `confirmation`, `complaint`).
        step: &'static str,
    },
    /// The commitment under the reading trustee's own number is not the one they made.
    #[error(
        "{file} is not the commitment you (trustee {trustee}) made: it is not signed with your \
         ceremony signing key. Someone replaced it on its way; do not go on, tell the officials"
    )]
    OwnCommitmentReplaced {
        /// The file.
        file: String,
        /// The trustee.
        trustee: u32,
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
            CeremonyError::BadSignature { .. } => "ceremony.bad_signature",
            CeremonyError::OwnCommitmentReplaced { .. } => "ceremony.own_commitment_replaced",
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
