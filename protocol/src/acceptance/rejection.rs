//! Why a submission is not accepted: one variant per check of [`super`], each with a stable
//! code and a message a person can act on.

use ivote_eid::EidError;
use thiserror::Error;

use crate::ballot::BallotError;

/// A refused submission.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The certificate failed validation (chain, validity, key usage, voter id, revocation)
    /// or the signature does not verify with it.
    #[error(transparent)]
    Eid(#[from] EidError),
    /// A valid certificate whose voter id is not on the voter roll (or is of another
    /// country than the roll's).
    #[error("the voter {voter_id} is not on the voter roll of this election; the officials must check the roll (or the voter uses another person's card)")]
    NotOnRoll {
        /// The certificate's voter id (`PNOEE-…`).
        voter_id: String,
    },
    /// The ballot's nonce is not the one derived from the submission's challenge and the
    /// certificate ([`crate::challenge::SignedChallenge::ballot_nonce`]): its proofs were
    /// made for another voter or another challenge.
    #[error("the ballot was not made for this challenge and this voter's certificate: its nonce is another's")]
    NonceMismatch,
    /// The ballot is for another district than the voter's.
    #[error("the ballot is for district \"{ballot}\" but the voter votes in \"{voter}\"")]
    WrongDistrict {
        /// The voter's district, from the roll.
        voter: String,
        /// The ballot's.
        ballot: String,
    },
    /// The ballot is not a ballot layout, does not fit the election, or a proof does not
    /// verify.
    #[error(transparent)]
    Ballot(#[from] BallotError),
}

impl Rejection {
    /// The stable code, e.g. `ballot.nonce_mismatch`; e-ID and ballot errors keep their own
    /// (`eid.revoked`, `ballot.invalid_proof`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Eid(e) => e.code(),
            Rejection::NotOnRoll { .. } => "eid.not_on_roll",
            Rejection::NonceMismatch => "ballot.nonce_mismatch",
            Rejection::WrongDistrict { .. } => "voter.wrong_district",
            Rejection::Ballot(e) => e.code(),
        }
    }
}
