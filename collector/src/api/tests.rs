use std::collections::BTreeSet;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::body::Body;
use axum::http::Request;
use ed25519_dalek::SigningKey;
use ivote_protocol::ballot_box::FinalHead;
use ivote_protocol::challenge::{Purpose, SignedChallenge};
use ivote_protocol::merkle::{leaf_hash, verify_consistency, verify_inclusion, NodeHash};
use ivote_protocol::receipt::Receipt;
use serde_json::{json, Value};
use tempfile::TempDir;
use tower::ServiceExt;

use super::*;
use crate::admin::sign_close;
use crate::reject::Class;
use crate::server::Peer;
use crate::store::JournalStore;
use crate::test_support::Fixture;

struct Harness {
    f: Fixture,
    app: Router,
    store: Arc<dyn Store>,
    time: Arc<AtomicI64>,
    key: VerifyingKey,
    _dir: TempDir,
}

fn officials() -> SigningKey {
    SigningKey::from_bytes(&[5; 32])
}

fn harness(limits: Limits) -> Harness {
    harness_with(limits, None, false)
}

fn harness_with(limits: Limits, per_minute: Option<u32>, test_votes: bool) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new();
    Arc::get_mut(&mut f.election).unwrap().accept_test_votes = test_votes;
    let key = SigningKey::from_bytes(&[9; 32]);
    let (store, _) = JournalStore::open(dir.path(), &f.election, key.clone(), f.now).unwrap();
    let time = Arc::new(AtomicI64::new(f.now));
    let clock_time = time.clone();
    let store: Arc<dyn Store> = Arc::new(store);
    let state = AppState {
        election: f.election.clone(),
        info: Arc::new(ElectionInfo {
            manifest_toml: include_str!("../../../docs/examples/manifest.toml").into(),
            collector_key: key.verifying_key(),
            package_files: [("manifest.toml".to_owned(), b"election_id = 1".to_vec())].into(),
            officials_key: Some(officials().verifying_key()),
        }),
        store: store.clone(),
        key: Arc::new(key.clone()),
        limits,
        clock: Arc::new(move || clock_time.load(Ordering::SeqCst)),
        metrics: Arc::default(),
        rate_limit: Arc::new(RateLimit::new(per_minute)),
        ocsp: Arc::new(OcspClient::new(crate::ocsp::DEFAULT_TIMEOUT)),
        // Requests without a [`Peer`] (all but those that set one) are not limited.
        challenge_limit: Some(Arc::new(AddressRateLimit::new(3))),
        request_limit: Some(Arc::new(AddressRateLimit::new(6))),
        booth: BoothOptions::default(),
    };
    Harness {
        f,
        app: app(state),
        store,
        time,
        key: key.verifying_key(),
        _dir: dir,
    }
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn post(uri: &str, body: Vec<u8>) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(body))
        .unwrap()
}

impl Harness {
    async fn call(&self, req: Request<Body>) -> (StatusCode, Bytes) {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        (
            status,
            axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .unwrap(),
        )
    }

    async fn json(&self, req: Request<Body>) -> (StatusCode, Value) {
        let (status, body) = self.call(req).await;
        (status, serde_json::from_slice(&body).unwrap())
    }

    /// Asserts an error response's status and code.
    async fn refused(&self, req: Request<Body>, status: u16, code: &str) {
        let (s, v) = self.json(req).await;
        assert_eq!(
            (s.as_u16(), v["code"].as_str().unwrap()),
            (status, code),
            "{v}"
        );
        assert!(!v["message"].as_str().unwrap().is_empty());
    }

    /// A fresh challenge, its signature checked.
    async fn challenge(&self) -> SignedChallenge {
        let (status, v) = self.json(post("/challenge", vec![])).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let c = serde_json::from_value::<wire::Challenge>(v)
            .unwrap()
            .signed()
            .unwrap();
        c.verify(&self.key, &self.f.election.context).unwrap();
        c
    }

    /// A fresh valid submission by voter `v` (0 or 1: tartu) and its ballot hash.
    async fn submission(&mut self, v: usize) -> (Vec<u8>, BallotHash) {
        let c = self.challenge().await;
        let ballot = self.f.ballot("tartu", &c, v).to_bytes();
        let hash = ivote_protocol::ballot::ballot_hash(&ballot);
        (self.f.submit_as(&self.f.voters[v], &c, &ballot), hash)
    }

