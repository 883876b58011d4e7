//! Trust anchors: the CA certificates the officials configure, parsed and checked once.
//!
//! Voters' certificates must be issued directly by one of these CAs. That is also how the
//! Estonian i-voting system (IVXV) configures ESTEID: the issuing CA certificates themselves
//! (e.g. ESTEID2018) are the configured CAs, not the root above them. Intermediate chains are
//! therefore not walked; to accept certificates from another issuing CA, add that CA's
//! certificate to the anchor file.

use crate::certificate::{parse_certificate, pem_certificates, VoterCertificate};
use crate::public_key::{KeyDecodeError, PublicKey, X509SignatureFailure};
use crate::{Crl, EidError};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use x509_parser::certificate::X509Certificate;

/// One configured CA.
#[derive(Debug, Clone)]
pub(crate) struct Anchor {
    /// SHA-256 of the CA certificate's DER: how CRLs and validated certificates refer to it.
    pub(crate) fingerprint: [u8; 32],
    /// The subject name, for messages.
    pub(crate) name: String,
    pub(crate) key: PublicKey,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    /// Whether keyUsage allows signing CRLs.
    pub(crate) crl_sign: bool,
    /// The subject name's DER, and the public key's bits (the subjectPublicKey BIT STRING
    /// contents) and their SHA-1: what OCSP CertIDs and responder ids hash.
    pub(crate) subject_der: Vec<u8>,
    pub(crate) key_bits: Vec<u8>,
    pub(crate) key_sha1: Vec<u8>,
}

/// The configured certificate authorities, parsed once and indexed by subject name.
#[derive(Debug, Clone)]
pub struct TrustAnchors {
    anchors: Vec<Anchor>,
    /// Raw DER of the subject name → indices into `anchors` (several when a CA re-keyed).
    by_subject: HashMap<Vec<u8>, Vec<usize>>,
}

impl TrustAnchors {
    /// Parses a PEM bundle of one or more `CERTIFICATE` blocks (text outside the blocks is
    /// ignored; other block types are refused). Each must be a CA certificate: basicConstraints
    /// with cA set, keyUsage with keyCertSign, and a supported key (Ed25519, P-256, P-384,
    /// P-521, RSA 2048–8192). Errors name
    /// the certificate by its position in the file, counting from 1. Exact duplicates are
    /// kept once.
    pub fn from_pem(pem: &[u8]) -> Result<Self, EidError> {
        let ders = pem_certificates(pem, |i| format!("certificate {i} in the trust anchor file"))?;
        Self::from_der_list(&ders)
    }

    /// Like [`TrustAnchors::from_pem`], from DER certificates.
    pub fn from_der_list<B: AsRef<[u8]>>(ders: &[B]) -> Result<Self, EidError> {
        if ders.is_empty() {
            return Err(EidError::malformed(
                "the trust anchor file",
                "it contains no certificate (expected PEM blocks \"-----BEGIN CERTIFICATE-----\")",
            ));
        }
        let mut anchors: Vec<Anchor> = Vec::with_capacity(ders.len());
        let mut by_subject: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        for (i, der) in ders.iter().enumerate() {
            let what = format!("certificate {} in the trust anchor file", i + 1);
            let der = der.as_ref();
            let cert = parse_certificate(der, &what)?;
            let anchor = anchor_from(&cert, der, &what)?;
            if anchors.iter().any(|a| a.fingerprint == anchor.fingerprint) {
                continue;
            }
            by_subject
                .entry(cert.subject().as_raw().to_vec())
                .or_default()
                .push(anchors.len());
            anchors.push(anchor);
        }
        Ok(TrustAnchors {
            anchors,
            by_subject,
        })
    }

