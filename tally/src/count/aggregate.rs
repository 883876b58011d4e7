//! The homomorphic sums of the selected ballots per (district, contest, selection) and of
//! their flags per district (`docs/coercion.md`): the same sums for the import and for the
//! trustees' re-check in `decrypt-share` (a trustee decrypts only sums of the published
//! selected ballots).

use anyhow::Result;
use ivote_crypto::Ciphertext;
use ivote_protocol::record;
use ivote_protocol::record::aggregates::{positions, Aggregate, Aggregates, FlagSum};
use ivote_protocol::{ContextHash, ElectionManifest};

use super::error::CountError;
use crate::error::Refusal;

/// Running sums.
#[derive(Debug)]
pub struct Aggregator {
    context: ContextHash,
    /// District id, first aggregate index, number of selections of the district.
    districts: Vec<(String, usize, usize)>,
    sums: Vec<Ciphertext>,
    flags: Vec<Ciphertext>,
    ballots: Vec<u64>,
}

fn unfit(detail: String) -> anyhow::Error {
    Refusal::from(CountError::CountFolder {
        file: record::BALLOTS_FILE.into(),
        detail,
    })
    .into()
}

impl Aggregator {
    /// Empty sums for every selection and district of the manifest.
    pub fn new(context: ContextHash, manifest: &ElectionManifest) -> Self {
        let mut districts = Vec::new();
        let mut start = 0;
        for d in manifest.districts() {
            let len: usize = d.contests.iter().map(|c| c.selection_count()).sum();
            districts.push((d.id.as_str().to_owned(), start, len));
            start += len;
        }
        Aggregator {
            context,
            ballots: vec![0; districts.len()],
            flags: vec![Ciphertext::zero(); districts.len()],
            districts,
            sums: vec![Ciphertext::zero(); start],
        }
    }

    /// A district's index, first aggregate and number of selections.
    fn slot(&self, district: &str) -> Result<(usize, usize, usize)> {
        self.districts
            .iter()
            .enumerate()
            .find(|(_, (id, _, _))| id == district)
            .map(|(d, (_, start, len))| (d, *start, *len))
            .ok_or_else(|| unfit(format!("a ballot for unknown district {district}")))
    }

    /// Adds one ballot's selected ciphertexts (in the ballot's order, which is the
    /// district's selections in manifest order) and its flag.
    pub fn add(
        &mut self,
        district: &str,
        selected: &[Ciphertext],
        flag: &Ciphertext,
    ) -> Result<()> {
        let (d, start, len) = self.slot(district)?;
        if selected.len() != len {
            return Err(unfit(format!(
                "a selected ballot of district {district} with {} ciphertexts; the district has {len} selections",
                selected.len()
            )));
        }
        for (sum, ct) in self.sums.iter_mut().skip(start).take(len).zip(selected) {
            *sum += *ct;
        }
        if let Some(f) = self.flags.get_mut(d) {
            *f += *flag;
        }
        Ok(())
    }

    /// Counts one counted ballot of the district (the number `aggregates.bin` states, which
    /// the decrypted flag sum must equal).
    pub fn count(&mut self, district: &str) -> Result<()> {
        let (d, _, _) = self.slot(district)?;
        if let Some(c) = self.ballots.get_mut(d) {
            *c += 1;
        }
        Ok(())
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
            flags: self
                .districts
                .into_iter()
                .zip(self.flags)
                .map(|((district, _, _), ciphertext)| FlagSum {
                    district,
                    ciphertext,
                })
                .collect(),
        }
    }
}
