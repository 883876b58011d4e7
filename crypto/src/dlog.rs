//! Bounded discrete logarithm: find `v ∈ [0, max]` with `v·G = M` (baby-step giant-step).
//!
//! Tallies are small (at most the number of counted ballots times the largest selection
//! value), so after threshold decryption the count is recovered by a search bounded by that
//! maximum. The baby steps `j·G` for `j < m = ⌈√(max+1)⌉` are stored in a hash map; the giant
//! steps walk `M − i·m·G`. Compressing a point needs a field inversion, the expensive part of
//! a step; dalek's `double_and_compress_batch` shares one inversion across a whole batch by
//! compressing `2·P` instead of `P`. Doubling is a bijection in a group of odd prime order,
//! so comparing encodings of `2·P` is the same as comparing `P`: both tables hold doubled
//! points. All inputs are public (combined decryptions), so variable time is fine here.

use std::collections::HashMap;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;

use crate::error::{CryptoError, Result};
use crate::group::G;

/// Giant steps compressed per batch inversion.
const BATCH: usize = 256;

/// A precomputed baby-step table for logarithms in `[0, max]`. Build it once per tally and
/// reuse it for every selection.
#[derive(Debug, Clone)]
pub struct DlogTable {
    max: u64,
    m: u64,
    /// `compress(2·j·G) → j` for `j < m`.
    baby: HashMap<[u8; 32], u64>,
    /// `m·G`, the giant step.
    giant: RistrettoPoint,
}

impl DlogTable {
    /// Builds the table for values in `[0, max]`.
    pub fn new(max: u64) -> DlogTable {
        // m = ceil(sqrt(max + 1)), at least 1.
        let n = max.saturating_add(1);
        let mut m = (n as f64).sqrt().ceil() as u64;
        while m.saturating_mul(m) < n {
            m += 1;
        }
        let m = m.max(1);
        let mut points = Vec::with_capacity(m as usize);
        let mut p = RistrettoPoint::identity();
        for _ in 0..m {
            points.push(p);
            p += G;
        }
        let baby = compress_doubled(&points)
            .into_iter()
            .zip(0u64..)
            .collect::<HashMap<_, _>>();
        DlogTable {
            max,
            m,
            baby,
            giant: Scalar::from(m) * G,
        }
    }

    /// The largest value this table finds.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Finds `v ∈ [0, max]` with `v·G = target`, or reports that there is none.
    pub fn solve(&self, target: &RistrettoPoint) -> Result<u64> {
        let giant_steps = self.max / self.m + 1;
        let mut i = 0u64;
        let mut current = *target;
        while i < giant_steps {
            let count = (giant_steps - i).min(BATCH as u64) as usize;
            let mut batch = Vec::with_capacity(count);
            for _ in 0..count {
                batch.push(current);
                current -= self.giant;
            }
            for (k, enc) in compress_doubled(&batch).iter().enumerate() {
                if let Some(j) = self.baby.get(enc) {
                    let v = (i + k as u64) * self.m + j;
                    if v <= self.max {
                        return Ok(v);
                    }
                }
            }
            i += count as u64;
        }
        Err(CryptoError::DlogOutOfRange { max: self.max })
    }
}

/// `compress(2·P)` for every `P`, with one shared inversion. The identity is handled apart:
/// its doubling is the identity, whose encoding is all zeros.
fn compress_doubled(points: &[RistrettoPoint]) -> Vec<[u8; 32]> {
    RistrettoPoint::double_and_compress_batch(points)
        .into_iter()
        .map(|c| c.to_bytes())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finds_edges_and_rejects_out_of_range() {
        let t = DlogTable::new(1000);
        for v in [0u64, 1, 2, 31, 32, 33, 999, 1000] {
            assert_eq!(t.solve(&(Scalar::from(v) * G)).unwrap(), v, "v = {v}");
        }
        assert_eq!(
            t.solve(&(Scalar::from(1001u64) * G)),
            Err(CryptoError::DlogOutOfRange { max: 1000 })
        );
        assert!(t.solve(&(-G)).is_err());
    }

    #[test]
    fn tiny_tables() {
        let t = DlogTable::new(0);
        assert_eq!(t.solve(&RistrettoPoint::identity()).unwrap(), 0);
        assert!(t.solve(&G).is_err());
        let t = DlogTable::new(1);
        assert_eq!(t.solve(&G).unwrap(), 1);
    }

    proptest! {
        #[test]
        fn solves_any_value_in_range(v in 0u64..=5_000_000) {
            static TABLE: std::sync::OnceLock<DlogTable> = std::sync::OnceLock::new();
            let t = TABLE.get_or_init(|| DlogTable::new(5_000_000));
            prop_assert_eq!(t.solve(&(Scalar::from(v) * G)).unwrap(), v);
        }
    }
}
