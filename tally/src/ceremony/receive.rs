//! Rounds 2 and 3 (each trustee): check every commitment and every share received; keep
//! the key share and confirm it, or complain about the dealers.

use std::path::Path;

use anyhow::Result;
use ivote_crypto::encoding::decode_scalar;
use ivote_crypto::group::{g_table, Scalar};
use ivote_crypto::threshold::dkg::{KeyShareOutcome, SecretShare};
use ivote_crypto::threshold::share_transport::open_share;
use ivote_crypto::{ContextHash, CryptoError};
use ivote_protocol::ceremony::files::{self, Accusation, Confirmation};
use ivote_protocol::ceremony::{self as transcript, Roster};
use rand::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use super::labels::{ceremony_key_label, key_share_label};
use super::load::{load_commitments, load_roster};
use super::Folders;
use crate::error::Refusal;
use crate::fsio::{self, Written};
use crate::passphrase::Passphrase;
use crate::secret_file::{self, KdfFloor, KdfParams};

/// Opens trustee `trustee`'s ceremony secret key and checks it is the roster's.
fn unlock_ceremony_key(
    folders: &Folders,
    roster: &Roster,
    trustee: u32,
    pass: &Passphrase,
    floor: KdfFloor,
) -> Result<Zeroizing<Scalar>> {
    let path = folders
        .secret
        .join(files::ceremony_key_secret_file(trustee));
    let name = path.display().to_string();
    let bytes = fsio::read(&path)?;
    let plain = secret_file::open(
        &name,
        &bytes,
        &ceremony_key_label(roster.params(), trustee),
        floor,
        pass,
    )?;
    let secret = Zeroizing::new(
        decode_scalar(&plain, "ceremony secret key")
            .map_err(|e| Refusal::malformed(&name, e.to_string()))?,
    );
    if &*secret * g_table() != *roster.key(trustee)? {
        return Err(Refusal::mismatch(
            &name,
            format!("it is not the key of trustee {trustee} in roster.json"),
        )
        .into());
    }
    Ok(secret)
}

/// Rounds 2–3 (trustee `trustee`): verifies every commitment, opens and checks every share
/// addressed to it. If all pass, writes its key share (under the passphrase) and publishes
/// `confirm-J.json`; otherwise publishes `complaint-J.json` and fails with
/// [`Refusal::Complaint`] naming the dealers.
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
    let commitments = load_commitments(dir, &roster)?;
    // The commitments alone (no confirmations yet), checked as `finish` checks them.
    let set = transcript::verify_commitments(&context, &params, commitments)?;
    let floor = KdfFloor::for_sealing_with(&kdf);
    let secret = unlock_ceremony_key(folders, &roster, trustee, pass, floor)?;

    let mut accused = Vec::new();
    let mut shares: Vec<SecretShare> = Vec::new();
    for i in 1..=params.n() {
        let sealed = fsio::read(&dir.join(files::share_file(i, trustee)))?;
        match open_share(&context, &secret, i, trustee, &sealed) {
            Ok(share) => shares.push(share),
            Err(CryptoError::DealerMisbehaved { reason, .. }) => accused.push(Accusation {
                dealer: i,
                reason: reason.into(),
            }),
            Err(e) => return Err(e.into()),
        }
    }
    drop(secret);
    let outcome = set.collect_key_share(trustee, &shares)?;
    drop(shares);
    let key = match outcome {
        KeyShareOutcome::Ready(key) if accused.is_empty() => key,
        KeyShareOutcome::Ready(_) => return complain(dir, &context, trustee, accused),
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
            return complain(dir, &context, trustee, accused);
        }
    };
    let confirmation = Confirmation {
        trustee,
        verification_key: key.verification_key(),
        commitments_hash: transcript::commitments_hash(&context, &set),
    };
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

/// Publishes the complaint and fails with [`Refusal::Complaint`].
fn complain(
    dir: &Path,
    context: &ContextHash,
    trustee: u32,
    accused: Vec<Accusation>,
) -> Result<Vec<Written>> {
    let w = fsio::write_new(
        dir,
        &files::complaint_file(trustee),
        &files::complaint_to_json(context, trustee, &accused)?,
    )?;
    Err(Refusal::Complaint {
        trustee,
        dealers: accused.iter().map(|a| a.dealer).collect(),
        file: w.path.display().to_string(),
    }
    .into())
}
