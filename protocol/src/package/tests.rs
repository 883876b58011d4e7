use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use rand::SeedableRng;

use super::*;
use crate::ceremony::test_support::honest_ceremony;
use crate::manifest::WindowCheck;

const EXAMPLE_MANIFEST: &str = include_str!("../../../docs/examples/manifest.toml");
/// The voter roll file whose hash the example package carries.
const ROLL: &[u8] = b"id_code,district,name\n38001085718,tallinn,Mari Maasikas\n";

fn officials() -> SigningKey {
    SigningKey::from_bytes(&[1; 32])
}

/// A 2-of-3 ceremony for `election_id`, the same on every run (seeded), as
/// (verified ceremony, ceremony.json, joint-key.hex).
fn ceremony_files(election_id: &str) -> (VerifiedCeremony, Vec<u8>, Vec<u8>) {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let (c, transcript) = honest_ceremony(election_id, 3, 2, &mut rng);
    let joint = hex_file(&c.joint_key.to_bytes());
    (c, transcript, joint)
}

/// The example election's ceremony (computed once: it verifies proofs).
fn example_ceremony() -> &'static (VerifiedCeremony, Vec<u8>, Vec<u8>) {
    static C: OnceLock<(VerifiedCeremony, Vec<u8>, Vec<u8>)> = OnceLock::new();
    C.get_or_init(|| ceremony_files("example-2027"))
}

/// The example package: the example manifest, a real ceremony, and fixed stand-ins for the
/// files other components check (the package layer does not interpret PEM).
fn content() -> PackageFiles {
    let manifest = ElectionManifest::from_toml(EXAMPLE_MANIFEST, WindowCheck::AllowPast).unwrap();
    let (_, transcript, joint_key) = example_ceremony();
    let collector = SigningKey::from_bytes(&[2; 32]).verifying_key();
    PackageFiles::from([
        (MANIFEST_FILE.into(), manifest.canonical_bytes().unwrap()),
        (ROLL_HASH_FILE.into(), hex_file(&RollHash::of_file(ROLL).0)),
        (TRUST_ANCHORS_FILE.into(), b"test trust anchors\n".to_vec()),
        (CRL_FILE.into(), b"test crl\n".to_vec()),
        (CEREMONY_FILE.into(), transcript.clone()),
        (JOINT_KEY_FILE.into(), joint_key.clone()),
        (COLLECTOR_KEY_FILE.into(), hex_file(collector.as_bytes())),
    ])
}

fn package() -> PackageFiles {
    build(content(), &officials()).unwrap()
}

fn load(files: &PackageFiles) -> Result<ElectionPackage, PackageError> {
    verify_and_load(
        files,
        PackageTrust::OfficialsKey(&officials().verifying_key()),
    )
}

#[test]
fn example_package_loads() {
    let files = package();
    let p = load(&files).unwrap();
    assert_eq!(p.manifest.election_id().as_str(), "example-2027");
    assert_eq!(p.index.entries().len(), 7);
    assert_eq!(p.crl_pem.as_deref(), Some(&b"test crl\n"[..]));
    assert_eq!(
        p.collector_key,
        SigningKey::from_bytes(&[2; 32]).verifying_key()
    );
    let (c, _, _) = example_ceremony();
    assert_eq!(p.joint_key, *c.joint_key.point());
    assert_eq!((p.ceremony.params().n(), p.ceremony.params().t()), (3, 2));
    assert_eq!(p.ceremony.verification_keys, c.verification_keys);
    let pinned = verify_and_load(&files, PackageTrust::PinnedContext(&p.context_hash)).unwrap();
    assert_eq!(pinned.context_hash, p.context_hash);
}

#[test]
fn voter_roll_must_be_the_published_file_and_valid() {
    let p = load(&package()).unwrap();
    let roll = p.voter_roll(ROLL, crate::Country::EE).unwrap();
    assert_eq!(roll.len(), 1);
    assert_eq!(roll.hash(), p.roll_hash);

    let mut other = ROLL.to_vec();
    other.extend_from_slice(b"49403136526,tallinn,Jaan Tamm\n");
    match p.voter_roll(&other, crate::Country::EE) {
        Err(e @ crate::roll::PackageRollError::NotPublished { .. }) => {
            let message = e.to_string();
            assert!(message.contains(&p.roll_hash.to_hex()), "{message}");
            assert!(
                message.contains(&RollHash::of_file(&other).to_hex()),
                "{message}"
            );
        }
        other => panic!("expected NotPublished, got {other:?}"),
    }
}

