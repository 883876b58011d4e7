//! CPU cost of the selection proof at the national shape (one contest of 81 candidates +
//! blank, m = 82), against the ballot's own validity proofs, measured in one run.
//!
//! ```sh
//! cargo run --release -p ivote-crypto --example selection_cost -- [ROUNDS]
//! ```
//!
//! Criterion measures wall-clock time, which on a shared, busy machine is inflated by
//! whatever else runs. This program measures the **CPU time of its own thread**
//! (`/proc/thread-self/stat`, Linux, 100 ticks per second) and interleaves the variants
//! round by round, so that their ratios are fair however busy the machine is: per round, 64
//! ballots are checked with their validity proofs alone (`verify_contests`), with their
//! selection proofs alone (`verify_selections`), and both in one batch
//! (`verify_contests_and_selections`); then 64 selections are made (`Selector::select`) and
//! decoded. Figures: `docs/BENCHMARKS.md`.

// A measuring program: a failed setup should stop it loudly.
#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
use std::time::Instant;

use ivote_crypto::contest::{
    verify_contests, verify_contests_and_selections, ContestShape, ContestToVerify,
    EncryptedContest, EncryptionSeed, ValueRange,
};
use ivote_crypto::group::g_table;
use ivote_crypto::proofs::selection::{
    verify_selections, Selected, SelectionProof, SelectionStatement, Selector,
};
use ivote_crypto::{Ciphertext, ContestPosition, ContextHash, PublicKey, Scalar};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// CPU seconds (user + system) of the calling thread so far.
fn cpu() -> f64 {
    let s = std::fs::read_to_string("/proc/thread-self/stat").expect("stat");
    let f: Vec<&str> = s
        .rsplit(')')
        .next()
        .expect("x")
        .split_whitespace()
        .collect();
    (f[11].parse::<f64>().expect("u") + f[12].parse::<f64>().expect("s")) / 100.0
}

fn main() {
    const M: usize = 82;
    const N: usize = 64;
    let ctx = ContextHash([42; 32]);
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let pk = PublicKey::from_point(&Scalar::random(&mut rng) * g_table()).expect("k");
    let shape = ContestShape::zero_one(M, ValueRange::new(1, 1).expect("r")).expect("s");
    let positions: Vec<ContestPosition> = (0..N as u32)
        .map(|i| {
            let mut nonce = [0u8; 32];
            nonce[..4].copy_from_slice(&i.to_be_bytes());
            ContestPosition {
                nonce,
                district: "d".into(),
                contest: "c".into(),
            }
        })
        .collect();
    let contests: Vec<EncryptedContest> = positions
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let v: Vec<u64> = (0..M).map(|k| u64::from(k == i % M)).collect();
            let c = EncryptedContest::encrypt(
                &ctx,
                &pk,
                p,
                &shape,
                &v,
                &EncryptionSeed::random(&mut rng),
                &mut rng,
            )
            .expect("e");
            EncryptedContest::from_bytes(&c.to_bytes(), &shape).expect("d")
        })
        .collect();
    let selector = Selector::new(&ctx, &pk);
    let sel: Vec<Selected> = contests
        .iter()
        .enumerate()
        .map(|(i, c)| {
            selector
                .select(c.selections(), i % 2 == 0, &mut rng)
                .expect("s")
        })
        .collect();
    let items: Vec<(SelectionStatement<'_>, &SelectionProof)> = sel
        .iter()
        .zip(&contests)
        .map(|(s, c)| (s.statement(&pk, c.selections()), &s.proof))
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
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("n"))
        .unwrap_or(10);
    let encoded: Vec<(Vec<u8>, [u8; 224])> = sel
        .iter()
        .map(|s| {
            let cts = s
                .selected
                .iter()
                .chain(std::iter::once(&s.flag))
                .flat_map(|c| c.to_bytes())
                .collect();
            (cts, s.proof.to_bytes())
        })
        .collect();
    const NAMES: [&str; 5] = [
        "validity proofs alone (batch)",
        "selection proofs alone (batch)",
        "both in one batch",
        "select (make C, F, proof)",
        "decode C, F and the proof",
    ];
    let mut cpu_s = [0f64; 5];
    let mut wall_s = [0f64; 5];
    for _ in 0..rounds {
        for (k, (c, w)) in cpu_s.iter_mut().zip(wall_s.iter_mut()).enumerate() {
            let (c0, w0) = (cpu(), Instant::now());
            match k {
                0 => assert!(verify_contests(&ctx, &pk, &validity, &mut rng).is_empty()),
                1 => verify_selections(&ctx, &items, &mut rng).expect("valid"),
                2 => {
                    let failures =
                        verify_contests_and_selections(&ctx, &pk, &validity, &items, &mut rng);
                    assert!(failures.contests.is_empty() && failures.selections.is_empty());
                }
                3 => {
                    for (i, contest) in contests.iter().enumerate() {
                        selector
                            .select(contest.selections(), i % 2 == 0, &mut rng)
                            .expect("select");
                    }
                }
                _ => {
                    for (cts, proof) in &encoded {
                        for ct in cts.chunks_exact(64) {
                            Ciphertext::from_bytes(ct).expect("ciphertext");
                        }
                        SelectionProof::from_bytes(proof).expect("proof");
                    }
                }
            }
            *c += cpu() - c0;
            *w += w0.elapsed().as_secs_f64();
        }
    }
    let per = |x: f64| x / (rounds * N) as f64 * 1e3;
    println!("m = {M}, {rounds} interleaved rounds of {N} ballots; per ballot: CPU ms (wall ms)");
    for (k, name) in NAMES.iter().enumerate() {
        println!("{name:>32}: {:6.2} ({:.2})", per(cpu_s[k]), per(wall_s[k]));
    }
    println!(
        "CPU ratios to the validity proofs: selection alone {:.2}, added in one batch {:.2}, select {:.2}",
        cpu_s[1] / cpu_s[0],
        (cpu_s[2] - cpu_s[0]) / cpu_s[0],
        cpu_s[3] / cpu_s[0]
    );
}
