//! A10 (the counting rules recomputed), A11 (the counted ballots are exactly the ones the
//! rules select: every flag opening of `flag-openings.bin` opens its published flag, and the
//! flags that say "counted" are exactly those of the ballots the rules select; by the
//! selection proofs (V18) a flag's branch is its selected ballot's) and A12 (`rule-counts.bin`
//! recomputed).
//!
//! Which submissions are valid is taken from `decisions.bin`, which A07–A09 check leaf by
//! leaf; here the rules of `docs/tally.md` are applied to the valid ones, in log order, with
//! each leaf's voter and receive time from its record (whose hash is `log.bin`'s leaf):
//!
//! 1. an invalid submission changes nothing;
//! 2. a valid one received before the window is a test vote;
//! 3. of a voter's valid submissions in the window the last counts, the earlier are
//!    superseded;
//! 4. a voter on the paper list has all of those cancelled.
//!
//! This is the verifier's own implementation of the rules, independent of the tally's.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ivote_crypto::{Ciphertext, PublicKey};
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::record::counts::{Decisions, LeafDecision, RuleCounts};
use ivote_protocol::record::flag_openings::FlagOpenings;
use ivote_protocol::record::{BALLOTS_FILE, FLAG_OPENINGS_FILE, RULE_COUNTS_FILE};

use super::submissions::BoxPass;
use super::{COUNTED_EXACTLY, RULES, RULE_COUNTS_RECOMPUTED};
use crate::report::{item_file, Failure, Report};

/// The outcome the rules give each leaf, given which leaves are valid (from `decisions`).
pub fn apply(
    pass: &BoxPass,
    decisions: &Decisions,
    paper: &BTreeSet<String>,
    starts: i64,
) -> Vec<LeafDecision> {
    let mut expected: Vec<LeafDecision> = Vec::with_capacity(pass.leaves.len());
    let mut latest: HashMap<u32, usize> = HashMap::new();
    for (i, (leaf, decided)) in pass.leaves.iter().zip(&decisions.outcomes).enumerate() {
        let outcome = match decided {
            LeafDecision::Invalid(code) => LeafDecision::Invalid(code.clone()),
            _ if leaf.received_at < starts => LeafDecision::TestVote,
            _ => {
                if let Some(earlier) = latest.insert(leaf.voter, i) {
                    if let Some(o) = expected.get_mut(earlier) {
                        *o = LeafDecision::Superseded;
                    }
                }
                LeafDecision::Counted
            }
        };
        expected.push(outcome);
    }
    for (o, leaf) in expected.iter_mut().zip(&pass.leaves) {
        let on_paper = pass
            .voters
            .get(leaf.voter as usize)
            .is_some_and(|v| paper.contains(v));
        if on_paper && matches!(o, LeafDecision::Counted | LeafDecision::Superseded) {
            *o = LeafDecision::Cancelled;
        }
    }
    expected
}

/// Runs A10: the rules' outcomes against `decisions.bin`.
pub fn check_rules(
    pass: &BoxPass,
    decisions: &Decisions,
    expected: &[LeafDecision],
    report: &mut Report,
) {
    let failures = pass
        .leaves
        .iter()
        .zip(&decisions.outcomes)
        .zip(expected)
        .enumerate()
        .filter(|(_, ((_, decided), want))| decided != want)
        .map(|(i, ((leaf, decided), want))| Failure {
            item: format!(
                "leaf {i} (voter {})",
                pass.voters
                    .get(leaf.voter as usize)
                    .map(String::as_str)
                    .unwrap_or("?")
            ),
            detail: format!(
                "decisions.bin says {}; the rules give {}",
                decided.describe(),
                want.describe()
            ),
        })
        .collect();
    report.ran(RULES, format!("{} leaves", expected.len()), failures);
}

