//! The voter's e-ID as `vote` uses it: the certificate, accepted by the election's e-ID
//! check, and what signs for it: a key file ([`ivote_eid::VoterKey`]) or a smart card
//! ([`crate::pkcs11`]). The rest of the app does not care which: it calls
//! [`Signer::sign`], which checks every signature against the certificate before it is
//! used, so a card or module that signs with another key or mechanism is caught before
//! anything signed is sent.

use std::io::Write;
use std::path::PathBuf;

use ivote_eid::{EidError, VoterCertificate, VoterKey};

use crate::error::AppError;
use crate::files::{not_a_certificate, read_certificate, read_key};
use crate::messages::Lang;
use crate::pkcs11::{self, TokenArgs, TokenKey};

/// Where the voter's e-ID is.
#[derive(Debug, Clone)]
pub enum EidSource {
    /// Files: `--eid CERT --key KEY [--passphrase-file FILE]`.
    Files {
        /// The certificate file (PEM or DER).
        certificate: PathBuf,
        /// The private key file (PKCS#8, PEM or DER, possibly encrypted).
        key: PathBuf,
        /// A file whose first line is the key's passphrase (else it is asked for).
        passphrase_file: Option<PathBuf>,
    },
    /// A smart card or another PKCS#11 token: `--pkcs11 MODULE`.
    Token(TokenArgs),
}

/// The e-ID certificate and its signing key.
#[derive(Debug)]
pub struct Signer {
    /// The certificate, DER (what the submission carries).
    pub certificate: Vec<u8>,
    /// The certificate as the e-ID check accepted it.
    pub cert: VoterCertificate,
    key: Key,
}

#[derive(Debug)]
enum Key {
    File(VoterKey),
    Token(TokenKey),
}

impl Signer {
    /// Reads the certificate and opens its key (a key file's passphrase or the card's PIN
    /// is asked for; messages go to `out`, a key file's in `lang`). `check` is the election's e-ID check now (trust
    /// anchors, CRL): a certificate it refuses stops the vote before anything is sent.
    pub fn open(
        source: &EidSource,
        check: &dyn Fn(&[u8]) -> Result<VoterCertificate, EidError>,
        lang: Lang,
        out: &mut dyn Write,
    ) -> Result<Self, AppError> {
        match source {
            EidSource::Files {
                certificate: cert_path,
                key: key_path,
                passphrase_file,
            } => {
                let certificate = read_certificate(cert_path)?;
                // The certificate first: a wrong file is said before a passphrase is asked.
                let cert = check(&certificate).map_err(|e| match e {
                    EidError::Malformed { detail, .. } => {
                        not_a_certificate(cert_path).with_detail(detail)
                    }
                    other => AppError::from(other),
                })?;
                let key = read_key(key_path, passphrase_file.as_deref(), lang, out)?;
                if !cert.matches_key(&key) {
                    return Err(AppError::refused(
                        "app.key_mismatch",
                        format!(
                            "the key in {} is not the key of the certificate in {}; give the \
                             key file that belongs to your certificate",
                            key_path.display(),
                            cert_path.display()
                        ),
                    ));
                }
                Ok(Signer {
                    certificate,
                    cert,
                    key: Key::File(key),
                })
            }
            EidSource::Token(args) => {
                let found = pkcs11::open(args, check, out)?;
                Ok(Signer {
                    certificate: found.certificate,
                    cert: found.cert,
                    key: Key::Token(found.key),
                })
            }
        }
    }

    /// Signs `message` and checks the signature with the certificate's key
    /// (`VoterCertificate::verify_signature`, as the collector will).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, AppError> {
        let signature = match &self.key {
            Key::File(key) => key.sign(message)?,
            Key::Token(key) => key.sign(message)?,
        };
        self.cert
            .verify_signature(message, &signature)
            .map_err(|e| match &self.key {
                Key::File(_) => AppError::refused(
                    "app.bad_signature",
                    format!(
                        "the key file's signature does not verify with the certificate ({e}); \
                         nothing signed was sent"
                    ),
                ),
                Key::Token(key) => AppError::refused(
                    "pkcs11.bad_signature",
                    format!(
                        "the card's signature does not verify with its certificate ({e} [{}]; \
                         a {} key): the card or its PKCS#11 module did not sign with the \
                         certificate's key; nothing signed was sent",
                        e.code(),
                        key.algorithm()
                    ),
                ),
            })?;
        Ok(signature)
    }
}
