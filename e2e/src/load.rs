//! The collector's load generator (`collector-load`, the crash and TLS tests
//! `tests/collector_*.rs`, the national run's cast): real voters of the insecure
//! demo PKI vote over HTTP(S) against a running collector, and every receipt is verified.
//!
//! A run has three phases, so that only the submissions are timed: fetch one challenge per
//! planned submission; build every ballot (encrypt and prove, in parallel with rayon; an
//! 81-candidate ballot costs ~13 ms of CPU) and sign it with the voter's key; submit them with
//! C concurrent connections, recording each submission's latency and verifying each
//! receipt (signature, inclusion proof, ballot hash). A planned share of the voters votes
//! twice (revotes), the second time in the same stream.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use ed25519_dalek::VerifyingKey;
use ivote_crypto::contest::EncryptionSeed;
use ivote_crypto::PublicKey;
use ivote_eid::VoterKey;
use ivote_protocol::ballot::BallotShapes;
use ivote_protocol::challenge::SignedChallenge;
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::manifest::WindowCheck;
use ivote_protocol::merkle::{leaf_hash, verify_consistency, verify_inclusion};
use ivote_protocol::receipt::{Receipt, SignedTreeHead};
use ivote_protocol::submission::{SealFor, Submission};
use ivote_protocol::wire::{Challenge, ConsistencyProof, ElectionFacts, InclusionProof};
use ivote_protocol::{ContextHash, ElectionManifest};
use rand::seq::SliceRandom;
use rand::{CryptoRng, Rng, RngCore};
use rayon::prelude::*;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use thiserror::Error;

use ivote_collector::client::{ApiClient, ClientError};
use ivote_testkit::cli;

/// Why the load generator cannot go on.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LoadError {
    /// A demo PKI file is missing or unreadable.
    #[error("{path}: {detail}")]
    File {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// The collector's `/election` does not describe a usable election.
    #[error("the collector's election: {0}")]
    Election(String),
    /// A request failed.
    #[error(transparent)]
    Client(#[from] ClientError),
}

fn file_error(path: &Path, detail: impl ToString) -> LoadError {
    LoadError::File {
        path: path.display().to_string(),
        detail: detail.to_string(),
    }
}

/// A manifest with one district (`d1`) and one plurality contest of `candidates` candidates
/// (no blank option), voting from `starts` to `ends` (Unix seconds).
pub fn manifest_toml(candidates: usize, starts: i64, ends: i64) -> Result<String, String> {
    let id = format!("load-{candidates}");
    ivote_testkit::manifest::plurality(&id, &[candidates], starts, ends)
}

/// The `tally` command lines that set up a load-test election in `dir` (a fresh folder
/// holding `manifest.toml` from [`manifest_toml`], `pass.txt` and the collector's public key
/// `collector/collector-key.hex`; the election of `candidates` candidates): demo PKI of `voters` voters in `pki/`, a 2-of-3 key
/// ceremony, the officials' key in `officials/`, the package in `package/` (built as of
/// `built_at`, before voting starts). Insecure settings throughout: for tests and benchmarks.
pub fn setup_commands(
    dir: &Path,
    voters: u32,
    candidates: usize,
    built_at: i64,
) -> Result<Vec<Vec<String>>, String> {
    let election_id = format!("load-{candidates}");
    let built_at = jiff::Timestamp::from_second(built_at)
        .map_err(|e| e.to_string())?
        .to_string();
    Ok(vec![
        cli::demo_pki(dir, voters as usize, 0, "ed25519"),
        cli::ceremony_run_all(dir, &election_id, 3, 2, "ceremony"),
        cli::officials_key_generate(dir, "officials"),
        cli::PackageBuild::new(dir, &built_at).args(),
    ])
}

/// A voter of the demo PKI: id code, district, certificate, key.
pub struct Voter {
    /// The id code.
    pub code: String,
    /// The district (from the roll).
    pub district: String,
    cert_der: Vec<u8>,
    key: VoterKey,
}

impl std::fmt::Debug for Voter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Voter")
            .field("code", &self.code)
            .field("district", &self.district)
            .finish_non_exhaustive()
    }
}

