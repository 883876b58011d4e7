//! `verifier check` on real records: an honest one verifies; for every check, a record
//! altered so that this check fails, and the report names it.

// Test helpers outside `#[test]` functions: clippy's allow-*-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;
use std::process::Command;

use ed25519_dalek::SigningKey;
use ivote_crypto::contest::EncryptionSeed;
use ivote_crypto::{Ciphertext, Nonce};
use ivote_protocol::package::{sign, PackageIndex, INDEX_FILE, SIGNATURE_FILE};
use ivote_protocol::record::{self as rec, decryption_shares_file};
use ivote_testkit::election::Election;
use ivote_testkit::manifest::EXAMPLE_ENDS;
use ivote_testkit::record::{ballots, log_of, reseal, test_election, Record};
use ivote_verifier::report::Status;
use ivote_verifier::{check_record, Options, RecordDir, Report};
use rand::rngs::OsRng;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(2027)
}

fn run(dir: &Path) -> Report {
    check_record(
        &RecordDir::open(dir).unwrap(),
        &Options::default(),
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

/// An election and the honest record of 6 ballots (2 revotes), not yet written.
fn honest() -> (Election, Record, ChaCha20Rng) {
    let mut rng = rng();
    let e = test_election(&mut rng);
    let ballots = ballots(&e, 6, &mut rng);
    let r = Record::honest(&e, ballots, 2, &mut rng);
    (e, r, rng)
}

/// Writes `r`, runs the verifier, and checks that exactly `expected` failed, naming `item`.
fn expect_only(e: &Election, r: &Record, alter: impl FnOnce(&Path), expected: &[&str], item: &str) {
    let dir = tempfile::tempdir().unwrap();
    r.write(e, dir.path());
    alter(dir.path());
    let report = run(dir.path());
    assert_eq!(failed(&report), expected, "{}", report.to_text());
    let failure = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Failed)
        .flat_map(|c| &c.failures)
        .find(|f| f.item.contains(item) || f.detail.contains(item));
    assert!(
        failure.is_some(),
        "no failure names {item}:\n{}",
        report.to_text()
    );
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn an_honest_record_verifies() {
    let (e, r, _) = honest();
    let dir = tempfile::tempdir().unwrap();
    r.write(&e, dir.path());
    // With the officials' key pinned, as an observer runs it.
    let options = Options {
        officials_key: Some(e.officials.verifying_key()),
        ..Options::default()
    };
    let report = check_record(&RecordDir::open(dir.path()).unwrap(), &options, &mut OsRng);
    assert_eq!(report.exit_code(), 0, "{}", report.to_text());
    assert_eq!(report.summary().passed, ivote_verifier::CATALOGUE.len());
    assert!(report
        .to_text()
        .contains("VERIFIED: 18 of 18 checks passed"));
    // The counts are the votes: ballots alternate districts and candidates 0, 1, 2; then
    // each district's counted ballots (its decrypted flag sum).
    assert_eq!(r.results.counts, vec![1, 1, 1, 1, 1, 1, 3, 3]);
}

#[test]
fn v01_a_file_not_in_the_seal_or_a_bad_seal_signature() {
    let (e, r, _) = honest();
    expect_only(
        &e,
        &r,
        |d| std::fs::write(d.join("extra.txt"), b"x").unwrap(),
        &["V01"],
        "extra.txt",
    );
    expect_only(
        &e,
        &r,
        |d| std::fs::write(d.join(rec::SIGNATURE_FILE), [0u8; 64]).unwrap(),
        &["V01"],
        "record.sig",
    );
}

#[test]
fn v02_package_signed_by_someone_else() {
    let (e, r, _) = honest();
    expect_only(
        &e,
        &r,
        |d| {
            let pkg = d.join(rec::PACKAGE_DIR);
            let index = PackageIndex::parse(&std::fs::read(pkg.join(INDEX_FILE)).unwrap()).unwrap();
            let signed = sign(&index, &SigningKey::from_bytes(&[99; 32]));
            std::fs::write(pkg.join(SIGNATURE_FILE), signed.signature_file).unwrap();
            reseal(&e, d);
        },
        &["V02"],
        "package.sig",
    );
}

#[test]
fn v03_package_with_a_file_it_does_not_list() {
    let (e, r, _) = honest();
    expect_only(
        &e,
        &r,
        |d| {
            std::fs::write(d.join(rec::PACKAGE_DIR).join("extra.txt"), b"x").unwrap();
            reseal(&e, d);
        },
        &["V03"],
        "extra.txt",
    );
}

#[test]
fn v04_ceremony_transcript_altered_and_package_resigned() {
    let (e, r, _) = honest();
    expect_only(
        &e,
        &r,
        |d| {
            let pkg = d.join(rec::PACKAGE_DIR);
            let path = pkg.join(ivote_protocol::package::CEREMONY_FILE);
            let text = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
            let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
            let keys = v["verification_keys"].as_array_mut().unwrap();
            keys.swap(0, 1);
            std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
            let mut files = ivote_protocol::fs::read_package_dir(&pkg).unwrap();
            files.remove(INDEX_FILE);
            files.remove(SIGNATURE_FILE);
            let index = PackageIndex::from_files(&files).unwrap();
            sign(&index, &e.officials).insert_into(&mut files);
            ivote_protocol::fs::write_package_dir(&pkg, &files).unwrap();
            reseal(&e, d);
        },
        &["V04"],
        "ceremony.json",
    );
}

/// Rewrites the package's `ceremony.json` with `alter`, then re-signs the package with the
/// officials' key and reseals the record: only the transcript's own checks can catch it.
fn alter_transcript(e: &Election, d: &Path, alter: impl FnOnce(&mut serde_json::Value)) {
    let pkg = d.join(rec::PACKAGE_DIR);
    let path = pkg.join(ivote_protocol::package::CEREMONY_FILE);
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    alter(&mut v);
    std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    let mut files = ivote_protocol::fs::read_package_dir(&pkg).unwrap();
    files.remove(INDEX_FILE);
    files.remove(SIGNATURE_FILE);
    let index = PackageIndex::from_files(&files).unwrap();
    sign(&index, &e.officials).insert_into(&mut files);
    ivote_protocol::fs::write_package_dir(&pkg, &files).unwrap();
    reseal(e, d);
}

/// `verifier check` (the binary) on `dir`: its exit status and report.
fn check_binary(e: &Election, dir: &Path) -> (Option<i32>, String) {
    let key = hex::encode(e.officials.verifying_key().as_bytes());
    let out = Command::new(env!("CARGO_BIN_EXE_verifier"))
        .args(["check", "--officials-key", &key])
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn v04_a_ceremony_message_substituted_or_its_signature_mutated() {
    use ivote_crypto::threshold::dkg::SecretPolynomial;
    use ivote_protocol::ceremony::SignedCommitment;

    let (e, r, mut rng) = honest();
    let c = &e.package.ceremony;
    // The carrier's own commitment in trustee 2's place: valid proofs, signed with a key
    // that is not in the roster.
    let poly = SecretPolynomial::random(c.params().threshold(), 2, &mut rng).unwrap();
    let carrier = SigningKey::from_bytes(&[66; 32]);
    let forged = SignedCommitment::sign(
        &carrier,
        &c.context,
        poly.commit(&c.context, &mut rng).unwrap(),
    );
    let substitute = |v: &mut serde_json::Value| {
        v["commitments"][1] = hex::encode(forged.commitment.to_bytes()).into();
        v["commitment_signatures"][1] = hex::encode(forged.signature.to_bytes()).into();
    };
    // One bit of trustee 3's signature on their confirmation.
    let mutate = |v: &mut serde_json::Value| {
        let sig = v["confirmations"][2]["signature"].as_str().unwrap();
        let mut raw = hex::decode(sig).unwrap();
        raw[10] ^= 1;
        v["confirmations"][2]["signature"] = hex::encode(raw).into();
    };
    // Trustee 1's commitment signature moved to trustee 2's.
    let moved = |v: &mut serde_json::Value| {
        let first = v["commitment_signatures"][0].clone();
        v["commitment_signatures"][1] = first;
    };
    type Alter<'a> = &'a dyn Fn(&mut serde_json::Value);
    let cases: [(Alter<'_>, &str); 3] = [
        (&substitute, "trustee 2's commitment"),
        (&mutate, "trustee 3's confirmation"),
        (&moved, "trustee 2's commitment"),
    ];
    for (alter, item) in cases {
        expect_only(&e, &r, |d| alter_transcript(&e, d, alter), &["V04"], item);
        let dir = tempfile::tempdir().unwrap();
        r.write(&e, dir.path());
        alter_transcript(&e, dir.path(), alter);
        let (status, text) = check_binary(&e, dir.path());
        assert_eq!(status, Some(1), "{text}");
        assert!(text.contains("V04 FAILED"), "{text}");
        assert!(
            text.contains("ceremony.bad_signature") && text.contains(item),
            "{text}"
        );
    }
}

#[test]
fn v05_final_head_not_signed_by_the_collector() {
    let (mut e, mut r, _) = honest();
    let collector = std::mem::replace(&mut e.collector, SigningKey::from_bytes(&[98; 32]));
    r.log = log_of(&e, &r.records);
    e.collector = collector;
    expect_only(&e, &r, |_| {}, &["V05"], "final head");
}

#[test]
fn v06_a_leaf_changed_in_the_log() {
    // log.bin claims another ballot, another time or another voter commitment at a leaf than
    // the collector signed: the recomputed record hash, and so the root, differ.
    let changes: [&dyn Fn(&mut Record); 4] = [
        &|r| r.log.leaves[3].ballot_hash = r.log.leaves[4].ballot_hash,
        &|r| r.log.leaves[3].ballot_hash.0[0] ^= 1,
        &|r| r.log.leaves[3].received_at -= 1,
        &|r| r.log.leaves[3].voter.0[31] ^= 1,
    ];
    for change in changes {
        let (e, mut r, _) = honest();
        change(&mut r);
        expect_only(&e, &r, |_| {}, &["V06"], "final head");
    }
}

/// A change to the record before it is written.
type Change = dyn Fn(&mut Record);

/// V16: a log the collector signed (V05, V06 pass) whose published times or ballots show a
/// dishonest log, each leaf named: times going backwards, a leaf received at or after the
/// close, a ballot logged twice.
#[test]
fn v16_a_signed_log_out_of_order_after_the_close_or_with_a_ballot_twice() {
    let changes: [(&Change, &str); 4] = [
        (
            &|r| r.records[4].received_at = r.records[2].received_at,
            "leaf 4 ",
        ),
        (&|r| r.records[7].received_at = EXAMPLE_ENDS, "leaf 7 "),
        (
            &|r| r.records[6].received_at = EXAMPLE_ENDS + 3600,
            "leaf 6 ",
        ),
        (
            &|r| {
                let again = r.records[1].ballot_hash;
                let extra = r.next_leaf(again);
                r.records.push(extra);
                r.rule_counts.submissions += 1;
                r.rule_counts.superseded += 1;
            },
            "leaf 8 ",
        ),
    ];
    for (change, leaf) in changes {
        let (e, mut r, _) = honest();
        change(&mut r);
        r.log = log_of(&e, &r.records);
        expect_only(&e, &r, |_| {}, &["V16"], leaf);
    }
}

#[test]
fn v07_a_ballot_for_a_district_that_does_not_exist() {
    let (e, mut r, mut rng) = honest();
    let mut bad = ballots(&e, 1, &mut rng).remove(0);
    bad.district = "atlantis".into();
    let hash = bad.hash().to_hex();
    r.add_counted(&e, bad);
    // The officials count it (7 counted), but no flag of it can be summed: V15 sees that the
    // flags decrypt to 6.
    expect_only(&e, &r, |_| {}, &["V07", "V15"], &hash);
}

#[test]
fn v08_a_ballot_whose_proofs_are_for_another_challenge() {
    let (e, r, mut rng) = honest();
    let mut ballots = r.ballots.clone();
    ballots[2].nonce[0] ^= 1;
    let hash = ballots[2].hash().to_hex();
    let r = Record::honest(&e, ballots, 2, &mut rng);
    expect_only(&e, &r, |_| {}, &["V08"], &hash);
}

#[test]
fn v09_the_same_ciphertexts_in_two_ballots() {
    let (e, r, mut rng) = honest();
    let mut ballots = r.ballots.clone();
    let seed = EncryptionSeed::random(&mut rng);
    let nonce = [5; 32];
    ballots.push(e.ballot("north", 1, nonce, &seed, &mut rng));
    ballots.push(e.ballot("north", 1, nonce, &seed, &mut rng));
    let r = Record::honest(&e, ballots, 2, &mut rng);
    expect_only(&e, &r, |_| {}, &["V09"], "appears 2 times");
}

#[test]
fn v10_aggregates_that_are_not_the_sum_then_decrypted_honestly() {
    let (e, mut r, mut rng) = honest();
    let pk = &e.package.ceremony.joint_key;
    r.aggregates.aggregates[1].ciphertext += Ciphertext::encrypt(pk, 1, &Nonce::random(&mut rng));
    r.decrypt(&e, &mut rng);
    // The count is decrypted honestly from the altered sum, so only V10 sees it.
    expect_only(
        &e,
        &r,
        |_| {},
        &["V10"],
        "district north contest council selection 1",
    );
}

#[test]
fn v11_a_trustee_share_that_does_not_verify() {
    let (e, mut r, _) = honest();
    r.shares[2].shares.swap(0, 1);
    expect_only(&e, &r, |_| {}, &["V11"], "trustee 3, district north");
}

#[test]
fn v12_fewer_trustees_than_the_threshold() {
    let (e, r, _) = honest();
    expect_only(
        &e,
        &r,
        |d| {
            std::fs::remove_file(d.join(decryption_shares_file(2))).unwrap();
            std::fs::remove_file(d.join(decryption_shares_file(3))).unwrap();
            reseal(&e, d);
        },
        &["V12"],
        "threshold is 2",
    );
}

#[test]
fn v13_a_combined_point_that_is_no_possible_count() {
    // Only reachable with another failure: a sum of valid ballots always decrypts in range.
    let (e, mut r, mut rng) = honest();
    let pk = &e.package.ceremony.joint_key;
    r.aggregates.aggregates[0].ciphertext = Ciphertext::encrypt(pk, 500, &Nonce::random(&mut rng));
    r.decrypt(&e, &mut rng);
    expect_only(&e, &r, |_| {}, &["V10", "V13", "V14"], "no valid count");
}

#[test]
fn v14_a_dishonest_official_alters_the_results_and_reseals() {
    let (e, mut r, _) = honest();
    r.results.counts[0] += 100;
    // write() seals with the officials' own key: the seal and every signature verify.
    expect_only(
        &e,
        &r,
        |_| {},
        &["V14"],
        "results.bin says 101, the decryption gives 1",
    );
}

#[test]
fn v15_rule_counts_that_add_up_but_miss_a_ballot() {
    let (e, mut r, _) = honest();
    r.rule_counts.counted += 1;
    r.rule_counts.voters += 1;
    r.rule_counts.superseded -= 1;
    expect_only(&e, &r, |_| {}, &["V15"], "7 ballots counted");
}

#[test]
fn every_failure_is_reported_not_just_the_first() {
    let (e, mut r, _) = honest();
    r.results.counts[0] += 1;
    r.results.counts[3] += 1;
    r.shares[2].shares.swap(0, 1);
    let dir = tempfile::tempdir().unwrap();
    r.write(&e, dir.path());
    let report = run(dir.path());
    assert_eq!(failed(&report), ["V11", "V14"]);
    let v11 = &report.checks[10];
    assert_eq!(v11.failures.len(), 2, "both swapped shares");
    let v14 = &report.checks[13];
    assert_eq!(v14.failures.len(), 2, "both altered counts");
}

#[test]
fn missing_files_make_dependent_checks_not_run_and_exit_2() {
    let (e, r, _) = honest();
    let dir = tempfile::tempdir().unwrap();
    r.write(&e, dir.path());
    std::fs::remove_file(dir.path().join(rec::AGGREGATES_FILE)).unwrap();
    let report = run(dir.path());
    assert_eq!(failed(&report), ["V01"], "the seal lists it");
    assert!(matches!(
        report.checks[9].status,
        Status::NotRun { ref reason } if reason.contains("aggregates.bin")
    ));
    assert!(matches!(report.checks[10].status, Status::Skipped { .. }));
    assert_eq!(report.exit_code(), 2);
}

#[test]
fn the_command_line_exits_0_1_2_and_prints_json() {
    let (e, mut r, _) = honest();
    let dir = tempfile::tempdir().unwrap();
    r.write(&e, dir.path());
    let bin = env!("CARGO_BIN_EXE_verifier");
    let key = hex::encode(e.officials.verifying_key().as_bytes());
    let ok = Command::new(bin)
        .args(["check", "--json", "--officials-key", &key])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let json: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(json["format"], "ivote-verifier-report-v1");
    assert_eq!(json["checks"][0]["id"], "V01");
    assert_eq!(json["summary"]["passed"], 18);

    // Someone else's key: the seal and the package signature fail.
    let other = hex::encode(SigningKey::from_bytes(&[97; 32]).verifying_key().as_bytes());
    let bad = Command::new(bin)
        .args(["check", "--officials-key", &other])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(
        text.contains("V01 FAILED") && text.contains("V02 FAILED"),
        "{text}"
    );
    assert!(text.contains("NOT VERIFIED"), "{text}");

    r.results.counts[1] += 1;
    r.write(&e, dir.path());
    let altered = Command::new(bin)
        .arg("check")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(altered.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&altered.stdout).contains("V14 FAILED"));

    let missing = Command::new(bin)
        .args(["check", "/nonexistent/record"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn the_officials_key_is_taken_as_a_file_or_as_hex() {
    let (e, r, _) = honest();
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("record");
    r.write(&e, &record);
    let bin = env!("CARGO_BIN_EXE_verifier");
    let key_file = dir.path().join("officials-key.hex");
    std::fs::write(
        &key_file,
        format!("{}\n", hex::encode(e.officials.verifying_key().as_bytes())),
    )
    .unwrap();
    let check = |key: &std::ffi::OsStr| {
        Command::new(bin)
            .args(["check", "--quiet"])
            .arg("--officials-key")
            .arg(key)
            .arg(&record)
            .output()
            .unwrap()
    };
    let out = check(key_file.as_os_str());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Neither a key nor a readable file: could not run, one message naming the argument.
    let out = check("2a36".as_ref());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("verifier: --officials-key: cannot read the key file 2a36")
            && err.contains("64 hex digits")
            && err.lines().count() == 1,
        "{err}"
    );
}
