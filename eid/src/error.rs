//! Every way the e-ID layer can refuse something, with a stable code per variant.
//!
//! Codes are part of the interface: programs log them, the collector returns them to the voter
//! app, and docs/eid.md lists them. Messages are written for the person who has to act: the
//! voter (renew the certificate, use the right card) or the official (fix the trust anchor or
//! CRL file).

/// Why a certificate, CRL, key or signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EidError {
    /// Bytes that should be PEM or DER (certificate, CRL, key) do not parse.
    #[error("{what} is malformed: {detail}")]
    Malformed {
        /// What was being read, e.g. "certificate 2 in the trust anchor file".
        what: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A trust anchor is not usable as a certificate authority.
    #[error("{what} cannot be a trust anchor: {detail}; configure the certificate of the CA that issues the voters' certificates")]
    BadAnchor {
        /// Which anchor ("certificate 1 in the trust anchor file (CN=...)").
        what: String,
        /// What is missing.
        detail: String,
    },
    /// A key or signature algorithm outside the supported set (docs/eid.md, "Supported
    /// algorithms").
    #[error("{what} uses {algorithm}, which is not supported (supported: Ed25519; ECDSA P-256, P-384 and P-521 with SHA-256, SHA-384 or SHA-512; RSA of 2048 to 8192 bits with PKCS#1 v1.5 or PSS)")]
    UnsupportedAlgorithm {
        /// What carries the algorithm.
        what: String,
        /// The algorithm (name or OID).
        algorithm: String,
    },
    /// The certificate's issuer is not a configured trust anchor.
    #[error("the certificate was issued by \"{issuer}\", which is not one of the certificate authorities the officials configured as trust anchors")]
    UnknownIssuer {
        /// The issuer name from the certificate.
        issuer: String,
    },
    /// The certificate names a configured CA as issuer but that CA's key did not sign it.
    #[error("the certificate claims to be issued by \"{issuer}\" but its signature does not verify with that CA's key: it is forged or damaged")]
    BadChainSignature {
        /// The issuer name from the certificate.
        issuer: String,
    },
    /// The certificate's validity period ended before the checking time.
    #[error("the certificate expired on {not_after} (checked at {at}); the voter needs a renewed certificate")]
    Expired {
        /// End of validity, formatted as UTC.
        not_after: String,
        /// The checking time, formatted as UTC.
        at: String,
    },
    /// The certificate's validity period starts after the checking time.
    #[error("the certificate is valid only from {not_before} (checked at {at}); check the computer's clock or wait until then")]
    NotYetValid {
        /// Start of validity, formatted as UTC.
        not_before: String,
        /// The checking time, formatted as UTC.
        at: String,
    },
    /// The issuing CA's own certificate is outside its validity period.
    #[error("the certificate authority \"{anchor}\" is valid from {not_before} to {not_after}, not at {at}; the officials must configure its current certificate")]
    AnchorNotValid {
        /// The CA's subject name.
        anchor: String,
        /// Start of the CA's validity, formatted as UTC.
        not_before: String,
        /// End of the CA's validity, formatted as UTC.
        not_after: String,
        /// The checking time, formatted as UTC.
        at: String,
    },
    /// Key usage or basic constraints do not allow signing votes with this certificate.
    #[error("the certificate may not be used to sign votes: {detail}; use the signing or authentication certificate of an ID card")]
    KeyUsage {
        /// What is wrong.
        detail: String,
    },
    /// A signing certificate (keyUsage nonRepudiation without digitalSignature: the card's
    /// PIN2 certificate, for qualified electronic signatures): ballots are signed with the
    /// authentication certificate.
    #[error("this is a signing certificate (keyUsage nonRepudiation only, the ID card's PIN2 certificate); ballots are signed with the authentication certificate (PIN1)")]
    SigningCertificate,
    /// The extendedKeyUsage does not allow signing votes: an authentication certificate
    /// without it, or one that lists purposes but not clientAuth.
    #[error("the certificate may not be used to sign votes: {detail}; use the authentication or signing certificate of an ID card")]
    ExtendedKeyUsage {
        /// What is wrong.
        detail: String,
    },
    /// No usable voter id (subject serialNumber in `PNOxx-...` form).
    #[error("the certificate does not identify a voter: {detail}")]
    NoVoterId {
        /// What is wrong.
        detail: String,
    },
    /// The certificate is on the issuing CA's revocation list.
    #[error("the certificate with serial number {serial} was revoked by \"{issuer}\"; the voter needs a new certificate")]
    Revoked {
        /// Serial number in hex.
        serial: String,
        /// The issuing CA.
        issuer: String,
    },
    /// The loaded CRLs include none from the CA that issued this certificate.
    #[error("no revocation list (CRL) from \"{issuer}\" was loaded, so revocation cannot be checked; the officials must add that CA's CRL")]
    CrlMissing {
        /// The issuing CA.
        issuer: String,
    },
    /// The CRL does not cover the checking time.
    #[error("the revocation list from \"{issuer}\" covers {this_update} to {next_update}, not {at}; the officials must load a current CRL")]
    CrlStale {
        /// The CRL's issuer.
        issuer: String,
        /// thisUpdate, formatted as UTC.
        this_update: String,
        /// nextUpdate, formatted as UTC.
        next_update: String,
        /// The checking time, formatted as UTC.
        at: String,
    },
    /// A CRL's issuer is not a configured trust anchor.
    #[error("{what} was issued by \"{issuer}\", which is not a configured trust anchor")]
    CrlUnknownIssuer {
        /// Which CRL ("CRL 1 in the CRL file").
        what: String,
        /// The CRL's issuer name.
        issuer: String,
    },
    /// A CRL's signature does not verify with its issuer's key, or the issuer may not sign CRLs.
    #[error("{what} claims to be issued by \"{issuer}\" but {detail}")]
    BadCrlSignature {
        /// Which CRL.
        what: String,
        /// The CRL's issuer name.
        issuer: String,
        /// What failed.
        detail: String,
    },
    /// The OCSP responder answered with an error status (tryLater, internalError, …).
    #[error("the OCSP responder answered \"{status}\" instead of a status; try again later")]
    OcspError {
        /// The responseStatus.
        status: String,
    },
    /// The OCSP response is signed by someone who may not answer for this certificate's CA.
    #[error("the OCSP response is not from a responder of the certificate's CA: {detail}")]
    OcspUnauthorizedResponder {
        /// Why.
        detail: String,
    },
    /// The OCSP response's signature does not verify with its responder's key.
    #[error("the OCSP response's signature does not verify: it is forged or damaged")]
    OcspBadSignature,
    /// The OCSP response is about another certificate.
    #[error("the OCSP response is about another certificate (its CertID does not match)")]
    OcspWrongCertificate,
    /// The OCSP response does not echo the request's nonce.
    #[error("the OCSP response does not carry the nonce of the request: it may be replayed")]
    OcspNonce,
    /// The OCSP response is too old or too new for the checking time.
    #[error("the OCSP response produced at {produced_at} does not vouch for {at}")]
    OcspStale {
        /// producedAt, formatted as UTC.
        produced_at: String,
        /// The checking time, formatted as UTC.
        at: String,
    },
    /// The responder does not know the certificate.
    #[error("the OCSP responder of \"{issuer}\" does not know this certificate (status unknown)")]
    OcspUnknown {
        /// The issuing CA.
        issuer: String,
    },
    /// No OCSP answer could be obtained (the responder timed out, refused the connection,
    /// answered tryLater or something that is not an OCSP response): nothing is accepted
    /// whose status is not known (fail closed). Retryable.
    #[error("the certificate's status could not be checked with its CA ({detail}); nothing was recorded: try again in a few minutes")]
    OcspUnavailable {
        /// What went wrong, for the operator's log.
        detail: String,
    },
    /// The election requires an OCSP answer for this certificate's CA and none was stored
    /// with the submission.
    #[error("the election checks certificates of \"{issuer}\" with OCSP, but no OCSP answer was stored with this submission")]
    OcspMissing {
        /// The issuing CA.
        issuer: String,
    },
    /// A signature of the wrong length or encoding (e.g. DER instead of r‖s).
    #[error("the signature is not in the expected encoding: {detail}")]
    SignatureEncoding {
        /// What was expected and what was found.
        detail: String,
    },
    /// A well-formed signature that does not verify.
    #[error("the signature does not verify: it was made with another key, over other data, or was altered")]
    BadSignature,
    /// An encrypted private key could not be decrypted with the given passphrase.
    #[error(
        "the passphrase does not open this private key file; check the passphrase and try again"
    )]
    WrongPassphrase,
    /// The voter's own key could not sign (the operating system's random generator or the
    /// crypto library failed).
    #[error("the private key could not sign: {detail}")]
    SigningFailed {
        /// What failed.
        detail: String,
    },
    /// The demo PKI could not mint something (bad parameters).
    #[error("the demo PKI could not {detail}")]
    DemoPki {
        /// What failed.
        detail: String,
    },
}

