//! The HTTP API (axum): [`app`] builds the router over an [`AppState`]; tests drive it with
//! `tower::ServiceExt::oneshot`, `collector serve` binds it to a socket. Every error is
//! `{ "code", "message" }` with its status ([`ApiError`]); the endpoints are described in
//! `collector/openapi.json` (served at `/openapi.json`) and `docs/collector.md`, and every
//! JSON body is a type of `ivote_protocol::wire`, shared with the clients.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{middleware, Extension, Json, Router};
use ed25519_dalek::{SigningKey, VerifyingKey};
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::package::PackageFiles;
use ivote_protocol::submission::MAX_SUBMISSION_BYTES;
use ivote_protocol::wire;
use rand::RngCore;
use serde::Deserialize;

use crate::admin::{check_close, AdminError};
use crate::decide::decide;
use crate::election::Election;
use crate::ocsp::OcspClient;
use crate::reject::Rejection;
use crate::server::Peer;
use crate::store::Store;

mod access_log;
mod booth;
mod deadline;
mod error;
mod metrics;
mod rate_limit;
mod voter;

pub use booth::BoothOptions;
pub use error::{ApiError, ErrorCode};
pub use metrics::Metrics;
pub use rate_limit::{AddressRateLimit, RateLimit};

/// The current time, Unix seconds (a function so tests can set it).
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// What the API publishes about the election besides what [`Election`] holds.
#[derive(Clone, Debug)]
pub struct ElectionInfo {
    /// The manifest's TOML text, as in the package.
    pub manifest_toml: String,
    /// The collector's public key (tree heads and receipts).
    pub collector_key: VerifyingKey,
    /// Every file of the election package, as read (`GET /package`: the voter app verifies
    /// the package itself rather than trusting `/election`).
    pub package_files: PackageFiles,
    /// The officials' public key, which signs close requests (`None` when the collector was
    /// started with `--context`: then it only closes at the end of voting).
    pub officials_key: Option<VerifyingKey>,
}

/// Limits and windows of the API.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The largest request body (bytes).
    pub body_bytes: usize,
    /// How long a request may take.
    pub timeout: Duration,
    /// How long after casting a ballot may be fetched for verification (seconds).
    pub verify_window: i64,
    /// How many times a ballot may be fetched for verification.
    pub verify_max: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: MAX_SUBMISSION_BYTES,
            timeout: Duration::from_secs(30),
            verify_window: 30 * 60,
            verify_max: 3,
        }
    }
}

/// What every handler sees.
#[derive(Clone)]
pub struct AppState {
    /// The election the collector serves.
    pub election: Arc<Election>,
    /// Published election facts.
    pub info: Arc<ElectionInfo>,
    /// The storage backend.
    pub store: Arc<dyn Store>,
    /// The collector's key, which signs challenges (the store signs tree heads and receipts
    /// with the same key).
    pub key: Arc<SigningKey>,
    /// Limits and windows.
    pub limits: Limits,
    /// The clock.
    pub clock: Clock,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// The per-voter rate limit.
    pub rate_limit: Arc<RateLimit>,
    /// Asks voters' CAs for certificate status (for the CAs the election checks by OCSP).
    pub ocsp: Arc<OcspClient>,
    /// The per-address limit of `/challenge` (`None`: none).
    pub challenge_limit: Option<Arc<AddressRateLimit>>,
    /// The per-address limit of all requests (`None`: none).
    pub request_limit: Option<Arc<AddressRateLimit>>,
    /// The browser booth's files and the origin allowed to call the API.
    pub booth: BoothOptions,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The routes, with the method and path of each (so a test can hold them against the
/// OpenAPI document).
struct Routes {
    router: Router<AppState>,
    list: Vec<(&'static str, &'static str)>,
}

impl Routes {
    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        route: MethodRouter<AppState>,
    ) -> Self {
        self.router = self.router.route(path, route);
        self.list.push((method, path));
        self
    }
}

fn routes() -> Routes {
    Routes {
        router: Router::new(),
        list: Vec::new(),
    }
    .add("get", "/election", get(election))
    .add("post", "/challenge", post(challenge))
    .add("post", "/submit", post(submit))
    .add("get", "/verify/{ballot_id}", get(verify))
    .add("get", "/package", get(voter::package))
    .add("post", "/voter-info", post(voter::voter_info))
    .add("get", "/log/head", get(log_head))
    .add("get", "/log/inclusion/{leaf}", get(inclusion))
    .add("get", "/log/consistency", get(consistency))
    .add("get", "/log/final", get(log_final))
    .add("post", "/admin/close", post(admin_close))
    .add("get", "/status", get(status))
    .add("get", "/healthz", get(healthz))
    .add("get", "/metrics", get(metrics))
    .add("get", "/openapi.json", get(openapi))
}

/// The collector's HTTP API over `state`.
pub fn app(state: AppState) -> Router {
    let limits = state.limits;
    let request_limit = state.request_limit.clone();
    let allow_origin = state.booth.allow_origin.clone();
    // The booth's static files are not API endpoints: outside the route list (and the
    // OpenAPI document), documented in docs/booth.md.
    routes()
        .router
        .merge(booth::routes(state.booth.dir.clone()))
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state.clone())
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(middleware::from_fn_with_state(
            limits.timeout,
            deadline::deadline,
        ))
        .layer(middleware::from_fn_with_state(
            (request_limit, state.clock),
            limit_requests,
        ))
        .layer(middleware::from_fn_with_state(allow_origin, booth::cors))
        .layer(middleware::from_fn(access_log::access_log))
}

