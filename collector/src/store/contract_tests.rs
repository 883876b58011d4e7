//! The store contract: what every backend must do, as tests run against each of them
//! (`journal_store/tests.rs` for the embedded store, `pg_store/tests.rs` for PostgreSQL)
//! through [`store_contract_tests!`]. A backend hands out the same storage at every
//! [`Backend::open`], so opening again after dropping the store is a restart.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use ed25519_dalek::SigningKey;
use ivote_protocol::challenge::Purpose;
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::merkle::{leaf_hash, verify_consistency, verify_inclusion};
use ivote_protocol::receipt::Receipt;

use super::{CommitError, Store};
use crate::decide::{decide, Accepted};
use crate::reject::Rejection;
use crate::test_support::Fixture;

/// The collector key the contract tests sign with.
pub fn key() -> SigningKey {
    SigningKey::from_bytes(&[9; 32])
}

/// An opened store.
pub type Opened = Pin<Box<dyn Future<Output = Arc<dyn Store>> + Send>>;

/// One backend's storage, opened as often as a test restarts it.
pub trait Backend {
    /// Opens (or reopens) the storage for the fixture's election at `now`, signing with
    /// [`key`].
    fn open(&self, f: &Fixture, now: i64) -> Opened;
}

/// A checked submission by voter `v` (0 or 1: tartu) under a fresh challenge with `nonce`.
pub fn accepted(f: &mut Fixture, store: &dyn Store, v: usize, nonce: u8) -> Accepted {
    let now = f.now;
    let c = f.challenge([nonce; 32]);
    let ballot = f.ballot("tartu", &c, v).to_bytes();
    let body = f.submit_as(&f.voters[v], &c, &ballot);
    let Fixture { election, rng, .. } = f;
    decide(election, store.view(), &body, now, rng).unwrap()
}

async fn check(store: &dyn Store, f: &Fixture, receipt: &Receipt, ballot: &BallotHash) {
    receipt
        .verify(&key().verifying_key(), &f.election.context, ballot)
        .unwrap();
    assert!(store.find(ballot).await.unwrap().is_some());
}

/// Receipts verify, revotes are numbered, a restart serves the same log and remembers the
/// used challenges and the ciphertexts.
pub async fn receipts_revotes_and_a_restart(b: &dyn Backend) {
    let mut f = Fixture::new();
    let store = b.open(&f, f.now).await;
    assert_eq!(store.head().size, 0);
    let mut hashes = Vec::new();
    let mut ciphertext = [0; 64];
    for (i, v) in [0, 1, 0].into_iter().enumerate() {
        let a = accepted(&mut f, &*store, v, i as u8 + 1);
        let hash = a.ballot_hash;
        ciphertext = a.ciphertexts[0];
        let r = store.commit(a, f.now + i as i64).await.unwrap();
        check(&*store, &f, &r, &hash).await;
        assert_eq!(r.content.leaf_index, i as u64);
        assert_eq!(r.content.voter_seq, if i == 2 { 2 } else { 1 });
        hashes.push(hash);
    }
    let head = store.head();
    assert_eq!(head.size, 3);
    assert!(store.challenge_used(&[1; 32]));
    assert!(!store.challenge_used(&[7; 32]));
    assert_eq!(
        store
            .ballots_cast(&format!("PNOEE-{}", f.voters[0].code))
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.ballots_cast("PNOEE-00000000000").await.unwrap(), 0);
    assert!(store.find(&BallotHash([0; 32])).await.unwrap().is_none());
    drop(store);

    let store = b.open(&f, f.now + 5).await;
    assert_eq!((store.head().size, store.head().root), (3, head.root));
    assert!(store.challenge_used(&[1; 32]));
    assert!(store.any_ciphertext_stored(&[ciphertext]));
    let stored = store.find(&hashes[2]).await.unwrap().unwrap();
    assert_eq!(stored.record.voter_seq, 2);
    assert_eq!(stored.record.ballot_hash, hashes[2]);
    // A revote after the restart continues the voter's sequence; the log only grows.
    let a = accepted(&mut f, &*store, 0, 9);
    let r = store.commit(a, f.now).await.unwrap();
    assert_eq!((r.content.leaf_index, r.content.voter_seq), (3, 3));
    let proof = store.consistency_proof(3, 4).unwrap();
    assert!(verify_consistency(
        3,
        4,
        &head.root,
        &store.head().root,
        &proof
    ));
    // The used challenge is refused again after the restart, as are copied ciphertexts.
    let again = accepted_unchecked(&mut f, 0, 1);
    assert_eq!(refusal(store.commit(again, f.now).await), "challenge.used");
}

