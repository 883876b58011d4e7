//! Manifest validation errors: a stable code, the key and line they point at, and a
//! message an official can act on.

use std::fmt;

use super::location::Position;

/// What is wrong with a manifest. Each variant has a stable [`code`](Self::code) that
/// tools and documentation refer to; the wording of messages may change, codes do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ManifestErrorCode {
    /// The file is not valid TOML, or a value has the wrong type.
    Syntax,
    /// A key that the manifest format does not know (often a typo).
    UnknownField,
    /// A required key is missing.
    MissingField,
    /// A key that does not belong to this contest kind (e.g. `max_score` on a plurality contest).
    FieldNotForKind,
    /// An id is empty, longer than 64 characters, or has characters outside `[A-Za-z0-9._-]`.
    BadId,
    /// Two districts have the same id.
    DuplicateDistrict,
    /// Two contests (anywhere in the election) have the same id.
    DuplicateContest,
    /// Two candidates (or a candidate and the blank option) of one contest have the same id.
    DuplicateCandidate,
    /// The manifest has no district.
    NoDistricts,
    /// A district has no contest.
    DistrictWithoutContest,
    /// A contest has no candidate.
    ContestWithoutCandidates,
    /// `kind` is not one of plurality, approval, score, cumulative.
    UnknownKind,
    /// A lower limit is greater than the upper one (`min_choices > max_choices`).
    MinGreaterThanMax,
    /// `max_choices` is greater than the number of options.
    MaxExceedsCandidates,
    /// A limit that must be at least 1 is 0 (`max_choices`, `max_score`, `max_total`,
    /// `points`, `max_per_candidate`).
    ZeroLimit,
    /// `max_per_candidate` is greater than `points`.
    CapExceedsPoints,
    /// A limit is so large that the contest's totals would overflow 64 bits.
    LimitTooLarge,
    /// A blank-vote option on a score or cumulative contest (only plurality and approval
    /// contests can have one).
    BlankNotAllowed,
    /// A voting window time that is not an RFC 3339 timestamp.
    BadTimestamp,
    /// The voting window ends at or before it starts.
    WindowEndNotAfterStart,
    /// The voting window starts at or before the `now` given to validation.
    WindowInPast,
    /// `time_zone` is not an IANA time zone name.
    UnknownTimeZone,
    /// A language code that is malformed (expected e.g. `en`, `et`, `th`, `pt-BR`).
    BadLanguageCode,
    /// A language listed twice in `languages`.
    DuplicateLanguage,
    /// A translation (or `default_language`) in a language not listed in `languages`.
    UnknownLanguage,
    /// A translated text without the default language's text.
    MissingDefaultLanguageText,
    /// A text (in some language) that is empty or only whitespace.
    EmptyText,
    /// The validated manifest could not be written back as TOML (a bug: please report it).
    Unserializable,
}

impl ManifestErrorCode {
    /// The stable code, e.g. `"manifest.duplicate_candidate"`.
    pub fn code(self) -> &'static str {
        use ManifestErrorCode::*;
        match self {
            Syntax => "manifest.syntax",
            UnknownField => "manifest.unknown_field",
            MissingField => "manifest.missing_field",
            FieldNotForKind => "manifest.field_not_for_kind",
            BadId => "manifest.bad_id",
            DuplicateDistrict => "manifest.duplicate_district",
            DuplicateContest => "manifest.duplicate_contest",
            DuplicateCandidate => "manifest.duplicate_candidate",
            NoDistricts => "manifest.no_districts",
            DistrictWithoutContest => "manifest.district_without_contest",
            ContestWithoutCandidates => "manifest.contest_without_candidates",
            UnknownKind => "manifest.unknown_kind",
            MinGreaterThanMax => "manifest.min_greater_than_max",
            MaxExceedsCandidates => "manifest.max_exceeds_candidates",
            ZeroLimit => "manifest.zero_limit",
            CapExceedsPoints => "manifest.cap_exceeds_points",
            LimitTooLarge => "manifest.limit_too_large",
            BlankNotAllowed => "manifest.blank_not_allowed",
            BadTimestamp => "manifest.bad_timestamp",
            WindowEndNotAfterStart => "manifest.window_end_not_after_start",
            WindowInPast => "manifest.window_in_past",
            UnknownTimeZone => "manifest.unknown_time_zone",
            BadLanguageCode => "manifest.bad_language_code",
            DuplicateLanguage => "manifest.duplicate_language",
            UnknownLanguage => "manifest.unknown_language",
            MissingDefaultLanguageText => "manifest.missing_default_language_text",
            EmptyText => "manifest.empty_text",
            Unserializable => "manifest.unserializable",
        }
    }
}

/// One problem in a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestError {
    /// What is wrong.
    pub code: ManifestErrorCode,
    /// Where, as a key path such as `districts[1].contests[0].candidates[3].id`; empty when
    /// the problem is the whole file (e.g. a TOML syntax error).
    pub key: String,
    /// Where, as line and column, when known.
    pub position: Option<Position>,
    /// What is wrong and what to do, in words.
    pub message: String,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(f, "line {}, column {}", p.line, p.column)?,
            None => write!(f, "manifest")?,
        }
        if !self.key.is_empty() {
            write!(f, ", key `{}`", self.key)?;
        }
        write!(f, ": {} [{}]", self.message, self.code.code())
    }
}

/// Every problem found in a manifest (validation does not stop at the first one, so that
/// officials can fix them all in one go). Never empty.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ManifestErrors(pub Vec<ManifestError>);

impl ManifestErrors {
    /// The codes of all errors, in order (handy in tests and logs).
    pub fn codes(&self) -> Vec<&'static str> {
        self.0.iter().map(|e| e.code.code()).collect()
    }
}

impl fmt::Display for ManifestErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(
            f,
            "the manifest has {n} problem{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for e in &self.0 {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}
