//! The WebAssembly backend: RustCrypto (see the module above for why and what it covers).

use p256::ecdsa::signature::hazmat::PrehashVerifier;
use sha2::Digest as _;

use super::{Hash, Scheme};
use crate::public_key::{KeyDecodeError, PublicKey};

/// Whether `signature` over `message` verifies with `key` under `scheme` (`false` also for
/// a scheme that does not fit the key, and for every RSA key: see [`rsa_modulus_bits`]).
pub(crate) fn verify(key: &PublicKey, scheme: Scheme, message: &[u8], signature: &[u8]) -> bool {
    let hash = match (key, scheme) {
        (PublicKey::P256(_), Scheme::EcdsaFixed) => Hash::Sha256,
        (PublicKey::P384(_), Scheme::EcdsaFixed) => Hash::Sha384,
        (PublicKey::P521(_), Scheme::EcdsaFixed) => Hash::Sha512,
        (_, Scheme::EcdsaDer(hash)) => hash,
        _ => return false,
    };
    let der = matches!(scheme, Scheme::EcdsaDer(_));
    let prehash = digest(hash, message);
    /// One curve's check: the same steps with the curve's own types.
    macro_rules! ecdsa {
        ($curve:ident, $point:expr) => {{
            let Ok(key) = $curve::ecdsa::VerifyingKey::from_sec1_bytes($point) else {
                return false;
            };
            let sig = if der {
                $curve::ecdsa::Signature::from_der(signature)
            } else {
                $curve::ecdsa::Signature::from_slice(signature)
            };
            sig.is_ok_and(|sig| key.verify_prehash(&prehash, &sig).is_ok())
        }};
    }
    match key {
        PublicKey::P256(point) => ecdsa!(p256, point),
        PublicKey::P384(point) => ecdsa!(p384, point),
        PublicKey::P521(point) => ecdsa!(p521, point),
        PublicKey::Ed25519(_) | PublicKey::Rsa { .. } => false,
    }
}

fn digest(hash: Hash, message: &[u8]) -> Vec<u8> {
    match hash {
        Hash::Sha256 => sha2::Sha256::digest(message).to_vec(),
        Hash::Sha384 => sha2::Sha384::digest(message).to_vec(),
        Hash::Sha512 => sha2::Sha512::digest(message).to_vec(),
    }
}

/// RSA keys are not used in the browser: a certificate with one is refused as unsupported
/// when it is parsed.
pub(crate) fn rsa_modulus_bits(_der: &[u8]) -> Result<usize, KeyDecodeError> {
    Err(KeyDecodeError::Unsupported(
        "an RSA key in the browser booth (RSA e-IDs sign through their own service)".into(),
    ))
}

/// SHA-1, for the identifiers OCSP still uses (CertID, responder key hash).
pub(crate) fn sha1(data: &[u8]) -> Vec<u8> {
    sha1::Sha1::digest(data).to_vec()
}

#[cfg(test)]
mod tests {
    use x509_parser::prelude::{FromDer, X509Certificate};

    use super::super::aws_lc;
    use super::*;
    use crate::test_support::{ca, voter};
    use crate::KeyAlgorithm;

    fn key_of(cert_der: &[u8]) -> PublicKey {
        let (_, cert) = X509Certificate::from_der(cert_der).unwrap();
        match PublicKey::from_spki(cert.public_key()) {
            Ok(key) => key,
            Err(_) => panic!("the demo certificate's key does not decode"),
        }
    }

    /// Both backends give the same answer on the same key, message and signature.
    fn both(key: &PublicKey, scheme: Scheme, message: &[u8], signature: &[u8]) -> bool {
        let portable = verify(key, scheme, message, signature);
        assert_eq!(
            portable,
            aws_lc::verify(key, scheme, message, signature),
            "{scheme:?}"
        );
        portable
    }

    #[test]
    fn ecdsa_voter_and_chain_signatures_agree_with_aws_lc() {
        for (ca_alg, alg) in [
            (KeyAlgorithm::EcdsaP384, KeyAlgorithm::EcdsaP256),
            (KeyAlgorithm::EcdsaP521, KeyAlgorithm::EcdsaP384),
            (KeyAlgorithm::EcdsaP256, KeyAlgorithm::EcdsaP521),
        ] {
            let ca = ca("Demo CA", ca_alg);
            let v = voter(&ca, "38001085718", alg);
            // The voter's r‖s signature with the curve's own hash.
            let key = key_of(v.cert_der());
            let signature = v.key().unwrap().sign(b"ballot").unwrap();
            assert!(both(&key, Scheme::EcdsaFixed, b"ballot", &signature));
            assert!(!both(&key, Scheme::EcdsaFixed, b"ballot?", &signature));
            let mut flipped = signature.clone();
            flipped[3] ^= 1;
            assert!(!both(&key, Scheme::EcdsaFixed, b"ballot", &flipped));
            assert!(!both(
                &key,
                Scheme::EcdsaDer(Hash::Sha256),
                b"ballot",
                &signature
            ));
            // The CA's DER signature over the voter's certificate.
            let (_, cert) = X509Certificate::from_der(v.cert_der()).unwrap();
            let ca_key = key_of(ca.cert_der());
            let tbs = cert.tbs_certificate.as_ref();
            let sig = &cert.signature_value.data;
            let hashes = [Hash::Sha256, Hash::Sha384, Hash::Sha512];
            let verified: Vec<bool> = hashes
                .iter()
                .map(|h| both(&ca_key, Scheme::EcdsaDer(*h), tbs, sig))
                .collect();
            assert_eq!(verified.iter().filter(|ok| **ok).count(), 1, "{verified:?}");
            let mut tampered = tbs.to_vec();
            tampered[10] ^= 1;
            for h in hashes {
                assert!(!both(&ca_key, Scheme::EcdsaDer(h), &tampered, sig));
            }
        }
    }

    #[test]
    fn rsa_is_refused_and_sha1_is_sha1() {
        assert!(matches!(
            rsa_modulus_bits(&[0x30, 0]),
            Err(KeyDecodeError::Unsupported(_))
        ));
        assert_eq!(sha1(b"abc"), aws_lc::sha1(b"abc"));
        assert_eq!(
            hex_of(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }

    fn hex_of(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}
