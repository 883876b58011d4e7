//! A trustee's two ceremony keys, kept together in their ceremony key secret file: the
//! Ristretto255 key the other trustees encrypt their shares to, and the Ed25519 key every
//! message of theirs is signed with (`ivote_protocol::ceremony::signing`).
//!
//! The file's plaintext is 64 bytes: the encryption key's scalar (32, canonical) ‖ the
//! signing key's seed (32, RFC 8032). Both halves are zeroized when dropped.

use anyhow::Result;
use ed25519_dalek::SigningKey;
use ivote_crypto::encoding::decode_scalar;
use ivote_crypto::group::{g_table, Scalar};
use ivote_crypto::Point;
use ivote_protocol::ceremony::files;
use ivote_protocol::ceremony::{CeremonyParams, Roster};
use rand::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use super::labels::ceremony_key_label;
use super::Folders;
use crate::error::Refusal;
use crate::fsio;
use crate::passphrase::Passphrase;
use crate::secret_file::{self, KdfFloor};

/// The plaintext length of a ceremony key file.
const PLAINTEXT_LEN: usize = 64;

/// A trustee's ceremony keys (secret halves).
pub(super) struct CeremonyKeys {
    /// Opens the shares sent to the trustee.
    pub encryption: Zeroizing<Scalar>,
    /// Signs the trustee's messages (zeroized on drop by `ed25519-dalek`).
    pub signing: SigningKey,
}

impl std::fmt::Debug for CeremonyKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CeremonyKeys { .. }")
    }
}

impl CeremonyKeys {
    /// Draws both keys.
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> CeremonyKeys {
        CeremonyKeys {
            encryption: Zeroizing::new(Scalar::random(rng)),
            signing: SigningKey::generate(rng),
        }
    }

    /// The public half of the encryption key.
    pub fn encryption_public(&self) -> Point {
        &*self.encryption * g_table()
    }

    /// The plaintext of the secret file.
    pub fn to_plaintext(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(PLAINTEXT_LEN));
        out.extend_from_slice(self.encryption.as_bytes());
        out.extend_from_slice(self.signing.as_bytes());
        out
    }

    fn from_plaintext(name: &str, plain: &[u8]) -> Result<CeremonyKeys> {
        if plain.len() != PLAINTEXT_LEN {
            return Err(Refusal::malformed(name, "it does not hold two ceremony keys").into());
        }
        let (scalar, seed) = plain.split_at(32);
        let encryption = Zeroizing::new(
            decode_scalar(scalar, "ceremony secret key")
                .map_err(|e| Refusal::malformed(name, e.to_string()))?,
        );
        let seed = Zeroizing::new(
            <[u8; 32]>::try_from(seed)
                .map_err(|_| Refusal::malformed(name, "the signing key is not 32 bytes"))?,
        );
        Ok(CeremonyKeys {
            encryption,
            signing: SigningKey::from_bytes(&seed),
        })
    }

    /// Opens trustee `trustee`'s ceremony key file with their passphrase.
    pub fn unlock(
        folders: &Folders,
        params: &CeremonyParams,
        trustee: u32,
        pass: &Passphrase,
        floor: KdfFloor,
    ) -> Result<(CeremonyKeys, String)> {
        let path = folders
            .secret
            .join(files::ceremony_key_secret_file(trustee));
        let name = path.display().to_string();
        let bytes = fsio::read(&path)?;
        let plain = secret_file::open(
            &name,
            &bytes,
            &ceremony_key_label(params, trustee),
            floor,
            pass,
        )?;
        Ok((Self::from_plaintext(&name, &plain)?, name))
    }

    /// Opens trustee `trustee`'s keys and checks that the roster lists them under the
    /// trustee's number: a roster assembled with another key in the trustee's place is refused
    /// before the trustee signs or opens anything.
    pub fn unlock_for(
        folders: &Folders,
        roster: &Roster,
        trustee: u32,
        pass: &Passphrase,
        floor: KdfFloor,
    ) -> Result<CeremonyKeys> {
        let (keys, name) = Self::unlock(folders, roster.params(), trustee, pass, floor)?;
        if keys.encryption_public() != *roster.key(trustee)?
            || keys.signing.verifying_key() != *roster.signing_key(trustee)?
        {
            return Err(Refusal::mismatch(
                &name,
                format!(
                    "its keys are not the ones listed for trustee {trustee} in roster.json: the \
                     roster was assembled with another trustee's key file in your place; do not \
                     go on, tell the officials"
                ),
            )
            .into());
        }
        Ok(keys)
    }
}
