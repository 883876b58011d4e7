//! The audit's benchmark: builds the test election of `ivote_testkit::record::audit` (real
//! demo-PKI certificates, Ed25519 e-ID keys, docs/examples/two-districts-manifest.toml) with
//! `N` more submissions, revotes of four voters, then times `verifier audit` on it. It
//! measures the per-submission cost of the audit (certificate status with the per-thread
//! cache, e-ID signature, ballot decode and batch-verified proofs, the rules); the counted
//! ballots are few, so the `check` part is negligible here (`bench_record` measures it).
//!
//! ```text
//! cargo run --release -p verifier --example bench_audit -- N
//! ```

// A benchmark program: a broken setup panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Instant;

use ivote_protocol::record::counts::Outcome;
use ivote_protocol::Country;
use ivote_testkit::record::audit::{AuditCase, STARTS};
use ivote_verifier::{audit_record, AuditInputs, Options, RecordDir};
use rand::rngs::OsRng;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut case = AuditCase::honest(&mut rng);
    // Revotes of voters 0, 1, 2, 5 (valid, in the window): each voter's last one counts.
    let revoters = [0, 1, 2, 5];
    let base = case.votes.len();
    for k in 0..n {
        let voter = revoters[k % revoters.len()];
        let mut v = case.votes[2].clone();
        v.voter = voter;
        v.at = STARTS + 1000 + k as i64;
        v.choice = k % 2;
        v.bad_signature = false;
        v.outcome = Outcome::Superseded;
        case.votes.push(v);
    }
    for (i, v) in case.votes.iter_mut().enumerate() {
        if revoters.contains(&v.voter) && v.outcome == Outcome::Counted && i < base && n > 0 {
            v.outcome = Outcome::Superseded;
        }
    }
    for &voter in &revoters {
        if let Some(last) = case.votes.iter_mut().rev().find(|v| v.voter == voter) {
            last.outcome = Outcome::Counted;
        }
    }
    let t = Instant::now();
    let w = case.write(&mut rng);
    eprintln!(
        "built {} submissions in {:.1} s",
        case.votes.len(),
        t.elapsed().as_secs_f64()
    );
    let roll = std::fs::read(&w.roll).unwrap();
    let inputs = AuditInputs {
        roll: &roll,
        roll_name: "roll.csv",
        country: Country::EE,
    };
    let t = Instant::now();
    let report = audit_record(
        &RecordDir::open(&w.record).unwrap(),
        &RecordDir::open(&w.bundle).unwrap(),
        &inputs,
        &Options::default(),
        &mut OsRng,
    );
    let secs = t.elapsed().as_secs_f64();
    println!("{}", report.summary_line());
    println!(
        "audited {} submissions in {secs:.2} s ({:.0} submissions/s, {} threads)",
        case.votes.len(),
        case.votes.len() as f64 / secs,
        rayon::current_num_threads()
    );
    assert_eq!(report.exit_code(), 0, "{}", report.to_text());
}
