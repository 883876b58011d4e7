//! Public keys taken from certificates, and the two signature checks done with them:
//! X.509 signatures (certificates and CRLs, DER-encoded ECDSA) and voter signatures
//! (fixed-size r‖s ECDSA as ID-cards produce, or Ed25519).
//!
//! Backends, chosen by measurement (docs/eid.md, "Timings"): ECDSA verification uses
//! `aws-lc-rs` (AWS-LC), whose P-384 verification is about 4× faster than `ring`'s and 6×
//! faster than RustCrypto's `p384` on this machine (P-384 is what Estonian ID cards sign
//! with, and a national count verifies two such signatures per submission); Ed25519 uses
//! `ed25519-dalek` (`verify_strict`). Keys are decoded and checked
//! (point on the curve) once, when the certificate is parsed, so a cached
//! [`crate::VoterCertificate`] verifies without parsing anything again.

use crate::EidError;
use aws_lc_rs::signature::{self as rs, UnparsedPublicKey, VerificationAlgorithm};
use ed25519_dalek::VerifyingKey;
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_SIG_ECDSA_WITH_SHA256,
    OID_SIG_ECDSA_WITH_SHA384, OID_SIG_ED25519,
};
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo};

/// The supported key algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// Ed25519 (RFC 8032); signatures are 64 bytes.
    Ed25519,
    /// ECDSA on NIST P-256 with SHA-256; voter signatures are r‖s, 64 bytes.
    EcdsaP256,
    /// ECDSA on NIST P-384 with SHA-384 (current Estonian ID-cards); voter signatures are r‖s,
    /// 96 bytes.
    EcdsaP384,
}

impl KeyAlgorithm {
    /// Length in bytes of a voter signature made with this algorithm.
    pub fn signature_len(self) -> usize {
        match self {
            KeyAlgorithm::Ed25519 | KeyAlgorithm::EcdsaP256 => 64,
            KeyAlgorithm::EcdsaP384 => 96,
        }
    }

    /// A human-readable name ("ECDSA P-384").
    pub fn name(self) -> &'static str {
        match self {
            KeyAlgorithm::Ed25519 => "Ed25519",
            KeyAlgorithm::EcdsaP256 => "ECDSA P-256",
            KeyAlgorithm::EcdsaP384 => "ECDSA P-384",
        }
    }
}

