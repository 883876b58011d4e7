//! OCSP responses (RFC 6960): whether a voter's certificate was good when the ballot was
//! cast, as its CA's responder signed it.
//!
//! [`VoterCertificate::check_ocsp`] judges one DER `OCSPResponse` for one validated
//! certificate: the structure is decoded with RustCrypto's `x509-ocsp` (no hand-written DER),
//! the responder is authorised (the issuing CA itself, a certificate the CA issued with
//! id-kp-OCSPSigning that the response carries, or a responder certificate the officials
//! configured for that CA), its signature verifies, the answer is about this certificate
//! (CertID: issuer name hash, issuer key hash, serial), it is fresh, and the status is good.
//! Pure, like the rest of the crate: fetching is the collector's (docs/eid.md, "OCSP").

use crate::anchors::{Anchor, TrustAnchors};
use crate::backend::sha1;
use crate::certificate::{parse_certificate, pem_certificates};
use crate::error::format_utc;
use crate::public_key::{KeyDecodeError, PublicKey, X509SignatureFailure};
use crate::{EidError, VoterCertificate};
use pkcs8::der::{Decode, Encode};
use sha2::Digest as _;
use x509_ocsp::{BasicOcspResponse, CertStatus, OcspResponse, OcspResponseStatus, ResponderId};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;
use x509_parser::x509::AlgorithmIdentifier;

/// id-pkix-ocsp-basic (RFC 6960 §4.2.1).
const OCSP_BASIC: &str = "1.3.6.1.5.5.7.48.1.1";
/// id-pkix-ocsp-nonce (RFC 6960 §4.4.1).
const OCSP_NONCE: &str = "1.3.6.1.5.5.7.48.1.2";
/// id-sha1 and id-sha256, the CertID hashes responders use.
const SHA1_OID: &str = "1.3.14.3.2.26";
const SHA256_OID: &str = "2.16.840.1.101.3.4.2.1";

/// What a caller requires of an OCSP response besides its signature and certificate.
#[derive(Debug, Clone, Copy)]
pub struct OcspPolicy<'a> {
    /// The time the status must hold at (the ballot's receive time), Unix seconds.
    pub at_time: i64,
    /// How long after its thisUpdate (and producedAt) a response without nextUpdate stays
    /// usable, and how far before `at_time` it may have been produced (seconds).
    pub max_age: i64,
    /// How far after `at_time` a response may have been produced (clock skew, seconds).
    pub max_skew: i64,
    /// The nonce the request carried, which the response must echo; `None` when
    /// re-checking a stored response whose freshness is judged by time alone.
    pub nonce: Option<&'a [u8]>,
}

/// A good answer: when the responder produced it and what time it vouches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OcspGood {
    /// producedAt, Unix seconds.
    pub produced_at: i64,
    /// thisUpdate, Unix seconds.
    pub this_update: i64,
    /// The last time the answer says good for: its nextUpdate, or a revocation it announces
    /// for later if that comes first; `None` if neither (Unix seconds).
    pub good_until: Option<i64>,
}

/// Responder certificates the officials configured ("trusted responders", RFC 6960
/// §4.2.2.2): trusted for the certificates of the CA that `for_issuer` names, whoever
/// issued them.
#[derive(Debug, Clone)]
pub struct TrustedResponder {
    name_der: Vec<u8>,
    key_sha1: Vec<u8>,
    key: PublicKey,
    not_before: i64,
    not_after: i64,
    issuer_fingerprint: [u8; 32],
}

impl TrustedResponder {
    /// A responder certificate (DER) trusted for the certificates of the configured anchor
    /// whose certificate fingerprint (SHA-256 of its DER) is `ca`. It must carry
    /// extendedKeyUsage id-kp-OCSPSigning.
    pub fn from_der(
        responder_der: &[u8],
        ca: &[u8; 32],
        anchors: &TrustAnchors,
    ) -> Result<Self, EidError> {
        let what = "the trusted OCSP responder certificate";
        let cert = parse_certificate(responder_der, what)?;
        if anchors.by_fingerprint(ca).is_none() {
            return Err(EidError::malformed(
                what,
                "the CA it is configured for is not a trust anchor",
            ));
        }
        responder_from(&cert, what).map(|(name_der, key_sha1, key, nb, na)| TrustedResponder {
            name_der,
            key_sha1,
            key,
            not_before: nb,
            not_after: na,
            issuer_fingerprint: *ca,
        })
    }
}

