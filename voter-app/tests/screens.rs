//! Snapshots of what the voter sees: the screens (pure functions over the example manifest)
//! and the real binary's `--help`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::Command;

use ivote_crypto::contest::EncryptionSeed;
use ivote_protocol::ballot::BallotShapes;
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::{ElectionManifest, WindowCheck};
use ivote_voter_app::choices::{self, BallotContest};
use ivote_voter_app::code::{tracking_code, VerificationCode};
use ivote_voter_app::screens;

fn manifest() -> ElectionManifest {
    ElectionManifest::from_toml(
        include_str!("../../docs/examples/manifest.toml"),
        WindowCheck::AllowPast,
    )
    .unwrap()
}

fn with_contests(district: &str, f: impl FnOnce(&ElectionManifest, &[BallotContest<'_>])) {
    let m = manifest();
    let shapes = BallotShapes::from_manifest(&m).unwrap();
    let d = m.district(district).unwrap();
    let contests: Vec<BallotContest<'_>> = d
        .contests
        .iter()
        .zip(shapes.district(district).unwrap())
        .map(|(c, (_, s))| (c, s))
        .collect();
    f(&m, &contests);
}

#[test]
fn ballot_screens_in_two_languages() {
    with_contests("tartu", |m, contests| {
        insta::assert_snapshot!(
            "ballot_tartu_en",
            screens::ballot(m, "Tartu", contests, "en")
        );
        insta::assert_snapshot!(
            "ballot_tartu_et",
            screens::ballot(m, "Tartu", contests, "et")
        );
        // Thai: the names and the app's words; Russian, which this election's names are
        // not in: its default language's names, the app's words in Russian.
        insta::assert_snapshot!(
            "ballot_tartu_th",
            screens::ballot(m, "ทาร์ทู", contests, "th")
        );
        insta::assert_snapshot!(
            "ballot_tartu_ru",
            screens::ballot(m, "Tartu", contests, "ru")
        );
    });
    with_contests("parnu", |m, contests| {
        insta::assert_snapshot!(
            "ballot_parnu_en",
            screens::ballot(m, "Pärnu", contests, "en")
        );
    });
}

#[test]
fn confirmation_and_choice_rules() {
    with_contests("tartu", |_, contests| {
        let values = choices::from_args(
            contests,
            &["202".into(), "park".into(), "bridge".into()],
            "en",
        )
        .unwrap();
        assert_eq!(values, vec![vec![0, 1], vec![1, 0, 1]]);
        insta::assert_snapshot!(
            "confirmation_tartu",
            screens::confirmation(contests, &values, "en")
        );
        // Refused before anything is made: no candidate in a plurality contest, three
        // projects of at most two, an unknown id.
        let e = choices::from_args(contests, &["park".into()], "en").unwrap_err();
        assert_eq!(e.code, "app.bad_choice");
        assert_eq!(
            e.message,
            "\"Member of Parliament\": you chose nothing; this contest needs exactly 1 (the \
             rule: choose exactly one candidate)"
        );
        let e = choices::from_args(
            contests,
            &[
                "201".into(),
                "park".into(),
                "library".into(),
                "bridge".into(),
            ],
            "en",
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "\"City projects to fund\": you chose 3; this contest allows at most 2 (the rule: \
             choose 1 to 2)"
        );
        // In the voter's language: the contest's title, what is wrong and the rule.
        let two = ["201".into(), "202".into()];
        let e = choices::from_args(contests, &two, "et").unwrap_err();
        assert_eq!(
            e.message,
            "„Parlamendi liige“: valisite 2; siin saab valida täpselt 1 (reegel: valige täpselt \
             üks kandidaat)"
        );
        let e = choices::from_args(contests, &two, "ru").unwrap_err();
        assert_eq!(
            e.message,
            "«Member of Parliament»: вы выбрали 2; здесь можно выбрать ровно 1 (правило: \
             выберите ровно одного кандидата)"
        );
        let e = choices::from_args(contests, &two, "th").unwrap_err();
        assert_eq!(
            e.message,
            "\"สมาชิกรัฐสภา\": คุณเลือก 2 รายการ แต่ที่นี่ต้องเลือก 1 รายการพอดี (กติกา: \
             เลือกผู้สมัครหนึ่งคนเท่านั้น)"
        );
        let e = choices::from_args(contests, &["nobody".into()], "en").unwrap_err();
        assert_eq!(e.code, "app.unknown_choice");
        let (c, s) = contests[1];
        assert_eq!(
            choices::from_line(c, s, "1, 3", "en").unwrap(),
            vec![1, 0, 1]
        );
        assert_eq!(
            choices::from_line(c, s, "1 1", "en").unwrap_err().code,
            "app.bad_choice"
        );
        assert_eq!(
            choices::from_line(c, s, "1=1", "en").unwrap_err().code,
            "app.bad_choice"
        );
    });
    with_contests("parnu", |_, contests| {
        let values = choices::from_args(
            contests,
            &["301=3".into(), "303=2".into(), "jazz=4".into()],
            "en",
        )
        .unwrap();
        insta::assert_snapshot!(
            "confirmation_parnu",
            screens::confirmation(contests, &values, "en")
        );
        let e = choices::from_args(contests, &["301=4".into()], "en").unwrap_err();
        assert_eq!(
            e.message,
            "\"Town council\": you gave Liis Lepp 4 points; one candidate may get at most 3 (the \
             rule: share up to 5 points, at most 3 to one candidate)"
        );
        let e = choices::from_args(contests, &["301=3".into(), "302=3".into()], "en").unwrap_err();
        assert!(
            e.message
                .contains("you gave 6 points in all; you have 5 to give"),
            "{e}"
        );
        let e = choices::from_args(contests, &["jazz=5".into()], "en").unwrap_err();
        assert!(
            e.message
                .contains("you gave Jazz on the beach a score of 5; the highest score is 4"),
            "{e}"
        );
        let (c, s) = contests[0];
        assert_eq!(
            choices::from_line(c, s, "1=2 3=3", "en").unwrap(),
            vec![2, 0, 3]
        );
        assert_eq!(
            choices::from_line(c, s, "1", "en").unwrap_err().code,
            "app.bad_choice"
        );
    });
}

#[test]
fn done_revote_verified_and_receipt_screens() {
    let m = manifest();
    let code = VerificationCode {
        ballot_id: BallotHash([0x5A; 32]),
        seed: EncryptionSeed::from_bytes([3; 32]),
    };
    let (text, qr) = (code.to_text(), code.to_qr().unwrap());
    let tracking = tracking_code(&code.ballot_id);
    let until = screens::local_time(&m, 1_803_300_000);
    let done = screens::Done {
        receipt: screens::ReceiptSaved::To("receipt-LJNF-UWS2.bin"),
        tracking_code: &tracking,
        code_text: &text,
        qr: &qr,
        voter_seq: 2,
        leaf_index: 17,
        verify_until: &until,
        verify_max: 3,
        lang: "en",
    };
    insta::assert_snapshot!("done", screens::done(&done));
    insta::assert_snapshot!(
        "done_recovered",
        screens::done(&screens::Done {
            receipt: screens::ReceiptSaved::Recovered,
            voter_seq: 1,
            ..done
        })
    );
    insta::assert_snapshot!(
        "done_receipt_not_saved",
        screens::done(&screens::Done {
            receipt: screens::ReceiptSaved::NotSaved {
                path: "/media/usb/receipt.bin",
                reason: "No space left on device (os error 28)",
            },
            voter_seq: 1,
            ..done
        })
    );
    insta::assert_snapshot!("revote_once", screens::revote_notice(1, "en"));
    insta::assert_snapshot!("revote_twice", screens::revote_notice(2, "en"));
    // The app's words in Estonian, Thai and Russian.
    for lang in ["et", "th", "ru"] {
        insta::assert_snapshot!(
            format!("done_{lang}"),
            screens::done(&screens::Done { lang, ..done })
        );
    }
    with_contests("tartu", |m, contests| {
        let latest = screens::Verified {
            manifest: m,
            district_name: "Tartu",
            contests,
            values: &[vec![1, 0], vec![0, 1, 1]],
            lang: "et",
            received_at: 1_803_298_200,
            voter_seq: 1,
            latest_voter_seq: 1,
            signer: &screens::signer(Some("MAASIKAS,MARI,38001085718"), "PNOEE-38001085718"),
        };
        insta::assert_snapshot!("verified_tartu_et", screens::verified(&latest));
        insta::assert_snapshot!(
            "verified_superseded",
            screens::verified(&screens::Verified {
                latest_voter_seq: 2,
                ..latest
            })
        );
    });
    insta::assert_snapshot!(
        "receipt_checked",
        screens::receipt_checked(&m, &tracking, 17, 1_803_298_200, 40, 1_803_400_000)
    );
}

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_voter-app"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_texts() {
    insta::assert_snapshot!("help", help(&["--help"]));
    insta::assert_snapshot!("help_vote", help(&["vote", "--help"]));
    insta::assert_snapshot!("help_verify", help(&["verify", "--help"]));
    insta::assert_snapshot!("help_check_receipt", help(&["check-receipt", "--help"]));
}
