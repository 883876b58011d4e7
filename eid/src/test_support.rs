//! Shared fixtures for the unit tests: demo CAs and voters at fixed times.

use crate::insecure_demo_pki::{DemoCa, DemoVoter, VoterSpec};
use crate::{KeyAlgorithm, TrustAnchors};

/// 2023-11-14 22:13:20 UTC: "now" in the tests.
pub(crate) const NOW: i64 = 1_700_000_000;
pub(crate) const DAY: i64 = 86_400;
pub(crate) const YEAR: i64 = 365 * DAY;

/// One of each kind of key (RSA at its fastest size; the real shapes' sizes are in
/// `insecure_demo_pki::DemoShape`).
pub(crate) const ALGORITHMS: [KeyAlgorithm; 5] = [
    KeyAlgorithm::Ed25519,
    KeyAlgorithm::EcdsaP256,
    KeyAlgorithm::EcdsaP384,
    KeyAlgorithm::EcdsaP521,
    KeyAlgorithm::Rsa(2048),
];

/// A CA valid from a year before [`NOW`] to ten years after.
pub(crate) fn ca(name: &str, algorithm: KeyAlgorithm) -> DemoCa {
    DemoCa::new(name, algorithm, NOW - YEAR, NOW + 10 * YEAR).unwrap()
}

pub(crate) fn anchors(cas: &[&DemoCa]) -> TrustAnchors {
    let pem: String = cas.iter().map(|c| c.cert_pem()).collect();
    TrustAnchors::from_pem(pem.as_bytes()).unwrap()
}

/// A spec valid from a month before [`NOW`] to five years after.
pub(crate) fn spec(code: &str, algorithm: KeyAlgorithm) -> VoterSpec {
    VoterSpec::new(code, algorithm, NOW - 30 * DAY, NOW + 5 * YEAR)
}

pub(crate) fn voter(ca: &DemoCa, code: &str, algorithm: KeyAlgorithm) -> DemoVoter {
    ca.issue(&spec(code, algorithm)).unwrap()
}
