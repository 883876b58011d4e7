//! Round 0 (each trustee): the ceremony key pair that the shares are encrypted to.

use anyhow::Result;
use ivote_crypto::group::{g_table, Scalar};
use ivote_protocol::ceremony::files;
use rand::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use super::labels::ceremony_key_label;
use super::load::load_params;
use super::Folders;
use crate::fsio::{self, Written};
use crate::passphrase::Passphrase;
use crate::secret_file::{self, KdfParams};

/// Round 0 (trustee `trustee`): draws a ceremony key pair; writes the secret half under the
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
    let secret = Zeroizing::new(Scalar::random(rng));
    let public = &*secret * g_table();
    let sealed = secret_file::seal(
        &ceremony_key_label(&params, trustee),
        secret.as_bytes(),
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
        &files::public_key_to_json(&params, trustee, &public)?,
    )?;
    Ok(vec![s, p])
}
