//! The vote buyer (issue 16, docs/coercion.md): three elections with the real programs, on
//! the same manifest and roll, in which voter X sells their first vote. They differ only in
//! who did what, so that every public total is the same:
//!
//! - A: X votes once (the bought ballot counts); Y votes and revotes; Z votes and is on the
//!   paper list;
//! - B: X votes and revotes (the bought ballot is superseded); Y votes once; Z on paper;
//! - C: X votes and is on the paper list (the bought ballot is cancelled); Y revotes; Z votes
//!   once.
//!
//! The buyer holds what X's app printed and saved for the first vote: the receipt, the
//! tracking code and the verification code (ballot id and seed), checked on a second device
//! at purchase. With the public record (the `ivote_protocol::record` readers) and `verifier
//! receipt`, the buyer sees X's ballot the same way in all three records, finds nothing that
//! lists which ballots counted, and the seed opens X's ballot but no selected ballot. The
//! auditors' bundles show that the bought ballot counted in A only, so the test is not
//! vacuous; every election verifies (`verifier check`, `verifier audit`) and counts what the
//! voters cast.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ivote_crypto::contest::EncryptionSeed;
use ivote_crypto::proofs::selection::SelectionStatement;
use ivote_crypto::{Ciphertext, ContestPosition, PublicKey};
use ivote_e2e::collector::CollectorProcess;
use ivote_e2e::flow::{self, unix_now, wait_until, Quiet};
use ivote_e2e::plan::{choice_args, random_vote, Counts, Vote, VoterScript, VotingScript};
use ivote_e2e::programs::Programs;
use ivote_e2e::setup::{set_up, ElectionFiles, SetupOptions};
use ivote_e2e::voting::{tracking_code, verification_code, vote_command};
use ivote_protocol::ballot::{Ballot, BallotShapes};
use ivote_protocol::fs::{read_package_dir, read_public_key_arg};
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::package::{verify_and_load, PackageTrust};
use ivote_protocol::record::aggregates::Aggregates;
use ivote_protocol::record::ballots::{BallotsReader, PublishedBallot};
use ivote_protocol::record::counts::RuleCounts;
use ivote_protocol::record::flag_openings::FlagOpenings;
use ivote_protocol::record::results::Results;
use ivote_protocol::record::seal::RecordIndex;
use ivote_protocol::record::{
    AGGREGATES_FILE, BALLOTS_FILE, DECISIONS_FILE, FLAG_OPENINGS_FILE, INDEX_FILE, PACKAGE_DIR,
    RESULTS_FILE, RULE_COUNTS_FILE,
};
use ivote_protocol::ElectionPackage;
use ivote_voter_app::code::VerificationCode;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::Value;

fn programs() -> &'static Programs {
    static PROGRAMS: OnceLock<Programs> = OnceLock::new();
    PROGRAMS.get_or_init(|| Programs::build_and_locate().unwrap())
}

/// Voters in the roll: the demo PKI deals them to the example manifest's three districts in
/// turn, so roll entries 0, 3 and 6 are all in the first district (Tallinn).
const VOTERS: usize = 8;
/// X, Y and Z (roll indices): one district, so that the per-district counts cannot tell.
const X: usize = 0;
const Y: usize = 3;
const Z: usize = 6;
/// Voters who vote once, the same vote in every election.
const OTHERS: [usize; 3] = [1, 2, 4];
/// The trustees who decrypt, the same in every election (their share files are in the
/// record).
const TRUSTEES: [u32; 3] = [1, 2, 3];

/// What X, Y and Z do in one election (each voter's votes in order; who is on paper).
struct Scenario {
    name: &'static str,
    x: Vec<Vote>,
    y: Vec<Vote>,
    z: Vec<Vote>,
    on_paper: usize,
}

/// A vote for selection `s` of every contest (the Tallinn contest is a plurality: one mark).
fn mark(contests: &[ivote_protocol::manifest::Contest], s: usize) -> Vote {
    contests
        .iter()
        .map(|c| {
            (0..c.selection_count())
                .map(|i| u64::from(i == s))
                .collect()
        })
        .collect()
}

