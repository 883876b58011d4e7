//! The file edge: reading a package directory into [`PackageFiles`] and writing one;
//! writing any file atomically ([`write_atomically`], the one implementation every program
//! uses) and making a new file's name durable ([`sync_folder_of`]); reading a public key given on a command line as a file. The only module of this
//! crate that touches the file system.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::VerifyingKey;

use crate::package::PackageFiles;
use crate::public_key::{self, KeyArgError};

/// A file system failure, with the path it concerns. The operating system's error is in the
/// message and is not the error's `source`, so that a chain of errors says it once.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FsError {
    /// Reading failed.
    #[error("cannot read {path}: {cause}")]
    Read {
        /// The path.
        path: PathBuf,
        /// The cause.
        cause: std::io::Error,
    },
    /// Writing failed.
    #[error("cannot write {path}: {cause}")]
    Write {
        /// The path.
        path: PathBuf,
        /// The cause.
        cause: std::io::Error,
    },
    /// The package directory holds something that is not a plain file with a UTF-8 name.
    #[error("{0} is not a plain file with a UTF-8 name; a package directory holds only the package's files")]
    NotAFile(PathBuf),
}

impl FsError {
    /// The stable code, e.g. `"fs.read"`.
    pub fn code(&self) -> &'static str {
        match self {
            FsError::Read { .. } => "fs.read",
            FsError::Write { .. } => "fs.write",
            FsError::NotAFile(_) => "fs.not_a_file",
        }
    }
}

/// Reads every file of a package directory (not recursively: a subdirectory is an error).
pub fn read_package_dir(dir: &Path) -> Result<PackageFiles, FsError> {
    let read_err = |path: &Path| {
        let path = path.to_path_buf();
        move |cause| FsError::Read { path, cause }
    };
    let mut files = PackageFiles::new();
    for entry in fs::read_dir(dir).map_err(read_err(dir))? {
        let entry = entry.map_err(read_err(dir))?;
        let path = entry.path();
        let is_file = entry.file_type().map_err(read_err(&path))?.is_file();
        let name = match (is_file, entry.file_name().into_string()) {
            (true, Ok(name)) => name,
            _ => return Err(FsError::NotAFile(path)),
        };
        let bytes = fs::read(&path).map_err(read_err(&path))?;
        files.insert(name, bytes);
    }
    Ok(files)
}

/// Writes the files into `dir` (created if needed), each with [`write_atomically`]: a crash
/// leaves each file either old or new, never half written.
pub fn write_package_dir(dir: &Path, files: &PackageFiles) -> Result<(), FsError> {
    fs::create_dir_all(dir).map_err(|cause| FsError::Write {
        path: dir.to_owned(),
        cause,
    })?;
    for (name, bytes) in files {
        let target = dir.join(name);
        write_atomically(&target, |w| w.write_all(bytes)).map_err(|cause| FsError::Write {
            path: target.clone(),
            cause,
        })?;
    }
    Ok(())
}

/// Writes `path` so that a crash leaves either the old file or the whole new one: `write`
/// fills `NAME.tmp` in the same folder (through a buffered writer), which is synced and
/// renamed over `NAME`, and the folder is synced so that the rename itself is durable. If
/// `write` fails, the temporary file is removed and the old file stays. The error type is
/// the caller's (any that an I/O error converts into), so that `write` can fail for its own
/// typed reasons.
pub fn write_atomically<E: From<io::Error>>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&File>) -> Result<(), E>,
) -> Result<(), E> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = Path::new(&tmp_name);
    let written = (|| {
        let file = File::create(tmp)?;
        let mut out = BufWriter::new(&file);
        write(&mut out)?;
        out.flush()?;
        drop(out);
        file.sync_all().map_err(E::from)
    })();
    if let Err(e) = written {
        // Best effort: the temporary is garbage either way.
        let _ = fs::remove_file(tmp);
        return Err(e);
    }
    fs::rename(tmp, path)?;
    sync_folder_of(path)?;
    Ok(())
}

