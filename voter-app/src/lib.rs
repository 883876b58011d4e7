//! The voter's app (docs/voter-app.md): `vote` (cast an encrypted, signed ballot and leave
//! with a verified receipt, a tracking code and a verification code), `verify` (the second
//! device opens the stored ballot with the verification code), `check-receipt` (the ballot
//! is still in the collector's log). The voter signs with key files or a smart card
//! (`signer`, `pkcs11`). The logic is here; `main.rs` only maps the outcome to
//! an exit status: 0 done, 1 refused, 2 could not run.

pub mod challenge_check;
pub mod choices;
pub mod cli;
pub mod client;
pub mod code;
pub mod error;
pub mod files;
pub mod log_proof;
pub mod messages;
pub mod package;
pub mod pkcs11;
pub mod receipt_check;
pub mod screens;
pub mod signer;
pub mod verify;
pub mod vote;

pub use cli::{run, Cli};
pub use error::AppError;
