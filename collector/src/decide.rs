//! The pure decision on one submission: the acceptance check
//! ([`ivote_protocol::acceptance`], whose module docs list every step in order with its code)
//! wrapped with the collector's own steps: the layouts first, then the voting window and the
//! challenge (its signature and times, as the tally will check them, then unused) before
//! the certificate, and no stored copy of a ciphertext
//! last; the current time is passed in, the store is seen through a read-only view.
//!
//! `decide` sees a snapshot: the store re-checks the challenge and the copies atomically
//! when it commits, so two concurrent submissions cannot both use one challenge or one
//! ciphertext.

use ivote_eid::VoterCertificate;
use ivote_protocol::ballot::Ballot;
use ivote_protocol::challenge::SignedChallenge;
use ivote_protocol::hashes::{BallotHash, CertificateHash};
use ivote_protocol::ocsp::OcspEvidence;
use ivote_protocol::submission::Submission;
use rand_core::{CryptoRng, RngCore};

use crate::election::Election;
use crate::reject::Rejection;

/// What `decide` reads from the store.
pub trait StoreView {
    /// Whether an accepted submission used this challenge nonce (remembered at least until
    /// the challenge expires).
    fn challenge_used(&self, nonce: &[u8; 32]) -> bool;
    /// Whether any of these ciphertexts (`α ‖ β`) is in an accepted ballot (one call per
    /// ballot: a store answers all 81 of a national ballot under one lock).
    fn any_ciphertext_stored(&self, ciphertexts: &[[u8; 64]]) -> bool;
}

/// An accepted submission: what the store persists and logs.
#[derive(Clone, Debug)]
pub struct Accepted {
    /// The voter id from the certificate.
    pub voter_id: String,
    /// The submission's challenge nonce (now used).
    pub nonce: [u8; 32],
    /// The ballot hash.
    pub ballot_hash: BallotHash,
    /// SHA-256 of the certificate DER.
    pub certificate_hash: CertificateHash,
    /// Every selection ciphertext of the ballot.
    pub ciphertexts: Vec<[u8; 64]>,
    /// The submission as received.
    pub submission: Submission,
    /// The validated certificate.
    pub certificate: VoterCertificate,
    /// The OCSP answer to store with it, once obtained (`crate::ocsp`): `None` until then,
    /// and for a CA the election does not check by OCSP.
    pub ocsp: Option<OcspEvidence>,
}

/// Whether `challenge` is this collector's, for this election, good at `now` in the window
/// of its purpose, and unused (`challenge.*`). Challenges are stateless: the collector's
/// signature says it issued one, its signed times say until when, and the store remembers
/// only the nonces that were used. Also what the voter's authenticated query checks (it does
/// not use the challenge up).
pub fn check_challenge(
    election: &Election,
    view: &dyn StoreView,
    challenge: &SignedChallenge,
    now: i64,
) -> Result<(), Rejection> {
    challenge.check_received(
        &election.collector_key,
        &election.context,
        now,
        election.voting_window(),
    )?;
    if view.challenge_used(&challenge.nonce) {
        return Err(Rejection::UsedChallenge);
    }
    Ok(())
}

/// Checks one submission body (see the module docs for the order of the checks).
pub fn decide<R: RngCore + CryptoRng>(
    election: &Election,
    view: &dyn StoreView,
    body: &[u8],
    now: i64,
    rng: &mut R,
) -> Result<Accepted, Rejection> {
    // Layouts.
    let submission = Submission::from_bytes(body)?;
    let ballot = Ballot::from_bytes(&submission.ballot)?;
    // Window, challenge: signed by this collector for this election, good now, unused.
    election.window(now)?;
    let challenge = &submission.challenge;
    check_challenge(election, view, challenge, now)?;
    // Certificate, signature, the ballot's nonce, roll, district, ballot; then its proofs.
    let accepted = election.check_submission(&submission, &ballot, now)?;
    if let Some((_, refused)) = election
        .verify_proofs(&[&accepted.ballot], rng)
        .into_iter()
        .next()
    {
        return Err(refused.into());
    }
    // Copies.
    let ciphertexts: Vec<[u8; 64]> = accepted.ballot.ciphertexts().collect();
    if view.any_ciphertext_stored(&ciphertexts) {
        return Err(Rejection::DuplicateCiphertext);
    }
    Ok(Accepted {
        voter_id: accepted.voter_id,
        nonce: challenge.nonce,
        ballot_hash: accepted.ballot_hash,
        certificate_hash: accepted.certificate_hash,
        ciphertexts,
        submission,
        certificate: accepted.certificate,
        ocsp: None,
    })
}

#[cfg(test)]
mod tests;