/// The three scenarios. The bought vote `P` is X's first. Counted: A `P` (X) + `Q` (Y), B
/// `Q` (X's revote) + `P` (Y), C `Q` (Y's revote) + `P` (Z): the same totals everywhere.
fn scenarios(contests: &[ivote_protocol::manifest::Contest]) -> [Scenario; 3] {
    let (p, q, r) = (mark(contests, 0), mark(contests, 1), mark(contests, 2));
    [
        Scenario {
            name: "A",
            x: vec![p.clone()],
            y: vec![r.clone(), q.clone()],
            z: vec![p.clone()],
            on_paper: Z,
        },
        Scenario {
            name: "B",
            x: vec![p.clone(), q.clone()],
            y: vec![p.clone()],
            z: vec![p.clone()],
            on_paper: Z,
        },
        Scenario {
            name: "C",
            x: vec![p.clone()],
            y: vec![r, q],
            z: vec![p],
            on_paper: X,
        },
    ]
}

/// What the buyer was handed for X's first vote.
#[derive(Debug)]
struct Bought {
    /// The receipt file the app saved.
    receipt: PathBuf,
    /// The tracking code the app printed.
    tracking: String,
    /// The verification code the app printed (ballot id and seed).
    code: String,
    /// What the second device showed at purchase (`voter-app verify`).
    second_device: String,
}

/// A `verifier --json` run: its exit status and report.
#[derive(Debug)]
struct Verdict {
    status: i32,
    report: Value,
}

/// One election, run to the end.
#[derive(Debug)]
struct Election {
    name: &'static str,
    files: ElectionFiles,
    plan: VotingScript,
    bought: Bought,
    record: PathBuf,
    bundle: PathBuf,
    /// `tally results --format json`.
    results: Counts,
    check: Verdict,
    audit: Verdict,
    receipt: Verdict,
}

/// The three elections, run once (in parallel) and shared by the tests.
fn elections() -> &'static (tempfile::TempDir, Vec<Election>) {
    static ELECTIONS: OnceLock<(tempfile::TempDir, Vec<Election>)> = OnceLock::new();
    ELECTIONS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let manifest = {
            let src = ivote_testkit::manifest::EXAMPLE;
            ivote_protocol::ElectionManifest::from_toml(src, ivote_protocol::WindowCheck::AllowPast)
                .unwrap()
        };
        let tallinn = manifest.districts()[0].contests.clone();
        let programs = programs();
        // One setup time: the three manifests are byte for byte the same.
        let now = unix_now();
        let elections = std::thread::scope(|scope| {
            let runs: Vec<_> = scenarios(&tallinn)
                .into_iter()
                .map(|s| {
                    let path = dir.path().join(s.name);
                    scope.spawn(move || run(programs, &path, &s, now))
                })
                .collect();
            runs.into_iter()
                .map(|r| r.join().unwrap().unwrap_or_else(|e| panic!("{e:#}")))
                .collect::<Vec<_>>()
        });
        (dir, elections)
    })
}

/// The voters' script of a scenario on this election's roll.
fn plan(
    s: &Scenario,
    manifest: &ivote_protocol::ElectionManifest,
    roll: &[(String, String)],
) -> VotingScript {
    assert_eq!(roll.len(), VOTERS);
    assert!(
        [Y, Z].iter().all(|&i| roll[i].1 == roll[X].1),
        "X, Y and Z share a district: {roll:?}"
    );
    let mut rng = ChaCha20Rng::seed_from_u64(16);
    let voters = roll
        .iter()
        .enumerate()
        .map(|(i, (code, district))| {
            let contests = &manifest.district(district).unwrap().contests;
            let votes = match i {
                X => s.x.clone(),
                Y => s.y.clone(),
                Z => s.z.clone(),
                i if OTHERS.contains(&i) => {
                    vec![contests.iter().map(|c| random_vote(c, &mut rng)).collect()]
                }
                _ => vec![],
            };
            VoterScript {
                code: code.clone(),
                district: district.clone(),
                votes,
                revoked: false,
                on_paper_list: i == s.on_paper,
            }
        })
        .collect();
    VotingScript { voters }
}

