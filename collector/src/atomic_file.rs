//! Writing a file so that a crash leaves either the old state or the whole new file: the
//! bytes go to `NAME.tmp` in the same folder, are `fsync`ed, renamed over `NAME`, and the
//! folder is `fsync`ed so the rename itself is durable.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes `path` atomically and durably with `write` (which gets a buffered writer).
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&File>) -> io::Result<()>,
) -> io::Result<()> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = Path::new(&tmp_name);
    let written = (|| {
        let file = File::create(tmp)?;
        let mut out = BufWriter::new(&file);
        write(&mut out)?;
        out.flush()?;
        drop(out);
        file.sync_all()
    })();
    if let Err(e) = written {
        // Best effort: the temporary is garbage either way.
        let _ = std::fs::remove_file(tmp);
        return Err(e);
    }
    std::fs::rename(tmp, path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"old").unwrap();
        write_atomically(&path, |w| w.write_all(b"new bytes")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new bytes");
        assert!(!dir.path().join("f.tmp").exists());
        // A failed write leaves the old file.
        let err = write_atomically(&path, |_| Err(io::Error::other("no"))).unwrap_err();
        assert_eq!(err.to_string(), "no");
        assert_eq!(std::fs::read(&path).unwrap(), b"new bytes");
    }
}
