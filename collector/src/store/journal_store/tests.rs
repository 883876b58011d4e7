use std::io::Write;

use ivote_protocol::merkle::verify_consistency;

use super::*;
use crate::decide::decide;
use crate::test_support::Fixture;

fn key() -> SigningKey {
    SigningKey::from_bytes(&[9; 32])
}

fn open(dir: &Path, f: &Fixture) -> Result<(JournalStore, ScanEnd), StoreError> {
    JournalStore::open(dir, &f.election, key(), f.now)
}

/// A checked submission by voter `v` (0 or 1: tartu) for a freshly issued challenge.
fn accepted(f: &mut Fixture, store: &JournalStore, v: usize, nonce: u8) -> Accepted {
    let now = f.now;
    store.issue_challenge([nonce; 32], now, now + 300).unwrap();
    let c = f.challenge([nonce; 32]);
    let ballot = f.ballot("tartu", &c, v).to_bytes();
    let body = f.submit_as(&f.voters[v], &c, &ballot);
    let Fixture { election, rng, .. } = f;
    decide(election, store.view(), &body, now, rng).unwrap()
}

fn check(store: &JournalStore, f: &Fixture, receipt: &Receipt, ballot: &BallotHash) {
    receipt
        .verify(&key().verifying_key(), &f.election.context, ballot)
        .unwrap();
    assert!(store.find(ballot).unwrap().is_some());
}

#[tokio::test]
async fn receipts_verify_revotes_count_and_a_restart_rebuilds_the_same_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new();
    let (store, end) = open(dir.path(), &f).unwrap();
    assert_eq!(end.entries, 0);
    let mut hashes = Vec::new();
    for (i, v) in [0, 1, 0].into_iter().enumerate() {
        let a = accepted(&mut f, &store, v, i as u8 + 1);
        let hash = a.ballot_hash;
        let r = store.commit(a, f.now + i as i64).await.unwrap();
        check(&store, &f, &r, &hash);
        assert_eq!(r.content.leaf_index, i as u64);
        assert_eq!(r.content.voter_seq, if i == 2 { 2 } else { 1 });
        hashes.push(hash);
    }
    let head = store.head();
    assert_eq!(head.size, 3);
    assert_eq!(store.challenge(&[1; 32]), Some(ChallengeState::Used));
    drop(store);

    let (store, end) = open(dir.path(), &f).unwrap();
    assert_eq!((end.entries, end.torn), (3, 0));
    assert_eq!(store.head().root, head.root);
    assert_eq!(store.challenge(&[1; 32]), Some(ChallengeState::Used));
    let stored = store.find(&hashes[2]).unwrap().unwrap();
    assert_eq!(stored.record.voter_seq, 2);
    // A revote after the restart continues the voter's sequence.
    let a = accepted(&mut f, &store, 0, 9);
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
}

#[tokio::test]
async fn a_lost_index_is_rebuilt_from_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new();
    let (store, _) = open(dir.path(), &f).unwrap();
    let a = accepted(&mut f, &store, 0, 1);
    let hash = a.ballot_hash;
    let ciphertext = a.ciphertexts[0];
    store.commit(a, f.now).await.unwrap();
    let root = store.head().root;
    drop(store);
    std::fs::remove_dir_all(dir.path().join("index")).unwrap();
    let (store, _) = open(dir.path(), &f).unwrap();
    assert_eq!(store.head().root, root);
    assert!(store.find(&hash).unwrap().is_some());
    assert!(store.ciphertext_stored(&ciphertext));
    assert_eq!(store.challenge(&[1; 32]), Some(ChallengeState::Used));
}

/// The byte offset of each entry in the journal.
fn frame_offsets(journal: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < journal.len() {
        out.push(pos);
        let n = u32::from_be_bytes(journal[pos..pos + 4].try_into().unwrap()) as usize;
        pos += 4 + n + 32;
    }
    out
}

async fn three_entries(dir: &Path) -> (Fixture, NodeHash) {
    let mut f = Fixture::new();
    let (store, _) = open(dir, &f).unwrap();
    for i in 0..3u8 {
        let a = accepted(&mut f, &store, usize::from(i % 2), i + 1);
        store.commit(a, f.now).await.unwrap();
    }
    let root = store.head().root;
    (f, root)
}

#[tokio::test]
async fn a_corrupted_middle_entry_stops_the_start_naming_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    let (f, _) = three_entries(dir.path()).await;
    let path = dir.path().join("journal");
    let mut bytes = std::fs::read(&path).unwrap();
    let second = frame_offsets(&bytes)[1];
    bytes[second + 100] ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();
    let err = open(dir.path(), &f).unwrap_err();
    assert!(
        matches!(&err, StoreError::Journal(JournalError::Corrupt { offset, .. }) if *offset == second as u64),
        "{err}"
    );
}

