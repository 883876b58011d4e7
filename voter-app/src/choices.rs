//! The voter's choices: one value per selection of each contest of their district (the
//! candidates, then the blank option), checked against the contest's rule before anything
//! is encrypted or sent. From the command line (`--choice ID`, `--choice ID=N`,
//! `--choice CONTEST:ID`) or typed at the numbered list.

use ivote_crypto::contest::ContestShape;
use ivote_protocol::manifest::{Candidate, Contest, ContestKind};

use crate::error::AppError;

/// A contest of the voter's ballot with its shape.
pub type BallotContest<'a> = (&'a Contest, &'a ContestShape);

/// The selections of a contest in ballot order: the candidates, then the blank option.
pub fn options(contest: &Contest) -> impl Iterator<Item = &Candidate> {
    contest.candidates.iter().chain(contest.blank.as_ref())
}

/// The contest's rule in words.
pub fn rule(contest: &Contest) -> String {
    match contest.kind {
        ContestKind::Plurality if contest.blank.is_some() => {
            "choose exactly one candidate, or the blank vote".into()
        }
        ContestKind::Plurality => "choose exactly one candidate".into(),
        ContestKind::Approval { min, max } if min == max => format!("choose exactly {max}"),
        ContestKind::Approval { min: 0, max } => format!("choose at most {max}"),
        ContestKind::Approval { min, max } => format!("choose {min} to {max}"),
        ContestKind::Score {
            max_score,
            max_total,
        } => format!("give each a score from 0 to {max_score}, at most {max_total} in total"),
        ContestKind::Cumulative {
            points,
            max_per_candidate,
        } => format!("share up to {points} points, at most {max_per_candidate} to one candidate"),
    }
}

/// Whether the contest takes one mark per option (plurality, approval) rather than numbers.
pub fn is_marking(contest: &Contest) -> bool {
    matches!(
        contest.kind,
        ContestKind::Plurality | ContestKind::Approval { .. }
    )
}

/// Checks one contest's values against its rule (`app.bad_choice`): the message says what
/// is wrong with these choices ("you chose 3; this contest allows at most 2"), in the
/// contest's terms and with its title in `lang`, and then the rule.
pub fn check_contest(
    contest: &Contest,
    shape: &ContestShape,
    values: &[u64],
    lang: &str,
) -> Result<(), AppError> {
    shape.check_choices(values).map_err(|_| {
        let what = what_is_wrong(contest, values, lang)
            .unwrap_or_else(|| "these choices are not allowed".to_owned());
        AppError::refused(
            "app.bad_choice",
            format!(
                "\"{}\": {what} (the rule: {})",
                contest.title.get(lang),
                rule(contest)
            ),
        )
    })
}

/// What breaks the contest's rule in `values`, in words; `None` when nothing the words
/// cover does (the caller then says the choices are not allowed).
fn what_is_wrong(contest: &Contest, values: &[u64], lang: &str) -> Option<String> {
    let named = || options(contest).zip(values);
    let chosen = values.iter().filter(|v| **v > 0).count();
    let total: u64 = values.iter().fold(0u64, |a, v| a.saturating_add(*v));
    let choices = |n: usize| {
        if n == 1 {
            "1 choice".to_owned()
        } else {
            format!("{n} choices")
        }
    };
    match contest.kind {
        ContestKind::Plurality | ContestKind::Approval { .. } => {
            if let Some((o, _)) = named().find(|(_, v)| **v > 1) {
                return Some(format!("{} can be chosen only once", o.name.get(lang)));
            }
            let (min, max) = match contest.kind {
                ContestKind::Approval { min, max } => (min, max),
                _ => (1, 1),
            };
            let n = chosen as u64;
            if n > max {
                Some(format!(
                    "you made {}; this contest allows {} {max}",
                    choices(chosen),
                    if min == max { "exactly" } else { "at most" }
                ))
            } else if n < min && n == 0 {
                Some(format!(
                    "you chose nothing; this contest needs {} {min}",
                    if min == max { "exactly" } else { "at least" }
                ))
            } else if n < min {
                Some(format!(
                    "you made {}; this contest needs {} {min}",
                    choices(chosen),
                    if min == max { "exactly" } else { "at least" }
                ))
            } else {
                None
            }
        }
        ContestKind::Score {
            max_score,
            max_total,
        } => {
            if let Some((o, v)) = named().find(|(_, v)| **v > max_score) {
                Some(format!(
                    "you gave {} a score of {v}; the highest score is {max_score}",
                    o.name.get(lang)
                ))
            } else if total > max_total {
                Some(format!(
                    "your scores add up to {total}; they may add up to at most {max_total}"
                ))
            } else {
                None
            }
        }
        ContestKind::Cumulative {
            points,
            max_per_candidate,
        } => {
            if let Some((o, v)) = named().find(|(_, v)| **v > max_per_candidate) {
                Some(format!(
                    "you gave {} {v} points; one candidate may get at most {max_per_candidate}",
                    o.name.get(lang)
                ))
            } else if total > points {
                Some(format!(
                    "you gave {total} points in all; you have {points} to give"
                ))
            } else {
                None
            }
        }
    }
}

