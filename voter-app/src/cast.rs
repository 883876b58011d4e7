//! The steps of casting that do no input or output, shared by `voter-app vote` and the
//! browser booth (voter-app/web, docs/booth.md), so that both run the same checks: replace a
//! challenge about to expire, seal the ballot, check the receipt and the vote number.

use ivote_crypto::contest::EncryptionSeed;
use ivote_eid::VoterCertificate;
use ivote_protocol::challenge::{Purpose, SignedChallenge};
use ivote_protocol::manifest::District;
use ivote_protocol::receipt::Receipt;
use ivote_protocol::submission::{SealError, SealFor, Sealed, Submission};
use rand::rngs::OsRng;

use crate::challenge_check;
use crate::error::AppError;
use crate::package::Election;
use crate::signer::Signer;

/// A challenge this close to expiring (seconds) is replaced before the ballot is made.
pub const CHALLENGE_MARGIN: i64 = 30;

/// Whether `challenge` must be replaced before sealing at `now` (the voter may have taken a
/// while to choose).
pub fn challenge_expiring(challenge: &SignedChallenge, now: i64) -> bool {
    now + CHALLENGE_MARGIN >= challenge.expires_at
}

/// A replacement challenge (already checked with [`challenge_check::check_new`]) must be for
/// the same purpose: a test vote does not silently turn into a real one, or back
/// (`app.window_changed`).
pub fn check_same_purpose(old: Purpose, new: &SignedChallenge) -> Result<(), AppError> {
    if new.purpose == old {
        Ok(())
    } else {
        Err(AppError::refused(
            "app.window_changed",
            "voting opened or closed while you chose; no vote was cast: start again",
        ))
    }
}

/// Encrypts, proves and signs the ballot of `district` with `values` (every nonce from one
/// fresh seed, returned for the verification code).
pub fn seal(
    election: &Election,
    district: &District,
    challenge: &SignedChallenge,
    values: &[Vec<u64>],
    signer: &Signer,
) -> Result<(Sealed, EncryptionSeed), AppError> {
    let seed = EncryptionSeed::random(&mut OsRng);
    let sealed = Submission::seal(
        SealFor {
            context: election.context(),
            joint_key: &election.package.ceremony.joint_key,
            shapes: &election.loaded.shapes,
            district: district.id.as_str(),
            challenge,
        },
        values,
        &seed,
        &signer.certificate,
        |m: &[u8]| signer.sign(m),
        &mut OsRng,
    )
    .map_err(|e| match e {
        SealError::Ballot(e) => AppError::from(e),
        SealError::Sign(e) => e,
    })?;
    Ok((sealed, seed))
}

/// Reads and checks the collector's receipt for `sealed`: the collector's signature (its
/// key from the verified package), the record rebuilt from what was sent, and a receive time
/// inside the challenge's lifetime and window.
pub fn check_receipt(
    election: &Election,
    challenge: &SignedChallenge,
    sealed: &Sealed,
    cert: &VoterCertificate,
    bytes: &[u8],
) -> Result<Receipt, AppError> {
    let receipt = Receipt::from_bytes(bytes)
        .map_err(|e| AppError::bad_response(format!("the receipt: {e}")))?;
    receipt.verify(
        &election.package.collector_key,
        election.context(),
        &sealed.ballot_hash,
    )?;
    receipt.verify_record(&sealed.submission, cert.voter_id())?;
    challenge_check::check_received(election, challenge, receipt.content.received_at, "receipt")?;
    Ok(receipt)
}

/// The vote's number in the log must be one more than the ballots the collector said were
/// cast before; else another vote was cast meanwhile (`receipt.unexpected_seq`).
pub fn check_vote_number(voter_seq: u32, ballots_cast: u32) -> Result<(), AppError> {
    if voter_seq == ballots_cast.saturating_add(1) {
        return Ok(());
    }
    Err(AppError::refused(
        "receipt.unexpected_seq",
        format!(
            "the collector logged this vote as your vote number {voter_seq}, but said \
             before that you had cast {ballots_cast} vote(s): a vote you did not make here may \
             have been cast with your e-ID meanwhile, or the collector's log is wrong; keep the \
             receipt, check your vote on a second device, and tell the election officials"
        ),
    ))
}
