//! Certificate revocation lists loaded by the officials.
//!
//! A [`Crl`] is checked when it is loaded (issuer is a configured anchor allowed to sign
//! CRLs, signature verifies, structure is understood) and reduced to a set of revoked serial
//! numbers per issuing anchor, so a revocation check costs one hash-set lookup. The time
//! window (thisUpdate..nextUpdate) is checked at each use, against the checking time.

use crate::anchors::TrustAnchors;
use crate::error::format_utc;
use crate::public_key::X509SignatureFailure;
use crate::EidError;
use std::collections::{HashMap, HashSet};
use x509_parser::oid_registry::OID_X509_EXT_ISSUER_DISTRIBUTION_POINT;
use x509_parser::pem::Pem;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

/// Revocation lists, at most one per configured CA (the newest by thisUpdate when a file has
/// several from the same CA).
#[derive(Debug, Clone)]
pub struct Crl {
    /// Issuing anchor fingerprint → its list.
    lists: HashMap<[u8; 32], RevocationList>,
}

#[derive(Debug, Clone)]
struct RevocationList {
    issuer: String,
    this_update: i64,
    next_update: i64,
    revoked: HashSet<Vec<u8>>,
}

impl Crl {
    /// Loads one or more `X509 CRL` PEM blocks (one per CA), verifying each against `anchors`.
    pub fn from_pem(pem: &[u8], anchors: &TrustAnchors) -> Result<Self, EidError> {
        let mut ders = Vec::new();
        for (i, block) in Pem::iter_from_buffer(pem).enumerate() {
            let what = format!("CRL {} in the CRL file", i + 1);
            let block = block.map_err(|e| EidError::malformed(&what, format!("bad PEM: {e}")))?;
            if block.label != "X509 CRL" {
                return Err(EidError::malformed(
                    what,
                    format!("a \"{}\" block, expected \"X509 CRL\"", block.label),
                ));
            }
            ders.push(block.contents);
        }
        Self::from_der_list(&ders, anchors)
    }

    /// Loads a single DER CRL, verifying it against `anchors`.
    pub fn from_der(der: &[u8], anchors: &TrustAnchors) -> Result<Self, EidError> {
        Self::from_der_list(&[der], anchors)
    }

    /// Loads several DER CRLs, verifying each against `anchors`.
    pub fn from_der_list<B: AsRef<[u8]>>(
        ders: &[B],
        anchors: &TrustAnchors,
    ) -> Result<Self, EidError> {
        if ders.is_empty() {
            return Err(EidError::malformed(
                "the CRL file",
                "it contains no CRL (expected PEM blocks \"-----BEGIN X509 CRL-----\")",
            ));
        }
        let mut lists: HashMap<[u8; 32], RevocationList> = HashMap::new();
        for (i, der) in ders.iter().enumerate() {
            let what = format!("CRL {} in the CRL file", i + 1);
            let (fingerprint, list) = load_one(der.as_ref(), anchors, &what)?;
            match lists.get(&fingerprint) {
                Some(existing) if existing.this_update >= list.this_update => {}
                _ => {
                    lists.insert(fingerprint, list);
                }
            }
        }
        Ok(Crl { lists })
    }

    /// Number of revoked serial numbers over all CAs.
    pub fn revoked_count(&self) -> usize {
        self.lists.values().map(|l| l.revoked.len()).sum()
    }

    /// Revocation check for a certificate issued by the anchor `fingerprint`.
    pub(crate) fn check(
        &self,
        fingerprint: &[u8; 32],
        issuer: &str,
        serial: &[u8],
        at_time: i64,
    ) -> Result<(), EidError> {
        let list = self
            .lists
            .get(fingerprint)
            .ok_or_else(|| EidError::CrlMissing {
                issuer: issuer.to_owned(),
            })?;
        if at_time < list.this_update || at_time > list.next_update {
            return Err(EidError::CrlStale {
                issuer: list.issuer.clone(),
                this_update: format_utc(list.this_update),
                next_update: format_utc(list.next_update),
                at: format_utc(at_time),
            });
        }
        if list.revoked.contains(serial) {
            return Err(EidError::Revoked {
                serial: serial.iter().map(|b| format!("{b:02x}")).collect(),
                issuer: list.issuer.clone(),
            });
        }
        Ok(())
    }
}