#[tokio::test]
async fn a_torn_tail_is_cut_off_and_the_log_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (f, root) = three_entries(dir.path()).await;
    let path = dir.path().join("journal");
    let bytes = std::fs::read(&path).unwrap();
    let len = bytes.len();
    // A fourth entry whose write stopped after 50 bytes.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    file.write_all(&bytes[..50]).unwrap();
    drop(file);
    let (store, end) = open(dir.path(), &f).unwrap();
    assert_eq!((end.entries, end.torn), (3, 50));
    assert_eq!(store.head().root, root);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), len as u64);
}

#[tokio::test]
async fn an_index_ahead_of_the_journal_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let (f, _) = three_entries(dir.path()).await;
    let path = dir.path().join("journal");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..frame_offsets(&bytes)[2]]).unwrap();
    let err = open(dir.path(), &f).unwrap_err();
    assert!(matches!(err, StoreError::IndexMismatch(_)), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_commits_get_distinct_gap_free_leaves_and_one_consistent_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new();
    let (store, _) = open(dir.path(), &f).unwrap();
    let store = Arc::new(store);
    let mut jobs = Vec::new();
    for i in 0..16u8 {
        jobs.push(accepted(&mut f, &store, usize::from(i % 2), i + 1));
    }
    // Two commits race for one challenge, and two for one set of ciphertexts.
    let same_challenge = jobs[0].clone();
    let mut same_ciphertexts = jobs[1].clone();
    store.issue_challenge([99; 32], f.now, f.now + 300).unwrap();
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
        check(&store, &f, r, hash);
        leaves.push(r.content.leaf_index);
        *seqs.entry(r.content.voter_seq).or_default() += 1;
        let proof = store.inclusion_proof(r.content.leaf_index, 16).unwrap();
        assert!(ivote_protocol::merkle::verify_inclusion(
            &ivote_protocol::merkle::leaf_hash(&r.content.record_hash.0),
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

#[tokio::test]
async fn close_covers_what_came_before_refuses_what_comes_after_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new();
    let (store, _) = open(dir.path(), &f).unwrap();
    let a = accepted(&mut f, &store, 0, 1);
    let b = accepted(&mut f, &store, 1, 2);
    // Queued before the close: in the final head. Queued after: refused.
    let first = store.commit(a, f.now);
    let close = store.close(f.now + 10);
    let late = store.commit(b, f.now + 11);
    first.await.unwrap();
    let final_head = close.await.unwrap();
    assert_eq!(
        late.await.unwrap_err().to_string(),
        Rejection::Closed.to_string()
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
    let on_disk = std::fs::read(dir.path().join(FINAL_HEAD_FILE)).unwrap();
    assert_eq!(on_disk, final_head.to_bytes());
    drop(store);

    // A restart is still closed, with the same head.
    let (store, _) = open(dir.path(), &f).unwrap();
    assert_eq!(store.final_head(), Some(final_head));
    assert_eq!(store.head(), final_head.head);
    let c = accepted(&mut f, &store, 1, 3);
    assert_eq!(
        store.commit(c, f.now).await.unwrap_err().to_string(),
        Rejection::Closed.to_string()
    );
    drop(store);

    // A closing statement that does not fit the journal stops the start.
    let mut bad = on_disk.clone();
    bad[0] ^= 1;
    std::fs::write(dir.path().join(FINAL_HEAD_FILE), &bad).unwrap();
    let err = open(dir.path(), &f).unwrap_err();
    assert_eq!(err.code(), Some("store.bad_final_head"), "{err}");
    std::fs::write(dir.path().join(FINAL_HEAD_FILE), &on_disk[..100]).unwrap();
    assert_eq!(
        open(dir.path(), &f).unwrap_err().code(),
        Some("store.bad_final_head")
    );
}

#[tokio::test]
async fn receive_times_never_decrease_along_the_log_even_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new();
    let (store, _) = open(dir.path(), &f).unwrap();
    let a = accepted(&mut f, &store, 0, 1);
    store.commit(a, f.now + 10).await.unwrap();
    // A request whose clock reading was overtaken by a later one's is logged at the later
    // time, not before it.
    let b = accepted(&mut f, &store, 1, 2);
    let hash = b.ballot_hash;
    store.commit(b, f.now).await.unwrap();
    let stored = store.find(&hash).unwrap().unwrap();
    assert_eq!(stored.record.received_at, f.now + 10);
    drop(store);
    let (store, _) = open(dir.path(), &f).unwrap();
    let c = accepted(&mut f, &store, 0, 3);
    let hash = c.ballot_hash;
    store.commit(c, f.now + 5).await.unwrap();
    let stored = store.find(&hash).unwrap().unwrap();
    assert_eq!(stored.record.received_at, f.now + 10);
}
