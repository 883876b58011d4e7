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

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::time::Instant;

use common::{Election, Record};
use ivote_crypto::contest::EncryptionSeed;
use ivote_verifier::{check_record, Options, RecordDir};
use rand::rngs::OsRng;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

const CANDIDATES: usize = 81;

fn manifest() -> String {
    let mut m = String::from(
        r#"election_id = "bench-81"
languages = ["en"]
default_language = "en"
time_zone = "Europe/Tallinn"
voting_starts = "2027-02-22T07:00:00Z"
voting_ends = "2027-02-28T18:00:00Z"
title = { en = "Benchmark" }

[[districts]]
id = "estonia"
name = "Estonia"

[[districts.contests]]
id = "riigikogu"
kind = "plurality"
title = "Riigikogu"
"#,
    );
    for i in 0..CANDIDATES {
        m.push_str(&format!(
            "\n[[districts.contests.candidates]]\nid = \"c{i}\"\nname = \"Candidate {i}\"\n"
        ));
    }
    m
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
                e.ballot("estonia", i % CANDIDATES, rng.gen(), &seed, &mut rng)
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
    let size = record
        .size(ivote_protocol::record::COUNTED_BALLOTS_FILE)
        .unwrap();
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
        "verified {n} ballots of {CANDIDATES} candidates ({:.0} MB of counted ballots) in \
         {seconds:.1} s on {} threads: {:.0} ballots/s",
        size as f64 / 1e6,
        rayon::current_num_threads(),
        n as f64 / seconds
    );
    assert_eq!(report.exit_code(), 0);
}
