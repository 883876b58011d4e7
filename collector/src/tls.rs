//! TLS for `collector serve --tls-cert PEM --tls-key PEM`: rustls with the ring provider,
//! TLS 1.2 and 1.3, HTTP/1.1. Pure: the caller reads the files.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use thiserror::Error;

/// Why the certificate or key cannot be used.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The certificate file holds no PEM certificate.
    #[error("the TLS certificate file holds no PEM certificate ({0})")]
    BadCertificate(String),
    /// The key file holds no PEM private key.
    #[error("the TLS key file holds no PEM private key (PKCS#8, PKCS#1 or SEC1) ({0})")]
    BadKey(String),
    /// rustls refused the pair (the key is not the certificate's, or its kind unsupported).
    #[error("the TLS certificate and key do not go together: {0}")]
    Mismatch(String),
}

impl TlsError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            TlsError::BadCertificate(_) => "collector.bad_tls_cert",
            TlsError::BadKey(_) => "collector.bad_tls_key",
            TlsError::Mismatch(_) => "collector.tls_key_mismatch",
        }
    }
}

/// The server configuration for a certificate chain (leaf first) and its private key.
pub fn server_config(cert_pem: &[u8], key_pem: &[u8]) -> Result<rustls::ServerConfig, TlsError> {
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::BadCertificate(e.to_string()))?;
    if chain.is_empty() {
        return Err(TlsError::BadCertificate("none found".into()));
    }
    let key =
        PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| TlsError::BadKey(e.to_string()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Mismatch(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Mismatch(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_matching_pem_pair() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let (cert_pem, key_pem) = (cert.pem(), key.serialize_pem());
        assert!(server_config(cert_pem.as_bytes(), key_pem.as_bytes()).is_ok());
        let code = |c: &str, k: &str| {
            server_config(c.as_bytes(), k.as_bytes())
                .unwrap_err()
                .code()
        };
        assert_eq!(code("junk", &key_pem), "collector.bad_tls_cert");
        assert_eq!(code(&cert_pem, "junk"), "collector.bad_tls_key");
        let other = rcgen::KeyPair::generate().unwrap().serialize_pem();
        assert_eq!(code(&cert_pem, &other), "collector.tls_key_mismatch");
    }
}
