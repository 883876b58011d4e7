//! End-to-end: the real programs as separate processes over HTTP on loopback, a small
//! election with exact expected counts, any 3 of the 5 trustees, a collector killed with
//! SIGKILL mid-voting, a tampered record.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ivote_e2e::collector::CollectorProcess;
use ivote_e2e::flow::{self, unix_now, ElectionRun, Options, Quiet};
use ivote_e2e::plan::{Shares, VotingScript};
use ivote_e2e::programs::Programs;
use ivote_e2e::setup::{set_up, SetupOptions};

fn programs() -> &'static Programs {
    Programs::built_once().unwrap()
}

fn options(voters: usize, trustees: Vec<u32>) -> Options {
    Options {
        voters,
        revoked: 2,
        shares: Shares {
            abstain: 0.1,
            revote: 0.25,
            paper: 0.1,
        },
        trustees,
        seed: 11,
        parallel: 4,
        booth: None,
    }
}

/// One small election, run once and shared by the tests that read it.
fn election() -> &'static (tempfile::TempDir, ElectionRun) {
    static ELECTION: OnceLock<(tempfile::TempDir, ElectionRun)> = OnceLock::new();
    ELECTION.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let outcome = flow::run(programs(), dir.path(), &options(40, vec![1, 2, 3]), &Quiet)
            .unwrap_or_else(|e| panic!("{e:#}"));
        (dir, outcome)
    })
}

#[test]
fn a_whole_election_counts_exactly_what_the_voters_cast() {
    let (_dir, outcome) = election();
    let plan = &outcome.plan;
    let manifest = flow::load_manifest(&outcome.files).unwrap();
    assert_eq!(outcome.results, plan.expected(&manifest));
    // The results as officials and the public read them: each district's contest once, the
    // parliament (held in Tallinn and Tartu) added up by party, percentages labelled; the
    // page written beside the record.
    let table = &outcome.results_table;
    assert_eq!(table.matches("City projects to fund").count(), 1, "{table}");
    assert!(
        table.contains("All districts (Tallinn, Tartu) — Member of Parliament, by party (")
            && table.contains("% = share of all points given")
            && table.contains("Candidates without a party"),
        "{table}"
    );
    let page = std::fs::read_to_string(&outcome.results_page).unwrap();
    assert!(
        page.starts_with("<!DOCTYPE html>")
            && page.contains("All districts (Tallinn, Tartu) — Member of Parliament, by party"),
        "{page}"
    );
    assert!(
        outcome
            .verifier_report
            .contains("VERIFIED: 18 of 18 checks passed"),
        "{}",
        outcome.verifier_report
    );

    // The rule counts of the count, against what the voters did.
    let count_dir = outcome.files.path("count");
    let revotes: usize = plan
        .voters
        .iter()
        .filter(|v| v.counts())
        .map(|v| v.votes.len() - 1)
        .sum();
    let cancelled = plan.paper_list().len();
    let cancelled_votes: usize = plan
        .voters
        .iter()
        .filter(|v| v.on_paper_list)
        .map(|v| v.votes.len())
        .sum();
    assert!(revotes > 0 && cancelled > 0, "the plan exercises the rules");
    assert_eq!(
        outcome.voting.refused.len(),
        2,
        "both revoked voters refused"
    );
    let n = |name| flow::report_number(&count_dir, name).unwrap();
    assert_eq!(
        n("submissions in the box:") as usize,
        plan.accepted_submissions()
    );
    assert_eq!(n("ballots counted:") as usize, plan.counted_voters());
    assert_eq!(n("superseded by a revote:") as usize, revotes);
    assert_eq!(n("cancelled voters:") as usize, cancelled);
    assert_eq!(n("cancelled submissions:") as usize, cancelled_votes);
    assert_eq!(n("rejected (invalid):"), 0);

    // Every receipt a voter kept is in the final log, checked by the voter's own app
    // against the published record.
    for receipt in outcome.voting.receipts.iter().take(5) {
        let out = programs()
            .run(
                "verifier",
                [
                    "receipt".as_ref(),
                    outcome.record.as_os_str(),
                    receipt.as_os_str(),
                ],
            )
            .unwrap();
        assert!(out.contains("R02 ok"), "{out}");
    }
}

