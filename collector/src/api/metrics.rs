//! Counters for `/status` and `/metrics` (Prometheus text format), kept since start.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Upper bounds of the submit latency histogram, in seconds.
const BOUNDS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Submission counters and the submit latency histogram.
#[derive(Debug, Default)]
pub struct Metrics {
    accepted: AtomicU64,
    rejected: Mutex<BTreeMap<&'static str, u64>>,
    /// Per bucket (not cumulative), the last one being `+Inf`.
    buckets: [AtomicU64; BOUNDS.len() + 1],
    sum_micros: AtomicU64,
}

impl Metrics {
    /// Counts an accepted submission.
    pub fn accepted(&self) {
        self.accepted.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a refused submission by its code.
    pub fn rejected(&self, code: &'static str) {
        let mut map = self.rejected.lock().unwrap_or_else(PoisonError::into_inner);
        *map.entry(code).or_default() += 1;
    }

    /// Records how long one submission took.
    pub fn observe(&self, took: Duration) {
        let secs = took.as_secs_f64();
        let i = BOUNDS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BOUNDS.len());
        if let Some(b) = self.buckets.get(i) {
            b.fetch_add(1, Ordering::Relaxed);
        }
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Refused submissions since start, by code.
    pub fn rejected_by_code(&self) -> BTreeMap<&'static str, u64> {
        self.rejected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP collector_submissions_accepted_total Submissions accepted since start.\n\
             # TYPE collector_submissions_accepted_total counter\n\
             collector_submissions_accepted_total {}",
            self.accepted.load(Ordering::Relaxed)
        );
        out.push_str(
            "# HELP collector_submissions_rejected_total Submissions refused since start, by code.\n\
             # TYPE collector_submissions_rejected_total counter\n",
        );
        for (code, n) in self.rejected_by_code() {
            let _ = writeln!(
                out,
                "collector_submissions_rejected_total{{code=\"{code}\"}} {n}"
            );
        }
        out.push_str(
            "# HELP collector_submit_seconds Time to answer a submission.\n\
             # TYPE collector_submit_seconds histogram\n",
        );
        let mut count = 0;
        for (i, bucket) in self.buckets.iter().enumerate() {
            count += bucket.load(Ordering::Relaxed);
            let le = BOUNDS.get(i).map_or("+Inf".into(), |b| b.to_string());
            let _ = writeln!(
                out,
                "collector_submit_seconds_bucket{{le=\"{le}\"}} {count}"
            );
        }
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "collector_submit_seconds_sum {sum}");
        let _ = writeln!(out, "collector_submit_seconds_count {count}");
        out
    }
}
