//! Why the collector refuses a submission: its own checks (layout, window, challenge,
//! copies) and the acceptance check's ([`ivote_protocol::acceptance::Rejection`]), each
//! with a stable code and the HTTP status class it maps to.

use ivote_eid::EidError;
use ivote_protocol::acceptance;
use ivote_protocol::ballot::BallotError;
use ivote_protocol::challenge::ChallengeFault;
use ivote_protocol::layout::LayoutError;
use thiserror::Error;

/// How a rejection maps to HTTP (the API layer turns it into a status code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// 400: the bytes are not a submission.
    Malformed,
    /// 403: not eligible, or a bad signature.
    Forbidden,
    /// 409: conflicts with what is stored (a used challenge, a copied ciphertext).
    Conflict,
    /// 422: well-formed but invalid (a proof that does not verify).
    Invalid,
    /// 503: the election is not accepting submissions.
    Unavailable,
}

/// A refused submission. Nothing but counters changes when one is returned.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The body is not a submission layout, or its ballot is not a ballot layout.
    #[error("the submission is malformed: {0}")]
    Malformed(#[from] LayoutError),
    /// Before the voting window.
    #[error("voting has not started yet")]
    NotOpen,
    /// After the voting window.
    #[error("voting has ended")]
    Closed,
    /// The submission's challenge is not this collector's signed challenge for this
    /// election, or it is not good now (before its issue time, or a real-vote challenge
    /// outside the window, a test-vote one inside it).
    #[error("the submission's challenge: {0}; ask for a new one")]
    Challenge(ChallengeFault),
    /// The challenge expired.
    #[error("the ballot's challenge has expired; ask for a new one and vote again")]
    ExpiredChallenge,
    /// The challenge was already used by an accepted submission.
    #[error("the ballot's challenge was already used; ask for a new one")]
    UsedChallenge,
    /// The acceptance check refused it: the certificate, the roll, the district, the
    /// signature, the ballot or its proofs (`eid.*`, `voter.wrong_district`, `ballot.*`).
    #[error("{0}")]
    Submission(#[from] acceptance::Rejection),
    /// A ciphertext of the ballot is already stored (a copied or replayed ballot).
    #[error("the ballot contains a ciphertext that was already submitted")]
    DuplicateCiphertext,
}

impl Rejection {
    /// The stable code, e.g. `"challenge.used"`; e-ID and ballot errors keep their own codes.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Malformed(_) => "submission.malformed",
            Rejection::NotOpen => "election.not_open",
            Rejection::Closed => "election.closed",
            Rejection::Challenge(f) => f.code(),
            Rejection::ExpiredChallenge => "challenge.expired",
            Rejection::UsedChallenge => "challenge.used",
            Rejection::Submission(r) => r.code(),
            Rejection::DuplicateCiphertext => "ballot.duplicate_ciphertext",
        }
    }

    /// The HTTP class.
    pub fn class(&self) -> Class {
        match self {
            Rejection::Malformed(_) => Class::Malformed,
            Rejection::NotOpen | Rejection::Closed => Class::Unavailable,
            Rejection::Challenge(_) | Rejection::ExpiredChallenge => Class::Forbidden,
            Rejection::UsedChallenge | Rejection::DuplicateCiphertext => Class::Conflict,
            Rejection::Submission(r) => match r {
                // The CA's responder is down: retry later, as when the election is not open.
                acceptance::Rejection::Eid(EidError::OcspUnavailable { .. }) => Class::Unavailable,
                acceptance::Rejection::Eid(_)
                | acceptance::Rejection::NotOnRoll { .. }
                | acceptance::Rejection::WrongDistrict { .. } => Class::Forbidden,
                acceptance::Rejection::Ballot(BallotError::Layout(_)) => Class::Malformed,
                _ => Class::Invalid,
            },
        }
    }
}

/// The challenge check: an expired challenge keeps the collector's own code
/// (`challenge.expired`); the rest keep the challenge's (`challenge.bad_signature`, ...).
impl From<ChallengeFault> for Rejection {
    fn from(f: ChallengeFault) -> Self {
        match f {
            ChallengeFault::OutsideLifetime { at, expires, .. } if at >= expires => {
                Rejection::ExpiredChallenge
            }
            other => Rejection::Challenge(other),
        }
    }
}

/// A certificate or signature refused outside a submission (the voter-info query).
impl From<EidError> for Rejection {
    fn from(e: EidError) -> Self {
        Rejection::Submission(e.into())
    }
}

/// A ballot that is not a ballot layout.
impl From<BallotError> for Rejection {
    fn from(e: BallotError) -> Self {
        Rejection::Submission(e.into())
    }
}
