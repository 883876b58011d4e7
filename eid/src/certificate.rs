//! A validated voter certificate: what the collector and tally need from it, decoded once.

use crate::anchors::Anchor;
use crate::error::format_utc;
use crate::public_key::{KeyDecodeError, PublicKey};
use crate::voter_id::split_voter_id;
use crate::{Crl, EidError, KeyAlgorithm, VoterKey};
use sha2::{Digest, Sha256};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{ExtendedKeyUsage, GeneralName, ParsedExtension};
use x509_parser::oid_registry::{OID_PKIX_ACCESS_DESCRIPTOR_OCSP, OID_X509_SERIALNUMBER};
use x509_parser::prelude::FromDer;

/// The DER of every certificate in a PEM text, in order; `what(i)` names certificate `i`
/// (from 1) in errors. Text between blocks is ignored; a block of another kind is refused.
pub(crate) fn pem_certificates(
    pem: &[u8],
    what: impl Fn(usize) -> String,
) -> Result<Vec<Vec<u8>>, EidError> {
    x509_parser::pem::Pem::iter_from_buffer(pem)
        .enumerate()
        .map(|(i, block)| {
            let what = what(i + 1);
            let block = block.map_err(|e| EidError::malformed(&what, format!("bad PEM: {e}")))?;
            if block.label != "CERTIFICATE" {
                return Err(EidError::malformed(
                    what,
                    format!("a \"{}\" block, expected \"CERTIFICATE\"", block.label),
                ));
            }
            Ok(block.contents)
        })
        .collect()
}

/// Parses exactly one DER certificate (no trailing bytes), with matching inner and outer
/// signature algorithms (RFC 5280 §4.1.1.2).
pub(crate) fn parse_certificate<'a>(
    der: &'a [u8],
    what: &str,
) -> Result<X509Certificate<'a>, EidError> {
    let (rest, cert) = X509Certificate::from_der(der)
        .map_err(|e| EidError::malformed(what, format!("not a DER X.509 certificate ({e})")))?;
    if !rest.is_empty() {
        return Err(EidError::malformed(
            what,
            format!("{} unexpected bytes after the certificate", rest.len()),
        ));
    }
    if cert.signature_algorithm != cert.tbs_certificate.signature {
        return Err(EidError::malformed(
            what,
            "its inner and outer signature algorithms differ",
        ));
    }
    Ok(cert)
}

/// A voter certificate that passed [`crate::TrustAnchors::validate`]: the voter id, the
/// decoded public key, and what [`VoterCertificate::check_status`] needs to re-check time
/// and revocation without re-parsing or re-verifying the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoterCertificate {
    voter_id: String,
    common_name: Option<String>,
    serial: Vec<u8>,
    not_before: i64,
    not_after: i64,
    key: PublicKey,
    fingerprint: [u8; 32],
    ocsp_url: Option<String>,
    issuer: IssuerRef,
}

/// The anchor that issued a certificate, as far as status checks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct IssuerRef {
    fingerprint: [u8; 32],
    name: String,
    not_before: i64,
    not_after: i64,
}

/// Everything from a certificate except its issuer, which is known only once a signature
/// verifies.
pub(crate) struct CertificateParts {
    voter_id: String,
    common_name: Option<String>,
    serial: Vec<u8>,
    not_before: i64,
    not_after: i64,
    key: PublicKey,
    fingerprint: [u8; 32],
    ocsp_url: Option<String>,
}

impl CertificateParts {
    pub(crate) fn issued_by(self, anchor: &Anchor) -> VoterCertificate {
        VoterCertificate {
            voter_id: self.voter_id,
            common_name: self.common_name,
            serial: self.serial,
            not_before: self.not_before,
            not_after: self.not_after,
            key: self.key,
            fingerprint: self.fingerprint,
            ocsp_url: self.ocsp_url,
            issuer: IssuerRef {
                fingerprint: anchor.fingerprint,
                name: anchor.name.clone(),
                not_before: anchor.not_before,
                not_after: anchor.not_after,
            },
        }
    }
}

