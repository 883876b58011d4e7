//! The count, end to end with the real `tally` binary: the test kit's demo election on the
//! council example (docs/examples/council-manifest.toml) with a 3-of-5 ceremony, a ballot
//! box written with the protocol's writer (real X.509 voters, real ballots and proofs, a
//! collector key), then import, decrypt-share, combine, publish and results, with the exact
//! counts each rule must give.

// Test helpers outside `#[test]` functions: clippy's allow-*-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{fails, ok};
use ed25519_dalek::SigningKey;
use ivote_crypto::contest::EncryptionSeed;
use ivote_crypto::proofs::selection::{FlagOpening, Selector};
use ivote_eid::VoterKey;
use ivote_protocol::ballot::{Ballot, BallotShapes};
use ivote_protocol::ballot_box::{BallotBoxReader, BallotBoxWriter, BoxEntry, FinalHead};
use ivote_protocol::challenge::{Purpose, SignedChallenge};
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::hashes::CertificateHash;
use ivote_protocol::merkle::MerkleTree;
use ivote_protocol::package::{sign, ElectionPackage, PackageIndex, INDEX_FILE, SIGNATURE_FILE};
use ivote_protocol::receipt::SignedTreeHead;
use ivote_protocol::record::ballots::{BallotsWriter, SelectedBallot};
use ivote_protocol::record::counts::{Decisions, LeafDecision};
use ivote_protocol::record::flag_openings::FlagOpenings;
use ivote_protocol::record::log::LogFile;
use ivote_protocol::submission::{SealFor, Submission, SubmissionRecord};
use ivote_testkit::demo::{DemoDir, DemoSpec};
use ivote_testkit::manifest::{self, EXAMPLE_ENDS as ENDS, EXAMPLE_STARTS as STARTS};
use rand::rngs::OsRng;
use rand::RngCore;
use tally::count::aggregate::Aggregator;

struct Election {
    _dir: DemoDir,
    root: PathBuf,
    package: ElectionPackage,
    /// (id code, district) in roll order.
    voters: Vec<(String, String)>,
    collector: SigningKey,
}

impl Election {
    fn p(&self, name: &str) -> String {
        self.root.join(name).to_str().unwrap().to_owned()
    }

    fn voter(&self, v: usize) -> (Vec<u8>, VoterKey) {
        let code = &self.voters[v].0;
        let pem = std::fs::read(self.root.join(format!("pki/voters/{code}.cert.pem"))).unwrap();
        let (_, der) = x509_parser::pem::parse_x509_pem(&pem).unwrap();
        let key = std::fs::read(self.root.join(format!("pki/voters/{code}.key.pem"))).unwrap();
        (der.contents, VoterKey::from_pkcs8_pem(&key).unwrap())
    }
}

/// The council example with the test kit's 6 demo voters (districts in turn) and a 3-of-5
/// ceremony, written with its sealed secrets (`pass.txt` opens them).
fn setup() -> Election {
    let demo = DemoSpec {
        trustees: 5,
        threshold: 3,
        ..DemoSpec::new(manifest::COUNCIL)
    }
    .build(&mut OsRng);
    let dir = demo.write_temp();
    Election {
        root: dir.root.clone(),
        _dir: dir,
        voters: demo
            .voters
            .iter()
            .map(|v| v.code.clone())
            .zip(demo.districts)
            .collect(),
        collector: demo.election.collector,
        package: demo.election.package,
    }
}

/// One submission to put in the box.
struct Vote {
    voter: usize,
    /// The selection chosen (one-hot), in the voter's district unless `district` is given.
    choice: usize,
    district: Option<&'static str>,
    at: i64,
    /// Sign with this voter's key instead (an invalid signature).
    signer: Option<usize>,
}

fn vote(voter: usize, choice: usize, at: i64) -> Vote {
    Vote {
        voter,
        choice,
        district: None,
        at,
        signer: None,
    }
}

