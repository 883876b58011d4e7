//! Criterion benchmarks of the crypto core, one core.
//!
//! Run: `cargo bench -p ivote-crypto` (all), or e.g. `cargo bench -p ivote-crypto -- contest`.
//! The figures, the machine and the command are recorded in `docs/BENCHMARKS.md`.

// A benchmark is a test harness: a failed setup should stop it loudly.
#![allow(clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ivote_crypto::contest::{
    verify_contests, verify_contests_and_selections, ContestShape, ContestToVerify,
    EncryptedContest, EncryptionSeed, ValueRange,
};
use ivote_crypto::dlog::DlogTable;
use ivote_crypto::group::g_table;
use ivote_crypto::proofs::cds_range::CdsRangeProof;
use ivote_crypto::proofs::dleq::TallyPosition;
use ivote_crypto::proofs::selection::{
    verify_selections, Selected, SelectionProof, SelectionStatement, Selector,
};
use ivote_crypto::proofs::{RangeStatement, RangeSubject};
use ivote_crypto::threshold::decryption::DecryptionShare;
use ivote_crypto::threshold::dkg::{
    CommitmentSet, KeyShareOutcome, SecretPolynomial, ThresholdParams,
};
use ivote_crypto::{Ciphertext, ContestPosition, ContextHash, Nonce, PublicKey, Scalar, G};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

const CTX: ContextHash = ContextHash([42; 32]);

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(2026)
}

fn key(rng: &mut ChaCha20Rng) -> PublicKey {
    PublicKey::from_point(&Scalar::random(rng) * g_table()).expect("non-identity key")
}

fn position(i: u32) -> ContestPosition {
    let mut nonce = [0u8; 32];
    nonce[..4].copy_from_slice(&i.to_be_bytes());
    ContestPosition {
        nonce,
        district: "d01".into(),
        contest: "parliament".into(),
    }
}

fn one_hot(k: usize, choice: usize) -> Vec<u64> {
    (0..k).map(|i| u64::from(i == choice)).collect()
}

