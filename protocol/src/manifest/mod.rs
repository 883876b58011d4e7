//! The election manifest: what is being voted on, by whom, and when.
//!
//! Officials write it as TOML (see `docs/examples/manifest.toml`);
//! [`ElectionManifest::from_toml`] parses it into unvalidated serde types that keep the
//! position of every value, then validates them into the types below, reporting every
//! problem with its line, key and a stable code. The package stores the manifest in a
//! canonical form ([`ElectionManifest::canonical_bytes`]): the validated manifest written
//! back as TOML by us (comments dropped, defaults filled in, times in UTC), which loads
//! through the very same parser and validation.

mod error;
mod location;
mod raw;
mod text;
mod validate;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde_spanned::Spanned;

pub use error::{ManifestError, ManifestErrorCode, ManifestErrors};
pub use location::Position;
pub use text::Text;

use raw::{RawBlank, RawCandidate, RawContest, RawDistrict, RawManifest};

/// Whether validation refuses a voting window that has already started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowCheck {
    /// Setting up a new election: voting must start after `now`.
    StartsAfter {
        /// The current time, read by the caller.
        now: Timestamp,
    },
    /// Loading a published or past election (audits, the verifier, package loading):
    /// the window may lie in the past.
    AllowPast,
}

/// An identifier of an election, district, contest or candidate: 1 to 64 characters from
/// `[A-Za-z0-9._-]`, so that it can appear in file names, CSV cells and URLs unquoted.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(String);

impl Id {
    /// Checks the id rule; `None` if `s` breaks it.
    pub fn parse(s: &str) -> Option<Id> {
        let ok = (1..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        ok.then(|| Id(s.to_owned()))
    }

    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A validated election manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct ElectionManifest {
    election_id: Id,
    title: Text,
    languages: Vec<String>,
    default_language: String,
    time_zone_name: String,
    time_zone: TimeZone,
    voting_starts: Timestamp,
    voting_ends: Timestamp,
    districts: Vec<District>,
}

/// An electoral district: voters of the roll belong to exactly one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct District {
    /// The district's id (used in the voter roll's `district` column).
    pub id: Id,
    /// Its name.
    pub name: Text,
    /// Its contests, at least one (most elections: exactly one).
    pub contests: Vec<Contest>,
}

/// One question on the ballot of a district.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contest {
    /// The contest's id, unique in the whole election.
    pub id: Id,
    /// Its title.
    pub title: Text,
    /// How voters may mark it.
    pub kind: ContestKind,
    /// The candidates (or lists, or answers), at least one, in ballot order.
    pub candidates: Vec<Candidate>,
    /// The blank-vote option, if the voter may vote blank. On the ballot it is one more
    /// selection after the candidates.
    pub blank: Option<Candidate>,
}

/// The marking rule of a contest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContestKind {
    /// Exactly one selection (a candidate, or the blank option).
    Plurality,
    /// Between `min` and `max` options, each chosen at most once.
    Approval {
        /// Least number of choices (`min_choices`, default 0).
        min: u64,
        /// Greatest number of choices (`max_choices`).
        max: u64,
    },
    /// Each candidate gets a score `0..=max_score`; all scores add up to at most `max_total`.
    Score {
        /// Greatest score per candidate (`max_score`, R ≥ 1).
        max_score: u64,
        /// Greatest sum of the scores (`max_total`, default R × number of candidates).
        max_total: u64,
    },
    /// The voter distributes up to `points` points, at most `max_per_candidate` to each.
    Cumulative {
        /// Points to distribute (`points`, S ≥ 1).
        points: u64,
        /// Most points one candidate may get (`max_per_candidate`, default S).
        max_per_candidate: u64,
    },
}

impl ContestKind {
    /// The name used in the manifest's `kind` key.
    pub fn name(&self) -> &'static str {
        match self {
            ContestKind::Plurality => "plurality",
            ContestKind::Approval { .. } => "approval",
            ContestKind::Score { .. } => "score",
            ContestKind::Cumulative { .. } => "cumulative",
        }
    }
}

/// A candidate, list or answer (or the blank option).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The candidate's id, unique within the contest.
    pub id: Id,
    /// The name shown to voters.
    pub name: Text,
    /// The party or list, if any.
    pub party: Option<Text>,
}

impl Contest {
    /// The number of selections on the ballot: the candidates, plus one for the blank option.
    pub fn selection_count(&self) -> usize {
        self.candidates.len() + usize::from(self.blank.is_some())
    }

    /// The allowed range `(lo, hi)` of each selection, in ballot order: the candidates,
    /// then the blank option if there is one. These are exactly the ranges the
    /// ballot's proofs establish.
    pub fn selection_ranges(&self) -> Vec<(u64, u64)> {
        let per_candidate = match self.kind {
            ContestKind::Plurality | ContestKind::Approval { .. } => (0, 1),
            ContestKind::Score { max_score, .. } => (0, max_score),
            ContestKind::Cumulative {
                max_per_candidate, ..
            } => (0, max_per_candidate),
        };
        let mut ranges = vec![per_candidate; self.candidates.len()];
        if self.blank.is_some() {
            ranges.push((0, 1));
        }
        ranges
    }

    /// The allowed range `(lo, hi)` of the sum of all selections (blank included).
    pub fn sum_range(&self) -> (u64, u64) {
        match self.kind {
            ContestKind::Plurality => (1, 1),
            ContestKind::Approval { min, max } => (min, max),
            ContestKind::Score { max_total, .. } => (0, max_total),
            ContestKind::Cumulative { points, .. } => (0, points),
        }
    }

