//! The collector's HTTP API as the app uses it (docs/collector.md): a blocking client
//! (ureq, rustls with ring for https; plain http for loopback and tests). Every answer is
//! checked for shape here; what it means (signatures, proofs) is checked by the callers
//! against the verified package, never against what the collector says about itself.

use std::time::Duration;

use ivote_protocol::ballot::Hash32;
use ivote_protocol::merkle::NodeHash;
use ivote_protocol::receipt::SignedTreeHead;
use serde_json::Value;

use crate::error::AppError;

/// The largest answer read (the package's files, hex).
const MAX_ANSWER_BYTES: u64 = 64 << 20;

/// How one request failed.
#[derive(Debug)]
pub enum Failure {
    /// No answer: connection refused or reset, timeout, DNS, TLS. A submission may or may
    /// not have arrived: the caller decides whether to re-send.
    Transport(String),
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
            Failure::Api(e) | Failure::Other(e) => e,
        }
    }
}

/// A connection to one collector.
#[derive(Debug)]
pub struct Collector {
    base: String,
    agent: ureq::Agent,
}

/// A stored ballot as `/verify/{ballot_id}` answers it.
#[derive(Debug, Clone)]
pub struct StoredBallot {
    /// Its leaf in the log.
    pub leaf_index: u64,
    /// The voter's sequence number (1 = first vote).
    pub voter_seq: u32,
    /// When the collector received it (Unix seconds).
    pub received_at: i64,
    /// The submission layout as received.
    pub submission: Vec<u8>,
}

/// The voter's facts as `/voter-info` answers them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoterInfo {
    /// The voter id from the certificate.
    pub voter_id: String,
    /// The voter's district.
    pub district: String,
    /// How many ballots the voter has cast already.
    pub ballots_cast: u32,
    /// How long after casting the ballot can be verified (seconds).
    pub verify_window: i64,
    /// How many times it can be verified.
    pub verify_max: u32,
}

fn field<'a>(v: &'a Value, name: &str) -> Result<&'a Value, AppError> {
    v.get(name)
        .ok_or_else(|| AppError::bad_response(format!("no `{name}`")))
}

fn u64_field(v: &Value, name: &str) -> Result<u64, AppError> {
    field(v, name)?
        .as_u64()
        .ok_or_else(|| AppError::bad_response(format!("`{name}` is not a number")))
}

fn i64_field(v: &Value, name: &str) -> Result<i64, AppError> {
    field(v, name)?
        .as_i64()
        .ok_or_else(|| AppError::bad_response(format!("`{name}` is not a number")))
}

fn u32_field(v: &Value, name: &str) -> Result<u32, AppError> {
    u32::try_from(u64_field(v, name)?)
        .map_err(|_| AppError::bad_response(format!("`{name}` is too large")))
}

fn str_field<'a>(v: &'a Value, name: &str) -> Result<&'a str, AppError> {
    field(v, name)?
        .as_str()
        .ok_or_else(|| AppError::bad_response(format!("`{name}` is not text")))
}

fn hex_field(v: &Value, name: &str) -> Result<Vec<u8>, AppError> {
    hex::decode(str_field(v, name)?)
        .map_err(|_| AppError::bad_response(format!("`{name}` is not hex")))
}