/// One 0/1 selection: encrypt + prove, verify one by one, verify in batches of 1,024.
fn selection(c: &mut Criterion) {
    let mut rng = rng();
    let pk = key(&mut rng);
    let pos = position(0);
    let statement = |ciphertext| RangeStatement {
        public_key: &pk,
        position: &pos,
        subject: RangeSubject::Selection(0),
        lo: 0,
        hi: 1,
        ciphertext,
    };
    let mut g = c.benchmark_group("selection_0_1");
    g.bench_function("encrypt_and_prove", |b| {
        b.iter(|| {
            let nonce = Nonce::random(&mut rng);
            let ct = Ciphertext::encrypt(&pk, 1, &nonce);
            CdsRangeProof::prove(&CTX, &statement(ct), 1, &nonce, &mut rng).expect("prove")
        })
    });

    const BATCH: usize = 1024;
    let mut prove_rng = self::rng();
    let items: Vec<(Ciphertext, CdsRangeProof)> = (0..BATCH)
        .map(|i| {
            let v = (i % 2) as u64;
            let nonce = Nonce::random(&mut prove_rng);
            let ct = Ciphertext::encrypt(&pk, v, &nonce);
            let proof = CdsRangeProof::prove(&CTX, &statement(ct), v, &nonce, &mut prove_rng)
                .expect("prove");
            (ct, proof)
        })
        .collect();
    let bytes: Vec<Vec<u8>> = items.iter().map(|(_, p)| p.to_bytes()).collect();
    g.bench_function("decode_proof", |b| {
        b.iter(|| CdsRangeProof::from_bytes(&bytes[0], 2).expect("decode"))
    });
    g.bench_function("verify_one", |b| {
        let (ct, proof) = &items[0];
        b.iter(|| proof.verify(&CTX, &statement(*ct)).expect("valid"))
    });
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("verify_batch_1024", |b| {
        let batch: Vec<(RangeStatement<'_>, &CdsRangeProof)> =
            items.iter().map(|(ct, p)| (statement(*ct), p)).collect();
        b.iter(|| CdsRangeProof::verify_batch(&CTX, &batch, &mut rng).expect("valid"))
    });
    g.finish();
}

/// Whole 1-of-n contests: 5 and 81 candidates (Estonia 2023: ~81 per district).
fn plurality_contest(c: &mut Criterion) {
    let mut rng = rng();
    let pk = key(&mut rng);
    for k in [5usize, 81] {
        let shape =
            ContestShape::zero_one(k, ValueRange::new(1, 1).expect("range")).expect("shape");
        let mut g = c.benchmark_group(format!("plurality_{k}"));
        g.sample_size(20);
        let pos = position(1);
        g.bench_function("create", |b| {
            b.iter(|| {
                let seed = EncryptionSeed::random(&mut rng);
                EncryptedContest::encrypt(&CTX, &pk, &pos, &shape, &one_hot(k, 1), &seed, &mut rng)
                    .expect("encrypt")
            })
        });
        const BALLOTS: usize = 64;
        let positions: Vec<ContestPosition> = (0..BALLOTS as u32).map(position).collect();
        let contests: Vec<EncryptedContest> = positions
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let seed = EncryptionSeed::random(&mut rng);
                EncryptedContest::encrypt(&CTX, &pk, p, &shape, &one_hot(k, i % k), &seed, &mut rng)
                    .expect("encrypt")
            })
            .collect();
        let encoded: Vec<Vec<u8>> = contests.iter().map(EncryptedContest::to_bytes).collect();
        println!("plurality_{k}: {} bytes per contest", encoded[0].len());
        g.bench_function("decode", |b| {
            b.iter(|| EncryptedContest::from_bytes(&encoded[0], &shape).expect("decode"))
        });
        g.bench_function("verify_one", |b| {
            b.iter(|| {
                contests[0]
                    .verify(&CTX, &pk, &positions[0], &shape, &mut rng)
                    .expect("valid")
            })
        });
        g.throughput(Throughput::Elements(BALLOTS as u64));
        g.bench_function("verify_batch_64", |b| {
            let items: Vec<ContestToVerify<'_>> = contests
                .iter()
                .zip(&positions)
                .map(|(contest, position)| ContestToVerify {
                    position,
                    shape: &shape,
                    contest,
                })
                .collect();
            b.iter(|| assert!(verify_contests(&CTX, &pk, &items, &mut rng).is_empty()))
        });
        g.finish();
    }
}

