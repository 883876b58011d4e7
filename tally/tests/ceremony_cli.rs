//! The key ceremony through the real `tally` binary: every trustee's command run as its own
//! process, as on separate laptops (here sharing one folder in place of the USB stick).

// Test helpers outside `#[test]` functions: clippy's allow-*-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use ed25519_dalek::SigningKey;
use ivote_crypto::threshold::dkg::SecretPolynomial;
use ivote_crypto::threshold::share_transport::seal_share;
use rand::rngs::OsRng;
use tally::ceremony::files::{self, SignedCommitment};
use tally::passphrase::PassphraseSource;
use tally::secret_file::{SecretKind, SecretLabel};

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
        let out = run(&step("commit", dir, j, Some(&passes[j as usize - 1])));
        assert!(out.status.success(), "{out:?}");
    }
}

/// Runs trustee `j`'s `receive`, which must be refused with `code`; returns its message.
fn receive_refused(dir: &str, j: u32, pass: &str, code: &str) -> String {
    let (status, err) = fails(
        &step("receive", dir, j, Some(pass))
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(status, 1, "{err}");
    assert!(err.contains(&format!("[{code}]")), "{code}: {err}");
    assert!(!Path::new(dir).join(format!("confirm-{j}.json")).exists());
    assert!(!Path::new(dir).join(format!("complaint-{j}.json")).exists());
    err
}

#[test]
fn a_file_carrier_cannot_substitute_ceremony_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ceremony");
    let d = dir.to_str().unwrap();
    let passes = passphrase_files(tmp.path());
    up_to_commit(d, &passes);
    let roster = tally::ceremony::load_roster(&dir).unwrap();
    let ctx = roster.context_hash();
    let keep = |name: &str| (name.to_owned(), std::fs::read(dir.join(name)).unwrap());
    let restore =
        |(name, bytes): &(String, Vec<u8>)| std::fs::write(dir.join(name), bytes).unwrap();

    // The carrier replaces trustee 2's commitment and shares by their own, made for this
    // ceremony (valid proofs, shares that pass Feldman's check), signed with a key of their
    // own: with every trustee's contribution replaced so, they would know the election key.
    let carrier = SigningKey::from_bytes(&[66; 32]);
    let poly = SecretPolynomial::random(roster.params().threshold(), 2, &mut OsRng).unwrap();
    let c = SignedCommitment::sign(&carrier, &ctx, poly.commit(&ctx, &mut OsRng).unwrap());
    let mut kept = vec![keep("commitment-2.json")];
    std::fs::write(
        dir.join("commitment-2.json"),
        files::commitment_to_json(&ctx, &c).unwrap(),
    )
    .unwrap();
    for j in 1..=N {
        let name = format!("share-2-to-{j}.enc");
        kept.push(keep(&name));
        let sealed = seal_share(
            &ctx,
            roster.key(j).unwrap(),
            &poly.evaluate(j).unwrap(),
            &mut OsRng,
        )
        .unwrap();
        let bytes = files::share_file_bytes(&carrier, &ctx, 2, j, &sealed);
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let err = receive_refused(d, 1, &passes[0], "ceremony.bad_signature");
    assert!(
        err.contains("commitment-2.json is not signed by trustee 2"),
        "{err}"
    );
    // Trustee 2 sees that the commitment under their own number is not theirs.
    let err = receive_refused(d, 2, &passes[1], "ceremony.own_commitment_replaced");
    assert!(
        err.contains("is not the commitment you (trustee 2) made"),
        "{err}"
    );
    kept.iter().for_each(restore);

    // Trustee 3's signature moved onto trustee 2's commitment.
    let two = keep("commitment-2.json");
    let sig = |name: &str| {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap();
        v["signature"].as_str().unwrap().to_owned()
    };
    let text = String::from_utf8(two.1.clone()).unwrap();
    let moved = text.replace(&sig("commitment-2.json"), &sig("commitment-3.json"));
    std::fs::write(dir.join("commitment-2.json"), moved).unwrap();
    receive_refused(d, 1, &passes[0], "ceremony.bad_signature");
    restore(&two);

    // One share substituted (signed by the carrier), one moved from another dealer, one
    // signature bit flipped: each refused before anything is opened.
    let share = keep("share-3-to-1.enc");
    let sealed = seal_share(
        &ctx,
        roster.key(1).unwrap(),
        &poly.evaluate(1).unwrap(),
        &mut OsRng,
    )
    .unwrap();
    std::fs::write(
        dir.join("share-3-to-1.enc"),
        files::share_file_bytes(&carrier, &ctx, 3, 1, &sealed),
    )
    .unwrap();
    let err = receive_refused(d, 1, &passes[0], "ceremony.bad_signature");
    assert!(
        err.contains("share-3-to-1.enc is not signed by trustee 3"),
        "{err}"
    );
    std::fs::copy(dir.join("share-4-to-1.enc"), dir.join("share-3-to-1.enc")).unwrap();
    receive_refused(d, 1, &passes[0], "ceremony.bad_signature");
    let mut flipped = share.1.clone();
    *flipped.last_mut().unwrap() ^= 1;
    std::fs::write(dir.join("share-3-to-1.enc"), flipped).unwrap();
    receive_refused(d, 1, &passes[0], "ceremony.bad_signature");
    restore(&share);

    // The honest files: everyone receives.
    for j in 1..=N {
        let out = run(&step("receive", d, j, Some(&passes[j as usize - 1])));
        assert!(out.status.success(), "{out:?}");
    }

    // A confirmation substituted by the carrier (same content, their signature), or with
    // one bit of its signature flipped: finish refuses and writes nothing.
    let conf = keep("confirm-3.json");
    let parsed = files::confirmation_from_json("c", &conf.1, &ctx, 3).unwrap();
    let forged = files::Confirmation::sign(
        &carrier,
        &ctx,
        3,
        parsed.verification_key,
        parsed.commitments_hash,
    );
    std::fs::write(
        dir.join("confirm-3.json"),
        files::confirmation_to_json(&ctx, &forged).unwrap(),
    )
    .unwrap();
    let finish_refused = || {
        let (status, err) = fails(&["ceremony", "finish", "--dir", d]);
        assert_eq!(status, 1, "{err}");
        assert!(err.contains("[ceremony.bad_signature]"), "{err}");
        assert!(
            err.contains("confirm-3.json is not signed by trustee 3"),
            "{err}"
        );
        assert!(!dir.join("ceremony.json").exists());
    };
    finish_refused();
    let text = String::from_utf8(conf.1.clone()).unwrap();
    let original_sig = {
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["signature"].as_str().unwrap().to_owned()
    };
    let mut raw = hex::decode(&original_sig).unwrap();
    raw[0] ^= 1;
    std::fs::write(
        dir.join("confirm-3.json"),
        text.replace(&original_sig, &hex::encode(raw)),
    )
    .unwrap();
    finish_refused();
    restore(&conf);
    ok(&["ceremony", "finish", "--dir", d]);
}

/// Dealer `i`'s signing key, from their own secret file (as a dealer who cheats would use
/// it).
fn signing_key(dir: &Path, i: u32, pass_file: &str) -> SigningKey {
    let pass = PassphraseSource::File(pass_file.into())
        .get(i, false)
        .unwrap();
    let label = SecretLabel {
        kind: SecretKind::CeremonyKey,
        election_id: "RK2027".into(),
        trustee: i,
        ceremony_context: None,
    };
    let bytes = std::fs::read(dir.join(format!("trustee-{i}.ceremony-key.SECRET.json"))).unwrap();
    let plain = tally::secret_file::open(
        "key",
        &bytes,
        &label,
        tally::secret_file::KdfFloor::InsecureAllowTestParameters,
        &pass,
    )
    .unwrap();
    SigningKey::from_bytes(&plain[32..64].try_into().unwrap())
}

/// Garbage that dealer `i` signs as their share for trustee `j`.
fn signed_garbage_share(dir: &Path, i: u32, j: u32, pass_file: &str) -> Vec<u8> {
    let key = signing_key(dir, i, pass_file);
    let roster = tally::ceremony::load_roster(dir).unwrap();
    files::share_file_bytes(&key, &roster.context_hash(), i, j, &[0u8; 88])
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

    // An altered commitment is refused by finish (before anything is written): its
    // dealer's signature no longer verifies. (A commitment its own dealer signed with bad
    // proofs is `ceremony.bad_commitment`: the unit tests of `tally::ceremony`.)
    let path = dir.join("commitment-4.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let v: BTreeMap<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    let c = v["commitment"].as_str().unwrap();
    let mut raw = hex::decode(c).unwrap();
    raw[50] ^= 0x80;
    std::fs::write(&path, text.replace(c, &hex::encode(raw))).unwrap();
    let (code, err) = fails(&["ceremony", "finish", "--dir", d]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("commitment-4.json is not signed by trustee 4"),
        "{err}"
    );
    assert!(err.contains("[ceremony.bad_signature]"), "{err}");
    assert!(!dir.join("ceremony.json.tmp").exists());

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

    // Dealer 1's share to trustee 2 swapped for its share to trustee 3: dealer 1 signed it
    // for trustee 3, so it is refused before it is opened, and no one is accused.
    let original = std::fs::read(dir.join("share-1-to-2.enc")).unwrap();
    std::fs::copy(dir.join("share-1-to-3.enc"), dir.join("share-1-to-2.enc")).unwrap();
    let (code, err) = fails(
        &step("receive", d, 2, Some(&passes[1]))
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("share-1-to-2.enc is not signed by trustee 1"),
        "{err}"
    );
    assert!(err.contains("[ceremony.bad_signature]"), "{err}");
    assert!(!dir.join("complaint-2.json").exists());
    assert!(!dir.join("confirm-2.json").exists());
    std::fs::write(dir.join("share-1-to-2.enc"), original).unwrap();

    // A share dealer 1 signed but that does not open (garbage, correctly signed) is a
    // complaint against dealer 1.
    let garbage = signed_garbage_share(&dir, 1, 2, &passes[0]);
    std::fs::write(dir.join("share-1-to-2.enc"), garbage).unwrap();
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