fn hash_list(v: &Value, name: &str) -> Result<Vec<NodeHash>, AppError> {
    let bad = || AppError::bad_response(format!("`{name}` is not a list of 32-byte hashes"));
    field(v, name)?
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|h| {
            let mut out = [0u8; 32];
            hex::decode_to_slice(h.as_str().ok_or_else(bad)?, &mut out).map_err(|_| bad())?;
            Ok(out)
        })
        .collect()
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
        let error: Option<(String, String)> =
            serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
                Some((
                    v.get("code")?.as_str()?.to_owned(),
                    v.get("message")?.as_str()?.to_owned(),
                ))
            });
        match error {
            Some((code, message)) => Err(Failure::Api(AppError::refused(code, message))),
            None => Err(Failure::Other(AppError::bad_response(format!(
                "HTTP status {status} without an error code"
            )))),
        }
    }

    fn json(&self, (_, body): (u16, Vec<u8>)) -> Result<Value, Failure> {
        serde_json::from_slice(&body)
            .map_err(|e| Failure::Other(AppError::bad_response(format!("not JSON: {e}"))))
    }

    fn get(&self, path: &str) -> Result<Value, AppError> {
        let url = format!("{}{path}", self.base);
        self.answer(self.agent.get(&url).call())
            .and_then(|a| self.json(a))
            .map_err(|f| f.into_error(&self.base))
    }

    fn post_json(&self, path: &str, body: &Value) -> Result<Value, AppError> {
        let url = format!("{}{path}", self.base);
        let req = self
            .agent
            .post(&url)
            .header("content-type", "application/json")
            .send(body.to_string());
        self.answer(req)
            .and_then(|a| self.json(a))
            .map_err(|f| f.into_error(&self.base))
    }

    /// `GET /package`: every package file's bytes, by name.
    pub fn package_files(&self) -> Result<ivote_protocol::package::PackageFiles, AppError> {
        let v = self.get("/package")?;
        let files = field(&v, "files")?
            .as_object()
            .ok_or_else(|| AppError::bad_response("`files` is not an object"))?;
        files
            .iter()
            .map(|(name, hex)| {
                let bytes = hex
                    .as_str()
                    .and_then(|h| hex::decode(h).ok())
                    .ok_or_else(|| AppError::bad_response(format!("file {name} is not hex")))?;
                Ok((name.clone(), bytes))
            })
            .collect()
    }

    /// `POST /challenge`: a fresh nonce and when it expires.
    pub fn challenge(&self) -> Result<([u8; 32], i64), AppError> {
        let url = format!("{}/challenge", self.base);
        let v = self
            .answer(self.agent.post(&url).send_empty())
            .and_then(|a| self.json(a))
            .map_err(|f| f.into_error(&self.base))?;
        let mut nonce = [0u8; 32];
        hex::decode_to_slice(str_field(&v, "nonce")?, &mut nonce)
            .map_err(|_| AppError::bad_response("the nonce is not 32 bytes of hex"))?;
        Ok((nonce, i64_field(&v, "expires_at")?))
    }

    /// `POST /voter-info` with the voter's signed query.
    pub fn voter_info(
        &self,
        nonce: &[u8; 32],
        certificate: &[u8],
        signature: &[u8],
    ) -> Result<VoterInfo, AppError> {
        let v = self.post_json(
            "/voter-info",
            &serde_json::json!({
                "nonce": hex::encode(nonce),
                "certificate": hex::encode(certificate),
                "signature": hex::encode(signature),
            }),
        )?;
        Ok(VoterInfo {
            voter_id: str_field(&v, "voter_id")?.to_owned(),
            district: str_field(&v, "district")?.to_owned(),
            ballots_cast: u32_field(&v, "ballots_cast")?,
            verify_window: i64_field(&v, "verify_window")?,
            verify_max: u32_field(&v, "verify_max")?,
        })
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
    pub fn stored_ballot(&self, ballot_id: &Hash32) -> Result<StoredBallot, AppError> {
        let v = self.get(&format!("/verify/{}", ballot_id.to_hex()))?;
        Ok(StoredBallot {
            leaf_index: u64_field(&v, "leaf_index")?,
            voter_seq: u32_field(&v, "voter_seq")?,
            received_at: i64_field(&v, "received_at")?,
            submission: hex_field(&v, "submission")?,
        })
    }

    /// `GET /log/head`: the latest signed tree head (its signature is not checked here).
    pub fn head(&self) -> Result<SignedTreeHead, AppError> {
        let v = self.get("/log/head")?;
        SignedTreeHead::from_bytes(&hex_field(&v, "layout")?)
            .map_err(|e| AppError::bad_response(format!("the tree head: {e}")))
    }

    /// `GET /log/inclusion/{leaf}?size=N`.
    pub fn inclusion(&self, leaf: u64, size: u64) -> Result<Vec<NodeHash>, AppError> {
        let v = self.get(&format!("/log/inclusion/{leaf}?size={size}"))?;
        hash_list(&v, "proof")
    }

    /// `GET /log/consistency?from=A&to=B`.
    pub fn consistency(&self, from: u64, to: u64) -> Result<Vec<NodeHash>, AppError> {
        let v = self.get(&format!("/log/consistency?from={from}&to={to}"))?;
        hash_list(&v, "proof")
    }
}
