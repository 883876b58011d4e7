//! The voter roll: who may vote, in which district.
//!
//! The officials publish the roll as a CSV file `id_code,district,name` (the name column
//! may be left out or empty). [`VoterRoll::parse`] checks every line against the roll's
//! country's id-code rules and the manifest's districts and reports every problem with
//! its line. The package binds the roll by [`RollHash`]: SHA-256 of the exact file bytes.
//! Later changes come as signed change lists ([`ChangeList`]) applied in order.

mod changes;
mod csv_file;
mod error;
mod id_code;
mod paper_list;

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::manifest::ElectionManifest;

pub use changes::{Change, ChangeAction, ChangeList, CHANGE_LIST_SIGNATURE_LABEL};
pub use error::{PackageRollError, RollError, RollErrorCode, RollErrors};
pub use id_code::{
    demo_estonian_code, estonian_check_digit, generate_estonian_code, parse_voter_id, voter_id,
    Country, IdCodeProblem, UnknownCountry, DEMO_CODE_CAPACITY,
};
pub use paper_list::{parse_paper_list, PAPER_LIST_HEADER};

use error::RollErrorCode as Code;

/// SHA-256 of the roll file's exact bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RollHash(pub [u8; 32]);

impl RollHash {
    /// Hashes the roll file's bytes.
    pub fn of_file(bytes: &[u8]) -> Self {
        RollHash(Sha256::digest(bytes).into())
    }

    /// Lower-case hex, as in the package's `roll.sha256` file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// Lower-case hex, as [`RollHash::to_hex`].
impl std::fmt::Display for RollHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// One voter's entry.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Voter {
    /// Index into [`VoterRoll::districts`].
    district: u32,
    name: Option<Box<str>>,
}

/// A validated voter roll, indexed by id code for the collector's hot path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoterRoll {
    country: Country,
    /// The manifest's district ids, in manifest order.
    districts: Vec<String>,
    voters: HashMap<String, Voter>,
    hash: RollHash,
    /// The `seq` of the last change applied (0: none).
    applied_seq: u64,
}

const ROLL_HEADERS: &[&[&str]] = &[&["id_code", "district", "name"], &["id_code", "district"]];

impl VoterRoll {
    /// Parses and validates a roll file of `country`'s id codes against `manifest`'s districts.
    pub fn parse(
        bytes: &[u8],
        country: Country,
        manifest: &ElectionManifest,
    ) -> Result<Self, RollErrors> {
        let districts: Vec<String> = manifest
            .districts()
            .iter()
            .map(|d| d.id.as_str().to_owned())
            .collect();
        let mut roll = VoterRoll {
            country,
            voters: HashMap::new(),
            hash: RollHash::of_file(bytes),
            applied_seq: 0,
            districts,
        };
        let mut first_line: HashMap<String, u64> = HashMap::new();
        let mut errors = Vec::new();
        let mut row_errors = Vec::new();
        let rows = csv_file::read_csv("voter roll", bytes, ROLL_HEADERS, &mut errors, |line, r| {
            let id_code = r.get(0).unwrap_or_default();
            let district = r.get(1).unwrap_or_default();
            let name = r.get(2).filter(|n| !n.is_empty());
            if let Err(problem) = country.check_id_code(id_code) {
                row_errors.push(malformed(country, line, id_code, &problem));
                return;
            }
            let Some(district) = roll.district_index(district) else {
                row_errors.push(roll.unknown_district(line, district));
                return;
            };
            if let Some(first) = first_line.get(id_code) {
                row_errors.push(RollError::at(
                    Code::DuplicateVoter,
                    line,
                    format!("id code {id_code} is on line {first} and again on line {line}; a voter may be on the roll once"),
                ));
                return;
            }
            first_line.insert(id_code.to_owned(), line);
            roll.voters.insert(
                id_code.to_owned(),
                Voter {
                    district,
                    name: name.map(Box::from),
                },
            );
        });
        errors.append(&mut row_errors);
        errors.sort_by_key(|e| e.line);
        if rows == Some(0) {
            errors.push(RollError::file(
                Code::Empty,
                "the voter roll has a header but no voter".into(),
            ));
        }
        if errors.is_empty() {
            Ok(roll)
        } else {
            Err(RollErrors(errors))
        }
    }