#[test]
fn a_published_but_invalid_roll_is_refused_line_by_line() {
    let bad = b"id_code,district,name\n38001085718,nowhere,Mari Maasikas\n";
    let mut files = content();
    files.insert(ROLL_HASH_FILE.into(), hex_file(&RollHash::of_file(bad).0));
    let p = load(&build(files, &officials()).unwrap()).unwrap();
    match p.voter_roll(bad, crate::Country::EE) {
        Err(crate::roll::PackageRollError::Invalid(errors)) => {
            assert_eq!(errors.0.len(), 1);
            assert_eq!(errors.0[0].line, Some(2));
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn context_hash_is_frozen() {
    let p = load(&package()).unwrap();
    assert_eq!(
        p.context_hash.to_hex(),
        "f5ffa10db3f562b9ef7c0dc83e05c294176afcbfaec90a6482d4e8238830f2ba"
    );
}

#[test]
fn context_hash_layout() {
    // Recompute by hand from the spec: label, then per file (sorted) u32 BE name length,
    // name, SHA-256 of the file.
    let files = content();
    let mut layout = b"ivote-v1/context".to_vec();
    for (name, bytes) in &files {
        layout.extend_from_slice(&(name.len() as u32).to_be_bytes());
        layout.extend_from_slice(name.as_bytes());
        layout.extend_from_slice(&sha2::Sha256::digest(bytes));
    }
    let expected: [u8; 32] = sha2::Sha256::digest(&layout).into();
    assert_eq!(
        PackageIndex::from_files(&files).unwrap().context_hash().0,
        expected
    );
}

#[test]
fn crl_is_optional() {
    let mut files = content();
    files.remove(CRL_FILE);
    let p = load(&build(files, &officials()).unwrap()).unwrap();
    assert_eq!(p.crl_pem, None);
}

#[test]
fn altering_any_file_after_signing_is_refused() {
    let files = package();
    for name in files.keys() {
        let mut altered = files.clone();
        altered.get_mut(name).unwrap().push(b' ');
        let err = load(&altered).unwrap_err();
        let expected = match name.as_str() {
            INDEX_FILE => "package.bad_signature",
            SIGNATURE_FILE => "package.bad_signature_file",
            _ => "package.hash_mismatch",
        };
        assert_eq!(err.code(), expected, "{name}: {err}");
        if expected == "package.hash_mismatch" {
            assert!(err.to_string().contains(&format!(
                "the file `{name}` was changed after the package was signed"
            )));
        }
        // A pinned context hash catches it too (except a changed signature, which it does not need).
        let pinned = load(&files).unwrap().context_hash;
        let r = verify_and_load(&altered, PackageTrust::PinnedContext(&pinned));
        assert_eq!(r.is_err(), name != SIGNATURE_FILE, "{name}");
    }
}

#[test]
fn flipped_signature_bit_is_refused() {
    let mut files = package();
    let sig = files.get_mut(SIGNATURE_FILE).unwrap();
    sig[0] = if sig[0] == b'0' { b'1' } else { b'0' };
    assert_eq!(load(&files).unwrap_err().code(), "package.bad_signature");
}

#[test]
fn missing_file_is_refused() {
    for name in [
        MANIFEST_FILE,
        CRL_FILE,
        INDEX_FILE,
        SIGNATURE_FILE,
        CEREMONY_FILE,
    ] {
        let mut files = package();
        files.remove(name);
        let err = load(&files).unwrap_err();
        assert_eq!(err, PackageError::MissingFile(name.into()), "{name}");
        assert_eq!(err.code(), "package.missing_file");
    }
}

#[test]
fn building_without_a_required_file_is_refused() {
    let mut files = content();
    files.remove(JOINT_KEY_FILE);
    assert_eq!(
        build(files, &officials()).unwrap_err(),
        PackageError::MissingFile(JOINT_KEY_FILE.into())
    );
}

#[test]
fn extra_file_is_refused() {
    let mut files = package();
    files.insert("notes.txt".into(), b"hello".to_vec());
    let err = load(&files).unwrap_err();
    assert_eq!(err, PackageError::ExtraFile("notes.txt".into()));
    assert_eq!(err.code(), "package.extra_file");
    // A known name that the index does not list is extra too.
    let mut files = content();
    files.remove(CRL_FILE);
    let mut files = build(files, &officials()).unwrap();
    files.insert(CRL_FILE.into(), b"late crl".to_vec());
    assert_eq!(
        load(&files).unwrap_err(),
        PackageError::ExtraFile(CRL_FILE.into())
    );
    assert_eq!(
        build(PackageFiles::from([("x".into(), vec![])]), &officials())
            .unwrap_err()
            .code(),
        "package.extra_file"
    );
}

#[test]
fn wrong_officials_key_is_refused() {
    let files = package();
    let other = SigningKey::from_bytes(&[3; 32]).verifying_key();
    let err = verify_and_load(&files, PackageTrust::OfficialsKey(&other)).unwrap_err();
    assert_eq!(err.code(), "package.bad_signature");
    let wrong = ContextHash([0; 32]);
    let err = verify_and_load(&files, PackageTrust::PinnedContext(&wrong)).unwrap_err();
    assert_eq!(err.code(), "package.context_mismatch");
}

/// Re-signs `files` after replacing one file, to reach the checks behind the signature.
fn resigned(name: &str, bytes: &[u8]) -> Result<ElectionPackage, PackageError> {
    let mut files = content();
    files.insert(name.into(), bytes.to_vec());
    let index = PackageIndex::from_files(&files).unwrap();
    sign(&index, &officials()).insert_into(&mut files);
    load(&files)
}

#[test]
fn content_checks_behind_a_valid_signature() {
    let code = |name: &str, bytes: &[u8]| resigned(name, bytes).unwrap_err().code();
    assert_eq!(
        code(MANIFEST_FILE, b"election_id = 1"),
        "package.bad_manifest"
    );
    assert_eq!(code(ROLL_HASH_FILE, b"abc\n"), "package.bad_roll_hash");
    assert_eq!(
        code(ROLL_HASH_FILE, hex::encode_upper([0xab; 32]).as_bytes()),
        "package.bad_roll_hash"
    );
    assert_eq!(
        code(JOINT_KEY_FILE, &hex_file(&[0; 32])),
        "package.bad_joint_key"
    ); // identity
    assert_eq!(
        code(JOINT_KEY_FILE, &hex_file(&[0xff; 32])),
        "package.bad_joint_key"
    );
    assert_eq!(
        code(COLLECTOR_KEY_FILE, b"zz\n"),
        "package.bad_collector_key"
    );
}

#[test]
fn ceremony_checks_behind_a_valid_signature() {
    let code = |name: &str, bytes: &[u8]| resigned(name, bytes).unwrap_err().code();
    // A valid point that is not the ceremony's joint key.
    let other = (ivote_crypto::G * ivote_crypto::Scalar::from(7u64)).compress();
    assert_eq!(
        code(JOINT_KEY_FILE, &hex_file(other.as_bytes())),
        "package.joint_key_mismatch"
    );
    let (_, transcript, _) = example_ceremony();
    let text = String::from_utf8(transcript.clone()).unwrap();
    let altered = text.replacen("\"threshold\": 2", "\"threshold\": 3", 1);
    assert_ne!(altered, text);
    let err = resigned(CEREMONY_FILE, altered.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "package.bad_ceremony", "{err}");
    assert_eq!(code(CEREMONY_FILE, b"{}"), "package.bad_ceremony");
    // Another election's ceremony (with its own joint key).
    let (_, other_t, other_j) = ceremony_files("other-2027");
    let mut files = content();
    files.insert(CEREMONY_FILE.into(), other_t);
    files.insert(JOINT_KEY_FILE.into(), other_j);
    let index = PackageIndex::from_files(&files).unwrap();
    sign(&index, &officials()).insert_into(&mut files);
    let err = load(&files).unwrap_err();
    assert_eq!(err.code(), "package.ceremony_election_mismatch", "{err}");
}

#[test]
fn index_format_is_checked() {
    let bad = |json: &str| PackageIndex::parse(json.as_bytes()).unwrap_err().code();
    let index = PackageIndex::from_files(&content()).unwrap();
    let text = String::from_utf8(index.to_bytes()).unwrap();
    assert_eq!(PackageIndex::parse(text.as_bytes()).unwrap(), index);
    assert_eq!(
        bad(&text.replace("ivote-package-v1", "v2")),
        "package.bad_index"
    );
    assert_eq!(
        bad(&text.replace("\"format\"", "\"extra\": 1, \"format\"")),
        "package.bad_index"
    );
    assert_eq!(
        bad(&text.replace("crl.pem", "zzz.pem")),
        "package.bad_index"
    );
    assert_eq!(
        bad(&text.replace("ceremony.json", "trust-anchors.pem")),
        "package.bad_index"
    ); // order
    assert_eq!(bad("not json"), "package.bad_index");
    assert_eq!(bad(&text.replace(",\n", ",\r\n")), "package.bad_index"); // layout
}

#[test]
fn index_file_bytes() {
    let index = PackageIndex::from_files(&content()).unwrap();
    let text = String::from_utf8(index.to_bytes()).unwrap();
    assert!(text.starts_with("{\n  \"format\": \"ivote-package-v1\",\n  \"files\": [\n    { \"name\": \"ceremony.json\", \"sha256\": \""), "{text}");
    assert!(text.ends_with("\" }\n  ]\n}\n"));
}