    async fn vote(&mut self, v: usize) -> (Receipt, BallotHash, Vec<u8>) {
        let (body, hash) = self.submission(v).await;
        let (status, bytes) = self.call(post("/submit", body.clone())).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        let receipt = Receipt::from_bytes(&bytes).unwrap();
        receipt
            .verify(&self.key, &self.f.election.context, &hash)
            .unwrap();
        (receipt, hash, body)
    }
}

fn hashes(list: &Value) -> Vec<NodeHash> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            hex::decode(p.as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap()
        })
        .collect()
}

fn status_of(class: Class) -> u16 {
    match class {
        Class::Malformed => 400,
        Class::Forbidden => 403,
        Class::Conflict => 409,
        Class::Invalid => 422,
        Class::Unavailable => 503,
    }
}

#[tokio::test]
async fn vote_revote_verify_and_the_log_endpoints() {
    let mut h = harness(Limits::default());
    let (status, e) = h.json(get("/election")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(e["context"], h.f.election.context.to_hex());
    assert_eq!(e["collector_key"], hex::encode(h.key.as_bytes()));
    assert!(e["manifest"].as_str().unwrap().contains("[[districts]]"));
    assert_eq!(e["voting_starts"], h.f.election.starts);

    let (first, hash, body) = h.vote(0).await;
    let (second, _, _) = h.vote(0).await;
    assert_eq!((first.content.voter_seq, second.content.voter_seq), (1, 2));
    assert_eq!(
        (first.content.leaf_index, second.content.leaf_index),
        (0, 1)
    );

    let (status, v) = h.json(get(&format!("/verify/{}", hash.to_hex()))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["submission"], hex::encode(&body));
    assert_eq!(v["voter_seq"], 1);

    let (_, head) = h.json(get("/log/head")).await;
    assert_eq!(head["size"], 2);
    let root: NodeHash = hex::decode(head["root"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let (status, inc) = h.json(get("/log/inclusion/0?size=2")).await;
    assert_eq!(status, StatusCode::OK);
    let proof = hashes(&inc["proof"]);
    let leaf = leaf_hash(&first.content.record_hash.0);
    assert!(verify_inclusion(&leaf, 0, 2, &proof, &root));
    let (_, inc) = h.json(get("/log/inclusion/1")).await;
    assert_eq!(inc["size"], 2);
    let (status, cons) = h.json(get("/log/consistency?from=1&to=2")).await;
    assert_eq!(status, StatusCode::OK);
    let proof = hashes(&cons["proof"]);
    assert!(verify_consistency(
        1,
        2,
        &first.content.tree_head.root,
        &root,
        &proof
    ));
    h.refused(get("/log/inclusion/2?size=2"), 400, "log.out_of_range")
        .await;
    h.refused(get("/log/inclusion/0?size=x"), 400, "request.bad_query")
        .await;
    h.refused(get("/log/consistency?from=2&to=3"), 400, "log.out_of_range")
        .await;
    h.refused(get("/log/consistency?from=1"), 400, "request.bad_query")
        .await;

    let (status, s) = h.json(get("/status")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (s["state"].as_str(), s["accepted"].as_u64()),
        (Some("open"), Some(2))
    );
    let (status, text) = h.call(get("/healthz")).await;
    assert_eq!((status, &text[..]), (StatusCode::OK, &b"ok"[..]));
    let (_, metrics) = h.call(get("/metrics")).await;
    let metrics = String::from_utf8(metrics.to_vec()).unwrap();
    assert!(metrics.contains("collector_submissions_accepted_total 2\n"));
    assert!(metrics.contains("collector_submit_seconds_count 2\n"));
    h.refused(get("/nowhere"), 404, "request.not_found").await;
}

#[tokio::test]
async fn every_rejection_reachable_over_http_has_its_status_and_code() {
    let mut h = harness(Limits::default());
    let c = h.challenge().await;
    let cases = h.f.refused(&c);
    for (code, class, body) in cases {
        h.refused(post("/submit", body), status_of(class), code)
            .await;
    }
    // The challenge is still unused: the first valid submission with it is accepted, a
    // replay is refused.
    let ballot = h.f.ballot("tartu", &c, 0).to_bytes();
    let good = h.f.submit_as(&h.f.voters[0], &c, &ballot);
    assert_eq!(
        h.call(post("/submit", good.clone())).await.0,
        StatusCode::OK
    );
    h.refused(post("/submit", good), 409, "challenge.used")
        .await;

    let (body, _) = h.submission(1).await;
    h.time.fetch_add(300, Ordering::SeqCst);
    h.refused(post("/submit", body.clone()), 403, "challenge.expired")
        .await;
    h.time.store(h.f.election.starts - 1, Ordering::SeqCst);
    h.refused(post("/submit", body.clone()), 503, "election.not_open")
        .await;
    h.refused(post("/challenge", vec![]), 503, "election.not_open")
        .await;
    assert_eq!(h.json(get("/status")).await.1["state"], "not_open");
    h.time.store(h.f.election.ends, Ordering::SeqCst);
    h.refused(post("/submit", body), 503, "election.closed")
        .await;
    h.refused(post("/challenge", vec![]), 503, "election.closed")
        .await;
    let (_, status) = h.json(get("/status")).await;
    assert_eq!(status["state"], "closed");
    assert_eq!(status["rejected"]["ballot.invalid_proof"], 2);
    assert_eq!(status["rejected"]["challenge.used"], 1);

    let small = harness(Limits {
        body_bytes: 100,
        ..Limits::default()
    });
    small
        .refused(post("/submit", vec![0; 101]), 413, "submission.too_large")
        .await;
}

#[tokio::test]
async fn a_voter_over_the_rate_limit_is_refused_and_nothing_changes() {
    let mut h = harness_with(Limits::default(), Some(2), false);
    h.vote(0).await;
    h.vote(0).await;
    let (body, _) = h.submission(0).await;
    h.refused(post("/submit", body.clone()), 429, "voter.rate_limited")
        .await;
    assert_eq!(h.json(get("/log/head")).await.1["size"], 2);
    // Another voter is not limited; a minute later the first one is taken again (the
    // refused submission's challenge is still unused).
    h.vote(1).await;
    h.time.fetch_add(60, Ordering::SeqCst);
    assert_eq!(h.call(post("/submit", body)).await.0, StatusCode::OK);
    assert_eq!(
        h.json(get("/status")).await.1["rejected"]["voter.rate_limited"],
        1
    );
}

#[tokio::test]
async fn test_votes_before_the_window_are_accepted_and_marked() {
    let mut h = harness_with(Limits::default(), None, true);
    h.time.store(h.f.election.starts - 600, Ordering::SeqCst);
    assert_eq!(h.json(get("/status")).await.1["state"], "test_votes");
    // A test-vote challenge, which expires when voting starts.
    let c = h.challenge().await;
    assert_eq!(c.purpose, Purpose::Test);
    assert_eq!(c.expires_at, h.f.election.starts - 300);
    h.time.store(h.f.election.starts - 100, Ordering::SeqCst);
    assert_eq!(h.challenge().await.expires_at, h.f.election.starts);
    h.time.store(h.f.election.starts - 600, Ordering::SeqCst);
    let (body, hash) = h.submission(0).await;
    let resp = h.app.clone().oneshot(post("/submit", body)).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[TEST_VOTE_HEADER], "true");
    let (_, v) = h.json(get(&format!("/verify/{}", hash.to_hex()))).await;
    assert_eq!(v["received_at"], h.f.election.starts - 600);
    // In the window, a vote is not a test vote, and its challenge is a real vote's.
    h.time.store(h.f.election.starts, Ordering::SeqCst);
    assert_eq!(h.challenge().await.purpose, Purpose::Vote);
    let (body, _) = h.submission(0).await;
    let resp = h.app.clone().oneshot(post("/submit", body)).await.unwrap();
    assert_eq!(resp.headers()[TEST_VOTE_HEADER], "false");
}

fn post_json(uri: &str, body: &impl serde::Serialize) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap()
}

#[tokio::test]
async fn the_officials_close_the_box_and_it_stays_closed() {
    let mut h = harness(Limits::default());
    h.vote(0).await;
    let (body, _) = h.submission(1).await;
    h.refused(get("/log/final"), 404, "log.not_closed").await;
    let now = h.time.load(Ordering::SeqCst);
    let ctx = h.f.election.context;
    // Refusals: another key, a stale request, a malformed body.
    let other = sign_close(&SigningKey::from_bytes(&[6; 32]), &ctx, now);
    h.refused(
        post_json("/admin/close", &other),
        403,
        "admin.bad_signature",
    )
    .await;
    let stale = sign_close(&officials(), &ctx, now - 301);
    h.refused(post_json("/admin/close", &stale), 403, "admin.stale")
        .await;
    h.refused(
        post_json("/admin/close", &json!({})),
        400,
        "admin.malformed",
    )
    .await;
    // Not declared JSON: 415, before anything is read.
    h.refused(
        post("/admin/close", b"{}".to_vec()),
        415,
        "request.not_json",
    )
    .await;
    let junk = json!({ "timestamp": now, "signature": "xyz" });
    h.refused(post_json("/admin/close", &junk), 400, "admin.malformed")
        .await;
    assert_eq!(h.json(get("/status")).await.1["state"], "open");

    let request = sign_close(&officials(), &ctx, now);
    let (status, closed) = h.json(post_json("/admin/close", &request)).await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["size"], 1);
    let layout = hex::decode(closed["layout"].as_str().unwrap()).unwrap();
    let f = FinalHead::from_bytes(&layout).unwrap();
    f.verify(&h.key, &ctx).unwrap();
    // Twice: the same final head.
    let (_, again) = h.json(post_json("/admin/close", &request)).await;
    assert_eq!(again, closed);
    assert_eq!(h.json(get("/log/final")).await.1, closed);
    let (_, status) = h.json(get("/status")).await;
    assert_eq!(status["state"], "closed");
    assert_eq!(status["final_head"], closed);
    h.refused(post("/submit", body), 503, "election.closed")
        .await;
    h.refused(post("/challenge", vec![]), 503, "election.closed")
        .await;
    assert_eq!(h.json(get("/log/head")).await.1["size"], 1);
}