/// The voters of a demo PKI folder (`tally insecure-demo-pki --out DIR`): `roll.csv` and
/// `voters/CODE.cert.pem`, `voters/CODE.key.pem`.
pub fn read_voters(pki: &Path) -> Result<Vec<Voter>, LoadError> {
    let roll_path = pki.join("roll.csv");
    let roll = std::fs::read_to_string(&roll_path).map_err(|e| file_error(&roll_path, e))?;
    let mut voters = Vec::new();
    for line in roll.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let (code, district) = line
            .split_once(',')
            .ok_or_else(|| file_error(&roll_path, format!("bad line `{line}`")))?;
        voters.push(read_voter(pki, code, district.trim())?);
    }
    Ok(voters)
}

/// One voter of a demo PKI folder, of district `district`: `voters/CODE.cert.pem` and
/// `voters/CODE.key.pem` (a long run reads its voters a chunk at a time, not all at once).
pub fn read_voter(pki: &Path, code: &str, district: &str) -> Result<Voter, LoadError> {
    let cert_path = pki.join(format!("voters/{code}.cert.pem"));
    let key_path = pki.join(format!("voters/{code}.key.pem"));
    let cert_pem = std::fs::read(&cert_path).map_err(|e| file_error(&cert_path, e))?;
    let key_pem = std::fs::read(&key_path).map_err(|e| file_error(&key_path, e))?;
    let cert_der = CertificateDer::from_pem_slice(&cert_pem)
        .map_err(|e| file_error(&cert_path, e))?
        .to_vec();
    let key = VoterKey::from_pkcs8_pem(&key_pem).map_err(|e| file_error(&key_path, e))?;
    Ok(Voter {
        code: code.to_owned(),
        district: district.to_owned(),
        cert_der,
        key,
    })
}

/// What a voter needs from `GET /election`.
#[derive(Debug)]
pub struct ElectionView {
    /// The context hash.
    pub context: ContextHash,
    /// The joint election key.
    pub joint_key: PublicKey,
    /// The ballot shapes, from the manifest.
    pub shapes: BallotShapes,
    /// The collector's key (receipts).
    pub collector_key: VerifyingKey,
}

impl ElectionView {
    /// Reads the answer of `GET /election`.
    pub fn from_facts(e: &ElectionFacts) -> Result<ElectionView, LoadError> {
        let bad = |what: &str| LoadError::Election(format!("a malformed {what}"));
        let joint_key = PublicKey::from_bytes(&e.joint_key).map_err(|_| bad("joint key"))?;
        let collector_key =
            VerifyingKey::from_bytes(&e.collector_key).map_err(|_| bad("collector key"))?;
        let manifest = ElectionManifest::from_toml(&e.manifest, WindowCheck::AllowPast)
            .map_err(|e| LoadError::Election(e.to_string()))?;
        let shapes = BallotShapes::from_manifest(&manifest)
            .map_err(|e| LoadError::Election(e.to_string()))?;
        Ok(ElectionView {
            context: e.context,
            joint_key,
            shapes,
            collector_key,
        })
    }

    /// A valid random choice for every contest of `district`: each selection at its
    /// least, then random selections raised until the sum reaches at least 1 (or the
    /// contest's least sum).
    pub fn choices(&self, district: &str, rng: &mut impl Rng) -> Option<Vec<Vec<u64>>> {
        let contests = self.shapes.district(district)?;
        let mut all = Vec::new();
        for (_, shape) in contests {
            let ranges = shape.selections();
            let mut values: Vec<u64> = ranges.iter().map(|r| r.lo()).collect();
            let target = shape.sum().lo().max(shape.sum().hi().min(1));
            let mut order: Vec<usize> = (0..values.len()).collect();
            order.shuffle(rng);
            for i in order {
                if values.iter().sum::<u64>() >= target {
                    break;
                }
                if let (Some(v), Some(r)) = (values.get_mut(i), ranges.get(i)) {
                    if *v < r.hi() {
                        *v += 1;
                    }
                }
            }
            all.push(values);
        }
        Some(all)
    }

    /// A signed submission of `voter` for the challenge with `choices` (per contest of the
    /// voter's district, one value per selection); its bytes and ballot hash.
    pub fn submission<R: RngCore + CryptoRng>(
        &self,
        voter: &Voter,
        challenge: &SignedChallenge,
        choices: &[Vec<u64>],
        rng: &mut R,
    ) -> Result<(Vec<u8>, BallotHash), LoadError> {
        let on = SealFor {
            context: &self.context,
            joint_key: &self.joint_key,
            shapes: &self.shapes,
            district: &voter.district,
            challenge,
        };
        let seed = EncryptionSeed::random(rng);
        let sign = |m: &[u8]| voter.key.sign(m);
        let sealed = Submission::seal(on, choices, &seed, &voter.cert_der, sign, rng)
            .map_err(|e| LoadError::Election(e.to_string()))?;
        Ok((sealed.submission.to_bytes(), sealed.ballot_hash))
    }
}