    /// Which selection (by ballot position) is the blank vote, if any.
    pub fn blank_position(&self) -> Option<usize> {
        self.blank.as_ref().map(|_| self.candidates.len())
    }
}

impl ElectionManifest {
    /// Parses and validates a manifest written by officials.
    pub fn from_toml(src: &str, check: WindowCheck) -> Result<Self, ManifestErrors> {
        validate::parse_and_validate(src, check)
    }

    /// Loads the canonical form stored in a package (any time: the window may be past).
    pub fn from_canonical_bytes(bytes: &[u8]) -> Result<Self, ManifestErrors> {
        let src = std::str::from_utf8(bytes).map_err(|e| {
            ManifestErrors(vec![ManifestError {
                code: ManifestErrorCode::Syntax,
                key: String::new(),
                position: None,
                message: format!("the manifest is not UTF-8 text ({e})"),
            }])
        })?;
        Self::from_toml(src, WindowCheck::AllowPast)
    }

    /// The canonical form: this manifest written back as TOML by us. The package stores
    /// these bytes, and everyone hashes the stored bytes (never re-serializes).
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, ManifestErrors> {
        toml::to_string(&self.to_raw())
            .map(String::into_bytes)
            .map_err(|e| {
                ManifestErrors(vec![ManifestError {
                    code: ManifestErrorCode::Unserializable,
                    key: String::new(),
                    position: None,
                    message: format!("the manifest cannot be written as TOML ({e})"),
                }])
            })
    }

    /// The election's id.
    pub fn election_id(&self) -> &Id {
        &self.election_id
    }

    /// The election's title.
    pub fn title(&self) -> &Text {
        &self.title
    }

    /// The declared languages, in manifest order.
    pub fn languages(&self) -> &[String] {
        &self.languages
    }

    /// The default language: every text has it; others fall back to it.
    pub fn default_language(&self) -> &str {
        &self.default_language
    }

    /// The officials' IANA time zone name, e.g. `Europe/Tallinn`.
    pub fn time_zone_name(&self) -> &str {
        &self.time_zone_name
    }

    /// The officials' time zone, for showing times to people (the window itself is UTC).
    pub fn time_zone(&self) -> &TimeZone {
        &self.time_zone
    }

    /// When voting opens (UTC).
    pub fn voting_starts(&self) -> Timestamp {
        self.voting_starts
    }

    /// When voting closes (UTC).
    pub fn voting_ends(&self) -> Timestamp {
        self.voting_ends
    }

    /// Whether `t` lies in the voting window `[starts, ends)`.
    pub fn is_voting_open(&self, t: Timestamp) -> bool {
        self.voting_starts <= t && t < self.voting_ends
    }

    /// The districts, in manifest order.
    pub fn districts(&self) -> &[District] {
        &self.districts
    }

    /// The district with this id.
    pub fn district(&self, id: &str) -> Option<&District> {
        self.districts.iter().find(|d| d.id.as_str() == id)
    }

    /// The contest with this id, with its district.
    pub fn contest(&self, id: &str) -> Option<(&District, &Contest)> {
        self.districts
            .iter()
            .flat_map(|d| d.contests.iter().map(move |c| (d, c)))
            .find(|(_, c)| c.id.as_str() == id)
    }

    fn to_raw(&self) -> RawManifest {
        let lang = self.default_language.as_str();
        RawManifest {
            election_id: unspanned(self.election_id.0.clone()),
            languages: unspanned(self.languages.clone()),
            default_language: unspanned(self.default_language.clone()),
            time_zone: unspanned(self.time_zone_name.clone()),
            voting_starts: unspanned(self.voting_starts.to_string()),
            voting_ends: unspanned(self.voting_ends.to_string()),
            title: unspanned(self.title.to_raw(lang)),
            districts: self
                .districts
                .iter()
                .map(|d| RawDistrict {
                    id: unspanned(d.id.0.clone()),
                    name: unspanned(d.name.to_raw(lang)),
                    contests: d.contests.iter().map(|c| c.to_raw(lang)).collect(),
                })
                .collect(),
        }
    }
}

impl Contest {
    fn to_raw(&self, lang: &str) -> RawContest {
        let some = |v: u64| Some(unspanned(v));
        let (mut min_choices, mut max_choices, mut max_score, mut max_total) =
            (None, None, None, None);
        let (mut points, mut max_per_candidate) = (None, None);
        match self.kind {
            ContestKind::Plurality => {}
            ContestKind::Approval { min, max } => {
                min_choices = some(min);
                max_choices = some(max);
            }
            ContestKind::Score {
                max_score: r,
                max_total: s,
            } => {
                max_score = some(r);
                max_total = some(s);
            }
            ContestKind::Cumulative {
                points: s,
                max_per_candidate: cap,
            } => {
                points = some(s);
                max_per_candidate = some(cap);
            }
        }
        RawContest {
            id: unspanned(self.id.0.clone()),
            kind: unspanned(self.kind.name().to_owned()),
            min_choices,
            max_choices,
            max_score,
            max_total,
            points,
            max_per_candidate,
            title: unspanned(self.title.to_raw(lang)),
            blank: self.blank.as_ref().map(|b| RawBlank {
                id: unspanned(b.id.0.clone()),
                name: unspanned(b.name.to_raw(lang)),
            }),
            candidates: self
                .candidates
                .iter()
                .map(|c| RawCandidate {
                    id: unspanned(c.id.0.clone()),
                    name: unspanned(c.name.to_raw(lang)),
                    party: c.party.as_ref().map(|p| unspanned(p.to_raw(lang))),
                })
                .collect(),
        }
    }
}

fn unspanned<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}
