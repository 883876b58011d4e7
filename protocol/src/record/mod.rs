//! The election record: the files the officials publish after the count, so that anyone can
//! check the result with this crate and `ivote-crypto` alone (`docs/election-record.md`).
//!
//! A record is a folder:
//!
//! | file | what | module |
//! |---|---|---|
//! | `package/` | the election package, unchanged (its `ceremony.json` is the key ceremony's transcript) | [`crate::package`] |
//! | `officials-key.hex` | the officials' public key | |
//! | `log.bin` | the collector's final head and every leaf of its log | [`log`] |
//! | `ballots.bin` | every logged ballot, whole, sorted by ballot hash, each with its selected ballot | [`ballots`] |
//! | `aggregates.bin` | the homomorphic sums of the selected ballots per district, contest and selection, and of their flags per district | [`aggregates`] |
//! | `decryption-shares-J.bin` | trustee J's decryption shares with DLEQ proofs | [`shares`] |
//! | `results.bin` | the decrypted counts | [`results`] |
//! | `rule-counts.bin` | what the counting rules did | [`counts`] |
//! | `record-index.bin`, `record.sig` | the seal: every file's SHA-256, signed by the officials | [`seal`] |
//!
//! The auditors' bundle is a second sealed folder: the exported ballot box, the paper
//! cancellation list, `decisions.bin` ([`counts::Decisions`]: what happened to every leaf)
//! and `flag-openings.bin` ([`flag_openings`]: which published ballots counted).
//!
//! Every binary file is a [`crate::layout`]: a length-prefixed label, the election context
//! hash, then the fields. Decoders check every bound, every point's canonical encoding, the
//! order of sorted lists, and refuse trailing bytes, so each file has exactly one encoding.
//! Nothing here touches files: readers and writers take byte slices or `std::io` streams.

pub mod aggregates;
pub mod ballots;
pub mod counts;
pub mod flag_openings;
pub mod log;
pub mod results;
pub mod seal;
pub mod shares;

use thiserror::Error;

use crate::layout::{LayoutError, Reader, Writer};
use crate::package::ContextHash;

/// The package folder inside a record.
pub const PACKAGE_DIR: &str = "package";
/// The officials' public key (64 hex digits and a newline), as `tally officials-key` writes it.
pub const OFFICIALS_KEY_FILE: &str = "officials-key.hex";
/// [`log::LogFile`].
pub const LOG_FILE: &str = "log.bin";
/// [`ballots`].
pub const BALLOTS_FILE: &str = "ballots.bin";
/// [`aggregates::Aggregates`].
pub const AGGREGATES_FILE: &str = "aggregates.bin";
/// [`results::Results`].
pub const RESULTS_FILE: &str = "results.bin";
/// [`counts::RuleCounts`].
pub const RULE_COUNTS_FILE: &str = "rule-counts.bin";
/// [`counts::Decisions`] (auditors' bundle).
pub const DECISIONS_FILE: &str = "decisions.bin";
/// [`flag_openings::FlagOpenings`] (auditors' bundle).
pub const FLAG_OPENINGS_FILE: &str = "flag-openings.bin";
/// The paper cancellation list as the officials gave it (auditors' bundle).
pub const PAPER_VOTES_FILE: &str = "paper-votes.csv";
/// [`seal::RecordIndex`].
pub const INDEX_FILE: &str = "record-index.bin";
/// The officials' Ed25519 signature over the index ([`seal::RecordIndex::sign`]), 64 bytes.
pub const SIGNATURE_FILE: &str = "record.sig";

/// Trustee `j`'s decryption shares ([`shares::ShareFile`]).
pub fn decryption_shares_file(j: u32) -> String {
    format!("decryption-shares-{j}.bin")
}

