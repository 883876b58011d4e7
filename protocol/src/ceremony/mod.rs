//! The key ceremony's public evidence: its parameters and roster, the ceremony context hash,
//! the JSON formats of its public files, and the checks of its transcript `ceremony.json`.
//!
//! Pure: bytes in, verified values out. `tally` runs the ceremony (secret files, the steps
//! on each laptop) and writes these files; [`verify_transcript`] is the one check of a
//! transcript, used by `tally ceremony finish`, by [`crate::package::verify_and_load`] for
//! every program that loads the election package, and by the verifier. The procedure is in
//! `docs/key-ceremony.md`.

mod context;
mod error;
pub mod files;
pub mod signing;
mod transcript;

pub use context::{CeremonyParams, Roster, MAX_ELECTION_ID_LEN};
pub use error::CeremonyError;
pub use files::{Accusation, Confirmation, SignedCommitment};
pub use transcript::{
    check_ceremony, commitments_hash, transcript_to_json, verify_commitments,
    verify_signed_commitments, verify_transcript, Source, VerifiedCeremony,
};

/// An honest ceremony in memory, for tests here and in other crates (feature `test-support`).
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
