//! File I/O at the edge: reading with the file name in every error, and writing atomically
//! without ever overwriting.
//!
//! A ceremony file is written to a temporary file in the same folder, flushed to disk
//! (`fsync`), then renamed into place only if no file of that name exists. A crash leaves
//! either the whole file or none, and a command run twice refuses rather than silently
//! replacing a published file (a dealer with two different commitments is exactly what a
//! ceremony must never have).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

/// A file that was written, with the SHA-256 of its exact bytes (printed so that trustees
/// can read it aloud and the officials can record it in the minutes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Where it was written.
    pub path: PathBuf,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
}

/// SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Reads a whole file; the error names it.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Writes a whole file, replacing it (output the user asked for by name, e.g. `tally
/// results --out`; what must never be replaced goes through [`write_new`]); the error names
/// it.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Creates `dir` (and its parents) if needed.
pub fn ensure_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create folder {}", dir.display()))
}

/// Writes `bytes` to `dir/name` atomically (temporary file, fsync, rename), refusing to
/// replace an existing file.
pub fn write_new(dir: &Path, name: &str, bytes: &[u8]) -> Result<Written> {
    ensure_dir(dir)?;
    let path = dir.join(name);
    if path.exists() {
        anyhow::bail!(
            "{} already exists; the ceremony never overwrites a file (move it away only if \
             you are sure it is a left-over, see docs/key-ceremony.md)",
            path.display()
        );
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist_noclobber(&path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot create {}", path.display()))?;
    // Make the rename itself durable (best effort: not every platform can open a folder).
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(Written {
        path,
        sha256: sha256_hex(bytes),
    })
}

/// [`write_new`] for a path given whole (`--out FILE`): its folder and file name.
pub fn write_new_path(path: &Path, bytes: &[u8]) -> Result<Written> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    write_new(dir, name, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_once_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let w = write_new(dir.path(), "a.json", b"hello").unwrap();
        assert_eq!(read(&w.path).unwrap(), b"hello");
        assert_eq!(w.sha256, sha256_hex(b"hello"));
        let again = write_new(dir.path(), "a.json", b"other").unwrap_err();
        assert!(format!("{again:#}").contains("already exists"));
        assert_eq!(read(&w.path).unwrap(), b"hello");
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        let missing = read(&dir.path().join("nope")).unwrap_err();
        assert!(format!("{missing:#}").contains("nope"));
    }
}
