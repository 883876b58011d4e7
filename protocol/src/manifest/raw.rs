//! The manifest exactly as written: serde types with spans, not yet validated. They are
//! also what the canonical form is serialized from, so the canonical file is a manifest
//! like any other and loads through the same validation.
//!
//! Field order here is the key order of the canonical file. Plain values come before
//! tables, as TOML requires.

use serde::{Deserialize, Serialize};
use serde_spanned::Spanned;

use super::text::RawText;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawManifest {
    pub election_id: Spanned<String>,
    pub languages: Spanned<Vec<String>>,
    pub default_language: Spanned<String>,
    pub time_zone: Spanned<String>,
    pub voting_starts: Spanned<String>,
    pub voting_ends: Spanned<String>,
    pub title: Spanned<RawText>,
    #[serde(default)]
    pub districts: Vec<RawDistrict>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDistrict {
    pub id: Spanned<String>,
    pub name: Spanned<RawText>,
    #[serde(default)]
    pub contests: Vec<RawContest>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawContest {
    pub id: Spanned<String>,
    pub kind: Spanned<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_choices: Option<Spanned<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_choices: Option<Spanned<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_score: Option<Spanned<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_total: Option<Spanned<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Spanned<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_candidate: Option<Spanned<u64>>,
    pub title: Spanned<RawText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blank: Option<RawBlank>,
    #[serde(default)]
    pub candidates: Vec<RawCandidate>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBlank {
    pub id: Spanned<String>,
    pub name: Spanned<RawText>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCandidate {
    pub id: Spanned<String>,
    pub name: Spanned<RawText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<Spanned<RawText>>,
}
