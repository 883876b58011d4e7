//! The native backend: AWS-LC (`aws-lc-rs`).

use aws_lc_rs::digest::{digest, SHA1_FOR_LEGACY_USE_ONLY};
use aws_lc_rs::signature::{self as rs, RsaParameters, UnparsedPublicKey, VerificationAlgorithm};

use super::{Hash, Scheme};
use crate::public_key::{KeyDecodeError, PublicKey};

/// Whether `signature` over `message` verifies with `key` under `scheme` (`false` also for
/// a scheme that does not fit the key).
pub(crate) fn verify(key: &PublicKey, scheme: Scheme, message: &[u8], signature: &[u8]) -> bool {
    let Some(algorithm) = algorithm(key, scheme) else {
        return false;
    };
    UnparsedPublicKey::new(algorithm, key.raw_bytes())
        .verify(message, signature)
        .is_ok()
}

fn algorithm(key: &PublicKey, scheme: Scheme) -> Option<&'static dyn VerificationAlgorithm> {
    use Hash::{Sha256, Sha384, Sha512};
    Some(match (key, scheme) {
        (PublicKey::P256(_), Scheme::EcdsaFixed) => &rs::ECDSA_P256_SHA256_FIXED,
        (PublicKey::P384(_), Scheme::EcdsaFixed) => &rs::ECDSA_P384_SHA384_FIXED,
        (PublicKey::P521(_), Scheme::EcdsaFixed) => &rs::ECDSA_P521_SHA512_FIXED,
        (PublicKey::P256(_), Scheme::EcdsaDer(Sha256)) => &rs::ECDSA_P256_SHA256_ASN1,
        (PublicKey::P256(_), Scheme::EcdsaDer(Sha384)) => &rs::ECDSA_P256_SHA384_ASN1,
        (PublicKey::P256(_), Scheme::EcdsaDer(Sha512)) => &rs::ECDSA_P256_SHA512_ASN1,
        (PublicKey::P384(_), Scheme::EcdsaDer(Sha256)) => &rs::ECDSA_P384_SHA256_ASN1,
        (PublicKey::P384(_), Scheme::EcdsaDer(Sha384)) => &rs::ECDSA_P384_SHA384_ASN1,
        (PublicKey::P384(_), Scheme::EcdsaDer(Sha512)) => &rs::ECDSA_P384_SHA512_ASN1,
        (PublicKey::P521(_), Scheme::EcdsaDer(Sha256)) => &rs::ECDSA_P521_SHA256_ASN1,
        (PublicKey::P521(_), Scheme::EcdsaDer(Sha384)) => &rs::ECDSA_P521_SHA384_ASN1,
        (PublicKey::P521(_), Scheme::EcdsaDer(Sha512)) => &rs::ECDSA_P521_SHA512_ASN1,
        (PublicKey::Rsa { .. }, Scheme::RsaPkcs1(Sha256)) => &rs::RSA_PKCS1_2048_8192_SHA256,
        (PublicKey::Rsa { .. }, Scheme::RsaPkcs1(Sha384)) => &rs::RSA_PKCS1_2048_8192_SHA384,
        (PublicKey::Rsa { .. }, Scheme::RsaPkcs1(Sha512)) => &rs::RSA_PKCS1_2048_8192_SHA512,
        (PublicKey::Rsa { .. }, Scheme::RsaPss(Sha256)) => &rs::RSA_PSS_2048_8192_SHA256,
        (PublicKey::Rsa { .. }, Scheme::RsaPss(Sha384)) => &rs::RSA_PSS_2048_8192_SHA384,
        (PublicKey::Rsa { .. }, Scheme::RsaPss(Sha512)) => &rs::RSA_PSS_2048_8192_SHA512,
        _ => return None,
    })
}

/// The modulus size in bits of a PKCS#1 RSAPublicKey, which AWS-LC parses and checks (DER,
/// positive modulus, odd exponent within its limits).
pub(crate) fn rsa_modulus_bits(der: &[u8]) -> Result<usize, KeyDecodeError> {
    let invalid = || KeyDecodeError::Invalid("not a valid RSA public key".into());
    let bits = RsaParameters::public_modulus_len(der).map_err(|_| invalid())?;
    rs::ParsedPublicKey::new(&rs::RSA_PKCS1_2048_8192_SHA256, der)
        .map_err(|e| KeyDecodeError::Invalid(format!("not a usable RSA public key ({e})")))?;
    usize::try_from(bits).map_err(|_| invalid())
}

/// SHA-1, for the identifiers OCSP still uses (CertID, responder key hash).
pub(crate) fn sha1(data: &[u8]) -> Vec<u8> {
    digest(&SHA1_FOR_LEGACY_USE_ONLY, data).as_ref().to_vec()
}
