//! `verifier audit` on real records and bundles (real X.509 voters from the demo PKI, real
//! signed submissions, a real ballot box file): an honest case audits clean; for each audit
//! check, an altered case that the report names under that check and no other.

// Test helpers outside `#[test]` functions: clippy's allow-*-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;
use std::process::Command;

use ivote_protocol::ballot_box::{BallotBoxWriter, FinalHead, BALLOT_BOX_FILE};
use ivote_protocol::receipt::SignedTreeHead;
use ivote_protocol::record::counts::LeafDecision;
use ivote_protocol::record::PAPER_VOTES_FILE;
use ivote_protocol::Country;
use ivote_testkit::record::audit::{reseal_bundle, AuditCase, Written};
use ivote_verifier::checks::parse_key_hex;
use ivote_verifier::report::Status;
use ivote_verifier::{audit_record, AuditInputs, Options, RecordDir, Report};
use rand::rngs::OsRng;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(7)
}

fn audit(w: &Written) -> Report {
    audit_with_roll(w, &std::fs::read(&w.roll).unwrap())
}

fn audit_with_roll(w: &Written, roll: &[u8]) -> Report {
    audit_record(
        &RecordDir::open(&w.record).unwrap(),
        &RecordDir::open(&w.bundle).unwrap(),
        &AuditInputs {
            roll,
            roll_name: "roll.csv",
            country: Country::EE,
        },
        // The officials' key pinned, as auditors run it (the record's own file holds it).
        &Options {
            officials_key: parse_key_hex(
                &std::fs::read(w.record.join(ivote_protocol::record::OFFICIALS_KEY_FILE)).unwrap(),
            ),
            ..Options::default()
        },
        &mut OsRng,
    )
}

fn failed(r: &Report) -> Vec<&'static str> {
    r.checks
        .iter()
        .filter(|c| c.status == Status::Failed)
        .map(|c| c.id)
        .collect()
}

