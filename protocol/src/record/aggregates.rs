//! `aggregates.bin`: the homomorphic sum of the selected ballots' ciphertexts for every
//! (district, contest, selection) of the manifest, in manifest order, and of their flags per
//! district (`docs/coercion.md`: a selected ballot re-encrypts a counted ballot or encrypts
//! zeros, its flag encrypts 1 or 0).
//!
//! Layout: `lp("ivote-v1/record/aggregates") ‖ context (32) ‖ u32 n ‖ n × (lp district ‖
//! lp contest ‖ u32 selection ‖ u64 ballots ‖ ciphertext (64)) ‖ u32 d ‖ d × (lp district ‖
//! ciphertext (64))`, where `ballots` is the number of counted ballots of the district (the
//! decrypted flag sum must equal it) and a ciphertext is `α ‖ β`, canonical Ristretto
//! encodings. The positions must be exactly [`positions`] of the manifest, the flag sums'
//! districts exactly its districts, in its order.
//!
//! The trustees decrypt the [`Aggregates::targets`]: the aggregates, then the flag sums, the
//! flag sum of district `d` at the tally position `(d, "", 0)` (contest ids are never empty,
//! so it is no selection's position).

use ivote_crypto::proofs::dleq::TallyPosition;
use ivote_crypto::Ciphertext;

use super::{count_u32, header, read_count, read_header, read_id, RecordError, AGGREGATES_FILE};
use crate::layout::Reader;
use crate::manifest::ElectionManifest;
use crate::package::ContextHash;

/// The file's label.
pub const LABEL: &[u8] = b"ivote-v1/record/aggregates";
/// The most aggregates a file may hold.
pub const MAX_AGGREGATES: usize = 1 << 20;

/// One sum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aggregate {
    /// District, contest and selection (candidate order, the blank option last).
    pub position: TallyPosition,
    /// How many counted ballots of the district the sum adds up.
    pub ballots: u64,
    /// The sum of their ciphertexts for this selection.
    pub ciphertext: Ciphertext,
}

/// The sum of one district's flags: its decryption is the number of its counted ballots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagSum {
    /// The district.
    pub district: String,
    /// The sum of the flags of its ballots.
    pub ciphertext: Ciphertext,
}

impl FlagSum {
    /// The tally position its decryption shares are proven at: `(district, "", 0)`.
    pub fn position(&self) -> TallyPosition {
        flag_position(&self.district)
    }
}

/// The tally position of a district's flag sum: `(district, "", 0)`.
pub fn flag_position(district: &str) -> TallyPosition {
    TallyPosition {
        district: district.to_owned(),
        contest: String::new(),
        selection: 0,
    }
}

/// The whole file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aggregates {
    /// The election.
    pub context: ContextHash,
    /// In manifest order.
    pub aggregates: Vec<Aggregate>,
    /// One per district, in manifest order.
    pub flags: Vec<FlagSum>,
}

/// Every (district, contest, selection) of the manifest, in its order: the order of
/// `aggregates.bin`, of every decryption share file and of `results.bin`.
pub fn positions(manifest: &ElectionManifest) -> Vec<TallyPosition> {
    let mut out = Vec::new();
    for d in manifest.districts() {
        for c in &d.contests {
            for s in 0..c.selection_count() {
                out.push(TallyPosition {
                    district: d.id.as_str().to_owned(),
                    contest: c.id.as_str().to_owned(),
                    selection: count_u32(s),
                });
            }
        }
    }
    out
}

impl Aggregates {
    /// What the trustees decrypt, in the order of every decryption share file and of
    /// `results.bin`: every aggregate, then every district's flag sum.
    pub fn targets(&self) -> Vec<(TallyPosition, Ciphertext)> {
        self.aggregates
            .iter()
            .map(|a| (a.position.clone(), a.ciphertext))
            .chain(self.flags.iter().map(|f| (f.position(), f.ciphertext)))
            .collect()
    }

