use ivote_crypto::contest::EncryptionSeed;
use ivote_crypto::{PublicKey, Scalar, G};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::*;
use crate::manifest::WindowCheck;

const EXAMPLE_MANIFEST: &str = include_str!("../../../docs/examples/manifest.toml");
const CTX: ContextHash = ContextHash([5; 32]);

fn shapes() -> BallotShapes {
    let m = ElectionManifest::from_toml(EXAMPLE_MANIFEST, WindowCheck::AllowPast).unwrap();
    BallotShapes::from_manifest(&m).unwrap()
}

fn key() -> PublicKey {
    PublicKey::from_point(G * Scalar::from(11u64)).unwrap()
}

fn tartu(rng: &mut StdRng, nonce: u8) -> Ballot {
    let seed = EncryptionSeed::random(rng);
    Ballot::encrypt(
        &CTX,
        &key(),
        &shapes(),
        "tartu",
        [nonce; 32],
        &[vec![0, 1], vec![1, 0, 1]],
        &seed,
        rng,
    )
    .unwrap()
}

#[test]
fn round_trip_hash_and_check() {
    let mut rng = StdRng::seed_from_u64(1);
    let shapes = shapes();
    let ballot = tartu(&mut rng, 1);
    let bytes = ballot.to_bytes();
    let decoded = Ballot::from_bytes(&bytes).unwrap();
    assert_eq!(decoded, ballot);
    assert_eq!(decoded.hash(), ballot_hash(&bytes));
    let checked = decoded.check(&CTX, &key(), &shapes, &mut rng).unwrap();
    assert_eq!(checked.contests().count(), 2);
    assert_eq!(checked.ciphertexts().count(), 5);
    assert_eq!(
        BallotHash::from_hex(&ballot.hash().to_hex()),
        Some(ballot.hash())
    );

    // Cumulative (points 0..=3 each, Bulletproofs) and score contests (0..=4 each).
    let seed = EncryptionSeed::random(&mut rng);
    let parnu = Ballot::encrypt(
        &CTX,
        &key(),
        &shapes,
        "parnu",
        [2; 32],
        &[vec![3, 2, 0], vec![4, 1]],
        &seed,
        &mut rng,
    )
    .unwrap();
    parnu.check(&CTX, &key(), &shapes, &mut rng).unwrap();
}

#[test]
fn truncated_extended_and_oversized_layouts_are_refused() {
    let mut rng = StdRng::seed_from_u64(2);
    let bytes = tartu(&mut rng, 1).to_bytes();
    for cut in [0, 31, 64, 70, bytes.len() - 1] {
        let err = Ballot::from_bytes(&bytes[..cut]).unwrap_err();
        assert_eq!(err.code(), "ballot.malformed");
    }
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(
        Ballot::from_bytes(&long).unwrap_err().code(),
        "ballot.malformed"
    );
    let mut many = Writer::new();
    many.fixed(&[0; 64]).bytes(b"tartu").u32(1000);
    assert!(Ballot::from_bytes(&many.finish())
        .unwrap_err()
        .to_string()
        .contains("1000 contests"));
}

#[test]
fn selections_are_the_decoded_ciphertexts_with_the_same_checks() {
    let mut rng = StdRng::seed_from_u64(4);
    let shapes = shapes();
    let ballot = tartu(&mut rng, 1);
    let decoded: Vec<[u8; 64]> = ballot
        .decode(&CTX, &shapes)
        .unwrap()
        .ciphertexts()
        .collect();
    let read: Vec<[u8; 64]> = ballot
        .selections(&CTX, &shapes)
        .unwrap()
        .iter()
        .map(|c| c.to_bytes())
        .collect();
    assert_eq!(read, decoded);

    let code = |b: &Ballot| b.selections(&CTX, &shapes).unwrap_err().code();
    let mut b = ballot.clone();
    b.context = ContextHash([6; 32]);
    assert_eq!(code(&b), "ballot.wrong_election");
    let mut b = ballot.clone();
    b.district = "narva".into();
    assert_eq!(code(&b), "ballot.unknown_district");
    let mut b = ballot.clone();
    b.contests.swap(0, 1);
    assert_eq!(code(&b), "ballot.contests");
    let mut b = ballot.clone();
    b.contests[1].encrypted.pop();
    assert_eq!(code(&b), "ballot.bad_contest");
}

#[test]
fn every_ballot_rule_has_its_error() {
    let mut rng = StdRng::seed_from_u64(3);
    let shapes = shapes();
    let ballot = tartu(&mut rng, 1);
    let check = |b: &Ballot, rng: &mut StdRng| b.check(&CTX, &key(), &shapes, rng).unwrap_err();

    let mut b = ballot.clone();
    b.context = ContextHash([6; 32]);
    assert_eq!(check(&b, &mut rng).code(), "ballot.wrong_election");

    let mut b = ballot.clone();
    b.district = "narva".into();
    assert_eq!(check(&b, &mut rng).code(), "ballot.unknown_district");

    let mut b = ballot.clone();
    b.contests.swap(0, 1);
    assert_eq!(check(&b, &mut rng).code(), "ballot.contests");
    let mut b = ballot.clone();
    b.contests.pop();
    assert_eq!(check(&b, &mut rng).code(), "ballot.contests");
    let mut b = ballot.clone();
    b.contests.push(b.contests[0].clone());
    assert_eq!(check(&b, &mut rng).code(), "ballot.contests");

    let mut b = ballot.clone();
    b.contests[1].encrypted.pop();
    assert_eq!(check(&b, &mut rng).code(), "ballot.bad_contest");

    // Another district's name on proofs made for tartu: the positions differ.
    let mut b = ballot.clone();
    b.nonce = [9; 32];
    assert_eq!(
        check(&b, &mut rng),
        BallotError::InvalidProof(vec![
            "parliament-tartu".into(),
            "city-projects-tartu".into()
        ])
    );

    // The contest of one ballot pasted into another (same nonce otherwise would be valid).
    let other = tartu(&mut rng, 2);
    let mut b = ballot.clone();
    b.contests[1] = other.contests[1].clone();
    assert_eq!(
        check(&b, &mut rng),
        BallotError::InvalidProof(vec!["city-projects-tartu".into()])
    );
}

#[test]
fn invalid_choices_cannot_be_encrypted_and_batches_name_bad_ballots() {
    let mut rng = StdRng::seed_from_u64(4);
    let shapes = shapes();
    let seed = EncryptionSeed::random(&mut rng);
    for choices in [
        vec![vec![1, 1], vec![1, 0, 0]],
        vec![vec![2, 0], vec![1, 0, 0]],
        vec![vec![1, 0]],
    ] {
        let err = Ballot::encrypt(
            &CTX,
            &key(),
            &shapes,
            "tartu",
            [1; 32],
            &choices,
            &seed,
            &mut rng,
        )
        .unwrap_err();
        assert_eq!(err.code(), "ballot.bad_choices");
    }
    let ballots: Vec<Ballot> = (0..4).map(|i| tartu(&mut rng, i)).collect();
    let mut tampered = ballots.clone();
    tampered[2].nonce = [77; 32];
    let decoded: Vec<DecodedBallot<'_>> = tampered
        .iter()
        .map(|b| b.decode(&CTX, &shapes).unwrap())
        .collect();
    let refs: Vec<&DecodedBallot<'_>> = decoded.iter().collect();
    let bad = verify_ballots(&CTX, &key(), &refs, &mut rng);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].0, 2);
}
