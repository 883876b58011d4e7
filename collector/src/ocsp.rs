//! Asking a voter's CA whether the certificate is good, when the ballot arrives (OCSP, RFC
//! 6960, as Estonia's collector does), for the CAs the election checks that way
//! (`ocsp.toml`): docs/eid.md, "OCSP at cast time".
//!
//! - The request carries the submission's nonce ([`ocsp_nonce`]), so the stored answer shows
//!   it was fetched for this ballot; it is sent by HTTP POST (`application/ocsp-request`) to
//!   the CA's configured address or else the one in the certificate, with a timeout and one
//!   retry.
//! - The answer is judged by the same code the tally and the auditors run on the stored copy
//!   ([`ivote_protocol::acceptance::LoadedPackage::check_ocsp_answer`]) and stored with the
//!   submission: revoked, unknown or any other fault refuses the ballot with its code.
//! - No answer (timeout, connection refused, tryLater, not an OCSP response): the ballot is
//!   refused with `eid.ocsp_unavailable`, retryable. Nothing is logged whose status is not
//!   known (fail closed).
//! - Good answers are kept per certificate, at most [`CACHE_CAPACITY`], and reused for that
//!   certificate's next ballots while at most [`REUSE_FOR`] seconds old (a voter who revotes
//!   at once does not make the CA answer twice); revoked and unknown answers are never kept,
//!   so a card revoked during voting is refused from at most [`REUSE_FOR`] seconds after its
//!   CA says so.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, Method, Request};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use ivote_eid::{EidError, OcspGood};
use ivote_protocol::ocsp::{ocsp_nonce, OcspEvidence, MAX_OCSP_BYTES, MAX_SKEW, REUSE_FOR};

use crate::decide::Accepted;
use crate::election::Election;
use crate::reject::Rejection;

/// How many certificates' good answers are kept (about 2 KB each).
pub const CACHE_CAPACITY: usize = 100_000;
/// How long one request may take, by default (seconds).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The collector's OCSP client and cache of good answers.
#[derive(Debug)]
pub struct OcspClient {
    http: Client<HttpConnector, Full<Bytes>>,
    timeout: Duration,
    cache: Mutex<HashMap<[u8; 32], Cached>>,
}

/// A good answer as judged when it was fetched: reusing it needs only its times.
#[derive(Debug, Clone)]
struct Cached {
    response: Vec<u8>,
    good: OcspGood,
}

fn unavailable(detail: impl Into<String>) -> Rejection {
    EidError::OcspUnavailable {
        detail: detail.into(),
    }
    .into()
}

