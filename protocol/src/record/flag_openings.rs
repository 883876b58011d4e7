//! `flag-openings.bin` (auditors' bundle): for every valid ballot of `ballots.bin`, whether it
//! counted and its flag's randomness, with which the auditors check that the public flag
//! encrypts what the counting rules decided (`docs/coercion.md`; the flag's branch is the
//! selected ballot's, by the selection proof).
//!
//! Layout: `lp("ivote-v1/record/flag-openings") ‖ context (32) ‖ u64 n ‖ n × (ballot hash (32)
//! ‖ opening (33): u8 counted (0 or 1) ‖ s (32))`, ballot hashes strictly increasing: exactly
//! the ballots of `ballots.bin` that carry a selected ballot, in its order. Not public: it
//! says which ballots counted.

use ivote_crypto::proofs::selection::{FlagOpening, FLAG_OPENING_LEN};

use super::{header, read_header, RecordError, FLAG_OPENINGS_FILE};
use crate::hashes::BallotHash;
use crate::layout::Reader;
use crate::package::ContextHash;

/// The file's label.
pub const LABEL: &[u8] = b"ivote-v1/record/flag-openings";
const F: &str = FLAG_OPENINGS_FILE;
/// An opening's length: `u8 counted ‖ s (32)`.
const OPENING_LEN: usize = FLAG_OPENING_LEN;

/// The whole file.
#[derive(Debug)]
pub struct FlagOpenings {
    /// The election.
    pub context: ContextHash,
    /// Per valid ballot, in increasing ballot hash order.
    pub openings: Vec<(BallotHash, FlagOpening)>,
}

impl FlagOpenings {
    /// The layout; the openings must be in strictly increasing hash order.
    pub fn to_bytes(&self) -> Result<Vec<u8>, RecordError> {
        check_order(self.openings.iter().map(|(h, _)| h))?;
        let mut w = header(LABEL, &self.context);
        w.u64(self.openings.len() as u64);
        for (hash, opening) in &self.openings {
            w.fixed(&hash.0).fixed(&opening.to_bytes()[..]);
        }
        Ok(w.finish())
    }

    /// Decodes the layout.
    pub fn from_bytes(bytes: &[u8]) -> Result<FlagOpenings, RecordError> {
        let mut r = Reader::new(bytes, "flag openings");
        let context = read_header(&mut r, LABEL, F)?;
        let n = r.u64().map_err(RecordError::layout(F))?;
        let room = (bytes.len() / (32 + OPENING_LEN)) as u64;
        if n > room {
            return Err(RecordError::malformed(
                F,
                format!("it announces {n} openings, but has room for at most {room}"),
            ));
        }
        let mut openings = Vec::with_capacity(n as usize);
        for i in 0..n {
            let hash = BallotHash(r.array().map_err(RecordError::layout(F))?);
            let opening =
                FlagOpening::from_bytes(r.take(OPENING_LEN).map_err(RecordError::layout(F))?)
                    .map_err(|e| RecordError::malformed(F, format!("opening {i}: {e}")))?;
            openings.push((hash, opening));
        }
        r.finish().map_err(RecordError::layout(F))?;
        check_order(openings.iter().map(|(h, _)| h))?;
        Ok(FlagOpenings { context, openings })
    }
}

fn check_order<'a>(hashes: impl Iterator<Item = &'a BallotHash>) -> Result<(), RecordError> {
    let mut last: Option<&BallotHash> = None;
    for (i, h) in hashes.enumerate() {
        if last.is_some_and(|l| l >= h) {
            return Err(RecordError::malformed(
                F,
                format!(
                    "opening {i} ({}) is out of hash order or repeated",
                    h.to_hex()
                ),
            ));
        }
        last = Some(h);
    }
    Ok(())
}
