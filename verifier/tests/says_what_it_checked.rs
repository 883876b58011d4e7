//! The verifier says what it checked (issue 15, item 8): the real `verifier` binary on
//! corrupted records. A check that could not run on every item it covers is skipped or
//! failed, never "ok"; a voter's receipt that is not the collector's does not accuse the
//! collector; the verdict says when the officials' key was not pinned; and the report shows
//! the counts the verifier recomputed, so nobody needs the officials' `tally results`.

// Test helpers outside `#[test]` functions: clippy's allow-*-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;
use std::process::Command;

use ivote_protocol::record as rec;
use ivote_protocol::record::ballots::{BallotsReader, BallotsWriter};
use ivote_testkit::election::Election;
use ivote_testkit::record::{ballots, log_of, reseal, test_election, Record};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::Value;

fn honest(seed: u64) -> (Election, Record, ChaCha20Rng) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let e = test_election(&mut rng);
    let ballots = ballots(&e, 6, &mut rng);
    let r = Record::honest(&e, ballots, 2, &mut rng);
    (e, r, rng)
}

fn key(e: &Election) -> String {
    hex::encode(e.officials.verifying_key().as_bytes())
}

/// Runs `verifier ARGS`; returns the exit code and standard output.
fn verifier(args: &[&str], paths: &[&Path]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_verifier"))
        .arg("--quiet")
        .args(args)
        .args(paths)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// `verifier check --json` with the officials' key: the report.
fn check_json(e: &Election, dir: &Path) -> Value {
    let (_, out) = verifier(&["check", "--json", "--officials-key", &key(e)], &[dir]);
    serde_json::from_str(&out).unwrap()
}

fn status<'a>(report: &'a Value, id: &str) -> &'a Value {
    let c = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap();
    &c["status"]
}

fn check_of<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

#[test]
fn a_broken_hash_order_leaves_the_proofs_unchecked_and_v08_says_so() {
    let (e, r, _) = honest(1);
    let dir = tempfile::tempdir().unwrap();
    r.write(&e, dir.path());
    // The officials' ballots.bin with two entries swapped, re-sealed with their key.
    let path = dir.path().join(rec::BALLOTS_FILE);
    let bytes = std::fs::read(&path).unwrap();
    let ctx = e.package.context_hash;
    let header = 4 + ivote_protocol::record::ballots::LABEL.len() + 32 + 8;
    let mut entries: Vec<Vec<u8>> = BallotsReader::new(bytes.as_slice())
        .unwrap()
        .map(|b| {
            let b = b.unwrap();
            let mut one = BallotsWriter::new(Vec::new(), &ctx, 1).unwrap();
            one.push(&b.ballot.to_bytes(), b.selection.as_ref())
                .unwrap();
            one.finish().unwrap()[header..].to_vec()
        })
        .collect();
    entries.swap(1, 2);
    let mut forged = bytes[..header].to_vec();
    for entry in &entries {
        forged.extend_from_slice(entry);
    }
    assert_eq!(forged.len(), bytes.len());
    std::fs::write(&path, forged).unwrap();
    reseal(&e, dir.path());

    let (code, text) = verifier(&["check", "--officials-key", &key(&e)], &[dir.path()]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("V07 FAILED"), "{text}");
    assert!(text.contains("out of hash order"), "{text}");
    for id in ["V08", "V09"] {
        assert!(!text.contains(&format!("{id} ok")), "{text}");
    }
    let report = check_json(&e, dir.path());
    assert_eq!(status(&report, "V08"), "skipped", "{report:#}");
    let reason = check_of(&report, "V08")["reason"].as_str().unwrap();
    assert!(
        reason.contains("cannot be read beyond its first 0 of 8") && reason.contains("V07"),
        "{reason}"
    );
    assert_eq!(status(&report, "V09"), "skipped");
    assert_eq!(report["exit_code"], 1);
    assert!(report["verdict"]
        .as_str()
        .unwrap()
        .starts_with("NOT VERIFIED"));
    // No counts are vouched for: the sums could not be recomputed.
    assert!(report.get("counts").is_none(), "{report:#}");
}

