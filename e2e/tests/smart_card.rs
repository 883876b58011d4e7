//! A whole election with the real programs in which a voter signs with a smart card
//! (issue 17, item 3): the voter's ID-card-shaped e-ID (a demo P-384 key and its
//! authentication certificate) sits on a SoftHSM2 token, and `voter-app vote --pkcs11`
//! signs on it. First a wrong PIN is refused with `pkcs11.pin_incorrect` and sends nothing;
//! then the card votes, another voter votes with key files, the ballot is checked on a
//! second device, the box is closed, counted and published, and the verifier checks the
//! record, the auditors' bundle and the card voter's receipt. Without SoftHSM2 the test
//! fails, saying to install it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::Output;

use ivote_e2e::collector::CollectorProcess;
use ivote_e2e::flow::{self, unix_now, wait_until, Quiet};
use ivote_e2e::plan::{choice_args, random_vote, VoterScript, VotingScript};
use ivote_e2e::programs::{printed, Programs};
use ivote_e2e::setup::{set_up, ElectionFiles, SetupOptions};
use ivote_e2e::voting::{tracking_code, verification_code, vote_command};
use ivote_testkit::softhsm::{self, SoftHsm};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

const PIN1: &str = "0090";
const CARD: &str = "DEMO VOTER (PIN1)";
const TRUSTEES: [u32; 3] = [1, 2, 3];

fn programs() -> &'static Programs {
    Programs::built_once().unwrap()
}

/// `voter-app vote` as the card holder: the certificate and key come from the token; the
/// PIN from a file (the option for tests and automation).
fn card_vote(
    programs: &Programs,
    hsm: &SoftHsm,
    url: &str,
    officials_key: &str,
    choices: &[String],
    pin_file: &Path,
    receipt: &Path,
) -> Output {
    let (var, conf) = hsm.env();
    let mut cmd = programs.command("voter-app");
    cmd.args(["vote", "--collector", url, "--officials-key", officials_key])
        .arg("--pkcs11")
        .arg(softhsm::module())
        .arg("--pin-file")
        .arg(pin_file)
        .arg("--receipt")
        .arg(receipt)
        .env(var, conf);
    for choice in choices {
        cmd.args(["--choice", choice]);
    }
    cmd.output().unwrap()
}

