//! Refusals: the input was looked at and is not acceptable (exit status 1).
//!
//! Everything else that goes wrong (a file that cannot be read or written, a missing file, a
//! bad command line) is "could not run" (exit status 2) and travels as a plain
//! [`anyhow::Error`] with context. [`exit_code`] tells the two apart by looking for a
//! [`Refusal`] anywhere in the error's chain.

use thiserror::Error;

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: the input was refused (validation, a proof that does not verify, a
/// complaint, a wrong passphrase).
pub const EXIT_REFUSED: u8 = 1;
/// Exit status: the command could not run (a file missing or unreadable, a disk error, a
/// mistake on the command line).
pub const EXIT_COULD_NOT_RUN: u8 = 2;

/// Why the tool refused its input. Each variant has a stable [`Refusal::code`]; the message
/// is written for the official at the keyboard: it names the file, the trustee or the dealer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Refusal {
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
    /// A new passphrase that is too short.
    #[error("the passphrase is too short: use at least {min} characters")]
    WeakPassphrase {
        /// The minimum length, in characters.
        min: usize,
    },
    /// The passphrase does not open a trustee's secret file (or the file was altered: the
    /// two cannot be told apart, and nothing else is revealed).
    #[error("wrong passphrase for trustee {trustee}'s {what} file")]
    WrongPassphrase {
        /// The trustee whose file it is.
        trustee: u32,
        /// "share" or "ceremony key".
        what: &'static str,
    },
    /// A dealer's published commitment does not verify.
    #[error("trustee {dealer}'s commitment is invalid: {detail}")]
    BadCommitment {
        /// The dealer.
        dealer: u32,
        /// Which check failed.
        detail: String,
    },
    /// A trustee received bad shares and complained about their dealers.
    #[error(
        "trustee {trustee} received bad shares from trustee(s) {}; complaint written to {file}",
        list(dealers)
    )]
    Complaint {
        /// The complaining trustee.
        trustee: u32,
        /// The accused dealers.
        dealers: Vec<u32>,
        /// The complaint file written.
        file: String,
    },
    /// `finish` found complaint files: the ceremony cannot complete.
    #[error(
        "the ceremony has unresolved complaints: {}; see docs/key-ceremony.md, \"When a complaint appears\"",
        complaints.iter().map(|(t, d)| format!("trustee {t} accuses trustee(s) {}", list(d))).collect::<Vec<_>>().join("; ")
    )]
    ComplaintsOutstanding {
        /// `(complaining trustee, accused dealers)`.
        complaints: Vec<(u32, Vec<u32>)>,
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

fn list(indices: &[u32]) -> String {
    indices
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Refusal {
    /// The stable error code, e.g. `"ceremony.wrong_passphrase"`.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::InvalidParameters(_) => "ceremony.invalid_parameters",
            Refusal::MalformedFile { .. } => "ceremony.malformed_file",
            Refusal::Mismatch { .. } => "ceremony.mismatch",
            Refusal::WeakPassphrase { .. } => "ceremony.weak_passphrase",
            Refusal::WrongPassphrase { .. } => "ceremony.wrong_passphrase",
            Refusal::BadCommitment { .. } => "ceremony.bad_commitment",
            Refusal::Complaint { .. } => "ceremony.complaint",
            Refusal::ComplaintsOutstanding { .. } => "ceremony.complaints_outstanding",
            Refusal::ConfirmationMismatch { .. } => "ceremony.confirmation_mismatch",
        }
    }

    /// Shorthand for [`Refusal::MalformedFile`].
    pub(crate) fn malformed(file: &str, detail: impl Into<String>) -> Refusal {
        Refusal::MalformedFile {
            file: file.to_owned(),
            detail: detail.into(),
        }
    }

    /// Shorthand for [`Refusal::Mismatch`].
    pub(crate) fn mismatch(file: &str, detail: impl Into<String>) -> Refusal {
        Refusal::Mismatch {
            file: file.to_owned(),
            detail: detail.into(),
        }
    }
}

/// The refusal in `err`'s chain, if any.
pub fn refusal(err: &anyhow::Error) -> Option<&Refusal> {
    err.chain().find_map(|e| e.downcast_ref::<Refusal>())
}

/// The exit status for `err`: [`EXIT_REFUSED`] if a [`Refusal`] is in its chain,
/// [`EXIT_COULD_NOT_RUN`] otherwise.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    if refusal(err).is_some() {
        EXIT_REFUSED
    } else {
        EXIT_COULD_NOT_RUN
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn exit_codes_follow_the_chain() {
        let refused: anyhow::Result<()> = Err(Refusal::WrongPassphrase {
            trustee: 3,
            what: "share",
        })
        .context("opening trustee-3.share.SECRET.json");
        let e = refused.unwrap_err();
        assert_eq!(exit_code(&e), EXIT_REFUSED);
        assert_eq!(
            refusal(&e).map(Refusal::code),
            Some("ceremony.wrong_passphrase")
        );
        assert_eq!(
            refusal(&e).map(ToString::to_string).as_deref(),
            Some("wrong passphrase for trustee 3's share file")
        );
        let io = anyhow::anyhow!("cannot read x");
        assert_eq!(exit_code(&io), EXIT_COULD_NOT_RUN);
    }

    #[test]
    fn complaint_messages_name_the_dealers() {
        let r = Refusal::ComplaintsOutstanding {
            complaints: vec![(1, vec![2, 4]), (3, vec![2])],
        };
        let m = r.to_string();
        assert!(m.contains("trustee 1 accuses trustee(s) 2, 4"), "{m}");
        assert!(m.contains("trustee 3 accuses trustee(s) 2"), "{m}");
    }
}
