//! The collector's HTTP API as the app uses it (docs/collector.md): a blocking client
//! (ureq, rustls with ring for https; plain http for loopback and tests). Every answer is
//! checked for shape here, read into its type of `ivote_protocol::wire`; what it means
//! (signatures, proofs) is checked by the callers against the verified package, never
//! against what the collector says about itself.

use std::time::Duration;

use ivote_protocol::challenge::SignedChallenge;
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::merkle::NodeHash;
use ivote_protocol::receipt::SignedTreeHead;
use ivote_protocol::wire::{
    Challenge, ConsistencyProof, ErrorBody, InclusionProof, PackageContents, StoredBallot,
    TreeHead, VoterInfo, VoterInfoQuery,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::AppError;

/// The largest answer read (the package's files, hex).
const MAX_ANSWER_BYTES: u64 = 64 << 20;

/// How one request failed.
#[derive(Debug)]
pub enum Failure {
    /// No answer: connection refused or reset, timeout, DNS, TLS. A submission may or may
    /// not have arrived: the caller decides whether to re-send.
    Transport(String),
    /// The secure connection failed (the server's TLS certificate, the handshake): the
    /// server did not prove that it is the collector at this address. Nothing was sent; no
    /// retry or other network helps.
    Untrusted(String),
    /// The collector answered with an error `{ code, message }`.
    Api(AppError),
    /// Anything else (a bad URL, an answer that is not the API's).
    Other(AppError),
}

impl Failure {
    /// As the app's error, for `url`.
    pub fn into_error(self, url: &str) -> AppError {
        match self {
            Failure::Transport(detail) => AppError::unreachable(url, detail),
            Failure::Untrusted(detail) => AppError::untrusted(url, detail),
            Failure::Api(e) | Failure::Other(e) => e,
        }
    }
}

/// Whether a request failed in the TLS layer rather than on the way: ureq's own TLS errors,
/// or an I/O error carrying rustls's (a certificate that is not trusted, a handshake that
/// failed).
fn is_tls_failure(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::TlsRequired => true,
        ureq::Error::Io(io) => {
            let mut source: Option<&(dyn std::error::Error + 'static)> = io
                .get_ref()
                .map(|e| e as &(dyn std::error::Error + 'static));
            while let Some(e) = source {
                if e.is::<rustls::Error>() {
                    return true;
                }
                source = e.source();
            }
            false
        }
        _ => false,
    }
}

/// A connection to one collector.
#[derive(Debug)]
pub struct Collector {
    base: String,
    agent: ureq::Agent,
}

impl Collector {
    /// A client for the collector at `url` (`https://…`, or `http://…`).
    pub fn new(url: &str) -> Result<Collector, AppError> {
        let base = url.trim_end_matches('/').to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(AppError::refused(
                "app.bad_url",
                format!("`{url}` is not a collector address: it starts with https:// (or http://)"),
            ));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Ok(Collector { base, agent })
    }

    /// The collector's address.
    pub fn url(&self) -> &str {
        &self.base
    }

    fn answer(
        &self,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<(u16, Vec<u8>), Failure> {
        let mut resp = result.map_err(|e| match e {
            ureq::Error::BadUri(u) => Failure::Other(AppError::refused(
                "app.bad_url",
                format!("`{u}` is not a valid collector address"),
            )),
            other if is_tls_failure(&other) => Failure::Untrusted(other.to_string()),
            other => Failure::Transport(other.to_string()),
        })?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_vec()
            .map_err(|e| Failure::Transport(e.to_string()))?;
        if (200..300).contains(&status) {
            return Ok((status, body));
        }
        match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(e) => Err(Failure::Api(AppError::refused(e.code, e.message))),
            Err(_) => Err(Failure::Other(AppError::bad_response(format!(
                "HTTP status {status} without an error code"
            )))),
        }
    }

    fn json<T: DeserializeOwned>(&self, (_, body): (u16, Vec<u8>)) -> Result<T, Failure> {
        serde_json::from_slice(&body).map_err(|e| {
            Failure::Other(AppError::bad_response(format!(
                "not the answer the API documents: {e}"
            )))
        })
    }

    fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, AppError> {
        let url = format!("{}{path}", self.base);
        self.answer(self.agent.get(&url).call())
            .and_then(|a| self.json(a))
            .map_err(|f| f.into_error(&self.base))
    }

    fn post_json<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, AppError> {
        let url = format!("{}{path}", self.base);
        let body = serde_json::to_string(body)
            .map_err(|e| AppError::bad_response(format!("the request: {e}")))?;
        let req = self
            .agent
            .post(&url)
            .header("content-type", "application/json")
            .send(body);
        self.answer(req)
            .and_then(|a| self.json(a))
            .map_err(|f| f.into_error(&self.base))
    }

    /// `GET /package`: every package file's bytes, by name.
    pub fn package_files(&self) -> Result<ivote_protocol::package::PackageFiles, AppError> {
        Ok(self.get::<PackageContents>("/package")?.files)
    }

    /// `POST /challenge`: a fresh signed challenge (its signature and times are the
    /// caller's to check: `challenge_check`).
    pub fn challenge(&self) -> Result<SignedChallenge, AppError> {
        let url = format!("{}/challenge", self.base);
        let c: Challenge = self
            .answer(self.agent.post(&url).send_empty())
            .and_then(|a| self.json(a))
            .map_err(|f| f.into_error(&self.base))?;
        c.signed()
            .map_err(|e| AppError::bad_response(format!("the challenge: {e}")))
    }

    /// `POST /voter-info` with the voter's signed query.
    pub fn voter_info(
        &self,
        challenge: &SignedChallenge,
        certificate: &[u8],
        signature: &[u8],
    ) -> Result<VoterInfo, AppError> {
        self.post_json(
            "/voter-info",
            &VoterInfoQuery {
                certificate: certificate.to_vec(),
                challenge: challenge.to_bytes(),
                signature: signature.to_vec(),
            },
        )
    }

    /// `POST /submit` once: the receipt layout, or how it failed.
    pub fn submit(&self, submission: &[u8]) -> Result<Vec<u8>, Failure> {
        let url = format!("{}/submit", self.base);
        let req = self
            .agent
            .post(&url)
            .header("content-type", "application/octet-stream")
            .send(submission);
        self.answer(req).map(|(_, body)| body)
    }

    /// `GET /verify/{ballot_id}`.
    pub fn stored_ballot(&self, ballot_id: &BallotHash) -> Result<StoredBallot, AppError> {
        self.get(&format!("/verify/{}", ballot_id.to_hex()))
    }

    /// `GET /log/head`: the latest signed tree head (its signature is not checked here).
    pub fn head(&self) -> Result<SignedTreeHead, AppError> {
        let head: TreeHead = self.get("/log/head")?;
        SignedTreeHead::from_bytes(&head.layout)
            .map_err(|e| AppError::bad_response(format!("the tree head: {e}")))
    }

    /// `GET /log/inclusion/{leaf}?size=N`.
    pub fn inclusion(&self, leaf: u64, size: u64) -> Result<Vec<NodeHash>, AppError> {
        let p: InclusionProof = self.get(&format!("/log/inclusion/{leaf}?size={size}"))?;
        Ok(p.proof)
    }

    /// `GET /log/consistency?from=A&to=B`.
    pub fn consistency(&self, from: u64, to: u64) -> Result<Vec<NodeHash>, AppError> {
        let p: ConsistencyProof = self.get(&format!("/log/consistency?from={from}&to={to}"))?;
        Ok(p.proof)
    }
}
