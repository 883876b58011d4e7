//! The voter's app (docs/voter-app.md): `vote` (cast an encrypted, signed ballot and leave
//! with a verified receipt, a tracking code and a verification code), `verify` (the second
//! device opens the stored ballot with the verification code), `check-receipt` (the ballot
//! is still in the collector's log). The voter signs with key files or a smart card
//! (`signer`, `pkcs11`). The logic is here; `main.rs` only maps the outcome to
//! an exit status: 0 done, 1 refused, 2 could not run.
//!
//! Without the default feature `cli` (the terminal, the network, smart cards) the library is
//! what the browser booth (voter-app/web, docs/booth.md) compiles to WebAssembly: the package
//! check, the challenge check, the choices, sealing and the receipt check (`cast`), the codes.

pub mod cast;
pub mod challenge_check;
pub mod choices;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
pub mod client;
pub mod code;
pub mod eid_files;
pub mod error;
#[cfg(feature = "cli")]
pub mod files;
#[cfg(feature = "cli")]
pub mod log_proof;
pub mod messages;
pub mod package;
#[cfg(feature = "cli")]
pub mod pkcs11;
#[cfg(feature = "cli")]
pub mod receipt_check;
pub mod screens;
pub mod signer;
#[cfg(feature = "cli")]
pub mod verify;
#[cfg(feature = "cli")]
pub mod vote;

#[cfg(feature = "cli")]
pub use cli::{run, Cli};
pub use error::AppError;
