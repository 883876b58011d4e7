//! The file edge: reading a record folder. Small files are read whole; the counted ballots
//! are streamed and every file's SHA-256 is computed while streaming, so memory stays bounded
//! whatever the size of the record.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Read buffer for streamed files.
const BUFFER: usize = 1 << 20;

/// A record (or auditors' bundle) folder.
#[derive(Clone, Debug)]
pub struct RecordDir {
    root: PathBuf,
}

/// A file could not be read: its name in the record and the system's message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot read {name}: {detail}")]
pub struct ReadError {
    /// The name in the record, e.g. `package/manifest.toml`.
    pub name: String,
    /// The system's message.
    pub detail: String,
}

impl ReadError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        "verifier.cannot_read"
    }
}

impl RecordDir {
    /// A folder that exists.
    pub fn open(root: &Path) -> Result<RecordDir, ReadError> {
        if root.is_dir() {
            Ok(RecordDir {
                root: root.to_path_buf(),
            })
        } else {
            Err(ReadError {
                name: root.display().to_string(),
                detail: "no such folder".into(),
            })
        }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, name: &str) -> PathBuf {
        name.split('/')
            .fold(self.root.clone(), |p, part| p.join(part))
    }

    fn error(name: &str) -> impl Fn(std::io::Error) -> ReadError + '_ {
        move |e| ReadError {
            name: name.to_owned(),
            detail: e.to_string(),
        }
    }

    /// Whether the file exists.
    pub fn exists(&self, name: &str) -> bool {
        self.path(name).is_file()
    }

    /// A whole file.
    pub fn read(&self, name: &str) -> Result<Vec<u8>, ReadError> {
        std::fs::read(self.path(name)).map_err(Self::error(name))
    }

    /// A file as a buffered stream.
    pub fn open_stream(&self, name: &str) -> Result<BufReader<File>, ReadError> {
        let file = File::open(self.path(name)).map_err(Self::error(name))?;
        Ok(BufReader::with_capacity(BUFFER, file))
    }

    /// A file's size in bytes.
    pub fn size(&self, name: &str) -> Result<u64, ReadError> {
        Ok(std::fs::metadata(self.path(name))
            .map_err(Self::error(name))?
            .len())
    }

    /// A file's SHA-256, streamed.
    pub fn sha256(&self, name: &str) -> Result<[u8; 32], ReadError> {
        let mut input = self.open_stream(name)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; BUFFER];
        loop {
            let n = input.read(&mut buf).map_err(Self::error(name))?;
            if n == 0 {
                return Ok(hasher.finalize().into());
            }
            hasher.update(buf.get(..n).unwrap_or_default());
        }
    }

    /// Every file under the folder, as `/`-separated names relative to it, sorted. A name
    /// that is not UTF-8 is returned lossily (the seal check then reports it as not listed).
    pub fn list(&self) -> Result<Vec<String>, ReadError> {
        let mut out = Vec::new();
        let mut pending = vec![(self.root.clone(), String::new())];
        while let Some((dir, prefix)) = pending.pop() {
            let shown = if prefix.is_empty() { "." } else { &prefix };
            for entry in std::fs::read_dir(&dir).map_err(Self::error(shown))? {
                let entry = entry.map_err(Self::error(shown))?;
                let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
                if entry.file_type().map_err(Self::error(&name))?.is_dir() {
                    pending.push((entry.path(), format!("{name}/")));
                } else {
                    out.push(name);
                }
            }
        }
        out.sort();
        Ok(out)
    }
}
