//! A trustee's key share opened for the count (`decrypt-share`), checked against the
//! ceremony it belongs to.

use std::path::Path;

use anyhow::Result;
use ivote_crypto::threshold::dkg::KeyShare;
use ivote_protocol::ceremony::VerifiedCeremony;

use super::labels::key_share_label;
use crate::error::Refusal;
use crate::fsio;
use crate::passphrase::Passphrase;
use crate::secret_file::{self, KdfFloor};

/// Opens trustee `trustee`'s key share file at `path` with its passphrase, for the ceremony
/// `ceremony`, and checks that the key share is the one the ceremony's commitments give
/// (for `decrypt-share`). The file must reach `floor`.
pub fn load_key_share(
    path: &Path,
    trustee: u32,
    ceremony: &VerifiedCeremony,
    floor: KdfFloor,
    pass: &Passphrase,
) -> Result<KeyShare> {
    let name = path.display().to_string();
    let bytes = fsio::read(path)?;
    let label = key_share_label(ceremony.params(), &ceremony.context, trustee);
    let plain = secret_file::open(&name, &bytes, &label, floor, pass)?;
    let key = KeyShare::from_bytes(&plain).map_err(|e| Refusal::malformed(&name, e.to_string()))?;
    let expected = trustee
        .checked_sub(1)
        .and_then(|i| ceremony.verification_keys.get(i as usize));
    if key.index() != trustee || Some(&key.verification_key()) != expected {
        return Err(Refusal::mismatch(
            &name,
            format!("it does not hold trustee {trustee}'s key share of this ceremony"),
        )
        .into());
    }
    Ok(key)
}