/// Writes `ballot-box.bin` with these votes, in this order, each under a challenge the
/// collector issued when it was received; returns each leaf's challenge nonce.
fn write_box(e: &Election, votes: &[Vote], path: &Path) -> Vec<[u8; 32]> {
    let ctx = e.package.context_hash;
    let shapes = BallotShapes::from_manifest(&e.package.manifest).unwrap();
    let mut entries = Vec::new();
    let mut tree = MerkleTree::new();
    let mut seq: BTreeMap<usize, u32> = BTreeMap::new();
    let mut nonces = Vec::new();
    for (i, v) in votes.iter().enumerate() {
        let district = v.district.unwrap_or(e.voters[v.voter].1.as_str());
        let k = shapes.district(district).unwrap()[0].1.selections().len();
        let values: Vec<u64> = (0..k).map(|s| u64::from(s == v.choice)).collect();
        let mut nonce = [0u8; 32];
        nonce[..8].copy_from_slice(&(0xA5A5_0000_0000_0000u64 + i as u64).to_be_bytes());
        nonce[8..].copy_from_slice(&[0xC3; 24]);
        nonces.push(nonce);
        let (purpose, until) = if v.at < STARTS {
            (Purpose::Test, STARTS)
        } else {
            (Purpose::Vote, ENDS)
        };
        let challenge = SignedChallenge::sign(
            &e.collector,
            ctx,
            nonce,
            v.at,
            (v.at + 300).min(until),
            purpose,
        );
        let on = SealFor {
            context: &ctx,
            joint_key: &e.package.ceremony.joint_key,
            shapes: &shapes,
            district,
            challenge: &challenge,
        };
        let (der, key) = e.voter(v.voter);
        let signer = v.signer.map_or(key, |s| e.voter(s).1);
        let sign = |m: &[u8]| signer.sign(m);
        let seed = EncryptionSeed::random(&mut OsRng);
        let sealed = Submission::seal(on, &[values], &seed, &der, sign, &mut OsRng).unwrap();
        let s = seq.entry(v.voter).or_default();
        *s += 1;
        let record = SubmissionRecord {
            leaf_index: i as u64,
            received_at: v.at,
            voter_id: format!("PNOEE-{}", e.voters[v.voter].0),
            voter_seq: *s,
            ballot_hash: sealed.ballot_hash,
            certificate_hash: CertificateHash::of(&der),
            signature: sealed.submission.signature.clone(),
        };
        tree.push(record.leaf_hash());
        entries.push((record.to_bytes(), sealed.submission.to_bytes()));
    }
    let n = entries.len() as u64;
    let head = SignedTreeHead::sign(&e.collector, &ctx, n, tree.root(n).unwrap(), ENDS + 60);
    let fh = FinalHead::sign(head, &e.collector, &ctx);
    let mut w = BallotBoxWriter::new(Vec::new(), &ctx, &fh).unwrap();
    for (r, s) in &entries {
        w.push(r, s, &[]).unwrap();
    }
    std::fs::write(path, w.finish().unwrap()).unwrap();
    nonces
}

