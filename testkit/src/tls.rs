//! A TLS test PKI for the collector's HTTPS listener: a throw-away CA and a server
//! certificate for `127.0.0.1` it signs. Tests only.

use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};

/// A test CA and a certificate for 127.0.0.1 signed by it: (CA PEM, cert PEM, key PEM).
pub fn test_pki() -> (String, String, String) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    (ca.pem(), cert.pem(), key.serialize_pem())
}
