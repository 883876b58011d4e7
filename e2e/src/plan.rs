//! What the voters of a demo or test election do, decided up front from a seed, and the
//! results the count must therefore give.
//!
//! Every voter of the roll gets a part: abstain, vote once, or vote and vote again (the
//! last vote counts); some of those who e-voted are on the paper-vote list (their e-votes do
//! not count); voters with revoked certificates try to vote and are refused. Each vote is a
//! random choice that the contest allows. [`VotingScript::expected`] applies the election's rules to
//! the plan, independently of the tally, so a test can compare the two exactly.

use std::collections::BTreeMap;

use ivote_protocol::manifest::{Contest, ElectionManifest};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// One vote: per contest of the voter's district (manifest order), one value per
/// selection (candidates, then blank).
pub type Vote = Vec<Vec<u64>>;

/// What one voter does.
#[derive(Clone, Debug)]
pub struct VoterScript {
    /// The voter's id code.
    pub code: String,
    /// The voter's district.
    pub district: String,
    /// The votes they cast, in order (empty: they do not e-vote).
    pub votes: Vec<Vote>,
    /// Their certificate is revoked: every attempt must be refused.
    pub revoked: bool,
    /// They voted on paper: their e-votes are cancelled.
    pub on_paper_list: bool,
}

/// The whole election's plan.
#[derive(Clone, Debug)]
pub struct VotingScript {
    /// Every voter of the roll, in roll order.
    pub voters: Vec<VoterScript>,
}

/// How many voters do what, as fractions of the roll.
#[derive(Clone, Copy, Debug)]
pub struct Shares {
    /// Voters who do not e-vote.
    pub abstain: f64,
    /// Voters who vote a second time.
    pub revote: f64,
    /// Voters who e-voted and are on the paper list.
    pub paper: f64,
}

impl Default for Shares {
    fn default() -> Self {
        Shares {
            abstain: 0.1,
            revote: 0.1,
            paper: 0.02,
        }
    }
}

/// Per district, contest and selection: the sum of the counted votes' values.
pub type Counts = BTreeMap<(String, String, usize), u64>;

impl VotingScript {
    /// Draws a plan for the `roll` (id code, district) from `seed`. The first `revoked`
    /// voters have revoked certificates (as `tally insecure-demo-pki --revoke` makes them).
    pub fn draw(
        manifest: &ElectionManifest,
        roll: &[(String, String)],
        revoked: usize,
        shares: Shares,
        seed: u64,
    ) -> VotingScript {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let voters = roll
            .iter()
            .enumerate()
            .map(|(i, (code, district))| {
                let contests = manifest
                    .district(district)
                    .map(|d| d.contests.as_slice())
                    .unwrap_or_default();
                let revoked = i < revoked;
                let casts = if revoked {
                    1
                } else if rng.gen_bool(shares.abstain) {
                    0
                } else if rng.gen_bool(shares.revote) {
                    2
                } else {
                    1
                };
                let votes = (0..casts)
                    .map(|_| random_ballot(contests, &mut rng))
                    .collect();
                VoterScript {
                    code: code.clone(),
                    district: district.clone(),
                    votes,
                    revoked,
                    on_paper_list: false,
                }
            })
            .collect::<Vec<_>>();
        let mut plan = VotingScript { voters };
        let mut evoters: Vec<&mut VoterScript> = plan
            .voters
            .iter_mut()
            .filter(|v| v.counts_if_not_cancelled())
            .collect();
        evoters.shuffle(&mut rng);
        let cancelled = ((evoters.len() as f64) * shares.paper).ceil() as usize;
        for v in evoters.into_iter().take(cancelled) {
            v.on_paper_list = true;
        }
        plan
    }