/// Runs one election with the real programs in `dir`, voting from `now + 3`.
fn run(programs: &Programs, dir: &Path, s: &Scenario, now: i64) -> anyhow::Result<Election> {
    let starts = now + 3;
    let setup = SetupOptions::example(VOTERS, 0, starts, now + 3600)?;
    let files = set_up(programs, dir, &setup, now, |_| {})?;
    let manifest = flow::load_manifest(&files)?;
    let roll = flow::read_roll(&files)?;
    let plan = plan(s, &manifest, &roll);
    wait_until(starts);

    let data = files.path("collector-data");
    let collector =
        CollectorProcess::start(programs, &files, &data, &files.path("collector.log"), &[])?;
    let url = collector.url().to_owned();
    let key = files.officials_key_hex()?;
    std::fs::create_dir_all(files.path("receipts"))?;
    // X's bought vote first (leaf 0 in every election), then every first vote, then the
    // revotes.
    let mut order = vec![(X, 0)];
    order.extend([Y, Z].iter().chain(&OTHERS).map(|&i| (i, 0)));
    order.extend([X, Y].iter().map(|&i| (i, 1)));
    let mut bought = None;
    for (i, n) in order {
        let voter = &plan.voters[i];
        let Some(vote) = voter.votes.get(n) else {
            continue;
        };
        let contests = &manifest.district(&voter.district).unwrap().contests;
        let receipt = files
            .path("receipts")
            .join(format!("{}-{}.bin", voter.code, n + 1));
        let mut args = vote_command(
            &files,
            &url,
            &key,
            &voter.code,
            &choice_args(contests, vote),
        );
        args.push("--receipt".into());
        args.push(receipt.to_string_lossy().into_owned());
        let printed = programs.run("voter-app", &args)?;
        if (i, n) == (X, 0) {
            let code = verification_code(&printed).unwrap();
            // The buyer checks the bought vote on their own device, at purchase.
            let second_device = programs.run(
                "voter-app",
                [
                    "verify",
                    "--collector",
                    &url,
                    "--officials-key",
                    &key,
                    &code,
                ],
            )?;
            bought = Some(Bought {
                receipt,
                tracking: tracking_code(&printed).unwrap(),
                code,
                second_device,
            });
        }
    }
    let record =
        flow::close_and_count(programs, &files, collector, &data, &plan, &TRUSTEES, &Quiet)?;
    let bundle = files.path("auditors");
    let results = flow::results(programs, &files, &record)?;
    let bought = bought.unwrap();
    let verifier = |args: Vec<&std::ffi::OsStr>| -> Verdict {
        let out = programs
            .command("verifier")
            .args(["--json", "--quiet", "--officials-key", &key])
            .args(args)
            .output()
            .unwrap();
        Verdict {
            status: out.status.code().unwrap_or(-1),
            report: serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{e}: {}", ivote_e2e::programs::printed(&out))),
        }
    };
    let check = verifier(vec!["check".as_ref(), record.as_os_str()]);
    let roll_file = files.roll();
    let audit = verifier(vec![
        "audit".as_ref(),
        record.as_os_str(),
        bundle.as_os_str(),
        "--roll".as_ref(),
        roll_file.as_os_str(),
    ]);
    let ballot_hash = VerificationCode::parse(&bought.code)?.ballot_id.to_hex();
    let receipt = verifier(vec![
        "receipt".as_ref(),
        record.as_os_str(),
        bought.receipt.as_os_str(),
        "--ballot-hash".as_ref(),
        ballot_hash.as_ref(),
    ]);
    Ok(Election {
        name: s.name,
        files,
        plan,
        bought,
        record,
        bundle,
        results,
        check,
        audit,
        receipt,
    })
}

// ---- what the buyer reads, with the public readers only ----

/// The record's package, loaded with the officials' published key.
fn package(e: &Election) -> ElectionPackage {
    let key = read_public_key_arg(&e.files.officials_key_hex().unwrap()).unwrap();
    let files = read_package_dir(&e.record.join(PACKAGE_DIR)).unwrap();
    verify_and_load(&files, PackageTrust::OfficialsKey(&key)).unwrap()
}