/// A submission under challenge `nonce` without the snapshot check (as if two raced past
/// `decide`): what only the commit's re-check can refuse.
fn accepted_unchecked(f: &mut Fixture, v: usize, nonce: u8) -> Accepted {
    let now = f.now;
    let c = f.challenge([nonce; 32]);
    let ballot = f.ballot("tartu", &c, v).to_bytes();
    let body = f.submit_as(&f.voters[v], &c, &ballot);
    let empty = crate::test_support::MemView::default();
    let Fixture { election, rng, .. } = f;
    decide(election, &empty, &body, now, rng).unwrap()
}

fn refusal(r: Result<Receipt, CommitError>) -> &'static str {
    match r {
        Err(CommitError::Rejected(e)) => e.code(),
        Err(e) => panic!("not a refusal: {e}"),
        Ok(_) => panic!("accepted"),
    }
}

/// Concurrent commits get distinct, gap-free leaves in one consistent log; of two racing
/// for one challenge or one set of ciphertexts, one wins.
pub async fn concurrent_commits(b: &dyn Backend) {
    let mut f = Fixture::new();
    let store = b.open(&f, f.now).await;
    let mut jobs = Vec::new();
    for i in 0..16u8 {
        jobs.push(accepted(&mut f, &*store, usize::from(i % 2), i + 1));
    }
    let same_challenge = jobs[0].clone();
    let mut same_ciphertexts = jobs[1].clone();
    same_ciphertexts.nonce = [99; 32];
    jobs.push(same_challenge);
    jobs.push(same_ciphertexts);
    let tasks: Vec<_> = jobs
        .into_iter()
        .map(|a| {
            let store = store.clone();
            let hash = a.ballot_hash;
            tokio::spawn(async move { (hash, store.commit(a, 0).await) })
        })
        .collect();
    let mut receipts = Vec::new();
    let mut codes = Vec::new();
    for t in tasks {
        let (hash, result) = t.await.unwrap();
        match result {
            Ok(r) => receipts.push((hash, r)),
            Err(CommitError::Rejected(e)) => codes.push(e.code()),
            Err(e) => panic!("{e}"),
        }
    }
    let head = store.head();
    let mut leaves = Vec::new();
    let mut seqs: HashMap<u32, u32> = HashMap::new();
    for (hash, r) in &receipts {
        check(&*store, &f, r, hash).await;
        leaves.push(r.content.leaf_index);
        *seqs.entry(r.content.voter_seq).or_default() += 1;
        let proof = store.inclusion_proof(r.content.leaf_index, 16).unwrap();
        assert!(verify_inclusion(
            &leaf_hash(&r.content.record_hash.0),
            r.content.leaf_index,
            16,
            &proof,
            &head.root,
        ));
    }
    leaves.sort_unstable();
    assert_eq!(leaves, (0..16).collect::<Vec<_>>());
    // Two voters with eight ballots each: sequence numbers 1..=8, twice each.
    assert_eq!(seqs, (1..=8).map(|s| (s, 2)).collect());
    codes.sort_unstable();
    assert_eq!(codes, ["ballot.duplicate_ciphertext", "challenge.used"]);
    assert_eq!(head.size, 16);
}

