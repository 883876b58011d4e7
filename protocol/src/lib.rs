//! ivote's shared election-setup data types, used the same way by every program:
//!
//! * [`manifest`]: the officials' human-written TOML manifest, validated into an
//!   [`ElectionManifest`] whose canonical bytes go into the package;
//! * [`roll`]: the voter roll (CSV), national id codes, and signed change lists;
//! * [`ceremony`]: the key ceremony's public files and the checks of its transcript;
//! * [`package`]: the election package (a directory of files, an index of their SHA-256
//!   hashes signed by the officials) and the election context hash that binds it;
//! * [`ballot`], [`challenge`], [`submission`], [`receipt`], [`merkle`]: the voting phase:
//!   encrypted ballots, the collector's signed challenges, what voters sign and send, the collector's log records, its Merkle log
//!   (RFC 6962/9162), signed tree heads and receipts, with the byte layouts of [`layout`]
//!   (`docs/ballot-format.md`);
//! * [`ballot_box`]: the collector's export for the offline tally: every submission with
//!   its record, and the collector's signed final tree head;
//! * [`acceptance`]: the election loaded for checking submissions, and the checks of one
//!   submission, in their order: the collector, the tally and the verifier's audit run them;
//! * [`public_key`]: Ed25519 public keys as 64 hex digits, typed or in a file (one parser
//!   of every program's `--officials-key`);
//! * [`wire`]: the JSON bodies of the collector's HTTP API, shared by the collector and its
//!   clients;
//! * [`fs`]: the only module that touches files: reading and atomically writing a package
//!   directory, reading a key argument.
//!
//! Everything except [`fs`] and [`clock`] (the one reading of the system clock, for the
//! programs' edges) is pure: no clock (the current time is an argument), no network, no
//! global state (the acceptance check's certificate cache changes no result). The exact
//! formats are specified in `docs/package-format.md`.

pub mod acceptance;
pub mod ballot;
pub mod ballot_box;
pub mod ceremony;
pub mod challenge;
pub mod clock;
pub mod fs;
pub mod hashes;
pub mod layout;
pub mod manifest;
pub mod merkle;
pub mod ocsp;
pub mod package;
pub mod public_key;
pub mod receipt;
pub mod record;
pub mod roll;
pub mod submission;
pub mod wire;

pub use manifest::{ElectionManifest, WindowCheck};
pub use package::{ContextHash, ElectionPackage, PackageIndex};
pub use roll::{Country, VoterRoll};
