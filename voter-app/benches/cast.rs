//! Encrypt + prove + sign one ballot of an 81-candidate plurality contest (exactly one of
//! 81), as `voter-app vote` does before submitting (`Submission::seal`). Target: at most 15 ms
//! (release, one core). Run: `cargo bench -p voter-app`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use criterion::{criterion_group, criterion_main, Criterion};
use ivote_crypto::contest::EncryptionSeed;
use ivote_crypto::{PublicKey, Scalar, G};
use ivote_eid::insecure_demo_pki::{DemoCa, VoterSpec};
use ivote_eid::KeyAlgorithm;
use ivote_protocol::ballot::BallotShapes;
use ivote_protocol::challenge::{Purpose, SignedChallenge};
use ivote_protocol::submission::{SealFor, Submission};
use ivote_protocol::{ContextHash, ElectionManifest};
use rand::rngs::OsRng;

/// One district (`d1`) of one plurality contest of `candidates` candidates (the test kit's
/// generated manifest).
fn manifest(candidates: usize) -> ElectionManifest {
    use ivote_testkit::manifest::{load, plurality, EXAMPLE_ENDS, EXAMPLE_STARTS};
    load(&plurality("bench", &[candidates], EXAMPLE_STARTS, EXAMPLE_ENDS).unwrap())
}

fn cast(c: &mut Criterion) {
    let shapes = BallotShapes::from_manifest(&manifest(81)).unwrap();
    let joint_key = PublicKey::from_point(G * Scalar::from(1234u64)).unwrap();
    let context = ContextHash([42; 32]);
    let now = 1_800_000_000;
    let ca = DemoCa::new(
        "Bench CA",
        KeyAlgorithm::Ed25519,
        now - 86_400,
        now + 86_400,
    )
    .unwrap();
    let challenge = SignedChallenge::sign(
        &ed25519_dalek::SigningKey::from_bytes(&[9; 32]),
        context,
        [7; 32],
        now,
        now + 300,
        Purpose::Vote,
    );
    for (name, alg) in [
        ("ed25519", KeyAlgorithm::Ed25519),
        ("ecdsa-p384", KeyAlgorithm::EcdsaP384),
    ] {
        let voter = ca
            .issue(&VoterSpec::new(
                "38001085718",
                alg,
                now - 86_400,
                now + 86_400,
            ))
            .unwrap();
        let key = voter.key().unwrap();
        let mut values = vec![vec![0u64; 81]];
        values[0][40] = 1;
        c.bench_function(&format!("seal an 81-candidate ballot ({name})"), |b| {
            b.iter(|| {
                let seed = EncryptionSeed::random(&mut OsRng);
                Submission::seal(
                    SealFor {
                        context: &context,
                        joint_key: &joint_key,
                        shapes: &shapes,
                        district: "d1",
                        challenge: &challenge,
                    },
                    &values,
                    &seed,
                    voter.cert_der(),
                    |m: &[u8]| key.sign(m),
                    &mut OsRng,
                )
                .unwrap()
            })
        });
    }
}

criterion_group!(benches, cast);
criterion_main!(benches);
