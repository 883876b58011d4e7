//! `aggregates.bin`: the homomorphic sum of the counted ballots' ciphertexts for every
//! (district, contest, selection) of the manifest, in manifest order.
//!
//! Layout: `lp("ivote-v1/record/aggregates") ‖ context (32) ‖ u32 n ‖ n × (lp district ‖
//! lp contest ‖ u32 selection ‖ u64 ballots ‖ ciphertext (64))`, where `ballots` is the number
//! of counted ballots of the district (the sum is over them) and the ciphertext is `α ‖ β`,
//! canonical Ristretto encodings. The positions must be exactly [`positions`] of the manifest.

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

/// The whole file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aggregates {
    /// The election.
    pub context: ContextHash,
    /// In manifest order.
    pub aggregates: Vec<Aggregate>,
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
        r.finish().map_err(RecordError::layout(F))?;
        Ok(Aggregates {
            context,
            aggregates,
        })
    }

    /// Refuses a file whose positions are not exactly the manifest's, in its order.
    pub fn check_positions(&self, manifest: &ElectionManifest) -> Result<(), RecordError> {
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