    /// The number of counted ballots the file states for a district (0 for a district it
    /// has no aggregate of): the number its decrypted flag sum must equal.
    pub fn counted_ballots(&self, district: &str) -> u64 {
        self.aggregates
            .iter()
            .find(|a| a.position.district == district)
            .map_or(0, |a| a.ballots)
    }

    /// The layout.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(LABEL, &self.context);
        w.u32(count_u32(self.aggregates.len()));
        for a in &self.aggregates {
            w.bytes(a.position.district.as_bytes())
                .bytes(a.position.contest.as_bytes())
                .u32(a.position.selection)
                .u64(a.ballots)
                .fixed(&a.ciphertext.to_bytes());
        }
        w.u32(count_u32(self.flags.len()));
        for f in &self.flags {
            w.bytes(f.district.as_bytes())
                .fixed(&f.ciphertext.to_bytes());
        }
        w.finish()
    }

    /// Decodes the layout.
    pub fn from_bytes(bytes: &[u8]) -> Result<Aggregates, RecordError> {
        const F: &str = AGGREGATES_FILE;
        let mut r = Reader::new(bytes, "aggregates");
        let context = read_header(&mut r, LABEL, F)?;
        let n = read_count(&mut r, "aggregates", MAX_AGGREGATES, F)?;
        let mut aggregates = Vec::with_capacity(n);
        for i in 0..n {
            let district = read_id(&mut r, "a district id", F)?;
            let contest = read_id(&mut r, "a contest id", F)?;
            let selection = r.u32().map_err(RecordError::layout(F))?;
            let ballots = r.u64().map_err(RecordError::layout(F))?;
            let ct: [u8; 64] = r.array().map_err(RecordError::layout(F))?;
            let ciphertext = Ciphertext::from_bytes(&ct)
                .map_err(|e| RecordError::malformed(F, format!("aggregate {i}: {e}")))?;
            aggregates.push(Aggregate {
                position: TallyPosition {
                    district,
                    contest,
                    selection,
                },
                ballots,
                ciphertext,
            });
        }
        let d = read_count(&mut r, "flag sums", MAX_AGGREGATES, F)?;
        let mut flags = Vec::with_capacity(d);
        for i in 0..d {
            let district = read_id(&mut r, "a district id", F)?;
            let ct: [u8; 64] = r.array().map_err(RecordError::layout(F))?;
            let ciphertext = Ciphertext::from_bytes(&ct)
                .map_err(|e| RecordError::malformed(F, format!("flag sum {i}: {e}")))?;
            flags.push(FlagSum {
                district,
                ciphertext,
            });
        }
        r.finish().map_err(RecordError::layout(F))?;
        Ok(Aggregates {
            context,
            aggregates,
            flags,
        })
    }

    /// Refuses a file whose positions are not exactly the manifest's, in its order, or whose
    /// flag sums are not one per district in its order.
    pub fn check_positions(&self, manifest: &ElectionManifest) -> Result<(), RecordError> {
        let districts: Vec<&str> = manifest.districts().iter().map(|d| d.id.as_str()).collect();
        let flagged: Vec<&str> = self.flags.iter().map(|f| f.district.as_str()).collect();
        if districts != flagged {
            return Err(RecordError::malformed(
                AGGREGATES_FILE,
                format!(
                    "the flag sums are for the districts {flagged:?}; the manifest's are {districts:?}"
                ),
            ));
        }
        let expected = positions(manifest);
        if expected.len() != self.aggregates.len() {
            return Err(RecordError::malformed(
                AGGREGATES_FILE,
                format!(
                    "{} aggregates; the manifest has {} selections",
                    self.aggregates.len(),
                    expected.len()
                ),
            ));
        }
        for (i, (a, e)) in self.aggregates.iter().zip(&expected).enumerate() {
            if a.position != *e {
                return Err(RecordError::malformed(
                    AGGREGATES_FILE,
                    format!(
                        "aggregate {i} is for {}/{}/{}; the manifest's order wants {}/{}/{}",
                        a.position.district,
                        a.position.contest,
                        a.position.selection,
                        e.district,
                        e.contest,
                        e.selection
                    ),
                ));
            }
        }
        Ok(())
    }
}
