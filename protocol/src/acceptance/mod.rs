//! Accepting a submission: the one implementation of what makes a ballot acceptable, used by
//! the collector when a ballot arrives, by `tally import` and by `verifier audit` when they
//! check every ballot of the box again at the time the collector received it.
//!
//! - [`LoadedPackage`], [`LoadedElection`]: what is loaded once from a verified package (and
//!   the voter roll) and read on every check, with a typed [`LoadError`];
//! - [`CertificateCache`]: certificates already validated, so that a revote checks only
//!   the certificate's status at its new time;
//! - [`LoadedElection::check_submission`], [`LoadedElection::check_box_entry`]: the checks,
//!   giving an [`AcceptedSubmission`] whose proofs remain, or a typed [`Rejection`] (or, for a
//!   box entry, a [`LogMismatch`]: the entry is not what the collector logged);
//! - [`LoadedPackage::verify_proofs`]: the proofs of many accepted submissions at once.
//!
//! # The checks, in order
//!
//! This list is the reference; the collector, tally and verifier docs and `docs/*.md` point
//! here. The cheap checks come first, so a flood of junk costs little; the proofs, the
//! dearest, come after the signature, so only a real voter can make a program verify them.
//!
//! A submission the collector receives (its `decide` wraps [`LoadedElection::check_submission`]
//! with the steps marked *collector*):
//!
//! 1. *collector*: the submission layout (`submission.malformed`) and the ballot layout
//!    (`ballot.malformed`);
//! 2. *collector*: the election is open (`election.not_open`, `election.closed`);
//! 3. *collector*: the ballot's challenge nonce is issued, unexpired and unused
//!    (`challenge.*`);
//! 4. the certificate at the time: chain to the package's trust anchors, validity, key usage,
//!    voter id, revocation in the package's CRL (`eid.*`), from the [`CertificateCache`] when
//!    seen before;
//! 5. the voter is on the roll (`eid.not_on_roll`) and the ballot is for their district
//!    (`voter.wrong_district`);
//! 6. the e-ID signature over [`crate::submission::vote_message`] (`eid.bad_signature`,
//!    `eid.signature_encoding`);
//! 7. the ballot is for this election and decodes with its contests' shapes (`ballot.*`):
//!    the [`AcceptedSubmission`];
//! 8. every validity proof verifies ([`LoadedPackage::verify_proofs`], in batches:
//!    `ballot.invalid_proof`);
//! 9. *collector*: no ciphertext of the ballot is already stored
//!    (`ballot.duplicate_ciphertext`).
//!
//! An entry of the exported ballot box (`tally import`, `verifier audit`:
//! [`LoadedElection::check_box_entry`]), at the time the collector received it:
//!
//! 1. the submission is what the collector logged: its ballot hash, certificate hash and
//!    signature are the record's, else a [`LogMismatch`] (the box was altered after logging;
//!    the tally refuses the whole import);
//! 2. received before the end of the voting window (`tally.after_close`);
//! 3. the ballot layout (`ballot.malformed`);
//! 4. step 4 above; the certificate's voter id must then be the record's, else a
//!    [`LogMismatch`];
//! 5. steps 5 to 8 above.
//!
//! Pure: the time is an argument; the only state is the cache, which changes no result.

mod cache;
mod check;
mod loaded;
mod logged;
mod rejection;

pub use cache::CertificateCache;
pub use check::{AcceptedSubmission, EntryRefusal};
pub use loaded::{LoadError, LoadedElection, LoadedPackage};
pub use logged::LogMismatch;
pub use rejection::Rejection;

#[cfg(test)]
mod tests;