    /// Number of configured CAs.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Always false: a `TrustAnchors` holds at least one CA.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Subject names of the configured CAs, in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.anchors.iter().map(|a| a.name.as_str())
    }

    /// Each configured CA's certificate fingerprint (SHA-256 of its DER) and subject name, in
    /// file order: how election settings name a CA.
    pub fn fingerprints(&self) -> impl Iterator<Item = (&[u8; 32], &str)> {
        self.anchors
            .iter()
            .map(|a| (&a.fingerprint, a.name.as_str()))
    }

    /// The anchor with this certificate fingerprint.
    pub(crate) fn by_fingerprint(&self, fingerprint: &[u8; 32]) -> Option<&Anchor> {
        self.anchors.iter().find(|a| &a.fingerprint == fingerprint)
    }

    /// The anchors whose subject name is exactly `issuer_raw` (DER).
    pub(crate) fn candidates(&self, issuer_raw: &[u8]) -> impl Iterator<Item = &Anchor> {
        self.by_subject
            .get(issuer_raw)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.anchors.get(i))
    }

    /// Validates a voter's certificate (DER) at `at_time` (Unix seconds), optionally against
    /// loaded CRLs. Checks, in this order:
    ///
    /// 1. the DER parses as exactly one X.509 certificate (`eid.malformed`);
    /// 2. its issuer name is a configured anchor's subject (`eid.unknown_issuer`);
    /// 3. keyUsage is present and has digitalSignature (a signing certificate, nonRepudiation
    ///    only: `eid.signing_certificate`; otherwise `eid.key_usage`), the certificate is not
    ///    a CA (`eid.key_usage`), and its extendedKeyUsage lists clientAuth
    ///    (`eid.extended_key_usage`): ballots are signed with authentication certificates;
    /// 4. the subject has exactly one serialNumber of the form `PNOxx-<id>` (`eid.no_voter_id`);
    /// 5. the public key is Ed25519, P-256, P-384, P-521 or RSA of 2048 to 8192 bits
    ///    (`eid.unsupported_algorithm`);
    /// 6. the issuer's signature on the certificate (`eid.bad_chain_signature`); with several
    ///    anchors of the same name (a re-keyed CA) the one whose key verifies is the issuer;
    /// 7. the status checks of [`VoterCertificate::check_status`]: the certificate's validity
    ///    period, the issuing anchor's validity period, and, with a CRL, its freshness and the
    ///    serial number.
    ///
    /// The result can be cached (keyed by [`VoterCertificate::fingerprint`]); a cached
    /// certificate needs only [`VoterCertificate::check_status`] before reuse.
    pub fn validate(
        &self,
        cert_der: &[u8],
        at_time: i64,
        crl: Option<&Crl>,
    ) -> Result<VoterCertificate, EidError> {
        let cert = parse_certificate(cert_der, "the voter's certificate")?;
        let issuer_name = cert.issuer().to_string();
        let mut candidates = self.candidates(cert.issuer().as_raw()).peekable();
        if candidates.peek().is_none() {
            return Err(EidError::UnknownIssuer {
                issuer: issuer_name,
            });
        }
        let parts = VoterCertificate::parts_from(&cert, cert_der)?;
        let tbs = cert.tbs_certificate.as_ref();
        let signature: &[u8] = &cert.signature_value.data;
        let mut unsupported = None;
        for anchor in candidates {
            match anchor
                .key
                .verify_x509(&cert.signature_algorithm, tbs, signature)
            {
                Ok(()) => {
                    let voter = parts.issued_by(anchor);
                    voter.check_status(at_time, crl)?;
                    return Ok(voter);
                }
                Err(X509SignatureFailure::Invalid) => {}
                Err(X509SignatureFailure::Unsupported(alg)) => unsupported = Some(alg),
            }
        }
        Err(match unsupported {
            Some(algorithm) => EidError::UnsupportedAlgorithm {
                what: "the voter's certificate signature".into(),
                algorithm,
            },
            None => EidError::BadChainSignature {
                issuer: issuer_name,
            },
        })
    }
}

