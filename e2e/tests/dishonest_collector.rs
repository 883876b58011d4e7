//! The dishonest collector (issue 15, holes 1a–1d): from an honest exported ballot box and
//! the collector's key file, the kit ([`ivote_e2e::forge`]) forges boxes as a collector that
//! lies about time and order would, each correctly signed over the forged log. Each must be
//! refused by the real `tally import` (nothing written, the code of the lie, the leaf named)
//! and by the real `verifier audit` on the record and bundle that officials counting it
//! anyway would publish (the check of the lie failed, naming the leaf). Times going backwards,
//! a leaf after the close and a ballot twice are in the public `log.bin` too: the real
//! `verifier check`, without the bundle, fails V16 naming the leaf. The honest box passes
//! all three.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;
use std::sync::OnceLock;

use ivote_e2e::forge::{forge_box, Forgery, Numbering};
use ivote_e2e::programs::Programs;
use ivote_protocol::package::hex_file;
use ivote_protocol::record::counts::LeafDecision;
use ivote_protocol::record::PAPER_VOTES_FILE;
use ivote_testkit::election::collector_key;
use ivote_testkit::record::audit::{AuditCase, Written, ENDS, STARTS};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn programs() -> &'static Programs {
    static PROGRAMS: OnceLock<Programs> = OnceLock::new();
    PROGRAMS.get_or_init(|| Programs::build_and_locate().unwrap())
}

use LeafDecision::*;

/// The honest case's outcomes (testkit's `AuditCase::honest`): leaf 0 voter 0's test vote,
/// 1 voter 1's vote superseded by 3, 2 voter 2, 4 voter 3 (paper), 5 voter 4 (revoked
/// certificate), 6 voter 5 (bad signature), 7 voter 0, 8 voter 5.
fn honest_outcomes() -> Vec<LeafDecision> {
    vec![
        TestVote,
        Superseded,
        Counted,
        Counted,
        Cancelled,
        Invalid("eid.revoked".into()),
        Invalid("eid.bad_signature".into()),
        Counted,
        Counted,
    ]
}

/// A forged box in a record and bundle whose decisions are what today's rules give it.
struct Forged {
    /// The written record and bundle (the bundle holds the forged box).
    written: Written,
    /// The honest box, the collector's key file and the forged box.
    _kit: tempfile::TempDir,
}

/// Forges the honest case's box with the kit's command line (`forge-box ARGS`, the honest
/// box and the collector's key file given), and writes the record and bundle of the forged
/// box with `outcomes` as its decisions.
fn forged(seed: u64, args: &[&str], outcomes: Vec<LeafDecision>) -> Forged {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let case = AuditCase::honest(&mut rng);
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("collector-key.SECRET.hex");
    std::fs::write(&key_file, hex_file(&collector_key().to_bytes())).unwrap();
    let honest = keys.path().join("ballot-box.bin");
    std::fs::write(&honest, case.honest_box(&mut rng)).unwrap();
    let out = keys.path().join("forged.bin");
    let forge = Command::new(env!("CARGO_BIN_EXE_forge-box"))
        .arg("--box")
        .arg(&honest)
        .arg("--collector-key")
        .arg(&key_file)
        .arg("--out")
        .arg(&out)
        .args(args)
        .output()
        .unwrap();
    assert!(
        forge.status.success(),
        "{}",
        String::from_utf8_lossy(&forge.stderr)
    );
    let forged = std::fs::read(&out).unwrap();
    Forged {
        written: case.write_box(&mut rng, forged, outcomes),
        _kit: keys,
    }
}

/// `tally import` of the bundle's box: (exit status, everything printed, whether it wrote
/// the count folder).
fn import(w: &Written) -> (i32, String, bool) {
    let out_dir = w.record.parent().unwrap().join("count");
    let mut cmd = programs().command("tally");
    cmd.arg("import")
        .arg("--package")
        .arg(w.record.join("package"))
        .arg("--officials-key")
        .arg(w.record.join("officials-key.hex"))
        .arg("--roll")
        .arg(&w.roll)
        .args(["--country", "EE"])
        .arg("--ballot-box")
        .arg(w.bundle.join("ballot-box.bin"))
        .arg("--paper-votes")
        .arg(w.bundle.join(PAPER_VOTES_FILE))
        .arg("--out")
        .arg(&out_dir);
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text, out_dir.exists())
}

