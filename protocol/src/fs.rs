//! The file edge: reading a package directory into [`PackageFiles`] and writing one,
//! atomically per file. The only module of this crate that touches the file system.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::package::PackageFiles;

/// A file system failure, with the path it concerns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FsError {
    /// Reading failed.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Writing failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
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
        move |source| FsError::Read { path, source }
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

/// Writes the files into `dir` (created if needed). Each file is written to a temporary
/// file, synced, then renamed over its name, and the directory is synced: a crash leaves
/// each file either old or new, never half written.
pub fn write_package_dir(dir: &Path, files: &PackageFiles) -> Result<(), FsError> {
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| FsError::Write { path, source }
    };
    fs::create_dir_all(dir).map_err(write_err(dir))?;
    for (name, bytes) in files {
        let target = dir.join(name);
        let temp = dir.join(format!(".{name}.tmp"));
        let mut f = File::create(&temp).map_err(write_err(&temp))?;
        f.write_all(bytes).map_err(write_err(&temp))?;
        f.sync_all().map_err(write_err(&temp))?;
        drop(f);
        fs::rename(&temp, &target).map_err(write_err(&target))?;
    }
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(write_err(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