impl OcspClient {
    /// A client whose requests each time out after `timeout`.
    pub fn new(timeout: Duration) -> OcspClient {
        OcspClient {
            http: Client::builder(TokioExecutor::new()).build_http(),
            timeout,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The OCSP answer to store with `accepted`, received at `now`: `None` if its CA is not
    /// checked by OCSP; a reused good answer younger than [`REUSE_FOR`]; or one fetched now
    /// and judged good. `Err` refuses the ballot (see the module docs).
    pub async fn answer(
        &self,
        election: &Election,
        accepted: &Accepted,
        now: i64,
    ) -> Result<Option<OcspEvidence>, Rejection> {
        let cert = &accepted.certificate;
        if election.ocsp.issuer(cert).is_none() {
            return Ok(None);
        }
        let (ballot_hash, certificate_hash) = (&accepted.ballot_hash, &accepted.certificate_hash);
        // Judged in full when fetched (signature, responder, certificate): reusing it needs
        // only its times, so a revote costs no signature verification.
        if let Some(cached) = self.cached(cert.fingerprint(), now) {
            return Ok(Some(OcspEvidence::Reused(cached)));
        }
        let url = election.ocsp.url(cert).ok_or_else(|| {
            unavailable(format!(
                "no OCSP address is configured for \"{}\" and the certificate names none",
                cert.issuer_name()
            ))
        })?;
        let request = cert.ocsp_request(
            &election.anchors,
            &ocsp_nonce(ballot_hash, certificate_hash),
        )?;
        let response = match self.fetch(url, &request).await {
            Ok(r) => r,
            // One retry: a dropped connection or a responder restart should not cost a vote.
            Err(_) => self.fetch(url, &request).await.map_err(unavailable)?,
        };
        let fetched = OcspEvidence::Fetched(response);
        match election.check_ocsp_answer(cert, Some(&fetched), now, ballot_hash, certificate_hash) {
            Ok(good) => {
                if let Some(good) = good {
                    self.remember(*cert.fingerprint(), fetched.response(), good);
                }
                Ok(Some(fetched))
            }
            // The responder answered but gave no status (tryLater, internalError, ...).
            Err(ivote_protocol::acceptance::Rejection::Eid(EidError::OcspError { status })) => {
                Err(unavailable(format!("the responder answered {status}")))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A good answer for this certificate that the tally will accept as reused at `now`, with
    /// [`MAX_SKEW`] to spare on both sides (the log may record the ballot a moment after
    /// `now`, and the tally judges the answer at the logged time): produced less than
    /// [`REUSE_FOR`] − [`MAX_SKEW`] seconds before `now` and not after it, good until at least
    /// `now` + [`MAX_SKEW`].
    fn cached(&self, fingerprint: &[u8; 32], now: i64) -> Option<Vec<u8>> {
        let cache = self.cache.lock().ok()?;
        let c = cache.get(fingerprint)?;
        let g = &c.good;
        let reusable = g.produced_at >= now.saturating_sub(REUSE_FOR - MAX_SKEW)
            && g.produced_at <= now
            && g.this_update <= now
            && g.good_until
                .is_none_or(|u| u >= now.saturating_add(MAX_SKEW));
        reusable.then(|| c.response.clone())
    }

    /// Keeps a good answer; when full, drops the answers too old to be reused, and if that
    /// frees nothing, all of them (answers are fetched again on demand).
    fn remember(&self, fingerprint: [u8; 32], response: &[u8], good: OcspGood) {
        let Ok(mut cache) = self.cache.lock() else {
            return;
        };
        if cache.len() >= CACHE_CAPACITY {
            let newest = cache
                .values()
                .map(|c| c.good.produced_at)
                .max()
                .unwrap_or(good.produced_at);
            cache.retain(|_, c| c.good.produced_at >= newest.saturating_sub(REUSE_FOR));
            if cache.len() >= CACHE_CAPACITY {
                cache.clear();
            }
        }
        cache.insert(
            fingerprint,
            Cached {
                response: response.to_vec(),
                good,
            },
        );
    }

    /// One POST of `request` to `url`; the DER body of a 200 answer of at most
    /// [`MAX_OCSP_BYTES`], or why not, in words for the operator's log.
    async fn fetch(&self, url: &str, request: &[u8]) -> Result<Vec<u8>, String> {
        let http = Request::builder()
            .method(Method::POST)
            .uri(url)
            .header(header::CONTENT_TYPE, "application/ocsp-request")
            .header(header::ACCEPT, "application/ocsp-response")
            .body(Full::new(Bytes::copy_from_slice(request)))
            .map_err(|e| format!("bad OCSP address {url}: {e}"))?;
        let exchange = async {
            let response = self
                .http
                .request(http)
                .await
                .map_err(|e| format!("cannot reach the OCSP responder {url}: {e}"))?;
            if !response.status().is_success() {
                return Err(format!(
                    "the OCSP responder {url} answered HTTP {}",
                    response.status()
                ));
            }
            let body = Limited::new(response.into_body(), MAX_OCSP_BYTES)
                .collect()
                .await
                .map_err(|e| format!("the OCSP responder {url} sent a bad body: {e}"))?;
            Ok(body.to_bytes().to_vec())
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| {
                format!(
                    "the OCSP responder {url} did not answer within {:?}",
                    self.timeout
                )
            })?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn good(produced_at: i64, good_until: Option<i64>) -> OcspGood {
        OcspGood {
            produced_at,
            this_update: produced_at,
            good_until,
        }
    }

    #[test]
    fn a_good_answer_is_reused_only_while_the_tally_will_accept_it() {
        let client = OcspClient::new(DEFAULT_TIMEOUT);
        let reused = |g: OcspGood| {
            client.remember([1; 32], b"answer", g);
            client.cached(&[1; 32], NOW)
        };
        assert_eq!(
            reused(good(NOW - 60, None)).as_deref(),
            Some(&b"answer"[..])
        );
        assert_eq!(
            reused(good(NOW - 60, Some(NOW + 3600))).as_deref(),
            Some(&b"answer"[..])
        );
        // Too old for the tally's five minutes, with a minute to spare.
        assert_eq!(reused(good(NOW - (REUSE_FOR - MAX_SKEW) - 1, None)), None);
        // From the future (a responder clock ahead), or good for less than another minute.
        assert_eq!(reused(good(NOW + 1, None)), None);
        assert_eq!(reused(good(NOW - 60, Some(NOW + MAX_SKEW - 1))), None);
        // Another certificate's answer is never given.
        client.remember([1; 32], b"answer", good(NOW, None));
        assert_eq!(client.cached(&[2; 32], NOW), None);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let client = OcspClient::new(DEFAULT_TIMEOUT);
        for i in 0..CACHE_CAPACITY + 10 {
            let mut fp = [0; 32];
            fp[..8].copy_from_slice(&(i as u64).to_be_bytes());
            // Old answers first: the newer ones push them out.
            let at = if i < CACHE_CAPACITY { NOW - 3600 } else { NOW };
            client.remember(fp, b"a", good(at, None));
        }
        let len = client.cache.lock().unwrap().len();
        assert!(len <= CACHE_CAPACITY, "{len}");
        assert!(len >= 10, "{len}");
    }
}
