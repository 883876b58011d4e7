//! The voter's choices: one value per selection of each contest of their district (the
//! candidates, then the blank option), checked against the contest's rule before anything
//! is encrypted or sent. From the command line (`--choice ID`, `--choice ID=N`,
//! `--choice CONTEST:ID`) or typed at the numbered list.

use ivote_crypto::contest::ContestShape;
use ivote_protocol::manifest::{Candidate, Contest, ContestKind};

use crate::error::AppError;
use crate::messages::{fill, text, Lang, Msg};

/// A contest of the voter's ballot with its shape.
pub type BallotContest<'a> = (&'a Contest, &'a ContestShape);

/// The selections of a contest in ballot order: the candidates, then the blank option.
pub fn options(contest: &Contest) -> impl Iterator<Item = &Candidate> {
    contest.candidates.iter().chain(contest.blank.as_ref())
}

/// The contest's rule in words, in the app's language for `lang` ([`Lang::or_english`]).
pub fn rule(contest: &Contest, lang: &str) -> String {
    let ui = Lang::or_english(lang);
    let n = |v: u64| v.to_string();
    match contest.kind {
        ContestKind::Plurality if contest.blank.is_some() => {
            text(Msg::RulePluralityBlank, ui).to_owned()
        }
        ContestKind::Plurality => text(Msg::RulePlurality, ui).to_owned(),
        ContestKind::Approval { min, max } if min == max => {
            fill(Msg::RuleApprovalExactly, ui, &[("max", &n(max))])
        }
        ContestKind::Approval { min: 0, max } => {
            fill(Msg::RuleApprovalAtMost, ui, &[("max", &n(max))])
        }
        ContestKind::Approval { min, max } => fill(
            Msg::RuleApprovalRange,
            ui,
            &[("min", &n(min)), ("max", &n(max))],
        ),
        ContestKind::Score {
            max_score,
            max_total,
        } => fill(
            Msg::RuleScore,
            ui,
            &[("max_score", &n(max_score)), ("max_total", &n(max_total))],
        ),
        ContestKind::Cumulative {
            points,
            max_per_candidate,
        } => fill(
            Msg::RuleCumulative,
            ui,
            &[("points", &n(points)), ("max_per", &n(max_per_candidate))],
        ),
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
/// contest's terms, then the rule, in `lang` (the app's words: [`crate::messages`]).
pub fn check_contest(
    contest: &Contest,
    shape: &ContestShape,
    values: &[u64],
    lang: &str,
) -> Result<(), AppError> {
    shape.check_choices(values).map_err(|_| {
        let ui = Lang::or_english(lang);
        let what = what_is_wrong(contest, values, lang)
            .unwrap_or_else(|| text(Msg::NotAllowed, ui).to_owned());
        AppError::refused(
            "app.bad_choice",
            fill(
                Msg::BadChoice,
                ui,
                &[
                    ("title", contest.title.get(lang)),
                    ("what", &what),
                    ("rule", &rule(contest, lang)),
                ],
            ),
        )
    })
}

/// What breaks the contest's rule in `values`, in words; `None` when nothing the words
/// cover does (the caller then says the choices are not allowed).
fn what_is_wrong(contest: &Contest, values: &[u64], lang: &str) -> Option<String> {
    let ui = Lang::or_english(lang);
    let mut named = options(contest).zip(values);
    let total: u64 = values.iter().fold(0u64, |a, v| a.saturating_add(*v));
    let total_text = total.to_string();
    let say = |msg: Msg, args: &[(&str, &str)]| Some(fill(msg, ui, args));
    match contest.kind {
        ContestKind::Plurality | ContestKind::Approval { .. } => {
            if let Some((o, _)) = named.find(|(_, v)| **v > 1) {
                return say(Msg::OnlyOnce, &[("name", o.name.get(lang))]);
            }
            let (min, max) = match contest.kind {
                ContestKind::Approval { min, max } => (min, max),
                _ => (1, 1),
            };
            let n = values.iter().filter(|v| **v > 0).count() as u64;
            let exact = min == max;
            let (chosen, max_text, min_text) = (n.to_string(), max.to_string(), min.to_string());
            let (too_many, nothing, too_few) = if exact {
                (Msg::TooManyExactly, Msg::NothingExactly, Msg::TooFewExactly)
            } else {
                (Msg::TooManyAtMost, Msg::NothingAtLeast, Msg::TooFewAtLeast)
            };
            if n > max {
                say(too_many, &[("n", &chosen), ("max", &max_text)])
            } else if n == 0 && min > 0 {
                say(nothing, &[("min", &min_text)])
            } else if n < min {
                say(too_few, &[("n", &chosen), ("min", &min_text)])
            } else {
                None
            }
        }
        ContestKind::Score {
            max_score,
            max_total,
        } => {
            if let Some((o, v)) = named.find(|(_, v)| **v > max_score) {
                say(
                    Msg::ScoreTooHigh,
                    &[
                        ("name", o.name.get(lang)),
                        ("value", &v.to_string()),
                        ("max", &max_score.to_string()),
                    ],
                )
            } else if total > max_total {
                say(
                    Msg::ScoresTooMany,
                    &[("total", &total_text), ("max", &max_total.to_string())],
                )
            } else {
                None
            }
        }
        ContestKind::Cumulative {
            points,
            max_per_candidate,
        } => {
            if let Some((o, v)) = named.find(|(_, v)| **v > max_per_candidate) {
                say(
                    Msg::PointsTooMany,
                    &[
                        ("name", o.name.get(lang)),
                        ("value", &v.to_string()),
                        ("max", &max_per_candidate.to_string()),
                    ],
                )
            } else if total > points {
                say(
                    Msg::PointsTooManyInAll,
                    &[("total", &total_text), ("points", &points.to_string())],
                )
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
    let ui = Lang::or_english(lang);
    let bad =
        |msg: Msg, args: &[(&str, &str)]| AppError::refused("app.bad_choice", fill(msg, ui, args));
    for word in line
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
    {
        let (number, value) = match word.split_once('=') {
            Some((n, v)) if !is_marking(contest) => (
                n,
                v.parse::<u64>()
                    .map_err(|_| bad(Msg::NotWholeNumber, &[("value", v)]))?,
            ),
            Some(_) => return Err(bad(Msg::OnlyNumbers, &[("word", word)])),
            None if is_marking(contest) => (word, 1),
            None => return Err(bad(Msg::TypePairs, &[("word", word)])),
        };
        let index = number
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=count).contains(n))
            .ok_or_else(|| {
                bad(
                    Msg::NotInRange,
                    &[("number", number), ("count", &count.to_string())],
                )
            })?;
        if let Some(slot) = values.get_mut(index - 1) {
            if *slot != 0 {
                return Err(bad(Msg::GivenTwice, &[("n", &index.to_string())]));
            }
            *slot = value;
        }
    }
    check_contest(contest, shape, &values, lang)?;
    Ok(values)
}