fn import(e: &Election, box_file: &str, paper: Option<&str>, out: &str) -> Vec<String> {
    let mut args: Vec<String> = [
        "import",
        "--package",
        &e.p("package"),
        "--officials-key",
        &e.p("officials/officials-key.hex"),
        "--roll",
        &e.p("pki/roll.csv"),
        "--country",
        "EE",
        "--ballot-box",
        box_file,
        "--out",
        out,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(p) = paper {
        args.extend(["--paper-votes".to_owned(), p.to_owned()]);
    }
    args
}

fn run(args: &[String]) -> String {
    ok(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn run_fails(args: &[String]) -> (i32, String) {
    fails(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn decrypt_share(e: &Election, count: &str, ballot_box: &str, j: u32) -> String {
    let out = e.p(&format!("share-{j}.bin"));
    ok(&[
        "decrypt-share",
        "--count",
        count,
        "--ballot-box",
        ballot_box,
        "--trustee",
        &j.to_string(),
        "--share",
        &e.p(&format!("ceremony/trustee-{j}.share.SECRET.json")),
        "--passphrase-file",
        &e.p("pass.txt"),
        "--insecure-fast-kdf",
        "--out",
        &out,
    ]);
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn the_rules_the_decryption_and_the_record() {
    let e = setup();
    // Voters 0, 2, 4 are in north (ann, bob, blank), 1, 3, 5 in south (cid, dee).
    assert_eq!(e.voters[0].1, "north");
    assert_eq!(e.voters[1].1, "south");
    let t = STARTS + 3600;
    let votes = [
        vote(0, 1, STARTS - 3600), // 0: test vote before the window
        vote(0, 1, t),             // 1: superseded by leaf 3
        vote(1, 0, t + 1),         // 2: counted (south: cid)
        vote(0, 0, t + 2),         // 3: counted (north: ann)
        vote(2, 1, t + 3),         // 4: cancelled: voter 2 voted on paper
        Vote {
            signer: Some(3),
            ..vote(1, 1, t + 4) // 5: invalid signature: voter 1's vote at leaf 2 stands
        },
        vote(2, 0, t + 5), // 6: a revote after the paper vote: cancelled too
        vote(3, 1, t + 6), // 7: counted (south: dee)
        Vote {
            district: Some("south"),
            ..vote(4, 0, t + 7) // 8: north voter, south ballot: invalid
        },
        vote(4, 2, t + 8), // 9: counted (north: blank)
    ];
    let box_file = e.p("ballot-box.bin");
    let nonces = write_box(&e, &votes, Path::new(&box_file));
    let paper = e.p("paper.csv");
    std::fs::write(
        &paper,
        format!("id_code\n{}\n{}\n", e.voters[2].0, e.voters[5].0),
    )
    .unwrap();

    // An unknown id code on the paper list is refused, and nothing is written.
    let bad_paper = e.p("bad-paper.csv");
    std::fs::write(&bad_paper, "id_code\n38001085718\n").unwrap();
    let (code, out) = run_fails(&import(&e, &box_file, Some(&bad_paper), &e.p("c0")));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("[tally.paper_list]") && out.contains("38001085718"),
        "{out}"
    );
    assert!(!Path::new(&e.p("c0")).exists());

    // Import: the counts of every rule.
    let count = e.p("count");
    let out = run(&import(&e, &box_file, Some(&paper), &count));
    let report = std::fs::read_to_string(Path::new(&count).join("import-report.txt")).unwrap();
    for line in [
        "submissions in the box:      10",
        "voters with a valid e-vote:  5",
        "ballots counted:             4",
        "superseded by a revote:      1",
        "test votes (before window):  1",
        "paper cancellation list:     2 id codes",
        "cancelled voters:            1",
        "cancelled submissions:       2",
        "rejected (invalid):          2",
        "  [eid.bad_signature] 1",
        "  [voter.wrong_district] 1",
        "  leaf 0: test vote before the window",
        "  leaf 1: superseded by a later vote",
        "  leaf 4: cancelled: voted on paper",
        "  leaf 6: cancelled: voted on paper",
    ] {
        assert!(report.contains(line), "missing {line:?} in\n{report}");
    }
    assert!(out.contains("ballots counted:             4"), "{out}");
    assert!(report.contains("Invalid submissions ("), "{report}");

    // A box with no invalid submission: the report has no empty heading for them.
    let clean_box = e.p("clean-box.bin");
    write_box(
        &e,
        &[vote(0, 0, t), vote(1, 0, t + 1)],
        Path::new(&clean_box),
    );
    let clean = e.p("count-clean");
    run(&import(&e, &clean_box, None, &clean));
    let clean_report =
        std::fs::read_to_string(Path::new(&clean).join("import-report.txt")).unwrap();
    assert!(
        clean_report.contains("rejected (invalid):          0")
            && !clean_report.contains("Invalid submissions"),
        "{clean_report}"
    );
    assert!(
        report.contains(&format!(
            "leaf 5, voter PNOEE-{}: [eid.bad_signature]",
            e.voters[1].0
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "leaf 8, voter PNOEE-{}: [voter.wrong_district]",
            e.voters[4].0
        )),
        "{report}"
    );

    // Decryption shares of all five trustees.
    let shares: Vec<String> = (1..=5)
        .map(|j| decrypt_share(&e, &count, &box_file, j))
        .collect();

    // A damaged count folder (aggregates.bin cut short, or ballots.bin, or
    // flag-openings.bin) is refused as docs/tally.md says: tally.count_folder, before any
    // passphrase.
    for (i, file) in ["aggregates.bin", "ballots.bin", "flag-openings.bin"]
        .iter()
        .enumerate()
    {
        let damaged = e.p(&format!("count-damaged-{i}"));
        copy_dir(Path::new(&count), Path::new(&damaged));
        let path = Path::new(&damaged).join(file);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let (code, out) = fails(&[
            "decrypt-share",
            "--count",
            &damaged,
            "--ballot-box",
            &box_file,
            "--trustee",
            "1",
            "--share",
            &e.p("ceremony/trustee-1.share.SECRET.json"),
            "--out",
            &e.p("share-damaged.bin"),
        ]);
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains("[tally.count_folder]") && out.contains(file),
            "{out}"
        );
        assert!(!out.contains("[record."), "{out}");
    }

    // Two trustees alone cannot decrypt.
    let (code, out) = fails(&["combine", "--count", &count, &shares[1], &shares[3]]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("[tally.not_enough_shares]") && out.contains("trustee(s) 2, 4"),
        "{out}"
    );

    // Trustees 1, 2, 3 and trustees 2, 4, 5 give the same counts.
    let count_b = e.p("count-b");
    copy_dir(Path::new(&count), Path::new(&count_b));
    let count_c = e.p("count-c");
    copy_dir(Path::new(&count), Path::new(&count_c));
    ok(&[
        "combine", "--count", &count, &shares[0], &shares[1], &shares[2],
    ]);
    ok(&[
        "combine", "--count", &count_b, &shares[1], &shares[3], &shares[4],
    ]);
    let results = |c: &str| std::fs::read(Path::new(c).join("results.bin")).unwrap();
    let a = ivote_protocol::record::results::Results::from_bytes(&results(&count)).unwrap();
    let b = ivote_protocol::record::results::Results::from_bytes(&results(&count_b)).unwrap();
    assert_eq!(a.trustees, [1, 2, 3]);
    assert_eq!(b.trustees, [2, 4, 5]);
    assert_eq!(a.counts, b.counts);
    // north: ann, bob, blank; south: cid, dee; then the districts' counted ballots (their
    // decrypted flag sums): north 2, south 2.
    assert_eq!(a.counts, [1, 0, 1, 1, 1, 2, 2]);

    // A corrupted share file (one byte of a proof) is skipped with a warning.
    let mut bad = std::fs::read(&shares[0]).unwrap();
    let last = bad.len() - 10;
    bad[last] ^= 1;
    let corrupted = e.p("share-1-corrupted.bin");
    std::fs::write(&corrupted, bad).unwrap();
    let out = common::tally(&[
        "combine", "--count", &count_c, &corrupted, &shares[1], &shares[3], &shares[4],
    ]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("WARNING: skipped") && stderr.contains("share-1-corrupted.bin"),
        "{stderr}"
    );
    let c = ivote_protocol::record::results::Results::from_bytes(&results(&count_c)).unwrap();
    assert_eq!(
        (c.trustees.as_slice(), &c.counts),
        ([2, 4, 5].as_slice(), &a.counts)
    );

    let record = e.p("record");
    let publish = |key: &str, out: &str, auditors: &str| -> Vec<String> {
        [
            "publish",
            "--count",
            &count,
            "--ballot-box",
            &box_file,
            "--officials-key",
            key,
            "--out",
            out,
            "--auditors-out",
            auditors,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    // Publish given the public key file instead of the secret one: said plainly, with no
    // passphrase asked for (there is no terminal here) and no JSON parser's message.
    let (code, out) = run_fails(&publish(
        &e.p("officials/officials-key.hex"),
        &e.p("record-not-written"),
        &e.p("auditors-not-written"),
    ));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("[ceremony.mismatch]")
            && out.contains("it is a public key")
            && out.contains(".SECRET.json")
            && !out.contains("passphrase")
            && !out.contains("line 1 column"),
        "{out}"
    );

    // Publish and read the results.
    let mut args = publish(
        &e.p("officials/officials-key.SECRET.json"),
        &record,
        &e.p("auditors"),
    );
    args.extend([
        "--passphrase-file".to_owned(),
        e.p("pass.txt"),
        "--insecure-fast-kdf".to_owned(),
    ]);
    run(&args);
    let key = e.p("officials/officials-key.hex");
    let print_results = |key: &str, format: &str| {
        ok(&[
            "results",
            &record,
            "--officials-key",
            key,
            "--format",
            format,
        ])
    };
    let csv = print_results(&key, "csv");
    assert!(csv.contains("north,council-north,ann,Ann,,1,2\n"), "{csv}");
    // Each district holds its own council: no `all` row repeats a district's counts.
    assert!(csv.contains("south,council-south,dee,Dee,,1,2\n"), "{csv}");
    assert!(!csv.contains("\nall,"), "{csv}");
    let json = print_results(&key, "json");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["contests"][0]["selections"][2]["votes"], 1);
    let html = print_results(&key, "html");
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("class=\"bar\""));
    // --out writes the page to a file and says where.
    let page = e.p("results.html");
    let said = ok(&[
        "results",
        &record,
        "--officials-key",
        &key,
        "--format",
        "html",
        "--out",
        &page,
    ]);
    assert!(
        said.contains(&format!("results written to {page}")),
        "{said}"
    );
    assert_eq!(std::fs::read_to_string(&page).unwrap(), html);
    // The key itself (64 hex digits) works as well as its file, as in every program.
    let hex_key = std::fs::read_to_string(&key).unwrap();
    assert_eq!(print_results(hex_key.trim(), "csv"), csv);
    let (code, out) = fails(&["results", &record, "--officials-key", &"0".repeat(63)]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("--officials-key: cannot read the key file") && out.contains("64 hex digits"),
        "{out}"
    );
    let table = ok(&["results", &record, "--officials-key", &key]);
    assert!(
        table.contains("North — North council (2 ballots; % = share of the ballots counted)"),
        "{table}"
    );
    assert!(Path::new(&e.p("auditors/ballot-box.bin")).exists());
    assert!(Path::new(&e.p("auditors/decisions.bin")).exists());

    // A changed record file is refused.
    let agg = Path::new(&record).join("rule-counts.bin");
    let mut bytes = std::fs::read(&agg).unwrap();
    bytes[60] ^= 1;
    std::fs::write(&agg, bytes).unwrap();
    let (code, out) = fails(&["results", &record, "--officials-key", &key]);
    assert_eq!(code, 1);
    assert!(
        out.contains("[record.hash_mismatch]") && out.contains("rule-counts.bin"),
        "{out}"
    );
    assert_eq!(
        out.matches("was changed after the record was sealed")
            .count(),
        1,
        "the reason is said once: {out}"
    );

    // One byte of one submission changed: refused, naming it.
    let mut bytes = std::fs::read(&box_file).unwrap();
    let at = bytes.windows(32).position(|w| w == nonces[4]).unwrap();
    bytes[at + 200] ^= 1;
    let tampered = e.p("tampered.bin");
    std::fs::write(&tampered, bytes).unwrap();
    let (code, out) = run_fails(&import(&e, &tampered, Some(&paper), &e.p("c1")));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("[tally.box_tampered]") && out.contains("leaf 4 (its ballot differs"),
        "{out}"
    );
    assert!(!Path::new(&e.p("c1")).exists());
}

/// The ballots of a box, as the collector exported them.
fn box_entries(path: &str) -> Vec<BoxEntry> {
    BallotBoxReader::new(std::fs::File::open(path).unwrap())
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// What a forged count folder says about one ballot: given a selected ballot that counts,
/// one that does not, or marked invalid.
#[derive(Clone, Copy, PartialEq)]
enum Forged {
    Counted,
    NotCounted,
    MarkedInvalid,
}

/// Replaces a count folder's `ballots.bin`, `flag-openings.bin` and `aggregates.bin` by these
/// ballots, each selected (with a real selection proof and flag opening) as said, and the
/// sums of the selected ballots.
fn forge_ballots(e: &Election, folder: &Path, ballots: &[(Vec<u8>, Forged)]) {
    let ctx = e.package.context_hash;
    let shapes = BallotShapes::from_manifest(&e.package.manifest).unwrap();
    let selector = Selector::new(&ctx, &e.package.ceremony.joint_key);
    let mut sorted: Vec<&(Vec<u8>, Forged)> = ballots.iter().collect();
    sorted.sort_by_key(|(l, _)| ivote_protocol::ballot::ballot_hash(l));
    let mut w = BallotsWriter::new(Vec::new(), &ctx, sorted.len() as u64).unwrap();
    let mut sums = Aggregator::new(ctx, &e.package.manifest);
    let mut openings: Vec<(BallotHash, FlagOpening)> = Vec::new();
    for (layout, how) in sorted {
        let hash = ivote_protocol::ballot::ballot_hash(layout);
        if *how == Forged::MarkedInvalid {
            w.push(layout, None).unwrap();
            continue;
        }
        let ballot = Ballot::from_bytes(layout).unwrap();
        let cts = ballot.selections(&ctx, &shapes).unwrap();
        let s = selector
            .select(&cts, *how == Forged::Counted, &mut OsRng)
            .unwrap();
        let selected = SelectedBallot {
            flag: s.flag,
            proof: s.proof,
            selected: s.selected,
        };
        w.push(layout, Some(&selected)).unwrap();
        sums.add(&ballot.district, &selected.selected, &selected.flag)
            .unwrap();
        if *how == Forged::Counted {
            sums.count(&ballot.district).unwrap();
        }
        openings.push((hash, s.opening));
    }
    std::fs::write(folder.join("ballots.bin"), w.finish().unwrap()).unwrap();
    let openings = FlagOpenings {
        context: ctx,
        openings,
    };
    std::fs::write(
        folder.join("flag-openings.bin"),
        openings.to_bytes().unwrap(),
    )
    .unwrap();
    let bytes = sums.finish(&e.package.manifest).to_bytes();
    std::fs::write(folder.join("aggregates.bin"), bytes).unwrap();
}

/// Replaces a count folder's `aggregates.bin` by the sums of these ballots, each re-encrypted
/// as if it alone counted (without touching `ballots.bin`).
fn forge_sums(e: &Election, folder: &Path, layouts: &[Vec<u8>]) {
    let scratch = tempfile::tempdir().unwrap();
    let counted: Vec<(Vec<u8>, Forged)> = layouts
        .iter()
        .map(|l| (l.clone(), Forged::Counted))
        .collect();
    forge_ballots(e, scratch.path(), &counted);
    std::fs::copy(
        scratch.path().join("aggregates.bin"),
        folder.join("aggregates.bin"),
    )
    .unwrap();
}

/// Re-signs a count folder's package with `key` and puts its public key in the folder, as an
/// insider with their own "officials' key" would.
fn resign_package(folder: &Path, key: &SigningKey) {
    let pkg = folder.join("package");
    let mut files = ivote_protocol::fs::read_package_dir(&pkg).unwrap();
    files.remove(INDEX_FILE);
    files.remove(SIGNATURE_FILE);
    let index = PackageIndex::from_files(&files).unwrap();
    sign(&index, key).insert_into(&mut files);
    ivote_protocol::fs::write_package_dir(&pkg, &files).unwrap();
    std::fs::write(
        folder.join("officials-key.hex"),
        format!("{}\n", hex::encode(key.verifying_key().as_bytes())),
    )
    .unwrap();
}

/// A ballot made by someone else than a voter: valid proofs, never logged.
fn crafted_ballot(e: &Election, choice: usize) -> Vec<u8> {
    let shapes = BallotShapes::from_manifest(&e.package.manifest).unwrap();
    let values: Vec<u64> = (0..3).map(|s| u64::from(s == choice)).collect();
    let mut nonce = [0u8; 32];
    OsRng.fill_bytes(&mut nonce);
    Ballot::encrypt(
        &e.package.context_hash,
        &e.package.ceremony.joint_key,
        &shapes,
        "north",
        nonce,
        &[values],
        &EncryptionSeed::random(&mut OsRng),
        &mut OsRng,
    )
    .unwrap()
    .to_bytes()
}

/// The collector rewrites `box_file` into `out` with leaf `leaf`'s ballot changed by
/// `alter`, and signs the new log (it holds the collector key).
fn collector_rewrites(e: &Election, box_file: &str, out: &Path, leaf: usize, alter: fn(&mut [u8])) {
    let ctx = e.package.context_hash;
    let mut entries = box_entries(box_file);
    alter(&mut entries[leaf].submission.ballot);
    entries[leaf].record.ballot_hash =
        ivote_protocol::ballot::ballot_hash(&entries[leaf].submission.ballot);
    let mut tree = MerkleTree::new();
    for en in &entries {
        tree.push(en.record.leaf_hash());
    }
    let n = entries.len() as u64;
    let head = SignedTreeHead::sign(&e.collector, &ctx, n, tree.root(n).unwrap(), ENDS + 60);
    let fh = FinalHead::sign(head, &e.collector, &ctx);
    let mut w = BallotBoxWriter::new(Vec::new(), &ctx, &fh).unwrap();
    for en in &entries {
        w.push(&en.record.to_bytes(), &en.submission.to_bytes(), &[])
            .unwrap();
    }
    std::fs::write(out, w.finish().unwrap()).unwrap();
}

#[test]
fn an_honest_trustee_refuses_to_decrypt_a_forged_count() {
    let e = setup();
    let t = STARTS + 3600;
    // Leaf 0 (voter 0) is superseded by leaf 2; leaves 1 (the victim, voter 2), 2 and 3
    // are counted.
    let votes = [
        vote(0, 0, t),
        vote(2, 1, t + 1),
        vote(0, 1, t + 2),
        vote(4, 2, t + 3),
    ];
    let box_file = e.p("ballot-box.bin");
    write_box(&e, &votes, Path::new(&box_file));
    let count = e.p("count");
    run(&import(&e, &box_file, None, &count));
    let entries = box_entries(&box_file);
    let victim = entries[1].submission.ballot.clone();
    let logged: Vec<Vec<u8>> = entries
        .iter()
        .map(|e| e.submission.ballot.clone())
        .collect();
    // Every leaf's ballot, selected as the rules decided (leaf 0 superseded).
    let honest: Vec<(Vec<u8>, Forged)> = logged
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let how = if i == 0 {
                Forged::NotCounted
            } else {
                Forged::Counted
            };
            (l.clone(), how)
        })
        .collect();

    let out = e.p("never-written.bin");
    let decrypt = |folder: &str, ballot_box: &str, share: &str| {
        let (code, printed) = fails(&[
            "decrypt-share",
            "--count",
            folder,
            "--ballot-box",
            ballot_box,
            "--trustee",
            "1",
            "--share",
            share,
            "--passphrase-file",
            &e.p("pass.txt"),
            "--out",
            &out,
        ]);
        assert_eq!(code, 1, "{printed}");
        assert!(printed.contains("do NOT decrypt"), "{printed}");
        assert!(!Path::new(&out).exists());
        printed
    };
    let share = e.p("ceremony/trustee-1.share.SECRET.json");
    let forged = |name: &str| {
        let dir = PathBuf::from(e.p(name));
        copy_dir(Path::new(&count), &dir);
        dir
    };
    let refused = |dir: &Path, ballot_box: &str, code: &str| {
        let printed = decrypt(dir.to_str().unwrap(), ballot_box, &share);
        assert!(printed.contains(&format!("[{code}]")), "{code}: {printed}");
        printed
    };

    // Hole 2: the victim's ballot and crafted ciphertexts, the sums re-added, the package
    // re-signed with the insider's own "officials' key".
    let dir = forged("forged-crafted");
    forge_ballots(
        &e,
        &dir,
        &[
            (victim.clone(), Forged::Counted),
            (crafted_ballot(&e, 0), Forged::Counted),
            (crafted_ballot(&e, 1), Forged::Counted),
        ],
    );
    resign_package(&dir, &SigningKey::from_bytes(&[42; 32]));
    refused(&dir, &box_file, "decrypt.ballot_not_logged");

    // The victim's ballot alone (a real ballot of the log), summed.
    let dir = forged("forged-alone");
    forge_ballots(&e, &dir, &[(victim.clone(), Forged::Counted)]);
    let printed = refused(&dir, &box_file, "decrypt.ballot_missing");
    assert!(printed.contains("leaf 0, 2, 3"), "{printed}");

    // Every logged ballot published, but only the victim's selected: the others' selected
    // ballots are zeros, their flags 0, and the openings say so truthfully.
    let dir = forged("forged-selection");
    let only_victim: Vec<(Vec<u8>, Forged)> = logged
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let how = if i == 1 {
                Forged::Counted
            } else {
                Forged::NotCounted
            };
            (l.clone(), how)
        })
        .collect();
    forge_ballots(&e, &dir, &only_victim);
    let printed = refused(&dir, &box_file, "decrypt.selection_not_the_rules");
    assert!(printed.contains("its flag says not counted"), "{printed}");

    // The same, with openings that lie ("counted" for every ballot): they do not open the
    // flags.
    let path = dir.join("flag-openings.bin");
    let mut lying = FlagOpenings::from_bytes(&std::fs::read(&path).unwrap()).unwrap();
    for (_, o) in lying.openings.iter_mut() {
        let mut bytes = o.to_bytes();
        bytes[0] = 1;
        *o = FlagOpening::from_bytes(&bytes[..]).unwrap();
    }
    std::fs::write(&path, lying.to_bytes().unwrap()).unwrap();
    refused(&dir, &box_file, "decrypt.bad_selection");

    // A valid (superseded) ballot published as invalid, out of every sum.
    let dir = forged("forged-marked-invalid");
    let mut marked = honest.clone();
    marked[0].1 = Forged::MarkedInvalid;
    forge_ballots(&e, &dir, &marked);
    refused(&dir, &box_file, "decrypt.valid_marked_invalid");

    // The honest ballots, but aggregates.bin made of the victim's ballot alone.
    let dir = forged("forged-sums");
    forge_sums(&e, &dir, std::slice::from_ref(&victim));
    refused(&dir, &box_file, "decrypt.aggregates_mismatch");

    // Decisions that count voter 0's first vote instead of their last.
    let dir = forged("forged-decisions");
    let path = dir.join("decisions.bin");
    let mut d = Decisions::from_bytes(&std::fs::read(&path).unwrap()).unwrap();
    d.outcomes.swap(0, 2);
    std::fs::write(&path, d.to_bytes()).unwrap();
    refused(&dir, &box_file, "decrypt.decisions_inconsistent");

    // A log whose final head someone else signed.
    let dir = forged("forged-log");
    let path = dir.join("log.bin");
    let mut log = LogFile::from_bytes(&std::fs::read(&path).unwrap()).unwrap();
    let other = SigningKey::from_bytes(&[43; 32]);
    log.final_head = FinalHead::sign(log.final_head.head, &other, &e.package.context_hash);
    std::fs::write(&path, log.to_bytes()).unwrap();
    refused(&dir, &box_file, "decrypt.log_not_signed");

    // Another ballot box than the count's.
    let other_box = e.p("other-box.bin");
    write_box(&e, &votes[..2], Path::new(&other_box));
    refused(Path::new(&count), &other_box, "decrypt.box_not_the_log");

    // The collector and the officials together: a logged ballot whose proofs do not verify
    // (a byte of its last proof changed), decided "counted" and summed.
    let bad_box = e.p("bad-proof-box.bin");
    collector_rewrites(&e, &box_file, Path::new(&bad_box), 3, |ballot| {
        let n = ballot.len();
        ballot[n - 40] ^= 1
    });
    let bad_count = e.p("count-bad-proof");
    run(&import(&e, &bad_box, None, &bad_count));
    let dir = PathBuf::from(&bad_count);
    let path = dir.join("decisions.bin");
    let mut d = Decisions::from_bytes(&std::fs::read(&path).unwrap()).unwrap();
    assert_ne!(
        d.outcomes[3],
        LeafDecision::Counted,
        "the import refused it"
    );
    d.outcomes[3] = LeafDecision::Counted;
    std::fs::write(&path, d.to_bytes()).unwrap();
    let bad = box_entries(&bad_box)[3].submission.ballot.clone();
    let mut with_bad = honest.clone();
    with_bad[3] = (bad, Forged::Counted);
    forge_ballots(&e, &dir, &with_bad);
    let printed = refused(&dir, &bad_box, "decrypt.invalid_proof");
    assert!(printed.contains("not valid ballots"), "{printed}");

    // A key share of another ceremony (of the same election id) than the folder's.
    let other_ceremony = e.p("other-ceremony");
    ok(&[
        "ceremony",
        "run-all",
        "--election-id",
        e.package.manifest.election_id().as_str(),
        "--trustees",
        "5",
        "--threshold",
        "3",
        "--dir",
        &other_ceremony,
        "--passphrase-file",
        &e.p("pass.txt"),
        "--insecure-fast-kdf",
    ]);
    let printed = decrypt(
        &count,
        &box_file,
        &format!("{other_ceremony}/trustee-1.share.SECRET.json"),
    );
    assert!(printed.contains("[decrypt.other_ceremony]"), "{printed}");

    // The honest count folder still decrypts.
    let written = decrypt_share(&e, &count, &box_file, 1);
    assert!(Path::new(&written).exists());
}