#[tokio::test]
async fn the_box_closes_itself_when_voting_ends() {
    let mut h = harness(Limits::default());
    h.vote(0).await;
    h.time.store(h.f.election.ends, Ordering::SeqCst);
    let time = h.time.clone();
    close_at_end(
        h.store.clone(),
        h.f.election.ends,
        Arc::new(move || time.load(Ordering::SeqCst)),
    )
    .await;
    let f = h.store.final_head().unwrap();
    assert_eq!((f.head.size, f.head.timestamp), (1, h.f.election.ends));
    assert_eq!(h.json(get("/log/final")).await.1["size"], 1);
}

#[tokio::test]
async fn verification_is_limited_in_time_and_count_and_says_so() {
    let mut h = harness(Limits::default());
    let (_, hash, _) = h.vote(0).await;
    let uri = format!("/verify/{}", hash.to_hex());
    for _ in 0..3 {
        assert_eq!(h.call(get(&uri)).await.0, StatusCode::OK);
    }
    h.refused(get(&uri), 403, "verify.too_many").await;
    h.time.fetch_add(30 * 60, Ordering::SeqCst);
    h.refused(get(&uri), 410, "verify.window_passed").await;
    h.refused(
        get(&format!("/verify/{}", BallotHash([1; 32]).to_hex())),
        404,
        "verify.unknown",
    )
    .await;
    h.refused(get("/verify/nothex"), 400, "verify.bad_id").await;
}

