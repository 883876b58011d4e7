//! ivote's e-ID layer: voters' X.509 certificates, the trust anchors (CA certificates) the
//! officials configure, CRLs, and voter signatures.
//!
//! - [`TrustAnchors`]: the CA certificates, parsed once from PEM.
//! - [`TrustAnchors::validate`]: a voter's certificate → [`VoterCertificate`] (voter id
//!   `PNOEE-…`, decoded key), checking chain, validity, key usage, voter id and revocation.
//! - [`VoterCertificate::verify_signature`]: Ed25519, ECDSA P-256 / P-384 / P-521 (r‖s),
//!   RSA 2048–8192 bits (PKCS#1 v1.5 or PSS, SHA-256).
//! - [`VoterKey`]: the signing side (PKCS#8, optionally passphrase-encrypted).
//! - [`Crl`]: revocation lists, verified against the anchors when loaded.
//! - [`VoterCertificate::check_ocsp`]: an OCSP response (RFC 6960) about a certificate,
//!   with its responder's authority, signature, nonce and freshness.
//! - [`EidTrust`]: an election package's anchors and CRL, loaded together.
//! - [`voter_id`], [`split_voter_id`]: the `PNOxx-…` voter id framing (ETSI EN 319 412-1).
//! - `insecure_demo_pki` (feature `insecure-demo-pki`): mints demo CAs, voters and CRLs,
//!   NOT FOR REAL ELECTIONS.
//!
//! A leaf crate: national personal codes (the Estonian check digit, demo codes) and the roll
//! lookup that decides eligibility are the voter roll's and the acceptance check's
//! (`ivote_protocol::roll`, `ivote_protocol::acceptance`), which build on this crate.
//!
//! Pure: no clock (times are Unix seconds passed in), no files, no network. See docs/eid.md.

mod anchors;
mod backend;
mod certificate;
mod crl;
mod error;
#[cfg(feature = "insecure-demo-pki")]
pub mod insecure_demo_pki;
mod ocsp;
mod public_key;
#[cfg(test)]
mod real_eid_tests;
#[cfg(test)]
mod test_support;
mod trust;
mod voter_id;
mod voter_key;

pub use anchors::TrustAnchors;
pub use certificate::VoterCertificate;
pub use crl::Crl;
pub use error::EidError;
pub use ocsp::{OcspGood, OcspPolicy, TrustedResponder};
pub use public_key::{KeyAlgorithm, RSA_MAX_BITS, RSA_MIN_BITS};
pub use trust::{EidTrust, TrustError};
pub use voter_id::{split_voter_id, voter_id};
pub use voter_key::VoterKey;
