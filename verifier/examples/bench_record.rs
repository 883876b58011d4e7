//! The verifier's benchmark: builds (once, cached in a folder) the synthetic record of `N`
//! ballots of one 81-candidate plurality contest, then times `verifier check` on it.
//!
//! ```text
//! cargo run --release -p verifier --example bench_record -- N [FOLDER]
//! ```
//!
//! The record is honest and complete (a real 2-of-3 key ceremony, real ballots with their
//! proofs, the log, aggregates, decryption shares, results, seal); building it costs about as
//! much as verifying it. The whole record is held in memory while it is built (about 25 kB
//! per ballot), so very large `N` need a machine with the memory.

// A benchmark program: a broken setup panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::time::Instant;

use ivote_crypto::contest::EncryptionSeed;
use ivote_testkit::election::Election;
use ivote_testkit::record::Record;
use ivote_verifier::{check_record, Options, RecordDir};
use rand::rngs::OsRng;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

const CANDIDATES: usize = 81;

/// One district (`d1`) of one 81-candidate plurality contest (the test kit's generated
/// manifest, the examples' voting window).
fn manifest() -> String {
    use ivote_testkit::manifest::{plurality, EXAMPLE_ENDS, EXAMPLE_STARTS};
    plurality("bench-81", &[CANDIDATES], EXAMPLE_STARTS, EXAMPLE_ENDS).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let dir = args
        .get(2)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(format!("ivote-bench-record-{n}")));
    if !dir.join(ivote_protocol::record::INDEX_FILE).exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let started = Instant::now();
        let mut rng = ChaCha20Rng::seed_from_u64(81);
        let e = Election::new(&manifest(), 3, 2, &mut rng);
        let ballots: Vec<_> = (0..n)
            .into_par_iter()
            .map(|i| {
                let mut rng = ChaCha20Rng::seed_from_u64(i as u64);
                let seed = EncryptionSeed::random(&mut rng);
                e.ballot("d1", i % CANDIDATES, rng.gen(), &seed, &mut rng)
            })
            .collect();
        let r = Record::honest(&e, ballots, n / 10, &mut rng);
        r.write(&e, &dir);
        eprintln!(
            "built the record of {n} ballots in {:.1} s: {}",
            started.elapsed().as_secs_f64(),
            dir.display()
        );
    }
    let record = RecordDir::open(&dir).unwrap();
    let size = record.size(ivote_protocol::record::BALLOTS_FILE).unwrap();
    let started = Instant::now();
    let report = check_record(
        &record,
        &Options {
            officials_key: None,
            progress: true,
        },
        &mut OsRng,
    );
    let seconds = started.elapsed().as_secs_f64();
    print!("{}", report.to_text());
    println!(
        "verified {n} counted and {} superseded ballots of {CANDIDATES} candidates, every one \
         published with its selected ballot ({:.0} MB of ballots.bin) in {seconds:.1} s on {} \
         threads: {:.0} published ballots/s",
        n / 10,
        size as f64 / 1e6,
        rayon::current_num_threads(),
        (n + n / 10) as f64 / seconds
    );
    assert_eq!(report.exit_code(), 0);
}