/// `verifier --json audit`: (exit status, the failed checks' ids, the JSON report).
fn audit(w: &Written) -> (i32, Vec<String>, serde_json::Value) {
    let mut cmd = programs().command("verifier");
    cmd.args(["--json", "audit"])
        .arg(&w.record)
        .arg(&w.bundle)
        .arg("--roll")
        .arg(&w.roll);
    verifier(cmd, w)
}

/// `verifier --json check` of the record alone (what anyone can run): (exit status, the
/// failed checks' ids, the JSON report).
fn check(w: &Written) -> (i32, Vec<String>, serde_json::Value) {
    let mut cmd = programs().command("verifier");
    cmd.args(["--json", "check"]).arg(&w.record);
    verifier(cmd, w)
}

/// Runs `cmd` (a `verifier --json` command) with the officials' key pinned.
fn verifier(mut cmd: Command, w: &Written) -> (i32, Vec<String>, serde_json::Value) {
    let out = cmd
        .arg("--officials-key")
        .arg(w.record.join("officials-key.hex"))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let failed = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "failed")
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    (out.status.code().unwrap_or(-1), failed, json)
}

/// The failure items of check `id` in a JSON report.
fn items(json: &serde_json::Value, id: &str) -> Vec<String> {
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == id)
        .flat_map(|c| c["failures"].as_array().unwrap().iter())
        .map(|f| format!("{} {}", f["item"], f["detail"]))
        .collect()
}

/// `tally import` refuses with `code`, naming `leaf`, writing nothing; `verifier audit`
/// fails exactly `checks`, the first naming `leaf`; `verifier check` (no bundle) fails
/// exactly the public ones among them (`V…`), each naming `leaf`.
fn refused(f: &Forged, code: &str, leaf: u64, checks: &[&str]) {
    refused_naming(f, code, &format!("leaf {leaf}: [{code}]"), leaf, checks);
}

/// As [`refused`] for a leaf refused by the per-entry checks of its signed challenge
/// (`tally.box_tampered`, naming the leaf with the challenge's `reason`).
fn refused_by_challenge(f: &Forged, reason: &str, leaf: u64, checks: &[&str]) {
    let out = refused_naming(
        f,
        "tally.box_tampered",
        &format!("leaf {leaf} ("),
        leaf,
        checks,
    );
    assert!(out.contains(&format!("[{reason}]")), "{out}");
}

/// The checks of [`refused`], with `naming` the text that names the leaf in the import's
/// message; returns that message.
fn refused_naming(f: &Forged, code: &str, naming: &str, leaf: u64, checks: &[&str]) -> String {
    let (status, out, wrote) = import(&f.written);
    assert_eq!(status, 1, "{out}");
    assert!(out.contains(&format!("[{code}]")), "{out}");
    assert!(out.contains(naming), "{out}");
    assert!(!wrote, "the count folder was written: {out}");
    let (status, failed, json) = audit(&f.written);
    assert_eq!(status, 1, "{json:#}");
    assert_eq!(failed, checks, "{json:#}");
    let named = items(&json, checks[0]);
    assert!(
        named.iter().any(|i| i.contains(&format!("leaf {leaf} "))),
        "{named:?}"
    );
    let public: Vec<&str> = checks
        .iter()
        .copied()
        .filter(|c| c.starts_with('V'))
        .collect();
    let (status, failed, json) = check(&f.written);
    assert_eq!(failed, public, "{json:#}");
    assert_eq!(status, if public.is_empty() { 0 } else { 1 }, "{json:#}");
    for id in public {
        let named = items(&json, id);
        assert!(
            named.iter().any(|i| i.contains(&format!("leaf {leaf} "))),
            "{id}: {named:?}"
        );
    }
    out
}

#[test]
fn the_honest_box_passes_the_count_and_the_audit() {
    // Leaf 0 "retimed" to its own time: the kit re-signs an unchanged log.
    let f = forged(
        1,
        &[&format!("retime:0@{}", STARTS - 86_400)],
        honest_outcomes(),
    );
    let (status, out, wrote) = import(&f.written);
    assert_eq!(status, 0, "{out}");
    assert!(wrote);
    let (status, failed, json) = audit(&f.written);
    assert_eq!((status, failed), (0, vec![]), "{json:#}");
    let (status, failed, json) = check(&f.written);
    assert_eq!((status, failed), (0, vec![]), "{json:#}");
}