/// The first `http://` OCSP responder address in the certificate's authorityInfoAccess
/// extension (RFC 5280 §4.2.2.1, id-ad-ocsp), where its CA answers status requests.
fn ocsp_url_of(cert: &X509Certificate<'_>) -> Option<String> {
    cert.extensions()
        .iter()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::AuthorityInfoAccess(aia) => Some(aia),
            _ => None,
        })?
        .accessdescs
        .iter()
        .filter(|d| d.access_method == OID_PKIX_ACCESS_DESCRIPTOR_OCSP)
        .find_map(|d| match d.access_location {
            GeneralName::URI(uri) if uri.starts_with("http://") => Some(uri.to_owned()),
            _ => None,
        })
}

/// The purposes an extendedKeyUsage lists, for messages.
fn eku_names(e: &ExtendedKeyUsage<'_>) -> String {
    let known = [
        (e.any, "anyExtendedKeyUsage"),
        (e.server_auth, "serverAuth"),
        (e.client_auth, "clientAuth"),
        (e.code_signing, "codeSigning"),
        (e.email_protection, "emailProtection"),
        (e.time_stamping, "timeStamping"),
        (e.ocsp_signing, "OCSPSigning"),
    ];
    let mut names: Vec<String> = known
        .iter()
        .filter(|(set, _)| *set)
        .map(|(_, name)| (*name).to_owned())
        .collect();
    names.extend(e.other.iter().map(|oid| oid.to_id_string()));
    if names.is_empty() {
        "no purpose".into()
    } else {
        names.join(", ")
    }
}

impl VoterCertificate {
    /// Key usage, voter id and key checks (steps 3–5 of [`crate::TrustAnchors::validate`]).
    pub(crate) fn parts_from(
        cert: &X509Certificate<'_>,
        der: &[u8],
    ) -> Result<CertificateParts, EidError> {
        let what = "the voter's certificate";
        let usage = cert
            .key_usage()
            .map_err(|e| EidError::malformed(what, format!("bad keyUsage extension: {e}")))?;
        let usage = usage.ok_or_else(|| EidError::KeyUsage {
            detail: "it has no keyUsage extension".into(),
        })?;
        if !usage.value.digital_signature() {
            if usage.value.non_repudiation() {
                return Err(EidError::SigningCertificate);
            }
            return Err(EidError::KeyUsage {
                detail: format!(
                    "its keyUsage ({}) does not include digitalSignature",
                    usage.value
                ),
            });
        }
        let is_ca = cert
            .basic_constraints()
            .map_err(|e| EidError::malformed(what, format!("bad basicConstraints: {e}")))?
            .is_some_and(|bc| bc.value.ca);
        if is_ca {
            return Err(EidError::KeyUsage {
                detail: "it is a CA certificate, not a personal one".into(),
            });
        }
        // Authentication certificates of ID cards, Mobile-ID and Smart-ID list clientAuth
        // (critical on ID cards); a certificate the same CA issued for another purpose
        // (e-mail, TLS server, code signing) may not sign a ballot.
        let eku = cert.extended_key_usage().map_err(|e| {
            EidError::malformed(what, format!("bad extendedKeyUsage extension: {e}"))
        })?;
        match eku.map(|e| e.value) {
            Some(e) if e.client_auth => {}
            Some(e) => {
                return Err(EidError::ExtendedKeyUsage {
                    detail: format!(
                        "its extendedKeyUsage ({}) does not include clientAuth",
                        eku_names(e)
                    ),
                })
            }
            None => {
                return Err(EidError::ExtendedKeyUsage {
                    detail: "it has no extendedKeyUsage clientAuth, which authentication \
                             certificates carry"
                        .into(),
                })
            }
        }
        let voter_id = voter_id_of(cert)?;
        let key = PublicKey::from_spki(cert.public_key()).map_err(|e| match e {
            KeyDecodeError::Unsupported(algorithm) => EidError::UnsupportedAlgorithm {
                what: "the voter's certificate key".into(),
                algorithm,
            },
            KeyDecodeError::Invalid(detail) => EidError::malformed(what, detail),
        })?;
        let common_name = cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map(str::to_owned);
        Ok(CertificateParts {
            voter_id,
            common_name,
            serial: cert.raw_serial().to_vec(),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            key,
            fingerprint: Sha256::digest(der).into(),
            ocsp_url: ocsp_url_of(cert),
        })
    }

