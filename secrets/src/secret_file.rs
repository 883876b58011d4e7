//! Secret files at rest: a trustee's ceremony key and key share, encrypted under the
//! trustee's passphrase.
//!
//! `key = Argon2id(passphrase, salt, m, t, p) → 32 bytes`, then ChaCha20-Poly1305 with a random
//! 12-byte nonce. The file is a small JSON document (hex fields) that stores the salt and the
//! Argon2id parameters, so it can be opened later with the same settings; every public field
//! of it is bound into the AEAD's associated data (a fixed byte layout, never the JSON), so
//! no field can be changed without the file failing to open.
//!
//! A wrong passphrase and an altered file look the same (the tag does not verify); the error
//! says "wrong passphrase for trustee J's share file" and nothing else.
//!
//! The layouts are specified in `docs/key-ceremony.md`, "Secret files".

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use ivote_crypto::ContextHash;
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use ivote_protocol::ceremony::CeremonyError;
use ivote_protocol::layout::Writer;

use crate::passphrase::Passphrase;
use crate::SecretError;

/// Format tag of a secret file.
pub const SECRET_FILE_FORMAT: &str = "ivote-secret-file-v1";
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 12;

/// What a secret file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// The trustee's ceremony secret key (a 32-byte scalar), used to open the shares sent to
    /// them.
    CeremonyKey,
    /// The trustee's key share ([`ivote_crypto::threshold::dkg::KeyShare`] bytes).
    KeyShare,
    /// The officials' Ed25519 signing key (32-byte seed), which signs election packages and
    /// roll change lists. Its label has no election id and trustee 0.
    OfficialsKey,
}

impl SecretKind {
    /// The `kind` field of the file.
    pub fn label(self) -> &'static str {
        match self {
            SecretKind::CeremonyKey => "ceremony-key",
            SecretKind::KeyShare => "key-share",
            SecretKind::OfficialsKey => "officials-key",
        }
    }

    /// How messages call the file: "trustee J's share file".
    pub fn what(self) -> &'static str {
        match self {
            SecretKind::CeremonyKey => "ceremony key",
            SecretKind::KeyShare => "share",
            SecretKind::OfficialsKey => "officials' signing key",
        }
    }
}

/// The public facts a secret file is bound to, which the reader expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretLabel {
    /// What the file holds.
    pub kind: SecretKind,
    /// The election id of the ceremony.
    pub election_id: String,
    /// The trustee whose file it is.
    pub trustee: u32,
    /// The ceremony context hash (key shares only: ceremony keys exist before it does).
    pub ceremony_context: Option<ContextHash>,
}

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory, in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// The parameters of real ceremonies: 64 MiB, 3 passes, 1 lane (OWASP's and RFC 9106's
    /// second recommended option; about a quarter of a second on a laptop).
    pub const STANDARD: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 1,
    };

    /// Cheap parameters for tests and demonstrations only (`--insecure-fast-kdf`): 64 KiB, one
    /// pass. A passphrase protected with these falls to guessing quickly.
    pub const INSECURE_FAST_FOR_TESTS: KdfParams = KdfParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    /// The largest parameters a file may ask for (1 GiB, 64 passes, 16 lanes), so that a
    /// damaged or hostile file cannot make the tool exhaust the machine.
    const MAX: KdfParams = KdfParams {
        memory_kib: 1024 * 1024,
        iterations: 64,
        parallelism: 16,
    };

    /// Whether these parameters reach the production floor: at least [`KdfParams::STANDARD`]'s
    /// memory and passes.
    pub fn is_production_grade(&self) -> bool {
        self.memory_kib >= Self::STANDARD.memory_kib && self.iterations >= Self::STANDARD.iterations
    }

    fn argon2(&self) -> Option<Argon2<'static>> {
        if self.memory_kib > Self::MAX.memory_kib
            || self.iterations > Self::MAX.iterations
            || self.parallelism > Self::MAX.parallelism
        {
            return None;
        }
        let params =
            Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32)).ok()?;
        Some(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// Which Argon2id parameters a secret file may have to be opened. A file protected with
/// cheap parameters falls to passphrase guessing: a real election must never rely on one
/// without noticing, so opening it takes an explicit choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdfFloor {
    /// At least [`KdfParams::STANDARD`]'s memory and passes ([`KdfParams::is_production_grade`]);
    /// anything cheaper is refused (`ceremony.weak_kdf`).
    Production,
    /// Any parameters, [`KdfParams::INSECURE_FAST_FOR_TESTS`] included: the programs'
    /// `--insecure-fast-kdf`, for tests and demonstrations only.
    InsecureAllowTestParameters,
}

