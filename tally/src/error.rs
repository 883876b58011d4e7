//! Refusals: the input was looked at and is not acceptable (exit status 1).
//!
//! Everything else that goes wrong (a file that cannot be read or written, a missing file, a
//! bad command line) is "could not run" (exit status 2) and travels as a plain
//! [`anyhow::Error`] with context. [`exit_code`] tells the two apart by looking for a
//! [`Refusal`] anywhere in the error's chain.

use ivote_eid::EidError;
use ivote_protocol::acceptance::OcspSettingsError;
use ivote_protocol::ceremony::CeremonyError;
use ivote_protocol::manifest::ManifestErrors;
use ivote_protocol::package::PackageError;
use ivote_protocol::roll::RollErrors;
use ivote_secrets::SecretError;
use thiserror::Error;

use crate::count::error::CountError;
use crate::count::trustee_check::TrusteeCheckError;

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
    /// The key ceremony's public evidence was refused (`ceremony.*` codes, shared with
    /// every loader of the election package).
    #[error(transparent)]
    Ceremony(#[from] CeremonyError),
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
    /// The manifest does not validate: every problem is in the message (line, column, key,
    /// message, code); the refusal's code is the first problem's.
    #[error("{file}: {errors}")]
    Manifest {
        /// The manifest file.
        file: String,
        /// Every problem.
        errors: ManifestErrors,
    },
    /// The voter roll or a change list does not validate or apply: every problem with its
    /// line; the refusal's code is the first problem's.
    #[error("{file}: {errors}")]
    Roll {
        /// The roll or change list file.
        file: String,
        /// Every problem.
        errors: RollErrors,
    },
    /// A trust anchor file, CRL or key file of the e-ID layer was refused.
    #[error("{file}: {error}")]
    Eid {
        /// The file.
        file: String,
        /// Why (its code is the refusal's). Boxed: refusals travel in every `Result`.
        error: Box<EidError>,
    },
    /// The election package was refused (or could not be built from these inputs).
    #[error(transparent)]
    Package(Box<PackageError>),
    /// The OCSP settings file does not load (`package.bad_ocsp_settings`).
    #[error("{file}: {error}")]
    Ocsp {
        /// The file.
        file: String,
        /// Why.
        error: OcspSettingsError,
    },
    /// A public key file (`officials-key.hex`, the collector's key) or a context hash is not
    /// what it must be.
    #[error("{file}: {detail}")]
    BadKey {
        /// The file (or argument).
        file: String,
        /// What is wrong.
        detail: String,
    },
    /// The count refused its input (`tally.*`, `record.*`, `ballot_box.*` codes).
    #[error(transparent)]
    Count(Box<CountError>),
    /// A trustee refused to decrypt a count folder (`decrypt.*` codes).
    #[error(transparent)]
    TrusteeCheck(Box<TrusteeCheckError>),
}

impl From<TrusteeCheckError> for Refusal {
    fn from(e: TrusteeCheckError) -> Refusal {
        Refusal::TrusteeCheck(Box::new(e))
    }
}

impl From<CountError> for Refusal {
    fn from(e: CountError) -> Refusal {
        Refusal::Count(Box::new(e))
    }
}

impl From<PackageError> for Refusal {
    fn from(e: PackageError) -> Refusal {
        Refusal::Package(Box::new(e))
    }
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
            Refusal::Ceremony(e) => e.code(),
            Refusal::Complaint { .. } => "ceremony.complaint",
            Refusal::ComplaintsOutstanding { .. } => "ceremony.complaints_outstanding",
            Refusal::Manifest { errors, .. } => errors
                .0
                .first()
                .map_or("manifest.syntax", |e| e.code.code()),
            Refusal::Roll { errors, .. } => {
                errors.0.first().map_or("roll.empty", |e| e.code.code())
            }
            Refusal::Eid { error, .. } => error.code(),
            Refusal::Package(e) => e.code(),
            Refusal::Ocsp { error, .. } => error.code(),
            Refusal::BadKey { .. } => "key.malformed",
            Refusal::Count(e) => e.code(),
            Refusal::TrusteeCheck(e) => e.code(),
        }
    }

    /// A malformed file ([`CeremonyError::MalformedFile`], `ceremony.malformed_file`).
    pub(crate) fn malformed(file: &str, detail: impl Into<String>) -> Refusal {
        Refusal::Ceremony(CeremonyError::malformed(file, detail))
    }

    /// A file that does not belong ([`CeremonyError::Mismatch`], `ceremony.mismatch`).
    pub(crate) fn mismatch(file: &str, detail: impl Into<String>) -> Refusal {
        Refusal::Ceremony(CeremonyError::mismatch(file, detail))
    }
}

/// The stable code of the refusal in `err`'s chain, if any: a [`Refusal`], or a refusal of
/// one of the libraries that `?` put in the chain directly (a secret file's or passphrase's
/// [`SecretError`] among them).
pub fn refusal_code(err: &anyhow::Error) -> Option<&'static str> {
    err.chain().find_map(|e| {
        e.downcast_ref::<Refusal>()
            .map(Refusal::code)
            .or_else(|| e.downcast_ref::<CeremonyError>().map(CeremonyError::code))
            .or_else(|| e.downcast_ref::<PackageError>().map(PackageError::code))
            .or_else(|| e.downcast_ref::<SecretError>().and_then(SecretError::code))
    })
}

/// The exit status for `err`: [`EXIT_REFUSED`] if a refusal is in its chain
/// ([`refusal_code`]), [`EXIT_COULD_NOT_RUN`] otherwise.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    if refusal_code(err).is_some() {
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
        let refused: anyhow::Result<()> = Err(SecretError::WrongPassphrase {
            trustee: 3,
            what: "share",
        })
        .context("opening trustee-3.share.SECRET.json");
        let e = refused.unwrap_err();
        assert_eq!(exit_code(&e), EXIT_REFUSED);
        assert_eq!(refusal_code(&e), Some("ceremony.wrong_passphrase"));
        assert_eq!(
            format!("{e:#}"),
            "opening trustee-3.share.SECRET.json: wrong passphrase for trustee 3's share file"
        );
        let lib = anyhow::Error::from(CeremonyError::malformed("f", "bad"));
        assert_eq!(exit_code(&lib), EXIT_REFUSED);
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
