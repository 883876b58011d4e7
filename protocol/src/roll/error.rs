//! Voter roll and change list errors: a stable code, the line, and a message.

use std::fmt;

/// What is wrong with a voter roll or a change list. Codes are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RollErrorCode {
    /// The roll file is empty or has no voter.
    Empty,
    /// The first line is not the expected header.
    BadHeader,
    /// A line has a different number of columns than the header.
    ColumnCount,
    /// The file is not valid CSV or not UTF-8.
    BadCsv,
    /// An id code that is not a valid personal code of the roll's country.
    MalformedIdCode,
    /// The same id code on two lines.
    DuplicateVoter,
    /// A district that the manifest does not have.
    UnknownDistrict,
    /// The change list's signature file is not 64 hex-encoded bytes.
    BadSignatureFile,
    /// The change list's signature does not verify with the officials' key.
    BadSignature,
    /// A change list line whose `seq` is not a number.
    BadSeq,
    /// Sequence numbers skip or repeat, or the list does not continue where the roll is.
    SeqGap,
    /// An action other than `add`, `remove`, `move`.
    UnknownAction,
    /// `add` or `move` without a district.
    MissingDistrict,
    /// `remove` or `move` of a voter who is not on the roll.
    UnknownVoter,
    /// `add` of a voter who is already on the roll.
    VoterExists,
    /// `remove` naming a district that is not the voter's current one.
    DistrictMismatch,
}

impl RollErrorCode {
    /// The stable code, e.g. `"roll.duplicate_voter"` or `"changes.seq_gap"`.
    pub fn code(self) -> &'static str {
        use RollErrorCode::*;
        match self {
            Empty => "roll.empty",
            BadHeader => "roll.bad_header",
            ColumnCount => "roll.column_count",
            BadCsv => "roll.bad_csv",
            MalformedIdCode => "roll.malformed_id_code",
            DuplicateVoter => "roll.duplicate_voter",
            UnknownDistrict => "roll.unknown_district",
            BadSignatureFile => "changes.bad_signature_file",
            BadSignature => "changes.bad_signature",
            BadSeq => "changes.bad_seq",
            SeqGap => "changes.seq_gap",
            UnknownAction => "changes.unknown_action",
            MissingDistrict => "changes.missing_district",
            UnknownVoter => "changes.unknown_voter",
            VoterExists => "changes.voter_exists",
            DistrictMismatch => "changes.district_mismatch",
        }
    }
}

/// One problem in a voter roll or change list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollError {
    /// What is wrong.
    pub code: RollErrorCode,
    /// The 1-based line of the file, when the problem is on one line.
    pub line: Option<u64>,
    /// What is wrong and what to do, in words.
    pub message: String,
}

impl RollError {
    pub(crate) fn at(code: RollErrorCode, line: u64, message: String) -> Self {
        RollError {
            code,
            line: Some(line),
            message,
        }
    }

    pub(crate) fn file(code: RollErrorCode, message: String) -> Self {
        RollError {
            code,
            line: None,
            message,
        }
    }
}

impl fmt::Display for RollError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        write!(f, "{} [{}]", self.message, self.code.code())
    }
}

/// Every problem found (roll validation does not stop at the first). Never empty.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct RollErrors(pub Vec<RollError>);

impl RollErrors {
    /// The codes of all errors, in order.
    pub fn codes(&self) -> Vec<&'static str> {
        self.0.iter().map(|e| e.code.code()).collect()
    }
}

impl From<RollError> for RollErrors {
    fn from(e: RollError) -> Self {
        RollErrors(vec![e])
    }
}

impl fmt::Display for RollErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(f, "{n} problem{}:", if n == 1 { "" } else { "s" })?;
        for e in &self.0 {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}

/// Why a roll file is not the voter roll of an election package
/// ([`crate::ElectionPackage::voter_roll`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PackageRollError {
    /// The file is not the one whose SHA-256 the officials signed into the package.
    #[error(
        "the voter roll file is not the one in the election package: its SHA-256 is {actual}, \
         the package's roll.sha256 says {expected}; use the roll file the officials published \
         with this package"
    )]
    NotPublished {
        /// The package's `roll.sha256`.
        expected: super::RollHash,
        /// The file's.
        actual: super::RollHash,
    },
    /// The file is the package's, but does not validate (every problem with its line).
    #[error("the voter roll: {0}")]
    Invalid(RollErrors),
}