/// The per-address limit of all requests (`serve --max-requests-per-address-per-minute`):
/// `429 request.rate_limited` beyond it. Requests without a [`Peer`] (not from the accept
/// loop) are not limited.
async fn limit_requests(
    State((limit, clock)): State<(Option<Arc<AddressRateLimit>>, Clock)>,
    req: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    if let (Some(limit), Some(Peer(ip))) = (&limit, req.extensions().get::<Peer>()) {
        if !limit.admit(*ip, clock()) {
            return ApiError::RequestRateLimited {
                per_minute: limit.per_minute(),
            }
            .into_response();
        }
    }
    next.run(req).await
}

/// A path parameter's rejection as the API's error.
fn bad_path(e: PathRejection) -> ApiError {
    ApiError::BadPath(e.body_text())
}

/// A JSON body's rejection: too large (413) or not declared JSON (415) as such, anything
/// else as `otherwise`.
fn json_rejection(e: &JsonRejection, otherwise: impl FnOnce() -> ApiError) -> ApiError {
    match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::BodyTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::NotJson,
        _ => otherwise(),
    }
}

/// Whether submissions are taken at `now`: not once the box is closed, and only in the
/// election's window.
fn accepting(s: &AppState, now: i64) -> Result<(), Rejection> {
    if s.store.final_head().is_some() {
        return Err(Rejection::Closed);
    }
    s.election.window(now)
}

async fn election(State(s): State<AppState>) -> Json<wire::ElectionFacts> {
    Json(wire::ElectionFacts {
        challenge_ttl: s.election.challenge_ttl,
        collector_key: s.info.collector_key.to_bytes(),
        context: s.election.context,
        joint_key: s.election.joint_key.to_bytes(),
        manifest: s.info.manifest_toml.clone(),
        voting_ends: s.election.ends,
        voting_starts: s.election.starts,
    })
}

/// Issues a challenge: refused when the box does not take submissions and when the caller's
/// address asked too often (`challenge.rate_limited`). Challenges are stateless: one costs a
/// random nonce and a signature, and the store holds nothing for it (`decide::check_challenge`
/// checks the signature; the store remembers only used nonces), so a flood of them fills no
/// memory and cannot slow down submissions beyond the CPU of the signatures.
async fn challenge(
    State(s): State<AppState>,
    peer: Option<Extension<Peer>>,
) -> Result<Json<wire::Challenge>, ApiError> {
    let now = (s.clock)();
    accepting(&s, now)?;
    if let (Some(limit), Some(Extension(Peer(ip)))) = (&s.challenge_limit, peer) {
        if !limit.admit(ip, now) {
            return Err(ApiError::ChallengeRateLimited {
                per_minute: limit.per_minute(),
            });
        }
    }
    let mut nonce = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut nonce);
    let challenge = s.election.issue_challenge(&s.key, nonce, now)?;
    Ok(Json(wire::Challenge::from(&challenge)))
}

