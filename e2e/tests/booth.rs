//! End-to-end: the browser booth (docs/booth.md) in Debian's headless Chromium, served by
//! the real `collector serve --booth`: a revoked certificate is refused before anything is
//! sent, a voter votes and votes again (told that the last vote counts), another votes; the
//! real tally counts exactly the booth's last votes and the verifier accepts the record.
//! Without Chromium, Node.js or the driver's npm package the test fails saying what to
//! install (.ci/run installs them): it never passes without a browser.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ivote_e2e::booth::{self, BrowserVote};
use ivote_e2e::collector::CollectorProcess;
use ivote_e2e::flow::{self, unix_now, wait_until, Quiet};
use ivote_e2e::plan::{random_vote, VoterScript, VotingScript};
use ivote_e2e::programs::{printed, Programs};
use ivote_e2e::setup::{set_up, SetupOptions};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

const TRUSTEES: [u32; 3] = [1, 2, 3];

#[test]
fn the_booth_votes_revotes_refuses_a_revoked_certificate_and_the_tally_counts_it() {
    let programs = Programs::built_once().unwrap();
    let built = booth::build(programs).unwrap_or_else(|e| panic!("{e:#}"));
    let dir = tempfile::tempdir().unwrap();
    let now = unix_now();
    let starts = now + 3;
    // ECDSA P-384 e-IDs, as Estonian ID cards: the module's RustCrypto backend checks them.
    let setup = SetupOptions {
        key_algorithm: "p384".into(),
        ..SetupOptions::example(3, 1, starts, now + 3600).unwrap()
    };
    let files = set_up(programs, dir.path(), &setup, now, |_| {}).unwrap();
    let manifest = flow::load_manifest(&files).unwrap();
    let roll = flow::read_roll(&files).unwrap();
    let site = booth::lay_out(&built, &files).unwrap();

    // Voter 0 is revoked; voter 1 votes twice; voter 2 once.
    let mut rng = ChaCha20Rng::seed_from_u64(18);
    let plan = VotingScript {
        voters: roll
            .iter()
            .enumerate()
            .map(|(i, (code, district))| {
                let contests = &manifest.district(district).unwrap().contests;
                let times = [1, 2, 1][i];
                VoterScript {
                    code: code.clone(),
                    district: district.clone(),
                    votes: (0..times)
                        .map(|_| contests.iter().map(|c| random_vote(c, &mut rng)).collect())
                        .collect(),
                    revoked: i == 0,
                    on_paper_list: false,
                }
            })
            .collect(),
    };
    let voters = files.voters();
    let vote = |v: &VoterScript, n: usize, again: bool| BrowserVote {
        cert: voters.join(format!("{}.cert.pem", v.code)),
        key: voters.join(format!("{}.key.pem", v.code)),
        passphrase: String::new(),
        choices: v.votes[n].clone(),
        again,
    };
    let [revoked, twice, once] = [&plan.voters[0], &plan.voters[1], &plan.voters[2]];
    let votes = [
        vote(revoked, 0, false),
        vote(twice, 0, false),
        vote(twice, 1, true),
        vote(once, 0, false),
    ];

    wait_until(starts);
    let data = files.path("collector-data");
    let collector = CollectorProcess::start(
        programs,
        &files,
        &data,
        &files.path("collector.log"),
        &["--booth", site.to_str().unwrap()],
    )
    .unwrap();
    let url = format!("{}/booth/", collector.url());
    // IVOTE_BOOTH_SCREENSHOTS=DIR keeps a PNG of each screen (docs/booth.md's come from it).
    let screenshots = std::env::var_os("IVOTE_BOOTH_SCREENSHOTS").map(std::path::PathBuf::from);
    let shown = booth::vote_in_browser(&url, &votes, screenshots.as_deref())
        .unwrap_or_else(|e| panic!("{e:#}"));
    // The module's encrypt, prove and sign time for each ballot (docs/BENCHMARKS.md).
    for s in shown.iter().filter(|s| s.ok) {
        eprintln!("booth: sealed a ballot in {:?} ms", s.seal_ms);
    }
    assert_eq!(shown.len(), votes.len(), "{shown:?}");
    for s in &shown {
        assert_eq!(s.page_error, None, "{s:?}");
    }

    // The revoked certificate: refused in the page by the election's CRL, nothing sent.
    assert!(!shown[0].ok, "{:?}", shown[0]);
    assert_eq!(
        shown[0].code.as_deref(),
        Some("eid.revoked"),
        "{:?}",
        shown[0]
    );

    // The first vote, then the revote: the ballot screen says the last vote counts.
    let first = &shown[1];
    assert!(first.ok, "{first:?}");
    assert_eq!(first.revote_notice, None);
    assert!(
        first.voter.as_deref().unwrap().contains(&twice.code),
        "{first:?}"
    );
    assert!(
        first.summary.as_deref().unwrap().contains("vote number 1"),
        "{first:?}"
    );
    assert_eq!(first.qr, Some(true));
    let code = first.verification_code.as_deref().unwrap();
    assert_eq!(code.len(), 109 + 21, "{code}");
    let again = &shown[2];
    assert!(again.ok, "{again:?}");
    let notice = again.revote_notice.as_deref().unwrap_or_default();
    assert!(notice.contains("last"), "{again:?}");
    assert!(
        again.summary.as_deref().unwrap().contains("vote number 2"),
        "{again:?}"
    );
    assert_ne!(first.tracking, again.tracking);
    assert!(shown[3].ok, "{:?}", shown[3]);
    let tracking = again.tracking.as_deref().unwrap();
    assert_eq!(
        again.receipt_file.as_deref(),
        Some(format!("receipt-{tracking}.bin").as_str())
    );

    // The first vote's code opens the stored ballot with the CLI's `verify`: the same
    // ballot, made by the module, read by the voter app.
    let key = files.officials_key_hex().unwrap();
    let verified = programs
        .run(
            "voter-app",
            [
                "verify",
                "--collector",
                collector.url(),
                "--officials-key",
                &key,
                code,
            ],
        )
        .unwrap();
    assert!(verified.contains(&twice.code), "{verified}");

    let record =
        flow::close_and_count(programs, &files, collector, &data, &plan, &TRUSTEES, &Quiet)
            .unwrap();
    let count_dir = files.path("count");
    let n = |name| flow::report_number(&count_dir, name).unwrap();
    assert_eq!(n("submissions in the box:"), 3);
    assert_eq!(n("ballots counted:"), 2);
    assert_eq!(n("rejected (invalid):"), 0);
    let results = flow::results(programs, &files, &record).unwrap();
    assert_eq!(results, plan.expected(&manifest));
    let check = programs
        .command("verifier")
        .args(["--quiet", "--officials-key", &key, "check"])
        .arg(&record)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", printed(&check));
}
