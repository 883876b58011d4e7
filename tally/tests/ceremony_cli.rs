//! The key ceremony through the real `tally` binary: every trustee's command run as its own
//! process, as on separate laptops (here sharing one folder in place of the USB stick).

// Test helpers outside `#[test]` functions: clippy's allow-*-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

const N: u32 = 5;
const T: u32 = 3;

mod common;
use common::{fails, ok, tally};

/// One passphrase file per trustee, as each trustee would use on their own laptop.
fn passphrase_files(dir: &Path) -> Vec<String> {
    (1..=N)
        .map(|j| {
            let p = dir.join(format!("pass-{j}.txt"));
            std::fs::write(&p, format!("passphrase of trustee {j}\n")).unwrap();
            p.to_str().unwrap().to_owned()
        })
        .collect()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

fn step(cmd: &str, dir: &str, j: u32, pass: Option<&str>) -> Vec<String> {
    let js = j.to_string();
    let mut a = vec!["ceremony", cmd, "--dir", dir, "--trustee", &js];
    if let Some(p) = pass {
        a.extend(["--passphrase-file", p, "--insecure-fast-kdf"]);
    }
    a.into_iter().map(str::to_owned).collect()
}

fn run(v: &[String]) -> Output {
    tally(&v.iter().map(String::as_str).collect::<Vec<_>>())
}

fn up_to_commit(dir: &str, passes: &[String]) {
    ok(&[
        "ceremony",
        "init",
        "--election-id",
        "RK2027",
        "--trustees",
        "5",
        "--threshold",
        "3",
        "--out",
        dir,
    ]);
    for j in 1..=N {
        let out = run(&step("keygen", dir, j, Some(&passes[j as usize - 1])));
        assert!(out.status.success(), "{out:?}");
    }
    let roster = ok(&["ceremony", "roster", "--dir", dir]);
    assert!(roster.contains("ceremony context hash: "), "{roster}");
    for j in 1..=N {
        assert!(run(&step("commit", dir, j, None)).status.success());
    }
}

#[test]
fn per_trustee_commands_and_run_all_give_the_same_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ceremony");
    let d = dir.to_str().unwrap();
    let passes = passphrase_files(tmp.path());
    up_to_commit(d, &passes);
    for j in 1..=N {
        let out = run(&step("receive", d, j, Some(&passes[j as usize - 1])));
        assert!(out.status.success(), "{out:?}");
    }
    let fin = ok(&["ceremony", "finish", "--dir", d]);
    assert!(fin.contains("ceremony.json") && fin.contains("election public key: "));
    let transcript = tally::ceremony::load_transcript(&dir).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("joint-key.hex")).unwrap(),
        format!("{}\n", hex::encode(transcript.joint_key.to_bytes()))
    );
    assert_eq!(transcript.params().n(), N);
    assert_eq!(transcript.params().t(), T);

    // An altered commitment is refused by finish (before anything is written).
    let path = dir.join("commitment-4.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let v: BTreeMap<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    let c = v["commitment"].as_str().unwrap();
    let mut raw = hex::decode(c).unwrap();
    raw[50] ^= 0x80;
    std::fs::write(&path, text.replace(c, &hex::encode(raw))).unwrap();
    let (code, err) = fails(&["ceremony", "finish", "--dir", d]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("trustee 4's commitment is invalid"), "{err}");
    assert!(err.contains("[ceremony.bad_commitment]"), "{err}");

    // The same ceremony in one process.
    let all = tmp.path().join("all");
    let shared = tmp.path().join("shared-pass.txt");
    std::fs::write(&shared, "one passphrase for the demo\n").unwrap();
    ok(&[
        "ceremony",
        "run-all",
        "--election-id",
        "RK2027",
        "--trustees",
        "5",
        "--threshold",
        "3",
        "--out",
        all.to_str().unwrap(),
        "--passphrase-file",
        shared.to_str().unwrap(),
        "--insecure-fast-kdf",
    ]);
    assert_eq!(names(&dir), names(&all));
    assert_eq!(names(&all).len(), 1 + 10 + 1 + 30 + 10 + 2);
    assert!(tally::ceremony::load_transcript(&all).is_ok());
}

#[test]
fn complaint_wrong_passphrase_and_altered_files_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ceremony");
    let d = dir.to_str().unwrap();
    let passes = passphrase_files(tmp.path());
    up_to_commit(d, &passes);

    // Trustee 3 with trustee 2's passphrase.
    let (code, err) = fails(
        &step("receive", d, 3, Some(&passes[1]))
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("wrong passphrase for trustee 3's ceremony key file"),
        "{err}"
    );
    assert!(err.contains("[ceremony.wrong_passphrase]"), "{err}");

    // Dealer 1's share to trustee 2 swapped for its share to trustee 3: it does not open.
    std::fs::copy(dir.join("share-1-to-3.enc"), dir.join("share-1-to-2.enc")).unwrap();
    let (code, err) = fails(
        &step("receive", d, 2, Some(&passes[1]))
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("bad shares from trustee(s) 1"), "{err}");
    assert!(dir.join("complaint-2.json").exists());

    for j in [1, 3, 4, 5] {
        assert!(run(&step("receive", d, j, Some(&passes[j as usize - 1])))
            .status
            .success());
    }
    let (code, err) = fails(&["ceremony", "finish", "--dir", d]);
    assert_eq!(code, 1);
    assert!(err.contains("trustee 2 accuses trustee(s) 1"), "{err}");
    assert!(err.contains("[ceremony.complaints_outstanding]"), "{err}");

    // Missing files are "could not run".
    let (code, err) = fails(&[
        "ceremony",
        "finish",
        "--dir",
        tmp.path().join("nowhere").to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("roster.json"), "{err}");
}

#[test]
fn usage_errors_exit_2_and_help_exists() {
    let (code, _) = fails(&["ceremony", "init", "--trustees", "5"]);
    assert_eq!(code, 2);
    let (code, err) = fails(&[
        "ceremony",
        "init",
        "--election-id",
        "X",
        "--trustees",
        "2",
        "--threshold",
        "3",
        "--out",
        "/nonexistent-unused",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("[ceremony.invalid_parameters]"), "{err}");
    let help = ok(&["ceremony", "--help"]);
    for cmd in [
        "init", "keygen", "roster", "commit", "receive", "finish", "run-all",
    ] {
        assert!(help.contains(cmd), "{help}");
        let sub = ok(&["ceremony", cmd, "--help"]);
        assert!(sub.contains("--dir") && sub.len() > 300, "{cmd}: {sub}");
    }
    let receive = ok(&["ceremony", "receive", "--help"]);
    assert!(receive.contains("passphrase") && receive.contains("complaint"));
}
