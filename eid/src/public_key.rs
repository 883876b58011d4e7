//! Public keys taken from certificates, and the two signature checks done with them:
//! X.509 signatures (certificates and CRLs: DER-encoded ECDSA, RSA PKCS#1 v1.5 or RSASSA-PSS,
//! Ed25519) and voter signatures (fixed-size r‖s ECDSA as ID-cards produce, raw RSA
//! signatures as Mobile-ID and Smart-ID produce, or Ed25519).
//!
//! Backends, chosen by measurement (docs/eid.md, "Timings"): ECDSA and RSA verification use
//! `aws-lc-rs` (AWS-LC; in WebAssembly RustCrypto, see [`crate::backend`]), whose P-384 verification is about 4× faster than `ring`'s and 6×
//! faster than RustCrypto's `p384` on this machine (P-384 is what Estonian ID cards sign
//! with, and a national count verifies two such signatures per submission), and which covers
//! P-521 and RSA 2048–8192 bits; Ed25519 uses `ed25519-dalek` (`verify_strict`). Keys are
//! decoded and checked (point on the curve, RSA modulus size and exponent) once, when the
//! certificate is parsed, so a cached [`crate::VoterCertificate`] verifies without parsing
//! anything again.

use crate::backend::{self, Hash, Scheme};
use crate::EidError;
use ed25519_dalek::VerifyingKey;
use x509_parser::oid_registry::{
    Oid, OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_NIST_EC_P521,
    OID_NIST_HASH_SHA256, OID_NIST_HASH_SHA384, OID_NIST_HASH_SHA512, OID_PKCS1_RSAENCRYPTION,
    OID_PKCS1_RSASSAPSS, OID_PKCS1_SHA256WITHRSA, OID_PKCS1_SHA384WITHRSA, OID_PKCS1_SHA512WITHRSA,
    OID_SIG_ECDSA_WITH_SHA256, OID_SIG_ECDSA_WITH_SHA384, OID_SIG_ECDSA_WITH_SHA512,
    OID_SIG_ED25519,
};
use x509_parser::signature_algorithm::{RsaSsaPssParams, SignatureAlgorithm};
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo};

/// id-mgf1 (RFC 8017, PKCS #1).
const MGF1: &str = "1.2.840.113549.1.1.8";

/// The smallest RSA modulus accepted, in bits (NIST SP 800-131A: 2048 and up).
pub const RSA_MIN_BITS: u16 = 2048;
/// The largest RSA modulus accepted, in bits (8192: what AWS-LC verifies, and above any
/// national e-ID in use; Smart-ID's largest is 6144).
pub const RSA_MAX_BITS: u16 = 8192;

/// The supported key algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// Ed25519 (RFC 8032); signatures are 64 bytes.
    Ed25519,
    /// ECDSA on NIST P-256 with SHA-256 (Mobile-ID); voter signatures are r‖s, 64 bytes.
    EcdsaP256,
    /// ECDSA on NIST P-384 with SHA-384 (Estonian ID-cards); voter signatures are r‖s,
    /// 96 bytes.
    EcdsaP384,
    /// ECDSA on NIST P-521 with SHA-512; voter signatures are r‖s, 132 bytes.
    EcdsaP521,
    /// RSA with a modulus of this many bits ([`RSA_MIN_BITS`] to [`RSA_MAX_BITS`]; Mobile-ID
    /// 2048, Smart-ID 4096 or 6144); voter signatures are the modulus length, RSASSA-PKCS1-v1_5
    /// or RSASSA-PSS over SHA-256 (docs/eid.md, "Voter signatures").
    Rsa(u16),
}

impl KeyAlgorithm {
    /// Length in bytes of a voter signature made with this algorithm.
    pub fn signature_len(self) -> usize {
        match self {
            KeyAlgorithm::Ed25519 | KeyAlgorithm::EcdsaP256 => 64,
            KeyAlgorithm::EcdsaP384 => 96,
            KeyAlgorithm::EcdsaP521 => 132,
            KeyAlgorithm::Rsa(bits) => usize::from(bits).div_ceil(8),
        }
    }

