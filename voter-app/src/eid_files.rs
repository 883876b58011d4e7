//! The e-ID's certificate and key file, read from their bytes: the command line reads them
//! from disk ([`crate::files`]), the browser booth from the files the voter picks. Every
//! refusal is in the voter's words ([`crate::messages`]), the parser's in the detail.

use ivote_eid::VoterKey;
use zeroize::Zeroizing;

use crate::error::AppError;
use crate::messages::Msg;

/// The certificate's DER, from the bytes of a PEM (`-----BEGIN CERTIFICATE-----`) or DER
/// file; `name` names the file in the error.
pub fn certificate_der(bytes: Vec<u8>, name: &str) -> Result<Vec<u8>, AppError> {
    if !bytes.starts_with(b"-----BEGIN") {
        return Ok(bytes);
    }
    match pkcs8::der::pem::decode_vec(&bytes) {
        Ok(("CERTIFICATE", der)) => Ok(der),
        _ => Err(not_a_certificate(name)),
    }
}

/// A certificate file that is not one, in the voter's words (`eid.malformed`; the caller
/// adds the parser's words as the detail, when there are some).
pub fn not_a_certificate(name: &str) -> AppError {
    AppError::refused_in("eid.malformed", Msg::NotACertificate, &[("path", name)])
}

/// How a key file's passphrase is asked for.
#[allow(missing_debug_implementations)] // Closures only.
pub struct Passphrase<'a> {
    /// Asks for it (the terminal, a file, the page's field).
    pub ask: &'a mut dyn FnMut() -> Result<Zeroizing<String>, AppError>,
    /// How many times a wrong one is asked again, in all.
    pub tries: u32,
    /// Told how many tries are left after a wrong one.
    pub retry: &'a mut dyn FnMut(u32),
    /// What the voter is told when the last try was wrong (`eid.wrong_passphrase`).
    pub exhausted: Msg,
}

/// The e-ID private key from the bytes of its file `name`: PKCS#8, PEM or DER; an encrypted
/// one (`ENCRYPTED PRIVATE KEY`, or DER that is not a plain key) is opened with the
/// passphrase, asked again after a wrong one up to `passphrase.tries` times.
pub fn key_from_bytes(
    bytes: &[u8],
    name: &str,
    passphrase: Passphrase<'_>,
) -> Result<VoterKey, AppError> {
    let pem = bytes.starts_with(b"-----BEGIN");
    if pem && !bytes.starts_with(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        return VoterKey::from_pkcs8_pem(bytes).map_err(|e| not_a_key(name, e));
    }
    if !pem {
        if let Ok(key) = VoterKey::from_pkcs8_der(bytes) {
            return Ok(key);
        }
    }
    let tries = passphrase.tries.max(1);
    for attempt in 1..=tries {
        let pass = (passphrase.ask)()?;
        let opened = if pem {
            VoterKey::from_encrypted_pkcs8_pem(bytes, pass.as_bytes())
        } else {
            VoterKey::from_encrypted_pkcs8_der(bytes, pass.as_bytes())
        };
        match opened {
            Ok(key) => return Ok(key),
            Err(ivote_eid::EidError::WrongPassphrase) if attempt < tries => {
                (passphrase.retry)(tries - attempt);
            }
            Err(ivote_eid::EidError::WrongPassphrase) => break,
            Err(e) => return Err(not_a_key(name, e)),
        }
    }
    Err(AppError::refused_in(
        "eid.wrong_passphrase",
        passphrase.exhausted,
        &[("tries", &tries.to_string())],
    ))
}

/// A key file the e-ID layer cannot read, in the voter's words (the parser's in the
/// detail).
fn not_a_key(name: &str, e: ivote_eid::EidError) -> AppError {
    match e {
        ivote_eid::EidError::Malformed { detail, .. } => {
            AppError::refused_in("eid.malformed", Msg::NotAKey, &[("path", name)])
                .with_detail(detail)
        }
        other => AppError::from(other),
    }
}