/// Parses and verifies one CRL; returns its issuing anchor's fingerprint and its contents.
fn load_one(
    der: &[u8],
    anchors: &TrustAnchors,
    what: &str,
) -> Result<([u8; 32], RevocationList), EidError> {
    let (rest, crl) = CertificateRevocationList::from_der(der)
        .map_err(|e| EidError::malformed(what, format!("not a DER X.509 CRL ({e})")))?;
    if !rest.is_empty() {
        return Err(EidError::malformed(
            what,
            format!("{} unexpected bytes after the CRL", rest.len()),
        ));
    }
    let tbs = &crl.tbs_cert_list;
    if crl.signature_algorithm != tbs.signature {
        return Err(EidError::malformed(
            what,
            "its inner and outer signature algorithms differ",
        ));
    }
    // A critical extension we do not understand (a delta CRL indicator, for one) could change
    // what the list means; refuse rather than guess. The issuing distribution point is the one
    // critical extension in common use; its scope is not interpreted (see docs/eid.md).
    if let Some(ext) = tbs
        .extensions()
        .iter()
        .find(|e| e.critical && e.oid != OID_X509_EXT_ISSUER_DISTRIBUTION_POINT)
    {
        return Err(EidError::malformed(
            what,
            format!(
                "it has a critical extension {} that is not supported (delta CRLs are not: load the full CRL)",
                ext.oid
            ),
        ));
    }
    let issuer = tbs.issuer.to_string();
    let next_update = tbs
        .next_update
        .ok_or_else(|| {
            EidError::malformed(
                what,
                "it has no nextUpdate, so its freshness cannot be judged",
            )
        })?
        .timestamp();
    let mut candidates = anchors.candidates(tbs.issuer.as_raw()).peekable();
    if candidates.peek().is_none() {
        return Err(EidError::CrlUnknownIssuer {
            what: what.to_owned(),
            issuer,
        });
    }
    let signature: &[u8] = &crl.signature_value.data;
    let mut failure = "its signature does not verify with that CA's key".to_owned();
    for anchor in candidates {
        match anchor
            .key
            .verify_x509(&crl.signature_algorithm, tbs.as_ref(), signature)
        {
            Ok(()) if !anchor.crl_sign => {
                failure = "that CA's keyUsage does not include cRLSign".into();
            }
            Ok(()) => {
                let revoked = crl
                    .iter_revoked_certificates()
                    .map(|r| r.raw_serial().to_vec())
                    .collect();
                let list = RevocationList {
                    issuer,
                    this_update: tbs.this_update.timestamp(),
                    next_update,
                    revoked,
                };
                return Ok((anchor.fingerprint, list));
            }
            Err(X509SignatureFailure::Invalid) => {}
            Err(X509SignatureFailure::Unsupported(alg)) => {
                failure = format!("its signature algorithm is not supported: {alg}");
            }
        }
    }
    Err(EidError::BadCrlSignature {
        what: what.to_owned(),
        issuer,
        detail: failure,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::KeyAlgorithm;
    use proptest::prelude::*;

    #[test]
    fn revoked_certificate_is_refused_and_others_pass() {
        for alg in ALGORITHMS {
            let ca = ca("Demo CA", alg);
            let anchors = anchors(&[&ca]);
            let good = voter(&ca, "38001085718", alg);
            let bad = voter(&ca, "49403136526", alg);
            let crl = ca.crl(&[bad.serial, 12345], NOW - DAY, NOW + DAY).unwrap();
            let crl = Crl::from_pem(crl.pem.as_bytes(), &anchors).unwrap();
            assert_eq!(crl.revoked_count(), 2);
            assert!(anchors.validate(good.cert_der(), NOW, Some(&crl)).is_ok());
            let err = anchors
                .validate(bad.cert_der(), NOW, Some(&crl))
                .unwrap_err();
            assert_eq!(err.code(), "eid.revoked");
            assert!(err.to_string().contains("NOT FOR REAL ELECTIONS"), "{err}");
            // Without a CRL, revocation is not checked.
            assert!(anchors.validate(bad.cert_der(), NOW, None).is_ok());
        }
    }

    #[test]
    fn crl_from_another_ca_is_refused() {
        let ca1 = ca("Demo CA", KeyAlgorithm::EcdsaP384);
        let anchors = anchors(&[&ca1]);
        let other_name = ca("Other CA", KeyAlgorithm::EcdsaP384);
        let crl = other_name.crl(&[1], NOW - DAY, NOW + DAY).unwrap();
        let err = Crl::from_der(&crl.der, &anchors).unwrap_err();
        assert_eq!(err.code(), "eid.crl_unknown_issuer");
        assert!(err.to_string().contains("CRL 1"), "{err}");
        let same_name = ca("Demo CA", KeyAlgorithm::EcdsaP384);
        let crl = same_name.crl(&[1], NOW - DAY, NOW + DAY).unwrap();
        let err = Crl::from_der(&crl.der, &anchors).unwrap_err();
        assert_eq!(err.code(), "eid.bad_crl_signature");
    }

    #[test]
    fn stale_and_future_crls_are_refused_at_use() {
        let ca = ca("Demo CA", KeyAlgorithm::Ed25519);
        let anchors = anchors(&[&ca]);
        let v = voter(&ca, "38001085718", KeyAlgorithm::Ed25519);
        let crl = ca.crl(&[], NOW - 10 * DAY, NOW - DAY).unwrap();
        let crl = Crl::from_der(&crl.der, &anchors).unwrap();
        let err = anchors.validate(v.cert_der(), NOW, Some(&crl)).unwrap_err();
        assert_eq!(err.code(), "eid.crl_stale");
        assert!(anchors
            .validate(v.cert_der(), NOW - 2 * DAY, Some(&crl))
            .is_ok());
        let err = anchors
            .validate(v.cert_der(), NOW - 11 * DAY, Some(&crl))
            .unwrap_err();
        assert_eq!(err.code(), "eid.crl_stale");
    }

    #[test]
    fn each_ca_needs_its_crl_and_the_newest_wins() {
        let ca1 = ca("Demo CA", KeyAlgorithm::Ed25519);
        let ca2 = ca("Second CA", KeyAlgorithm::EcdsaP256);
        let anchors = anchors(&[&ca1, &ca2]);
        let v1 = voter(&ca1, "38001085718", KeyAlgorithm::Ed25519);
        let v2 = voter(&ca2, "49403136526", KeyAlgorithm::EcdsaP256);
        let only1 =
            Crl::from_der(&ca1.crl(&[], NOW - DAY, NOW + DAY).unwrap().der, &anchors).unwrap();
        assert!(anchors.validate(v1.cert_der(), NOW, Some(&only1)).is_ok());
        let err = anchors
            .validate(v2.cert_der(), NOW, Some(&only1))
            .unwrap_err();
        assert_eq!(err.code(), "eid.crl_missing");
        // One file with both CAs' CRLs, and an older CRL of CA 1 that revoked v1.
        let pem = [
            ca1.crl(&[], NOW - DAY, NOW + DAY).unwrap().pem,
            ca1.crl(&[v1.serial], NOW - 2 * DAY, NOW + DAY).unwrap().pem,
            ca2.crl(&[v2.serial], NOW - DAY, NOW + DAY).unwrap().pem,
        ]
        .concat();
        let both = Crl::from_pem(pem.as_bytes(), &anchors).unwrap();
        assert!(anchors.validate(v1.cert_der(), NOW, Some(&both)).is_ok());
        let err = anchors
            .validate(v2.cert_der(), NOW, Some(&both))
            .unwrap_err();
        assert_eq!(err.code(), "eid.revoked");
    }

    #[test]
    fn malformed_crl_files() {
        let ca = ca("Demo CA", KeyAlgorithm::Ed25519);
        let anchors = anchors(&[&ca]);
        let err = Crl::from_pem(b"", &anchors).unwrap_err();
        assert_eq!(err.code(), "eid.malformed");
        let err = Crl::from_pem(ca.cert_pem().as_bytes(), &anchors).unwrap_err();
        assert!(err.to_string().contains("X509 CRL"), "{err}");
        let mut der = ca.crl(&[1], NOW - DAY, NOW + DAY).unwrap().der;
        der.push(0);
        assert_eq!(
            Crl::from_der(&der, &anchors).unwrap_err().code(),
            "eid.malformed"
        );
        // A flipped bit in the signed part or the signature never verifies.
        der.pop();
        let last = der.len() - 1;
        der[last] ^= 1;
        assert!(Crl::from_der(&der, &anchors).is_err());
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let ca = ca("Demo CA", KeyAlgorithm::Ed25519);
            let anchors = anchors(&[&ca]);
            let _ = Crl::from_der(&bytes, &anchors);
            let _ = Crl::from_pem(&bytes, &anchors);
        }
    }
}
