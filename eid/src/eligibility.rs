//! Eligibility: is the holder of this certificate a voter of this election, and where?
//!
//! The one check that the collector (for every submission) and the tally (when it re-checks
//! every ballot) both run: the certificate validated at a time against the trust anchors and
//! the CRL ([`TrustAnchors::validate`]), then its voter id looked up in the voter roll
//! ([`VoterRoll::district_of_voter_id`]).

use ivote_protocol::VoterRoll;

use crate::{Crl, EidError, TrustAnchors, VoterCertificate};

/// A voter whose certificate is valid and who is on the roll.
#[derive(Debug, Clone)]
pub struct EligibleVoter {
    /// The validated certificate (cacheable: see [`eligible_district`]).
    pub certificate: VoterCertificate,
    /// The voter id, e.g. `PNOEE-38001085718`.
    pub voter_id: String,
    /// The voter's district id, from the roll.
    pub district: String,
}

/// Validates `cert_der` at `at_time` (Unix seconds) with the CRL, and finds its voter in
/// `roll`. Refuses with the certificate's error code (`eid.expired`, `eid.revoked`, ...) or
/// `eid.not_on_roll`.
pub fn check_eligibility(
    anchors: &TrustAnchors,
    crl: Option<&Crl>,
    roll: &VoterRoll,
    cert_der: &[u8],
    at_time: i64,
) -> Result<EligibleVoter, EidError> {
    let certificate = anchors.validate(cert_der, at_time, crl)?;
    let district = roll_district(&certificate, roll)?.to_owned();
    Ok(EligibleVoter {
        voter_id: certificate.voter_id().to_owned(),
        district,
        certificate,
    })
}

/// The same check for a certificate validated earlier (a cache hit): its status at
/// `at_time` with the CRL ([`VoterCertificate::check_status`]), then the roll. Returns the
/// voter's district.
pub fn eligible_district<'r>(
    certificate: &VoterCertificate,
    crl: Option<&Crl>,
    roll: &'r VoterRoll,
    at_time: i64,
) -> Result<&'r str, EidError> {
    certificate.check_status(at_time, crl)?;
    roll_district(certificate, roll)
}

fn roll_district<'r>(
    certificate: &VoterCertificate,
    roll: &'r VoterRoll,
) -> Result<&'r str, EidError> {
    roll.district_of_voter_id(certificate.voter_id())
        .ok_or_else(|| EidError::NotOnRoll {
            voter_id: certificate.voter_id().to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insecure_demo_pki::DemoKeyUsage;
    use crate::test_support::{anchors, ca, spec, voter, ALGORITHMS, DAY, NOW, YEAR};
    use crate::KeyAlgorithm;
    use ivote_protocol::{Country, ElectionManifest, WindowCheck};

    const MANIFEST: &str = include_str!("../../docs/examples/manifest.toml");
    const ON_ROLL: &str = "38001085718";
    const OFF_ROLL: &str = "49403136526";

    fn roll() -> VoterRoll {
        let m = ElectionManifest::from_toml(MANIFEST, WindowCheck::AllowPast).unwrap();
        let district = m.districts()[0].id.as_str().to_owned();
        let csv = format!("id_code,district\n{ON_ROLL},{district}\n");
        VoterRoll::parse(csv.as_bytes(), Country::EE, &m).unwrap()
    }

    fn code(r: Result<EligibleVoter, EidError>) -> &'static str {
        r.map(|_| "accepted").unwrap_or_else(|e| e.code())
    }

    #[test]
    fn valid_voter_on_the_roll_is_accepted_for_each_algorithm() {
        let roll = roll();
        for alg in ALGORITHMS {
            let ca = ca("Demo CA", alg);
            let a = anchors(&[&ca]);
            let crl = Crl::from_der(
                ca.crl(&[], NOW - DAY, NOW + DAY).unwrap().der.as_slice(),
                &a,
            )
            .unwrap();
            let v = voter(&ca, ON_ROLL, alg);
            let e = check_eligibility(&a, Some(&crl), &roll, v.cert_der(), NOW).unwrap();
            assert_eq!(e.voter_id, format!("PNOEE-{ON_ROLL}"));
            assert_eq!(e.district, roll.district_of(ON_ROLL).unwrap());
            assert_eq!(
                eligible_district(&e.certificate, Some(&crl), &roll, NOW).unwrap(),
                e.district
            );
        }
    }

    #[test]
    fn each_refusal_has_its_code() {
        let roll = roll();
        let alg = KeyAlgorithm::EcdsaP384;
        let ca = ca("Demo CA", alg);
        let a = anchors(&[&ca]);
        let check =
            |der: &[u8], crl: Option<&Crl>| code(check_eligibility(&a, crl, &roll, der, NOW));

        let mut s = spec(ON_ROLL, alg);
        s.not_after = NOW - DAY;
        s.not_before = NOW - YEAR;
        assert_eq!(check(ca.issue(&s).unwrap().cert_der(), None), "eid.expired");

        let mut s = spec(ON_ROLL, alg);
        s.not_before = NOW + DAY;
        assert_eq!(
            check(ca.issue(&s).unwrap().cert_der(), None),
            "eid.not_yet_valid"
        );

        let mut s = spec(ON_ROLL, alg);
        s.key_usage = DemoKeyUsage::KeyEnciphermentOnly;
        assert_eq!(
            check(ca.issue(&s).unwrap().cert_der(), None),
            "eid.key_usage"
        );

        let stranger = crate::test_support::ca("Other CA", alg);
        let v = voter(&stranger, ON_ROLL, alg);
        assert_eq!(check(v.cert_der(), None), "eid.unknown_issuer");

        let v = voter(&ca, ON_ROLL, alg);
        let crl =
            Crl::from_der(&ca.crl(&[v.serial], NOW - DAY, NOW + DAY).unwrap().der, &a).unwrap();
        assert_eq!(check(v.cert_der(), Some(&crl)), "eid.revoked");
        assert_eq!(check(v.cert_der(), None), "accepted");

        let v = voter(&ca, OFF_ROLL, alg);
        let r = check_eligibility(&a, None, &roll, v.cert_der(), NOW);
        assert_eq!(code(r.clone()), "eid.not_on_roll");
        let msg = r.unwrap_err().to_string();
        assert!(msg.contains(&format!("PNOEE-{OFF_ROLL}")), "{msg}");
    }
}
