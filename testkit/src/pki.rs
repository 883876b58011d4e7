//! A demo PKI for tests: a demo CA, voters it certifies (each on the roll in a district or
//! not, valid, revoked or expired, so that every e-ID check has a voter it refuses), the
//! roll and the CRL. [`crate::demo`] mints its voters here, and so do the collector's
//! decision tests.

use ivote_eid::insecure_demo_pki::{DemoCa, DemoCrl, DemoVoter, VoterSpec};
use ivote_eid::KeyAlgorithm;
use ivote_protocol::roll::demo_estonian_code;

const YEAR: i64 = 365 * 86_400;

/// What one voter of a demo PKI is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoterCase {
    /// The voter's district on the roll; `None`: certified, but not on the roll.
    pub district: Option<String>,
    /// On the CRL.
    pub revoked: bool,
    /// The certificate's `notAfter` (Unix seconds), if it expires before the PKI's `until`.
    pub expires: Option<i64>,
}

impl VoterCase {
    /// A valid certificate, on the roll in `district`.
    pub fn on_roll(district: &str) -> Self {
        VoterCase {
            district: Some(district.to_owned()),
            revoked: false,
            expires: None,
        }
    }

    /// A valid certificate, not on the roll.
    pub fn off_roll() -> Self {
        VoterCase {
            district: None,
            revoked: false,
            expires: None,
        }
    }

    /// The same voter, with its certificate on the CRL.
    pub fn revoked(self) -> Self {
        VoterCase {
            revoked: true,
            ..self
        }
    }

    /// The same voter, with a certificate valid until `not_after` only.
    pub fn expiring(self, not_after: i64) -> Self {
        VoterCase {
            expires: Some(not_after),
            ..self
        }
    }
}

/// What a demo PKI is made of.
#[derive(Debug, Clone)]
pub struct PkiSpec {
    /// The CA's name (its certificate says `NOT FOR REAL ELECTIONS` after it).
    pub ca_name: String,
    /// The CA's key algorithm.
    pub ca_algorithm: KeyAlgorithm,
    /// The voters' key algorithm.
    pub voter_algorithm: KeyAlgorithm,
    /// The voters' certificates and the CRL are valid from `from` to `until` (Unix
    /// seconds), the CA's certificate a year longer.
    pub from: i64,
    /// See `from`.
    pub until: i64,
    /// The voters, in roll order; voter `i`'s id code is
    /// `ivote_protocol::roll::demo_estonian_code(i)` (as `tally insecure-demo-pki` numbers
    /// them) and its certificate's serial number that code's value.
    pub voters: Vec<VoterCase>,
}

/// A minted demo PKI.
#[derive(Debug)]
pub struct DemoPki {
    /// The CA (for tests that mint more certificates).
    pub ca: DemoCa,
    /// The voters, in the spec's order.
    pub voters: Vec<DemoVoter>,
    /// Each voter's district on the roll (same order; `None`: not on the roll).
    pub districts: Vec<Option<String>>,
    /// The roll file (CSV `id_code,district`) of the voters on it.
    pub roll_csv: Vec<u8>,
    /// The CRL revoking the revoked voters' certificates.
    pub crl: DemoCrl,
}

impl PkiSpec {
    /// Mints the CA, the voters and the CRL, and writes the roll.
    pub fn build(&self) -> DemoPki {
        let ca = DemoCa::new(
            &self.ca_name,
            self.ca_algorithm,
            self.from,
            self.until + YEAR,
        )
        .unwrap();
        let codes: Vec<String> = (0..self.voters.len() as u32)
            .map(|i| demo_estonian_code(i).unwrap())
            .collect();
        let mut voters = ca
            .issue_many(&codes, self.voter_algorithm, self.from, self.until)
            .unwrap();
        for (voter, case) in voters.iter_mut().zip(&self.voters) {
            if let Some(not_after) = case.expires {
                let spec = VoterSpec::new(&voter.code, self.voter_algorithm, self.from, not_after);
                *voter = ca.issue(&spec).unwrap();
            }
        }
        let revoked: Vec<u64> = voters
            .iter()
            .zip(&self.voters)
            .filter(|(_, case)| case.revoked)
            .map(|(v, _)| v.serial)
            .collect();
        let crl = ca.crl(&revoked, self.from, self.until).unwrap();
        let mut roll = String::from("id_code,district\n");
        for (voter, case) in voters.iter().zip(&self.voters) {
            if let Some(district) = &case.district {
                roll.push_str(&format!("{},{district}\n", voter.code));
            }
        }
        DemoPki {
            ca,
            voters,
            districts: self.voters.iter().map(|c| c.district.clone()).collect(),
            roll_csv: roll.into_bytes(),
            crl,
        }
    }
}

/// A voter with id code `code` certified by another CA than any election trusts (Ed25519,
/// valid from `from` to `until`).
pub fn other_ca_voter(code: &str, from: i64, until: i64) -> DemoVoter {
    let other = DemoCa::new("Other CA", KeyAlgorithm::Ed25519, from, until).unwrap();
    other
        .issue(&VoterSpec::new(code, KeyAlgorithm::Ed25519, from, until))
        .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roll_and_the_crl_are_as_the_cases_say() {
        let now = 1_803_279_600;
        let cases = vec![
            VoterCase::on_roll("north"),
            VoterCase::off_roll(),
            VoterCase::on_roll("south").revoked(),
            VoterCase::on_roll("south").expiring(now - 1),
        ];
        let pki = PkiSpec {
            ca_name: "Unit test CA".into(),
            ca_algorithm: KeyAlgorithm::Ed25519,
            voter_algorithm: KeyAlgorithm::Ed25519,
            from: now - 86_400,
            until: now + 86_400,
            voters: cases,
        }
        .build();
        let roll = String::from_utf8(pki.roll_csv).unwrap();
        let lines: Vec<&str> = roll.lines().collect();
        assert_eq!(
            lines,
            [
                "id_code,district".to_owned(),
                format!("{},north", pki.voters[0].code),
                format!("{},south", pki.voters[2].code),
                format!("{},south", pki.voters[3].code),
            ]
        );
        assert_eq!(pki.districts[1], None);
        let anchors = ivote_eid::TrustAnchors::from_pem(pki.ca.cert_pem().as_bytes()).unwrap();
        let crl = ivote_eid::Crl::from_der(&pki.crl.der, &anchors).unwrap();
        assert_eq!(crl.revoked_count(), 1);
    }
}
