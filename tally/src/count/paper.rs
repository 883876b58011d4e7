//! The paper cancellation list (format and parser: `ivote_protocol::roll::paper_list`), as
//! the count refuses it.

use std::collections::BTreeSet;

use ivote_protocol::roll::parse_paper_list;
use ivote_protocol::VoterRoll;

use super::error::CountError;

/// Parses the list against the roll; returns the voter ids (`PNOEE-…`) of the listed voters,
/// or refuses the whole list naming every bad line (`tally.paper_list`).
pub fn parse(file: &str, bytes: &[u8], roll: &VoterRoll) -> Result<BTreeSet<String>, CountError> {
    parse_paper_list(bytes, roll).map_err(|problems| CountError::PaperList {
        file: file.to_owned(),
        detail: problems.join("; "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ivote_protocol::{Country, ElectionManifest, WindowCheck};

    fn roll() -> VoterRoll {
        let m = ElectionManifest::from_toml(
            include_str!("../../../docs/examples/minimal-manifest.toml"),
            WindowCheck::AllowPast,
        )
        .unwrap();
        VoterRoll::parse(b"id_code,district\n38001085718,d1\n", Country::EE, &m).unwrap()
    }

    #[test]
    fn a_list_with_mistakes_is_refused_naming_every_line() {
        let r = roll();
        assert_eq!(
            parse("p.csv", b"id_code\n38001085718\n", &r).unwrap().len(),
            1
        );
        let e = parse(
            "p.csv",
            b"id_code\n38001085718\n49403136526\n38001085718\n",
            &r,
        )
        .unwrap_err();
        assert_eq!(e.code(), "tally.paper_list");
        let m = e.to_string();
        assert!(
            m.contains("p.csv") && m.contains("line 3") && m.contains("line 4"),
            "{m}"
        );
    }
}
