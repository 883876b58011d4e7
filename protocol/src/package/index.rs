//! The package index `package.json`: every file of the package with its SHA-256, and the
//! context hash computed from it.

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::error::PackageError;
use super::{
    ContextHash, PackageFiles, INDEX_FILE, OPTIONAL_FILES, REQUIRED_FILES, SIGNATURE_FILE,
};

/// The index's format tag; a loader refuses any other.
pub const INDEX_FORMAT: &str = "ivote-package-v1";
/// The label the context hash starts with.
pub const CONTEXT_LABEL: &[u8] = b"ivote-v1/context";

/// One file of the package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    /// The file name (one of the names the format defines).
    pub name: String,
    /// SHA-256 of the file's exact bytes.
    pub sha256: [u8; 32],
}

/// The package index: every file except the index and its signature, sorted by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageIndex {
    entries: Vec<IndexEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndex {
    format: String,
    files: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: String,
    sha256: String,
}

impl PackageIndex {
    /// Indexes a package's files (`package.json` and `package.sig`, if present, are not
    /// indexed). Refuses unknown file names and a missing required file.
    pub fn from_files(files: &PackageFiles) -> Result<Self, PackageError> {
        let mut entries = Vec::new();
        for (name, bytes) in files {
            if name == INDEX_FILE || name == SIGNATURE_FILE {
                continue;
            }
            if !is_package_file(name) {
                return Err(PackageError::ExtraFile(name.clone()));
            }
            entries.push(IndexEntry {
                name: name.clone(),
                sha256: Sha256::digest(bytes).into(),
            });
        }
        let index = PackageIndex { entries };
        index.check_required()?;
        Ok(index)
    }

    /// Parses `package.json`: our exact format and layout (one encoding per index), names
    /// known and sorted, each once.
    pub fn parse(bytes: &[u8]) -> Result<Self, PackageError> {
        let raw: RawIndex =
            serde_json::from_slice(bytes).map_err(|e| PackageError::BadIndex(e.to_string()))?;
        if raw.format != INDEX_FORMAT {
            return Err(PackageError::BadIndex(format!(
                "format is `{}`, expected `{INDEX_FORMAT}`",
                raw.format
            )));
        }
        let mut entries: Vec<IndexEntry> = Vec::with_capacity(raw.files.len());
        for f in raw.files {
            if !is_package_file(&f.name) {
                return Err(PackageError::BadIndex(format!(
                    "it lists an unknown file `{}`",
                    f.name
                )));
            }
            if entries.last().is_some_and(|prev| prev.name >= f.name) {
                return Err(PackageError::BadIndex(format!(
                    "`{}` is out of order or listed twice",
                    f.name
                )));
            }
            let sha256 = decode_hex(&f.sha256).ok_or_else(|| {
                PackageError::BadIndex(format!(
                    "the sha256 of `{}` is not 64 lower-case hex digits",
                    f.name
                ))
            })?;
            entries.push(IndexEntry {
                name: f.name,
                sha256,
            });
        }
        let index = PackageIndex { entries };
        if index.to_bytes() != bytes {
            return Err(PackageError::BadIndex(
                "it is not laid out exactly as ivote writes it (spacing, order or line ends differ)".into(),
            ));
        }
        index.check_required()?;
        Ok(index)
    }

    /// The exact bytes of `package.json` (pretty JSON, names sorted, LF line ends).
    pub fn to_bytes(&self) -> Vec<u8> {
        let files: Vec<String> = self
            .entries
            .iter()
            .map(|e| {
                format!(
                    "    {{ \"name\": \"{}\", \"sha256\": \"{}\" }}",
                    e.name,
                    hex::encode(e.sha256)
                )
            })
            .collect();
        format!(
            "{{\n  \"format\": \"{INDEX_FORMAT}\",\n  \"files\": [\n{}\n  ]\n}}\n",
            files.join(",\n")
        )
        .into_bytes()
    }

    /// The files, sorted by name.
    pub fn entries(&self) -> &[IndexEntry] {
        &self.entries
    }

    /// The election context hash (see `docs/package-format.md` §5): SHA-256 of
    /// `"ivote-v1/context"` followed, for each file in name order, by the name's length
    /// (u32, big-endian), the name's bytes and the file's SHA-256.
    pub fn context_hash(&self) -> ContextHash {
        let mut h = Sha256::new();
        h.update(CONTEXT_LABEL);
        for e in &self.entries {
            // Names are a handful of fixed short names: the length always fits.
            h.update((e.name.len() as u32).to_be_bytes());
            h.update(e.name.as_bytes());
            h.update(e.sha256);
        }
        ContextHash(h.finalize().into())
    }

    fn check_required(&self) -> Result<(), PackageError> {
        for name in REQUIRED_FILES {
            if !self.entries.iter().any(|e| e.name == *name) {
                return Err(PackageError::MissingFile((*name).to_owned()));
            }
        }
        Ok(())
    }
}

fn is_package_file(name: &str) -> bool {
    REQUIRED_FILES.contains(&name) || OPTIONAL_FILES.contains(&name)
}

/// Exactly `2N` lower-case hex digits, as `N` bytes.
pub(crate) fn decode_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    hex::decode(s).ok()?.try_into().ok()
}
