//! `decryption-shares-J.bin`: trustee J's decryption share, with its DLEQ proof, of every
//! decryption target ([`super::aggregates::Aggregates::targets`]: the aggregates, then the
//! districts' flag sums).
//!
//! Layout: `lp("ivote-v1/record/decryption-shares") ‖ context (32) ‖ aggregates hash (32) ‖
//! u32 trustee ‖ u32 n ‖ n × decryption share (100 bytes, docs/crypto-spec.md §8.4)`, share
//! `i` for target `i` of `aggregates.bin`. The aggregates hash is `SHA-256` of the exact
//! bytes of the `aggregates.bin` the trustee decrypted, so a share file cannot be combined
//! with another count. Each share's proof is verified against the aggregate at its position
//! (`DecryptionShare::verify`, the position is the target's).

use ivote_crypto::threshold::decryption::{DecryptionShare, DECRYPTION_SHARE_LEN};

use super::aggregates::MAX_AGGREGATES;
use super::{count_u32, header, read_count, read_header, RecordError};
use crate::layout::Reader;
use crate::package::ContextHash;

/// The file's label.
pub const LABEL: &[u8] = b"ivote-v1/record/decryption-shares";
const F: &str = "decryption share file";

/// One trustee's shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareFile {
    /// The election.
    pub context: ContextHash,
    /// `SHA-256` of the `aggregates.bin` decrypted.
    pub aggregates_hash: [u8; 32],
    /// The trustee, from 1.
    pub trustee: u32,
    /// One share per target, in the targets' order.
    pub shares: Vec<DecryptionShare>,
}

impl ShareFile {
    /// The layout.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(LABEL, &self.context);
        w.fixed(&self.aggregates_hash)
            .u32(self.trustee)
            .u32(count_u32(self.shares.len()));
        for s in &self.shares {
            w.fixed(&s.to_bytes());
        }
        w.finish()
    }

    /// Decodes the layout; every share must be the file's trustee's.
    pub fn from_bytes(bytes: &[u8]) -> Result<ShareFile, RecordError> {
        let mut r = Reader::new(bytes, "decryption shares");
        let context = read_header(&mut r, LABEL, F)?;
        let aggregates_hash = r.array().map_err(RecordError::layout(F))?;
        let trustee = r.u32().map_err(RecordError::layout(F))?;
        let n = read_count(&mut r, "shares", MAX_AGGREGATES, F)?;
        let mut shares = Vec::with_capacity(n);
        for i in 0..n {
            let bytes = r
                .take(DECRYPTION_SHARE_LEN)
                .map_err(RecordError::layout(F))?;
            let share = DecryptionShare::from_bytes(bytes)
                .map_err(|e| RecordError::malformed(F, format!("share {i}: {e}")))?;
            if share.trustee() != trustee {
                return Err(RecordError::malformed(
                    F,
                    format!(
                        "share {i} is trustee {}'s, in trustee {trustee}'s file",
                        share.trustee()
                    ),
                ));
            }
            shares.push(share);
        }
        r.finish().map_err(RecordError::layout(F))?;
        Ok(ShareFile {
            context,
            aggregates_hash,
            trustee,
            shares,
        })
    }
}