#[tokio::test]
async fn verification_says_whether_a_later_vote_exists() {
    let mut h = harness(Limits::default());
    let (_, first, _) = h.vote(0).await;
    let uri = format!("/verify/{}", first.to_hex());
    let (_, v) = h.json(get(&uri)).await;
    assert_eq!(
        (v["voter_seq"].as_u64(), v["latest_voter_seq"].as_u64()),
        (Some(1), Some(1))
    );
    h.vote(1).await;
    let (_, second, _) = h.vote(0).await;
    let (_, v) = h.json(get(&uri)).await;
    assert_eq!(
        (v["voter_seq"].as_u64(), v["latest_voter_seq"].as_u64()),
        (Some(1), Some(2))
    );
    let (_, v) = h.json(get(&format!("/verify/{}", second.to_hex()))).await;
    assert_eq!(
        (v["voter_seq"].as_u64(), v["latest_voter_seq"].as_u64()),
        (Some(2), Some(2))
    );
}

#[tokio::test]
async fn nothing_about_the_roll_is_answered_before_the_signature_verifies() {
    // Hole 7: a victim's public certificate with a zero signature. Voter 2 is on the roll
    // in tallinn, voter 3 is not on the roll: the answers must be the same, byte for byte,
    // for /submit (a tartu ballot, a tallinn ballot) and for /voter-info.
    let mut h = harness(Limits::default());
    let c = h.challenge().await;
    let mut answers = Vec::new();
    for v in [2, 3] {
        for district in ["tartu", "tallinn"] {
            let ballot = h.f.ballot(district, &c, v).to_bytes();
            let mut s = ivote_protocol::submission::Submission::from_bytes(&h.f.submit_as(
                &h.f.voters[v],
                &c,
                &ballot,
            ))
            .unwrap();
            s.signature = vec![0; 64];
            let (status, body) = h.call(post("/submit", s.to_bytes())).await;
            answers.push((status, body));
        }
    }
    let (status, body) = &answers[0];
    assert_eq!(*status, StatusCode::FORBIDDEN);
    let v: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(v["code"], "eid.bad_signature");
    assert!(!String::from_utf8_lossy(body).contains("tallinn"), "{v}");
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");

    let mut queries = Vec::new();
    for v in [2, 3] {
        let mut q = voter_info_query(&h.f.voters[v], &h.f.voters[v], &c);
        q["signature"] = json!(hex::encode([0u8; 64]));
        queries.push(h.call(post_json("/voter-info", &q)).await);
    }
    assert_eq!(queries[0], queries[1]);
    assert_eq!(queries[0].0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_route_is_in_the_openapi_document() {
    let doc: Value = serde_json::from_str(include_str!("../../openapi.json")).unwrap();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = routes()
        .list
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(routed, documented);
    let h = harness(Limits::default());
    let (status, served) = h.json(get("/openapi.json")).await;
    assert_eq!((status, served), (StatusCode::OK, doc));
}

#[tokio::test]
async fn serves_over_a_real_socket() {
    use http_body_util::{BodyExt, Full};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;

    let h = harness(Limits::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = h.app.clone();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let resp = client
        .request(
            Request::post(format!("http://{addr}/challenge"))
                .body(Full::new(Bytes::new()))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["nonce"].as_str().unwrap().len(), 64);
    let resp = client
        .request(
            Request::post(format!("http://{addr}/submit"))
                .body(Full::new(Bytes::from_static(b"junk")))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    server.abort();
}

/// A voter-info query by `voter`, signed by `signer`, for `nonce`.
fn voter_info_query(
    voter: &ivote_eid::insecure_demo_pki::DemoVoter,
    signer: &ivote_eid::insecure_demo_pki::DemoVoter,
    challenge: &SignedChallenge,
) -> Value {
    use ivote_protocol::submission::voter_info_message;
    let signature = signer
        .key()
        .unwrap()
        .sign(&voter_info_message(
            &crate::test_support::CTX,
            &challenge.nonce,
        ))
        .unwrap();
    json!({
        "challenge": hex::encode(challenge.to_bytes()),
        "certificate": hex::encode(voter.cert_der()),
        "signature": hex::encode(signature),
    })
}

#[tokio::test]
async fn the_package_files_are_served_byte_for_byte() {
    let h = harness(Limits::default());
    let (status, v) = h.json(get("/package")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["files"]["manifest.toml"], hex::encode(b"election_id = 1"));
    assert_eq!(v["files"].as_object().unwrap().len(), 1);
}

#[tokio::test]
async fn voter_info_says_the_district_and_the_ballots_cast_without_using_the_challenge() {
    let mut h = harness(Limits::default());
    let c = h.challenge().await;
    let query = voter_info_query(&h.f.voters[0], &h.f.voters[0], &c);
    let (status, v) = h.json(post_json("/voter-info", &query)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["district"], "tartu");
    assert_eq!(v["ballots_cast"], 0);
    assert_eq!(v["voter_id"], format!("PNOEE-{}", h.f.voters[0].code));
    assert_eq!(v["verify_window"], 30 * 60);
    assert_eq!(v["verify_max"], 3);

    // The same challenge still makes an accepted ballot, then no longer answers a query.
    let ballot = h.f.ballot("tartu", &c, 0).to_bytes();
    let body = h.f.submit_as(&h.f.voters[0], &c, &ballot);
    assert_eq!(h.call(post("/submit", body)).await.0, StatusCode::OK);
    h.refused(post_json("/voter-info", &query), 409, "challenge.used")
        .await;
    let c = h.challenge().await;
    let query = voter_info_query(&h.f.voters[0], &h.f.voters[0], &c);
    let (_, v) = h.json(post_json("/voter-info", &query)).await;
    assert_eq!(v["ballots_cast"], 1);
    h.vote(0).await;
    let (_, v) = h.json(post_json("/voter-info", &query)).await;
    assert_eq!(v["ballots_cast"], 2);
}

#[tokio::test]
async fn voter_info_refusals_reuse_the_submission_codes() {
    let h = harness(Limits::default());
    let c = h.challenge().await;
    let v = &h.f.voters;
    // A challenge this collector did not sign (as if issued by another server).
    let mut forged = c;
    forged.signature[0] ^= 1;
    let mut truncated = voter_info_query(&v[0], &v[0], &c);
    truncated["challenge"] = json!(hex::encode(&c.to_bytes()[..100]));
    let cases = [
        (
            voter_info_query(&v[0], &v[0], &forged),
            403,
            "challenge.bad_signature",
        ),
        (truncated, 400, "request.bad_body"),
        (voter_info_query(&v[1], &v[0], &c), 403, "eid.bad_signature"),
        (voter_info_query(&v[3], &v[3], &c), 403, "eid.not_on_roll"),
        (voter_info_query(&v[4], &v[4], &c), 403, "eid.revoked"),
        (voter_info_query(&v[5], &v[5], &c), 403, "eid.expired"),
        (
            voter_info_query(&h.f.other_ca_voter, &h.f.other_ca_voter, &c),
            403,
            "eid.unknown_issuer",
        ),
        (json!({ "challenge": "zz" }), 400, "request.bad_body"),
    ];
    for (query, status, code) in cases {
        h.refused(post_json("/voter-info", &query), status, code)
            .await;
    }
    let good = voter_info_query(&v[0], &v[0], &c);
    h.time.fetch_add(300, Ordering::SeqCst);
    h.refused(post_json("/voter-info", &good), 403, "challenge.expired")
        .await;
    h.time.store(h.f.election.ends, Ordering::SeqCst);
    h.refused(post_json("/voter-info", &good), 503, "election.closed")
        .await;
}

#[tokio::test]
async fn every_refusal_of_the_router_is_json_with_its_code() {
    let h = harness(Limits {
        body_bytes: 1000,
        ..Limits::default()
    });
    h.refused(get("/log/inclusion/-1"), 400, "request.bad_path")
        .await;
    h.refused(get("/log/inclusion/1x?size=2"), 400, "request.bad_path")
        .await;
    // One past the documented maximum, u64::MAX.
    h.refused(
        get("/log/inclusion/18446744073709551616"),
        400,
        "request.bad_path",
    )
    .await;
    h.refused(
        get(&format!("/verify/{}", "a".repeat(63))),
        400,
        "verify.bad_id",
    )
    .await;
    h.refused(get("/log/inclusion/0?size=-2"), 400, "request.bad_query")
        .await;
    h.refused(
        get("/log/consistency?from=a&to=2"),
        400,
        "request.bad_query",
    )
    .await;
    h.refused(get("/nothing/here"), 404, "request.not_found")
        .await;
    h.refused(get("/submit"), 405, "request.method_not_allowed")
        .await;
    let resp = h
        .app
        .clone()
        .oneshot(Request::delete("/log/head").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(resp.headers()[header::ALLOW], "GET,HEAD");
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["code"], "request.method_not_allowed");
    h.refused(
        post_json("/voter-info", &"x".repeat(2000)),
        413,
        "request.too_large",
    )
    .await;
    h.refused(post("/voter-info", b"{}".to_vec()), 415, "request.not_json")
        .await;
    h.refused(
        post_json("/voter-info", &json!({ "nonce": 1 })),
        400,
        "request.bad_body",
    )
    .await;
    h.refused(post("/submit", vec![0; 2000]), 413, "submission.too_large")
        .await;
}

#[tokio::test]
async fn challenges_are_limited_per_address() {
    let mut h = harness(Limits::default());
    let from = |ip: &str| {
        let mut r = post("/challenge", vec![]);
        r.extensions_mut().insert(Peer(ip.parse().unwrap()));
        r
    };
    for _ in 0..3 {
        assert_eq!(h.call(from("192.0.2.1")).await.0, StatusCode::OK);
    }
    h.refused(from("192.0.2.1"), 429, "challenge.rate_limited")
        .await;
    // Another address still gets one, and a voter still votes.
    assert_eq!(h.call(from("192.0.2.2")).await.0, StatusCode::OK);
    // Any request counts against the per-address request limit (6 here): the 7th from
    // 192.0.2.1 is refused before its route is reached.
    let mut health = get("/healthz");
    health
        .extensions_mut()
        .insert(Peer("192.0.2.1".parse().unwrap()));
    assert_eq!(h.call(health).await.0, StatusCode::OK);
    h.refused(from("192.0.2.1"), 429, "challenge.rate_limited")
        .await;
    h.refused(from("192.0.2.1"), 429, "request.rate_limited")
        .await;
    // Other addresses, and voters, go on.
    assert_eq!(h.call(from("192.0.2.3")).await.0, StatusCode::OK);
    h.vote(0).await;
}
