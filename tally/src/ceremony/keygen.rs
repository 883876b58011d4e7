//! Round 0 (each trustee): the ceremony keys: the key pair that the shares are encrypted to
//! and the one the trustee's messages are signed with.

use anyhow::Result;
use ivote_protocol::ceremony::files;
use rand::{CryptoRng, RngCore};

use super::keys::CeremonyKeys;
use super::labels::ceremony_key_label;
use super::load::load_params;
use super::Folders;
use crate::fsio::{self, Written};
use crate::passphrase::Passphrase;
use crate::secret_file::{self, KdfParams};

/// Round 0 (trustee `trustee`): draws the ceremony keys; writes the secret halves under the
/// passphrase and publishes `ceremony-key-J.json`.
pub fn keygen(
    folders: &Folders,
    trustee: u32,
    pass: &Passphrase,
    kdf: KdfParams,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<Vec<Written>> {
    let params = load_params(&folders.public)?;
    params.check_trustee(trustee)?;
    pass.check_strength()?;
    let keys = CeremonyKeys::generate(rng);
    let sealed = secret_file::seal(
        &ceremony_key_label(&params, trustee),
        &keys.to_plaintext(),
        pass,
        kdf,
        rng,
    )?;
    let s = fsio::write_new(
        &folders.secret,
        &files::ceremony_key_secret_file(trustee),
        &sealed,
    )?;
    let p = fsio::write_new(
        &folders.public,
        &files::public_key_file(trustee),
        &files::public_key_to_json(
            &params,
            trustee,
            &keys.encryption_public(),
            &keys.signing.verifying_key(),
        )?,
    )?;
    Ok(vec![s, p])
}
