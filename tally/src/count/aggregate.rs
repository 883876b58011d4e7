//! The homomorphic sum of the counted ballots per (district, contest, selection), in
//! parallel across cores: the same function for the import and for the trustees' re-check
//! in `decrypt-share` (a trustee decrypts only sums of the published counted ballots).

use anyhow::Result;
use ivote_crypto::Ciphertext;
use ivote_protocol::ballot::{Ballot, BallotShapes};
use ivote_protocol::record;
use ivote_protocol::record::aggregates::{positions, Aggregate, Aggregates};
use ivote_protocol::{ContextHash, ElectionManifest};
use rayon::prelude::*;

use super::error::CountError;
use crate::error::Refusal;

/// Running sums.
#[derive(Debug)]
pub struct Aggregator<'a> {
    context: ContextHash,
    shapes: &'a BallotShapes,
    /// District id, first aggregate index, number of selections of the district.
    districts: Vec<(String, usize, usize)>,
    sums: Vec<Ciphertext>,
    ballots: Vec<u64>,
    total: u64,
}

impl<'a> Aggregator<'a> {
    /// Empty sums for every selection of the manifest.
    pub fn new(
        context: ContextHash,
        manifest: &ElectionManifest,
        shapes: &'a BallotShapes,
    ) -> Self {
        let mut districts = Vec::new();
        let mut start = 0;
        for d in manifest.districts() {
            let len: usize = d.contests.iter().map(|c| c.selection_count()).sum();
            districts.push((d.id.as_str().to_owned(), start, len));
            start += len;
        }
        Aggregator {
            context,
            shapes,
            ballots: vec![0; districts.len()],
            districts,
            sums: vec![Ciphertext::zero(); start],
            total: 0,
        }
    }

    /// Adds a batch of ballots (each must decode for the election: they were checked).
    pub fn add(&mut self, ballots: &[Ballot]) -> Result<()> {
        let n = self.sums.len();
        let add_one = |mut acc: Vec<Ciphertext>, b: &Ballot| -> Result<Vec<Ciphertext>, String> {
            let (_, start, len) = self
                .find(&b.district)
                .ok_or_else(|| format!("a ballot for unknown district {}", b.district))?;
            let cts = b
                .selections(&self.context, self.shapes)
                .map_err(|e| e.to_string())?;
            let slots = acc
                .get_mut(start..start + len)
                .ok_or("bad district range")?;
            for (sum, ct) in slots.iter_mut().zip(cts) {
                *sum += ct;
            }
            Ok(acc)
        };
        let partial = ballots
            .par_iter()
            .try_fold(|| vec![Ciphertext::zero(); n], add_one)
            .try_reduce(
                || vec![Ciphertext::zero(); n],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x += y;
                    }
                    Ok(a)
                },
            )
            .map_err(|detail| {
                Refusal::from(CountError::CountFolder {
                    file: record::COUNTED_BALLOTS_FILE.into(),
                    detail: format!("a counted ballot does not fit the election: {detail}"),
                })
            })?;
        for (x, y) in self.sums.iter_mut().zip(partial) {
            *x += y;
        }
        for b in ballots {
            if let Some((d, _, _)) = self.find(&b.district) {
                if let Some(c) = self.ballots.get_mut(d) {
                    *c += 1;
                }
            }
        }
        self.total += ballots.len() as u64;
        Ok(())
    }

    /// A district's index, first aggregate and number of selections.
    fn find(&self, district: &str) -> Option<(usize, usize, usize)> {
        self.districts
            .iter()
            .enumerate()
            .find(|(_, (id, _, _))| id == district)
            .map(|(d, (_, start, len))| (d, *start, *len))
    }

    /// [`Self::find`], refusing an unknown district.
    fn slot(&self, district: &str) -> Result<(usize, usize, usize)> {
        self.find(district).ok_or_else(|| {
            Refusal::from(CountError::CountFolder {
                file: record::COUNTED_BALLOTS_FILE.into(),
                detail: format!("a ballot for unknown district {district}"),
            })
            .into()
        })
    }

    /// Adds (`sign` +1) or takes away (−1) one ballot given by its selection ciphertexts.
    fn apply(&mut self, district: &str, ciphertexts: &[Ciphertext], add: bool) -> Result<()> {
        let (d, start, len) = self.slot(district)?;
        if ciphertexts.len() != len {
            return Err(Refusal::from(CountError::CountFolder {
                file: record::COUNTED_BALLOTS_FILE.into(),
                detail: format!(
                    "a ballot of district {district} with {} selections",
                    ciphertexts.len()
                ),
            })
            .into());
        }
        let sums = self.sums.iter_mut().skip(start).take(len);
        for (sum, ct) in sums.zip(ciphertexts) {
            if add {
                *sum += *ct;
            } else {
                *sum = *sum - *ct;
            }
        }
        if let Some(c) = self.ballots.get_mut(d) {
            *c = if add { *c + 1 } else { c.saturating_sub(1) };
        }
        if add {
            self.total += 1;
        } else {
            self.total = self.total.saturating_sub(1);
        }
        Ok(())
    }

    /// Adds one checked ballot given by its selection ciphertexts (the import's first pass).
    pub fn add_selections(&mut self, district: &str, ciphertexts: &[Ciphertext]) -> Result<()> {
        self.apply(district, ciphertexts, true)
    }

    /// Takes away a ballot added before (one that turned out superseded or cancelled).
    pub fn subtract(&mut self, ballot: &Ballot) -> Result<()> {
        let cts = ballot.selections(&self.context, self.shapes).map_err(|e| {
            Refusal::from(CountError::CountFolder {
                file: record::COUNTED_BALLOTS_FILE.into(),
                detail: e.to_string(),
            })
        })?;
        self.apply(&ballot.district, &cts, false)
    }

    /// The number of ballots added.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The sums, in manifest order.
    pub fn finish(self, manifest: &ElectionManifest) -> Aggregates {
        let mut per_selection = Vec::with_capacity(self.sums.len());
        for ((_, _, len), count) in self.districts.iter().zip(&self.ballots) {
            per_selection.extend(std::iter::repeat_n(*count, *len));
        }
        Aggregates {
            context: self.context,
            aggregates: positions(manifest)
                .into_iter()
                .zip(self.sums)
                .zip(per_selection)
                .map(|((position, ciphertext), ballots)| Aggregate {
                    position,
                    ballots,
                    ciphertext,
                })
                .collect(),
        }
    }
}
