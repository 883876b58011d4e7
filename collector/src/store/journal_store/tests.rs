use std::io::Write;

use super::*;
use crate::store::contract_tests::{accepted, key, store_contract_tests, Backend, Opened};
use crate::test_support::Fixture;

/// A journal store in a temporary folder.
struct Folder(tempfile::TempDir);

impl Folder {
    fn new() -> Folder {
        Folder(tempfile::tempdir().unwrap())
    }
}

impl Backend for Folder {
    fn open(&self, f: &Fixture, now: i64) -> Opened {
        let store = JournalStore::open(self.0.path(), &f.election, key(), now)
            .unwrap()
            .0;
        Box::pin(std::future::ready(Arc::new(store) as Arc<dyn Store>))
    }
}

store_contract_tests!(Folder::new());

fn open(dir: &Path, f: &Fixture) -> Result<(JournalStore, ScanEnd), StoreError> {
    JournalStore::open(dir, &f.election, key(), f.now)
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
    assert!(store.find(&hash).await.unwrap().is_some());
    assert!(store.any_ciphertext_stored(&[ciphertext]));
    assert!(store.challenge_used(&[1; 32]));
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

#[tokio::test]
async fn a_closing_statement_that_does_not_fit_the_journal_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new();
    let (store, _) = open(dir.path(), &f).unwrap();
    let a = accepted(&mut f, &store, 0, 1);
    store.commit(a, f.now).await.unwrap();
    let final_head = store.close(f.now + 10).await.unwrap();
    let on_disk = std::fs::read(dir.path().join(FINAL_HEAD_FILE)).unwrap();
    assert_eq!(on_disk, final_head.to_bytes());
    drop(store);
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