    /// A human-readable name ("ECDSA P-384", "RSA"; [`std::fmt::Display`] adds RSA's size).
    pub fn name(self) -> &'static str {
        match self {
            KeyAlgorithm::Ed25519 => "Ed25519",
            KeyAlgorithm::EcdsaP256 => "ECDSA P-256",
            KeyAlgorithm::EcdsaP384 => "ECDSA P-384",
            KeyAlgorithm::EcdsaP521 => "ECDSA P-521",
            KeyAlgorithm::Rsa(_) => "RSA",
        }
    }
}

impl std::fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyAlgorithm::Rsa(bits) => write!(f, "RSA-{bits}"),
            other => f.write_str(other.name()),
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
    /// Uncompressed SEC1 point, checked to be on P-521.
    P521(Vec<u8>),
    /// The PKCS#1 RSAPublicKey DER (as the certificate carries it), checked by the backend, and
    /// the modulus size in bits.
    Rsa {
        der: Vec<u8>,
        bits: u16,
    },
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
        if alg.algorithm == OID_PKCS1_RSAENCRYPTION {
            return rsa_key(data);
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
        } else if curve == OID_NIST_EC_P521 {
            let point = p521::PublicKey::from_sec1_bytes(data)
                .map_err(|_| KeyDecodeError::Invalid("not a valid P-521 point".into()))?;
            Ok(PublicKey::P521(
                p521::EncodedPoint::from(point).as_bytes().to_vec(),
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
            PublicKey::P521(_) => KeyAlgorithm::EcdsaP521,
            PublicKey::Rsa { bits, .. } => KeyAlgorithm::Rsa(*bits),
        }
    }

    /// Ed25519: the 32-byte key; ECDSA: the uncompressed SEC1 point; RSA: the PKCS#1
    /// RSAPublicKey DER.
    pub(crate) fn raw_bytes(&self) -> &[u8] {
        match self {
            PublicKey::Ed25519(k) => k.as_bytes(),
            PublicKey::P256(p) | PublicKey::P384(p) | PublicKey::P521(p) => p,
            PublicKey::Rsa { der, .. } => der,
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
        let unsupported = || {
            X509SignatureFailure::Unsupported(format!(
                "signature algorithm {oid} with an {} key",
                self.algorithm()
            ))
        };
        let scheme = match self {
            PublicKey::Ed25519(key) => {
                if *oid != OID_SIG_ED25519 {
                    return Err(unsupported());
                }
                let sig = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| X509SignatureFailure::Invalid)?;
                return key
                    .verify_strict(signed, &sig)
                    .map_err(|_| X509SignatureFailure::Invalid);
            }
            PublicKey::P256(_) | PublicKey::P384(_) | PublicKey::P521(_) => {
                Scheme::EcdsaDer(ecdsa_x509_hash(oid).ok_or_else(unsupported)?)
            }
            PublicKey::Rsa { .. } if *oid == OID_PKCS1_RSASSAPSS => {
                Scheme::RsaPss(rsa_pss_x509_hash(algorithm).map_err(|detail| {
                    X509SignatureFailure::Unsupported(format!("RSASSA-PSS with {detail}"))
                })?)
            }
            PublicKey::Rsa { .. } if *oid == OID_PKCS1_SHA256WITHRSA => {
                Scheme::RsaPkcs1(Hash::Sha256)
            }
            PublicKey::Rsa { .. } if *oid == OID_PKCS1_SHA384WITHRSA => {
                Scheme::RsaPkcs1(Hash::Sha384)
            }
            PublicKey::Rsa { .. } if *oid == OID_PKCS1_SHA512WITHRSA => {
                Scheme::RsaPkcs1(Hash::Sha512)
            }
            PublicKey::Rsa { .. } => return Err(unsupported()),
        };
        if backend::verify(self, scheme, signed, signature) {
            Ok(())
        } else {
            Err(X509SignatureFailure::Invalid)
        }
    }

    /// Verifies a voter signature: Ed25519 (64 bytes, strict: canonical S, no small-order key),
    /// ECDSA as fixed-size r‖s (IEEE P1363) over SHA-256 (P-256) / SHA-384 (P-384) / SHA-512
    /// (P-521), or RSA (the signature as long as the modulus) with RSASSA-PKCS1-v1_5 or
    /// RSASSA-PSS (MGF1, 32-byte salt), both over SHA-256. Both low and high S are accepted
    /// (see docs/eid.md, "Malleability").
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
            PublicKey::P256(_) | PublicKey::P384(_) | PublicKey::P521(_) => {
                backend::verify(self, Scheme::EcdsaFixed, message, signature)
            }
            // Either RSA scheme a national e-ID produces (docs/eid.md, "Voter signatures").
            PublicKey::Rsa { .. } => [Scheme::RsaPkcs1(Hash::Sha256), Scheme::RsaPss(Hash::Sha256)]
                .into_iter()
                .any(|scheme| backend::verify(self, scheme, message, signature)),
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

/// Decodes a PKCS#1 RSAPublicKey: the backend parses and checks it
/// ([`backend::rsa_modulus_bits`]) and the modulus must be [`RSA_MIN_BITS`] to
/// [`RSA_MAX_BITS`] bits.
fn rsa_key(der: &[u8]) -> Result<PublicKey, KeyDecodeError> {
    let bits = backend::rsa_modulus_bits(der)?;
    let bits = u16::try_from(bits)
        .ok()
        .filter(|b| (RSA_MIN_BITS..=RSA_MAX_BITS).contains(b))
        .ok_or_else(|| {
            KeyDecodeError::Unsupported(format!(
                "an RSA key of {bits} bits (supported: {RSA_MIN_BITS} to {RSA_MAX_BITS})"
            ))
        })?;
    Ok(PublicKey::Rsa {
        der: der.to_vec(),
        bits,
    })
}

/// The hash of an ecdsa-with-SHA* OID, for any supported curve (ESTEID2018, a P-521 CA,
/// signs P-384 leaves with SHA-512); SHA-1 and SHA-224 are refused.
fn ecdsa_x509_hash(oid: &Oid<'_>) -> Option<Hash> {
    if *oid == OID_SIG_ECDSA_WITH_SHA256 {
        Some(Hash::Sha256)
    } else if *oid == OID_SIG_ECDSA_WITH_SHA384 {
        Some(Hash::Sha384)
    } else if *oid == OID_SIG_ECDSA_WITH_SHA512 {
        Some(Hash::Sha512)
    } else {
        None
    }
}

/// The RSASSA-PSS X.509 hash for an algorithm identifier's parameters (RFC 4055): the
/// hash SHA-256, -384 or -512, MGF1 with the same hash, a salt as long as the hash, trailer
/// field 1 (the parameters every issuer using PSS writes). `Err` says what else it found.
fn rsa_pss_x509_hash(algorithm: &AlgorithmIdentifier<'_>) -> Result<Hash, String> {
    let params: Box<RsaSsaPssParams<'_>> = match SignatureAlgorithm::try_from(algorithm) {
        Ok(SignatureAlgorithm::RSASSA_PSS(params)) => params,
        _ => return Err("unreadable parameters".into()),
    };
    let hash = params.hash_algorithm_oid();
    let (verifier, salt) = if *hash == OID_NIST_HASH_SHA256 {
        (Hash::Sha256, 32)
    } else if *hash == OID_NIST_HASH_SHA384 {
        (Hash::Sha384, 48)
    } else if *hash == OID_NIST_HASH_SHA512 {
        (Hash::Sha512, 64)
    } else {
        return Err(format!("hash {hash}"));
    };
    let mgf = params
        .mask_gen_algorithm()
        .map_err(|_| "an unreadable mask generation function".to_owned())?;
    if mgf.mgf.to_id_string() != MGF1 || mgf.hash != *hash {
        return Err(format!(
            "mask generation {} with hash {}",
            mgf.mgf, mgf.hash
        ));
    }
    if params.salt_length() != salt || params.trailer_field() != 1 {
        return Err(format!(
            "salt length {} and trailer field {}",
            params.salt_length(),
            params.trailer_field()
        ));
    }
    Ok(verifier)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::TrustAnchors;
    use x509_parser::prelude::FromDer;

    /// A time inside the RSASSA-PSS fixtures' validity (2026-12-03 to 2126).
    const PSS_TIME: i64 = 1_800_000_000;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/rsa-pss/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let pem = std::fs::read(path).unwrap();
        x509_parser::pem::Pem::iter_from_buffer(&pem)
            .next()
            .unwrap()
            .unwrap()
            .contents
    }

    #[test]
    fn rsa_keys_outside_2048_to_8192_bits_are_refused() {
        use rsa::pkcs8::EncodePublicKey as _;
        let small = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 1024).unwrap();
        let spki_der = small.to_public_key().to_public_key_der().unwrap();
        let (_, spki) = SubjectPublicKeyInfo::from_der(spki_der.as_bytes()).unwrap();
        match PublicKey::from_spki(&spki) {
            Err(KeyDecodeError::Unsupported(what)) => {
                assert!(what.contains("1024 bits"), "{what}")
            }
            _ => panic!("a 1024-bit RSA key was not refused as unsupported"),
        }
    }

    #[test]
    fn rsa_voter_signatures_pkcs1_v1_5_and_pss_over_sha256_only() {
        use aws_lc_rs::signature as sig;
        let ca = ca("Demo CA", KeyAlgorithm::EcdsaP384);
        let anchors = anchors(&[&ca]);
        let v = voter(&ca, "38001085718", KeyAlgorithm::Rsa(2048));
        let cert = anchors.validate(v.cert_der(), NOW, None).unwrap();
        let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(v.pkcs8_der()).unwrap();
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let sign = |padding: &'static dyn sig::RsaEncoding| {
            let mut out = vec![0; 256];
            pair.sign(padding, &rng, b"ballot", &mut out).unwrap();
            out
        };
        // Smart-ID API v3's RSASSA-PSS (SHA-256, 32-byte salt) and PKCS#1 v1.5 are accepted.
        for padding in [
            &sig::RSA_PSS_SHA256 as &'static dyn sig::RsaEncoding,
            &sig::RSA_PKCS1_SHA256,
        ] {
            let s = sign(padding);
            cert.verify_signature(b"ballot", &s).unwrap();
            assert_eq!(
                cert.verify_signature(b"ballot?", &s).unwrap_err().code(),
                "eid.bad_signature"
            );
        }
        // Another hash is another scheme: refused.
        for padding in [
            &sig::RSA_PKCS1_SHA512 as &'static dyn sig::RsaEncoding,
            &sig::RSA_PSS_SHA384,
        ] {
            let err = cert
                .verify_signature(b"ballot", &sign(padding))
                .unwrap_err();
            assert_eq!(err.code(), "eid.bad_signature");
        }
        // The signature is exactly as long as the modulus.
        let mut long = sign(&sig::RSA_PKCS1_SHA256);
        long.insert(0, 0);
        let err = cert.verify_signature(b"ballot", &long).unwrap_err();
        assert_eq!(err.code(), "eid.signature_encoding");
        assert!(err.to_string().contains("256 bytes"), "{err}");
    }

    #[test]
    fn rsassa_pss_chain_signatures_with_the_usual_parameters_verify() {
        let anchors = TrustAnchors::from_der_list(&[fixture("pss-ca.pem")]).unwrap();
        let cert = anchors
            .validate(&fixture("pss-voter.pem"), PSS_TIME, None)
            .unwrap();
        assert_eq!(cert.voter_id(), "PNOEE-38001085718");
        let mut forged = fixture("pss-voter.pem");
        *forged.last_mut().unwrap() ^= 1;
        let err = anchors.validate(&forged, PSS_TIME, None).unwrap_err();
        assert_eq!(err.code(), "eid.bad_chain_signature");
        // A 20-byte salt with SHA-256 is not what issuers write: refused as unsupported.
        let err = anchors
            .validate(&fixture("pss-voter-salt20.pem"), PSS_TIME, None)
            .unwrap_err();
        assert_eq!(err.code(), "eid.unsupported_algorithm");
        assert!(err.to_string().contains("salt length 20"), "{err}");
    }
}