/// Every entry of the record's `ballots.bin`.
fn published(e: &Election) -> Vec<PublishedBallot> {
    let file = File::open(e.record.join(BALLOTS_FILE)).unwrap();
    BallotsReader::new(BufReader::new(file))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

/// The buyer's verification code.
fn code(e: &Election) -> VerificationCode {
    VerificationCode::parse(&e.bought.code).unwrap()
}

/// X's first ballot in the record, found by the tracking code and the code's ballot id.
fn bought_entry(e: &Election) -> PublishedBallot {
    let id = code(e).ballot_id;
    assert_eq!(
        ivote_voter_app::code::tracking_code(&id),
        e.bought.tracking,
        "{}: the tracking code names the code's ballot",
        e.name
    );
    let entries = published(e);
    let by_tracking: Vec<&PublishedBallot> = entries
        .iter()
        .filter(|b| ivote_voter_app::code::tracking_code(&b.hash) == e.bought.tracking)
        .collect();
    assert_eq!(
        by_tracking.len(),
        1,
        "{}: the bought ballot is in ballots.bin, once, under its tracking code",
        e.name
    );
    assert_eq!(by_tracking[0].hash, id, "{}", e.name);
    by_tracking[0].clone()
}

/// The contests of a ballot: position and shape, in ballot order.
fn positions(
    ballot: &Ballot,
    shapes: &BallotShapes,
) -> Vec<(ContestPosition, ivote_crypto::contest::ContestShape)> {
    shapes
        .district(&ballot.district)
        .unwrap()
        .iter()
        .map(|(contest, shape)| {
            (
                ContestPosition {
                    nonce: ballot.nonce,
                    district: ballot.district.clone(),
                    contest: contest.clone(),
                },
                shape.clone(),
            )
        })
        .collect()
}

/// Every ciphertext the seed can make at the contests of `ballot`: each selection's nonce
/// re-derived from the seed (crypto-spec §7.3) and every value of its range encrypted with
/// it.
fn seed_encryptions(
    seed: &EncryptionSeed,
    key: &PublicKey,
    ballot: &Ballot,
    shapes: &BallotShapes,
) -> HashSet<[u8; 64]> {
    let mut out = HashSet::new();
    for (position, shape) in positions(ballot, shapes) {
        for (i, range) in (0u32..).zip(shape.selections()) {
            let r = seed.selection_nonce(&position, i);
            for v in range.lo()..=range.hi() {
                out.insert(Ciphertext::encrypt(key, v, &r).to_bytes());
            }
        }
    }
    out
}

/// The `(id, status, covered)` of every check of a report (without the election's context
/// hash), and its verdict.
fn checks(report: &Value) -> (Vec<(String, String, String)>, String) {
    let list = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
                // Each election has its own context hash (its own keys): not X's doing.
                c["covered"]
                    .as_str()
                    .unwrap_or_default()
                    .split(", context hash")
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    (
        list,
        report["verdict"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Every file under `dir`, as `/`-separated paths relative to it.
fn files_under(dir: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap();
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// The same value for all three elections.
fn same<T: PartialEq + std::fmt::Debug>(what: &str, values: Vec<T>) -> T {
    let mut it = values.into_iter();
    let first = it.next().unwrap();
    for (other, name) in it.zip(["B", "C"]) {
        assert_eq!(first, other, "{what}: A and {name} differ");
    }
    first
}

// ---- the tests ----

/// (1) X's first ballot is in every record the same way: a selected ballot of the same
/// shape whose selection proof verifies; `verifier receipt` says the same; the rule counts
/// and the per-district counted ballots are the same.
#[test]
fn the_bought_ballot_appears_the_same_way_in_all_three_records() {
    let (_dir, elections) = elections();
    let mut shapes = Vec::new();
    for e in elections {
        let package = package(e);
        let key = &package.ceremony.joint_key;
        let entry = bought_entry(e);
        let selection = entry
            .selection
            .as_ref()
            .unwrap_or_else(|| panic!("{}: the bought ballot has no selected ballot", e.name));
        let ballot_shapes = BallotShapes::from_manifest(&package.manifest).unwrap();
        let decoded = entry
            .ballot
            .decode(&package.context_hash, &ballot_shapes)
            .unwrap();
        let ballot: Vec<Ciphertext> = decoded
            .contests()
            .flat_map(|c| c.selections().iter().copied())
            .collect();
        assert_eq!(ballot.len(), selection.selected.len(), "{}", e.name);
        selection
            .proof
            .verify(
                &package.context_hash,
                &SelectionStatement {
                    key,
                    ballot: &ballot,
                    selected: &selection.selected,
                    flag: &selection.flag,
                },
            )
            .unwrap_or_else(|err| panic!("{}: the selection proof: {err}", e.name));
        shapes.push((
            entry.ballot.district.clone(),
            entry
                .ballot
                .contests
                .iter()
                .map(|c| c.contest.clone())
                .collect::<Vec<_>>(),
            selection.selected.len(),
        ));
    }
    same("the bought ballot's district, contests and width", shapes);

    // `verifier receipt` with the bought receipt: the same verdict and checks.
    for e in elections {
        assert_eq!(e.receipt.status, 0, "{}: {:#}", e.name, e.receipt.report);
    }
    let (receipt_checks, verdict) = same(
        "verifier receipt's checks",
        elections
            .iter()
            .map(|e| checks(&e.receipt.report))
            .collect(),
    );
    assert!(verdict.starts_with("VERIFIED"), "{verdict}");
    assert!(
        receipt_checks
            .iter()
            .all(|(_, status, _)| status == "passed"),
        "{receipt_checks:?}"
    );

    // The rule counts and the counted ballots per district.
    same(
        "rule-counts.bin",
        elections
            .iter()
            .map(|e| {
                let bytes = std::fs::read(e.record.join(RULE_COUNTS_FILE)).unwrap();
                RuleCounts::from_bytes(&bytes).unwrap().1
            })
            .collect(),
    );
    same(
        "the counted ballots per district (aggregates.bin, results.bin)",
        elections
            .iter()
            .map(|e| {
                let aggregates =
                    Aggregates::from_bytes(&std::fs::read(e.record.join(AGGREGATES_FILE)).unwrap())
                        .unwrap();
                let results =
                    Results::from_bytes(&std::fs::read(e.record.join(RESULTS_FILE)).unwrap())
                        .unwrap();
                let per_district: BTreeMap<String, u64> = aggregates
                    .aggregates
                    .iter()
                    .map(|a| (a.position.district.clone(), a.ballots))
                    .collect();
                let flag_sums =
                    results.counts[results.counts.len() - aggregates.flags.len()..].to_vec();
                (per_district, flag_sums)
            })
            .collect(),
    );
}

/// (2) Nothing public lists which ballots counted: no decisions or flag openings in the
/// record (they are in the bundle), the same sealed file names in all three, and every
/// logged ballot in `ballots.bin`, each with a selected ballot.
#[test]
fn nothing_public_lists_which_ballots_counted() {
    let (_dir, elections) = elections();
    for e in elections {
        let record = files_under(&e.record);
        for secret in [DECISIONS_FILE, FLAG_OPENINGS_FILE] {
            assert!(
                !record.iter().any(|f| f.rsplit('/').next() == Some(secret)),
                "{}: the record holds {secret}: {record:?}",
                e.name
            );
            assert!(
                files_under(&e.bundle).contains(secret),
                "{}: the auditors' bundle lacks {secret}",
                e.name
            );
        }
        let counts =
            RuleCounts::from_bytes(&std::fs::read(e.record.join(RULE_COUNTS_FILE)).unwrap())
                .unwrap()
                .1;
        let entries = published(e);
        assert_eq!(
            entries.len() as u64,
            counts.submissions,
            "{}: every logged ballot is published, counted or not",
            e.name
        );
        assert_eq!(counts.submissions, e.plan.accepted_submissions() as u64);
        assert!(
            counts.counted < counts.submissions,
            "{}: some logged ballots did not count",
            e.name
        );
        assert!(
            entries.iter().all(|b| b.selection.is_some()),
            "{}: every ballot is valid and has a selected ballot",
            e.name
        );
    }
    let names = same(
        "the sealed index's file names",
        elections
            .iter()
            .map(|e| {
                RecordIndex::from_bytes(&std::fs::read(e.record.join(INDEX_FILE)).unwrap())
                    .unwrap()
                    .files
                    .into_iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>()
            })
            .collect(),
    );
    assert!(names.iter().any(|n| n == BALLOTS_FILE), "{names:?}");
    same(
        "the record folder's files",
        elections.iter().map(|e| files_under(&e.record)).collect(),
    );
}

/// (3) The seed opens X's ballot (as the second device does) but no selected ballot: no
/// selection nonce the seed derives, with any value, gives a selected ciphertext.
#[test]
fn the_seed_opens_the_bought_ballot_and_no_selected_ballot() {
    let (_dir, elections) = elections();
    let mut opened = Vec::new();
    for e in elections {
        // At purchase, the second device showed the vote as X's only one.
        assert!(
            e.bought.second_device.contains("your vote number 1 of 1"),
            "{}: {}",
            e.name,
            e.bought.second_device
        );
        let package = package(e);
        let key = &package.ceremony.joint_key;
        let shapes = BallotShapes::from_manifest(&package.manifest).unwrap();
        let code = code(e);
        let bought = bought_entry(e);

        // The seed opens B in the record, as `voter-app verify` opens it.
        let decoded = bought
            .ballot
            .decode(&package.context_hash, &shapes)
            .unwrap();
        let values: Vec<Vec<u64>> = decoded
            .contests()
            .zip(positions(&bought.ballot, &shapes))
            .map(|(contest, (position, shape))| {
                contest
                    .open_with_seed(key, &position, &shape, &code.seed)
                    .unwrap()
            })
            .collect();
        assert_eq!(&values, &e.plan.voters[X].votes[0], "{}", e.name);
        let from_seed = seed_encryptions(&code.seed, key, &bought.ballot, &shapes);
        assert!(
            decoded
                .contests()
                .flat_map(|c| c.selections())
                .all(|ct| from_seed.contains(&ct.to_bytes())),
            "{}: the seed's encryptions include the bought ballot's",
            e.name
        );

        // No selected ballot of the record: neither at the bought ballot's positions nor at
        // the selected ballot's own ballot's.
        let entries = published(e);
        let mut tried = 0;
        for entry in &entries {
            let selection = entry.selection.as_ref().unwrap();
            let own = seed_encryptions(&code.seed, key, &entry.ballot, &shapes);
            for ct in &selection.selected {
                let bytes = ct.to_bytes();
                assert!(
                    !from_seed.contains(&bytes) && !own.contains(&bytes),
                    "{}: the buyer's seed opens the selected ballot of {}",
                    e.name,
                    entry.hash.to_hex()
                );
                tried += 1;
            }
        }
        assert!(tried >= entries.len(), "{}", e.name);
        opened.push(values);
    }
    same("what the seed opens", opened);
}

/// (4) Each election verifies and counts the voters' effective votes (A: X's first, B: X's
/// second, C: none of X's); the three results are the same.
#[test]
fn each_election_verifies_and_counts_what_the_voters_cast() {
    let (_dir, elections) = elections();
    for e in elections {
        assert_eq!(e.check.status, 0, "{}: {:#}", e.name, e.check.report);
        assert_eq!(e.audit.status, 0, "{}: {:#}", e.name, e.audit.report);
        let manifest = flow::load_manifest(&e.files).unwrap();
        assert_eq!(e.results, e.plan.expected(&manifest), "{}", e.name);
    }
    let x = |e: &Election| e.plan.voters[X].clone();
    let counted = |v: &VoterScript| v.counts().then(|| v.votes.last().cloned()).flatten();
    assert_eq!(
        counted(&x(&elections[0])),
        Some(elections[0].plan.voters[X].votes[0].clone())
    );
    assert_eq!(
        counted(&x(&elections[1])),
        Some(elections[1].plan.voters[X].votes[1].clone())
    );
    assert_eq!(counted(&x(&elections[2])), None);
    same(
        "the results",
        elections.iter().map(|e| e.results.clone()).collect(),
    );
    same(
        "the counts verifier check recomputed",
        elections
            .iter()
            .map(|e| e.check.report["counts"].clone())
            .collect(),
    );
}

/// The three elections really differ where the public cannot see: the auditors' flag
/// openings say the bought ballot counted in A only.
#[test]
fn the_bundles_show_the_bought_ballot_counted_in_a_only() {
    let (_dir, elections) = elections();
    let counted: Vec<bool> = elections
        .iter()
        .map(|e| {
            let openings = FlagOpenings::from_bytes(
                &std::fs::read(e.bundle.join(FLAG_OPENINGS_FILE)).unwrap(),
            )
            .unwrap();
            let id: BallotHash = code(e).ballot_id;
            let opening = openings
                .openings
                .iter()
                .find(|(h, _)| *h == id)
                .unwrap_or_else(|| panic!("{}: no flag opening for the bought ballot", e.name));
            opening.1.counted()
        })
        .collect();
    assert_eq!(counted, [true, false, false]);
}
