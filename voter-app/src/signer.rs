//! The voter's e-ID as `vote` uses it: the certificate, accepted by the election's e-ID
//! check, and what signs for it: a key file ([`ivote_eid::VoterKey`]) or a smart card
//! ([`crate::pkcs11`]). The rest of the app does not care which: it calls
//! [`Signer::sign`], which checks every signature against the certificate before it is
//! used, so a card or module that signs with another key or mechanism is caught before
//! anything signed is sent.

#[cfg(feature = "cli")]
use std::io::Write;
#[cfg(feature = "cli")]
use std::path::PathBuf;

#[cfg(feature = "cli")]
use ivote_eid::EidError;
use ivote_eid::{VoterCertificate, VoterKey};

#[cfg(feature = "cli")]
use crate::eid_files::not_a_certificate;
use crate::error::AppError;
#[cfg(feature = "cli")]
use crate::files::{read_certificate, read_key};
#[cfg(feature = "cli")]
use crate::messages::Lang;
#[cfg(feature = "cli")]
use crate::pkcs11::{self, TokenArgs, TokenKey};

/// Where the voter's e-ID is.
#[cfg(feature = "cli")]
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
    #[cfg(feature = "cli")]
    Token(TokenKey),
}

impl Signer {
    /// A key file's signer, for a certificate the election's e-ID check accepted as `cert`:
    /// the key must be the certificate's (`app.key_mismatch`; `key_name` and `cert_name` name
    /// the two files).
    pub fn with_key_file(
        certificate: Vec<u8>,
        cert: VoterCertificate,
        key: VoterKey,
        key_name: &str,
        cert_name: &str,
    ) -> Result<Self, AppError> {
        if !cert.matches_key(&key) {
            return Err(AppError::refused(
                "app.key_mismatch",
                format!(
                    "the key in {key_name} is not the key of the certificate in {cert_name}; \
                     give the key file that belongs to your certificate"
                ),
            ));
        }
        Ok(Signer {
            certificate,
            cert,
            key: Key::File(key),
        })
    }

    /// Reads the certificate and opens its key (a key file's passphrase or the card's PIN
    /// is asked for; messages go to `out`, a key file's in `lang`). `check` is the election's e-ID check now (trust
    /// anchors, CRL): a certificate it refuses stops the vote before anything is sent.
    #[cfg(feature = "cli")]
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
                        not_a_certificate(&cert_path.display().to_string()).with_detail(detail)
                    }
                    other => AppError::from(other),
                })?;
                let key = read_key(key_path, passphrase_file.as_deref(), lang, out)?;
                Signer::with_key_file(
                    certificate,
                    cert,
                    key,
                    &key_path.display().to_string(),
                    &cert_path.display().to_string(),
                )
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
            #[cfg(feature = "cli")]
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
                #[cfg(feature = "cli")]
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