/// The tally's selection proof at the national shape (81 candidates + blank: m = 82): make
/// `C`, `F` and the proof; decode `C` and the proof; verify one by one; verify in batches of
/// 64 alone, and with the ballots' own validity proofs in the same batch (the verifier's
/// case), against those validity proofs alone, all in the same run.
fn selection_proof(c: &mut Criterion) {
    const M: usize = 82;
    const BATCH: usize = 64;
    let mut rng = rng();
    let pk = key(&mut rng);
    let shape = ContestShape::zero_one(M, ValueRange::new(1, 1).expect("range")).expect("shape");
    let positions: Vec<ContestPosition> = (0..BATCH as u32).map(position).collect();
    // The ballots as a verifier has them: decoded from bytes.
    let contests: Vec<EncryptedContest> = positions
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let seed = EncryptionSeed::random(&mut rng);
            let contest = EncryptedContest::encrypt(
                &CTX,
                &pk,
                p,
                &shape,
                &one_hot(M, i % M),
                &seed,
                &mut rng,
            )
            .expect("encrypt");
            EncryptedContest::from_bytes(&contest.to_bytes(), &shape).expect("decode")
        })
        .collect();
    let selector = Selector::new(&CTX, &pk);
    let mut g = c.benchmark_group(format!("selection_proof_{M}"));
    g.sample_size(20);
    let mut counted = false;
    g.bench_function("select", |b| {
        b.iter(|| {
            counted = !counted;
            selector
                .select(contests[0].selections(), counted, &mut rng)
                .expect("select")
        })
    });
    let selected: Vec<Selected> = contests
        .iter()
        .enumerate()
        .map(|(i, contest)| {
            selector
                .select(contest.selections(), i % 2 == 0, &mut rng)
                .expect("select")
        })
        .collect();
    let encoded: (Vec<u8>, Vec<u8>) = (
        selected[0]
            .selected
            .iter()
            .chain(std::iter::once(&selected[0].flag))
            .flat_map(|ct| ct.to_bytes())
            .collect(),
        selected[0].proof.to_bytes().to_vec(),
    );
    println!(
        "selection proof, m = {M}: {} bytes of C and F, {} bytes of proof",
        encoded.0.len(),
        encoded.1.len()
    );
    g.bench_function("decode_selected_and_proof", |b| {
        b.iter(|| {
            let cts: Vec<Ciphertext> = encoded
                .0
                .chunks_exact(64)
                .map(|c| Ciphertext::from_bytes(c).expect("ciphertext"))
                .collect();
            (cts, SelectionProof::from_bytes(&encoded.1).expect("proof"))
        })
    });
    g.bench_function("verify_one", |b| {
        let statement = selected[0].statement(&pk, contests[0].selections());
        b.iter(|| selected[0].proof.verify(&CTX, &statement).expect("valid"))
    });
    let items: Vec<(SelectionStatement<'_>, &SelectionProof)> = selected
        .iter()
        .zip(&contests)
        .map(|(s, contest)| (s.statement(&pk, contest.selections()), &s.proof))
        .collect();
    let validity: Vec<ContestToVerify<'_>> = contests
        .iter()
        .zip(&positions)
        .map(|(contest, position)| ContestToVerify {
            position,
            shape: &shape,
            contest,
        })
        .collect();
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function(format!("verify_batch_{BATCH}"), |b| {
        b.iter(|| verify_selections(&CTX, &items, &mut rng).expect("valid"))
    });
    g.bench_function(format!("validity_only_batch_{BATCH}"), |b| {
        b.iter(|| assert!(verify_contests(&CTX, &pk, &validity, &mut rng).is_empty()))
    });
    g.bench_function(format!("validity_and_selection_batch_{BATCH}"), |b| {
        b.iter(|| {
            let failures = verify_contests_and_selections(&CTX, &pk, &validity, &items, &mut rng);
            assert!(failures.contests.is_empty() && failures.selections.is_empty());
        })
    });
    g.finish();
}

