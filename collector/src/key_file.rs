//! The collector's Ed25519 signing key at rest, and the hex key files it reads.
//!
//! `collector-key.SECRET.hex` holds the 32-byte secret seed as 64 hex digits and a
//! newline, **unencrypted** (file mode 0600): the server reads it at every start without
//! anyone at the keyboard, so a passphrase would have to sit next to it anyway. Protect the
//! server's disk instead. `collector-key.hex` holds the public key in the same form, for
//! `tally package build --collector-key`. Pure: callers read and write the files.

use ed25519_dalek::{SigningKey, VerifyingKey};
use zeroize::Zeroizing;

/// The secret key file's name.
pub const SECRET_FILE: &str = "collector-key.SECRET.hex";
/// The public key file's name (the package's `collector-key.hex` is a copy of it).
pub const PUBLIC_FILE: &str = "collector-key.hex";

/// 32 bytes from a one-line hex file's text (surrounding white space ignored).
fn bytes32(text: &[u8]) -> Option<Zeroizing<[u8; 32]>> {
    let text = std::str::from_utf8(text).ok()?.trim();
    let mut out = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(text, out.as_mut()).ok()?;
    Some(out)
}

/// The signing key in a secret key file's bytes.
pub fn signing_key(text: &[u8]) -> Option<SigningKey> {
    bytes32(text).map(|seed| SigningKey::from_bytes(&seed))
}

/// The public key in a public key file's bytes (or a hex string), read as every program
/// reads one ([`ivote_protocol::public_key::parse_hex`]).
pub fn public_key(text: &[u8]) -> Option<VerifyingKey> {
    ivote_protocol::public_key::parse_hex(text)
}

#[cfg(test)]
mod tests {
    use ivote_protocol::package::hex_file;

    use super::*;

    #[test]
    fn reads_what_is_written() {
        let key = SigningKey::from_bytes(&[7; 32]);
        assert_eq!(
            signing_key(&hex_file(key.as_bytes())).unwrap().as_bytes(),
            key.as_bytes()
        );
        let public = key.verifying_key();
        assert_eq!(public_key(&hex_file(public.as_bytes())), Some(public));
        assert!(signing_key(b"abcd\n").is_none());
        assert!(public_key(&[0xff; 64]).is_none());
    }
}
