//! Refusals of the count: the ballot box, the paper list, a count folder or share files
//! that cannot be used. Each has a stable code (`tally.*`) and says what to do.

use thiserror::Error;

/// Why the count refuses its input (exit status 1).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CountError {
    /// The roll file is not the one whose hash is in the package.
    #[error(
        "the voter roll file is not the one in the election package: its SHA-256 is {actual}, \
         the package's roll.sha256 says {expected}; use the roll file published with the package"
    )]
    RollHashMismatch {
        /// The package's hash, hex.
        expected: String,
        /// The file's, hex.
        actual: String,
    },
    /// The paper cancellation list is malformed or names someone not on the roll.
    #[error("{file}: {detail}")]
    PaperList {
        /// The file.
        file: String,
        /// Every problem, one per line.
        detail: String,
    },
    /// The ballot box is unreadable, for another election, or its closing statement is
    /// not the collector's.
    #[error("the ballot box {file}: {detail}")]
    BallotBox {
        /// The code of the underlying problem (`ballot_box.*`, `tally.box_wrong_election`,
        /// the first problem's of a dishonest log: `tally.box_time_order`, ...).
        code: &'static str,
        /// The file.
        file: String,
        /// What is wrong.
        detail: String,
    },
    /// The log recomputed from the box's records does not give the final head's root.
    #[error(
        "the ballot box {file} does not match the collector's signed final head: the {size} \
         records hash to root {actual}, the head says {expected}; the box was altered or \
         is incomplete: get the collector's export again"
    )]
    RootMismatch {
        /// The file.
        file: String,
        /// The number of records.
        size: u64,
        /// The head's root, hex.
        expected: String,
        /// The recomputed one, hex.
        actual: String,
    },
    /// Submissions that are not what an honest collector logs: the box was altered after
    /// it was logged, or the collector logged what its own rules refuse (a challenge it did
    /// not sign, a receive time outside the challenge's lifetime or its purpose's window).
    #[error(
        "the ballot box {file} is not an honest collector's log: {} submission(s) were altered \
         after logging or logged against the collector's own rules: {}; nothing was counted: \
         get the collector's export again, and investigate the collector",
        leaves.len(),
        leaves.iter().take(20).map(|(l, why)| format!("leaf {l} ({why})")).collect::<Vec<_>>().join(", ")
    )]
    Tampered {
        /// The file.
        file: String,
        /// `(leaf, what differs)`.
        leaves: Vec<(u64, String)>,
    },
    /// A file of the count folder does not belong with the others.
    #[error("{file}: {detail}")]
    CountFolder {
        /// The file.
        file: String,
        /// What is wrong and what to do.
        detail: String,
    },
    /// Fewer than the threshold of valid decryption share files.
    #[error(
        "only {valid} valid decryption share file(s) ({}); the election needs {threshold}: \
         ask more trustees to run `tally decrypt-share`",
        if trustees.is_empty() { "none".to_owned() } else { format!("trustee(s) {}", trustees.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")) }
    )]
    NotEnoughShares {
        /// The valid files.
        valid: usize,
        /// Their trustees.
        trustees: Vec<u32>,
        /// The threshold.
        threshold: u32,
    },
    /// The record's seal or a file of the record does not verify. Not the error's
    /// `source`: the message already holds its text, and a chain would print it twice.
    #[error("the election record: {0}")]
    Record(ivote_protocol::record::RecordError),
}

impl From<ivote_protocol::record::RecordError> for CountError {
    fn from(e: ivote_protocol::record::RecordError) -> CountError {
        CountError::Record(e)
    }
}

impl CountError {
    /// The stable code, e.g. `"tally.not_enough_shares"`.
    pub fn code(&self) -> &'static str {
        match self {
            CountError::RollHashMismatch { .. } => "tally.roll_hash_mismatch",
            CountError::PaperList { .. } => "tally.paper_list",
            CountError::BallotBox { code, .. } => code,
            CountError::RootMismatch { .. } => "tally.box_root_mismatch",
            CountError::Tampered { .. } => "tally.box_tampered",
            CountError::CountFolder { .. } => "tally.count_folder",
            CountError::NotEnoughShares { .. } => "tally.not_enough_shares",
            CountError::Record(e) => e.code(),
        }
    }
}
