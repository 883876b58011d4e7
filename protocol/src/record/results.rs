//! `results.bin`: the decrypted count of every aggregate and every district's flag sum.
//!
//! Layout: `lp("ivote-v1/record/results") ‖ context (32) ‖ aggregates hash (32) ‖ u32 k ‖
//! k × u32 trustee (strictly increasing: the trustees whose shares were combined) ‖ u32 n ‖
//! n × u64 count`, count `i` being the plaintext of target `i` of `aggregates.bin` (whose
//! `SHA-256` is the aggregates hash; [`super::aggregates::Aggregates::targets`]: the
//! aggregates, then the flag sums, i.e. the districts' numbers of counted ballots). A verifier
//! checks each count `v` by `v·G = β − Σ λ_j·D_j` with the listed trustees' shares.

use super::aggregates::MAX_AGGREGATES;
use super::{count_u32, header, read_count, read_header, RecordError, RESULTS_FILE};
use crate::layout::Reader;
use crate::package::ContextHash;

/// The file's label.
pub const LABEL: &[u8] = b"ivote-v1/record/results";
const MAX_TRUSTEES: usize = 255;

/// The decrypted counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Results {
    /// The election.
    pub context: ContextHash,
    /// `SHA-256` of `aggregates.bin`.
    pub aggregates_hash: [u8; 32],
    /// The trustees whose shares were combined, increasing.
    pub trustees: Vec<u32>,
    /// One count per decryption target (the aggregates, then the flag sums), in their order.
    pub counts: Vec<u64>,
}

impl Results {
    /// The layout.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(LABEL, &self.context);
        w.fixed(&self.aggregates_hash)
            .u32(count_u32(self.trustees.len()));
        for t in &self.trustees {
            w.u32(*t);
        }
        w.u32(count_u32(self.counts.len()));
        for c in &self.counts {
            w.u64(*c);
        }
        w.finish()
    }

    /// Decodes the layout.
    pub fn from_bytes(bytes: &[u8]) -> Result<Results, RecordError> {
        const F: &str = RESULTS_FILE;
        let mut r = Reader::new(bytes, "results");
        let context = read_header(&mut r, LABEL, F)?;
        let aggregates_hash = r.array().map_err(RecordError::layout(F))?;
        let k = read_count(&mut r, "trustees", MAX_TRUSTEES, F)?;
        let mut trustees: Vec<u32> = Vec::with_capacity(k);
        for _ in 0..k {
            let t = r.u32().map_err(RecordError::layout(F))?;
            if t == 0 || trustees.last().is_some_and(|&last| last >= t) {
                return Err(RecordError::malformed(
                    F,
                    "the trustees are not distinct indices from 1 in increasing order",
                ));
            }
            trustees.push(t);
        }
        let n = read_count(&mut r, "counts", MAX_AGGREGATES, F)?;
        let counts = (0..n)
            .map(|_| r.u64().map_err(RecordError::layout(F)))
            .collect::<Result<Vec<_>, _>>()?;
        r.finish().map_err(RecordError::layout(F))?;
        Ok(Results {
            context,
            aggregates_hash,
            trustees,
            counts,
        })
    }
}