/// A score contest, 5 candidates scored 0..=10, total at most 20: with the rule's choice
/// (Bulletproofs) and, for comparison, with one CDS proof per range (11 and 21 branches).
fn score_contest(c: &mut Criterion) {
    let mut rng = rng();
    let pk = key(&mut rng);
    let pos = position(2);
    let values = [10u64, 0, 3, 7, 0];
    let mut g = c.benchmark_group("score_5x0..10_sum20");
    g.sample_size(10);

    let shape = ContestShape::new(
        vec![ValueRange::new(0, 10).expect("range"); 5],
        ValueRange::new(0, 20).expect("range"),
    )
    .expect("shape");
    let seed = EncryptionSeed::random(&mut rng);
    let contest = EncryptedContest::encrypt(&CTX, &pk, &pos, &shape, &values, &seed, &mut rng)
        .expect("encrypt");
    println!(
        "score contest, Bulletproofs: {} bytes",
        contest.to_bytes().len()
    );
    g.bench_function("bulletproofs_create", |b| {
        b.iter(|| {
            EncryptedContest::encrypt(&CTX, &pk, &pos, &shape, &values, &seed, &mut rng)
                .expect("encrypt")
        })
    });
    g.bench_function("bulletproofs_verify", |b| {
        b.iter(|| {
            contest
                .verify(&CTX, &pk, &pos, &shape, &mut rng)
                .expect("valid")
        })
    });

    // The same contest with CDS proofs throughout.
    let nonces: Vec<Nonce> = (0..5).map(|_| Nonce::random(&mut rng)).collect();
    let cts: Vec<Ciphertext> = values
        .iter()
        .zip(&nonces)
        .map(|(v, r)| Ciphertext::encrypt(&pk, *v, r))
        .collect();
    let sum_ct: Ciphertext = cts.iter().copied().sum();
    let sum_nonce = Nonce::from_scalar(nonces.iter().map(|n| *n.scalar()).sum());
    let statements: Vec<RangeStatement<'_>> = (0u32..)
        .zip(&cts)
        .map(|(i, ct)| RangeStatement {
            public_key: &pk,
            position: &pos,
            subject: RangeSubject::Selection(i),
            lo: 0,
            hi: 10,
            ciphertext: *ct,
        })
        .chain(std::iter::once(RangeStatement {
            public_key: &pk,
            position: &pos,
            subject: RangeSubject::Sum,
            lo: 0,
            hi: 20,
            ciphertext: sum_ct,
        }))
        .collect();
    let witnesses: Vec<(u64, &Nonce)> = values
        .iter()
        .copied()
        .zip(&nonces)
        .chain(std::iter::once((values.iter().sum(), &sum_nonce)))
        .collect();
    let prove_all = |rng: &mut ChaCha20Rng| -> Vec<CdsRangeProof> {
        statements
            .iter()
            .zip(&witnesses)
            .map(|(s, (v, r))| CdsRangeProof::prove(&CTX, s, *v, r, rng).expect("prove"))
            .collect()
    };
    let proofs = prove_all(&mut rng);
    println!(
        "score contest, CDS: {} bytes",
        5 * 64 + proofs.iter().map(|p| p.to_bytes().len()).sum::<usize>()
    );
    g.bench_function("cds_create", |b| b.iter(|| prove_all(&mut rng)));
    g.bench_function("cds_verify_batched", |b| {
        let items: Vec<(RangeStatement<'_>, &CdsRangeProof)> =
            statements.iter().copied().zip(&proofs).collect();
        b.iter(|| CdsRangeProof::verify_batch(&CTX, &items, &mut rng).expect("valid"))
    });
    g.finish();
}

/// A trustee's decryption share with its DLEQ proof, and its verification.
fn decryption_share(c: &mut Criterion) {
    let mut rng = rng();
    let params = ThresholdParams::new(3, 2).expect("params");
    let polys: Vec<SecretPolynomial> = (1..=3)
        .map(|i| SecretPolynomial::random(params, i, &mut rng).expect("poly"))
        .collect();
    let commitments = polys
        .iter()
        .map(|p| p.commit(&CTX, &mut rng).expect("commit"))
        .collect();
    let set = CommitmentSet::new(&CTX, params, commitments).expect("set");
    let shares: Vec<_> = polys
        .iter()
        .map(|p| p.evaluate(1).expect("share"))
        .collect();
    let KeyShareOutcome::Ready(key) = set.collect_key_share(1, &shares).expect("collect") else {
        panic!("honest ceremony")
    };
    let pk = set.joint_public_key().expect("key");
    let aggregate = Ciphertext::encrypt(&pk, 12_345, &Nonce::random(&mut rng));
    let position = TallyPosition {
        district: "d01".into(),
        contest: "parliament".into(),
        selection: 7,
    };
    let vk = set.verification_key(1).expect("vk");
    let mut g = c.benchmark_group("decryption_share");
    g.bench_function("create", |b| {
        b.iter(|| {
            DecryptionShare::create(&CTX, &key, &aggregate, &position, &mut rng).expect("share")
        })
    });
    let share =
        DecryptionShare::create(&CTX, &key, &aggregate, &position, &mut rng).expect("share");
    g.bench_function("verify", |b| {
        b.iter(|| {
            share
                .verify(&CTX, &vk, &aggregate, &position)
                .expect("valid")
        })
    });
    g.finish();
}

/// Bounded discrete logarithm up to 10^7: table build and the worst case (v = 10^7).
fn discrete_log(c: &mut Criterion) {
    const MAX: u64 = 10_000_000;
    let mut g = c.benchmark_group("dlog_1e7");
    g.sample_size(10);
    g.bench_function("table", |b| {
        b.iter_batched(|| (), |_| DlogTable::new(MAX), BatchSize::SmallInput)
    });
    let table = DlogTable::new(MAX);
    let worst = Scalar::from(MAX) * G;
    g.bench_function("solve_worst_case", |b| {
        b.iter(|| assert_eq!(table.solve(&worst).expect("in range"), MAX))
    });
    g.finish();
}

criterion_group!(
    benches,
    selection,
    plurality_contest,
    selection_proof,
    score_contest,
    decryption_share,
    discrete_log
);
criterion_main!(benches);