/// Runs A11: every opening of `flag-openings.bin` is for a valid ballot of `ballots.bin`
/// (`selected`: every valid ballot's hash and flag, in the file's order), one each, and opens
/// its flag; the ballots whose flags open to "counted" are exactly the ballots of the leaves
/// `decisions.bin` counts (each once).
pub fn check_counted(
    pass: &BoxPass,
    decisions: &Decisions,
    openings: &FlagOpenings,
    selected: &[(BallotHash, Ciphertext)],
    key: &PublicKey,
    report: &mut Report,
) {
    let mut failures = Vec::new();
    let item = |hash: &BallotHash| format!("ballot {}", hash.to_hex());
    let flags: BTreeMap<&BallotHash, &Ciphertext> = selected.iter().map(|(h, f)| (h, f)).collect();
    let mut opened: BTreeSet<&BallotHash> = BTreeSet::new();
    let mut counted: BTreeSet<BallotHash> = BTreeSet::new();
    for (hash, opening) in &openings.openings {
        let Some(flag) = flags.get(hash) else {
            failures.push(Failure {
                item: item(hash),
                detail: format!(
                    "{FLAG_OPENINGS_FILE} opens it, but it is not a ballot of {BALLOTS_FILE} \
                     with a selected ballot"
                ),
            });
            continue;
        };
        opened.insert(hash);
        if let Err(e) = opening.check(key, flag) {
            failures.push(Failure {
                item: item(hash),
                detail: format!(
                    "its opening in {FLAG_OPENINGS_FILE} does not open its flag: {e} [{}]",
                    e.code()
                ),
            });
        } else if opening.counted() {
            counted.insert(*hash);
        }
    }
    for (hash, _) in selected {
        if !opened.contains(hash) {
            failures.push(Failure {
                item: item(hash),
                detail: format!("{FLAG_OPENINGS_FILE} has no opening of its flag"),
            });
        }
    }
    let mut by_rules: BTreeMap<BallotHash, Vec<usize>> = BTreeMap::new();
    for (i, (leaf, o)) in pass.leaves.iter().zip(&decisions.outcomes).enumerate() {
        if *o == LeafDecision::Counted {
            by_rules.entry(leaf.ballot_hash).or_default().push(i);
        }
    }
    for (hash, leaves) in &by_rules {
        let names: Vec<String> = leaves.iter().map(|l| format!("leaf {l}")).collect();
        if !counted.contains(hash) {
            failures.push(Failure {
                item: item(hash),
                detail: format!(
                    "counted by the rules ({}) but its flag does not open to \"counted\"",
                    names.join(", ")
                ),
            });
        } else if leaves.len() > 1 {
            failures.push(Failure {
                item: item(hash),
                detail: format!(
                    "counted for {} leaves ({}) but selected once",
                    leaves.len(),
                    names.join(", ")
                ),
            });
        }
    }
    for hash in &counted {
        if !by_rules.contains_key(hash) {
            failures.push(Failure {
                item: item(hash),
                detail: "its flag opens to \"counted\", but no leaf the rules count has this \
                         ballot"
                    .into(),
            });
        }
    }
    report.ran(
        COUNTED_EXACTLY,
        format!(
            "{} flags opened, {} counted",
            openings.openings.len(),
            counted.len()
        ),
        failures,
    );
}

/// The totals of `decisions.bin` (with the paper list), as `rule-counts.bin` must give them.
pub fn totals(pass: &BoxPass, decisions: &Decisions, paper: &BTreeSet<String>) -> RuleCounts {
    let mut c = RuleCounts {
        submissions: decisions.outcomes.len() as u64,
        paper_votes: paper.len() as u64,
        ..RuleCounts::default()
    };
    let mut voters = BTreeSet::new();
    let mut cancelled_voters = BTreeSet::new();
    let mut rejected: BTreeMap<String, u64> = BTreeMap::new();
    for (leaf, o) in pass.leaves.iter().zip(&decisions.outcomes) {
        match o {
            LeafDecision::Counted => c.counted += 1,
            LeafDecision::Superseded => c.superseded += 1,
            LeafDecision::Cancelled => {
                c.cancelled_submissions += 1;
                cancelled_voters.insert(leaf.voter);
            }
            LeafDecision::TestVote => c.test_votes += 1,
            LeafDecision::Invalid(code) => *rejected.entry(code.clone()).or_default() += 1,
        }
        if matches!(
            o,
            LeafDecision::Counted | LeafDecision::Superseded | LeafDecision::Cancelled
        ) {
            voters.insert(leaf.voter);
        }
    }
    c.voters = voters.len() as u64;
    c.cancelled_voters = cancelled_voters.len() as u64;
    c.rejected = rejected.into_iter().collect();
    c
}

/// Runs A12: `rule-counts.bin` field by field against [`totals`].
pub fn check_counts(recorded: &RuleCounts, recomputed: &RuleCounts, report: &mut Report) {
    let fields = [
        ("submissions", recorded.submissions, recomputed.submissions),
        ("voters", recorded.voters, recomputed.voters),
        ("counted", recorded.counted, recomputed.counted),
        ("superseded", recorded.superseded, recomputed.superseded),
        ("test votes", recorded.test_votes, recomputed.test_votes),
        ("paper votes", recorded.paper_votes, recomputed.paper_votes),
        (
            "cancelled voters",
            recorded.cancelled_voters,
            recomputed.cancelled_voters,
        ),
        (
            "cancelled submissions",
            recorded.cancelled_submissions,
            recomputed.cancelled_submissions,
        ),
    ];
    let item = item_file(RULE_COUNTS_FILE);
    let mut failures: Vec<Failure> = fields
        .iter()
        .filter(|(_, a, b)| a != b)
        .map(|(name, a, b)| Failure {
            item: item.clone(),
            detail: format!("{name}: {a}; recomputed from the bundle: {b}"),
        })
        .collect();
    if recorded.rejected != recomputed.rejected {
        let show = |r: &[(String, u64)]| {
            let parts: Vec<String> = r.iter().map(|(c, n)| format!("[{c}] {n}")).collect();
            if parts.is_empty() {
                "none".to_owned()
            } else {
                parts.join(", ")
            }
        };
        failures.push(Failure {
            item,
            detail: format!(
                "rejected: {}; recomputed from the bundle: {}",
                show(&recorded.rejected),
                show(&recomputed.rejected)
            ),
        });
    }
    report.ran(RULE_COUNTS_RECOMPUTED, "9 totals", failures);
}