impl EidError {
    /// The stable machine-readable code of this error, e.g. `"eid.expired"`.
    pub fn code(&self) -> &'static str {
        match self {
            EidError::Malformed { .. } => "eid.malformed",
            EidError::BadAnchor { .. } => "eid.bad_anchor",
            EidError::UnsupportedAlgorithm { .. } => "eid.unsupported_algorithm",
            EidError::UnknownIssuer { .. } => "eid.unknown_issuer",
            EidError::BadChainSignature { .. } => "eid.bad_chain_signature",
            EidError::Expired { .. } => "eid.expired",
            EidError::NotYetValid { .. } => "eid.not_yet_valid",
            EidError::AnchorNotValid { .. } => "eid.anchor_not_valid",
            EidError::KeyUsage { .. } => "eid.key_usage",
            EidError::SigningCertificate => "eid.signing_certificate",
            EidError::ExtendedKeyUsage { .. } => "eid.extended_key_usage",
            EidError::NoVoterId { .. } => "eid.no_voter_id",
            EidError::Revoked { .. } => "eid.revoked",
            EidError::CrlMissing { .. } => "eid.crl_missing",
            EidError::CrlStale { .. } => "eid.crl_stale",
            EidError::CrlUnknownIssuer { .. } => "eid.crl_unknown_issuer",
            EidError::BadCrlSignature { .. } => "eid.bad_crl_signature",
            EidError::OcspError { .. } => "eid.ocsp_error",
            EidError::OcspUnauthorizedResponder { .. } => "eid.ocsp_unauthorized_responder",
            EidError::OcspBadSignature => "eid.ocsp_bad_signature",
            EidError::OcspWrongCertificate => "eid.ocsp_wrong_certificate",
            EidError::OcspNonce => "eid.ocsp_nonce",
            EidError::OcspStale { .. } => "eid.ocsp_stale",
            EidError::OcspUnknown { .. } => "eid.ocsp_unknown",
            EidError::OcspUnavailable { .. } => "eid.ocsp_unavailable",
            EidError::OcspMissing { .. } => "eid.ocsp_missing",
            EidError::SignatureEncoding { .. } => "eid.signature_encoding",
            EidError::BadSignature => "eid.bad_signature",
            EidError::WrongPassphrase => "eid.wrong_passphrase",
            EidError::SigningFailed { .. } => "eid.signing_failed",
            EidError::DemoPki { .. } => "eid.demo_pki",
        }
    }

    pub(crate) fn malformed(what: impl Into<String>, detail: impl std::fmt::Display) -> Self {
        EidError::Malformed {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}

/// A Unix time as `YYYY-MM-DD HH:MM:SS UTC`, so an official can read messages; a time
/// outside jiff's range (years -9999 to 9999; only a hostile or broken input has one) as raw
/// Unix seconds.
pub(crate) fn format_utc(unix_seconds: i64) -> String {
    match jiff::Timestamp::from_second(unix_seconds) {
        Ok(t) => {
            let t = jiff::tz::Offset::UTC.to_datetime(t);
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        }
        Err(_) => format!("{unix_seconds} (Unix seconds)"),
    }
}

#[cfg(test)]
mod tests {
    use super::format_utc;

    #[test]
    fn formats_utc() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(format_utc(-1), "1969-12-31 23:59:59 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(format_utc(4_102_444_800), "2100-01-01 00:00:00 UTC");
        assert_eq!(format_utc(i64::MAX), format!("{} (Unix seconds)", i64::MAX));
        assert_eq!(format_utc(i64::MIN), format!("{} (Unix seconds)", i64::MIN));
    }
}