impl KdfFloor {
    /// The floor for the programs' `--insecure-fast-kdf` flag.
    pub fn insecure_if(insecure_fast_kdf: bool) -> KdfFloor {
        if insecure_fast_kdf {
            KdfFloor::InsecureAllowTestParameters
        } else {
            KdfFloor::Production
        }
    }

    /// The floor that goes with sealing new files with `kdf` (a step that both opens and
    /// writes secret files, e.g. `ceremony receive`, takes one flag for both).
    pub fn for_sealing_with(kdf: &KdfParams) -> KdfFloor {
        KdfFloor::insecure_if(!kdf.is_production_grade())
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KdfJson {
    algorithm: String,
    version: u32,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    salt: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretFileJson {
    format: String,
    kind: String,
    election_id: String,
    trustee: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ceremony_context: Option<String>,
    kdf: KdfJson,
    aead: String,
    nonce: String,
    ciphertext: String,
}

fn malformed(file: &str, detail: impl Into<String>) -> SecretError {
    CeremonyError::malformed(file, detail).into()
}

fn mismatch(file: &str, detail: impl Into<String>) -> SecretError {
    CeremonyError::mismatch(file, detail).into()
}

/// The associated data: every public field of the file, as a labelled layout.
fn associated_data(label: &SecretLabel, kdf: &KdfParams, salt: &[u8]) -> Vec<u8> {
    let mut l = Writer::labelled(b"ivote-v1/secret-file");
    l.bytes(label.kind.label().as_bytes())
        .bytes(label.election_id.as_bytes())
        .u32(label.trustee)
        .bytes(
            label
                .ceremony_context
                .as_ref()
                .map_or(&[][..], |c| &c.0[..]),
        )
        .u32(kdf.memory_kib)
        .u32(kdf.iterations)
        .u32(kdf.parallelism)
        .bytes(salt);
    l.into_bytes()
}

fn derive_key(pass: &Passphrase, salt: &[u8], kdf: &KdfParams) -> Option<Zeroizing<[u8; 32]>> {
    let mut key = Zeroizing::new([0u8; 32]);
    kdf.argon2()?
        .hash_password_into(pass.as_bytes(), salt, key.as_mut())
        .ok()?;
    Some(key)
}

/// Encrypts `plaintext` under `pass` into the bytes of a secret file bound to `label`.
pub fn seal(
    label: &SecretLabel,
    plaintext: &[u8],
    pass: &Passphrase,
    kdf: KdfParams,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<Vec<u8>, SecretError> {
    let mut salt = [0u8; SALT_LEN];
    rng.fill_bytes(&mut salt);
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let key = derive_key(pass, &salt, &kdf)
        .ok_or_else(|| SecretError::Seal(format!("Argon2id refused the parameters {kdf:?}")))?;
    let aad = associated_data(label, &kdf, &salt);
    let ciphertext = ChaCha20Poly1305::new(Key::from_slice(key.as_ref()))
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| SecretError::Seal("the cipher failed".into()))?;
    let file = SecretFileJson {
        format: SECRET_FILE_FORMAT.into(),
        kind: label.kind.label().into(),
        election_id: label.election_id.clone(),
        trustee: label.trustee,
        ceremony_context: label.ceremony_context.map(|c| hex::encode(c.0)),
        kdf: KdfJson {
            algorithm: "argon2id".into(),
            version: 19,
            memory_kib: kdf.memory_kib,
            iterations: kdf.iterations,
            parallelism: kdf.parallelism,
            salt: hex::encode(salt),
        },
        aead: "chacha20poly1305".into(),
        nonce: hex::encode(nonce),
        ciphertext: hex::encode(ciphertext),
    };
    let mut out = serde_json::to_vec_pretty(&file).map_err(|e| SecretError::Seal(e.to_string()))?;
    out.push(b'\n');
    Ok(out)
}

/// A secret file read and checked against the label it must have, not yet opened: every
/// check that needs no passphrase is made before anyone is asked for one, so that a wrong
/// file (a public key, another trustee's share) is named at once.
#[derive(Debug)]
pub struct SealedFile {
    file: String,
    expected: SecretLabel,
    kdf: KdfParams,
    salt: Vec<u8>,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
}

/// Reads the secret file `bytes` (named `file` in messages), which must be bound to
/// `expected` and have Argon2id parameters at or above `floor`.
pub fn read(
    file: &str,
    bytes: &[u8],
    expected: &SecretLabel,
    floor: KdfFloor,
) -> Result<SealedFile, SecretError> {
    if ivote_protocol::public_key::parse_hex(bytes).is_some() {
        return Err(mismatch(
            file,
            "it is a public key (64 hex digits), not a secret key file: give the secret key \
             file, whose name ends in .SECRET.json",
        ));
    }
    let f: SecretFileJson = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            malformed(
                file,
                format!("it is not a secret file (a JSON document of format {SECRET_FILE_FORMAT})"),
            )
        } else {
            malformed(file, format!("not a secret file: {e}"))
        }
    })?;
    if f.format != SECRET_FILE_FORMAT
        || f.kdf.algorithm != "argon2id"
        || f.kdf.version != 19
        || f.aead != "chacha20poly1305"
    {
        return Err(malformed(
            file,
            format!(
                "unknown format or algorithms (expected {SECRET_FILE_FORMAT}, argon2id version \
                 19, chacha20poly1305)"
            ),
        ));
    }
    let found = (f.kind.as_str(), f.election_id.as_str(), f.trustee);
    let wanted = (
        expected.kind.label(),
        expected.election_id.as_str(),
        expected.trustee,
    );
    if found != wanted {
        return Err(mismatch(
            file,
            format!(
                "it is the {} file of trustee {} of election {:?}, but the {} file of trustee \
                 {} of election {:?} is needed",
                found.0, found.2, found.1, wanted.0, wanted.2, wanted.1
            ),
        ));
    }
    if f.ceremony_context != expected.ceremony_context.map(|c| hex::encode(c.0)) {
        return Err(mismatch(
            file,
            "it was made in another key ceremony (its ceremony context differs)",
        ));
    }
    let hex_field = |name: &str, value: &str, len: Option<usize>| {
        let v = hex::decode(value).map_err(|_| malformed(file, format!("{name} is not hex")))?;
        match len {
            Some(n) if v.len() != n => Err(malformed(
                file,
                format!("{name} has {} bytes, expected {n}", v.len()),
            )),
            _ => Ok(v),
        }
    };
    let kdf = KdfParams {
        memory_kib: f.kdf.memory_kib,
        iterations: f.kdf.iterations,
        parallelism: f.kdf.parallelism,
    };
    if floor == KdfFloor::Production && !kdf.is_production_grade() {
        return Err(SecretError::WeakKdf {
            file: file.to_owned(),
            memory_kib: kdf.memory_kib,
            iterations: kdf.iterations,
        });
    }
    Ok(SealedFile {
        file: file.to_owned(),
        expected: expected.clone(),
        kdf,
        salt: hex_field("kdf.salt", &f.kdf.salt, Some(SALT_LEN))?,
        nonce: hex_field("nonce", &f.nonce, Some(NONCE_LEN))?,
        ciphertext: hex_field("ciphertext", &f.ciphertext, None)?,
    })
}

