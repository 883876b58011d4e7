//! The e-ID's certificate and key file, read from their bytes: the command line reads them
//! from disk ([`crate::files`]), the browser booth from the files the voter picks.

use ivote_eid::VoterKey;
use zeroize::Zeroizing;

use crate::error::AppError;

/// The certificate's DER, from the bytes of a PEM (`-----BEGIN CERTIFICATE-----`) or DER
/// file; `name` names the file in the error.
pub fn certificate_der(bytes: Vec<u8>, name: &str) -> Result<Vec<u8>, AppError> {
    if !bytes.starts_with(b"-----BEGIN") {
        return Ok(bytes);
    }
    match pkcs8::der::pem::decode_vec(&bytes) {
        Ok(("CERTIFICATE", der)) => Ok(der),
        _ => Err(AppError::refused(
            "eid.malformed",
            format!(
                "{name} is not a certificate (PEM CERTIFICATE or DER); give your e-ID certificate file"
            ),
        )),
    }
}

/// The e-ID private key from the bytes of its file: PKCS#8, PEM or DER; an encrypted one
/// (`ENCRYPTED PRIVATE KEY`, or DER that is not a plain key) is opened with `passphrase()`
/// (`eid.wrong_passphrase`).
pub fn key_from_bytes(
    bytes: &[u8],
    passphrase: &dyn Fn() -> Result<Zeroizing<String>, AppError>,
) -> Result<VoterKey, AppError> {
    let key = if bytes.starts_with(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        let pass = passphrase()?;
        VoterKey::from_encrypted_pkcs8_pem(bytes, pass.as_bytes()).map_err(AppError::from)
    } else if bytes.starts_with(b"-----BEGIN") {
        VoterKey::from_pkcs8_pem(bytes).map_err(AppError::from)
    } else {
        match VoterKey::from_pkcs8_der(bytes) {
            Ok(k) => Ok(k),
            Err(_) => {
                let pass = passphrase()?;
                VoterKey::from_encrypted_pkcs8_der(bytes, pass.as_bytes()).map_err(AppError::from)
            }
        }
    };
    key.map_err(|e| {
        if e.code == "eid.wrong_passphrase" {
            AppError::refused(
                e.code,
                "the passphrase does not open your e-ID key; type it again (mind the keyboard \
                 layout and Caps Lock)",
            )
        } else {
            e
        }
    })
}
