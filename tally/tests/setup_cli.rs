//! Election setup through the real `tally` binary: manifest and roll checks (one case per
//! rule), the whole setup flow, and packages altered or signed by someone else.

// Test helpers outside `#[test]` functions: clippy's allow-*-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Output;

use ivote_testkit::cli::PackageBuild;
use ivote_testkit::manifest::EXAMPLE;

mod common;
use common::{fails, ok, tally};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A small valid manifest (docs/examples/minimal-manifest.toml, shared with protocol's
/// validation tests); each case breaks one rule by text replacement.
const BASE: &str = ivote_testkit::manifest::MINIMAL;

const NOW: &str = "2026-01-01T00:00:00Z";

fn with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from}");
    BASE.replacen(from, to, 1)
}

#[test]
fn every_manifest_rule_gives_its_code_and_line() {
    let kind = |to: &str| with("kind = \"plurality\"", to);
    let second = "\n[[districts]]\nid = \"d1\"\nname = \"South\"\n\n[[districts.contests]]\nid = \"c2\"\nkind = \"plurality\"\ntitle = \"T\"\n\n[[districts.contests.candidates]]\nid = \"z\"\nname = \"Zed\"\n";
    let other_contest = "\n[[districts]]\nid = \"d2\"\nname = \"South\"\n\n[[districts.contests]]\nid = \"c1\"\nkind = \"plurality\"\ntitle = \"T\"\n\n[[districts.contests.candidates]]\nid = \"z\"\nname = \"Zed\"\n";
    let third = "\n[[districts.contests.candidates]]\nid = \"c\"\nname = \"Cid\"\n";
    // (code, manifest, line)
    let cases: Vec<(&str, String, Option<u32>)> = vec![
        (
            "manifest.syntax",
            with("name = \"North\"", "name = \"North"),
            Some(11),
        ),
        (
            "manifest.unknown_field",
            with("name = \"Ann\"", "name = \"Ann\"\nparty_name = \"x\""),
            Some(21),
        ),
        (
            "manifest.missing_field",
            with("time_zone = \"Europe/Tallinn\"\n", ""),
            Some(1),
        ),
        (
            "manifest.field_not_for_kind",
            kind("kind = \"plurality\"\nmax_score = 3"),
            Some(16),
        ),
        (
            "manifest.bad_id",
            with("id = \"d1\"", "id = \"d 1\""),
            Some(10),
        ),
        (
            "manifest.duplicate_district",
            format!("{BASE}{second}"),
            None,
        ),
        (
            "manifest.duplicate_contest",
            format!("{BASE}{other_contest}"),
            None,
        ),
        (
            "manifest.duplicate_candidate",
            with("id = \"b\"", "id = \"a\""),
            Some(23),
        ),
        (
            "manifest.no_districts",
            BASE.split("[[districts]]").next().unwrap().into(),
            None,
        ),
        (
            "manifest.district_without_contest",
            format!("{BASE}\n[[districts]]\nid = \"empty\"\nname = \"Empty\"\n"),
            Some(28),
        ),
        (
            "manifest.contest_without_candidates",
            BASE.split("\n[[districts.contests.candidates]]")
                .next()
                .unwrap()
                .into(),
            Some(14),
        ),
        (
            "manifest.unknown_kind",
            with("\"plurality\"", "\"ranked\""),
            Some(15),
        ),
        (
            "manifest.min_greater_than_max",
            kind("kind = \"approval\"\nmin_choices = 2\nmax_choices = 1"),
            Some(16),
        ),
        (
            "manifest.max_exceeds_candidates",
            kind("kind = \"approval\"\nmax_choices = 3"),
            Some(16),
        ),
        (
            "manifest.zero_limit",
            kind("kind = \"score\"\nmax_score = 0"),
            Some(16),
        ),
        (
            "manifest.cap_exceeds_points",
            kind("kind = \"cumulative\"\npoints = 3\nmax_per_candidate = 4"),
            Some(17),
        ),
        (
            "manifest.limit_too_large",
            kind(&format!("kind = \"score\"\nmax_score = {}", i64::MAX)) + third,
            Some(16),
        ),
        (
            "manifest.blank_not_allowed",
            kind("kind = \"score\"\nmax_score = 2\nblank = { id = \"x\", name = \"Blank\" }"),
            Some(17),
        ),
        (
            "manifest.bad_timestamp",
            with("2027-02-28T18:00:00Z", "2027-02-30 18:00"),
            Some(6),
        ),
        (
            "manifest.window_end_not_after_start",
            with("2027-02-28T18:00:00Z", "2027-02-22T07:00:00Z"),
            Some(6),
        ),
        (
            "manifest.unknown_time_zone",
            with("Europe/Tallinn", "Europe/Tartu"),
            Some(4),
        ),
        (
            "manifest.bad_language_code",
            with("[\"en\", \"et\"]", "[\"en\", \"et\", \"English\"]"),
            Some(2),
        ),
        (
            "manifest.duplicate_language",
            with("[\"en\", \"et\"]", "[\"en\", \"et\", \"en\"]"),
            Some(2),
        ),
        (
            "manifest.unknown_language",
            with("default_language = \"en\"", "default_language = \"fi\""),
            Some(3),
        ),
        (
            "manifest.missing_default_language_text",
            with(
                "{ en = \"Election\", et = \"Valimised\" }",
                "{ et = \"Valimised\" }",
            ),
            Some(7),
        ),
        (
            "manifest.empty_text",
            with("name = \"Ann\"", "name = \"  \""),
            Some(20),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("manifest.toml");
    std::fs::write(&path, BASE).unwrap();
    let out = ok(&["manifest", "check", s(&path), "--now", NOW]);
    assert!(out.contains("manifest OK") && out.contains("e1"), "{out}");
    assert!(out.contains("09:00:00 +02:00 Europe/Tallinn"), "{out}");
    for (code, src, line) in &cases {
        std::fs::write(&path, src).unwrap();
        let (status, text) = fails(&["manifest", "check", s(&path), "--now", NOW]);
        assert_eq!(status, 1, "{code}: {text}");
        assert!(text.contains(&format!("[{code}]")), "{code}: {text}");
        if let Some(line) = line {
            assert!(text.contains(&format!("line {line}")), "{code}: {text}");
        }
    }
    // The window in the past: refused, unless --allow-past.
    std::fs::write(&path, BASE).unwrap();
    let (status, text) = fails(&[
        "manifest",
        "check",
        s(&path),
        "--now",
        "2027-03-01T00:00:00Z",
    ]);
    assert_eq!(status, 1);
    assert!(
        text.contains("[manifest.window_in_past]") && text.contains("line 5"),
        "{text}"
    );
    ok(&[
        "manifest",
        "check",
        s(&path),
        "--now",
        "2027-03-01T00:00:00Z",
        "--allow-past",
    ]);
}

#[test]
fn every_roll_rule_gives_its_code_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("manifest.toml");
    std::fs::write(&manifest, EXAMPLE).unwrap();
    let roll = dir.path().join("roll.csv");
    let header = "id_code,district,name\n";
    let good = "38001085718,tallinn,Mari Maasikas\n";
    let cases: Vec<(&str, Vec<u8>, Option<u32>)> = vec![
        ("roll.empty", header.into(), None),
        (
            "roll.bad_header",
            format!("code,district\n{good}").into(),
            Some(1),
        ),
        (
            "roll.column_count",
            format!("{header}{good}37605030299,tartu,Jaan,extra\n").into(),
            Some(3),
        ),
        (
            "roll.bad_csv",
            [header.as_bytes(), b"3800108571\xff,tallinn,\n"].concat(),
            Some(2),
        ),
        (
            "roll.malformed_id_code",
            format!("{header}{good}38001085719,tartu,\n").into(),
            Some(3),
        ),
        (
            "roll.duplicate_voter",
            format!("{header}{good}{good}").into(),
            Some(3),
        ),
        (
            "roll.unknown_district",
            format!("{header}{good}37605030299,narva,\n").into(),
            Some(3),
        ),
    ];
    std::fs::write(&roll, format!("{header}{good}")).unwrap();
    let a = roll_check(s(&manifest), s(&roll));
    let out = ok(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        out.contains("tallinn: 1") && out.contains("roll hash"),
        "{out}"
    );
    for (code, bytes, line) in &cases {
        std::fs::write(&roll, bytes).unwrap();
        let (status, text) = fails(&a.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(status, 1, "{code}: {text}");
        assert!(text.contains(&format!("[{code}]")), "{code}: {text}");
        if let Some(line) = line {
            assert!(text.contains(&format!("line {line}")), "{code}: {text}");
        }
    }
}

/// `tally roll check` of `roll` against `manifest` (Estonian id codes).
fn roll_check(manifest: &str, roll: &str) -> Vec<String> {
    [
        "roll",
        "check",
        "--manifest",
        manifest,
        "--roll",
        roll,
        "--country",
        "EE",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// The files of a complete setup in a temporary folder.
struct Setup {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Setup {
    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
    fn p(&self, name: &str) -> String {
        s(&self.path(name)).to_owned()
    }

    /// `tally package verify` of `package` with the officials' public key file `key`.
    fn verify_args(&self, package: &str, key: &str) -> Vec<String> {
        [
            "package",
            "verify",
            &self.p(package),
            "--officials-key",
            &self.p(key),
        ]
        .map(str::to_owned)
        .to_vec()
    }

    fn verify(&self, package: &str, key: &str) -> Output {
        let args = self.verify_args(package, key);
        tally(&args.iter().map(String::as_str).collect::<Vec<_>>())
    }
}

/// Demo PKI for 20 voters → roll check → ceremony 3-of-5 → officials key → package build.
fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_owned();
    let st = Setup { _tmp: tmp, root };
    std::fs::write(st.path("manifest.toml"), EXAMPLE).unwrap();
    std::fs::write(st.path("pass.txt"), "a passphrase for tests\n").unwrap();
    let out = ok(&[
        "insecure-demo-pki",
        "--voters",
        "20",
        "--manifest",
        &st.p("manifest.toml"),
        "--out",
        &st.p("pki"),
        "--revoke",
        "2",
    ]);
    assert!(out.contains("NOT FOR REAL ELECTIONS"), "{out}");
    assert_eq!(
        std::fs::read_dir(st.path("pki/voters")).unwrap().count(),
        40
    );
    let out = ok_s(&roll_check(&st.p("manifest.toml"), &st.p("pki/roll.csv")));
    assert!(
        out.contains("voters: 20") && out.contains("tallinn: 7"),
        "{out}"
    );
    ok(&[
        "ceremony",
        "run-all",
        "--election-id",
        "example-2027",
        "--trustees",
        "5",
        "--threshold",
        "3",
        "--dir",
        &st.p("ceremony"),
        "--passphrase-file",
        &st.p("pass.txt"),
        "--insecure-fast-kdf",
    ]);
    for who in ["officials", "collector", "others"] {
        let out = ok(&[
            "officials-key",
            "generate",
            "--out",
            &st.p(who),
            "--passphrase-file",
            &st.p("pass.txt"),
            "--insecure-fast-kdf",
        ]);
        assert!(out.contains("officials' public key"), "{out}");
    }
    let out = ok_s(&build_args(&st, "officials", "package"));
    assert!(out.contains("context hash: "), "{out}");
    st
}

/// `tally package build` signed with the key generated into `officials`, the collector's
/// key the one generated into `collector/`.
fn build_args(st: &Setup, officials: &str, out: &str) -> Vec<String> {
    PackageBuild {
        officials_secret: &format!("{officials}/officials-key.SECRET.json"),
        collector_key: "collector/officials-key.hex",
        out,
        ..PackageBuild::new(&st.root, NOW)
    }
    .args()
}

fn ok_s(args: &[String]) -> String {
    ok(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn fails_s(args: &[String]) -> (i32, String) {
    fails(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn whole_setup_flow_then_every_altered_file_is_refused() {
    let st = setup();
    let out = ok_s(&st.verify_args("package", "officials/officials-key.hex"));
    assert!(
        out.contains("package OK") && out.contains("3 of 5"),
        "{out}"
    );
    assert!(!out.contains("FAILED"), "{out}");
    let hash = out
        .lines()
        .find_map(|l| l.strip_prefix("context hash: "))
        .unwrap()
        .to_owned();
    ok(&["package", "verify", &st.p("package"), "--context", &hash]);

    let names: Vec<String> = std::fs::read_dir(st.path("package"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 9, "{names:?}");
    for name in &names {
        let path = st.path("package").join(name);
        let original = std::fs::read(&path).unwrap();
        let mut altered = original.clone();
        altered[original.len() / 2] ^= 0x01;
        std::fs::write(&path, &altered).unwrap();
        let v = st.verify("package", "officials/officials-key.hex");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&v.stdout),
            String::from_utf8_lossy(&v.stderr)
        );
        assert_eq!(v.status.code(), Some(1), "{name}: {text}");
        assert!(text.contains(name.as_str()), "{name} is not named: {text}");
        assert!(text.contains("FAILED"), "{name}: {text}");
        std::fs::write(&path, &original).unwrap();
    }
    ok_s(&st.verify_args("package", "officials/officials-key.hex"));

    // Signed by another officials' key: refused with the real officials' key.
    ok_s(&build_args(&st, "others", "other-package"));
    let v = st.verify("other-package", "officials/officials-key.hex");
    assert_eq!(v.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&v.stderr).contains("package.bad_signature"));

    // A ceremony whose joint key differs from joint-key.hex: build refuses it.
    let other_key = std::fs::read(st.path("others/officials-key.hex")).unwrap();
    std::fs::write(st.path("ceremony/joint-key.hex"), other_key).unwrap();
    let (status, text) = fails_s(&build_args(&st, "officials", "bad-package"));
    assert_eq!(status, 1, "{text}");
    assert!(
        text.contains("package.joint_key_mismatch") || text.contains("package.bad_joint_key"),
        "{text}"
    );
    assert!(!st.path("bad-package").exists());
}

#[test]
fn a_package_whose_joint_key_is_not_the_ceremony_one_is_refused_by_verify() {
    let st = setup();
    // Rebuild the package files by hand with another joint key, and sign them with the real
    // officials' key: only the ceremony check can catch it.
    let pkg = st.path("package");
    let mut key = std::fs::read_to_string(pkg.join("joint-key.hex")).unwrap();
    // Another valid point: the collector's Ed25519 key is not a Ristretto point in general;
    // use the first ceremony public key from ceremony.json instead.
    let t: serde_json::Value =
        serde_json::from_slice(&std::fs::read(pkg.join("ceremony.json")).unwrap()).unwrap();
    let other = t["ceremony_public_keys"][0].as_str().unwrap();
    assert_ne!(key.trim(), other);
    key = format!("{other}\n");
    std::fs::write(st.path("ceremony/joint-key.hex"), &key).unwrap();
    let (status, text) = fails_s(&build_args(&st, "officials", "bad-package"));
    assert_eq!(status, 1, "{text}");
    assert!(text.contains("[package.joint_key_mismatch]"), "{text}");
    assert!(text.contains("joint-key.hex"), "{text}");
}

#[test]
fn roll_change_lists_are_signed_and_applied() {
    let st = setup();
    let roll = std::fs::read_to_string(st.path("pki/roll.csv")).unwrap();
    let first = roll
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_owned();
    std::fs::write(
        st.path("changes.csv"),
        format!("seq,action,id_code,district\n1,move,{first},parnu\n2,add,38001085718,tartu\n"),
    )
    .unwrap();
    ok(&[
        "roll",
        "sign-changes",
        "--changes",
        &st.p("changes.csv"),
        "--officials-key",
        &st.p("officials/officials-key.SECRET.json"),
        "--passphrase-file",
        &st.p("pass.txt"),
        "--insecure-fast-kdf",
        "--out",
        &st.p("changes.sig"),
    ]);
    let apply = |key: &str, out: &str| {
        tally(&[
            "roll",
            "apply-changes",
            "--manifest",
            &st.p("manifest.toml"),
            "--roll",
            &st.p("pki/roll.csv"),
            "--country",
            "EE",
            "--changes",
            &st.p("changes.csv"),
            "--signature",
            &st.p("changes.sig"),
            "--officials-key",
            &st.p(key),
            "--out",
            &st.p(out),
        ])
    };
    let out = apply("officials/officials-key.hex", "new-roll.csv");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("voters: 21"), "{text}");
    ok_s(&roll_check(&st.p("manifest.toml"), &st.p("new-roll.csv")));
    let out = apply("others/officials-key.hex", "newer-roll.csv");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[changes.bad_signature]"));
}
