//! `collector keygen`.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use clap::Args;
use ed25519_dalek::SigningKey;
use ivote_protocol::package::hex_file;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

use super::CmdError;
use crate::key_file::{PUBLIC_FILE, SECRET_FILE};

/// The arguments of `collector keygen` (help on [`super::Command::Keygen`]).
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// The folder to write the key files into (created if needed).
    #[arg(long, value_name = "FOLDER")]
    pub out: PathBuf,
}

/// Writes `bytes` to a new file `dir/name` with permissions `mode`, synced; never replaces
/// an existing file.
fn write_new(dir: &Path, name: &str, bytes: &[u8], mode: u32) -> Result<PathBuf, CmdError> {
    let path = dir.join(name);
    let err = |e: std::io::Error| {
        CmdError::CouldNotRun(format!(
            "cannot write {} (an existing key is never overwritten): {e}",
            path.display()
        ))
    };
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&path)
        .map_err(err)?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(err)?;
    Ok(path)
}

/// Runs `keygen`.
pub fn run(a: KeygenArgs) -> Result<(), CmdError> {
    fs::create_dir_all(&a.out).map_err(|e| {
        CmdError::CouldNotRun(format!("cannot create folder {}: {e}", a.out.display()))
    })?;
    if a.out.join(PUBLIC_FILE).exists() {
        return Err(CmdError::CouldNotRun(format!(
            "{} already exists; an existing key is never overwritten",
            a.out.join(PUBLIC_FILE).display()
        )));
    }
    let key = SigningKey::generate(&mut OsRng);
    let secret = Zeroizing::new(hex_file(key.as_bytes()));
    let public = key.verifying_key();
    for path in [
        write_new(&a.out, SECRET_FILE, &secret, 0o600)?,
        write_new(&a.out, PUBLIC_FILE, &hex_file(public.as_bytes()), 0o644)?,
    ] {
        println!("wrote {}", path.display());
    }
    println!("collector public key: {}", hex::encode(public.as_bytes()));
    Ok(())
}
