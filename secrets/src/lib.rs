//! Secrets at rest for the officials' programs: keys sealed under a passphrase
//! ([`secret_file`]: Argon2id + ChaCha20-Poly1305, every public field bound), passphrases
//! from the terminal or a file ([`passphrase`]), and the officials' signing key
//! ([`officials_key`]), which `tally` uses to sign the package and `collector close` to
//! close the ballot box. The formats are in `docs/key-ceremony.md`, "Secret files".

pub mod error;
pub mod officials_key;
pub mod passphrase;
pub mod secret_file;

pub use error::SecretError;