fn verifier(programs: &Programs, files: &ElectionFiles, args: &[&std::ffi::OsStr]) -> Output {
    programs
        .command("verifier")
        .args([
            "--quiet",
            "--officials-key",
            &files.officials_key_hex().unwrap(),
        ])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_ballot_signed_on_a_smart_card_is_cast_counted_and_verified() {
    let programs = programs();
    let dir = tempfile::tempdir().unwrap();
    let now = unix_now();
    let starts = now + 3;
    let setup = SetupOptions {
        // The key of today's Estonian ID cards.
        key_algorithm: "p384".into(),
        ..SetupOptions::example(3, 0, starts, now + 3600).unwrap()
    };
    let files = set_up(programs, dir.path(), &setup, now, |_| {}).unwrap();
    let manifest = flow::load_manifest(&files).unwrap();
    let roll = flow::read_roll(&files).unwrap();

    // Voter 0 holds the card; voter 1 votes with key files; voter 2 does not vote.
    let mut rng = ChaCha20Rng::seed_from_u64(17);
    let plan = VotingScript {
        voters: roll
            .iter()
            .enumerate()
            .map(|(i, (code, district))| {
                let contests = &manifest.district(district).unwrap().contests;
                VoterScript {
                    code: code.clone(),
                    district: district.clone(),
                    votes: if i < 2 {
                        vec![contests.iter().map(|c| random_vote(c, &mut rng)).collect()]
                    } else {
                        vec![]
                    },
                    revoked: false,
                    on_paper_list: false,
                }
            })
            .collect(),
    };
    let card_holder = &plan.voters[0];
    let voters = files.voters();
    let read = |suffix: &str| {
        std::fs::read(voters.join(format!("{}.{suffix}", card_holder.code))).unwrap()
    };
    let hsm = SoftHsm::new();
    hsm.add_token(CARD, PIN1);
    hsm.import(
        CARD,
        PIN1,
        &String::from_utf8(read("key.pem")).unwrap(),
        &read("cert.pem"),
        &[1],
        "Isikutuvastus",
    );
    // The card holder's key exists only on the token from here on.
    std::fs::remove_file(voters.join(format!("{}.key.pem", card_holder.code))).unwrap();
    let secrets = tempfile::tempdir().unwrap();
    let (right_pin, wrong_pin) = (secrets.path().join("pin"), secrets.path().join("wrong"));
    std::fs::write(&right_pin, format!("{PIN1}\n")).unwrap();
    std::fs::write(&wrong_pin, "1111\n").unwrap();

    wait_until(starts);
    let data = files.path("collector-data");
    let collector =
        CollectorProcess::start(programs, &files, &data, &files.path("collector.log"), &[])
            .unwrap();
    let url = collector.url().to_owned();
    let key = files.officials_key_hex().unwrap();
    let contests = |v: &VoterScript| manifest.district(&v.district).unwrap().contests.clone();
    let card_choices = choice_args(&contests(card_holder), &card_holder.votes[0]);
    let card_receipt = files.path("card-receipt.bin");

    // A wrong PIN: refused with its code, exit status 1, nothing sent, no receipt.
    let out = card_vote(
        programs,
        &hsm,
        &url,
        &key,
        &card_choices,
        &wrong_pin,
        &card_receipt,
    );
    let said = printed(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("pkcs11.pin_incorrect"), "{said}");
    assert!(!said.contains("1111"), "the PIN is never shown: {said}");
    assert!(!card_receipt.exists());

    // The card votes.
    let out = card_vote(
        programs,
        &hsm,
        &url,
        &key,
        &card_choices,
        &right_pin,
        &card_receipt,
    );
    let said = printed(&out);
    assert!(out.status.success(), "{said}");
    assert!(!said.contains(PIN1), "the PIN is never shown: {said}");
    let code = verification_code(&said).unwrap();
    assert!(tracking_code(&said).is_some(), "{said}");
    assert!(card_receipt.exists());

    // Another voter, with key files.
    let other = &plan.voters[1];
    let mut args = vote_command(
        &files,
        &url,
        &key,
        &other.code,
        &choice_args(&contests(other), &other.votes[0]),
    );
    args.extend([
        "--receipt".into(),
        files.path("other-receipt.bin").display().to_string(),
    ]);
    programs.run("voter-app", &args).unwrap();

    // The second device opens the card-signed ballot and names its signer.
    let shown = programs
        .run(
            "voter-app",
            [
                "verify",
                "--collector",
                &url,
                "--officials-key",
                &key,
                &code,
            ],
        )
        .unwrap();
    assert!(
        shown.contains(&format!("PNOEE-{}", card_holder.code)),
        "{shown}"
    );

    let record =
        flow::close_and_count(programs, &files, collector, &data, &plan, &TRUSTEES, &Quiet)
            .unwrap();

    // Exactly the two votes cast: the wrong-PIN attempt sent nothing.
    let count_dir = files.path("count");
    let n = |name| flow::report_number(&count_dir, name).unwrap();
    assert_eq!(n("submissions in the box:"), 2);
    assert_eq!(n("ballots counted:"), 2);
    assert_eq!(n("rejected (invalid):"), 0);
    let results = flow::results(programs, &files, &record).unwrap();
    assert_eq!(results, plan.expected(&manifest));

    // The verifier: the record, the auditors' bundle with the roll, the card's receipt.
    let check = verifier(programs, &files, &["check".as_ref(), record.as_os_str()]);
    assert!(check.status.success(), "{}", printed(&check));
    let bundle = files.path("auditors");
    let roll_file = files.roll();
    let audit = verifier(
        programs,
        &files,
        &[
            "audit".as_ref(),
            record.as_os_str(),
            bundle.as_os_str(),
            "--roll".as_ref(),
            roll_file.as_os_str(),
        ],
    );
    assert!(audit.status.success(), "{}", printed(&audit));
    let receipt = verifier(
        programs,
        &files,
        &[
            "receipt".as_ref(),
            record.as_os_str(),
            card_receipt.as_os_str(),
        ],
    );
    let said = printed(&receipt);
    assert!(
        receipt.status.success() && said.contains("R02 ok"),
        "{said}"
    );
}
