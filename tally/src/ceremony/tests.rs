//! The steps together: whole ceremonies, wrong passphrases, complaints, altered files.

use std::path::Path;

use ivote_crypto::elgamal::{Ciphertext, Nonce};
use ivote_crypto::proofs::dleq::TallyPosition;
use ivote_crypto::threshold::decryption::{decrypt, DecryptionShare};
use ivote_crypto::threshold::dkg::{KeyShare, SecretPolynomial};
use ivote_crypto::threshold::share_transport::seal_share;
use ivote_crypto::{CryptoError, G};
use ivote_protocol::ceremony as transcript;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

use super::*;
use crate::error::refusal_code;
use crate::passphrase::{Passphrase, PassphraseSource};
use crate::secret_file::{KdfFloor, KdfParams};

const FAST: KdfParams = KdfParams::INSECURE_FAST_FOR_TESTS;
/// The files these tests seal with [`FAST`] are opened allowing test parameters.
const FLOOR: KdfFloor = KdfFloor::InsecureAllowTestParameters;

fn pass(j: u32) -> Passphrase {
    Passphrase::new(Zeroizing::new(format!("passphrase of trustee {j}")))
}

fn passphrase_file(dir: &Path, n: u32) -> PassphraseSource {
    let path = dir.join("passphrases.txt");
    let text: String = (1..=n)
        .map(|j| format!("passphrase of trustee {j}\n"))
        .collect();
    std::fs::write(&path, text).unwrap();
    PassphraseSource::File(path)
}

fn code(e: &anyhow::Error) -> &'static str {
    refusal_code(e).unwrap_or("<not a refusal>")
}

/// Runs init, keygen, roster and commit for everyone.
fn up_to_commit(dir: &Path, n: u32, t: u32) -> Folders {
    let f = Folders::single(dir);
    init(dir, "RK2027", n, t).unwrap();
    for j in 1..=n {
        keygen(&f, j, &pass(j), FAST, &mut OsRng).unwrap();
    }
    roster(dir).unwrap();
    for j in 1..=n {
        commit(&f, j, &pass(j), FLOOR, &mut OsRng).unwrap();
    }
    f
}

/// Dealer `i`'s signing key, as `commit` opens it.
fn signer(f: &Folders, i: u32) -> ed25519_dalek::SigningKey {
    let r = load_roster(&f.public).unwrap();
    keys::CeremonyKeys::unlock_for(f, &r, i, &pass(i), FLOOR)
        .unwrap()
        .signing
        .clone()
}

#[test]
fn three_of_five_decrypts_with_any_three_and_not_two() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ceremony");
    let src = passphrase_file(tmp.path(), 5);
    let (written, c) = run_all(
        &Folders::single(&dir),
        "RK2027",
        5,
        3,
        &src,
        FAST,
        &mut OsRng,
    )
    .unwrap();
    // params, 5×2 keys, roster, 5×(5 shares + commitment), 5×2 receive, transcript, joint key
    assert_eq!(written.len(), 1 + 10 + 1 + 30 + 10 + 2);
    let loaded = load_transcript(&dir).unwrap();
    assert_eq!(loaded.joint_key, c.joint_key);
    let joint = std::fs::read_to_string(dir.join(files::JOINT_KEY_FILE)).unwrap();
    assert_eq!(joint, format!("{}\n", hex::encode(c.joint_key.to_bytes())));
    let keys: Vec<KeyShare> = (1..=5)
        .map(|j| {
            let path = dir.join(files::key_share_secret_file(j));
            load_key_share(&path, j, &loaded, FLOOR, &pass(j)).unwrap()
        })
        .collect();
    let position = TallyPosition {
        district: "d1".into(),
        contest: "c1".into(),
        selection: 0,
    };
    let ct = Ciphertext::encrypt(&c.joint_key, 7, &Nonce::random(&mut OsRng));
    let shares: Vec<DecryptionShare> = keys
        .iter()
        .map(|k| DecryptionShare::create(&c.context, k, &ct, &position, &mut OsRng).unwrap())
        .collect();
    let expected = ivote_crypto::group::Scalar::from(7u64) * G;
    for subset in [[0, 1, 2], [0, 2, 4], [1, 3, 4], [2, 3, 4]] {
        let chosen: Vec<DecryptionShare> = subset.iter().map(|&i| shares[i]).collect();
        let (m, rejected) =
            decrypt(&c.context, &ct, &position, &chosen, &c.verification_keys, 3).unwrap();
        assert_eq!(m, expected);
        assert!(rejected.is_empty());
    }
    let two = [shares[0], shares[4]];
    assert!(matches!(
        decrypt(&c.context, &ct, &position, &two, &c.verification_keys, 3),
        Err(CryptoError::NotEnoughShares { .. })
    ));
    // Two shares combined anyway give garbage, not the plaintext.
    let combined = ivote_crypto::threshold::decryption::combine(&ct, &two).unwrap();
    assert_ne!(combined, expected);
}

