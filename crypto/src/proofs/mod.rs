//! Zero-knowledge proofs, each with a typed statement, a fixed byte layout and a transcript
//! that absorbs the whole statement (see `docs/crypto-spec.md` §4–§8).

pub mod batch;
pub mod bp_range;
pub mod cds_range;
pub mod dleq;
pub mod link;
pub mod schnorr;
