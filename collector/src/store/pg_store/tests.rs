//! The store contract against a real PostgreSQL server (testkit's throw-away cluster), and
//! what only this store does: several collectors on one database, a damaged or foreign
//! database refused.

use ivote_testkit::postgres;

use super::*;
use crate::store::contract_tests::{accepted, key, store_contract_tests, Backend, Opened};
use crate::store::CommitError;
use crate::test_support::Fixture;

/// A database of its own on the shared test server.
struct Database(String);

impl Database {
    fn new() -> Database {
        let server = postgres::shared();
        Database(server.url(&server.create_database()))
    }
}

impl Backend for Database {
    fn open(&self, f: &Fixture, now: i64) -> Opened {
        let (url, election) = (self.0.clone(), f.election.clone());
        Box::pin(async move {
            Arc::new(PgStore::open(&url, election, key(), now).await.unwrap()) as Arc<dyn Store>
        })
    }
}

store_contract_tests!(Database::new());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_collectors_on_one_database_share_one_log() {
    let db = Database::new();
    let mut f = Fixture::new();
    let a = PgStore::open(&db.0, f.election.clone(), key(), f.now)
        .await
        .unwrap();
    let b = PgStore::open(&db.0, f.election.clone(), key(), f.now)
        .await
        .unwrap();
    let mut receipts = Vec::new();
    // Alternating collectors, the same two voters: one order, gap-free, each voter's
    // revotes numbered in order whichever collector took them.
    for i in 0..6u8 {
        let store: &PgStore = if i % 2 == 0 { &a } else { &b };
        let job = accepted(&mut f, store, usize::from(i % 3 == 0), i + 1);
        receipts.push(store.commit(job, f.now + i64::from(i)).await.unwrap());
    }
    let leaves: Vec<u64> = receipts.iter().map(|r| r.content.leaf_index).collect();
    assert_eq!(leaves, [0, 1, 2, 3, 4, 5]);
    let seqs: Vec<u32> = receipts.iter().map(|r| r.content.voter_seq).collect();
    // Voter 1 at i = 0, 3; voter 0 at i = 1, 2, 4, 5.
    assert_eq!(seqs, [1, 1, 2, 2, 3, 4]);
    // A challenge used at one collector is refused at the other, even before it followed.
    let again = accepted(&mut f, &b, 0, 7);
    let mut twice = again.clone();
    a.commit(again, f.now + 6).await.unwrap();
    twice.ballot_hash = BallotHash([1; 32]);
    let err = b.commit(twice, f.now + 6).await.unwrap_err();
    assert!(
        matches!(&err, CommitError::Rejected(r) if r.code() == "challenge.used"),
        "{err}"
    );
    // The follower brings the other collector's head up to date; both heads agree.
    tokio::time::sleep(FOLLOW_EVERY * 3).await;
    assert_eq!(a.head().size, 7);
    assert_eq!(b.head().size, 7);
    assert_eq!(a.head().root, b.head().root);
    // Closing at one closes both: the other refuses, with the same final head.
    let closed = a.close(f.now + 10).await.unwrap();
    let late = accepted(&mut f, &b, 1, 8);
    let err = b.commit(late, f.now + 11).await.unwrap_err();
    assert!(
        matches!(&err, CommitError::Rejected(r) if r.code() == "election.closed"),
        "{err}"
    );
    assert_eq!(b.close(f.now + 12).await.unwrap(), closed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_elections_database_or_a_damaged_log_is_refused() {
    let db = Database::new();
    let mut f = Fixture::new();
    let store = PgStore::open(&db.0, f.election.clone(), key(), f.now)
        .await
        .unwrap();
    for i in 0..2u8 {
        let job = accepted(&mut f, &store, usize::from(i), i + 1);
        store.commit(job, f.now).await.unwrap();
    }
    drop(store);
    let server = postgres::shared();
    let name = db.0.rsplit('/').next().unwrap();
    // A database of another election (its context made another here).
    let context = server.psql(name, "SELECT encode(context, 'hex') FROM election");
    server.psql(
        name,
        &format!("UPDATE election SET context = '\\x{}'", "07".repeat(32)),
    );
    let err = PgStore::open(&db.0, f.election.clone(), key(), f.now)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("store.wrong_election"), "{err}");
    server.psql(
        name,
        &format!("UPDATE election SET context = '\\x{context}'"),
    );
    PgStore::open(&db.0, f.election.clone(), key(), f.now)
        .await
        .unwrap();
    // A row edited behind the collectors' back.
    server.psql(
        name,
        "UPDATE log SET submission = substring(submission from 1 for 100) WHERE leaf = 1",
    );
    let err = PgStore::open(&db.0, f.election.clone(), key(), f.now)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("store.corrupt_database"), "{err}");
    // Not a connection string; a server that is not there.
    let err = PgStore::open("postgres://x:y:z", f.election.clone(), key(), f.now)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("store.bad_url"), "{err}");
    let gone = format!("postgres://postgres@127.0.0.1:{}/x?connect_timeout=2", 1);
    let err = PgStore::open(&gone, f.election.clone(), key(), f.now)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Database(_)), "{err}");
}