/// Hole 1a: the voter's earlier vote re-appended after their revote, numbered as their
/// third: today the old vote would count.
#[test]
fn a_1a_re_appended_earlier_vote_is_refused() {
    let mut outcomes = honest_outcomes();
    outcomes[3] = Superseded;
    outcomes.push(Counted);
    let f = forged(
        2,
        &["--renumber", &format!("reappend:1@{}", STARTS + 90)],
        outcomes,
    );
    refused(&f, "tally.box_ballot_twice", 9, &["V16", "A15", "A16"]);
}

/// Hole 1a, lazily: the re-appended vote keeps its old sequence number.
#[test]
fn a_1a_re_appended_vote_with_its_old_number_is_refused() {
    let mut outcomes = honest_outcomes();
    outcomes[3] = Superseded;
    outcomes.push(Counted);
    let f = forged(3, &[&format!("reappend:1@{}", STARTS + 90)], outcomes);
    refused(
        &f,
        "tally.box_ballot_twice",
        9,
        &["V16", "A15", "A16", "A17"],
    );
}

/// A voter's first vote left out of the log (their revote keeps number 2).
#[test]
fn a_dropped_vote_breaks_the_voters_sequence() {
    let mut outcomes = honest_outcomes();
    outcomes.remove(1);
    let f = forged(4, &["drop:1"], outcomes);
    refused(&f, "tally.box_voter_seq", 2, &["A17"]);
}

/// Hole 1b: a real vote timed before the window: it would be a "test vote", silently not
/// counted. Its signed challenge was issued in the window, so the time is outside the
/// challenge's lifetime (and the log's times go backwards).
#[test]
fn a_1b_vote_shifted_before_the_window_is_refused() {
    let mut outcomes = honest_outcomes();
    outcomes[7] = TestVote;
    let f = forged(5, &[&format!("retime:7@{}", STARTS - 10)], outcomes);
    refused_by_challenge(&f, "challenge.outside_lifetime", 7, &["V16", "A06", "A13"]);
}

/// Hole 1b: the last vote timed after the close: it would be silently not counted. Outside
/// its challenge's lifetime, and after the close.
#[test]
fn a_1b_vote_shifted_after_the_close_is_refused() {
    // Officials who count it anyway keep its decision (no code says "after the close").
    let outcomes = honest_outcomes();
    let f = forged(6, &[&format!("retime:8@{}", ENDS + 60)], outcomes);
    refused_by_challenge(&f, "challenge.outside_lifetime", 8, &["V16", "A06", "A14"]);
}

/// Hole 1d: a voter's two votes swapped in the log, each keeping its time (renumbered):
/// today the earlier vote would count.
#[test]
fn a_1d_reordered_log_is_refused() {
    let outcomes = vec![
        TestVote,
        Superseded,
        Counted,
        Counted,
        Cancelled,
        Invalid("eid.revoked".into()),
        Invalid("eid.bad_signature".into()),
        Counted,
        Counted,
    ];
    let f = forged(7, &["--renumber", "move:3@1"], outcomes);
    refused(&f, "tally.box_time_order", 2, &["V16", "A13"]);
}

/// Hole 1c, the part the log's times catch: a submission held back and appended at the end
/// with the time it was received. (Appended with a later time, only the challenge's lifetime
/// can show it: not covered here.)
#[test]
fn a_1c_held_back_submission_with_its_time_is_refused() {
    let outcomes = vec![
        TestVote,
        Superseded,
        Counted,
        Cancelled,
        Invalid("eid.revoked".into()),
        Invalid("eid.bad_signature".into()),
        Counted,
        Counted,
        Counted,
    ];
    let f = forged(8, &["--renumber", "move:2@8"], outcomes);
    refused(&f, "tally.box_time_order", 8, &["V16", "A13"]);
}

#[test]
fn the_kit_refuses_a_leaf_that_is_not_there() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let honest = AuditCase::honest(&mut rng).honest_box(&mut rng);
    let err = forge_box(
        &honest,
        &collector_key(),
        &[Forgery::Drop { leaf: 9 }],
        Numbering::Keep,
    )
    .unwrap_err();
    assert!(err.to_string().contains("the log has 9 leaves"), "{err}");
}
