//! The voter's private key, for the voter app's signing side (with a demo or soft-token key;
//! a real ID-card signs on the card and the app only ever sees the signature).
//!
//! Backends: `ed25519-dalek`, RustCrypto `p256` / `p384` / `p521` for ECDSA, and `aws-lc-rs`
//! for RSA (constant-time private-key operations; RustCrypto's `rsa` 0.9 is not, see
//! RUSTSEC-2023-0071). In WebAssembly (the browser booth) RSA key files are refused
//! (`eid.unsupported_algorithm`; see `crate::backend`).

use crate::{EidError, KeyAlgorithm};
use ed25519_dalek::Signer as _;
use p521::elliptic_curve::zeroize::Zeroizing;
use pkcs8::der::Decode;
use pkcs8::{DecodePrivateKey, EncryptedPrivateKeyInfo, PrivateKeyInfo, SecretDocument};

const ED25519_OID: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.101.112");
const EC_PUBLIC_KEY_OID: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256_OID: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384_OID: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.132.0.34");
const P521_OID: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.132.0.35");
const RSA_OID: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// A voter's signing key: Ed25519, ECDSA P-256, P-384 or P-521, or RSA (2048 to 8192 bits).
/// The secret is zeroized when the value is dropped (each backend's signing key zeroizes
/// itself; AWS-LC clears RSA keys when it frees them).
pub struct VoterKey {
    inner: Inner,
}

enum Inner {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    /// With its uncompressed public point (`p521` 0.13's signing key cannot give it back).
    P521(p521::ecdsa::SigningKey, Vec<u8>),
    #[cfg(not(target_family = "wasm"))]
    Rsa(aws_lc_rs::rsa::KeyPair),
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
                Ok(P521_OID) => {
                    let secret = p521::SecretKey::from_pkcs8_der(der).map_err(bad_key)?;
                    let bytes = Zeroizing::new(secret.to_bytes());
                    let key = p521::ecdsa::SigningKey::from_bytes(&bytes)
                        .map_err(|e| EidError::malformed(WHAT, format!("invalid key ({e})")))?;
                    let public = p521::EncodedPoint::from(secret.public_key());
                    Inner::P521(key, public.as_bytes().to_vec())
                }
                Ok(curve) => {
                    return Err(EidError::UnsupportedAlgorithm {
                        what: WHAT.into(),
                        algorithm: format!("elliptic curve {curve}"),
                    })
                }
                Err(_) => return Err(EidError::malformed(WHAT, "EC key without a named curve")),
            }
        } else if algorithm.oid == RSA_OID {
            rsa_key(der)?
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
        // A wrong passphrase shows as bad CBC padding (which pkcs5 0.7 reports as
        // `EncryptFailed`, not `DecryptFailed`) or, when the padding is right by chance, as
        // decrypted bytes that are not DER. Only an unsupported scheme is something else.
        let plain = info.decrypt(passphrase).map_err(|e| match e {
            pkcs8::Error::EncryptedPrivateKey(
                e @ (pkcs8::pkcs5::Error::UnsupportedAlgorithm { .. }
                | pkcs8::pkcs5::Error::AlgorithmParametersInvalid { .. }
                | pkcs8::pkcs5::Error::NoPbes1CryptSupport),
            ) => EidError::UnsupportedAlgorithm {
                what: WHAT.into(),
                algorithm: format!("its encryption ({e})"),
            },
            _ => EidError::WrongPassphrase,
        })?;
        // Decrypted DER that is not a key: also a wrong passphrase.
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
        match &self.inner {
            Inner::Ed25519(_) => KeyAlgorithm::Ed25519,
            Inner::P256(_) => KeyAlgorithm::EcdsaP256,
            Inner::P384(_) => KeyAlgorithm::EcdsaP384,
            Inner::P521(..) => KeyAlgorithm::EcdsaP521,
            #[cfg(not(target_family = "wasm"))]
            Inner::Rsa(k) => {
                // from_pkcs8 accepted only 2048 to 8192 bits, which fit in u16.
                KeyAlgorithm::Rsa(u16::try_from(k.public_modulus_len() * 8).unwrap_or(u16::MAX))
            }
        }
    }

    /// The public key: 32 bytes for Ed25519, the uncompressed SEC1 point for ECDSA, the PKCS#1
    /// RSAPublicKey DER for RSA (the same form as
    /// [`crate::VoterCertificate::public_key_bytes`]).
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
            Inner::P521(_, public) => public.clone(),
            #[cfg(not(target_family = "wasm"))]
            Inner::Rsa(k) => aws_lc_rs::signature::KeyPair::public_key(k)
                .as_ref()
                .to_vec(),
        }
    }

    /// Signs `message`: Ed25519 (64 bytes); ECDSA as fixed-size r‖s, deterministic (RFC 6979)
    /// over SHA-256 / SHA-384 for P-256 / P-384 (64 / 96 bytes), randomized over SHA-512 for
    /// P-521 (132 bytes; `p521` 0.13 has no RFC 6979); RSA: RSASSA-PKCS1-v1_5 with SHA-256,
    /// as long as the modulus (what Mobile-ID returns). The formats
    /// [`crate::VoterCertificate::verify_signature`] expects.
    ///
    /// `Err` only if the operating system's random generator fails (P-521) or AWS-LC refuses
    /// to sign (RSA): `eid.signing_failed`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, EidError> {
        let failed = |detail: String| EidError::SigningFailed { detail };
        Ok(match &self.inner {
            Inner::Ed25519(k) => k.sign(message).to_bytes().to_vec(),
            Inner::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_bytes().to_vec()
            }
            Inner::P384(k) => {
                let sig: p384::ecdsa::Signature = k.sign(message);
                sig.to_bytes().to_vec()
            }
            Inner::P521(k, _) => {
                let sig: p521::ecdsa::Signature = k
                    .try_sign(message)
                    .map_err(|e| failed(format!("ECDSA P-521: {e}")))?;
                sig.to_bytes().to_vec()
            }
            #[cfg(not(target_family = "wasm"))]
            Inner::Rsa(k) => {
                let mut sig = vec![0; k.public_modulus_len()];
                k.sign(
                    &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                    &aws_lc_rs::rand::SystemRandom::new(),
                    message,
                    &mut sig,
                )
                .map_err(|e| failed(format!("RSA: {e}")))?;
                sig
            }
        })
    }
}

