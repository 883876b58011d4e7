//! The ceremony's steps, each what one command does on one laptop. `run_all` calls the same
//! functions in order, so the one-process demo writes exactly the files of a real ceremony.

use std::path::{Path, PathBuf};

use anyhow::Result;
use ivote_crypto::encoding::decode_scalar;
use ivote_crypto::group::{g_table, Scalar};
use ivote_crypto::threshold::dkg::{
    KeyShare, KeyShareOutcome, PolynomialCommitment, SecretPolynomial, SecretShare,
};
use ivote_crypto::threshold::share_transport::{open_share, seal_share};
use ivote_crypto::{ContextHash, CryptoError};
use rand::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use ivote_protocol::ceremony::files::{self, Accusation, Confirmation};
use ivote_protocol::ceremony::{self as transcript, CeremonyParams, Roster, VerifiedCeremony};
use ivote_protocol::package::hex_file;

use crate::error::Refusal;
use crate::fsio::{self, Written};
use crate::passphrase::{Passphrase, PassphraseSource};
use crate::secret_file::{self, KdfParams, SecretKind, SecretLabel};

/// Where a trustee's files go: the public ceremony folder (what travels on the USB stick)
/// and the folder for their own secret files (by default the same: the secret files are
/// passphrase-protected and named `*.SECRET.json`, so they are easy to leave behind).
#[derive(Debug, Clone)]
pub struct Folders {
    /// The ceremony folder.
    pub public: PathBuf,
    /// The trustee's secret files.
    pub secret: PathBuf,
}

impl Folders {
    /// Public and secret files in one folder.
    pub fn single(dir: &Path) -> Folders {
        Folders {
            public: dir.to_owned(),
            secret: dir.to_owned(),
        }
    }
}

/// Reads `dir/name`, parsing it with `parse` (errors name the file).
fn load<T, E: Into<Refusal>>(
    dir: &Path,
    name: &str,
    parse: impl FnOnce(&str, &[u8]) -> Result<T, E>,
) -> Result<T> {
    let path = dir.join(name);
    let bytes = fsio::read(&path)?;
    parse(&path.display().to_string(), &bytes).map_err(|e| e.into().into())
}

/// Reads `ceremony-params.json`.
pub fn load_params(dir: &Path) -> Result<CeremonyParams> {
    load(dir, files::PARAMS_FILE, files::params_from_json)
}

/// Reads `roster.json`.
pub fn load_roster(dir: &Path) -> Result<Roster> {
    load(dir, files::ROSTER_FILE, files::roster_from_json)
}

/// Reads every dealer's commitment file, in dealer order.
fn load_commitments(dir: &Path, roster: &Roster) -> Result<Vec<PolynomialCommitment>> {
    let context = roster.context_hash();
    (1..=roster.params().n())
        .map(|i| {
            load(dir, &files::commitment_file(i), |f, b| {
                files::commitment_from_json(f, b, &context, i)
            })
        })
        .collect()
}

/// Step 0 (officials): writes `ceremony-params.json`.
pub fn init(dir: &Path, election_id: &str, n: u32, t: u32) -> Result<Written> {
    let params = CeremonyParams::new(election_id, n, t)?;
    fsio::write_new(dir, files::PARAMS_FILE, &files::params_to_json(&params)?)
}

fn ceremony_key_label(params: &CeremonyParams, trustee: u32) -> SecretLabel {
    SecretLabel {
        kind: SecretKind::CeremonyKey,
        election_id: params.election_id().into(),
        trustee,
        ceremony_context: None,
    }
}

fn key_share_label(params: &CeremonyParams, context: &ContextHash, trustee: u32) -> SecretLabel {
    SecretLabel {
        kind: SecretKind::KeyShare,
        election_id: params.election_id().into(),
        trustee,
        ceremony_context: Some(*context),
    }
}

