//! The file-based key ceremony: `n` trustees in one room, each with their own laptop, files
//! moved by USB stick, so that the election secret key never exists on any machine.
//!
//! | step | who | command | reads | writes |
//! |---|---|---|---|---|
//! | init | officials | `ceremony init` | — | `ceremony-params.json` |
//! | round 0 | each trustee | `ceremony keygen` | params | `ceremony-key-J.json`, `trustee-J.ceremony-key.SECRET.json` |
//! | roster | officials | `ceremony roster` | params, all `ceremony-key-*.json` | `roster.json` |
//! | round 1 | each trustee | `ceremony commit` | roster | `commitment-J.json`, `share-J-to-K.enc` for every K |
//! | rounds 2–3 | each trustee | `ceremony receive` | roster, commitments, `share-*-to-J.enc`, own secret key | `trustee-J.share.SECRET.json` + `confirm-J.json`, or `complaint-J.json` |
//! | finish | officials | `ceremony finish` | roster, commitments, confirmations/complaints | `ceremony.json`, `joint-key.hex` |
//!
//! The procedure for people is in `docs/key-ceremony.md`; the cryptography of dealing and
//! checking shares is `ivote_crypto::threshold::dkg`, the share encryption
//! `ivote_crypto::threshold::share_transport`.

pub mod context;
pub mod files;
pub mod steps;
pub mod transcript;

pub use context::{CeremonyParams, Roster};
pub use steps::{
    commit, finish, init, keygen, load_key_share, load_params, load_roster, load_transcript,
    receive, roster, run_all, Folders,
};
pub use transcript::{verify_transcript, VerifiedCeremony};