/// Why a record file is refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The bytes are not a well-formed file of this kind.
    #[error("{file}: {detail}")]
    Malformed {
        /// The file.
        file: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The file belongs to another election (another context hash).
    #[error(
        "{file} is for another election (context hash {found}, this election's is {expected})"
    )]
    WrongElection {
        /// The file.
        file: &'static str,
        /// This election's context hash, hex.
        expected: String,
        /// The file's.
        found: String,
    },
    /// The seal's signature is not the officials'.
    #[error("{INDEX_FILE} is not signed by the officials' key given (record.sig does not verify)")]
    BadSignature,
    /// A file's SHA-256 differs from the seal's.
    #[error("the file {name} was changed after the record was sealed (SHA-256 {actual}, the index says {expected})")]
    HashMismatch {
        /// The file.
        name: String,
        /// The index's hash, hex.
        expected: String,
        /// The file's, hex.
        actual: String,
    },
    /// A file the seal lists is missing.
    #[error("the file {0} listed in {INDEX_FILE} is missing")]
    MissingFile(String),
    /// A file is present that the seal does not list.
    #[error("the file {0} is not listed in {INDEX_FILE}")]
    ExtraFile(String),
    /// A streamed file could not be read.
    #[error("cannot read {file}: {detail}")]
    Io {
        /// The file.
        file: &'static str,
        /// The system's message.
        detail: String,
    },
}

impl RecordError {
    /// The stable code, e.g. `"record.malformed"`.
    pub fn code(&self) -> &'static str {
        match self {
            RecordError::Malformed { .. } => "record.malformed",
            RecordError::WrongElection { .. } => "record.wrong_election",
            RecordError::BadSignature => "record.bad_signature",
            RecordError::HashMismatch { .. } => "record.hash_mismatch",
            RecordError::MissingFile(_) => "record.missing_file",
            RecordError::ExtraFile(_) => "record.extra_file",
            RecordError::Io { .. } => "record.io",
        }
    }

    pub(crate) fn malformed(file: &'static str, detail: impl Into<String>) -> RecordError {
        RecordError::Malformed {
            file,
            detail: detail.into(),
        }
    }

    pub(crate) fn layout(file: &'static str) -> impl Fn(LayoutError) -> RecordError {
        move |e| RecordError::malformed(file, e.detail)
    }
}

/// The longest file label.
const MAX_LABEL: usize = 64;

/// Starts a file: its length-prefixed label, then the context hash.
pub(crate) fn header(label: &[u8], context: &ContextHash) -> Writer {
    let mut w = Writer::labelled(label);
    w.fixed(&context.0);
    w
}

/// Reads a file's header: the label must be `label`; returns the context hash.
pub(crate) fn read_header(
    r: &mut Reader<'_>,
    label: &[u8],
    file: &'static str,
) -> Result<ContextHash, RecordError> {
    let found = r
        .bytes("the label", MAX_LABEL)
        .map_err(RecordError::layout(file))?;
    if found != label {
        return Err(RecordError::malformed(
            file,
            format!(
                "it starts with the label {:?}, not {:?}: it is not this kind of file",
                String::from_utf8_lossy(found),
                String::from_utf8_lossy(label)
            ),
        ));
    }
    Ok(ContextHash(r.array().map_err(RecordError::layout(file))?))
}

/// Refuses a file made for another election.
pub fn check_context(
    file: &'static str,
    found: &ContextHash,
    expected: &ContextHash,
) -> Result<(), RecordError> {
    if found == expected {
        Ok(())
    } else {
        Err(RecordError::WrongElection {
            file,
            expected: expected.to_hex(),
            found: found.to_hex(),
        })
    }
}

/// Reads a length-prefixed id (district, contest, reason code): 1 to 64 bytes of UTF-8.
pub(crate) fn read_id(
    r: &mut Reader<'_>,
    field: &str,
    file: &'static str,
) -> Result<String, RecordError> {
    let s = r
        .string(field, crate::ballot::MAX_ID_LEN)
        .map_err(RecordError::layout(file))?;
    if s.is_empty() {
        return Err(RecordError::malformed(file, format!("{field} is empty")));
    }
    Ok(s.to_owned())
}

/// A `u32` count read before a list, bounded by `max` (so nothing huge is allocated).
pub(crate) fn read_count(
    r: &mut Reader<'_>,
    what: &str,
    max: usize,
    file: &'static str,
) -> Result<usize, RecordError> {
    let n = r.u32().map_err(RecordError::layout(file))? as usize;
    if n > max {
        return Err(RecordError::malformed(
            file,
            format!("{n} {what}; at most {max} are allowed"),
        ));
    }
    Ok(n)
}

/// The file's number of items as a `u32` (every list here is bounded far below 2^32).
pub(crate) fn count_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests;