#[test]
fn a_ballot_that_does_not_decode_is_named_and_v08_does_not_claim_it() {
    for (what, alpha) in [("non-canonical point", [0xff; 32]), ("plaintext", [0; 32])] {
        let (e, mut r, mut rng) = honest(2);
        let mut bad = ballots(&e, 1, &mut rng).remove(0);
        // Selection 0's α: 32 bytes after the contest's selection count.
        bad.contests[0].encrypted[4..36].copy_from_slice(&alpha);
        let hash = bad.hash().to_hex();
        r.add_counted(&e, bad);
        let dir = tempfile::tempdir().unwrap();
        r.write(&e, dir.path());

        let (code, text) = verifier(&["check", "--officials-key", &key(&e)], &[dir.path()]);
        assert_eq!(code, 1, "{what}: {text}");
        assert!(text.contains("V07 FAILED"), "{what}: {text}");
        assert!(text.contains(&format!("ballot {hash}")), "{what}: {text}");
        assert!(!text.contains("V08 ok"), "{what}: {text}");
        let report = check_json(&e, dir.path());
        let v07 = check_of(&report, "V07");
        assert_eq!(v07["failures"].as_array().unwrap().len(), 1, "{what}");
        let detail = v07["failures"][0]["detail"].as_str().unwrap();
        assert!(detail.contains("[ballot.bad_contest]"), "{what}: {detail}");
        if what == "plaintext" {
            assert!(detail.contains("not encrypted"), "{detail}");
        }
        // The other 8 ballots' proofs (6 counted, 2 superseded) were verified; the
        // undecodable one is not claimed.
        let v08 = check_of(&report, "V08");
        assert_eq!(v08["status"], "skipped", "{what}: {report:#}");
        assert_eq!(v08["covered"], "8 ballots");
        assert!(
            v08["reason"]
                .as_str()
                .unwrap()
                .contains("1 ballot(s) given a selected ballot do not decode"),
            "{what}: {v08}"
        );
    }
}

