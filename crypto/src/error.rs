//! The one error type of the crypto layer.
//!
//! Decoding errors (`Malformed*`) are kept apart from verification failures
//! (`InvalidProof`) in the spirit of rustls' `InvalidMessage` / `PeerMisbehaved`: the first
//! means "these are not well-formed bytes", the second "well-formed, but the math says no".

use thiserror::Error;

/// Everything that can go wrong in `ivote-crypto`. No function of this crate panics on
/// adversarial input; it returns one of these instead.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// A byte string had the wrong length for what it encodes (including trailing bytes).
    #[error("malformed encoding of {what}: expected {expected} bytes, got {actual}")]
    WrongLength {
        /// What was being decoded.
        what: &'static str,
        /// Length the layout prescribes.
        expected: usize,
        /// Length that was given.
        actual: usize,
    },
    /// 32 bytes that are not the canonical encoding of a Ristretto255 point.
    #[error("malformed encoding of {0}: not a canonical Ristretto255 point")]
    NonCanonicalPoint(&'static str),
    /// A point that must not be the identity (a public key, a commitment base) was the identity.
    #[error("invalid {0}: the identity point is not allowed here")]
    IdentityPoint(&'static str),
    /// 32 bytes that are not a canonical scalar (a value at or above the group order).
    #[error("malformed encoding of {0}: not a canonical scalar (must be below the group order)")]
    NonCanonicalScalar(&'static str),
    /// A length or count field in a layout is out of its allowed range.
    #[error("malformed {what}: {detail}")]
    BadLayout {
        /// What was being decoded.
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// A proof did not verify against its statement.
    #[error("invalid {0}: the proof does not verify against its statement")]
    InvalidProof(&'static str),
    /// A statement or parameter outside what the protocol allows (e.g. a range with lo > hi,
    /// a value outside the range the prover is asked to prove, a threshold above n).
    #[error("invalid parameters: {0}")]
    InvalidParameters(String),
    /// Fewer valid decryption shares than the threshold.
    #[error("not enough valid decryption shares: {valid} valid, threshold is {threshold}")]
    NotEnoughShares {
        /// Valid shares available.
        valid: usize,
        /// Shares needed.
        threshold: usize,
    },
    /// A key-ceremony dealer's published commitment or private share failed its check. The
    /// error names the dealer, so that the ceremony can record a complaint against it.
    #[error("key-ceremony dealer {dealer} misbehaved: {reason}")]
    DealerMisbehaved {
        /// Index of the dealer (trustee) at fault.
        dealer: u32,
        /// Which check failed.
        reason: &'static str,
    },
    /// A voter's encryption seed (from the verification code) does not open a selection of
    /// the ballot: the code is wrong, or the ballot is not the one the voter made.
    #[error("the verification code does not open selection {selection} of this ballot")]
    NotOpenedBySeed {
        /// The selection that did not open.
        selection: u32,
    },
    /// A discrete logarithm above the bound it was searched in.
    #[error("the decrypted value is not in 0..={max}")]
    DlogOutOfRange {
        /// The bound that was searched.
        max: u64,
    },
    /// A selection proof (the tally's "the selected ballot is this ballot re-encrypted with
    /// flag 1, or zeros with flag 0") does not verify against its statement.
    #[error("invalid selection proof: it does not show that the selected ballot re-encrypts the ballot with a flag of 1, or encrypts zeros with a flag of 0")]
    InvalidSelectionProof,
    /// A flag opening `(counted, s)` does not open the flag ciphertext it was checked against.
    #[error("the flag opening does not open this flag (wrong bit or nonce)")]
    BadFlagOpening,
    /// A selection statement whose ballot and selected ballot differ in length, or are empty.
    #[error("selection statement shape mismatch: the ballot has {ballot} ciphertexts and the selected ballot {selected} (they must be equal and at least 1)")]
    SelectionShapeMismatch {
        /// Number of ciphertexts of the ballot `B`.
        ballot: usize,
        /// Number of ciphertexts of the selected ballot `C`.
        selected: usize,
    },
}

impl CryptoError {
    /// A stable dotted code for the error, for callers that report errors by code (the
    /// variant's fields are detail, not part of the code).
    pub fn code(&self) -> &'static str {
        match self {
            CryptoError::WrongLength { .. } => "crypto.wrong_length",
            CryptoError::NonCanonicalPoint(_) => "crypto.non_canonical_point",
            CryptoError::IdentityPoint(_) => "crypto.identity_point",
            CryptoError::NonCanonicalScalar(_) => "crypto.non_canonical_scalar",
            CryptoError::BadLayout { .. } => "crypto.bad_layout",
            CryptoError::InvalidProof(_) => "crypto.invalid_proof",
            CryptoError::InvalidParameters(_) => "crypto.invalid_parameters",
            CryptoError::NotEnoughShares { .. } => "crypto.not_enough_shares",
            CryptoError::DealerMisbehaved { .. } => "crypto.dealer_misbehaved",
            CryptoError::NotOpenedBySeed { .. } => "crypto.not_opened_by_seed",
            CryptoError::DlogOutOfRange { .. } => "crypto.dlog_out_of_range",
            CryptoError::InvalidSelectionProof => "selection.invalid_proof",
            CryptoError::BadFlagOpening => "selection.bad_opening",
            CryptoError::SelectionShapeMismatch { .. } => "selection.shape_mismatch",
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T> = core::result::Result<T, CryptoError>;