async fn submit(State(s): State<AppState>, body: Result<Bytes, BytesRejection>) -> Response {
    let started = Instant::now();
    let result = checked_submit(&s, body).await;
    s.metrics.observe(started.elapsed());
    match result {
        Ok((receipt, received_at)) => {
            s.metrics.accepted();
            let test_vote = if s.election.is_test_vote(received_at) {
                "true"
            } else {
                "false"
            };
            (
                [
                    (header::CONTENT_TYPE, "application/octet-stream"),
                    (TEST_VOTE_HEADER, test_vote),
                ],
                receipt,
            )
                .into_response()
        }
        Err(e) => {
            s.metrics.rejected(e.code());
            e.into_response()
        }
    }
}

/// The answer header that says whether an accepted submission is a test vote (received
/// before the window, with `serve --accept-test-votes`; the tally drops it): `true`/`false`.
pub const TEST_VOTE_HEADER: header::HeaderName = header::HeaderName::from_static("ivote-test-vote");

/// Decides (on a blocking thread: proofs are CPU work), applies the per-voter rate limit,
/// then commits; the receipt layout and the receive time.
async fn checked_submit(
    s: &AppState,
    body: Result<Bytes, BytesRejection>,
) -> Result<(Vec<u8>, i64), ApiError> {
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
        _ => ApiError::BadBody,
    })?;
    let now = (s.clock)();
    accepting(s, now)?;
    let (election, store) = (s.election.clone(), s.store.clone());
    let accepted = tokio::task::spawn_blocking(move || {
        decide(&election, store.view(), &body, now, &mut rand::thread_rng())
    })
    .await
    .map_err(|e| {
        tracing::error!("the submission check stopped: {e}");
        ApiError::Internal
    })??;
    if !s.rate_limit.admit(&accepted.voter_id, now) {
        return Err(ApiError::RateLimited {
            per_minute: s.rate_limit.per_minute().unwrap_or(0),
        });
    }
    // Last, since it asks another server: the certificate's status, stored with the ballot.
    let mut accepted = accepted;
    accepted.ocsp = s.ocsp.answer(&s.election, &accepted, now).await?;
    let receipt = s.store.commit(accepted, now).await?;
    // The logged time, which the writer may have moved later to keep the log in order: the
    // test-vote answer must say what the log says.
    Ok((receipt.to_bytes(), receipt.content.received_at))
}

async fn verify(
    State(s): State<AppState>,
    ballot_id: Result<Path<String>, PathRejection>,
) -> Result<Json<wire::StoredBallot>, ApiError> {
    let Path(ballot_id) = ballot_id.map_err(bad_path)?;
    let hash = BallotHash::from_hex(&ballot_id).ok_or(ApiError::BadBallotId)?;
    let stored = s.store.find(&hash).await?.ok_or(ApiError::UnknownBallot)?;
    let now = (s.clock)();
    if now
        >= stored
            .record
            .received_at
            .saturating_add(s.limits.verify_window)
    {
        return Err(ApiError::VerifyWindowPassed {
            minutes: s.limits.verify_window / 60,
        });
    }
    if s.store.count_verification(&hash).await? > s.limits.verify_max {
        return Err(ApiError::TooManyVerifications {
            max: s.limits.verify_max,
        });
    }
    let latest_voter_seq = s.store.ballots_cast(&stored.record.voter_id).await?;
    Ok(Json(wire::StoredBallot {
        ballot_id: hash,
        leaf_index: stored.record.leaf_index,
        latest_voter_seq,
        received_at: stored.record.received_at,
        submission: stored.submission,
        voter_seq: stored.record.voter_seq,
    }))
}

async fn log_head(State(s): State<AppState>) -> Json<wire::TreeHead> {
    Json(wire::TreeHead::from(&s.store.head()))
}

#[derive(Debug, Deserialize)]
struct SizeQuery {
    size: Option<u64>,
}

