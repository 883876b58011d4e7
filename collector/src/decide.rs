//! The pure decision on one submission: every check, in a fixed order, against the
//! election and a read-only view of the store, with the current time passed in.
//!
//! Order (each step's rejection code in `docs/collector.md`):
//!
//! 1. body shape: the submission layout and the ballot layout (`submission.malformed`,
//!    `ballot.malformed`);
//! 2. election open at `now` (`election.not_open`, `election.closed`; before the window
//!    only with test votes accepted: [`Election::window`]);
//! 3. the ballot's challenge nonce: issued, unexpired, unused (`challenge.*`);
//! 4. the certificate: chain, validity, key usage, voter id, revocation (`eid.*`);
//! 5. the voter is on the roll (`eid.not_on_roll`) and the ballot is for their district
//!    (`voter.wrong_district`);
//! 6. the e-ID signature over [`vote_message`] (`eid.bad_signature`, `eid.signature_encoding`);
//! 7. the ballot fits the election and every validity proof verifies (`ballot.*`);
//! 8. no ciphertext of the ballot is already stored (`ballot.duplicate_ciphertext`).
//!
//! The cheap checks come first, so a flood of junk costs little; proofs, the dearest, come
//! after the signature, so only a real voter can make the collector verify proofs.
//! `decide` sees a snapshot: the store re-checks steps 3 and 8 atomically when it commits,
//! so two concurrent submissions cannot both use one challenge or one ciphertext.

use ivote_protocol::ballot::{Ballot, Hash32};
use ivote_protocol::submission::{vote_message, Submission};
use rand_core::{CryptoRng, RngCore};

use crate::election::Election;
use crate::reject::Rejection;

/// The state of a challenge nonce in the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChallengeState {
    /// Issued, usable until `expires_at` (Unix seconds, exclusive).
    Issued {
        /// End of validity.
        expires_at: i64,
    },
    /// Used by an accepted submission.
    Used,
}

/// What `decide` reads from the store.
pub trait StoreView {
    /// The state of a challenge nonce, `None` if never issued.
    fn challenge(&self, nonce: &[u8; 32]) -> Option<ChallengeState>;
    /// Whether this ciphertext (`α ‖ β`) is in an accepted ballot.
    fn ciphertext_stored(&self, ciphertext: &[u8; 64]) -> bool;
}

/// An accepted submission: what the store persists and logs.
#[derive(Clone, Debug)]
pub struct Accepted {
    /// The voter id from the certificate.
    pub voter_id: String,
    /// The ballot's challenge nonce (now used).
    pub nonce: [u8; 32],
    /// The ballot hash.
    pub ballot_hash: Hash32,
    /// SHA-256 of the certificate DER.
    pub certificate_hash: Hash32,
    /// Every selection ciphertext of the ballot.
    pub ciphertexts: Vec<[u8; 64]>,
    /// The submission as received.
    pub submission: Submission,
}

/// Whether `nonce` is a challenge this collector issued, unexpired at `now` and unused
/// (`challenge.unknown`, `challenge.expired`, `challenge.used`). Also what the voter's
/// authenticated query checks (it does not use the challenge up).
pub fn check_challenge(view: &dyn StoreView, nonce: &[u8; 32], now: i64) -> Result<(), Rejection> {
    match view.challenge(nonce) {
        None => Err(Rejection::UnknownChallenge),
        Some(ChallengeState::Used) => Err(Rejection::UsedChallenge),
        Some(ChallengeState::Issued { expires_at }) if now >= expires_at => {
            Err(Rejection::ExpiredChallenge)
        }
        Some(ChallengeState::Issued { .. }) => Ok(()),
    }
}

/// Checks one submission body (see the module docs for the order of the checks).
pub fn decide<R: RngCore + CryptoRng>(
    election: &Election,
    view: &dyn StoreView,
    body: &[u8],
    now: i64,
    rng: &mut R,
) -> Result<Accepted, Rejection> {
    // 1. Shape.
    let submission = Submission::from_bytes(body)?;
    let ballot = Ballot::from_bytes(&submission.ballot)?;
    // 2. Window.
    election.window(now)?;
    // 3. Challenge.
    check_challenge(view, &ballot.nonce, now)?;
    // 4 and 5. Certificate (chain, validity, key usage, revocation) and roll: the one
    // eligibility check the tally runs again on every ballot.
    let voter = ivote_eid::check_eligibility(
        &election.anchors,
        election.crl.as_ref(),
        &election.roll,
        &submission.certificate,
        now,
    )?;
    if voter.district != ballot.district {
        return Err(Rejection::WrongDistrict {
            voter: voter.district,
            ballot: ballot.district.clone(),
        });
    }
    let cert = voter.certificate;
    // 6. Signature.
    let ballot_hash = ivote_protocol::ballot::ballot_hash(&submission.ballot);
    cert.verify_signature(
        &vote_message(&election.context, &ballot_hash),
        &submission.signature,
    )?;
    // 7. Ballot and proofs.
    let decoded = ballot.check(
        &election.context,
        &election.joint_key,
        &election.shapes,
        rng,
    )?;
    // 8. Copies.
    let ciphertexts: Vec<[u8; 64]> = decoded.ciphertexts().collect();
    if ciphertexts.iter().any(|c| view.ciphertext_stored(c)) {
        return Err(Rejection::DuplicateCiphertext);
    }
    Ok(Accepted {
        voter_id: voter.voter_id,
        nonce: ballot.nonce,
        ballot_hash,
        certificate_hash: Hash32(*cert.fingerprint()),
        ciphertexts,
        submission,
    })
}

#[cfg(test)]
mod tests;