impl TrustedResponder {
    /// Every certificate of a PEM text, each trusted for the anchor with fingerprint `ca`
    /// ([`TrustedResponder::from_der`]); a block that is not a certificate is refused.
    pub fn from_pem(
        pem: &[u8],
        ca: &[u8; 32],
        anchors: &TrustAnchors,
    ) -> Result<Vec<Self>, EidError> {
        pem_certificates(pem, |i| format!("responder certificate {i}"))?
            .iter()
            .map(|der| TrustedResponder::from_der(der, ca, anchors))
            .collect()
    }
}

type ResponderParts = (Vec<u8>, Vec<u8>, PublicKey, i64, i64);

/// A responder certificate's name, key hash, key and validity, once its extendedKeyUsage
/// says id-kp-OCSPSigning.
fn responder_from(cert: &X509Certificate<'_>, what: &str) -> Result<ResponderParts, EidError> {
    let signs_ocsp = cert
        .extended_key_usage()
        .ok()
        .flatten()
        .is_some_and(|e| e.value.ocsp_signing);
    if !signs_ocsp {
        return Err(EidError::OcspUnauthorizedResponder {
            detail: format!("{what} lacks extendedKeyUsage id-kp-OCSPSigning"),
        });
    }
    let key = PublicKey::from_spki(cert.public_key()).map_err(|e| match e {
        KeyDecodeError::Unsupported(algorithm) => EidError::UnsupportedAlgorithm {
            what: what.into(),
            algorithm,
        },
        KeyDecodeError::Invalid(detail) => EidError::malformed(what, detail),
    })?;
    Ok((
        cert.subject().as_raw().to_vec(),
        sha1(&cert.public_key().subject_public_key.data),
        key,
        cert.validity().not_before.timestamp(),
        cert.validity().not_after.timestamp(),
    ))
}

fn sha256(data: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(data).into()
}

fn malformed(detail: impl std::fmt::Display) -> EidError {
    EidError::malformed("the OCSP response", detail)
}