/// Checks a CA certificate and extracts what validation needs.
fn anchor_from(cert: &X509Certificate<'_>, der: &[u8], what: &str) -> Result<Anchor, EidError> {
    let name = cert.subject().to_string();
    let what = format!("{what} ({name})");
    let is_ca = cert
        .basic_constraints()
        .map_err(|e| EidError::malformed(&what, format!("bad basicConstraints: {e}")))?
        .is_some_and(|bc| bc.value.ca);
    if !is_ca {
        return Err(EidError::BadAnchor {
            what,
            detail: "it is not a CA certificate (basicConstraints cA is not set)".into(),
        });
    }
    let usage = cert
        .key_usage()
        .map_err(|e| EidError::malformed(&what, format!("bad keyUsage: {e}")))?;
    let Some(usage) = usage else {
        return Err(EidError::BadAnchor {
            what,
            detail: "it has no keyUsage extension (keyCertSign is required)".into(),
        });
    };
    if !usage.value.key_cert_sign() {
        return Err(EidError::BadAnchor {
            what,
            detail: "its keyUsage does not include keyCertSign".into(),
        });
    }
    let key = PublicKey::from_spki(cert.public_key()).map_err(|e| match e {
        KeyDecodeError::Unsupported(algorithm) => EidError::UnsupportedAlgorithm {
            what: what.clone(),
            algorithm,
        },
        KeyDecodeError::Invalid(detail) => EidError::malformed(&what, detail),
    })?;
    Ok(Anchor {
        fingerprint: Sha256::digest(der).into(),
        name,
        key,
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        crl_sign: usage.value.crl_sign(),
        subject_der: cert.subject().as_raw().to_vec(),
        key_bits: cert.public_key().subject_public_key.data.to_vec(),
        key_sha1: crate::backend::sha1(&cert.public_key().subject_public_key.data),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::parse_certificate;
    use crate::insecure_demo_pki::{DemoCa, DemoExtendedKeyUsage, DemoKeyUsage};
    use crate::test_support::*;
    use crate::KeyAlgorithm;
    use proptest::prelude::*;

    #[test]
    fn every_algorithm_pair_is_accepted_and_signs() {
        for ca_alg in ALGORITHMS {
            let ca = ca("Demo CA", ca_alg);
            let anchors = anchors(&[&ca]);
            for alg in ALGORITHMS {
                let v = voter(&ca, "38001085718", alg);
                let cert = anchors.validate(v.cert_der(), NOW, None).unwrap();
                assert_eq!(cert.voter_id(), "PNOEE-38001085718");
                assert_eq!(cert.national_id(), "38001085718");
                assert_eq!(cert.voter_id_country(), "EE");
                assert_eq!(cert.common_name(), Some("DEMO,VOTER,38001085718"));
                assert_eq!(cert.algorithm(), alg);
                assert!(cert.issuer_name().contains("NOT FOR REAL ELECTIONS"));
                let key = v.key().unwrap();
                assert!(cert.matches_key(&key));
                let sig = key.sign(b"ballot").unwrap();
                assert_eq!(sig.len(), alg.signature_len());
                cert.verify_signature(b"ballot", &sig).unwrap();
                let err = cert.verify_signature(b"other ballot", &sig).unwrap_err();
                assert_eq!(err.code(), "eid.bad_signature");
                let other = voter(&ca, "49403136526", alg).key().unwrap();
                assert!(!cert.matches_key(&other));
                let err = cert.verify_signature(b"ballot", &other.sign(b"ballot").unwrap());
                assert_eq!(err.unwrap_err().code(), "eid.bad_signature");
            }
        }
    }

    #[test]
    fn validity_period_is_checked() {
        let ca = ca("Demo CA", KeyAlgorithm::Ed25519);
        let anchors = anchors(&[&ca]);
        let mut s = spec("38001085718", KeyAlgorithm::EcdsaP256);
        s.not_before = NOW - 3 * YEAR;
        s.not_after = NOW - YEAR;
        let expired = ca.issue(&s).unwrap();
        let err = anchors.validate(expired.cert_der(), NOW, None).unwrap_err();
        assert_eq!(err.code(), "eid.expired");
        assert!(err.to_string().contains("2022-11-14"), "{err}");
        s.not_before = NOW + DAY;
        s.not_after = NOW + YEAR;
        let future = ca.issue(&s).unwrap();
        let err = anchors.validate(future.cert_der(), NOW, None).unwrap_err();
        assert_eq!(err.code(), "eid.not_yet_valid");
        // Both ends are inclusive.
        assert!(anchors.validate(future.cert_der(), NOW + DAY, None).is_ok());
        assert!(anchors
            .validate(future.cert_der(), NOW + YEAR, None)
            .is_ok());
        assert_eq!(
            anchors
                .validate(future.cert_der(), NOW + YEAR + 1, None)
                .unwrap_err()
                .code(),
            "eid.expired"
        );
    }

    #[test]
    fn cached_certificate_status_is_rechecked() {
        let ca = ca("Demo CA", KeyAlgorithm::Ed25519);
        let anchors = anchors(&[&ca]);
        let v = voter(&ca, "38001085718", KeyAlgorithm::Ed25519);
        let cert = anchors.validate(v.cert_der(), NOW, None).unwrap();
        cert.check_status(NOW + YEAR, None).unwrap();
        assert_eq!(
            cert.check_status(NOW + 6 * YEAR, None).unwrap_err().code(),
            "eid.expired"
        );
        assert_eq!(
            cert.fingerprint(),
            &<[u8; 32]>::from(sha2::Sha256::digest(v.cert_der()))
        );
    }

    #[test]
    fn anchor_validity_is_checked() {
        let ca = DemoCa::new("Short CA", KeyAlgorithm::Ed25519, NOW - YEAR, NOW + DAY).unwrap();
        let anchors = anchors(&[&ca]);
        let v = voter(&ca, "38001085718", KeyAlgorithm::Ed25519);
        assert!(anchors.validate(v.cert_der(), NOW, None).is_ok());
        let err = anchors
            .validate(v.cert_der(), NOW + 2 * DAY, None)
            .unwrap_err();
        assert_eq!(err.code(), "eid.anchor_not_valid");
    }

    #[test]
    fn key_usage_is_checked() {
        let ca = ca("Demo CA", KeyAlgorithm::EcdsaP384);
        let anchors = anchors(&[&ca]);
        let mut s = spec("38001085718", KeyAlgorithm::EcdsaP384);
        s.key_usage = DemoKeyUsage::KeyEnciphermentOnly;
        let v = ca.issue(&s).unwrap();
        let err = anchors.validate(v.cert_der(), NOW, None).unwrap_err();
        assert_eq!(err.code(), "eid.key_usage");
        assert!(err.to_string().contains("digitalSignature"), "{err}");
        // A signing certificate (nonRepudiation only, the card's PIN2 certificate) does not
        // sign ballots: it has its own code, so the app can tell the voter which to use.
        s.key_usage = DemoKeyUsage::NonRepudiation;
        s.extended_key_usage = DemoExtendedKeyUsage::Absent;
        let v = ca.issue(&s).unwrap();
        let err = anchors.validate(v.cert_der(), NOW, None).unwrap_err();
        assert_eq!(err.code(), "eid.signing_certificate");
        assert!(
            err.to_string().contains("authentication certificate"),
            "{err}"
        );
        // An ID card's authentication certificate: digitalSignature + keyAgreement.
        s.key_usage = DemoKeyUsage::DigitalSignatureAndKeyAgreement;
        s.extended_key_usage = DemoExtendedKeyUsage::ClientAuth;
        assert!(anchors
            .validate(ca.issue(&s).unwrap().cert_der(), NOW, None)
            .is_ok());
        // The CA's own certificate is not a voter certificate.
        let err = anchors.validate(ca.cert_der(), NOW, None).unwrap_err();
        assert_eq!(err.code(), "eid.key_usage");
    }

    #[test]
    fn extended_key_usage_must_allow_client_authentication() {
        let ca = ca("Demo CA", KeyAlgorithm::EcdsaP384);
        let anchors = anchors(&[&ca]);
        let mut s = spec("38001085718", KeyAlgorithm::EcdsaP384);
        assert_eq!(s.extended_key_usage, DemoExtendedKeyUsage::ClientAuth);
        assert!(anchors
            .validate(ca.issue(&s).unwrap().cert_der(), NOW, None)
            .is_ok());
        // An authentication certificate (digitalSignature) without extendedKeyUsage, or
        // with purposes other than clientAuth (an e-mail certificate of the same CA).
        for eku in [
            DemoExtendedKeyUsage::Absent,
            DemoExtendedKeyUsage::EmailProtectionOnly,
        ] {
            s.extended_key_usage = eku;
            let err = anchors
                .validate(ca.issue(&s).unwrap().cert_der(), NOW, None)
                .unwrap_err();
            assert_eq!(err.code(), "eid.extended_key_usage", "{eku:?}");
            assert!(err.to_string().contains("clientAuth"), "{err}");
        }
        let err = anchors
            .validate(ca.issue(&s).unwrap().cert_der(), NOW, None)
            .unwrap_err();
        assert!(err.to_string().contains("emailProtection"), "{err}");
    }

    #[test]
    fn unknown_issuer_and_forged_chain() {
        let ca1 = ca("Demo CA", KeyAlgorithm::Ed25519);
        let other_name = ca("Other CA", KeyAlgorithm::Ed25519);
        let same_name = ca("Demo CA", KeyAlgorithm::Ed25519);
        let anchors = anchors(&[&ca1]);
        let v = voter(&other_name, "38001085718", KeyAlgorithm::Ed25519);
        let err = anchors.validate(v.cert_der(), NOW, None).unwrap_err();
        assert_eq!(err.code(), "eid.unknown_issuer");
        assert!(err.to_string().contains("Other CA"), "{err}");
        let v = voter(&same_name, "38001085718", KeyAlgorithm::Ed25519);
        let err = anchors.validate(v.cert_der(), NOW, None).unwrap_err();
        assert_eq!(err.code(), "eid.bad_chain_signature");
    }

    #[test]
    fn rekeyed_ca_with_the_same_name_is_found_by_signature() {
        let old = ca("Demo CA", KeyAlgorithm::EcdsaP256);
        let new = ca("Demo CA", KeyAlgorithm::EcdsaP384);
        let anchors = anchors(&[&old, &new]);
        assert_eq!(anchors.len(), 2);
        for issuer in [&old, &new] {
            let v = voter(issuer, "38001085718", KeyAlgorithm::Ed25519);
            assert!(anchors.validate(v.cert_der(), NOW, None).is_ok());
        }
    }

    #[test]
    fn voter_id_is_required() {
        let ca = ca("Demo CA", KeyAlgorithm::Ed25519);
        let anchors = anchors(&[&ca]);
        let mut s = spec("38001085718", KeyAlgorithm::Ed25519);
        s.with_voter_id = false;
        let v = ca.issue(&s).unwrap();
        let err = anchors.validate(v.cert_der(), NOW, None).unwrap_err();
        assert_eq!(err.code(), "eid.no_voter_id");
        // A serialNumber not in PNOxx- form.
        let mut s = spec("38001 085718", KeyAlgorithm::Ed25519);
        s.serial = 7;
        let v = ca.issue(&s).unwrap();
        let err = anchors.validate(v.cert_der(), NOW, None).unwrap_err();
        assert_eq!(err.code(), "eid.no_voter_id");
    }

    #[test]
    fn anchor_file_errors_name_the_certificate() {
        let ca = ca("Demo CA", KeyAlgorithm::Ed25519);
        let v = voter(&ca, "38001085718", KeyAlgorithm::Ed25519);
        // A voter certificate is not a CA.
        let pem = format!("{}{}", ca.cert_pem(), v.cert_pem().unwrap());
        let err = TrustAnchors::from_pem(pem.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "eid.bad_anchor");
        assert!(err.to_string().contains("certificate 2"), "{err}");
        // Garbage inside a block.
        let pem = format!(
            "{}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            ca.cert_pem()
        );
        let err = TrustAnchors::from_pem(pem.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "eid.malformed");
        assert!(err.to_string().contains("certificate 2"), "{err}");
        // Bad base64.
        let pem = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        let err = TrustAnchors::from_pem(pem.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("certificate 1"), "{err}");
        // Nothing at all.
        let err = TrustAnchors::from_pem(b"just text\n").unwrap_err();
        assert_eq!(err.code(), "eid.malformed");
        // Wrong block type.
        let err = TrustAnchors::from_pem(v.pkcs8_pem().unwrap().as_bytes()).unwrap_err();
        assert!(err.to_string().contains("PRIVATE KEY"), "{err}");
        // Duplicates are kept once.
        let pem = format!("{}{}", ca.cert_pem(), ca.cert_pem());
        assert_eq!(TrustAnchors::from_pem(pem.as_bytes()).unwrap().len(), 1);
    }

    #[test]
    fn trailing_bytes_are_refused() {
        let ca = ca("Demo CA", KeyAlgorithm::Ed25519);
        let anchors = anchors(&[&ca]);
        let v = voter(&ca, "38001085718", KeyAlgorithm::Ed25519);
        let mut der = v.cert_der().to_vec();
        der.push(0);
        let err = anchors.validate(&der, NOW, None).unwrap_err();
        assert_eq!(err.code(), "eid.malformed");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = TrustAnchors::from_pem(&bytes);
            let _ = TrustAnchors::from_der_list(&[&bytes]);
            let mut pem = b"-----BEGIN CERTIFICATE-----\n".to_vec();
            pem.extend_from_slice(&bytes);
            pem.extend_from_slice(b"\n-----END CERTIFICATE-----\n");
            let _ = TrustAnchors::from_pem(&pem);
        }
    }

    #[test]
    fn mutated_certificates_never_panic_or_pass() {
        let ca = ca("Demo CA", KeyAlgorithm::EcdsaP256);
        let anchors = anchors(&[&ca]);
        let v = voter(&ca, "38001085718", KeyAlgorithm::EcdsaP256);
        let good = v.cert_der().to_vec();
        let original = anchors.validate(&good, NOW, None).unwrap();
        let parsed = parse_certificate(&good, "test").unwrap();
        let tbs = parsed.tbs_certificate.as_ref();
        let tbs_start = tbs.as_ptr() as usize - good.as_ptr() as usize;
        let tbs_end = tbs_start + tbs.len();
        let mut runner = proptest::test_runner::TestRunner::default();
        runner
            .run(&(0..good.len(), 1u8..=255), |(pos, x)| {
                let mut der = good.clone();
                der[pos] ^= x;
                // A change inside the signed part or the signature breaks the DER, the issuer
                // match or the signature. x509-parser ignores the class bits of the two outer
                // tags, which the signature does not cover: such a variant still carries
                // exactly the signed content of the original (only its fingerprint differs).
                if let Ok(cert) = anchors.validate(&der, NOW, None) {
                    prop_assert!(
                        pos < tbs_start || pos >= tbs_end,
                        "accepted a change at {}",
                        pos
                    );
                    prop_assert_eq!(cert.voter_id(), original.voter_id());
                    prop_assert_eq!(cert.public_key_bytes(), original.public_key_bytes());
                    prop_assert_eq!(cert.serial(), original.serial());
                }
                Ok(())
            })
            .unwrap();
        for len in 0..good.len() {
            assert!(anchors.validate(&good[..len], NOW, None).is_err());
        }
    }
}