/// How to run the load.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Concurrent connections.
    pub concurrency: usize,
    /// The share of voters (0 to 1) who vote a second time.
    pub revote_fraction: f64,
}

/// A submission's outcome.
#[derive(Debug)]
pub enum Outcome {
    /// Accepted; the receipt verified.
    Accepted(Box<Receipt>),
    /// Refused by the collector (its code).
    Refused(String),
    /// The connection failed (e.g. the collector was killed).
    Transport(String),
    /// The receipt did not verify (a collector bug: always reported).
    BadReceipt(String),
}

/// What a run measured.
#[derive(Debug, Default)]
pub struct Report {
    /// Submissions sent.
    pub sent: usize,
    /// Every verified receipt.
    pub receipts: Vec<Receipt>,
    /// Refusals and failures by code (`transport`, `bad_receipt` for the load generator's
    /// own).
    pub failures: BTreeMap<String, usize>,
    /// Latencies of the accepted submissions.
    pub latencies: Vec<Duration>,
    /// From the first submission to the last answer.
    pub elapsed: Duration,
    /// Time to fetch the challenges.
    pub challenge_time: Duration,
    /// Time to build the ballots.
    pub build_time: Duration,
}

impl Report {
    /// Accepted submissions per second.
    pub fn per_second(&self) -> f64 {
        self.receipts.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency at quantile `q` (0 to 1) of the accepted submissions.
    pub fn latency(&self, q: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let i = ((sorted.len() as f64 * q).ceil() as usize).saturating_sub(1);
        sorted.get(i).copied().unwrap_or_default()
    }

    /// A few lines for people.
    pub fn render(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        format!(
            "challenges: {:.1} s; ballots built: {:.1} s\n\
             sent {}, accepted {} in {:.2} s: {:.0} accepted/s\n\
             latency ms: p50 {:.1}, p90 {:.1}, p99 {:.1}, max {:.1}\n\
             failures: {:?}\n",
            self.challenge_time.as_secs_f64(),
            self.build_time.as_secs_f64(),
            self.sent,
            self.receipts.len(),
            self.elapsed.as_secs_f64(),
            self.per_second(),
            ms(self.latency(0.5)),
            ms(self.latency(0.9)),
            ms(self.latency(0.99)),
            ms(self.latency(1.0)),
            self.failures
        )
    }
}

/// Runs `workers` tasks over `items`, at most `workers` at a time, keeping the order.
pub async fn concurrently<T, O, F, Fut>(items: Vec<T>, workers: usize, f: F) -> Vec<O>
where
    T: Send + 'static,
    O: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = O> + Send,
{
    let n = items.len();
    let queue = Arc::new(Mutex::new(items.into_iter().enumerate()));
    let f = Arc::new(f);
    let mut tasks = Vec::new();
    for _ in 0..workers.max(1) {
        let (queue, f) = (queue.clone(), f.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::new();
            loop {
                let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
                let Some((i, item)) = next else { break };
                done.push((i, f(item).await));
            }
            done
        }));
    }
    let mut out: Vec<Option<O>> = (0..n).map(|_| None).collect();
    for t in tasks {
        if let Ok(done) = t.await {
            for (i, o) in done {
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(o);
                }
            }
        }
    }
    out.into_iter().flatten().collect()
}

/// Fetches a challenge and checks the collector's signature on it.
pub async fn challenge(
    client: &ApiClient,
    view: &ElectionView,
) -> Result<SignedChallenge, LoadError> {
    let c: Challenge = client.post_json("/challenge", &()).await?;
    let c = c
        .signed()
        .map_err(|e| LoadError::Election(format!("the challenge: {e}")))?;
    c.verify(&view.collector_key, &view.context)
        .map_err(|e| LoadError::Election(format!("the challenge: {e}")))?;
    Ok(c)
}