/// Only `expected` failed, one of its failures names `item`, and the exit status is 1.
fn expect_only(report: &Report, expected: &[&str], item: &str) {
    assert_eq!(failed(report), expected, "{}", report.to_text());
    let named = report
        .checks
        .iter()
        .filter(|c| expected.contains(&c.id))
        .flat_map(|c| &c.failures)
        .any(|f| f.item.contains(item) || f.detail.contains(item));
    assert!(named, "no failure names {item}:\n{}", report.to_text());
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn an_honest_record_and_bundle_audit_clean() {
    let mut rng = rng();
    let case = AuditCase::honest(&mut rng);
    let c = case.rule_counts();
    // The case exercises every rule: 4 counted (one a revote, one after a test vote, one
    // after an invalid submission), 1 superseded, 1 test vote, 1 cancelled by paper, 2
    // invalid.
    assert_eq!(
        (
            c.counted,
            c.superseded,
            c.test_votes,
            c.cancelled_submissions
        ),
        (4, 1, 1, 1)
    );
    assert_eq!((c.voters, c.cancelled_voters, c.paper_votes), (5, 1, 1));
    assert_eq!(
        c.rejected,
        [
            ("eid.bad_signature".to_owned(), 1),
            ("eid.revoked".to_owned(), 1)
        ]
    );
    let w = case.write(&mut rng);
    let report = audit(&w);
    assert_eq!(report.exit_code(), 0, "{}", report.to_text());
    assert_eq!(
        report.summary().passed,
        ivote_verifier::CATALOGUE.len() + ivote_verifier::AUDIT_CHECKS.len()
    );
    assert!(report
        .to_text()
        .contains("VERIFIED: 35 of 35 checks passed"));
}

#[test]
fn a01_a_file_added_to_the_bundle() {
    let mut rng = rng();
    let w = AuditCase::honest(&mut rng).write(&mut rng);
    std::fs::write(w.bundle.join("notes.txt"), b"x").unwrap();
    expect_only(&audit(&w), &["A01"], "notes.txt");
}

#[test]
fn a02_another_roll() {
    let mut rng = rng();
    let case = AuditCase::honest(&mut rng);
    let w = case.write(&mut rng);
    let mut roll = case.roll_csv.clone();
    roll.extend(b"\n");
    let report = audit_with_roll(&w, &roll);
    expect_only(&report, &["A02"], "roll.sha256");
}

#[test]
fn a03_a_paper_list_with_a_code_not_on_the_roll() {
    let mut rng = rng();
    let case = AuditCase::honest(&mut rng);
    let w = case.write(&mut rng);
    let path = w.bundle.join(PAPER_VOTES_FILE);
    let mut list = std::fs::read_to_string(&path).unwrap();
    list.push_str("38001085718\n");
    std::fs::write(&path, list).unwrap();
    reseal_bundle(&case.election, &w.bundle);
    expect_only(&audit(&w), &["A03"], "38001085718");
}

#[test]
fn a04_a_box_whose_leaf_was_dropped() {
    let mut rng = rng();
    let case = AuditCase::honest(&mut rng);
    let e = &case.election;
    let w = case.write(&mut rng);
    // The box without leaf 2, under a final head the collector re-signed for one leaf less.
    let bytes = std::fs::read(w.bundle.join(BALLOT_BOX_FILE)).unwrap();
    let reader = ivote_protocol::ballot_box::BallotBoxReader::new(&bytes[..]).unwrap();
    let head = reader.final_head().head;
    let mut entries: Vec<_> = reader.map(Result::unwrap).collect();
    entries.remove(2);
    let short = SignedTreeHead::sign(
        &e.collector,
        &e.package.context_hash,
        head.size - 1,
        head.root,
        head.timestamp,
    );
    let final_head = FinalHead::sign(short, &e.collector, &e.package.context_hash);
    let file = std::fs::File::create(w.bundle.join(BALLOT_BOX_FILE)).unwrap();
    let mut writer = BallotBoxWriter::new(file, &e.package.context_hash, &final_head).unwrap();
    for entry in &entries {
        writer
            .push(&entry.record.to_bytes(), &entry.submission.to_bytes(), &[])
            .unwrap();
    }
    writer.finish().unwrap();
    reseal_bundle(e, &w.bundle);
    let report = audit(&w);
    expect_only(&report, &["A04"], "ballot-box.bin");
    assert!(matches!(
        report.checks.iter().find(|c| c.id == "A10").unwrap().status,
        Status::Skipped { .. }
    ));
}

#[test]
fn a05_a_decision_with_an_unknown_reason() {
    let mut rng = rng();
    let mut case = AuditCase::honest(&mut rng);
    case.votes[5].outcome = LeafDecision::Invalid("tally.because".into());
    expect_only(&audit(&case.write(&mut rng)), &["A05"], "tally.because");
}

#[test]
fn a06_a_submission_changed_after_it_was_logged() {
    let mut rng = rng();
    let case = AuditCase::honest(&mut rng);
    let w = case.write_with(&mut rng, |entries| {
        entries[2].1.signature[0] ^= 1;
    });
    expect_only(&audit(&w), &["A06"], "leaf 2");
}

#[test]
fn a07_a_revoked_certificates_submission_counted() {
    let mut rng = rng();
    let mut case = AuditCase::honest(&mut rng);
    case.votes[5].outcome = LeafDecision::Counted;
    let report = audit(&case.write(&mut rng));
    expect_only(&report, &["A07"], "eid.revoked");
    assert!(report
        .checks
        .iter()
        .any(|c| c.id == "A07" && c.failures.iter().any(|f| f.item.starts_with("leaf 5 "))));
}

#[test]
fn a08_a_bad_e_id_signature_counted() {
    let mut rng = rng();
    let mut case = AuditCase::honest(&mut rng);
    case.votes[8].bad_signature = true;
    expect_only(&audit(&case.write(&mut rng)), &["A08"], "eid.bad_signature");
}

#[test]
fn a09_a_ballot_of_another_election_taken_as_valid() {
    let mut rng = rng();
    let mut case = AuditCase::honest(&mut rng);
    // Voter 1's first vote (superseded) is a ballot for another election.
    case.votes[1].foreign = true;
    expect_only(
        &audit(&case.write(&mut rng)),
        &["A09"],
        "ballot.wrong_election",
    );
}

#[test]
fn a10_a_decision_changed() {
    let mut rng = rng();
    let mut case = AuditCase::honest(&mut rng);
    // A revote turned into a test vote: the totals are made to agree, the rules do not.
    case.votes[1].outcome = LeafDecision::TestVote;
    expect_only(&audit(&case.write(&mut rng)), &["A10"], "leaf 1");
}

#[test]
fn a10_a_paper_voters_e_vote_counted() {
    let mut rng = rng();
    let mut case = AuditCase::honest(&mut rng);
    case.votes[4].outcome = LeafDecision::Counted;
    let report = audit(&case.write(&mut rng));
    expect_only(&report, &["A10"], "cancelled: voted on paper");
}

#[test]
fn a10_an_earlier_vote_counted_instead_of_the_last() {
    let mut rng = rng();
    let mut case = AuditCase::honest(&mut rng);
    case.votes[1].outcome = LeafDecision::Counted;
    case.votes[3].outcome = LeafDecision::Superseded;
    expect_only(&audit(&case.write(&mut rng)), &["A10"], "leaf 3");
}

#[test]
fn a11_a_counted_ballot_swapped_for_another_leafs() {
    let mut rng = rng();
    let mut case = AuditCase::honest(&mut rng);
    // Leaf 1 (superseded) counted in place of leaf 3, its voter's last vote; decisions.bin
    // still says leaf 3, and the record is otherwise consistent (sums, shares, results).
    case.counted_override = Some(vec![2, 1, 7, 8]);
    let report = audit(&case.write(&mut rng));
    expect_only(&report, &["A11"], "leaf 3");
}

#[test]
fn a12_rule_counts_moved_between_totals() {
    let mut rng = rng();
    let mut case = AuditCase::honest(&mut rng);
    let mut c = case.rule_counts();
    c.superseded -= 1;
    c.test_votes += 1;
    case.rule_counts_override = Some(c);
    expect_only(&audit(&case.write(&mut rng)), &["A12"], "test votes: 2");
}

#[test]
fn the_binary_audits_with_json_and_exit_codes() {
    let mut rng = rng();
    let mut case = AuditCase::honest(&mut rng);
    let honest = case.write(&mut rng);
    let run = |w: &Written, roll: &Path| {
        Command::new(env!("CARGO_BIN_EXE_verifier"))
            .args(["--json", "audit"])
            .arg(&w.record)
            .arg(&w.bundle)
            .arg("--roll")
            .arg(roll)
            .output()
            .unwrap()
    };
    let out = run(&honest, &honest.roll);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["command"], "audit");
    assert_eq!(json["checks"].as_array().unwrap().len(), 35);

    case.votes[4].outcome = LeafDecision::Counted;
    let altered = case.write(&mut rng);
    let out = run(&altered, &altered.roll);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let a10 = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "A10")
        .unwrap();
    assert_eq!(a10["status"], "failed");
    assert!(a10["failures"][0]["item"]
        .as_str()
        .unwrap()
        .starts_with("leaf 4"));

    let out = run(&honest, &honest.bundle.join("no-such-roll.csv"));
    assert_eq!(out.status.code(), Some(2));
}