    /// The voter id: the subject serialNumber, e.g. `PNOEE-38001085718`.
    pub fn voter_id(&self) -> &str {
        &self.voter_id
    }

    /// The country of the voter id (`"EE"` for `PNOEE-…`).
    pub fn voter_id_country(&self) -> &str {
        split_voter_id(&self.voter_id).map_or("", |(country, _)| country)
    }

    /// The national identifier inside the voter id (`"38001085718"` for `PNOEE-38001085718`),
    /// as the voter roll lists it.
    pub fn national_id(&self) -> &str {
        split_voter_id(&self.voter_id).map_or("", |(_, code)| code)
    }

    /// The subject commonName (ESTEID: `SURNAME,GIVENNAME,CODE`), if present, for display.
    pub fn common_name(&self) -> Option<&str> {
        self.common_name.as_deref()
    }

    /// The certificate's serial number (DER INTEGER content bytes).
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// Start of the validity period (Unix seconds).
    pub fn not_before(&self) -> i64 {
        self.not_before
    }

    /// End of the validity period (Unix seconds).
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// The subject name of the CA that issued it.
    pub fn issuer_name(&self) -> &str {
        &self.issuer.name
    }

    /// The OCSP responder address the certificate names (authorityInfoAccess, id-ad-ocsp,
    /// `http://` only), e.g. `http://aia.sk.ee/esteid2018`; `None` if it names none.
    pub fn ocsp_url(&self) -> Option<&str> {
        self.ocsp_url.as_deref()
    }

    /// SHA-256 of the DER of the issuing anchor's certificate: how an election's OCSP
    /// settings name the CA.
    pub fn issuer_fingerprint(&self) -> [u8; 32] {
        self.issuer.fingerprint
    }

    /// SHA-256 of the certificate's DER: the key under which a caller caches validated
    /// certificates.
    pub fn fingerprint(&self) -> &[u8; 32] {
        &self.fingerprint
    }

    /// The key algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.key.algorithm()
    }

    /// The public key: 32 bytes for Ed25519, the uncompressed SEC1 point for ECDSA, the PKCS#1
    /// RSAPublicKey DER for RSA.
    pub fn public_key_bytes(&self) -> &[u8] {
        self.key.raw_bytes()
    }

    /// Whether `key` is the private key of this certificate (the voter app checks this before
    /// signing, so a voter who picked the wrong key file gets told at once).
    pub fn matches_key(&self, key: &VoterKey) -> bool {
        key.public_key_bytes() == self.key.raw_bytes()
    }

    /// The checks that depend on time and revocation, cheap enough for every submission:
    /// the certificate's validity period (`eid.not_yet_valid`, `eid.expired`), its issuing
    /// CA's validity period (`eid.anchor_not_valid`), and with a CRL: that a CRL from the
    /// issuing CA is loaded (`eid.crl_missing`), that it covers `at_time` (`eid.crl_stale`),
    /// and that the serial number is not on it (`eid.revoked`). Both ends of each period are
    /// inclusive.
    pub fn check_status(&self, at_time: i64, crl: Option<&Crl>) -> Result<(), EidError> {
        if at_time < self.not_before {
            return Err(EidError::NotYetValid {
                not_before: format_utc(self.not_before),
                at: format_utc(at_time),
            });
        }
        if at_time > self.not_after {
            return Err(EidError::Expired {
                not_after: format_utc(self.not_after),
                at: format_utc(at_time),
            });
        }
        if at_time < self.issuer.not_before || at_time > self.issuer.not_after {
            return Err(EidError::AnchorNotValid {
                anchor: self.issuer.name.clone(),
                not_before: format_utc(self.issuer.not_before),
                not_after: format_utc(self.issuer.not_after),
                at: format_utc(at_time),
            });
        }
        if let Some(crl) = crl {
            crl.check(
                &self.issuer.fingerprint,
                &self.issuer.name,
                &self.serial,
                at_time,
            )?;
        }
        Ok(())
    }

    /// Verifies the voter's signature over `message` with this certificate's key.
    ///
    /// - Ed25519: 64-byte signature, strict verification (canonical S, no small-order keys).
    /// - ECDSA P-256 / P-384 / P-521: fixed-size r‖s (IEEE P1363), 64 / 96 / 132 bytes, over
    ///   SHA-256 / SHA-384 / SHA-512 of `message`, as ID-cards produce. DER-encoded signatures and other lengths
    ///   are refused with `eid.signature_encoding`. High-S values are accepted (ID-cards do
    ///   not normalise S), so an ECDSA signature is malleable: never identify a submission
    ///   by its signature bytes (see docs/eid.md, "Malleability").
    /// - RSA: exactly as long as the modulus, RSASSA-PKCS1-v1_5 (Mobile-ID, Smart-ID API v2)
    ///   or RSASSA-PSS with MGF1 and a 32-byte salt (Smart-ID API v3), over SHA-256.
    pub fn verify_signature(&self, message: &[u8], signature: &[u8]) -> Result<(), EidError> {
        self.key.verify_voter_signature(message, signature)
    }
}