/// A decoded, validated public key.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum PublicKey {
    Ed25519(VerifyingKey),
    /// Uncompressed SEC1 point, checked to be on P-256.
    P256(Vec<u8>),
    /// Uncompressed SEC1 point, checked to be on P-384.
    P384(Vec<u8>),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}(", self.algorithm().name())?;
        for b in self.raw_bytes() {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

/// Why an X.509 signature check failed.
pub(crate) enum X509SignatureFailure {
    /// The signature algorithm is not supported or does not fit the key.
    Unsupported(String),
    /// The signature does not verify.
    Invalid,
}

impl PublicKey {
    /// Decodes a SubjectPublicKeyInfo; `Err` carries the algorithm for an unsupported key.
    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfo<'_>) -> Result<Self, KeyDecodeError> {
        let alg = &spki.algorithm;
        let data: &[u8] = &spki.subject_public_key.data;
        if alg.algorithm == OID_SIG_ED25519 {
            let bytes: [u8; 32] = data
                .try_into()
                .map_err(|_| KeyDecodeError::Invalid("an Ed25519 key must be 32 bytes".into()))?;
            let key = VerifyingKey::from_bytes(&bytes)
                .map_err(|_| KeyDecodeError::Invalid("not a valid Ed25519 point".into()))?;
            return Ok(PublicKey::Ed25519(key));
        }
        if alg.algorithm != OID_KEY_TYPE_EC_PUBLIC_KEY {
            return Err(KeyDecodeError::Unsupported(format!(
                "key algorithm {}",
                alg.algorithm
            )));
        }
        let curve = alg
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok())
            .ok_or_else(|| KeyDecodeError::Invalid("EC key without a named curve".into()))?;
        if curve == OID_EC_P256 {
            let point = p256::PublicKey::from_sec1_bytes(data)
                .map_err(|_| KeyDecodeError::Invalid("not a valid P-256 point".into()))?;
            Ok(PublicKey::P256(
                p256::EncodedPoint::from(point).as_bytes().to_vec(),
            ))
        } else if curve == OID_NIST_EC_P384 {
            let point = p384::PublicKey::from_sec1_bytes(data)
                .map_err(|_| KeyDecodeError::Invalid("not a valid P-384 point".into()))?;
            Ok(PublicKey::P384(
                p384::EncodedPoint::from(point).as_bytes().to_vec(),
            ))
        } else {
            Err(KeyDecodeError::Unsupported(format!(
                "elliptic curve {curve}"
            )))
        }
    }

    pub(crate) fn algorithm(&self) -> KeyAlgorithm {
        match self {
            PublicKey::Ed25519(_) => KeyAlgorithm::Ed25519,
            PublicKey::P256(_) => KeyAlgorithm::EcdsaP256,
            PublicKey::P384(_) => KeyAlgorithm::EcdsaP384,
        }
    }

    /// Ed25519: the 32-byte key; ECDSA: the uncompressed SEC1 point.
    pub(crate) fn raw_bytes(&self) -> &[u8] {
        match self {
            PublicKey::Ed25519(k) => k.as_bytes(),
            PublicKey::P256(p) | PublicKey::P384(p) => p,
        }
    }

    /// Verifies an X.509 signature (over a TBSCertificate or TBSCertList) made by this key.
    pub(crate) fn verify_x509(
        &self,
        algorithm: &AlgorithmIdentifier<'_>,
        signed: &[u8],
        signature: &[u8],
    ) -> Result<(), X509SignatureFailure> {
        let oid = &algorithm.algorithm;
        let ecdsa: &'static dyn VerificationAlgorithm = match self {
            PublicKey::Ed25519(key) => {
                if *oid != OID_SIG_ED25519 {
                    return Err(X509SignatureFailure::Unsupported(format!(
                        "signature algorithm {oid} with an Ed25519 key"
                    )));
                }
                let sig = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| X509SignatureFailure::Invalid)?;
                return key
                    .verify_strict(signed, &sig)
                    .map_err(|_| X509SignatureFailure::Invalid);
            }
            PublicKey::P256(_) if *oid == OID_SIG_ECDSA_WITH_SHA256 => &rs::ECDSA_P256_SHA256_ASN1,
            PublicKey::P256(_) if *oid == OID_SIG_ECDSA_WITH_SHA384 => &rs::ECDSA_P256_SHA384_ASN1,
            PublicKey::P384(_) if *oid == OID_SIG_ECDSA_WITH_SHA256 => &rs::ECDSA_P384_SHA256_ASN1,
            PublicKey::P384(_) if *oid == OID_SIG_ECDSA_WITH_SHA384 => &rs::ECDSA_P384_SHA384_ASN1,
            _ => {
                return Err(X509SignatureFailure::Unsupported(format!(
                    "signature algorithm {oid} with an {} key",
                    self.algorithm().name()
                )))
            }
        };
        UnparsedPublicKey::new(ecdsa, self.raw_bytes())
            .verify(signed, signature)
            .map_err(|_| X509SignatureFailure::Invalid)
    }

    /// Verifies a voter signature: Ed25519 (64 bytes, strict: canonical S, no small-order key),
    /// or ECDSA as fixed-size r‖s (IEEE P1363) over SHA-256 (P-256) / SHA-384 (P-384).
    /// Both low and high S are accepted (see docs/eid.md, "Malleability").
    pub(crate) fn verify_voter_signature(
        &self,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), EidError> {
        let algorithm = self.algorithm();
        let expected = algorithm.signature_len();
        if signature.len() != expected {
            let hint = if signature.first() == Some(&0x30) && algorithm != KeyAlgorithm::Ed25519 {
                " (it looks DER-encoded; send the raw r‖s form, as ID-cards produce)"
            } else {
                ""
            };
            return Err(EidError::SignatureEncoding {
                detail: format!(
                    "an {} signature is {expected} bytes, this one is {}{hint}",
                    algorithm.name(),
                    signature.len()
                ),
            });
        }
        let ok = match self {
            PublicKey::Ed25519(key) => ed25519_dalek::Signature::from_slice(signature)
                .map(|sig| key.verify_strict(message, &sig).is_ok())
                .unwrap_or(false),
            PublicKey::P256(point) => UnparsedPublicKey::new(&rs::ECDSA_P256_SHA256_FIXED, point)
                .verify(message, signature)
                .is_ok(),
            PublicKey::P384(point) => UnparsedPublicKey::new(&rs::ECDSA_P384_SHA384_FIXED, point)
                .verify(message, signature)
                .is_ok(),
        };
        if ok {
            Ok(())
        } else {
            Err(EidError::BadSignature)
        }
    }
}

/// Why a SubjectPublicKeyInfo could not be used.
pub(crate) enum KeyDecodeError {
    /// An algorithm or curve we do not support.
    Unsupported(String),
    /// A supported algorithm with an invalid key.
    Invalid(String),
}