fn unix(t: &x509_ocsp::OcspGeneralizedTime) -> i64 {
    i64::try_from(t.0.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

impl VoterCertificate {
    /// The DER `OCSPRequest` (RFC 6960 §4.1.1) that asks this certificate's CA (one of
    /// `anchors`) for its status: one CertID with SHA-1 of the CA's name and key (the hash
    /// RFC 5019 §2.1.1 requires and SK's responders index by), no signature, and `nonce` in
    /// an id-pkix-ocsp-nonce extension, as an OCTET STRING (RFC 8954 §2.1), which
    /// [`VoterCertificate::check_ocsp`] then requires the response to echo.
    pub fn ocsp_request(&self, anchors: &TrustAnchors, nonce: &[u8]) -> Result<Vec<u8>, EidError> {
        use pkcs8::der::asn1::{Any, OctetString};
        let what = "the OCSP request";
        let bad = |e: pkcs8::der::Error| EidError::malformed(what, e);
        let ca = anchors
            .by_fingerprint(&self.issuer_fingerprint())
            .ok_or_else(|| {
                EidError::malformed(what, "the CA is not among the trust anchors given")
            })?;
        // The serial as the certificate encodes it: the DER INTEGER of its content bytes.
        let serial_len = u8::try_from(self.serial().len())
            .ok()
            .filter(|n| *n < 0x80)
            .ok_or_else(|| EidError::malformed(what, "the serial number is too long"))?;
        let mut serial_der = vec![0x02, serial_len];
        serial_der.extend_from_slice(self.serial());
        let cert_id = x509_ocsp::CertId {
            hash_algorithm: spki::AlgorithmIdentifierOwned {
                oid: spki::ObjectIdentifier::new_unwrap(SHA1_OID),
                parameters: Some(Any::null()),
            },
            issuer_name_hash: OctetString::new(sha1(&ca.subject_der)).map_err(bad)?,
            issuer_key_hash: OctetString::new(sha1(&ca.key_bits)).map_err(bad)?,
            serial_number: x509_cert::serial_number::SerialNumber::from_der(&serial_der)
                .map_err(bad)?,
        };
        let nonce = x509_cert::ext::Extension {
            extn_id: spki::ObjectIdentifier::new_unwrap(OCSP_NONCE),
            critical: false,
            extn_value: OctetString::new(
                OctetString::new(nonce)
                    .map_err(bad)?
                    .to_der()
                    .map_err(bad)?,
            )
            .map_err(bad)?,
        };
        x509_ocsp::OcspRequest {
            tbs_request: x509_ocsp::TbsRequest {
                request_list: vec![x509_ocsp::Request {
                    req_cert: cert_id,
                    single_request_extensions: None,
                }],
                request_extensions: Some(vec![nonce]),
                ..Default::default()
            },
            optional_signature: None,
        }
        .to_der()
        .map_err(bad)
    }

    /// Judges a DER OCSP response about this certificate (issued by one of `anchors`):
    ///
    /// 1. it decodes, its responseStatus is successful and its type id-pkix-ocsp-basic
    ///    (`eid.malformed`, `eid.ocsp_error` for tryLater, internalError, …);
    /// 2. its responder is the issuing CA, a certificate in the response issued by that CA
    ///    (its signature verifies with the CA's key) with id-kp-OCSPSigning and valid at
    ///    producedAt, or one of `trusted` configured for that CA
    ///    (`eid.ocsp_unauthorized_responder`);
    /// 3. the responder's signature over the response data (`eid.ocsp_bad_signature`);
    /// 4. one SingleResponse whose CertID (SHA-1 or SHA-256 of the CA's name and key, and the
    ///    serial) is this certificate's (`eid.ocsp_wrong_certificate`);
    /// 5. the nonce, when `policy.nonce` is given (`eid.ocsp_nonce`), and the times:
    ///    thisUpdate ≤ at_time + max_skew, producedAt within [at_time − max_age, at_time +
    ///    max_skew], at_time ≤ nextUpdate if present (`eid.ocsp_stale`);
    /// 6. the status: good, revoked (`eid.revoked`, at or before at_time; a revocation
    ///    after at_time is good at at_time) or unknown (`eid.ocsp_unknown`).
    pub fn check_ocsp(
        &self,
        response_der: &[u8],
        anchors: &TrustAnchors,
        trusted: &[TrustedResponder],
        policy: &OcspPolicy<'_>,
    ) -> Result<OcspGood, EidError> {
        let ca = anchors
            .by_fingerprint(&self.issuer_fingerprint())
            .ok_or_else(|| malformed("its CA is not among the trust anchors given"))?;
        let response = OcspResponse::from_der(response_der).map_err(malformed)?;
        if response.response_status != OcspResponseStatus::Successful {
            return Err(EidError::OcspError {
                status: format!("{:?}", response.response_status),
            });
        }
        let bytes = response
            .response_bytes
            .ok_or_else(|| malformed("a successful response without responseBytes"))?;
        if bytes.response_type.to_string() != OCSP_BASIC {
            return Err(malformed(format!(
                "response type {} instead of id-pkix-ocsp-basic",
                bytes.response_type
            )));
        }
        let basic = BasicOcspResponse::from_der(bytes.response.as_bytes()).map_err(malformed)?;
        let data = &basic.tbs_response_data;
        let produced_at = unix(&data.produced_at);

        // 2. Who signed it, and may they?
        let key = self.responder_key(&basic, ca, trusted, produced_at)?;

        // 3. The signature over the DER of the response data (strict DER in, the same out).
        let signed = data.to_der().map_err(malformed)?;
        let algorithm_der = basic.signature_algorithm.to_der().map_err(malformed)?;
        let (_, algorithm) = AlgorithmIdentifier::from_der(&algorithm_der).map_err(malformed)?;
        let signature = basic
            .signature
            .as_bytes()
            .ok_or_else(|| malformed("a signature with unused bits"))?;
        match key.verify_x509(&algorithm, &signed, signature) {
            Ok(()) => {}
            Err(X509SignatureFailure::Invalid) => return Err(EidError::OcspBadSignature),
            Err(X509SignatureFailure::Unsupported(algorithm)) => {
                return Err(EidError::UnsupportedAlgorithm {
                    what: "the OCSP response's signature".into(),
                    algorithm,
                })
            }
        }

        // 4. About this certificate.
        let single = data
            .responses
            .iter()
            .find(|r| self.cert_id_matches(&r.cert_id, ca))
            .ok_or(EidError::OcspWrongCertificate)?;

        // 5. Nonce and times.
        if let Some(expected) = policy.nonce {
            let echoed = data.response_extensions.iter().flatten().find_map(|e| {
                (e.extn_id.to_string() == OCSP_NONCE).then(|| e.extn_value.as_bytes())
            });
            // RFC 8954 wraps the nonce in an OCTET STRING inside extnValue; SK's responders
            // (and RFC 2560-era ones) put the nonce bytes there directly. Either echoes it.
            let matches = echoed.is_some_and(|v| {
                v == expected
                    || pkcs8::der::asn1::OctetString::from_der(v)
                        .is_ok_and(|o| o.as_bytes() == expected)
            });
            if !matches {
                return Err(EidError::OcspNonce);
            }
        }
        let this_update = unix(&single.this_update);
        let next_update = single.next_update.as_ref().map(unix);
        let at = policy.at_time;
        let fresh = this_update <= at.saturating_add(policy.max_skew)
            && produced_at <= at.saturating_add(policy.max_skew)
            && produced_at >= at.saturating_sub(policy.max_age)
            && next_update.is_none_or(|n| at <= n);
        if !fresh {
            return Err(EidError::OcspStale {
                produced_at: format_utc(produced_at),
                at: format_utc(at),
            });
        }

        // 6. The status.
        match &single.cert_status {
            CertStatus::Good(_) => Ok(OcspGood {
                produced_at,
                this_update,
                good_until: next_update,
            }),
            CertStatus::Revoked(info) if unix(&info.revocation_time) > at => {
                let revoked = unix(&info.revocation_time).saturating_sub(1);
                Ok(OcspGood {
                    produced_at,
                    this_update,
                    good_until: Some(next_update.map_or(revoked, |n| n.min(revoked))),
                })
            }
            CertStatus::Revoked(_) => Err(EidError::Revoked {
                serial: self.serial().iter().map(|b| format!("{b:02x}")).collect(),
                issuer: self.issuer_name().to_owned(),
            }),
            CertStatus::Unknown(_) => Err(EidError::OcspUnknown {
                issuer: self.issuer_name().to_owned(),
            }),
        }
    }

    /// The key of the responder that signed `basic`, if it may answer for this
    /// certificate's CA.
    fn responder_key(
        &self,
        basic: &BasicOcspResponse,
        ca: &Anchor,
        trusted: &[TrustedResponder],
        produced_at: i64,
    ) -> Result<PublicKey, EidError> {
        let named = |name_der: &[u8], key_sha1: &[u8]| match &basic.tbs_response_data.responder_id {
            ResponderId::ByName(name) => name.to_der().is_ok_and(|d| d == name_der),
            ResponderId::ByKey(hash) => hash.as_bytes() == key_sha1,
        };
        // The CA itself.
        if named(&ca.subject_der, &ca.key_sha1) {
            return Ok(ca.key.clone());
        }
        // A responder the officials configured for this CA.
        if let Some(t) = trusted
            .iter()
            .find(|t| t.issuer_fingerprint == ca.fingerprint && named(&t.name_der, &t.key_sha1))
        {
            return if (t.not_before..=t.not_after).contains(&produced_at) {
                Ok(t.key.clone())
            } else {
                Err(EidError::OcspUnauthorizedResponder {
                    detail: "the configured responder certificate was not valid when the \
                             response was produced"
                        .into(),
                })
            };
        }
        // A delegate the CA issued, carried in the response.
        for cert in basic.certs.iter().flatten() {
            let der = cert.to_der().map_err(malformed)?;
            let what = "the OCSP responder's certificate";
            let parsed = parse_certificate(&der, what)?;
            let (name_der, key_sha1, key, not_before, not_after) =
                match responder_from(&parsed, what) {
                    Ok(parts) => parts,
                    Err(_) => continue,
                };
            if !named(&name_der, &key_sha1) || parsed.issuer().as_raw() != ca.subject_der {
                continue;
            }
            let issued_by_ca = ca
                .key
                .verify_x509(
                    &parsed.signature_algorithm,
                    parsed.tbs_certificate.as_ref(),
                    &parsed.signature_value.data,
                )
                .is_ok();
            if !issued_by_ca {
                return Err(EidError::OcspUnauthorizedResponder {
                    detail: format!(
                        "its certificate claims to be issued by \"{}\" but that CA's key did not sign it",
                        ca.name
                    ),
                });
            }
            if !(not_before..=not_after).contains(&produced_at) {
                return Err(EidError::OcspUnauthorizedResponder {
                    detail: "its certificate was not valid when the response was produced".into(),
                });
            }
            return Ok(key);
        }
        Err(EidError::OcspUnauthorizedResponder {
            detail: format!(
                "it is neither \"{}\" nor a responder that CA authorised (id-kp-OCSPSigning) or the officials configured",
                ca.name
            ),
        })
    }

    /// Whether a CertID names this certificate: its serial, and the SHA-1 or SHA-256 of its
    /// CA's subject name and public key (RFC 6960 §4.1.1).
    fn cert_id_matches(&self, id: &x509_ocsp::CertId, ca: &Anchor) -> bool {
        let hash: fn(&[u8]) -> Vec<u8> = match id.hash_algorithm.oid.to_string().as_str() {
            SHA1_OID => sha1,
            SHA256_OID => |d| sha256(d).to_vec(),
            _ => return false,
        };
        id.serial_number.as_bytes() == self.serial()
            && id.issuer_name_hash.as_bytes() == hash(&ca.subject_der)
            && id.issuer_key_hash.as_bytes() == hash(&ca.key_bits)
    }
}
