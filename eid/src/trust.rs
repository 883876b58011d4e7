//! An election's e-ID trust as its package publishes it: the trust anchors and, if the
//! officials published one, the CRL, verified against those anchors.
//!
//! Every program that checks voters' certificates (collector, tally, verifier, voter-app,
//! `tally package build`) loads the pair the same way, here, so that they cannot disagree
//! on which CRL is acceptable.

use crate::{Crl, EidError, TrustAnchors};

/// The trust anchors and the CRL of an election.
#[derive(Debug, Clone)]
pub struct EidTrust {
    /// The CA certificates voters' certificates must be issued by.
    pub anchors: TrustAnchors,
    /// The revocation list(s), each signed by one of `anchors`.
    pub crl: Option<Crl>,
}

/// Which of the two files did not load, and why.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The trust anchor file.
    #[error("the trust anchors: {0}")]
    Anchors(EidError),
    /// The CRL file (its signatures are checked against the anchors).
    #[error("the CRL: {0}")]
    Crl(EidError),
}

impl TrustError {
    /// The underlying e-ID error, whichever file it is about.
    pub fn eid(&self) -> &EidError {
        match self {
            TrustError::Anchors(e) | TrustError::Crl(e) => e,
        }
    }

    /// The underlying e-ID error, whichever file it is about.
    pub fn into_eid(self) -> EidError {
        match self {
            TrustError::Anchors(e) | TrustError::Crl(e) => e,
        }
    }

    /// The underlying error's stable code (`eid.malformed`, `eid.bad_anchor`, ...).
    pub fn code(&self) -> &'static str {
        self.eid().code()
    }
}

impl EidTrust {
    /// Parses the anchors ([`TrustAnchors::from_pem`]) and, if given, the CRL
    /// ([`Crl::from_pem`], whose signatures must verify under the anchors).
    pub fn from_pem(anchors_pem: &[u8], crl_pem: Option<&[u8]>) -> Result<Self, TrustError> {
        let anchors = TrustAnchors::from_pem(anchors_pem).map_err(TrustError::Anchors)?;
        let crl = crl_pem
            .map(|pem| Crl::from_pem(pem, &anchors))
            .transpose()
            .map_err(TrustError::Crl)?;
        Ok(EidTrust { anchors, crl })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{ca, DAY, NOW};
    use crate::KeyAlgorithm;

    #[test]
    fn loads_anchors_and_a_crl_and_names_the_file_that_fails() {
        let ca1 = ca("Trust CA 1", KeyAlgorithm::EcdsaP384);
        let pem = ca1.cert_pem();
        let crl = ca1.crl(&[7], NOW - DAY, NOW + DAY).unwrap().pem;

        let trust = EidTrust::from_pem(pem.as_bytes(), Some(crl.as_bytes())).unwrap();
        assert_eq!(trust.anchors.len(), 1);
        assert!(trust.crl.is_some());
        assert!(EidTrust::from_pem(pem.as_bytes(), None)
            .unwrap()
            .crl
            .is_none());

        let err = EidTrust::from_pem(b"no certificate here\n", None).unwrap_err();
        assert!(matches!(err, TrustError::Anchors(_)), "{err}");

        // A CRL signed by a CA that is not an anchor.
        let other = ca("Trust CA 2", KeyAlgorithm::EcdsaP384);
        let other = other.crl(&[7], NOW - DAY, NOW + DAY).unwrap().pem;
        let err = EidTrust::from_pem(pem.as_bytes(), Some(other.as_bytes())).unwrap_err();
        assert!(matches!(err, TrustError::Crl(_)), "{err}");
        assert_eq!(err.code(), err.eid().code());
        assert!(err.to_string().starts_with("the CRL: "), "{err}");
    }
}
