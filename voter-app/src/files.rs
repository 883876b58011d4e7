//! The app's edges: files and the passphrase (the clock is `ivote_protocol::clock`).

use std::path::Path;

use ivote_eid::VoterKey;
use zeroize::Zeroizing;

use crate::eid_files::{certificate_der, key_from_bytes};
use crate::error::AppError;

/// Reads a file (`app.read_file`, could not run).
pub fn read(path: &Path) -> Result<Vec<u8>, AppError> {
    std::fs::read(path).map_err(|e| {
        AppError::could_not_run(
            "app.read_file",
            format!("cannot read {}: {e}", path.display()),
        )
    })
}

/// Writes a file (`app.write_file`, could not run).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    std::fs::write(path, bytes).map_err(|e| {
        AppError::could_not_run(
            "app.write_file",
            format!("cannot save {}: {e}", path.display()),
        )
    })
}

/// The certificate's DER, from a PEM (`-----BEGIN CERTIFICATE-----`) or DER file.
pub fn read_certificate(path: &Path) -> Result<Vec<u8>, AppError> {
    certificate_der(read(path)?, &path.display().to_string())
}

/// A secret the voter types: the first line of `file` (scripts and tests), or typed at the
/// terminal after `prompt` without echo. `what` names it in errors ("the key's passphrase",
/// "the PIN"); `file_option` is the option that gives the file. Held in zeroizing memory.
pub fn secret_line(
    file: Option<&Path>,
    prompt: &str,
    what: &str,
    file_option: &str,
) -> Result<Zeroizing<String>, AppError> {
    match file {
        Some(f) => {
            let bytes = Zeroizing::new(read(f)?);
            let text = std::str::from_utf8(&bytes).map_err(|_| {
                AppError::refused(
                    "app.bad_passphrase_file",
                    format!("{} is not UTF-8 text", f.display()),
                )
            })?;
            let line = text.lines().next().unwrap_or_default();
            Ok(Zeroizing::new(
                line.strip_suffix('\r').unwrap_or(line).to_owned(),
            ))
        }
        None => rpassword::prompt_password(prompt)
            .map(Zeroizing::new)
            .map_err(|e| {
                AppError::could_not_run(
                    "app.no_terminal",
                    format!(
                        "{what} is needed, and it cannot be asked for here ({e}); run the app \
                         in a terminal, or give {file_option}"
                    ),
                )
            }),
    }
}

/// The key's passphrase: the first line of `file`, or typed at the terminal (not echoed).
fn passphrase(file: Option<&Path>) -> Result<Zeroizing<String>, AppError> {
    secret_line(
        file,
        "The passphrase of your e-ID key: ",
        "the passphrase of your e-ID key",
        "--passphrase-file",
    )
}

/// The e-ID private key: PKCS#8, PEM or DER; an encrypted one (`ENCRYPTED PRIVATE KEY`, or
/// DER that is not a plain key) asks for its passphrase (`eid.wrong_passphrase`).
pub fn read_key(path: &Path, passphrase_file: Option<&Path>) -> Result<VoterKey, AppError> {
    let bytes = Zeroizing::new(read(path)?);
    key_from_bytes(&bytes, &|| passphrase(passphrase_file))
}
