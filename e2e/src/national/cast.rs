//! The cast stage: every planned submission, a chunk at a time, as real voters would send
//! them: fetch the chunk's challenges, build its ballots in parallel in this process
//! (encrypt, prove, sign with the voter's demo e-ID key: [`ElectionView::submission`]),
//! submit them over C connections and verify every receipt. Only one chunk's ballots are
//! in memory at a time; each finished chunk is recorded in the progress file, so an
//! interrupted cast resumes at the chunk it was in (sending that chunk again: see
//! [`CastProgress::resubmitted`]).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::load::{challenge, concurrently, read_voter, submit, ElectionView, LoadError, Outcome};
use anyhow::{bail, Context, Result};
use ivote_collector::client::ApiClient;
use ivote_protocol::challenge::SignedChallenge;
use ivote_protocol::hashes::BallotHash;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

use super::progress::{CastProgress, ProgressFile};
use super::timing::{process_cpu, Stopwatch};
use crate::collector::CollectorProcess;
use crate::flow::Ui;
use crate::plan::VotingScript;

/// One submission of the stream: the voter (index in the plan) and which of their votes.
pub type Entry = (usize, usize);

/// The order in which the plan's submissions reach the collector, drawn from `seed`: every
/// voter's first vote in a random order, and each revote at a random later place.
pub fn stream(plan: &VotingScript, seed: u64) -> Vec<Entry> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed ^ 0x5eed_0f57_2ea3);
    let mut order: Vec<usize> = (0..plan.voters.len()).collect();
    rand::seq::SliceRandom::shuffle(order.as_mut_slice(), &mut rng);
    let end = order.len() as f64;
    let mut keyed: Vec<(f64, Entry)> = Vec::with_capacity(plan.accepted_submissions());
    for (place, &v) in order.iter().enumerate() {
        let mut key = place as f64;
        keyed.push((key, (v, 0)));
        let votes = plan.voters.get(v).map_or(0, |p| p.votes.len());
        for n in 1..votes {
            let low = key + 0.5;
            key = rng.gen_range(low..(end + n as f64).max(low + 1.0));
            keyed.push((key, (v, n)));
        }
    }
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    keyed.into_iter().map(|(_, e)| e).collect()
}

/// What the cast needs.
#[derive(Debug)]
pub struct Cast<'a> {
    /// The voters' plan.
    pub plan: &'a VotingScript,
    /// The demo PKI folder (the voters' keys and certificates).
    pub pki: &'a Path,
    /// The running collector.
    pub collector: &'a CollectorProcess,
    /// Submissions per chunk.
    pub chunk: usize,
    /// Concurrent connections.
    pub concurrency: usize,
    /// For tests: stop with an error after sending this many submissions of the first
    /// chunk this run casts, as an interruption would.
    pub interrupt_after: Option<usize>,
}

