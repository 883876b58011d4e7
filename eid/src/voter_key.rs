//! The voter's private key, for the voter app's signing side (with a demo or soft-token key;
//! a real ID-card signs on the card and the app only ever sees the signature).

use crate::{EidError, KeyAlgorithm};
use ed25519_dalek::Signer as _;
use pkcs8::der::Decode;
use pkcs8::{DecodePrivateKey, EncryptedPrivateKeyInfo, PrivateKeyInfo, SecretDocument};

const ED25519_OID: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.101.112");
const EC_PUBLIC_KEY_OID: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256_OID: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384_OID: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// A voter's signing key: Ed25519, ECDSA P-256 or ECDSA P-384. The secret is zeroized when
/// the value is dropped (each backend's signing key zeroizes itself).
pub struct VoterKey {
    inner: Inner,
}

enum Inner {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

impl std::fmt::Debug for VoterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VoterKey({}, secret hidden)", self.algorithm().name())
    }
}

const WHAT: &str = "the private key file";

impl VoterKey {
    /// Reads an unencrypted PKCS#8 key (RFC 5208/5958) in DER.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, EidError> {
        let info = PrivateKeyInfo::from_der(der).map_err(|e| {
            EidError::malformed(WHAT, format!("not a DER PKCS#8 private key ({e})"))
        })?;
        let algorithm = &info.algorithm;
        let bad_key = |e: pkcs8::Error| EidError::malformed(WHAT, format!("invalid key ({e})"));
        let inner = if algorithm.oid == ED25519_OID {
            Inner::Ed25519(ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(bad_key)?)
        } else if algorithm.oid == EC_PUBLIC_KEY_OID {
            match algorithm.parameters_oid() {
                Ok(P256_OID) => {
                    Inner::P256(p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(bad_key)?)
                }
                Ok(P384_OID) => {
                    Inner::P384(p384::ecdsa::SigningKey::from_pkcs8_der(der).map_err(bad_key)?)
                }
                Ok(curve) => {
                    return Err(EidError::UnsupportedAlgorithm {
                        what: WHAT.into(),
                        algorithm: format!("elliptic curve {curve}"),
                    })
                }
                Err(_) => return Err(EidError::malformed(WHAT, "EC key without a named curve")),
            }
        } else {
            return Err(EidError::UnsupportedAlgorithm {
                what: WHAT.into(),
                algorithm: format!("key algorithm {}", algorithm.oid),
            });
        };
        Ok(VoterKey { inner })
    }

    /// Reads an unencrypted PKCS#8 key in PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &[u8]) -> Result<Self, EidError> {
        let doc = read_pem(pem, "PRIVATE KEY")?;
        Self::from_pkcs8_der(doc.as_bytes())
    }

    /// Reads a passphrase-encrypted PKCS#8 key (PBES2: scrypt or PBKDF2 with AES-CBC) in DER.
    /// A passphrase that does not open it gives `eid.wrong_passphrase`.
    pub fn from_encrypted_pkcs8_der(der: &[u8], passphrase: &[u8]) -> Result<Self, EidError> {
        let info = EncryptedPrivateKeyInfo::from_der(der).map_err(|e| {
            EidError::malformed(WHAT, format!("not a DER encrypted PKCS#8 key ({e})"))
        })?;
        let plain = info.decrypt(passphrase).map_err(|e| match e {
            pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::DecryptFailed) => {
                EidError::WrongPassphrase
            }
            other => EidError::UnsupportedAlgorithm {
                what: WHAT.into(),
                algorithm: format!("its encryption ({other})"),
            },
        })?;
        // With a wrong passphrase the CBC padding is right by chance about once in 256 tries;
        // the decrypted bytes are then not a key. That, too, is a wrong passphrase.
        Self::from_pkcs8_der(plain.as_bytes()).map_err(|e| match e {
            EidError::Malformed { .. } => EidError::WrongPassphrase,
            other => other,
        })
    }

    /// Reads a passphrase-encrypted PKCS#8 key in PEM (`-----BEGIN ENCRYPTED PRIVATE KEY-----`).
    pub fn from_encrypted_pkcs8_pem(pem: &[u8], passphrase: &[u8]) -> Result<Self, EidError> {
        let doc = read_pem(pem, "ENCRYPTED PRIVATE KEY")?;
        Self::from_encrypted_pkcs8_der(doc.as_bytes(), passphrase)
    }

    /// The key algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self.inner {
            Inner::Ed25519(_) => KeyAlgorithm::Ed25519,
            Inner::P256(_) => KeyAlgorithm::EcdsaP256,
            Inner::P384(_) => KeyAlgorithm::EcdsaP384,
        }
    }

    /// The public key: 32 bytes for Ed25519, the uncompressed SEC1 point for ECDSA (the same
    /// form as [`crate::VoterCertificate::public_key_bytes`]).
    pub fn public_key_bytes(&self) -> Vec<u8> {
        match &self.inner {
            Inner::Ed25519(k) => k.verifying_key().as_bytes().to_vec(),
            Inner::P256(k) => k
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            Inner::P384(k) => k
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
        }
    }

    /// Signs `message`: Ed25519 (64 bytes), or deterministic ECDSA (RFC 6979) over SHA-256 /
    /// SHA-384 as fixed-size r‖s (64 / 96 bytes), the format
    /// [`crate::VoterCertificate::verify_signature`] expects.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match &self.inner {
            Inner::Ed25519(k) => k.sign(message).to_bytes().to_vec(),
            Inner::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_bytes().to_vec()
            }
            Inner::P384(k) => {
                let sig: p384::ecdsa::Signature = k.sign(message);
                sig.to_bytes().to_vec()
            }
        }
    }
}

/// Decodes a PEM document with the expected label, with a helpful message for the usual
/// mix-ups (encrypted vs not, SEC1 "EC PRIVATE KEY" instead of PKCS#8).
fn read_pem(pem: &[u8], expected: &str) -> Result<SecretDocument, EidError> {
    let text = std::str::from_utf8(pem)
        .map_err(|_| EidError::malformed(WHAT, "not PEM text (it is not UTF-8)"))?;
    let (label, doc) = SecretDocument::from_pem(text.trim())
        .map_err(|e| EidError::malformed(WHAT, format!("not a PEM private key ({e})")))?;
    if label == expected {
        return Ok(doc);
    }
    let hint = match label {
        "ENCRYPTED PRIVATE KEY" => "it is encrypted: open it with a passphrase",
        "PRIVATE KEY" => "it is not encrypted: open it without a passphrase",
        "EC PRIVATE KEY" => {
            "it is a SEC1 EC key; convert it to PKCS#8 (openssl pkcs8 -topk8) first"
        }
        _ => "it is not a PKCS#8 private key",
    };
    Err(EidError::malformed(
        WHAT,
        format!("a \"{label}\" block, expected \"{expected}\": {hint}"),
    ))
}