/// Closing covers what was committed before, refuses what comes after, is idempotent and
/// survives a restart.
pub async fn close(b: &dyn Backend) {
    let mut f = Fixture::new();
    let store = b.open(&f, f.now).await;
    let a = accepted(&mut f, &*store, 0, 1);
    let b2 = accepted(&mut f, &*store, 1, 2);
    store.commit(a, f.now).await.unwrap();
    let final_head = store.close(f.now + 10).await.unwrap();
    assert_eq!(
        refusal(store.commit(b2, f.now + 11).await),
        Rejection::Closed.code()
    );
    assert_eq!(final_head.head.size, 1);
    assert_eq!(final_head.head.timestamp, f.now + 10);
    final_head
        .verify(&key().verifying_key(), &f.election.context)
        .unwrap();
    assert_eq!(store.head(), final_head.head);
    assert_eq!(store.final_head(), Some(final_head));
    // Idempotent.
    assert_eq!(store.close(f.now + 99).await.unwrap(), final_head);
    drop(store);

    let store = b.open(&f, f.now + 20).await;
    assert_eq!(store.final_head(), Some(final_head));
    assert_eq!(store.head(), final_head.head);
    let c = accepted(&mut f, &*store, 1, 3);
    assert_eq!(
        refusal(store.commit(c, f.now).await),
        Rejection::Closed.code()
    );
}

/// A request whose clock reading was overtaken by a later one's is logged at the later
/// time, also after a restart; one overtaken past its challenge's expiry is refused.
pub async fn receive_times_never_decrease(b: &dyn Backend) {
    let mut f = Fixture::new();
    let store = b.open(&f, f.now).await;
    let a = accepted(&mut f, &*store, 0, 1);
    store.commit(a, f.now + 10).await.unwrap();
    let b2 = accepted(&mut f, &*store, 1, 2);
    let hash = b2.ballot_hash;
    store.commit(b2, f.now).await.unwrap();
    let stored = store.find(&hash).await.unwrap().unwrap();
    assert_eq!(stored.record.received_at, f.now + 10);
    drop(store);
    let store = b.open(&f, f.now).await;
    let c = accepted(&mut f, &*store, 0, 3);
    let hash = c.ballot_hash;
    store.commit(c, f.now + 5).await.unwrap();
    let stored = store.find(&hash).await.unwrap().unwrap();
    assert_eq!(stored.record.received_at, f.now + 10);
    // A submission decided at now + 50 under a challenge expiring at now + 100 waits behind
    // one logged at now + 200: stamped now + 200, it is past its expiry and refused.
    let d = accepted(&mut f, &*store, 1, 4);
    store.commit(d, f.now + 200).await.unwrap();
    let now = f.now;
    let c = f.challenge_at([5; 32], now, now + 100, Purpose::Vote);
    let ballot = f.ballot("tartu", &c, 0).to_bytes();
    let body = f.submit_as(&f.voters[0], &c, &ballot);
    let Fixture { election, rng, .. } = &mut f;
    let e = decide(election, store.view(), &body, now + 50, rng).unwrap();
    assert_eq!(
        refusal(store.commit(e, now + 50).await),
        "challenge.expired"
    );
}

/// Verifications are counted per ballot.
pub async fn verifications_are_counted(b: &dyn Backend) {
    let mut f = Fixture::new();
    let store = b.open(&f, f.now).await;
    let a = accepted(&mut f, &*store, 0, 1);
    let hash = a.ballot_hash;
    store.commit(a, f.now).await.unwrap();
    for n in 1..=3 {
        assert_eq!(store.count_verification(&hash).await.unwrap(), n);
    }
    drop(store);
    let store = b.open(&f, f.now).await;
    assert_eq!(store.count_verification(&hash).await.unwrap(), 4);
    assert_eq!(
        store
            .count_verification(&BallotHash([5; 32]))
            .await
            .unwrap(),
        1
    );
}

/// The contract's tests for one backend: `$backend` is an expression making a fresh
/// [`Backend`] (new, empty storage) for each test.
macro_rules! store_contract_tests {
    ($backend:expr) => {
        mod contract {
            use super::*;
            use $crate::store::contract_tests as contract;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn receipts_revotes_and_a_restart() {
                contract::receipts_revotes_and_a_restart(&$backend).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn concurrent_commits() {
                contract::concurrent_commits(&$backend).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn close() {
                contract::close(&$backend).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn receive_times_never_decrease() {
                contract::receive_times_never_decrease(&$backend).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn verifications_are_counted() {
                contract::verifications_are_counted(&$backend).await
            }
        }
    };
}
pub(crate) use store_contract_tests;
