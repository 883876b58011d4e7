//! Validation of the raw manifest into [`ElectionManifest`]: every rule of
//! `docs/package-format.md` §1, each failing with its own [`ManifestErrorCode`].
//! Validation goes on after a failure, so one run reports every problem.

use ivote_crypto::contest::MAX_VALUE;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use jiff::Timestamp;
use serde_spanned::Spanned;

use super::error::{ManifestError, ManifestErrorCode as Code, ManifestErrors};
use super::location::position;
use super::raw::{RawContest, RawDistrict, RawManifest};
use super::text::{RawText, Text};
use super::{Candidate, Contest, ContestKind, District, ElectionManifest, Id, WindowCheck};

pub(super) fn parse_and_validate(
    src: &str,
    check: WindowCheck,
) -> Result<ElectionManifest, ManifestErrors> {
    let raw: RawManifest = toml::from_str(src).map_err(|e| {
        let span = e.span();
        let mut message = e.message().trim_end().to_owned();
        if let Some(line) = span.as_ref().and_then(|s| source_line(src, s.start)) {
            message.push_str(&format!(" (in `{line}`)"));
        }
        let code = if message.starts_with("unknown field") {
            Code::UnknownField
        } else if message.starts_with("missing field") {
            Code::MissingField
        } else {
            Code::Syntax
        };
        ManifestErrors(vec![ManifestError {
            code,
            key: String::new(),
            position: span.and_then(|s| position(src, &s)),
            message,
        }])
    })?;
    let mut v = Validator {
        src,
        errors: Vec::new(),
        languages: BTreeSet::new(),
        default_language: raw.default_language.get_ref().clone(),
    };
    let manifest = v.manifest(&raw, check);
    match manifest {
        Some(m) if v.errors.is_empty() => Ok(m),
        _ => Err(ManifestErrors(v.errors)),
    }
}

struct Validator<'a> {
    src: &'a str,
    errors: Vec<ManifestError>,
    languages: BTreeSet<String>,
    default_language: String,
}

/// Ids seen so far in one scope, with where they were first written.
type Seen = HashMap<String, Range<usize>>;