/// The voter id: exactly one subject serialNumber (OID 2.5.4.5) in ETSI EN 319 412-1
/// semantics-identifier form for a natural person: `PNO`, a two-letter country code, `-`,
/// then 1 to 64 ASCII letters, digits or `-` (`PNOEE-38001085718`, `PNOTH-1101700203451`).
/// The national part is not checked against a country's rules here: the voter roll does that.
fn voter_id_of(cert: &X509Certificate<'_>) -> Result<String, EidError> {
    let mut values = cert.subject().iter_by_oid(&OID_X509_SERIALNUMBER);
    let first = values.next().ok_or_else(|| EidError::NoVoterId {
        detail: "its subject has no serialNumber attribute".into(),
    })?;
    if values.next().is_some() {
        return Err(EidError::NoVoterId {
            detail: "its subject has more than one serialNumber attribute".into(),
        });
    }
    let value = first.as_str().map_err(|_| EidError::NoVoterId {
        detail: "its subject serialNumber is not a text string".into(),
    })?;
    if is_semantics_identifier(value) {
        Ok(value.to_owned())
    } else {
        Err(EidError::NoVoterId {
            detail: format!(
                "its subject serialNumber \"{}\" is not of the form PNOxx-<personal code> (e.g. PNOEE-38001085718)",
                value.escape_debug()
            ),
        })
    }
}

/// The certificate-level check of a voter id: the `PNOxx-` framing ([`split_voter_id`]),
/// the rest deliberately looser than the roll's
/// `ivote_protocol::roll::parse_voter_id`: any two-letter country and any 1 to 64 ASCII
/// letters, digits or `-`, with none of a country's rules (length, date, check digit). A certificate
/// is valid whatever country issued it; whether its holder may vote, and whether the code is
/// well-formed for that country, is the roll's decision, reported as such. The length and
/// character limits only keep hostile certificates' junk out of logs and messages.
fn is_semantics_identifier(value: &str) -> bool {
    split_voter_id(value).is_some_and(|(_, id)| {
        (1..=64).contains(&id.len()) && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
    })
}

#[cfg(test)]
mod tests {
    use super::is_semantics_identifier;

    #[test]
    fn semantics_identifier_form() {
        assert!(is_semantics_identifier("PNOEE-38001085718"));
        assert!(is_semantics_identifier("PNOTH-1101700203451"));
        assert!(!is_semantics_identifier("38001085718"));
        assert!(!is_semantics_identifier("PNOEE38001085718"));
        assert!(!is_semantics_identifier("PNOee-38001085718"));
        assert!(!is_semantics_identifier("PNOEE-"));
        assert!(!is_semantics_identifier("IDCEE-38001085718"));
        assert!(!is_semantics_identifier("PNOEE-3800 1085718"));
        assert!(!is_semantics_identifier(&format!(
            "PNOEE-{}",
            "1".repeat(65)
        )));
    }
}