impl Cast<'_> {
    /// Casts the chunks of `stream` not done yet, saving the progress after each.
    pub fn run(
        &self,
        stream: &[Entry],
        progress: &mut ProgressFile,
        dir: &Path,
        ui: &dyn Ui,
    ) -> Result<()> {
        let chunks: Vec<&[Entry]> = stream.chunks(self.chunk.max(1)).collect();
        let done = progress.cast.chunks_done;
        let left: usize = chunks.iter().skip(done).map(|c| c.len()).sum();
        if done > 0 {
            ui.info(&format!(
                "resuming at chunk {} of {}: {} submissions already in",
                done + 1,
                chunks.len(),
                stream.len() - left
            ));
        }
        let runtime = tokio::runtime::Runtime::new().context("cannot start tokio")?;
        let client = ApiClient::new(self.collector.url(), None)?;
        let view = Arc::new(ElectionView::from_facts(
            &runtime.block_on(client.get_json("/election"))?,
        )?);
        let bar = ui.progress(left as u64, "submissions built, sent, receipts checked");
        for (i, chunk) in chunks.iter().enumerate().skip(done) {
            let interrupt = self.interrupt_after.filter(|_| i == done);
            self.chunk(
                &runtime,
                &client,
                &view,
                chunk,
                &mut progress.cast,
                interrupt,
            )?;
            progress.cast.chunks_done = i + 1;
            progress.save(dir)?;
            bar.inc_by(chunk.len() as u64);
        }
        bar.finish();
        Ok(())
    }

    fn chunk(
        &self,
        runtime: &tokio::runtime::Runtime,
        client: &ApiClient,
        view: &Arc<ElectionView>,
        chunk: &[Entry],
        cast: &mut CastProgress,
        interrupt: Option<usize>,
    ) -> Result<()> {
        let n = chunk.len() as u64;
        let pid = self.collector.pid();

        let clock = Stopwatch::start()?;
        let before = process_cpu(pid)?;
        let (c, v) = (client.clone(), view.clone());
        let nonces = runtime
            .block_on(concurrently(
                vec![(); chunk.len()],
                self.concurrency,
                move |()| {
                    let (c, v) = (c.clone(), v.clone());
                    async move { challenge(&c, &v).await }
                },
            ))
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        if nonces.len() != chunk.len() {
            bail!("a challenge request failed without an answer");
        }
        clock.add_to(&mut cast.challenges, n, process_cpu(pid)? - before)?;

        let clock = Stopwatch::start()?;
        let bodies = chunk
            .par_iter()
            .zip(nonces)
            .map(|(&(v, k), nonce)| self.build(view, v, k, nonce))
            .collect::<Result<Vec<_>>>()?;
        clock.add_to(&mut cast.creation, n, 0.0)?;

        // A voter's votes in one chunk go in waves, each after the one before is answered,
        // so that the collector records them in the plan's order.
        let clock = Stopwatch::start()?;
        let before = process_cpu(pid)?;
        let mut waves: Vec<Vec<(Entry, Vec<u8>, BallotHash)>> = Vec::new();
        let mut seen: BTreeMap<usize, usize> = BTreeMap::new();
        for (&entry, (body, hash)) in chunk.iter().zip(bodies) {
            let wave = seen.entry(entry.0).or_default();
            if waves.len() <= *wave {
                waves.push(Vec::new());
            }
            if let Some(w) = waves.get_mut(*wave) {
                w.push((entry, body, hash));
            }
            *wave += 1;
        }
        if let (Some(limit), Some(first)) = (interrupt, waves.first_mut()) {
            first.truncate(limit);
            waves.truncate(1);
        }
        let mut receipts = Vec::with_capacity(chunk.len());
        for wave in waves {
            let (c, v) = (client.clone(), view.clone());
            let outcomes = runtime.block_on(concurrently(
                wave,
                self.concurrency,
                move |(entry, body, hash)| {
                    let (c, v) = (c.clone(), v.clone());
                    async move { (entry, submit(&c, &v, body, &hash).await) }
                },
            ));
            receipts.extend(outcomes);
        }
        if interrupt.is_some() {
            bail!(
                "interrupted on purpose after {} submissions of a chunk (--test-interrupt-cast)",
                receipts.len()
            );
        }
        if receipts.len() != chunk.len() {
            bail!("a submission task failed without an answer");
        }
        let mut failures: BTreeMap<String, (usize, String)> = BTreeMap::new();
        for ((v, k), outcome) in &receipts {
            let (code, detail) = match outcome {
                Outcome::Accepted(r) => {
                    self.record_count(cast, *v, *k, r.content.voter_seq)?;
                    continue;
                }
                Outcome::Refused(code) => (code.clone(), String::new()),
                Outcome::Transport(e) => ("transport".to_owned(), e.clone()),
                Outcome::BadReceipt(e) => ("bad_receipt".to_owned(), e.clone()),
            };
            failures.entry(code).or_insert((0, detail)).0 += 1;
        }
        if !failures.is_empty() {
            bail!(
                "the collector did not accept every submission of the chunk (count and first \
                 detail by code): {failures:?}; rerun the same command to send the chunk again"
            );
        }
        clock.add_to(&mut cast.intake, n, process_cpu(pid)? - before)?;
        Ok(())
    }

    /// Voter `v`'s `k`-th vote, sealed for the challenge.
    fn build(
        &self,
        view: &ElectionView,
        v: usize,
        k: usize,
        challenge: SignedChallenge,
    ) -> Result<(Vec<u8>, BallotHash)> {
        let voter = self
            .plan
            .voters
            .get(v)
            .context("a voter outside the plan")?;
        let choices = voter.votes.get(k).context("a vote outside the plan")?;
        let key = read_voter(self.pki, &voter.code, &voter.district)?;
        let sealed = view.submission(&key, &challenge, choices, &mut rand::thread_rng());
        sealed.map_err(|e: LoadError| anyhow::anyhow!("voter {}: {e}", voter.code))
    }

    /// The receipt of voter `v`'s `k`-th vote says it is their `seq`-th submission: if it is
    /// their last planned vote and they have more submissions than planned (a chunk sent
    /// again), remember how many.
    fn record_count(&self, cast: &mut CastProgress, v: usize, k: usize, seq: u32) -> Result<()> {
        let voter = self
            .plan
            .voters
            .get(v)
            .context("a voter outside the plan")?;
        let planned = voter.votes.len();
        if (seq as usize) <= k {
            bail!(
                "the collector numbered voter {}'s vote {} as their submission {seq}",
                voter.code,
                k + 1
            );
        }
        if k + 1 == planned && seq as usize > planned {
            cast.resubmitted.insert(voter.code.clone(), seq);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::VoterScript;

    fn plan(votes: &[usize]) -> VotingScript {
        VotingScript {
            voters: votes
                .iter()
                .enumerate()
                .map(|(i, &n)| VoterScript {
                    code: format!("v{i}"),
                    district: "d1".into(),
                    votes: vec![vec![vec![1]]; n],
                    revoked: false,
                    on_paper_list: false,
                })
                .collect(),
        }
    }

    #[test]
    fn the_stream_holds_every_vote_once_revotes_after_first_votes() {
        let p = plan(&[1, 2, 1, 2, 2, 1, 1, 1, 2, 1]);
        let s = stream(&p, 9);
        assert_eq!(s.len(), p.accepted_submissions());
        let mut sorted = s.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), s.len());
        for (v, voter) in p.voters.iter().enumerate() {
            let places: Vec<usize> = (0..voter.votes.len())
                .map(|k| s.iter().position(|&e| e == (v, k)).unwrap())
                .collect();
            assert!(places.windows(2).all(|w| w[0] < w[1]), "{places:?}");
        }
        assert_eq!(s, stream(&p, 9), "the same seed, the same stream");
        assert_ne!(s, stream(&p, 10));
    }
}
