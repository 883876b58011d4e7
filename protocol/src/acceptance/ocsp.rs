//! The certificate's status by OCSP when the ballot was cast, for the CAs the election checks
//! that way: the package's `ocsp.toml` ([`OcspSettings`]) and the judgement of a stored
//! answer ([`LoadedPackage::check_ocsp_answer`]), the one implementation the collector (on
//! the answer it has just fetched) and `tally import` and `verifier audit` (on the answer
//! stored in the ballot box) share. Layout and nonce: [`crate::ocsp`].

use std::collections::HashMap;

use ivote_eid::{EidError, OcspGood, OcspPolicy, TrustAnchors, TrustedResponder, VoterCertificate};
use serde::Deserialize;
use thiserror::Error;

use super::{LoadedPackage, Rejection};
use crate::hashes::{BallotHash, CertificateHash};
use crate::ocsp::{ocsp_nonce, OcspEvidence, MAX_AGE, MAX_SKEW, REUSE_FOR};

/// Which CAs' voters are checked by OCSP at cast time, where their status is asked and which
/// responder certificates the officials trust for them (the package's `ocsp.toml`; see
/// docs/eid.md, "OCSP at cast time"). A CA not listed is checked by the package's CRL, if any.
#[derive(Debug, Default)]
pub struct OcspSettings {
    issuers: HashMap<[u8; 32], OcspIssuer>,
}

/// The OCSP settings of one CA.
#[derive(Debug)]
pub struct OcspIssuer {
    /// Where to send requests; `None`: the address in the voter's certificate (AIA).
    pub url: Option<String>,
    /// Responder certificates trusted for this CA besides the CA and its delegates.
    pub responders: Vec<TrustedResponder>,
}

/// Why `ocsp.toml` does not load (`package.bad_ocsp_settings`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("ocsp.toml: {0}")]
pub struct OcspSettingsError(String);

impl OcspSettingsError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        "package.bad_ocsp_settings"
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    #[serde(default)]
    issuer: Vec<RawIssuer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIssuer {
    ca_sha256: String,
    url: Option<String>,
    responder_certificates: Option<String>,
}

impl OcspSettings {
    /// Reads `ocsp.toml` (TOML: one `[[issuer]]` table per CA, with `ca_sha256`, the SHA-256
    /// of the CA certificate's DER in hex, which must be one of `anchors`; optional `url`, an
    /// `http://` address; optional `responder_certificates`, PEM). Every mistake is refused
    /// with the line's meaning in the message: a CA listed twice or not configured, a URL
    /// that is not `http://`, a responder certificate without id-kp-OCSPSigning.
    pub fn from_toml(bytes: &[u8], anchors: &TrustAnchors) -> Result<Self, OcspSettingsError> {
        let err = |m: String| OcspSettingsError(m);
        let text = std::str::from_utf8(bytes).map_err(|_| err("it is not UTF-8".into()))?;
        let raw: RawSettings = toml::from_str(text).map_err(|e| err(e.message().to_owned()))?;
        let known = || {
            anchors
                .fingerprints()
                .map(|(f, name)| format!("{} ({name})", hex::encode(f)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut issuers = HashMap::new();
        for (i, r) in raw.issuer.into_iter().enumerate() {
            let n = i + 1;
            let ca: [u8; 32] = hex::decode(r.ca_sha256.trim())
                .ok()
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| err(format!("issuer {n}: ca_sha256 is not 64 hex digits")))?;
            if !anchors.fingerprints().any(|(f, _)| f == &ca) {
                return Err(err(format!(
                    "issuer {n}: no trust anchor has SHA-256 {}; the package's CAs are: {}",
                    hex::encode(ca),
                    known()
                )));
            }
            if let Some(url) = &r.url {
                if !url.starts_with("http://") || url.len() <= "http://".len() {
                    return Err(err(format!(
                        "issuer {n}: url {url:?} is not an http:// address (OCSP is asked over plain HTTP; its answers are signed)"
                    )));
                }
            }
            let responders = match &r.responder_certificates {
                None => Vec::new(),
                Some(pem) => TrustedResponder::from_pem(pem.as_bytes(), &ca, anchors)
                    .map_err(|e| err(format!("issuer {n}: responder_certificates: {e}")))?,
            };
            let issuer = OcspIssuer {
                url: r.url,
                responders,
            };
            if issuers.insert(ca, issuer).is_some() {
                return Err(err(format!("issuer {n}: this CA is listed twice")));
            }
        }
        Ok(OcspSettings { issuers })
    }

    /// The settings of `certificate`'s CA, if the election checks it by OCSP.
    pub fn issuer(&self, certificate: &VoterCertificate) -> Option<&OcspIssuer> {
        self.issuers.get(&certificate.issuer_fingerprint())
    }

    /// Where to ask about `certificate`: its CA's configured address, else the one in the
    /// certificate; `None` if the CA is not checked by OCSP or no address is known.
    pub fn url<'a>(&'a self, certificate: &'a VoterCertificate) -> Option<&'a str> {
        let issuer = self.issuer(certificate)?;
        issuer.url.as_deref().or(certificate.ocsp_url())
    }

    /// Whether no CA is checked by OCSP.
    pub fn is_empty(&self) -> bool {
        self.issuers.is_empty()
    }
}

impl LoadedPackage {
    /// The certificate's status at `at` (the receive time) by the OCSP answer stored with
    /// the submission, if its CA is checked by OCSP: the answer must be there
    /// (`eid.ocsp_missing`), and [`VoterCertificate::check_ocsp`] must find it good at `at`
    /// with this CA's trusted responders, produced at most [`MAX_SKEW`] after `at` and at
    /// most [`MAX_AGE`] before it if fetched for this submission (then it must echo its
    /// [`ocsp_nonce`]), at most [`REUSE_FOR`] before it if reused (`eid.revoked`,
    /// `eid.ocsp_unknown`, `eid.ocsp_*`). `Ok(None)` when the CA is not checked by OCSP
    /// (an answer stored anyway is ignored), else the good answer's times.
    pub fn check_ocsp_answer(
        &self,
        certificate: &VoterCertificate,
        evidence: Option<&OcspEvidence>,
        at: i64,
        ballot_hash: &BallotHash,
        certificate_hash: &CertificateHash,
    ) -> Result<Option<OcspGood>, Rejection> {
        let Some(issuer) = self.ocsp.issuer(certificate) else {
            return Ok(None);
        };
        let evidence = evidence.ok_or_else(|| EidError::OcspMissing {
            issuer: certificate.issuer_name().to_owned(),
        })?;
        let nonce = ocsp_nonce(ballot_hash, certificate_hash);
        let (max_age, nonce) = match evidence {
            OcspEvidence::Fetched(_) => (MAX_AGE, Some(&nonce[..])),
            OcspEvidence::Reused(_) => (REUSE_FOR, None),
        };
        let policy = OcspPolicy {
            at_time: at,
            max_age,
            max_skew: MAX_SKEW,
            nonce,
        };
        Ok(Some(certificate.check_ocsp(
            evidence.response(),
            &self.anchors,
            &issuer.responders,
            &policy,
        )?))
    }
}
