//! The paper cancellation list: the id codes of the voters who voted on paper, whose
//! e-votes must therefore not count (docs/tally.md). Read by `tally import` and again by the
//! verifier's audit, with this one parser.
//!
//! Format: a text file, first line `id_code`, then one personal code per line (a trailing
//! `\r`, surrounding spaces and empty lines are ignored). Every code must be on the voter
//! roll and appear once: an unknown or repeated code is a mistake the officials must see and
//! fix (a typo would otherwise let an e-vote count next to a paper vote), so the whole list
//! is refused with every bad line.

use std::collections::BTreeSet;

use super::{voter_id, VoterRoll};

/// The list's first line.
pub const PAPER_LIST_HEADER: &str = "id_code";

/// Parses the list against the roll: the voter ids (`PNOEE-…`) of the listed voters, or
/// every problem, one message per bad line.
pub fn parse_paper_list(bytes: &[u8], roll: &VoterRoll) -> Result<BTreeSet<String>, Vec<String>> {
    let text = std::str::from_utf8(bytes).map_err(|_| vec!["it is not UTF-8 text".to_owned()])?;
    let mut lines = text
        .lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l).trim())
        .enumerate()
        .filter(|(_, l)| !l.is_empty());
    match lines.next() {
        Some((_, PAPER_LIST_HEADER)) => {}
        _ => {
            return Err(vec![format!(
                "the first line must be `{PAPER_LIST_HEADER}`"
            )])
        }
    }
    let mut ids = BTreeSet::new();
    let mut problems = Vec::new();
    for (i, code) in lines {
        let line = i + 1;
        if roll.district_of(code).is_none() {
            problems.push(format!(
                "line {line}: `{code}` is not on the voter roll (a typo? check the paper \
                 poll book)"
            ));
        } else if !ids.insert(voter_id(roll.country(), code)) {
            problems.push(format!("line {line}: `{code}` is listed twice"));
        }
    }
    if problems.is_empty() {
        Ok(ids)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Country, ElectionManifest, WindowCheck};

    fn roll() -> VoterRoll {
        let m = ElectionManifest::from_toml(
            include_str!("../../../docs/examples/minimal-manifest.toml"),
            WindowCheck::AllowPast,
        )
        .unwrap();
        VoterRoll::parse(b"id_code,district\n38001085718,d1\n", Country::EE, &m).unwrap()
    }

    #[test]
    fn known_codes_become_voter_ids_and_every_mistake_is_named() {
        let r = roll();
        let ids = parse_paper_list(b"id_code\r\n38001085718\r\n\n", &r).unwrap();
        assert_eq!(ids.into_iter().collect::<Vec<_>>(), ["PNOEE-38001085718"]);
        let problems =
            parse_paper_list(b"id_code\n38001085718\n49403136526\n38001085718\n", &r).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("line 3: `49403136526` is not on the voter roll"));
        assert!(problems[1].contains("line 4: `38001085718` is listed twice"));
        assert!(parse_paper_list(b"38001085718\n", &r).is_err());
        assert!(parse_paper_list(b"\xff\n", &r).is_err());
        assert!(parse_paper_list(b"id_code\n", &r).unwrap().is_empty());
    }
}