#[test]
fn any_three_of_the_five_trustees_decrypt_the_same_result_and_two_cannot() {
    let (_dir, outcome) = election();
    let files = &outcome.files;
    let ballot_box = files.path("export/ballot-box.bin");
    let work = files.path("count-245");
    let p = programs();
    let count = flow::import(p, files, &outcome.plan, &ballot_box, &work).unwrap();
    let share = |j| flow::decrypt_share(p, files, &count, &ballot_box, j, &work).unwrap();
    let (two, four, five) = (share(2), share(4), share(5));

    // Trustees 2 and 4 alone are refused, and nothing is combined.
    let (status, printed) = p
        .run_failing(
            "tally",
            flow::combine_args(&count, &[two.clone(), four.clone()]),
        )
        .unwrap();
    assert_eq!(status, 1, "{printed}");
    assert!(printed.contains("tally.not_enough_shares"), "{printed}");

    // A corrupted share file is skipped with a warning; three good ones still decrypt.
    let mut bad = std::fs::read(&two).unwrap();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let corrupted = work.join("corrupted-shares-2.bin");
    std::fs::write(&corrupted, bad).unwrap();
    let out = p
        .command("tally")
        .args(flow::combine_args(&count, &[corrupted, two, four, five]))
        .output()
        .unwrap();
    let printed = ivote_e2e::programs::printed(&out);
    assert!(out.status.success(), "{printed}");
    assert!(printed.contains("WARNING: skipped"), "{printed}");

    let record = flow::publish(p, files, &count, &ballot_box, &work).unwrap();
    assert_eq!(flow::results(p, files, &record).unwrap(), outcome.results);
}

#[test]
fn a_tampered_record_fails_the_check_that_covers_it() {
    let (_dir, outcome) = election();
    let copy = outcome.files.path("tampered-record");
    copy_dir(&outcome.record, &copy);
    let results = copy.join("results.bin");
    let mut bytes = std::fs::read(&results).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&results, bytes).unwrap();
    let key = outcome.files.officials_key_hex().unwrap();
    let (status, printed) = programs()
        .run_failing(
            "verifier",
            [
                "check".as_ref(),
                copy.as_os_str(),
                "--officials-key".as_ref(),
                key.as_ref(),
            ],
        )
        .unwrap();
    assert_eq!(status, 1, "{printed}");
    assert!(
        printed.contains("V01 FAILED"),
        "the seal names the file:\n{printed}"
    );
    assert!(printed.contains("results.bin"), "{printed}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A collector killed with SIGKILL while voters are casting, then restarted on the same
/// ballot box: every receipt a voter received is still in the log, and the log is
/// consistent with the heads in those receipts (`voter-app check-receipt` checks both).
#[test]
fn every_receipt_survives_a_collector_killed_mid_voting() {
    let dir = tempfile::tempdir().unwrap();
    let now = unix_now();
    let setup = SetupOptions::example(60, 0, now + 2, now + 3600).unwrap();
    let files = set_up(programs(), dir.path(), &setup, now, |_| {}).unwrap();
    let manifest = flow::load_manifest(&files).unwrap();
    let roll: Vec<(String, String)> = std::fs::read_to_string(files.roll())
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_owned(), f[1].to_owned())
        })
        .collect();
    let plan = VotingScript::draw(&manifest, &roll, 0, Shares::default(), 5);
    flow::wait_until(now + 2);
    let data = files.path("collector-data");
    let collector = CollectorProcess::start(
        programs(),
        &files,
        &data,
        &files.path("collector-1.log"),
        &[],
    )
    .unwrap();
    let url = collector.url().to_owned();
    let receipts = files.path("receipts");

    // Voters cast while the collector is killed; votes in flight at the kill fail (the
    // voter would retry), the others hold receipts.
    std::thread::scope(|scope| {
        let voting = scope.spawn(|| {
            ivote_e2e::voting::cast_all(programs(), &files, &manifest, &url, &plan, 4, &|| {})
        });
        let deadline = Instant::now() + Duration::from_secs(120);
        while count_files(&receipts) < 10 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        collector.kill_hard().unwrap();
        assert!(
            voting.join().unwrap().is_err(),
            "voting stopped with the collector"
        );
    });
    let held = count_files(&receipts);
    assert!(held >= 10, "{held} receipts before the kill");

    let collector = CollectorProcess::start(
        programs(),
        &files,
        &data,
        &files.path("collector-2.log"),
        &[],
    )
    .unwrap();
    let key = files.officials_key_hex().unwrap();
    for receipt in std::fs::read_dir(&receipts).unwrap() {
        let receipt = receipt.unwrap().path();
        let out = programs()
            .run(
                "voter-app",
                [
                    "check-receipt".as_ref(),
                    "--collector".as_ref(),
                    collector.url().as_ref(),
                    "--officials-key".as_ref(),
                    key.as_ref(),
                    receipt.as_os_str(),
                ],
            )
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert!(out.contains("still in the collector's log"), "{out}");
    }
    collector.stop(Duration::from_secs(30)).unwrap();
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}
