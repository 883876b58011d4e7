//! ivote's shared election-setup data types, used the same way by every program:
//!
//! * [`manifest`]: the officials' human-written TOML manifest, validated into an
//!   [`ElectionManifest`] whose canonical bytes go into the package;
//! * [`roll`]: the voter roll (CSV), national id codes, and signed change lists;
//! * [`ceremony`]: the key ceremony's public files and the checks of its transcript;
//! * [`package`]: the election package (a directory of files, an index of their SHA-256
//!   hashes signed by the officials) and the election context hash that binds it;
//! * [`fs`]: the only module that touches files: reading and atomically writing a package
//!   directory.
//!
//! Everything except [`fs`] is pure: no clock (the current time is an argument), no network,
//! no global state. The exact formats are specified in `docs/package-format.md`.

pub mod ceremony;
pub mod fs;
pub mod layout;
pub mod manifest;
pub mod package;
pub mod roll;

pub use manifest::{ElectionManifest, WindowCheck};
pub use package::{ContextHash, ElectionPackage, PackageIndex};
pub use roll::{Country, VoterRoll};