#[test]
fn a_bad_proof_next_to_an_undecodable_ballot_fails_v08_naming_both_facts() {
    let (e, r, mut rng) = honest(3);
    let mut ballots_ = r.ballots.clone();
    ballots_[2].nonce[0] ^= 1;
    let bad_proof = ballots_[2].hash().to_hex();
    let mut r = Record::honest(&e, ballots_, 2, &mut rng);
    let mut undecodable = ballots(&e, 1, &mut rng).remove(0);
    undecodable.contests[0].encrypted[4..36].copy_from_slice(&[0xff; 32]);
    r.add_counted(&e, undecodable);
    let dir = tempfile::tempdir().unwrap();
    r.write(&e, dir.path());
    let report = check_json(&e, dir.path());
    let v08 = check_of(&report, "V08");
    assert_eq!(v08["status"], "failed", "{report:#}");
    let failures = v08["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 2, "{v08}");
    assert_eq!(failures[0]["item"], format!("ballot {bad_proof}"));
    assert!(failures[1]["detail"].as_str().unwrap().contains(
        "1 ballot(s) given a selected ballot do not decode, so their proofs were not checked"
    ));
}

#[test]
fn a_receipt_that_is_not_the_collectors_does_not_accuse_the_collector() {
    let (e, r, _) = honest(4);
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("record");
    r.write(&e, &record);
    // A receipt of another election, and this election's receipt with one byte changed.
    let (other_e, other_r, _) = honest(5);
    let foreign = other_r.receipt(&other_e, 3).to_bytes();
    let mut corrupted = r.receipt(&e, 3).to_bytes();
    let last = corrupted.len() - 1;
    corrupted[last] ^= 1;
    for (what, receipt) in [("another election's", foreign), ("corrupted", corrupted)] {
        let file = dir.path().join("receipt.bin");
        std::fs::write(&file, &receipt).unwrap();
        let (code, text) = verifier(&["receipt", "--officials-key", &key(&e)], &[&record, &file]);
        assert_eq!(code, 1, "{what}: {text}");
        assert!(text.contains("R01 FAILED"), "{what}: {text}");
        assert!(text.contains("R02 skipped"), "{what}: {text}");
        assert!(!text.contains("rewritten"), "{what}: {text}");
    }
    // The genuine receipt still verifies.
    let file = dir.path().join("genuine.bin");
    std::fs::write(&file, r.receipt(&e, 3).to_bytes()).unwrap();
    let (code, text) = verifier(&["receipt", "--officials-key", &key(&e)], &[&record, &file]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn a_receipt_checked_against_a_log_the_collector_did_not_sign_proves_nothing() {
    let (mut e, mut r, _) = honest(6);
    let receipt = r.receipt(&e, 2).to_bytes();
    // The officials drop leaf 2 and sign the final head with a key that is not the
    // collector's: V05 fails, and R02 does not blame the collector.
    r.records.remove(2);
    let collector = std::mem::replace(
        &mut e.collector,
        ed25519_dalek::SigningKey::from_bytes(&[7; 32]),
    );
    r.log = log_of(&e, &r.records);
    e.collector = collector;
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("record");
    r.write(&e, &record);
    let file = dir.path().join("receipt.bin");
    std::fs::write(&file, receipt).unwrap();
    let (code, text) = verifier(&["receipt", "--officials-key", &key(&e)], &[&record, &file]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("V05 FAILED"), "{text}");
    assert!(text.contains("R02 skipped"), "{text}");
    assert!(!text.contains("rewritten"), "{text}");
}

#[test]
fn the_verdict_says_when_the_officials_key_was_not_pinned() {
    let (e, r, _) = honest(7);
    let dir = tempfile::tempdir().unwrap();
    r.write(&e, dir.path());
    let (code, text) = verifier(&["check"], &[dir.path()]);
    assert_eq!(code, 0, "{text}");
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("VERIFIED (officials' key NOT pinned")
            && last.contains("--officials-key")
            && last.contains("18 of 18 checks passed"),
        "{last}"
    );
    let (_, json) = verifier(&["check", "--json"], &[dir.path()]);
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["officials_key_pinned"], false);
    assert!(report["verdict"].as_str().unwrap().contains("NOT pinned"));
    // Pinned: the plain verdict.
    let (code, text) = verifier(&["check", "--officials-key", &key(&e)], &[dir.path()]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("VERIFIED: 18 of 18 checks passed"),
        "{text}"
    );
    assert_eq!(check_json(&e, dir.path())["officials_key_pinned"], true);
}

#[test]
fn the_report_shows_the_recomputed_counts_not_the_officials() {
    let (e, mut r, _) = honest(8);
    // The candidates' counts (the flag sums' counts, after them, are the counted ballots).
    let truth = r.results.counts[..r.aggregates.aggregates.len()].to_vec();
    let dir = tempfile::tempdir().unwrap();
    r.write(&e, dir.path());
    let report = check_json(&e, dir.path());
    let counts: Vec<u64> = report["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, truth);
    let first = &report["counts"][0];
    assert_eq!(first["district"], "north");
    assert_eq!(first["contest"], "council");
    assert_eq!(first["selection"], 0);
    assert!(first["candidate"].is_string() && first["ballots"].is_u64());
    let (_, text) = verifier(&["check", "--officials-key", &key(&e)], &[dir.path()]);
    assert!(
        text.contains("counts recomputed by the verifier")
            && text.contains("district north (3 ballots), contest council:"),
        "{text}"
    );

    // The officials publish other results and re-seal: V14 fails, and the report still
    // shows the counts the trustees' decryption gives.
    r.results.counts[0] += 100;
    r.write(&e, dir.path());
    let report = check_json(&e, dir.path());
    assert_eq!(status(&report, "V14"), "failed");
    assert_eq!(report["counts"][0]["count"], truth[0]);
}