    /// A plan with exact numbers rather than shares (the national-scale run): every voter
    /// of the `roll` e-votes, `revotes` of them (drawn from `seed`) vote a second time and
    /// `paper` of them (drawn) are on the paper-vote list; no certificate is revoked. More
    /// revotes or paper voters than voters mean all of them.
    pub fn draw_exact(
        manifest: &ElectionManifest,
        roll: &[(String, String)],
        revotes: usize,
        paper: usize,
        seed: u64,
    ) -> VotingScript {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let mut order: Vec<usize> = (0..roll.len()).collect();
        order.shuffle(&mut rng);
        let mut casts = vec![1usize; roll.len()];
        for &i in order.iter().take(revotes) {
            if let Some(c) = casts.get_mut(i) {
                *c = 2;
            }
        }
        order.shuffle(&mut rng);
        let mut on_paper = vec![false; roll.len()];
        for &i in order.iter().take(paper) {
            if let Some(p) = on_paper.get_mut(i) {
                *p = true;
            }
        }
        let voters = roll
            .iter()
            .zip(casts.into_iter().zip(on_paper))
            .map(|((code, district), (casts, on_paper_list))| {
                let contests = manifest
                    .district(district)
                    .map(|d| d.contests.as_slice())
                    .unwrap_or_default();
                VoterScript {
                    code: code.clone(),
                    district: district.clone(),
                    votes: (0..casts)
                        .map(|_| random_ballot(contests, &mut rng))
                        .collect(),
                    revoked: false,
                    on_paper_list,
                }
            })
            .collect();
        VotingScript { voters }
    }

    /// The paper-vote list: the id codes of the voters on it.
    pub fn paper_list(&self) -> Vec<&str> {
        self.voters
            .iter()
            .filter(|v| v.on_paper_list)
            .map(|v| v.code.as_str())
            .collect()
    }

    /// The results the rules give: each voter's last vote counts, unless their certificate
    /// is revoked (refused) or they are on the paper list.
    pub fn expected(&self, manifest: &ElectionManifest) -> Counts {
        let mut counts = Counts::new();
        for d in manifest.districts() {
            for c in &d.contests {
                for s in 0..c.selection_count() {
                    counts.insert((d.id.as_str().into(), c.id.as_str().into(), s), 0);
                }
            }
        }
        for v in self.voters.iter().filter(|v| v.counts()) {
            let (Some(d), Some(vote)) = (manifest.district(&v.district), v.votes.last()) else {
                continue;
            };
            for (c, values) in d.contests.iter().zip(vote) {
                for (s, value) in values.iter().enumerate() {
                    *counts
                        .entry((v.district.clone(), c.id.as_str().into(), s))
                        .or_default() += value;
                }
            }
        }
        counts
    }

    /// Submissions the collector must accept.
    pub fn accepted_submissions(&self) -> usize {
        self.voters
            .iter()
            .filter(|v| !v.revoked)
            .map(|v| v.votes.len())
            .sum()
    }

    /// Voters whose vote counts.
    pub fn counted_voters(&self) -> usize {
        self.voters.iter().filter(|v| v.counts()).count()
    }
}

impl VoterScript {
    fn counts_if_not_cancelled(&self) -> bool {
        !self.revoked && !self.votes.is_empty()
    }

    /// Whether this voter's last vote is counted.
    pub fn counts(&self) -> bool {
        self.counts_if_not_cancelled() && !self.on_paper_list
    }
}

/// A random vote in every contest, with at least one mark somewhere (a ballot that marks
/// nothing cannot be given to `voter-app vote` as `--choice` arguments).
fn random_ballot(contests: &[Contest], rng: &mut impl Rng) -> Vote {
    loop {
        let vote: Vote = contests.iter().map(|c| random_vote(c, rng)).collect();
        if contests.is_empty() || vote.iter().flatten().any(|&v| v > 0) {
            return vote;
        }
    }
}

/// A random vote the contest allows: a total within the contest's sum range, spread one
/// unit at a time over selections that are below their maximum.
pub fn random_vote(contest: &Contest, rng: &mut impl Rng) -> Vec<u64> {
    let ranges = contest.selection_ranges();
    let mut values: Vec<u64> = ranges.iter().map(|&(lo, _)| lo).collect();
    let (sum_lo, sum_hi) = contest.sum_range();
    let room: u64 = ranges.iter().map(|&(lo, hi)| hi.saturating_sub(lo)).sum();
    let floor: u64 = values.iter().sum();
    let (least, most) = (sum_lo.max(floor), sum_hi.min(floor + room));
    // A validated manifest always allows some vote; an impossible contest gets the floor.
    let target = if least <= most {
        rng.gen_range(least..=most)
    } else {
        floor
    };
    for _ in floor..target {
        let mut open: Vec<&mut u64> = values
            .iter_mut()
            .zip(&ranges)
            .filter(|(v, &(_, hi))| **v < hi)
            .map(|(v, _)| v)
            .collect();
        let Some(v) = open.choose_mut(rng) else { break };
        **v += 1;
    }
    values
}