    /// The roll's country.
    pub fn country(&self) -> Country {
        self.country
    }

    /// The hash of the roll file this roll was parsed from (changes applied since do not
    /// change it: they are bound by their own signatures).
    pub fn hash(&self) -> RollHash {
        self.hash
    }

    /// The `seq` of the last applied change, 0 if none.
    pub fn applied_seq(&self) -> u64 {
        self.applied_seq
    }

    /// The number of voters.
    pub fn len(&self) -> usize {
        self.voters.len()
    }

    /// Whether the roll has no voter (only possible after changes removed everyone).
    pub fn is_empty(&self) -> bool {
        self.voters.is_empty()
    }

    /// The district of the voter with this personal code, if they are on the roll.
    pub fn district_of(&self, id_code: &str) -> Option<&str> {
        let v = self.voters.get(id_code)?;
        self.districts.get(v.district as usize).map(String::as_str)
    }

    /// The district of the voter with this e-ID voter id (`PNOEE-38001085718`), if the id
    /// is of the roll's country and the voter is on the roll.
    pub fn district_of_voter_id(&self, voter_id: &str) -> Option<&str> {
        match parse_voter_id(voter_id)? {
            (country, code) if country == self.country => self.district_of(code),
            _ => None,
        }
    }

    /// The voter's name as given in the roll, if any.
    pub fn name_of(&self, id_code: &str) -> Option<&str> {
        self.voters.get(id_code)?.name.as_deref()
    }

    /// The number of voters in each of the manifest's districts, in manifest order.
    pub fn district_counts(&self) -> Vec<(&str, usize)> {
        let mut counts = vec![0usize; self.districts.len()];
        for v in self.voters.values() {
            if let Some(c) = counts.get_mut(v.district as usize) {
                *c += 1;
            }
        }
        self.districts
            .iter()
            .map(String::as_str)
            .zip(counts)
            .collect()
    }

    /// The roll as a roll file (`id_code,district,name`, voters sorted by id code, LF line
    /// ends), e.g. after change lists were applied: the file the officials publish next.
    pub fn to_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut codes: Vec<&String> = self.voters.keys().collect();
        codes.sort();
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        w.write_record(["id_code", "district", "name"])?;
        for code in codes {
            let Some(v) = self.voters.get(code) else {
                continue;
            };
            let district = self
                .districts
                .get(v.district as usize)
                .map_or("", String::as_str);
            w.write_record([code.as_str(), district, v.name.as_deref().unwrap_or("")])?;
        }
        w.into_inner().map_err(|e| e.into_error().into())
    }

    fn district_index(&self, id: &str) -> Option<u32> {
        let i = self.districts.iter().position(|d| d == id)?;
        u32::try_from(i).ok()
    }

    fn unknown_district(&self, line: u64, district: &str) -> RollError {
        RollError::at(
            Code::UnknownDistrict,
            line,
            format!(
                "district `{district}` is not in the manifest (its districts: {})",
                self.districts.join(", ")
            ),
        )
    }
}

fn malformed(country: Country, line: u64, id_code: &str, problem: &IdCodeProblem) -> RollError {
    RollError::at(
        Code::MalformedIdCode,
        line,
        format!(
            "`{id_code}` is not a valid {} personal code: {problem}",
            country_adjective(country)
        ),
    )
}

fn country_adjective(country: Country) -> &'static str {
    match country {
        Country::EE => "Estonian",
        Country::TH => "Thai",
    }
}

#[cfg(test)]
mod tests;
