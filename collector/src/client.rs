//! A small HTTP(S) client for the collector's API, used by `collector close` and the load
//! generator (`collector-load`). `https://` URLs need the certificate authority that signed
//! the collector's certificate (`ca_pem`): there is no built-in list of public authorities.
//! JSON answers are read into the types of `ivote_protocol::wire`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{header, Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use ivote_protocol::wire::ErrorBody;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde::de::DeserializeOwned;
use thiserror::Error;

/// Why a request to the collector failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The URL is not `http://HOST:PORT` or `https://HOST:PORT`.
    #[error("`{0}` is not a collector address like http://127.0.0.1:8080 or https://host:443")]
    BadUrl(String),
    /// The TLS settings could not be made (a bad CA file).
    #[error("TLS: {0}")]
    Tls(String),
    /// The collector could not be reached, or the connection broke.
    #[error("cannot reach the collector at {url}: {detail}")]
    Transport {
        /// The request's URL.
        url: String,
        /// What happened.
        detail: String,
    },
    /// The collector answered with an error.
    #[error("the collector refused ({status}) [{code}]: {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The error's code.
        code: String,
        /// The error's message.
        message: String,
    },
    /// The answer is not what the API documents.
    #[error("the collector's answer is not understood: {0}")]
    BadAnswer(String),
}

/// What went wrong at the bottom of an error's chain, in words: "Connection refused (os
/// error 111)", not the HTTP library's wrappers ("client error (Connect)") or its debug
/// dump.
fn cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

/// A client of one collector (it keeps connections open and reuses them).
#[derive(Clone, Debug)]
pub struct ApiClient {
    base: String,
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl ApiClient {
    /// A client of the collector at `base` (`http://...` or `https://...`; for https, the
    /// PEM certificates of the authority that signed the collector's certificate).
    pub fn new(base: &str, ca_pem: Option<&[u8]>) -> Result<ApiClient, ClientError> {
        let base = base.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ClientError::BadUrl(base.to_owned()));
        }
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem.unwrap_or_default()) {
            let cert = cert.map_err(|e| ClientError::Tls(format!("the CA file: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| ClientError::Tls(format!("the CA file: {e}")))?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ClientError::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        Ok(ApiClient {
            base: base.to_owned(),
            http: Client::builder(TokioExecutor::new()).build(connector),
        })
    }

    /// Sends a request; a 2xx answer's body, or the collector's error.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<Bytes, ClientError> {
        let url = format!("{}{path}", self.base);
        let transport = |detail: String| ClientError::Transport {
            url: url.clone(),
            detail,
        };
        let request = Request::builder()
            .method(method)
            .uri(&url)
            .header(header::CONTENT_TYPE, content_type)
            .body(Full::new(Bytes::from(body)))
            .map_err(|_| ClientError::BadUrl(url.clone()))?;
        let response = self
            .http
            .request(request)
            .await
            .map_err(|e| transport(cause(&e)))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| transport(e.to_string()))?
            .to_bytes();
        if status.is_success() {
            return Ok(bytes);
        }
        let (code, message) = match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(e) => (e.code, e.message),
            Err(_) => (
                "unknown".to_owned(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ),
        };
        Err(ClientError::Refused {
            status: status.as_u16(),
            code,
            message,
        })
    }

    /// `GET path`, a JSON answer (a type of `ivote_protocol::wire`).
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let bytes = self
            .request(Method::GET, path, "application/json", Vec::new())
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::BadAnswer(e.to_string()))
    }

    /// `POST path` with a JSON body, a JSON answer (types of `ivote_protocol::wire`).
    pub async fn post_json<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl serde::Serialize,
    ) -> Result<T, ClientError> {
        let body = serde_json::to_vec(body).map_err(|e| ClientError::BadAnswer(e.to_string()))?;
        let bytes = self
            .request(Method::POST, path, "application/json", body)
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::BadAnswer(e.to_string()))
    }

    /// `POST path` with a binary body, the binary answer.
    pub async fn post_bytes(&self, path: &str, body: Vec<u8>) -> Result<Bytes, ClientError> {
        self.request(Method::POST, path, "application/octet-stream", body)
            .await
    }
}