/// `fsync`s the folder that holds `path`, so that a file just created or renamed there is
/// durable: syncing a file makes its contents durable, not its name in the folder (a crash
/// could otherwise lose a new file whose contents were synced).
pub fn sync_folder_of(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

/// The public key a command-line argument gives (`--officials-key`): 64 hex digits are the
/// key itself ([`public_key::is_typed_key`]); anything else is the file that holds it.
pub fn read_public_key_arg(arg: &str) -> Result<VerifyingKey, KeyArgError> {
    if public_key::is_typed_key(arg) {
        return public_key::parse_hex(arg.as_bytes())
            .ok_or_else(|| KeyArgError::NotAKey(arg.trim().to_owned()));
    }
    let path = PathBuf::from(arg);
    let text = fs::read(&path).map_err(|cause| KeyArgError::Unreadable {
        path: path.clone(),
        cause,
    })?;
    public_key::parse_hex(&text).ok_or(KeyArgError::NotAKeyFile(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_of_a_file_is_synced_and_a_failure_reported() {
        let dir = tempfile::tempdir().unwrap();
        sync_folder_of(&dir.path().join("new-file")).unwrap();
        // A bare name: its folder is the current one.
        sync_folder_of(Path::new("new-file")).unwrap();
        let err = sync_folder_of(&dir.path().join("missing").join("new-file")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn round_trip_and_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("package");
        let mut files =
            PackageFiles::from([("a.txt".into(), b"one".to_vec()), ("b.txt".into(), vec![])]);
        write_package_dir(&path, &files).unwrap();
        assert_eq!(read_package_dir(&path).unwrap(), files);
        files.insert("a.txt".into(), b"two".to_vec());
        write_package_dir(&path, &files).unwrap();
        assert_eq!(
            read_package_dir(&path).unwrap(),
            files,
            "no temporary file is left behind"
        );
    }

    #[test]
    fn subdirectory_and_missing_dir_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        assert_eq!(
            read_package_dir(dir.path()).unwrap_err().code(),
            "fs.not_a_file"
        );
        assert_eq!(
            read_package_dir(&dir.path().join("nope"))
                .unwrap_err()
                .code(),
            "fs.read"
        );
    }

    #[test]
    fn an_atomic_write_replaces_the_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, b"old").unwrap();
        write_atomically(&path, |w| w.write_all(b"new bytes")).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new bytes");
        assert!(!dir.path().join("f.tmp").exists());
        // A failed write leaves the old file.
        let err = write_atomically(&path, |_| Err(io::Error::other("no"))).unwrap_err();
        assert_eq!(err.to_string(), "no");
        assert_eq!(fs::read(&path).unwrap(), b"new bytes");
        assert!(!dir.path().join("f.tmp").exists());
    }

    #[test]
    fn a_key_argument_is_the_key_or_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]).verifying_key();
        let file = dir.path().join("officials-key.hex");
        fs::write(&file, crate::package::hex_file(key.as_bytes())).unwrap();
        let path = file.to_str().unwrap();
        assert_eq!(read_public_key_arg(path).unwrap(), key);
        assert_eq!(
            read_public_key_arg(&hex::encode(key.as_bytes())).unwrap(),
            key
        );
        let missing = read_public_key_arg("2a36").unwrap_err();
        assert!(missing.is_unreadable(), "{missing}");
        let junk = dir.path().join("junk");
        fs::write(&junk, "not a key\n").unwrap();
        let err = read_public_key_arg(junk.to_str().unwrap()).unwrap_err();
        assert!(matches!(err, KeyArgError::NotAKeyFile(_)), "{err}");
        // y = 2 is no point of the curve.
        let off_curve = format!("02{}", "00".repeat(31));
        assert!(matches!(
            read_public_key_arg(&off_curve),
            Err(KeyArgError::NotAKey(_))
        ));
    }
}