#[test]
fn wrong_passphrase_is_refused_with_nothing_else_revealed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let f = up_to_commit(dir, 3, 2);
    for j in 1..=3 {
        receive(&f, j, &pass(j), FAST, &mut OsRng).unwrap();
    }
    let c = finish(dir).unwrap().1;
    let path = dir.join(files::key_share_secret_file(2));
    let e = load_key_share(&path, 2, &c, FLOOR, &pass(3)).unwrap_err();
    assert_eq!(code(&e), "ceremony.wrong_passphrase");
    assert_eq!(
        format!("{e:#}"),
        "wrong passphrase for trustee 2's share file"
    );
    // Trustee 1's file presented as trustee 2's.
    let other = dir.join(files::key_share_secret_file(1));
    let e = load_key_share(&other, 2, &c, FLOOR, &pass(2)).unwrap_err();
    assert_eq!(code(&e), "ceremony.mismatch");
    // The ceremony key file too.
    let e = receive(&f, 1, &pass(2), FAST, &mut OsRng).unwrap_err();
    assert_eq!(
        format!("{e:#}"),
        "wrong passphrase for trustee 1's ceremony key file"
    );
}

#[test]
fn a_bad_share_is_named_in_a_complaint_and_finish_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let f = up_to_commit(dir, 5, 3);
    // Dealer 2 sends trustee 4 a share of another polynomial, correctly encrypted and
    // signed: it opens, but fails the Feldman check.
    let r = load_roster(dir).unwrap();
    let ctx = r.context_hash();
    let other = SecretPolynomial::random(r.params().threshold(), 2, &mut OsRng).unwrap();
    let bad = seal_share(
        &ctx,
        r.key(4).unwrap(),
        &other.evaluate(4).unwrap(),
        &mut OsRng,
    )
    .unwrap();
    let signed = files::share_file_bytes(&signer(&f, 2), &ctx, 2, 4, &bad);
    std::fs::write(dir.join(files::share_file(2, 4)), signed).unwrap();
    // And dealer 5's share to trustee 4 is garbage, signed by dealer 5.
    let garbage = files::share_file_bytes(&signer(&f, 5), &ctx, 5, 4, &[0u8; 88]);
    std::fs::write(dir.join(files::share_file(5, 4)), garbage).unwrap();
    for j in [1, 2, 3, 5] {
        receive(&f, j, &pass(j), FAST, &mut OsRng).unwrap();
    }
    let e = receive(&f, 4, &pass(4), FAST, &mut OsRng).unwrap_err();
    assert_eq!(code(&e), "ceremony.complaint");
    let msg = format!("{e:#}");
    assert!(
        msg.contains("trustee 4 received bad shares from trustee(s) 2, 5"),
        "{msg}"
    );
    assert!(!dir.join(files::key_share_secret_file(4)).exists());
    let accused = files::complaint_from_json(
        "c",
        &std::fs::read(dir.join(files::complaint_file(4))).unwrap(),
        &r,
        4,
    )
    .unwrap();
    assert_eq!(accused.iter().map(|a| a.dealer).collect::<Vec<_>>(), [2, 5]);
    assert!(accused[0].reason.contains("Feldman"));
    let e = finish(dir).unwrap_err();
    assert_eq!(code(&e), "ceremony.complaints_outstanding");
    assert!(format!("{e:#}").contains("trustee 4 accuses trustee(s) 2, 5"));
    assert!(!dir.join(files::TRANSCRIPT_FILE).exists());
}

