//! Rounds 2 and 3 (each trustee): check every commitment and every share received; keep
//! the key share and confirm it, or complain about the dealers.

use std::path::Path;

use anyhow::Result;
use ed25519_dalek::SigningKey;
use ivote_crypto::threshold::dkg::{KeyShareOutcome, SecretShare};
use ivote_crypto::threshold::share_transport::open_share;
use ivote_crypto::{ContextHash, CryptoError};
use ivote_protocol::ceremony::files::{self, Accusation, Confirmation};
use ivote_protocol::ceremony::{self as transcript, CeremonyError, Roster, Source};
use rand::{CryptoRng, RngCore};

use super::keys::CeremonyKeys;
use super::labels::key_share_label;
use super::load::{load_commitments, load_roster, name_folder_file};
use super::Folders;
use crate::error::Refusal;
use crate::fsio::{self, Written};
use crate::passphrase::Passphrase;
use crate::secret_file::{self, KdfFloor, KdfParams};

/// Checks every commitment's signature, the trustee's own first (a replaced own commitment
/// gets its own message: only the carrier can have made it), then every proof.
fn verify_commitments(
    dir: &Path,
    roster: &Roster,
    trustee: u32,
) -> Result<ivote_crypto::threshold::dkg::CommitmentSet> {
    let commitments = load_commitments(dir, roster)?;
    if let Some(own) = commitments.get(trustee as usize - 1) {
        let file = dir
            .join(files::commitment_file(trustee))
            .display()
            .to_string();
        own.verify_signature(roster, &file).map_err(|e| match e {
            CeremonyError::BadSignature { file, .. } => {
                CeremonyError::OwnCommitmentReplaced { file, trustee }
            }
            other => other,
        })?;
    }
    let (set, _) = transcript::verify_signed_commitments(roster, commitments, Source::Folder)
        .map_err(|e| name_folder_file(dir, e))?;
    Ok(set)
}

/// Rounds 2–3 (trustee `trustee`): checks that the roster lists its own keys, verifies every
/// commitment (its own is the one it made: signed with its own key) and every share's
/// signature, then opens and checks every share addressed to it. If all pass, writes its key
/// share (under the passphrase) and publishes `confirm-J.json`, signed; otherwise publishes
/// `complaint-J.json`, signed, and fails with [`Refusal::Complaint`] naming the dealers.
pub fn receive(
    folders: &Folders,
    trustee: u32,
    pass: &Passphrase,
    kdf: KdfParams,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<Vec<Written>> {
    let dir = &folders.public;
    let roster = load_roster(dir)?;
    let params = roster.params().clone();
    params.check_trustee(trustee)?;
    let context = roster.context_hash();
    let keys = CeremonyKeys::unlock_for(
        folders,
        &roster,
        trustee,
        pass,
        KdfFloor::for_sealing_with(&kdf),
    )?;
    // The commitments alone (no confirmations yet), checked as `finish` checks them.
    let set = verify_commitments(dir, &roster, trustee)?;
    // Every share must be its dealer's, for this trustee, before any is opened.
    let mut sealed_shares = Vec::new();
    for i in 1..=params.n() {
        let path = dir.join(files::share_file(i, trustee));
        let bytes = fsio::read(&path)?;
        let sealed =
            files::share_from_file(&path.display().to_string(), &bytes, &roster, i, trustee)?;
        sealed_shares.push(sealed.to_vec());
    }

    let mut accused = Vec::new();
    let mut shares: Vec<SecretShare> = Vec::new();
    for (i, sealed) in (1u32..).zip(&sealed_shares) {
        match open_share(&context, &keys.encryption, i, trustee, sealed) {
            Ok(share) => shares.push(share),
            Err(CryptoError::DealerMisbehaved { reason, .. }) => accused.push(Accusation {
                dealer: i,
                reason: reason.into(),
            }),
            Err(e) => return Err(e.into()),
        }
    }
    let outcome = set.collect_key_share(trustee, &shares)?;
    drop(shares);
    let signer = &keys.signing;
    let key = match outcome {
        KeyShareOutcome::Ready(key) if accused.is_empty() => key,
        KeyShareOutcome::Ready(_) => return complain(dir, signer, &context, trustee, accused),
        KeyShareOutcome::Complaints(dealers) => {
            for dealer in dealers {
                if !accused.iter().any(|a| a.dealer == dealer) {
                    accused.push(Accusation {
                        dealer,
                        reason: "secret share fails the Feldman check against the dealer's \
                                 commitment"
                            .into(),
                    });
                }
            }
            accused.sort_by_key(|a| a.dealer);
            return complain(dir, signer, &context, trustee, accused);
        }
    };
    let confirmation = Confirmation::sign(
        signer,
        &context,
        trustee,
        key.verification_key(),
        transcript::commitments_hash(&context, &set),
    );
    drop(keys);
    let sealed = secret_file::seal(
        &key_share_label(&params, &context, trustee),
        key.to_bytes().as_ref(),
        pass,
        kdf,
        rng,
    )?;
    drop(key);
    let s = fsio::write_new(
        &folders.secret,
        &files::key_share_secret_file(trustee),
        &sealed,
    )?;
    let c = fsio::write_new(
        dir,
        &files::confirmation_file(trustee),
        &files::confirmation_to_json(&context, &confirmation)?,
    )?;
    Ok(vec![s, c])
}

/// Publishes the complaint, signed, and fails with [`Refusal::Complaint`].
fn complain(
    dir: &Path,
    signer: &SigningKey,
    context: &ContextHash,
    trustee: u32,
    accused: Vec<Accusation>,
) -> Result<Vec<Written>> {
    let w = fsio::write_new(
        dir,
        &files::complaint_file(trustee),
        &files::complaint_to_json(signer, context, trustee, &accused)?,
    )?;
    Err(Refusal::Complaint {
        trustee,
        dealers: accused.iter().map(|a| a.dealer).collect(),
        file: w.path.display().to_string(),
    }
    .into())
}
