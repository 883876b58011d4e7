//! `verifier receipt`: a voter's receipt against the record's final log.

// Test helpers outside `#[test]` functions: clippy's allow-*-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::Command;

use ivote_protocol::hashes::BallotHash;
use ivote_protocol::receipt::ReceiptContent;
use ivote_testkit::election::Election;
use ivote_testkit::record::{ballots, log_of, test_election, Record};
use ivote_verifier::receipt::check_receipt;
use ivote_verifier::report::Status;
use ivote_verifier::{Options, RecordDir};
use rand::rngs::OsRng;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn setup() -> (Election, Record, tempfile::TempDir) {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let e = test_election(&mut rng);
    let ballots = ballots(&e, 5, &mut rng);
    let r = Record::honest(&e, ballots, 1, &mut rng);
    let dir = tempfile::tempdir().unwrap();
    r.write(&e, dir.path());
    (e, r, dir)
}

#[test]
fn a_genuine_receipt_in_the_final_log_verifies() {
    let (e, r, dir) = setup();
    let receipt = r.receipt(&e, 3).to_bytes();
    let record = RecordDir::open(dir.path()).unwrap();
    let report = check_receipt(&record, &receipt, None, &Options::default(), &mut OsRng);
    assert_eq!(report.exit_code(), 0, "{}", report.to_text());
    // Hex text works too, and the binary with the app's ballot hash.
    let bin = env!("CARGO_BIN_EXE_verifier");
    let path = dir.path().join("..").join("receipt.hex");
    std::fs::write(&path, hex::encode(&receipt)).unwrap();
    let out = Command::new(bin)
        .args([
            "receipt",
            "--ballot-hash",
            &r.records[3].ballot_hash.to_hex(),
        ])
        .arg(dir.path())
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Another ballot's hash: the receipt is not for it.
    let report = check_receipt(
        &record,
        &receipt,
        Some(BallotHash([3; 32])),
        &Options::default(),
        &mut OsRng,
    );
    let r01 = report.checks.iter().find(|c| c.id == "R01").unwrap();
    assert_eq!(r01.status, Status::Failed);
    assert!(
        r01.failures[0].detail.contains("receipt."),
        "{:?}",
        r01.failures
    );
}

#[test]
fn a_receipt_whose_record_was_dropped_from_the_log_fails_r02() {
    let (e, mut r, dir) = setup();
    let receipt = r.receipt(&e, 2).to_bytes();
    // The collector drops leaf 2 and signs a new final head over the rest.
    r.records.remove(2);
    r.log = log_of(&e, &r.records);
    r.rule_counts.submissions -= 1;
    r.rule_counts.superseded -= 1;
    r.write(&e, dir.path());
    let record = RecordDir::open(dir.path()).unwrap();
    let report = check_receipt(&record, &receipt, None, &Options::default(), &mut OsRng);
    let failed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Failed)
        .map(|c| c.id)
        .collect();
    assert_eq!(failed, ["R02"], "{}", report.to_text());
    assert!(report.to_text().contains("not a prefix of the final log"));
    assert_eq!(report.exit_code(), 1);
}

/// The collector's receipt names the voter's ballot and a receive time, and the record hash
/// of a leaf that holds another ballot, or was received at another time: signed and included,
/// so R01 passes; R02 reads the leaf's ballot hash and time in log.bin and names the lie.
#[test]
fn a_receipt_whose_leaf_holds_another_ballot_or_time_fails_r02() {
    let (e, r, dir) = setup();
    let record = RecordDir::open(dir.path()).unwrap();
    let ctx = e.package.context_hash;
    let voters_ballot = BallotHash([7; 32]);
    let lies: [(&dyn Fn(&mut ReceiptContent), &str); 2] = [
        (
            &|c| c.ballot_hash = voters_ballot,
            "of the final log holds ballot",
        ),
        (&|c| c.received_at += 5, "of the final log was received at"),
    ];
    for (lie, says) in lies {
        let mut content = r.receipt(&e, 3).content;
        lie(&mut content);
        let receipt = content.sign(&e.collector, &ctx).to_bytes();
        let report = check_receipt(&record, &receipt, None, &Options::default(), &mut OsRng);
        let failed: Vec<&str> = report
            .checks
            .iter()
            .filter(|c| c.status == Status::Failed)
            .map(|c| c.id)
            .collect();
        assert_eq!(failed, ["R02"], "{}", report.to_text());
        let r02 = report.checks.iter().find(|c| c.id == "R02").unwrap();
        assert_eq!(r02.failures.len(), 1, "{:?}", r02.failures);
        assert!(
            r02.failures[0].detail.starts_with("leaf 3 ") && r02.failures[0].detail.contains(says),
            "{:?}",
            r02.failures
        );
    }
}
