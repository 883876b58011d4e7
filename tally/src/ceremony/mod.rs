//! The file-based key ceremony: `n` trustees in one room, each with their own laptop, files
//! moved by USB stick, so that the election secret key never exists on any machine.
//!
//! | step | who | command | reads | writes |
//! |---|---|---|---|---|
//! | init | officials | `ceremony init` | — | `ceremony-params.json` |
//! | round 0 | each trustee | `ceremony keygen` | params | `ceremony-key-J.json`, `trustee-J.ceremony-key.SECRET.json` |
//! | roster | officials | `ceremony roster` | params, all `ceremony-key-*.json` | `roster.json` |
//! | round 1 | each trustee | `ceremony commit` | roster, own secret key | `commitment-J.json`, `share-J-to-K.enc` for every K |
//! | rounds 2–3 | each trustee | `ceremony receive` | roster, commitments, `share-*-to-J.enc`, own secret key | `trustee-J.share.SECRET.json` + `confirm-J.json`, or `complaint-J.json` |
//! | finish | officials | `ceremony finish` | roster, commitments, confirmations/complaints | `ceremony.json`, `joint-key.hex` |
//!
//! The procedure for people is in `docs/key-ceremony.md`; the cryptography of dealing and
//! checking shares is `ivote_crypto::threshold::dkg`, the share encryption
//! `ivote_crypto::threshold::share_transport`. Every message a trustee publishes is signed
//! with their ceremony signing key and checked by every reader
//! (`ivote_protocol::ceremony::signing`).

//!
//! The public files' formats and every check of the public evidence (the roster, the
//! commitments, the confirmations, the transcript) are `ivote_protocol::ceremony`'s, shared
//! with every loader of the election package; this module holds the steps that touch files
//! and secrets, one file per step (`init.rs` ... `finish.rs`, and `key_share.rs` for the
//! count), each what one command does on one laptop; `run_all.rs` calls the same functions in
//! order.

mod commit;
mod finish;
mod folders;
mod init;
mod key_share;
mod keygen;
mod keys;
mod labels;
mod load;
mod receive;
mod roster;
mod run_all;
#[cfg(test)]
mod tests;

pub use commit::commit;
pub use finish::finish;
pub use folders::Folders;
pub use init::init;
pub use ivote_protocol::ceremony::{
    files, verify_transcript, CeremonyParams, Roster, VerifiedCeremony,
};
pub use key_share::load_key_share;
pub use keygen::keygen;
pub use load::{load_params, load_roster, load_transcript};
pub use receive::receive;
pub use roster::roster;
pub use run_all::run_all;