impl SealedFile {
    /// Opens the file with `pass`. Returns the plaintext (zeroized on drop).
    pub fn open(&self, pass: &Passphrase) -> Result<Zeroizing<Vec<u8>>, SecretError> {
        let (file, kdf) = (&self.file, &self.kdf);
        let key = derive_key(pass, &self.salt, kdf)
            .ok_or_else(|| malformed(file, format!("Argon2id parameters out of range: {kdf:?}")))?;
        let aad = associated_data(&self.expected, kdf, &self.salt);
        ChaCha20Poly1305::new(Key::from_slice(key.as_ref()))
            .decrypt(
                Nonce::from_slice(&self.nonce),
                Payload {
                    msg: &self.ciphertext,
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SecretError::WrongPassphrase {
                trustee: self.expected.trustee,
                what: self.expected.kind.what(),
            })
    }
}

/// Opens the secret file `bytes` (named `file` in messages), which must be bound to
/// `expected` and reach `floor`, with `pass`: [`read`], then [`SealedFile::open`]. Returns
/// the plaintext (zeroized on drop).
pub fn open(
    file: &str,
    bytes: &[u8],
    expected: &SecretLabel,
    floor: KdfFloor,
    pass: &Passphrase,
) -> Result<Zeroizing<Vec<u8>>, SecretError> {
    read(file, bytes, expected, floor)?.open(pass)
}

/// The ceremony context a key-share file says it is bound to, read from its public fields
/// without the passphrase (`None` for anything else). Lets a trustee's program refuse a
/// count of another ceremony before asking for the passphrase; the binding itself is the
/// AEAD's, checked when the file is opened.
pub fn bound_ceremony_context(bytes: &[u8]) -> Option<ContextHash> {
    let f: SecretFileJson = serde_json::from_slice(bytes).ok()?;
    let raw = hex::decode(f.ceremony_context?).ok()?;
    Some(ContextHash(raw.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::OsRng;

    fn label() -> SecretLabel {
        SecretLabel {
            kind: SecretKind::KeyShare,
            election_id: "RK2027".into(),
            trustee: 3,
            ceremony_context: Some(ContextHash([5; 32])),
        }
    }

    fn pass(s: &str) -> Passphrase {
        Passphrase::new(Zeroizing::new(s.into()))
    }

    const FAST: KdfParams = KdfParams::INSECURE_FAST_FOR_TESTS;

    /// [`open`] allowing the test parameters these tests seal with.
    fn open_fast(
        file: &str,
        bytes: &[u8],
        expected: &SecretLabel,
        pass: &Passphrase,
    ) -> Result<Zeroizing<Vec<u8>>, SecretError> {
        open(
            file,
            bytes,
            expected,
            KdfFloor::InsecureAllowTestParameters,
            pass,
        )
    }

    #[test]
    fn test_grade_parameters_are_refused_unless_explicitly_allowed() {
        let bytes = seal(&label(), b"secret!", &pass("pw"), FAST, &mut OsRng).unwrap();
        // Refused before any passphrase is needed: read() alone says it.
        let err = read("f", &bytes, &label(), KdfFloor::Production).unwrap_err();
        assert_eq!(err.code(), Some("ceremony.weak_kdf"));
        let message = err.to_string();
        assert!(
            message.contains("64 KiB") && message.contains("--insecure-fast-kdf"),
            "{message}"
        );
        assert_eq!(
            open("f", &bytes, &label(), KdfFloor::Production, &pass("pw"))
                .unwrap_err()
                .code(),
            Some("ceremony.weak_kdf")
        );
        // Just below the floor in either dimension is refused too.
        for weak in [
            KdfParams {
                memory_kib: KdfParams::STANDARD.memory_kib - 1,
                ..KdfParams::STANDARD
            },
            KdfParams {
                iterations: KdfParams::STANDARD.iterations - 1,
                ..KdfParams::STANDARD
            },
        ] {
            assert!(!weak.is_production_grade(), "{weak:?}");
        }
        assert!(KdfParams::STANDARD.is_production_grade());
        // Explicitly allowed (--insecure-fast-kdf): opens.
        let opened = open_fast("f", &bytes, &label(), &pass("pw")).unwrap();
        assert_eq!(&opened[..], b"secret!");
        assert_eq!(
            KdfFloor::for_sealing_with(&FAST),
            KdfFloor::InsecureAllowTestParameters
        );
        assert_eq!(
            KdfFloor::for_sealing_with(&KdfParams::STANDARD),
            KdfFloor::Production
        );
    }

    #[test]
    fn round_trip_and_wrong_passphrase() {
        let bytes = seal(
            &label(),
            b"secret!",
            &pass("correct horse"),
            FAST,
            &mut OsRng,
        )
        .unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(!text.contains(&hex::encode(b"secret!")));
        let opened = open_fast("f", &bytes, &label(), &pass("correct horse")).unwrap();
        assert_eq!(&opened[..], b"secret!");
        let wrong = open_fast("f", &bytes, &label(), &pass("battery staple")).unwrap_err();
        assert_eq!(
            wrong,
            SecretError::WrongPassphrase {
                trustee: 3,
                what: "share"
            }
        );
        assert_eq!(
            wrong.to_string(),
            "wrong passphrase for trustee 3's share file"
        );
    }

    #[test]
    fn standard_parameters_work() {
        let bytes = seal(&label(), b"x", &pass("pp"), KdfParams::STANDARD, &mut OsRng).unwrap();
        assert!(String::from_utf8(bytes.clone()).unwrap().contains("65536"));
        let opened = open("f", &bytes, &label(), KdfFloor::Production, &pass("pp")).unwrap();
        assert_eq!(&opened[..], b"x");
    }

    #[test]
    fn every_field_is_bound() {
        let bytes = seal(&label(), b"secret!", &pass("pw"), FAST, &mut OsRng).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        // A changed public field: refused as a mismatch or as a failed open, never accepted.
        let edits: Vec<(&str, serde_json::Value)> = vec![
            ("/trustee", 4.into()),
            ("/election_id", "RK2028".into()),
            ("/kind", "ceremony-key".into()),
            ("/ceremony_context", hex::encode([6u8; 32]).into()),
            ("/kdf/iterations", 2.into()),
            ("/kdf/memory_kib", 128.into()),
            ("/kdf/salt", hex::encode([0u8; 16]).into()),
            ("/nonce", hex::encode([0u8; 12]).into()),
        ];
        for (pointer, value) in edits {
            let mut j = json.clone();
            *j.pointer_mut(pointer).unwrap() = value;
            let b = serde_json::to_vec(&j).unwrap();
            assert!(
                open_fast("f", &b, &label(), &pass("pw")).is_err(),
                "{pointer}"
            );
        }
        // Expected label differs from the file's.
        let mut other = label();
        other.trustee = 2;
        assert_eq!(
            open_fast("f", &bytes, &other, &pass("pw"))
                .unwrap_err()
                .code()
                .unwrap(),
            "ceremony.mismatch"
        );
        // Ciphertext bit flip looks like a wrong passphrase.
        let mut j = json.clone();
        let ct = j["ciphertext"].as_str().unwrap().to_owned();
        let mut raw = hex::decode(ct).unwrap();
        raw[0] ^= 1;
        j["ciphertext"] = hex::encode(raw).into();
        let b = serde_json::to_vec(&j).unwrap();
        assert_eq!(
            open_fast("f", &b, &label(), &pass("pw"))
                .unwrap_err()
                .code()
                .unwrap(),
            "ceremony.wrong_passphrase"
        );
        // Absurd cost parameters are refused before any work is done.
        let mut j = json;
        j["kdf"]["memory_kib"] = u32::MAX.into();
        let b = serde_json::to_vec(&j).unwrap();
        assert_eq!(
            open_fast("f", &b, &label(), &pass("pw"))
                .unwrap_err()
                .code()
                .unwrap(),
            "ceremony.malformed_file"
        );
        assert_eq!(
            open_fast("f", b"{}", &label(), &pass("pw"))
                .unwrap_err()
                .code()
                .unwrap(),
            "ceremony.malformed_file"
        );
    }
}