/// Round 0 (trustee `trustee`): draws a ceremony key pair; writes the secret half under the
/// passphrase and publishes `ceremony-key-J.json`.
pub fn keygen(
    folders: &Folders,
    trustee: u32,
    pass: &Passphrase,
    kdf: KdfParams,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<Vec<Written>> {
    let params = load_params(&folders.public)?;
    params.check_trustee(trustee)?;
    pass.check_strength()?;
    let secret = Zeroizing::new(Scalar::random(rng));
    let public = &*secret * g_table();
    let sealed = secret_file::seal(
        &ceremony_key_label(&params, trustee),
        secret.as_bytes(),
        pass,
        kdf,
        rng,
    )?;
    let s = fsio::write_new(
        &folders.secret,
        &files::ceremony_key_secret_file(trustee),
        &sealed,
    )?;
    let p = fsio::write_new(
        &folders.public,
        &files::public_key_file(trustee),
        &files::public_key_to_json(&params, trustee, &public)?,
    )?;
    Ok(vec![s, p])
}

/// After round 0 (officials): collects the `n` public keys into `roster.json`.
pub fn roster(dir: &Path) -> Result<(Written, ContextHash)> {
    let params = load_params(dir)?;
    let keys = (1..=params.n())
        .map(|j| {
            load(dir, &files::public_key_file(j), |f, b| {
                files::public_key_from_json(f, b, &params, j)
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let roster = Roster::new(params, keys)?;
    let w = fsio::write_new(dir, files::ROSTER_FILE, &files::roster_to_json(&roster)?)?;
    Ok((w, roster.context_hash()))
}

/// Round 1 (dealer `trustee`): draws the secret polynomial, publishes its commitment and the
/// `n` shares, each encrypted to its recipient (the dealer's own share included, encrypted to
/// itself). The polynomial exists only in memory during this call.
pub fn commit(
    dir: &Path,
    trustee: u32,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<Vec<Written>> {
    let roster = load_roster(dir)?;
    let params = roster.params();
    params.check_trustee(trustee)?;
    let context = roster.context_hash();
    let poly = SecretPolynomial::random(params.threshold(), trustee, rng)?;
    let commitment = poly.commit(&context, rng)?;
    let mut written = Vec::new();
    for j in 1..=params.n() {
        let share = poly.evaluate(j)?;
        let sealed = seal_share(&context, roster.key(j)?, &share, rng)?;
        written.push(fsio::write_new(
            dir,
            &files::share_file(trustee, j),
            &sealed,
        )?);
    }
    drop(poly);
    written.push(fsio::write_new(
        dir,
        &files::commitment_file(trustee),
        &files::commitment_to_json(&context, &commitment)?,
    )?);
    Ok(written)
}

/// Opens trustee `trustee`'s ceremony secret key and checks it is the roster's.
fn unlock_ceremony_key(
    folders: &Folders,
    roster: &Roster,
    trustee: u32,
    pass: &Passphrase,
) -> Result<Zeroizing<Scalar>> {
    let path = folders
        .secret
        .join(files::ceremony_key_secret_file(trustee));
    let name = path.display().to_string();
    let bytes = fsio::read(&path)?;
    let plain = secret_file::open(
        &name,
        &bytes,
        &ceremony_key_label(roster.params(), trustee),
        pass,
    )?;
    let secret = Zeroizing::new(
        decode_scalar(&plain, "ceremony secret key")
            .map_err(|e| Refusal::malformed(&name, e.to_string()))?,
    );
    if &*secret * g_table() != *roster.key(trustee)? {
        return Err(Refusal::mismatch(
            &name,
            format!("it is not the key of trustee {trustee} in roster.json"),
        )
        .into());
    }
    Ok(secret)
}

/// Rounds 2–3 (trustee `trustee`): verifies every commitment, opens and checks every share
/// addressed to it. If all pass, writes its key share (under the passphrase) and publishes
/// `confirm-J.json`; otherwise publishes `complaint-J.json` and fails with
/// [`Refusal::Complaint`] naming the dealers.
pub fn receive(
    folders: &Folders,
    trustee: u32,
    pass: &Passphrase,
    kdf: KdfParams,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<Vec<Written>> {
    let dir = &folders.public;
    let roster = load_roster(dir)?;
    let params = roster.params().clone();
    params.check_trustee(trustee)?;
    let context = roster.context_hash();
    let commitments = load_commitments(dir, &roster)?;
    // The commitments alone (no confirmations yet), checked as `finish` checks them.
    let set = transcript::verify_commitments(&context, &params, commitments)?;
    let secret = unlock_ceremony_key(folders, &roster, trustee, pass)?;

    let mut accused = Vec::new();
    let mut shares: Vec<SecretShare> = Vec::new();
    for i in 1..=params.n() {
        let sealed = fsio::read(&dir.join(files::share_file(i, trustee)))?;
        match open_share(&context, &secret, i, trustee, &sealed) {
            Ok(share) => shares.push(share),
            Err(CryptoError::DealerMisbehaved { reason, .. }) => accused.push(Accusation {
                dealer: i,
                reason: reason.into(),
            }),
            Err(e) => return Err(e.into()),
        }
    }
    drop(secret);
    let outcome = set.collect_key_share(trustee, &shares)?;
    drop(shares);
    let key = match outcome {
        KeyShareOutcome::Ready(key) if accused.is_empty() => key,
        KeyShareOutcome::Ready(_) => return complain(dir, &context, trustee, accused),
        KeyShareOutcome::Complaints(dealers) => {
            for dealer in dealers {
                if !accused.iter().any(|a| a.dealer == dealer) {
                    accused.push(Accusation {
                        dealer,
                        reason: "secret share fails the Feldman check against the dealer's \
                                 commitment"
                            .into(),
                    });
                }
            }
            accused.sort_by_key(|a| a.dealer);
            return complain(dir, &context, trustee, accused);
        }
    };
    let confirmation = Confirmation {
        trustee,
        verification_key: key.verification_key(),
        commitments_hash: transcript::commitments_hash(&context, &set),
    };
    let sealed = secret_file::seal(
        &key_share_label(&params, &context, trustee),
        key.to_bytes().as_ref(),
        pass,
        kdf,
        rng,
    )?;
    drop(key);
    let s = fsio::write_new(
        &folders.secret,
        &files::key_share_secret_file(trustee),
        &sealed,
    )?;
    let c = fsio::write_new(
        dir,
        &files::confirmation_file(trustee),
        &files::confirmation_to_json(&context, &confirmation)?,
    )?;
    Ok(vec![s, c])
}

/// Publishes the complaint and fails with [`Refusal::Complaint`].
fn complain(
    dir: &Path,
    context: &ContextHash,
    trustee: u32,
    accused: Vec<Accusation>,
) -> Result<Vec<Written>> {
    let w = fsio::write_new(
        dir,
        &files::complaint_file(trustee),
        &files::complaint_to_json(context, trustee, &accused)?,
    )?;
    Err(Refusal::Complaint {
        trustee,
        dealers: accused.iter().map(|a| a.dealer).collect(),
        file: w.path.display().to_string(),
    }
    .into())
}

/// Final step (officials): checks all public files, refuses while any complaint is
/// outstanding, and writes `ceremony.json` and `joint-key.hex`.
pub fn finish(dir: &Path) -> Result<(Vec<Written>, VerifiedCeremony)> {
    let roster = load_roster(dir)?;
    let context = roster.context_hash();
    let n = roster.params().n();
    let mut complaints = Vec::new();
    for j in 1..=n {
        let path = dir.join(files::complaint_file(j));
        if path.exists() {
            let accused = load(dir, &files::complaint_file(j), |f, b| {
                files::complaint_from_json(f, b, &context, j)
            })?;
            complaints.push((j, accused.iter().map(|a| a.dealer).collect()));
        }
    }
    if !complaints.is_empty() {
        return Err(Refusal::ComplaintsOutstanding { complaints }.into());
    }
    let commitments = load_commitments(dir, &roster)?;
    let confirmations = (1..=n)
        .map(|j| {
            load(dir, &files::confirmation_file(j), |f, b| {
                files::confirmation_from_json(f, b, &context, j)
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let ceremony = transcript::check_ceremony(roster, commitments, confirmations)?;
    let t = fsio::write_new(
        dir,
        files::TRANSCRIPT_FILE,
        &transcript::transcript_to_json(&ceremony)?,
    )?;
    let k = fsio::write_new(
        dir,
        files::JOINT_KEY_FILE,
        &hex_file(&ceremony.joint_key.to_bytes()),
    )?;
    Ok((vec![t, k], ceremony))
}

/// The whole ceremony in one process, for demonstrations and tests: `init`, every `keygen`,
/// `roster`, every `commit`, every `receive`, `finish`, with the same functions.
pub fn run_all(
    folders: &Folders,
    election_id: &str,
    n: u32,
    t: u32,
    passphrases: &PassphraseSource,
    kdf: KdfParams,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<(Vec<Written>, VerifiedCeremony)> {
    let mut written = vec![init(&folders.public, election_id, n, t)?];
    for j in 1..=n {
        written.extend(keygen(folders, j, &passphrases.get(j, true)?, kdf, rng)?);
    }
    written.push(roster(&folders.public)?.0);
    for j in 1..=n {
        written.extend(commit(&folders.public, j, rng)?);
    }
    for j in 1..=n {
        written.extend(receive(folders, j, &passphrases.get(j, false)?, kdf, rng)?);
    }
    let (w, ceremony) = finish(&folders.public)?;
    written.extend(w);
    Ok((written, ceremony))
}

/// Reads and verifies `ceremony.json` in `dir`.
pub fn load_transcript(dir: &Path) -> Result<VerifiedCeremony> {
    load(dir, files::TRANSCRIPT_FILE, transcript::verify_transcript)
}

/// Opens trustee `trustee`'s key share file at `path` with its passphrase, for the ceremony
/// `ceremony`, and checks that the key share is the one the ceremony's commitments give
/// (for `decrypt-share`).
pub fn load_key_share(
    path: &Path,
    trustee: u32,
    ceremony: &VerifiedCeremony,
    pass: &Passphrase,
) -> Result<KeyShare> {
    let name = path.display().to_string();
    let bytes = fsio::read(path)?;
    let label = key_share_label(ceremony.params(), &ceremony.context, trustee);
    let plain = secret_file::open(&name, &bytes, &label, pass)?;
    let key = KeyShare::from_bytes(&plain).map_err(|e| Refusal::malformed(&name, e.to_string()))?;
    let expected = trustee
        .checked_sub(1)
        .and_then(|i| ceremony.verification_keys.get(i as usize));
    if key.index() != trustee || Some(&key.verification_key()) != expected {
        return Err(Refusal::mismatch(
            &name,
            format!("it does not hold trustee {trustee}'s key share of this ceremony"),
        )
        .into());
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::refusal_code;
    use ivote_crypto::elgamal::{Ciphertext, Nonce};
    use ivote_crypto::proofs::dleq::TallyPosition;
    use ivote_crypto::threshold::decryption::{decrypt, DecryptionShare};
    use ivote_crypto::G;
    use rand::rngs::OsRng;

    const FAST: KdfParams = KdfParams::INSECURE_FAST_FOR_TESTS;

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
            commit(dir, j, &mut OsRng).unwrap();
        }
        f
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
                load_key_share(&path, j, &loaded, &pass(j)).unwrap()
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
        let e = load_key_share(&path, 2, &c, &pass(3)).unwrap_err();
        assert_eq!(code(&e), "ceremony.wrong_passphrase");
        assert_eq!(
            format!("{e:#}"),
            "wrong passphrase for trustee 2's share file"
        );
        // Trustee 1's file presented as trustee 2's.
        let other = dir.join(files::key_share_secret_file(1));
        let e = load_key_share(&other, 2, &c, &pass(2)).unwrap_err();
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
        // Dealer 2 sends trustee 4 a share of another polynomial, correctly encrypted: it
        // opens, but fails the Feldman check.
        let r = load_roster(dir).unwrap();
        let other = SecretPolynomial::random(r.params().threshold(), 2, &mut OsRng).unwrap();
        let bad = seal_share(
            &r.context_hash(),
            r.key(4).unwrap(),
            &other.evaluate(4).unwrap(),
            &mut OsRng,
        )
        .unwrap();
        std::fs::write(dir.join(files::share_file(2, 4)), bad).unwrap();
        // And dealer 5's share to trustee 4 is garbage.
        std::fs::write(dir.join(files::share_file(5, 4)), [0u8; 88]).unwrap();
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
            &r.context_hash(),
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
        std::fs::write(&path, original.replace(hexc, &hex::encode(raw))).unwrap();
        let e = finish(dir).unwrap_err();
        assert_eq!(code(&e), "ceremony.bad_commitment", "{e:#}");
        assert!(format!("{e:#}").contains("trustee 3's commitment"));
        std::fs::write(&path, &original).unwrap();

        // A confirmation with another verification key.
        let cpath = dir.join(files::confirmation_file(2));
        let conf = std::fs::read_to_string(&cpath).unwrap();
        let v: serde_json::Value = serde_json::from_str(&conf).unwrap();
        let vk = v["verification_key"].as_str().unwrap();
        let other = files::point_hex(&(ivote_crypto::group::Scalar::from(5u64) * G));
        std::fs::write(&cpath, conf.replace(vk, &other)).unwrap();
        let e = finish(dir).unwrap_err();
        assert_eq!(code(&e), "ceremony.confirmation_mismatch", "{e:#}");
        std::fs::write(&cpath, &conf).unwrap();

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
        let e = commit(dir, 4, &mut OsRng).unwrap_err();
        assert_eq!(code(&e), "ceremony.invalid_parameters");
        // A second commit by the same dealer would be a second polynomial: refused.
        let e = commit(dir, 1, &mut OsRng).unwrap_err();
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
}