/// The `--choice` arguments of `voter-app vote` for a vote: `CONTEST:ID` for a mark,
/// `CONTEST:ID=N` for a score or points.
pub fn choice_args(contests: &[Contest], vote: &Vote) -> Vec<String> {
    let mut args = Vec::new();
    for (c, values) in contests.iter().zip(vote) {
        let marking = c.selection_ranges().iter().all(|&(_, hi)| hi == 1);
        let options = c.candidates.iter().chain(c.blank.as_ref());
        for (option, &value) in options.zip(values) {
            match value {
                0 => {}
                1 if marking => args.push(format!("{}:{}", c.id.as_str(), option.id.as_str())),
                n => args.push(format!("{}:{}={n}", c.id.as_str(), option.id.as_str())),
            }
        }
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> ElectionManifest {
        let src = ivote_testkit::manifest::with_window(
            ivote_testkit::manifest::EXAMPLE,
            2_000_000_000,
            2_000_086_400,
        );
        ElectionManifest::from_toml(&src, ivote_protocol::WindowCheck::AllowPast).unwrap()
    }

    #[test]
    fn random_votes_fit_their_contests() {
        let m = manifest();
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        for d in m.districts() {
            for c in &d.contests {
                for _ in 0..200 {
                    let v = random_vote(c, &mut rng);
                    let (lo, hi) = c.sum_range();
                    let sum: u64 = v.iter().sum();
                    assert!((lo..=hi).contains(&sum), "{}: {v:?}", c.id.as_str());
                    for (x, (a, b)) in v.iter().zip(c.selection_ranges()) {
                        assert!((a..=b).contains(x), "{}: {v:?}", c.id.as_str());
                    }
                }
            }
        }
    }

    #[test]
    fn an_exact_plan_has_exactly_its_numbers() {
        let m = manifest();
        let roll: Vec<(String, String)> = (0..100)
            .map(|i| (format!("voter{i}"), ["tallinn", "tartu"][i % 2].into()))
            .collect();
        let plan = VotingScript::draw_exact(&m, &roll, 7, 5, 3);
        assert_eq!(plan.accepted_submissions(), 107);
        assert_eq!(plan.paper_list().len(), 5);
        assert_eq!(plan.counted_voters(), 95);
        assert!(plan
            .voters
            .iter()
            .all(|v| !v.votes.is_empty() && !v.revoked));
        let again = VotingScript::draw_exact(&m, &roll, 7, 5, 3);
        assert_eq!(format!("{:?}", plan.voters), format!("{:?}", again.voters));
    }

    #[test]
    fn expected_counts_follow_the_rules() {
        let m = manifest();
        let roll: Vec<(String, String)> = (0..300)
            .map(|i| {
                (
                    format!("voter{i}"),
                    ["tallinn", "tartu", "parnu"][i % 3].into(),
                )
            })
            .collect();
        let plan = VotingScript::draw(&m, &roll, 3, Shares::default(), 7);
        assert!(plan.voters.iter().take(3).all(|v| v.revoked && !v.counts()));
        assert!(plan.voters.iter().any(|v| v.votes.len() == 2));
        assert!(!plan.paper_list().is_empty());
        let counts = plan.expected(&m);
        // Plurality in Tallinn: exactly one mark per counted Tallinn voter.
        let tallinn: u64 = (0..4)
            .map(|s| counts[&("tallinn".into(), "parliament-tallinn".into(), s)])
            .sum();
        let counted = plan
            .voters
            .iter()
            .filter(|v| v.district == "tallinn" && v.counts())
            .count();
        assert_eq!(tallinn, counted as u64);
    }
}
