//! Signed change lists: later corrections to the voter roll, applied in order.
//!
//! A change list is a CSV file `seq,action,id_code,district` whose `seq` numbers continue
//! the roll's history without gaps (the first list starts at 1). It comes with a detached
//! signature file: the officials' Ed25519 signature, hex-encoded, over
//! [`CHANGE_LIST_SIGNATURE_LABEL`] ‖ the exact bytes of the CSV file. The label keeps a
//! change-list signature from ever being taken for a signature over something else made
//! with the same key (e.g. a package index).

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use super::csv_file::read_csv;
use super::error::{RollError, RollErrorCode as Code, RollErrors};
use super::{malformed, Country, Voter, VoterRoll};

/// Prefixed to the change list's bytes before signing.
pub const CHANGE_LIST_SIGNATURE_LABEL: &[u8] = b"ivote-v1/roll-changes";

/// What a change does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeAction {
    /// Puts a new voter on the roll, in `district`.
    Add,
    /// Takes a voter off the roll.
    Remove,
    /// Moves a voter to `district`.
    Move,
}

/// One line of a change list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Its sequence number.
    pub seq: u64,
    /// What it does.
    pub action: ChangeAction,
    /// The voter's personal code (checked against the country's rules).
    pub id_code: String,
    /// The district (required for add and move; optional for remove).
    pub district: Option<String>,
    /// Its line in the change list file, for messages.
    pub line: u64,
}

/// A change list whose signature has been verified and whose lines are well formed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeList {
    changes: Vec<Change>,
}

const HEADER: &[&[&str]] = &[&["seq", "action", "id_code", "district"]];

impl ChangeList {
    /// The signature file for a change list: hex of the officials' signature, and a newline.
    pub fn sign(csv: &[u8], officials: &SigningKey) -> Vec<u8> {
        let sig = officials.sign(&signed_message(csv));
        format!("{}\n", hex::encode(sig.to_bytes())).into_bytes()
    }

    /// Verifies the signature, then parses the list: every line well formed, `seq`
    /// consecutive. (Whether the changes fit the roll is checked by [`VoterRoll::apply`].)
    pub fn verify_and_parse(
        csv: &[u8],
        signature_file: &[u8],
        officials: &VerifyingKey,
        country: Country,
    ) -> Result<Self, RollErrors> {
        let sig = std::str::from_utf8(signature_file)
            .ok()
            .and_then(|s| hex::decode(s.trim()).ok())
            .and_then(|b| Signature::from_slice(&b).ok())
            .ok_or_else(|| {
                RollError::file(
                    Code::BadSignatureFile,
                    "the change list's signature file must hold 128 hex digits (a 64-byte Ed25519 signature)".into(),
                )
            })?;
        officials.verify(&signed_message(csv), &sig).map_err(|_| {
            RollError::file(
                Code::BadSignature,
                "the change list's signature does not verify with the officials' key: the list was altered, or signed with another key".into(),
            )
        })?;
        let mut errors = Vec::new();
        let mut row_errors = Vec::new();
        let mut changes: Vec<Change> = Vec::new();
        let rows = read_csv(
            "change list",
            csv,
            HEADER,
            &mut errors,
            |line, r| match parse_change(line, r, country, changes.last()) {
                Ok(c) => changes.push(c),
                Err(e) => row_errors.push(e),
            },
        );
        errors.append(&mut row_errors);
        errors.sort_by_key(|e| e.line);
        if rows == Some(0) {
            errors.push(RollError::file(
                Code::Empty,
                "the change list has a header but no change".into(),
            ));
        }
        if errors.is_empty() {
            Ok(ChangeList { changes })
        } else {
            Err(RollErrors(errors))
        }
    }

    /// The changes, in order.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }
}

fn signed_message(csv: &[u8]) -> Vec<u8> {
    [CHANGE_LIST_SIGNATURE_LABEL, csv].concat()
}

