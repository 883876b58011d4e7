//! Round 1 (each trustee as a dealer): the commitment to a secret polynomial and its shares,
//! each encrypted to its recipient, all signed with the dealer's ceremony signing key.

use anyhow::Result;
use ivote_crypto::threshold::dkg::SecretPolynomial;
use ivote_crypto::threshold::share_transport::seal_share;
use ivote_protocol::ceremony::files::{self, SignedCommitment};
use rand::{CryptoRng, RngCore};

use super::keys::CeremonyKeys;
use super::load::load_roster;
use super::Folders;
use crate::fsio::{self, Written};
use crate::passphrase::Passphrase;
use crate::secret_file::KdfFloor;

/// Round 1 (dealer `trustee`): draws the secret polynomial, publishes its commitment and the
/// `n` shares, each encrypted to its recipient (the dealer's own share included, encrypted to
/// itself) and each signed. The passphrase opens the dealer's signing key, after checking
/// that the roster lists the dealer's own keys. The polynomial exists only in memory during
/// this call.
pub fn commit(
    folders: &Folders,
    trustee: u32,
    pass: &Passphrase,
    floor: KdfFloor,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<Vec<Written>> {
    let dir = &folders.public;
    let roster = load_roster(dir)?;
    let params = roster.params();
    params.check_trustee(trustee)?;
    let keys = CeremonyKeys::unlock_for(folders, &roster, trustee, pass, floor)?;
    let context = roster.context_hash();
    let poly = SecretPolynomial::random(params.threshold(), trustee, rng)?;
    let commitment = SignedCommitment::sign(&keys.signing, &context, poly.commit(&context, rng)?);
    let mut written = Vec::new();
    for j in 1..=params.n() {
        let share = poly.evaluate(j)?;
        let sealed = seal_share(&context, roster.key(j)?, &share, rng)?;
        let file = files::share_file_bytes(&keys.signing, &context, trustee, j, &sealed);
        written.push(fsio::write_new(dir, &files::share_file(trustee, j), &file)?);
    }
    drop(poly);
    written.push(fsio::write_new(
        dir,
        &files::commitment_file(trustee),
        &files::commitment_to_json(&context, &commitment)?,
    )?);
    Ok(written)
}