/// The values from `--choice` arguments: `ID` (one mark), `ID=N` (a score or points), each
/// optionally `CONTEST:` first when the id is on several contests. Every contest is then
/// checked against its rule; nothing is sent if one fails.
pub fn from_args(
    contests: &[BallotContest<'_>],
    args: &[String],
    lang: &str,
) -> Result<Vec<Vec<u64>>, AppError> {
    let mut values: Vec<Vec<u64>> = contests
        .iter()
        .map(|(c, _)| vec![0; c.selection_count()])
        .collect();
    for arg in args {
        let (target, value) = match arg.split_once('=') {
            Some((t, n)) => (
                t,
                n.trim().parse::<u64>().map_err(|_| {
                    AppError::refused(
                        "app.bad_choice",
                        format!("in `--choice {arg}`, `{n}` is not a whole number"),
                    )
                })?,
            ),
            None => (arg.as_str(), 1),
        };
        let (contest_id, id) = match target.split_once(':') {
            Some((c, i)) => (Some(c.trim()), i.trim()),
            None => (None, target.trim()),
        };
        let hits: Vec<(usize, usize)> = contests
            .iter()
            .enumerate()
            .filter(|(_, (c, _))| contest_id.is_none_or(|want| c.id.as_str() == want))
            .flat_map(|(ci, (c, _))| {
                options(c)
                    .enumerate()
                    .filter(|(_, o)| o.id.as_str() == id)
                    .map(move |(si, _)| (ci, si))
            })
            .collect();
        let (ci, si) = match hits.as_slice() {
            [one] => *one,
            [] => {
                return Err(AppError::refused(
                    "app.unknown_choice",
                    format!(
                        "`{target}` is not on your ballot; the choices are: {}",
                        all_ids(contests)
                    ),
                ))
            }
            _ => {
                return Err(AppError::refused(
                    "app.ambiguous_choice",
                    format!(
                        "`{id}` is on several contests of your ballot; write it as CONTEST:{id} \
                         (the choices are: {})",
                        all_ids(contests)
                    ),
                ))
            }
        };
        if let Some(slot) = values.get_mut(ci).and_then(|v| v.get_mut(si)) {
            if *slot != 0 {
                return Err(AppError::refused(
                    "app.bad_choice",
                    format!("`{target}` is chosen twice"),
                ));
            }
            *slot = value;
        }
    }
    for ((contest, shape), v) in contests.iter().zip(&values) {
        check_contest(contest, shape, v, lang)?;
    }
    Ok(values)
}

fn all_ids(contests: &[BallotContest<'_>]) -> String {
    contests
        .iter()
        .map(|(c, _)| {
            let ids: Vec<&str> = options(c).map(|o| o.id.as_str()).collect();
            format!("{}: {}", c.id.as_str(), ids.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One contest's values from a line typed at its numbered list: for plurality and approval,
/// the numbers of the chosen options (`2`, `1 3`); for score and cumulative, `NUMBER=VALUE`
/// pairs (`1=3 2=2`). Empty: nothing chosen. Checked against the contest's rule.
pub fn from_line(
    contest: &Contest,
    shape: &ContestShape,
    line: &str,
    lang: &str,
) -> Result<Vec<u64>, AppError> {
    let count = contest.selection_count();
    let mut values = vec![0u64; count];
    let bad = |what: String| AppError::refused("app.bad_choice", what);
    for word in line
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
    {
        let (number, value) = match word.split_once('=') {
            Some((n, v)) if !is_marking(contest) => (
                n,
                v.parse::<u64>()
                    .map_err(|_| bad(format!("`{v}` is not a whole number")))?,
            ),
            Some(_) => {
                return Err(bad(format!(
                    "type only the numbers of your choices, not `{word}`"
                )))
            }
            None if is_marking(contest) => (word, 1),
            None => {
                return Err(bad(format!(
                    "type NUMBER=VALUE for each choice (e.g. 1=2), not `{word}`"
                )))
            }
        };
        let index = number
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=count).contains(n))
            .ok_or_else(|| bad(format!("`{number}` is not a number from 1 to {count}")))?;
        let slot = values
            .get_mut(index - 1)
            .ok_or_else(|| bad(number.to_owned()))?;
        if *slot != 0 {
            return Err(bad(format!("number {index} is given twice")));
        }
        *slot = value;
    }
    check_contest(contest, shape, &values, lang)?;
    Ok(values)
}
