//! Ed25519 public keys as people pass them around: 64 hex digits, typed on a command line or
//! held in a one-line file (`officials-key.hex`, `collector-key.hex`). One parser, so that
//! `tally`, `collector`, `verifier` and `voter-app` all take `--officials-key` the same way:
//! the key itself, or the file that holds it ([`crate::fs::read_public_key_arg`]).

use std::path::PathBuf;

use ed25519_dalek::VerifyingKey;

/// The number of hex digits of a public key.
pub const HEX_DIGITS: usize = 64;

/// The key in `text`: 64 hex digits, surrounding white space (a file's newline) ignored.
pub fn parse_hex(text: &[u8]) -> Option<VerifyingKey> {
    let text = std::str::from_utf8(text).ok()?.trim();
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(text, &mut bytes).ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// Whether a command-line argument is a key typed out (64 hex digits) rather than a file
/// name. A file whose name is 64 hex digits can still be given as `./NAME`.
pub fn is_typed_key(arg: &str) -> bool {
    let arg = arg.trim();
    arg.len() == HEX_DIGITS && arg.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Why a key argument gives no key. Each program keeps its own stable code for these; the
/// messages are shared. The operating system's error is in the message, not the `source`,
/// so that a chain of errors says it once.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyArgError {
    /// 64 hex digits that are not a point of the curve.
    #[error("`{0}` is 64 hex digits but not an Ed25519 public key")]
    NotAKey(String),
    /// Neither 64 hex digits nor a readable file.
    #[error(
        "cannot read the key file {}: {cause}; give the key file (such as \
         officials-key.hex) or the key itself, 64 hex digits",
        path.display()
    )]
    Unreadable {
        /// The argument, taken as a file name.
        path: PathBuf,
        /// The cause.
        cause: std::io::Error,
    },
    /// A file that does not hold a public key.
    #[error("the file {} does not hold an Ed25519 public key (64 hex digits)", .0.display())]
    NotAKeyFile(PathBuf),
}

impl KeyArgError {
    /// Whether the program could not run (a file it could not read), as opposed to an input
    /// it looked at and refused.
    pub fn is_unreadable(&self) -> bool {
        matches!(self, KeyArgError::Unreadable { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_keys_and_file_contents() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[5; 32]).verifying_key();
        let hex = hex::encode(key.as_bytes());
        assert!(is_typed_key(&hex));
        assert!(is_typed_key(&format!(" {hex}\n")));
        assert!(!is_typed_key("officials-key.hex"));
        assert!(!is_typed_key(&hex[..62]));
        assert_eq!(parse_hex(format!("{hex}\n").as_bytes()), Some(key));
        assert_eq!(parse_hex(&hex.as_bytes()[..62]), None);
        assert_eq!(parse_hex(&[0xff; 64]), None);
    }
}