impl Validator<'_> {
    fn error(&mut self, code: Code, key: &str, span: Option<Range<usize>>, message: String) {
        self.errors.push(ManifestError {
            code,
            key: key.to_owned(),
            position: span.and_then(|s| position(self.src, &s)),
            message,
        });
    }

    fn line_of(&self, span: &Range<usize>) -> String {
        position(self.src, span)
            .map_or_else(String::new, |p| format!(" (first at line {})", p.line))
    }

    fn manifest(&mut self, raw: &RawManifest, check: WindowCheck) -> Option<ElectionManifest> {
        let languages = self.languages(raw);
        let election_id = self.id("election_id", &raw.election_id);
        let title = self.text("title", &raw.title);
        let time_zone = self.time_zone(&raw.time_zone);
        let window = self.window(raw, check);
        let districts = self.districts(&raw.districts);
        let (time_zone_name, time_zone) = time_zone?;
        let (voting_starts, voting_ends) = window?;
        Some(ElectionManifest {
            election_id: election_id?,
            title: title?,
            languages,
            default_language: self.default_language.clone(),
            time_zone_name,
            time_zone,
            voting_starts,
            voting_ends,
            districts: districts?,
        })
    }

    fn languages(&mut self, raw: &RawManifest) -> Vec<String> {
        let span = raw.languages.span();
        for lang in raw.languages.get_ref() {
            if !is_language_code(lang) {
                self.error(
                    Code::BadLanguageCode,
                    "languages",
                    Some(span.clone()),
                    format!("`{lang}` is not a language code (write e.g. \"en\", \"et\", \"th\", \"pt-BR\")"),
                );
            } else if !self.languages.insert(lang.clone()) {
                self.error(
                    Code::DuplicateLanguage,
                    "languages",
                    Some(span.clone()),
                    format!("language `{lang}` is listed twice"),
                );
            }
        }
        if !self.languages.contains(&self.default_language) {
            let message = format!(
                "the default language `{}` is not in `languages` ({}); add it there",
                self.default_language,
                raw.languages.get_ref().join(", ")
            );
            self.error(
                Code::UnknownLanguage,
                "default_language",
                Some(raw.default_language.span()),
                message,
            );
        }
        raw.languages.get_ref().clone()
    }

    fn id(&mut self, key: &str, raw: &Spanned<String>) -> Option<Id> {
        let id = Id::parse(raw.get_ref());
        if id.is_none() {
            self.error(
                Code::BadId,
                key,
                Some(raw.span()),
                format!(
                    "`{}` is not a valid id: use 1 to 64 letters A-Z, a-z, digits, '.', '_' or '-'",
                    raw.get_ref()
                ),
            );
        }
        id
    }

    /// Checks an id like [`Self::id`] and that it is not yet in `seen`.
    fn unique_id(
        &mut self,
        key: &str,
        raw: &Spanned<String>,
        seen: &mut Seen,
        code: Code,
        what: &str,
    ) -> Option<Id> {
        let id = self.id(key, raw)?;
        if let Some(first) = seen.get(id.as_str()) {
            let first = self.line_of(first);
            self.error(
                code,
                key,
                Some(raw.span()),
                format!("{what} id `{id}` is used twice{first}; ids must be unique"),
            );
            return None;
        }
        seen.insert(id.as_str().to_owned(), raw.span());
        Some(id)
    }

    fn text(&mut self, key: &str, raw: &Spanned<RawText>) -> Option<Text> {
        let span = Some(raw.span());
        let before = self.errors.len();
        let text = match raw.get_ref() {
            RawText::Plain(s) => {
                if s.trim().is_empty() {
                    self.error(Code::EmptyText, key, span, "this text is empty".into());
                }
                Text::new(s.clone(), BTreeMap::new())
            }
            RawText::Translated(all) => {
                for (lang, s) in all {
                    if !self.languages.contains(lang) {
                        let message = format!(
                            "translation into `{lang}`, which is not in `languages`; add the language there or remove this translation"
                        );
                        self.error(
                            Code::UnknownLanguage,
                            &format!("{key}.{lang}"),
                            span.clone(),
                            message,
                        );
                    }
                    if s.trim().is_empty() {
                        self.error(
                            Code::EmptyText,
                            &format!("{key}.{lang}"),
                            span.clone(),
                            format!("the `{lang}` text is empty"),
                        );
                    }
                }
                let mut translations = all.clone();
                match translations.remove(&self.default_language) {
                    Some(default) => Text::new(default, translations),
                    None => {
                        let message = format!(
                            "no text in the default language `{}`; add `{} = \"...\"`",
                            self.default_language, self.default_language
                        );
                        self.error(Code::MissingDefaultLanguageText, key, span, message);
                        return None;
                    }
                }
            }
        };
        (self.errors.len() == before).then_some(text)
    }

    fn time_zone(&mut self, raw: &Spanned<String>) -> Option<(String, jiff::tz::TimeZone)> {
        match jiff::tz::db().get(raw.get_ref()) {
            Ok(tz) => {
                let name = tz.iana_name().unwrap_or(raw.get_ref()).to_owned();
                Some((name, tz))
            }
            Err(_) => {
                self.error(
                    Code::UnknownTimeZone,
                    "time_zone",
                    Some(raw.span()),
                    format!("`{}` is not an IANA time zone name (write e.g. \"Europe/Tallinn\" or \"Asia/Bangkok\")", raw.get_ref()),
                );
                None
            }
        }
    }

    fn timestamp(&mut self, key: &str, raw: &Spanned<String>) -> Option<Timestamp> {
        let parsed = raw.get_ref().parse::<Timestamp>();
        if parsed.is_err() {
            self.error(
                Code::BadTimestamp,
                key,
                Some(raw.span()),
                format!(
                    "`{}` is not an RFC 3339 time; write UTC like \"2027-03-01T07:00:00Z\"",
                    raw.get_ref()
                ),
            );
        }
        parsed.ok()
    }

    fn window(&mut self, raw: &RawManifest, check: WindowCheck) -> Option<(Timestamp, Timestamp)> {
        let starts = self.timestamp("voting_starts", &raw.voting_starts);
        let ends = self.timestamp("voting_ends", &raw.voting_ends);
        let (starts, ends) = (starts?, ends?);
        if ends <= starts {
            self.error(
                Code::WindowEndNotAfterStart,
                "voting_ends",
                Some(raw.voting_ends.span()),
                format!("voting ends ({ends}) at or before it starts ({starts})"),
            );
        }
        if let WindowCheck::StartsAfter { now } = check {
            if starts <= now {
                self.error(
                    Code::WindowInPast,
                    "voting_starts",
                    Some(raw.voting_starts.span()),
                    format!("voting would start at {starts}, which is not after now ({now}); set a future start"),
                );
            }
        }
        Some((starts, ends))
    }

    fn districts(&mut self, raw: &[RawDistrict]) -> Option<Vec<District>> {
        if raw.is_empty() {
            self.error(
                Code::NoDistricts,
                "districts",
                None,
                "the manifest has no district; add at least one [[districts]] table".into(),
            );
            return None;
        }
        let mut district_ids = Seen::new();
        let mut contest_ids = Seen::new();
        let mut out = Vec::with_capacity(raw.len());
        let mut ok = true;
        for (i, d) in raw.iter().enumerate() {
            let key = format!("districts[{i}]");
            let id = self.unique_id(
                &format!("{key}.id"),
                &d.id,
                &mut district_ids,
                Code::DuplicateDistrict,
                "district",
            );
            let name = self.text(&format!("{key}.name"), &d.name);
            if d.contests.is_empty() {
                self.error(
                    Code::DistrictWithoutContest,
                    &key,
                    Some(d.id.span()),
                    format!(
                        "district `{}` has no contest; add a [[districts.contests]] table",
                        d.id.get_ref()
                    ),
                );
            }
            let mut contests = Vec::with_capacity(d.contests.len());
            for (j, c) in d.contests.iter().enumerate() {
                match self.contest(&format!("{key}.contests[{j}]"), c, &mut contest_ids) {
                    Some(c) => contests.push(c),
                    None => ok = false,
                }
            }
            match (id, name) {
                (Some(id), Some(name)) if ok && !contests.is_empty() => {
                    out.push(District { id, name, contests })
                }
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn contest(&mut self, key: &str, c: &RawContest, contest_ids: &mut Seen) -> Option<Contest> {
        let id = self.unique_id(
            &format!("{key}.id"),
            &c.id,
            contest_ids,
            Code::DuplicateContest,
            "contest",
        );
        let title = self.text(&format!("{key}.title"), &c.title);
        if c.candidates.is_empty() {
            self.error(
                Code::ContestWithoutCandidates,
                key,
                Some(c.id.span()),
                format!(
                    "contest `{}` has no candidate; add [[districts.contests.candidates]] tables",
                    c.id.get_ref()
                ),
            );
        }
        let mut candidate_ids = Seen::new();
        let mut candidates = Vec::with_capacity(c.candidates.len());
        let mut ok = true;
        for (k, cand) in c.candidates.iter().enumerate() {
            let ckey = format!("{key}.candidates[{k}]");
            let id = self.unique_id(
                &format!("{ckey}.id"),
                &cand.id,
                &mut candidate_ids,
                Code::DuplicateCandidate,
                "candidate",
            );
            let name = self.text(&format!("{ckey}.name"), &cand.name);
            let party = match &cand.party {
                Some(p) => self.text(&format!("{ckey}.party"), p).map(Some),
                None => Some(None),
            };
            match (id, name, party) {
                (Some(id), Some(name), Some(party)) => {
                    candidates.push(Candidate { id, name, party })
                }
                _ => ok = false,
            }
        }
        let blank = match &c.blank {
            None => Some(None),
            Some(b) => {
                let id = self.unique_id(
                    &format!("{key}.blank.id"),
                    &b.id,
                    &mut candidate_ids,
                    Code::DuplicateCandidate,
                    "blank option",
                );
                let name = self.text(&format!("{key}.blank.name"), &b.name);
                match (id, name) {
                    (Some(id), Some(name)) => Some(Some(Candidate {
                        id,
                        name,
                        party: None,
                    })),
                    _ => None,
                }
            }
        };
        let selections = c.candidates.len() as u64 + u64::from(c.blank.is_some());
        let kind = self.kind(key, c, selections);
        if !ok || c.candidates.is_empty() {
            return None;
        }
        Some(Contest {
            id: id?,
            title: title?,
            kind: kind?,
            candidates,
            blank: blank?,
        })
    }

    /// The contest kind and its limits, checking that only that kind's keys are present.
    fn kind(&mut self, key: &str, c: &RawContest, selections: u64) -> Option<ContestKind> {
        let limits: [(&str, &Option<Spanned<u64>>); 6] = [
            ("min_choices", &c.min_choices),
            ("max_choices", &c.max_choices),
            ("max_score", &c.max_score),
            ("max_total", &c.max_total),
            ("points", &c.points),
            ("max_per_candidate", &c.max_per_candidate),
        ];
        let kind = c.kind.get_ref().as_str();
        let allowed: &[&str] = match kind {
            "plurality" => &[],
            "approval" => &["min_choices", "max_choices"],
            "score" => &["max_score", "max_total"],
            "cumulative" => &["points", "max_per_candidate"],
            other => {
                self.error(
                    Code::UnknownKind,
                    &format!("{key}.kind"),
                    Some(c.kind.span()),
                    format!("unknown contest kind `{other}`; use \"plurality\", \"approval\", \"score\" or \"cumulative\""),
                );
                return None;
            }
        };
        let before = self.errors.len();
        for (name, value) in limits {
            if let Some(v) = value {
                if !allowed.contains(&name) {
                    self.error(
                        Code::FieldNotForKind,
                        &format!("{key}.{name}"),
                        Some(v.span()),
                        format!("`{name}` does not apply to a {kind} contest; remove it (it applies to: {})", kinds_using(name)),
                    );
                }
            }
        }
        if c.blank.is_some() && matches!(kind, "score" | "cumulative") {
            let span = c.blank.as_ref().map(|b| b.id.span());
            self.error(
                Code::BlankNotAllowed,
                &format!("{key}.blank"),
                span,
                format!("a {kind} contest cannot have a blank option (only plurality and approval contests can); a voter who gives no points votes blank"),
            );
        }
        let kind = match kind {
            "plurality" => Some(ContestKind::Plurality),
            "approval" => self.approval(key, c, selections),
            "score" => self.score(key, c, selections),
            _ => self.cumulative(key, c),
        };
        if self.errors.len() == before {
            kind
        } else {
            None
        }
    }

    fn required(
        &mut self,
        key: &str,
        c: &RawContest,
        name: &str,
        value: &Option<Spanned<u64>>,
    ) -> Option<Spanned<u64>> {
        if value.is_none() {
            self.error(
                Code::MissingField,
                &format!("{key}.{name}"),
                Some(c.kind.span()),
                format!("a {} contest needs `{name}`", c.kind.get_ref()),
            );
        }
        value.clone()
    }

    /// A contest limit must be at least 1 and at most the crypto layer's `MAX_VALUE`: counts
    /// and the verification device's opening of a ballot are bounded searches over it.
    fn at_least_one(&mut self, key: &str, name: &str, v: &Spanned<u64>) -> bool {
        if *v.get_ref() == 0 {
            self.error(
                Code::ZeroLimit,
                &format!("{key}.{name}"),
                Some(v.span()),
                format!("`{name}` is 0; it must be at least 1"),
            );
            return false;
        }
        if *v.get_ref() > MAX_VALUE {
            self.error(
                Code::LimitTooLarge,
                &format!("{key}.{name}"),
                Some(v.span()),
                format!(
                    "`{name}` ({}) is too large: contests allow at most {MAX_VALUE}",
                    v.get_ref()
                ),
            );
            return false;
        }
        true
    }

    fn approval(&mut self, key: &str, c: &RawContest, selections: u64) -> Option<ContestKind> {
        let max = self.required(key, c, "max_choices", &c.max_choices)?;
        let min = c.min_choices.as_ref().map_or(0, |m| *m.get_ref());
        if !self.at_least_one(key, "max_choices", &max) {
            return None;
        }
        let max_v = *max.get_ref();
        if let Some(m) = &c.min_choices {
            if min > max_v {
                self.error(
                    Code::MinGreaterThanMax,
                    &format!("{key}.min_choices"),
                    Some(m.span()),
                    format!("min_choices ({min}) is greater than max_choices ({max_v})"),
                );
            }
        }
        if max_v > selections && selections > 0 {
            self.error(
                Code::MaxExceedsCandidates,
                &format!("{key}.max_choices"),
                Some(max.span()),
                format!("max_choices ({max_v}) is greater than the number of options on the ballot ({selections})"),
            );
        }
        Some(ContestKind::Approval { min, max: max_v })
    }

    fn score(&mut self, key: &str, c: &RawContest, selections: u64) -> Option<ContestKind> {
        let r = self.required(key, c, "max_score", &c.max_score)?;
        if !self.at_least_one(key, "max_score", &r) {
            return None;
        }
        let max_score = *r.get_ref();
        let max_total = match &c.max_total {
            Some(s) => {
                if !self.at_least_one(key, "max_total", s) {
                    return None;
                }
                *s.get_ref()
            }
            None => match max_score
                .checked_mul(selections)
                .filter(|total| *total <= MAX_VALUE)
            {
                Some(total) => total,
                None => {
                    self.error(
                        Code::LimitTooLarge,
                        &format!("{key}.max_score"),
                        Some(r.span()),
                        format!("max_score ({max_score}) times the number of candidates ({selections}) is too large (above {MAX_VALUE}); lower max_score or set max_total"),
                    );
                    return None;
                }
            },
        };
        Some(ContestKind::Score {
            max_score,
            max_total,
        })
    }

    fn cumulative(&mut self, key: &str, c: &RawContest) -> Option<ContestKind> {
        let s = self.required(key, c, "points", &c.points)?;
        if !self.at_least_one(key, "points", &s) {
            return None;
        }
        let points = *s.get_ref();
        let max_per_candidate = match &c.max_per_candidate {
            Some(cap) => {
                if !self.at_least_one(key, "max_per_candidate", cap) {
                    return None;
                }
                if *cap.get_ref() > points {
                    self.error(
                        Code::CapExceedsPoints,
                        &format!("{key}.max_per_candidate"),
                        Some(cap.span()),
                        format!(
                            "max_per_candidate ({}) is greater than points ({points})",
                            cap.get_ref()
                        ),
                    );
                }
                *cap.get_ref()
            }
            None => points,
        };
        Some(ContestKind::Cumulative {
            points,
            max_per_candidate,
        })
    }
}

fn kinds_using(limit: &str) -> &'static str {
    match limit {
        "min_choices" | "max_choices" => "approval",
        "max_score" | "max_total" => "score",
        _ => "cumulative",
    }
}

/// The trimmed source line containing byte `offset`, if it is not blank.
fn source_line(src: &str, offset: usize) -> Option<&str> {
    let start = src.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = src.get(start..)?.lines().next()?.trim();
    (!line.is_empty()).then_some(line)
}

/// A BCP 47-like language code: 2–3 lower-case letters, then optional `-` subtags of
/// 1–8 letters or digits (`en`, `et`, `th`, `pt-BR`, `zh-Hant`).
fn is_language_code(s: &str) -> bool {
    let mut parts = s.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests;