fn parse_change(
    line: u64,
    r: &csv::StringRecord,
    country: Country,
    previous: Option<&Change>,
) -> Result<Change, RollError> {
    let cell = |i| r.get(i).unwrap_or_default();
    let seq: u64 = cell(0).parse().map_err(|_| {
        RollError::at(
            Code::BadSeq,
            line,
            format!("seq `{}` is not a whole number", cell(0)),
        )
    })?;
    if let Some(prev) = previous {
        if prev.seq.checked_add(1) != Some(seq) {
            return Err(RollError::at(
                Code::SeqGap,
                line,
                format!(
                    "seq {seq} does not follow seq {} of line {}; seq numbers go up by one",
                    prev.seq, prev.line
                ),
            ));
        }
    }
    let action = match cell(1) {
        "add" => ChangeAction::Add,
        "remove" => ChangeAction::Remove,
        "move" => ChangeAction::Move,
        other => {
            return Err(RollError::at(
                Code::UnknownAction,
                line,
                format!("unknown action `{other}`; use add, remove or move"),
            ))
        }
    };
    let id_code = cell(2);
    country
        .check_id_code(id_code)
        .map_err(|p| malformed(country, line, id_code, &p))?;
    let district = Some(cell(3)).filter(|d| !d.is_empty()).map(str::to_owned);
    if district.is_none() && action != ChangeAction::Remove {
        return Err(RollError::at(
            Code::MissingDistrict,
            line,
            format!("`{}` needs a district", cell(1)),
        ));
    }
    Ok(Change {
        seq,
        action,
        id_code: id_code.to_owned(),
        district,
        line,
    })
}

impl VoterRoll {
    /// Applies a change list in order and returns the new roll; `self` is left as it was.
    /// Stops at the first change that does not fit (each depends on the ones before).
    pub fn apply(&self, list: &ChangeList) -> Result<VoterRoll, RollError> {
        let mut roll = self.clone();
        for change in &list.changes {
            roll.apply_one(change)?;
        }
        Ok(roll)
    }

    fn apply_one(&mut self, c: &Change) -> Result<(), RollError> {
        let line = c.line;
        if self.applied_seq.checked_add(1) != Some(c.seq) {
            return Err(RollError::at(
                Code::SeqGap,
                line,
                format!(
                    "seq {} does not continue the roll, whose last applied change is seq {}; apply the change lists in order",
                    c.seq, self.applied_seq
                ),
            ));
        }
        let district = match &c.district {
            Some(d) => Some(
                self.district_index(d)
                    .ok_or_else(|| self.unknown_district(line, d))?,
            ),
            None => None,
        };
        let current = self.voters.get(&c.id_code).map(|v| v.district);
        match (c.action, current, district) {
            (ChangeAction::Add, Some(_), _) => {
                return Err(RollError::at(
                    Code::VoterExists,
                    line,
                    format!(
                        "cannot add {}: already on the roll (use move to change the district)",
                        c.id_code
                    ),
                ))
            }
            (ChangeAction::Remove | ChangeAction::Move, None, _) => {
                return Err(RollError::at(
                    Code::UnknownVoter,
                    line,
                    format!(
                        "cannot {} {}: not on the roll",
                        action_name(c.action),
                        c.id_code
                    ),
                ))
            }
            (ChangeAction::Remove, Some(cur), Some(given)) if cur != given => {
                let cur_name = self
                    .districts
                    .get(cur as usize)
                    .cloned()
                    .unwrap_or_default();
                return Err(RollError::at(
                    Code::DistrictMismatch,
                    line,
                    format!(
                        "cannot remove {} from district `{}`: the voter is in `{cur_name}`",
                        c.id_code,
                        c.district.as_deref().unwrap_or_default()
                    ),
                ));
            }
            (ChangeAction::Remove, Some(_), _) => {
                self.voters.remove(&c.id_code);
            }
            (ChangeAction::Add | ChangeAction::Move, _, Some(district)) => {
                let name = self.voters.remove(&c.id_code).and_then(|v| v.name);
                self.voters
                    .insert(c.id_code.clone(), Voter { district, name });
            }
            (ChangeAction::Add | ChangeAction::Move, _, None) => {
                return Err(RollError::at(
                    Code::MissingDistrict,
                    line,
                    format!("`{}` needs a district", action_name(c.action)),
                ))
            }
        }
        self.applied_seq = c.seq;
        Ok(())
    }
}

fn action_name(a: ChangeAction) -> &'static str {
    match a {
        ChangeAction::Add => "add",
        ChangeAction::Remove => "remove",
        ChangeAction::Move => "move",
    }
}