/// An RSA PKCS#8 key, 2048 to 8192 bits (AWS-LC checks it).
#[cfg(not(target_family = "wasm"))]
fn rsa_key(der: &[u8]) -> Result<Inner, EidError> {
    aws_lc_rs::rsa::KeyPair::from_pkcs8(der)
        .map(Inner::Rsa)
        .map_err(|e| {
            EidError::malformed(
                WHAT,
                format!("invalid RSA key or not 2048 to 8192 bits ({e})"),
            )
        })
}

/// RSA key files are refused in WebAssembly (see the module docs).
#[cfg(target_family = "wasm")]
fn rsa_key(_der: &[u8]) -> Result<Inner, EidError> {
    Err(EidError::UnsupportedAlgorithm {
        what: WHAT.into(),
        algorithm: "an RSA key in the browser booth (RSA e-IDs sign through their own \
                    service; use the voter app)"
            .into(),
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use proptest::prelude::*;

    #[test]
    fn pkcs8_pem_and_der_for_each_algorithm() {
        let ca = ca("Demo CA", KeyAlgorithm::Ed25519);
        let anchors = anchors(&[&ca]);
        for alg in ALGORITHMS {
            let v = voter(&ca, "38001085718", alg);
            let cert = anchors.validate(v.cert_der(), NOW, None).unwrap();
            let from_der = VoterKey::from_pkcs8_der(v.pkcs8_der()).unwrap();
            let from_pem = VoterKey::from_pkcs8_pem(v.pkcs8_pem().unwrap().as_bytes()).unwrap();
            assert_eq!(from_der.algorithm(), alg);
            assert!(cert.matches_key(&from_pem));
            let sig = from_pem.sign(b"vote").unwrap();
            cert.verify_signature(b"vote", &sig).unwrap();
            cert.verify_signature(b"vote", &from_der.sign(b"vote").unwrap())
                .unwrap();
            // Deterministic (Ed25519 by design, ECDSA P-256/P-384 by RFC 6979, RSA PKCS#1
            // v1.5 by construction); P-521 signing is randomized.
            if alg != KeyAlgorithm::EcdsaP521 {
                assert_eq!(sig, from_der.sign(b"vote").unwrap());
            }
            assert!(format!("{from_der:?}").contains("secret hidden"));
        }
    }

    #[test]
    fn encrypted_pkcs8_and_wrong_passphrase() {
        let ca = ca("Demo CA", KeyAlgorithm::Ed25519);
        let v = voter(&ca, "38001085718", KeyAlgorithm::EcdsaP384);
        let pem = v.encrypted_pkcs8_pem(b"correct horse").unwrap();
        let key = VoterKey::from_encrypted_pkcs8_pem(pem.as_bytes(), b"correct horse").unwrap();
        assert_eq!(key.algorithm(), KeyAlgorithm::EcdsaP384);
        let err = VoterKey::from_encrypted_pkcs8_pem(pem.as_bytes(), b"wrong").unwrap_err();
        assert_eq!(err.code(), "eid.wrong_passphrase");
        // The usual mix-ups get a hint.
        let err = VoterKey::from_pkcs8_pem(pem.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("passphrase"), "{err}");
        let plain = v.pkcs8_pem().unwrap();
        let err = VoterKey::from_encrypted_pkcs8_pem(plain.as_bytes(), b"x").unwrap_err();
        assert!(err.to_string().contains("not encrypted"), "{err}");
    }

    #[test]
    fn signature_encodings() {
        let ca = ca("Demo CA", KeyAlgorithm::Ed25519);
        let anchors = anchors(&[&ca]);
        let v = voter(&ca, "38001085718", KeyAlgorithm::EcdsaP256);
        let cert = anchors.validate(v.cert_der(), NOW, None).unwrap();
        let sig = v.key().unwrap().sign(b"vote").unwrap();
        let parsed = p256::ecdsa::Signature::from_slice(&sig).unwrap();
        // DER is refused with a hint.
        let der = parsed.to_der();
        let err = cert.verify_signature(b"vote", der.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "eid.signature_encoding");
        assert!(err.to_string().contains("DER"), "{err}");
        let err = cert.verify_signature(b"vote", &sig[..63]).unwrap_err();
        assert_eq!(err.code(), "eid.signature_encoding");
        // High S (n - s) is the same signature mathematically and is accepted.
        let (r, s) = parsed.split_scalars();
        let high = p256::ecdsa::Signature::from_scalars(r, -*s).unwrap();
        assert_ne!(high.to_bytes().to_vec(), sig);
        cert.verify_signature(b"vote", &high.to_bytes()).unwrap();
        // Zero r, s is refused.
        assert_eq!(
            cert.verify_signature(b"vote", &[0u8; 64])
                .unwrap_err()
                .code(),
            "eid.bad_signature"
        );
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = VoterKey::from_pkcs8_der(&bytes);
            let _ = VoterKey::from_pkcs8_pem(&bytes);
            let _ = VoterKey::from_encrypted_pkcs8_der(&bytes, b"x");
            let _ = VoterKey::from_encrypted_pkcs8_pem(&bytes, b"x");
        }
    }
}