async fn inclusion(
    State(s): State<AppState>,
    leaf: Result<Path<u64>, PathRejection>,
    query: Result<Query<SizeQuery>, QueryRejection>,
) -> Result<Json<wire::InclusionProof>, ApiError> {
    let Path(leaf) = leaf.map_err(bad_path)?;
    let Query(q) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let size = q.size.unwrap_or_else(|| s.store.head().size);
    let proof = s.store.inclusion_proof(leaf, size).ok_or_else(|| {
        ApiError::OutOfRange(format!(
            "leaf {leaf} is not in a tree of {size} leaves, or the log has fewer than {size}"
        ))
    })?;
    Ok(Json(wire::InclusionProof { leaf, proof, size }))
}

#[derive(Debug, Deserialize)]
struct RangeQuery {
    from: u64,
    to: u64,
}

async fn consistency(
    State(s): State<AppState>,
    query: Result<Query<RangeQuery>, QueryRejection>,
) -> Result<Json<wire::ConsistencyProof>, ApiError> {
    let Query(RangeQuery { from, to }) = query.map_err(|e| ApiError::BadQuery(e.body_text()))?;
    let proof = s.store.consistency_proof(from, to).ok_or_else(|| {
        ApiError::OutOfRange(format!(
            "no consistency proof from {from} to {to} leaves: it needs 0 < from ≤ to ≤ the log's size"
        ))
    })?;
    Ok(Json(wire::ConsistencyProof { from, proof, to }))
}

async fn status(State(s): State<AppState>) -> Json<wire::Status> {
    let (now, e) = ((s.clock)(), &s.election);
    let final_head = s.store.final_head();
    let state = if final_head.is_some() || now >= e.ends {
        wire::BoxState::Closed
    } else if now >= e.starts {
        wire::BoxState::Open
    } else if e.accept_test_votes {
        wire::BoxState::TestVotes
    } else {
        wire::BoxState::NotOpen
    };
    Json(wire::Status {
        accepted: s.store.head().size,
        final_head: final_head.as_ref().map(wire::FinalHead::from),
        rejected: s
            .metrics
            .rejected_by_code()
            .into_iter()
            .map(|(code, n)| (code.to_owned(), n))
            .collect(),
        state,
    })
}

async fn log_final(State(s): State<AppState>) -> Result<Json<wire::FinalHead>, ApiError> {
    let f = s.store.final_head().ok_or(ApiError::NotClosed)?;
    Ok(Json(wire::FinalHead::from(&f)))
}

/// Closes the box on the officials' signed request; answers the final head.
async fn admin_close(
    State(s): State<AppState>,
    body: Result<Json<wire::CloseRequest>, JsonRejection>,
) -> Result<Json<wire::FinalHead>, ApiError> {
    let Json(request) = body.map_err(|e| {
        json_rejection(&e, || ApiError::Admin(AdminError::Malformed(e.body_text())))
    })?;
    let now = (s.clock)();
    check_close(
        &request,
        s.info.officials_key.as_ref(),
        &s.election.context,
        now,
    )
    .map_err(ApiError::Admin)?;
    let f = s.store.close(now).await?;
    tracing::info!(size = f.head.size, "closed by the officials' request");
    Ok(Json(wire::FinalHead::from(&f)))
}

/// Closes the store when voting ends (at once if it has ended): a task `serve` runs. It
/// sleeps at most a minute at a time, so a clock that jumps is noticed.
pub async fn close_at_end(store: Arc<dyn Store>, ends: i64, clock: Clock) {
    loop {
        let now = clock();
        if now >= ends {
            match store.close(now).await {
                Ok(f) => tracing::info!(size = f.head.size, "voting ended: ballot box closed"),
                Err(e) => tracing::error!("closing the ballot box at the end of voting: {e}"),
            }
            return;
        }
        let wait = u64::try_from(ends - now).unwrap_or(1).min(60);
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
}

async fn healthz() -> &'static str {
    "ok"
}

async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(),
    )
}

async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("../openapi.json"),
    )
}

#[cfg(test)]
mod openapi_tests;
#[cfg(test)]
mod tests;