/// Submits one body; checks the receipt.
pub async fn submit(
    client: &ApiClient,
    view: &ElectionView,
    body: Vec<u8>,
    hash: &BallotHash,
) -> Outcome {
    match client.post_bytes("/submit", body).await {
        Ok(bytes) => match Receipt::from_bytes(&bytes).and_then(|r| {
            r.verify(&view.collector_key, &view.context, hash)
                .map(|()| r)
        }) {
            Ok(r) => Outcome::Accepted(Box::new(r)),
            Err(e) => Outcome::BadReceipt(e.to_string()),
        },
        Err(ClientError::Refused { code, .. }) => Outcome::Refused(code),
        Err(e) => Outcome::Transport(e.to_string()),
    }
}

/// Whether every receipt is in the log the collector at `client` serves, under `head`: an
/// inclusion proof of its record, and a consistency proof from the head it carried to
/// `head`. `Err` names the first receipt that is not.
pub async fn receipts_in_log(
    client: &ApiClient,
    head: &SignedTreeHead,
    receipts: &[Receipt],
) -> Result<(), String> {
    for r in receipts {
        let c = &r.content;
        let at = format!("the receipt of leaf {}", c.leaf_index);
        let inc: InclusionProof = client
            .get_json(&format!(
                "/log/inclusion/{}?size={}",
                c.leaf_index, head.size
            ))
            .await
            .map_err(|e| format!("{at}: {e}"))?;
        if !verify_inclusion(
            &leaf_hash(&c.record_hash.0),
            c.leaf_index,
            head.size,
            &inc.proof,
            &head.root,
        ) {
            return Err(format!("{at}: not in the log"));
        }
        let old = &c.tree_head;
        let consistent = if old.size == head.size {
            old.root == head.root
        } else {
            let proof: ConsistencyProof = client
                .get_json(&format!(
                    "/log/consistency?from={}&to={}",
                    old.size, head.size
                ))
                .await
                .map_err(|e| format!("{at}: {e}"))?;
            verify_consistency(old.size, head.size, &old.root, &head.root, &proof.proof)
        };
        if !consistent {
            return Err(format!("{at}: its tree head is not a prefix of the log"));
        }
    }
    Ok(())
}

/// The whole run against the collector at `client` (see the module docs).
pub async fn run(
    client: ApiClient,
    voters: Arc<Vec<Voter>>,
    plan: Plan,
) -> Result<Report, LoadError> {
    let view = Arc::new(ElectionView::from_facts(
        &client.get_json("/election").await?,
    )?);
    let revoters = (voters.len() as f64 * plan.revote_fraction.clamp(0.0, 1.0)).round() as usize;
    let who: Vec<usize> = (0..voters.len()).chain(0..revoters).collect();

    let started = Instant::now();
    let (c, v) = (client.clone(), view.clone());
    let nonces = concurrently(vec![(); who.len()], plan.concurrency, move |()| {
        let (c, v) = (c.clone(), v.clone());
        async move { challenge(&c, &v).await }
    })
    .await
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    let challenge_time = started.elapsed();

    let started = Instant::now();
    let (v, vs) = (view.clone(), voters.clone());
    let bodies = tokio::task::spawn_blocking(move || {
        who.par_iter()
            .zip(nonces)
            .map(|(&i, nonce)| {
                let rng = &mut rand::thread_rng();
                let voter = vs
                    .get(i)
                    .ok_or_else(|| LoadError::Election("no such voter".into()))?;
                let choices = v.choices(&voter.district, rng).ok_or_else(|| {
                    LoadError::Election(format!("no district `{}`", voter.district))
                })?;
                v.submission(voter, &nonce, &choices, rng)
            })
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| LoadError::Election(e.to_string()))??;
    let build_time = started.elapsed();

    let sent = bodies.len();
    let started = Instant::now();
    let (c, v) = (client.clone(), view.clone());
    let outcomes = concurrently(bodies, plan.concurrency, move |(body, hash)| {
        let (c, v) = (c.clone(), v.clone());
        async move {
            let t = Instant::now();
            let outcome = submit(&c, &v, body, &hash).await;
            (outcome, t.elapsed())
        }
    })
    .await;
    let mut report = Report {
        sent,
        elapsed: started.elapsed(),
        challenge_time,
        build_time,
        ..Report::default()
    };
    for (outcome, took) in outcomes {
        let failure = match outcome {
            Outcome::Accepted(r) => {
                report.receipts.push(*r);
                report.latencies.push(took);
                continue;
            }
            Outcome::Refused(code) => code,
            Outcome::Transport(_) => "transport".to_owned(),
            Outcome::BadReceipt(_) => "bad_receipt".to_owned(),
        };
        *report.failures.entry(failure).or_default() += 1;
    }
    Ok(report)
}