#[test]
fn altered_commitment_or_confirmation_is_refused_by_finish() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let f = up_to_commit(dir, 3, 2);
    for j in 1..=3 {
        receive(&f, j, &pass(j), FAST, &mut OsRng).unwrap();
    }
    let path = dir.join(files::commitment_file(3));
    let original = std::fs::read_to_string(&path).unwrap();
    let v: serde_json::Value = serde_json::from_str(&original).unwrap();
    let hexc = v["commitment"].as_str().unwrap();
    // Flip one bit in the last proof scalar's first byte.
    let mut raw = hex::decode(hexc).unwrap();
    let at = raw.len() - 32;
    raw[at] ^= 1;
    // Altered on its way: its signature no longer verifies.
    std::fs::write(&path, original.replace(hexc, &hex::encode(&raw))).unwrap();
    let e = finish(dir).unwrap_err();
    assert_eq!(code(&e), "ceremony.bad_signature", "{e:#}");
    assert!(format!("{e:#}").contains("commitment-3.json is not signed by trustee 3"));
    // Made so by dealer 3 (signed by them): its proofs are what fails.
    let r = load_roster(dir).unwrap();
    let bad = ivote_crypto::threshold::dkg::PolynomialCommitment::from_bytes(&raw).unwrap();
    let signed = files::SignedCommitment::sign(&signer(&f, 3), &r.context_hash(), bad);
    std::fs::write(
        &path,
        files::commitment_to_json(&r.context_hash(), &signed).unwrap(),
    )
    .unwrap();
    let e = finish(dir).unwrap_err();
    assert_eq!(code(&e), "ceremony.bad_commitment", "{e:#}");
    assert!(format!("{e:#}").contains("trustee 3's commitment"));
    std::fs::write(&path, &original).unwrap();

    // A confirmation with another verification key: altered on its way, or so signed by
    // trustee 2.
    let cpath = dir.join(files::confirmation_file(2));
    let conf = std::fs::read_to_string(&cpath).unwrap();
    let v: serde_json::Value = serde_json::from_str(&conf).unwrap();
    let vk = v["verification_key"].as_str().unwrap();
    let other_point = ivote_crypto::group::Scalar::from(5u64) * G;
    let other = files::point_hex(&other_point);
    std::fs::write(&cpath, conf.replace(vk, &other)).unwrap();
    let e = finish(dir).unwrap_err();
    assert_eq!(code(&e), "ceremony.bad_signature", "{e:#}");
    let parsed = files::confirmation_from_json("c", conf.as_bytes(), &r.context_hash(), 2).unwrap();
    let resigned = files::Confirmation::sign(
        &signer(&f, 2),
        &r.context_hash(),
        2,
        other_point,
        parsed.commitments_hash,
    );
    let bytes = files::confirmation_to_json(&r.context_hash(), &resigned).unwrap();
    std::fs::write(&cpath, bytes).unwrap();
    let e = finish(dir).unwrap_err();
    assert_eq!(code(&e), "ceremony.confirmation_mismatch", "{e:#}");
    std::fs::write(&cpath, &conf).unwrap();

    // A complaint the carrier made up in trustee 1's name.
    let forged = files::complaint_to_json(
        &ed25519_dalek::SigningKey::from_bytes(&[7; 32]),
        &r.context_hash(),
        1,
        &[files::Accusation {
            dealer: 2,
            reason: "made up".into(),
        }],
    )
    .unwrap();
    std::fs::write(dir.join(files::complaint_file(1)), forged).unwrap();
    let e = finish(dir).unwrap_err();
    assert_eq!(code(&e), "ceremony.bad_signature", "{e:#}");
    std::fs::remove_file(dir.join(files::complaint_file(1))).unwrap();

    let (_, c) = finish(dir).unwrap();
    // An altered transcript is refused by its loader.
    let tpath = dir.join(files::TRANSCRIPT_FILE);
    let t = std::fs::read_to_string(&tpath).unwrap();
    let jk = hex::encode(c.joint_key.to_bytes());
    let altered = t.replace(&jk, &files::point_hex(&G));
    assert_eq!(
        transcript::verify_transcript("ceremony.json", altered.as_bytes())
            .unwrap_err()
            .code(),
        "ceremony.malformed_file"
    );
    assert!(transcript::verify_transcript("ceremony.json", t.as_bytes()).is_ok());
}

#[test]
fn steps_refuse_bad_trustees_and_reruns() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let f = up_to_commit(dir, 3, 2);
    let e = commit(&f, 4, &pass(4), FLOOR, &mut OsRng).unwrap_err();
    assert_eq!(code(&e), "ceremony.invalid_parameters");
    // A second commit by the same dealer would be a second polynomial: refused.
    let e = commit(&f, 1, &pass(1), FLOOR, &mut OsRng).unwrap_err();
    assert!(format!("{e:#}").contains("already exists"), "{e:#}");
    assert_eq!(
        crate::error::exit_code(&e),
        crate::error::EXIT_COULD_NOT_RUN
    );
    let e = keygen(&f, 0, &pass(1), FAST, &mut OsRng).unwrap_err();
    assert_eq!(code(&e), "ceremony.invalid_parameters");
    let e = init(dir, "RK", 2, 3).unwrap_err();
    assert_eq!(code(&e), "ceremony.invalid_parameters");
}

#[test]
fn a_roster_with_another_key_in_a_trustees_place_is_refused_by_that_trustee() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let f = Folders::single(dir);
    init(dir, "RK2027", 2, 2).unwrap();
    for j in 1..=2 {
        keygen(&f, j, &pass(j), FAST, &mut OsRng).unwrap();
    }
    // Whoever assembles the roster puts their own keys in trustee 2's place.
    let other = tmp.path().join("other");
    init(&other, "RK2027", 2, 2).unwrap();
    keygen(&Folders::single(&other), 2, &pass(2), FAST, &mut OsRng).unwrap();
    std::fs::copy(
        other.join(files::public_key_file(2)),
        dir.join(files::public_key_file(2)),
    )
    .unwrap();
    roster(dir).unwrap();
    commit(&f, 1, &pass(1), FLOOR, &mut OsRng).unwrap();
    let e = commit(&f, 2, &pass(2), FLOOR, &mut OsRng).unwrap_err();
    assert_eq!(code(&e), "ceremony.mismatch", "{e:#}");
    assert!(
        format!("{e:#}").contains("not the ones listed for trustee 2"),
        "{e:#}"
    );
    assert!(!dir.join(files::commitment_file(2)).exists());
}
