//! `tally publish`: the election record and the auditors' bundle, each a folder sealed by
//! an index of its files' SHA-256 signed by the officials (`docs/election-record.md`), and
//! the reading side: [`open_sealed`] checks a sealed folder file by file.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ed25519_dalek::{SigningKey, VerifyingKey};
use ivote_protocol::record::seal::RecordIndex;
use ivote_protocol::record::{INDEX_FILE, SIGNATURE_FILE};
use ivote_protocol::ContextHash;
use sha2::{Digest, Sha256};

use super::error::CountError;
use crate::error::Refusal;
use crate::fsio;

/// Copies `src` to `dst` (a new file), streaming; returns the SHA-256 of the bytes.
fn copy_hashed(src: &Path, dst: &Path) -> Result<[u8; 32]> {
    let mut input = File::open(src).with_context(|| format!("cannot read {}", src.display()))?;
    if let Some(parent) = dst.parent() {
        fsio::ensure_dir(parent)?;
    }
    let mut out =
        File::create_new(dst).with_context(|| format!("cannot create {}", dst.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = input
            .read(&mut buf)
            .with_context(|| format!("cannot read {}", src.display()))?;
        let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
            break;
        };
        hasher.update(chunk);
        out.write_all(chunk)
            .with_context(|| format!("cannot write {}", dst.display()))?;
    }
    out.sync_all()
        .with_context(|| format!("cannot write {}", dst.display()))?;
    Ok(hasher.finalize().into())
}

/// SHA-256 of a file, streaming.
pub fn hash_file(path: &Path) -> Result<[u8; 32]> {
    let mut input = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut input, &mut hasher)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(hasher.finalize().into())
}

/// A sealed folder being written: files are copied into a temporary folder next to the
/// destination, which appears (renamed) only once sealed.
#[derive(Debug)]
pub struct SealedFolder {
    tmp: tempfile::TempDir,
    out: PathBuf,
    files: Vec<(String, [u8; 32])>,
}

impl SealedFolder {
    /// Starts the folder `out`, which must not exist.
    pub fn new(out: &Path) -> Result<SealedFolder> {
        if out.exists() {
            anyhow::bail!(
                "{} already exists; choose a new folder (nothing is ever overwritten)",
                out.display()
            );
        }
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fsio::ensure_dir(parent)?;
        let tmp = tempfile::Builder::new()
            .prefix(".tmp-record-")
            .tempdir_in(parent)
            .with_context(|| format!("cannot create a folder in {}", parent.display()))?;
        Ok(SealedFolder {
            tmp,
            out: out.to_owned(),
            files: Vec::new(),
        })
    }

    /// Copies `src` in as `name`.
    pub fn copy(&mut self, src: &Path, name: &str) -> Result<()> {
        let hash = copy_hashed(src, &self.tmp.path().join(name))?;
        self.files.push((name.to_owned(), hash));
        Ok(())
    }

    /// Writes `bytes` as `name`.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        fsio::write_new_path(&self.tmp.path().join(name), bytes)?;
        self.files
            .push((name.to_owned(), Sha256::digest(bytes).into()));
        Ok(())
    }

    /// Writes the index and signature and moves the folder into place; returns the
    /// index's SHA-256 (hex).
    pub fn seal(mut self, context: &ContextHash, kind: &str, key: &SigningKey) -> Result<String> {
        self.files.sort();
        let index = RecordIndex {
            context: *context,
            kind: kind.to_owned(),
            files: self.files,
        };
        let bytes = index.to_bytes();
        fsio::write_new(self.tmp.path(), INDEX_FILE, &bytes)?;
        fsio::write_new(self.tmp.path(), SIGNATURE_FILE, &index.sign(key))?;
        let tmp = self.tmp.keep();
        std::fs::rename(&tmp, &self.out)
            .with_context(|| format!("cannot create {}", self.out.display()))?;
        Ok(fsio::sha256_hex(&bytes))
    }
}

/// Every file under `dir`, as `/`-separated relative names.
fn list_files(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_owned(), String::new())];
    while let Some((d, prefix)) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("cannot read {}", d.display()))? {
            let e = e.with_context(|| format!("cannot read {}", d.display()))?;
            let name = format!("{prefix}{}", e.file_name().to_string_lossy());
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push((e.path(), format!("{name}/")));
            } else {
                out.push(name);
            }
        }
    }
    Ok(out)
}

/// Checks a sealed folder: the signature over the index with `officials`, exactly the
/// listed files, each with its SHA-256. Returns the index.
pub fn open_sealed(dir: &Path, officials: &VerifyingKey) -> Result<RecordIndex> {
    let index_bytes = fsio::read(&dir.join(INDEX_FILE))?;
    let sig = fsio::read(&dir.join(SIGNATURE_FILE))?;
    let refuse = |e| Refusal::from(CountError::from(e));
    let index = RecordIndex::verify(&index_bytes, &sig, officials).map_err(refuse)?;
    let names = list_files(dir)?;
    index
        .check_names(names.iter().map(String::as_str))
        .map_err(refuse)?;
    for (name, _) in &index.files {
        let hash = hash_file(&dir.join(name))?;
        index.check_file(name, &hash).map_err(refuse)?;
    }
    Ok(index)
}
