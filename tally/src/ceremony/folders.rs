//! Where a trustee's files go: the ceremony's public folder and their own secret one.

use std::path::{Path, PathBuf};

/// Where a trustee's files go: the public ceremony folder (what travels on the USB stick)
/// and the folder for their own secret files (by default the same: the secret files are
/// passphrase-protected and named `*.SECRET.json`, so they are easy to leave behind).
#[derive(Debug, Clone)]
pub struct Folders {
    /// The ceremony folder.
    pub public: PathBuf,
    /// The trustee's secret files.
    pub secret: PathBuf,
}

impl Folders {
    /// Public and secret files in one folder.
    pub fn single(dir: &Path) -> Folders {
        Folders {
            public: dir.to_owned(),
            secret: dir.to_owned(),
        }
    }
}
