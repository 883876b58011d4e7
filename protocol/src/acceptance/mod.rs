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
//! dearest, come after the signature, so only a real voter can make a program verify them;
//! and nothing that depends on the voter roll (on the roll? which district?) is checked
//! before the e-ID signature, so a request made with a stranger's public certificate learns
//! nothing about the roll.
//!
//! A submission the collector receives (its `decide` wraps [`LoadedElection::check_submission`]
//! with the steps marked *collector*):
//!
//! 1. *collector*: the submission layout (`submission.malformed`) and the ballot layout
//!    (`ballot.malformed`);
//! 2. *collector*: the election is open (`election.not_open`, `election.closed`);
//! 3. *collector*: the submission's challenge is this election's, signed by the collector
//!    key, and now is in its lifetime and in the window of its purpose
//!    ([`crate::challenge::SignedChallenge::check_received`]: `challenge.*`), and its nonce
//!    was not used by an accepted submission (`challenge.used`; challenges are stateless:
//!    the signature shows the collector issued it);
//! 4. the certificate at the time: chain to the package's trust anchors, validity, key usage,
//!    voter id, revocation in the package's CRL (`eid.*`), from the [`CertificateCache`] when
//!    seen before;
//! 5. the e-ID signature over [`crate::submission::vote_message`] (`eid.bad_signature`,
//!    `eid.signature_encoding`);
//! 6. the ballot's nonce is the challenge's for this certificate
//!    ([`crate::challenge::SignedChallenge::ballot_nonce`]: `ballot.nonce_mismatch`);
//! 7. the voter is on the roll (`eid.not_on_roll`) and the ballot is for their district
//!    (`voter.wrong_district`);
//! 8. the ballot is for this election and decodes with its contests' shapes (`ballot.*`):
//!    the [`AcceptedSubmission`];
//! 9. every validity proof verifies ([`LoadedPackage::verify_proofs`], in batches:
//!    `ballot.invalid_proof`);
//! 10. *collector*: no ciphertext of the ballot is already stored
//!     (`ballot.duplicate_ciphertext`);
//! 11. *collector*: if the election checks the certificate's CA by OCSP
//!     ([`OcspSettings`]), its status now: a good answer for this certificate at most
//!     [`crate::ocsp::REUSE_FOR`] seconds old, or one fetched with this submission's
//!     [`crate::ocsp::ocsp_nonce`] (`eid.ocsp_unavailable` when none can be had), judged by
//!     [`LoadedPackage::check_ocsp_answer`] (`eid.revoked`, `eid.ocsp_unknown`, `eid.ocsp_*`)
//!     and stored with the submission. Last, because it asks another server: only a
//!     submission that is otherwise acceptable makes the collector send a request.
//!
//! An entry of the exported ballot box (`tally import`, `verifier audit`:
//! [`LoadedElection::check_box_entry`]), at the time the collector received it. A
//! [`LogMismatch`] means the entry is not what an honest collector logs (the tally refuses
//! the whole import); a [`Rejection`] makes the one submission invalid:
//!
//! 1. the submission is what the collector logged: its ballot hash, certificate hash and
//!    signature are the record's (`log.differs`);
//! 2. its challenge is this election's (`challenge.wrong_election`), signed by the package's
//!    collector key (`challenge.bad_signature`), the record's receive time `t` is in its
//!    lifetime `[issued, expires)` (`challenge.outside_lifetime`), and in the window of its
//!    purpose: a real vote `voting_starts ≤ t < voting_ends`
//!    (`challenge.real_vote_outside_window`), a test vote `t < voting_starts`
//!    (`challenge.test_vote_in_window`);
//! 3. the ballot layout (`ballot.malformed`, a [`Rejection`]), and its nonce is the
//!    challenge's for the certificate (`ballot.nonce_mismatch`, a [`LogMismatch`]: the
//!    collector checks it, and it is the one thing of the challenge the ballot commits to);
//! 4. step 4 above; the certificate's voter id must then be the record's (`log.voter_id`);
//! 5. step 5 above, then the OCSP answer stored with the entry if the certificate's CA is
//!    checked by OCSP, at the receive time ([`LoadedPackage::check_ocsp_answer`]:
//!    `eid.ocsp_missing`, `eid.revoked`, `eid.ocsp_unknown`, `eid.ocsp_*`), then steps 7, 8
//!    and 9 above.
//!
//! Pure: the time is an argument; the only state is the cache, which changes no result.

mod cache;
mod check;
mod loaded;
mod logged;
mod ocsp;
mod rejection;

pub use cache::CertificateCache;
pub use check::{AcceptedSubmission, EntryRefusal};
pub use loaded::{LoadError, LoadedElection, LoadedPackage};
pub use logged::LogMismatch;
pub use ocsp::{OcspIssuer, OcspSettings, OcspSettingsError};
pub use rejection::Rejection;

#[cfg(test)]
mod tests;
