//! The example manifests of `docs/examples/` (the ones the documentation explains), and
//! variants made from them in code where a test needs another voting window.

use ivote_protocol::manifest::WindowCheck;
use ivote_protocol::ElectionManifest;

/// `docs/examples/manifest.toml`: three districts (names in English, Estonian and Thai)
/// with a plurality, an approval, a cumulative and a score contest; voting from
/// 2027-02-22T07:00:00Z to 2027-02-28T18:00:00Z.
pub const EXAMPLE: &str = include_str!("../../docs/examples/manifest.toml");

/// `docs/examples/minimal-manifest.toml`: one district, one plurality contest of two
/// candidates; the same window as [`EXAMPLE`].
pub const MINIMAL: &str = include_str!("../../docs/examples/minimal-manifest.toml");

/// `docs/examples/two-districts-manifest.toml`: two districts with one plurality contest
/// each, the second with a blank option; the same window as [`EXAMPLE`].
pub const TWO_DISTRICTS: &str = include_str!("../../docs/examples/two-districts-manifest.toml");

/// `docs/examples/council-manifest.toml`: two districts with one council (plurality)
/// contest each, the first with a blank option; the same window as [`EXAMPLE`].
pub const COUNCIL: &str = include_str!("../../docs/examples/council-manifest.toml");

/// The examples' `voting_starts`, 2027-02-22T07:00:00Z, in Unix seconds.
pub const EXAMPLE_STARTS: i64 = 1_803_279_600;
/// The examples' `voting_ends`, 2027-02-28T18:00:00Z, in Unix seconds.
pub const EXAMPLE_ENDS: i64 = 1_803_837_600;

/// RFC 3339 (UTC, whole seconds) of Unix seconds.
pub fn rfc3339(unix: i64) -> String {
    let t = jiff::Timestamp::from_second(unix).expect("a time in range");
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `toml` (one of the examples) with its voting window replaced: voting from `starts` to
/// `ends` (Unix seconds). Every other line is kept as it is.
pub fn with_window(toml: &str, starts: i64, ends: i64) -> String {
    let mut out = String::with_capacity(toml.len());
    for line in toml.lines() {
        if line.starts_with("voting_starts") {
            out.push_str(&format!("voting_starts = \"{}\"\n", rfc3339(starts)));
        } else if line.starts_with("voting_ends") {
            out.push_str(&format!("voting_ends = \"{}\"\n", rfc3339(ends)));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `toml` with voting open now: from a day ago to two days ahead (tests that vote against
/// a running collector).
pub fn open_now(toml: &str) -> String {
    const DAY: i64 = 86_400;
    let now = jiff::Timestamp::now().as_second();
    with_window(toml, now - DAY, now + 2 * DAY)
}

/// `toml` loaded as a manifest, whatever its window (tests only: a broken example panics).
pub fn load(toml: &str) -> ElectionManifest {
    ElectionManifest::from_toml(toml, WindowCheck::AllowPast)
        .unwrap_or_else(|e| panic!("the test manifest does not load: {e}"))
}

/// A generated manifest `election_id` for benchmarks and load runs: one district per entry
/// of `districts` (`d1`, `d2`, ...), each with one plurality contest (`c1`, `c2`, ..., no
/// blank option) of that many candidates, numbered from 100 across the whole election (as
/// Estonian candidates are numbered nationally); English only, time zone UTC; voting from
/// `starts` to `ends` (Unix seconds). An error if a time is out of range.
pub fn plurality(
    election_id: &str,
    districts: &[usize],
    starts: i64,
    ends: i64,
) -> Result<String, String> {
    let time = |t: i64| {
        jiff::Timestamp::from_second(t)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    };
    let total: usize = districts.iter().sum();
    let mut s = format!(
        "election_id = \"{election_id}\"\nlanguages = [\"en\"]\ndefault_language = \"en\"\n\
         time_zone = \"UTC\"\nvoting_starts = \"{}\"\nvoting_ends = \"{}\"\n\
         title = {{ en = \"Load test, {total} candidates\" }}\n",
        time(starts)?,
        time(ends)?
    );
    let mut number = 0;
    for (d, &candidates) in districts.iter().enumerate() {
        let d = d + 1;
        s.push_str(&format!(
            "\n[[districts]]\nid = \"d{d}\"\nname = {{ en = \"District {d}\" }}\n\n\
             [[districts.contests]]\nid = \"c{d}\"\nkind = \"plurality\"\n\
             title = {{ en = \"Contest {d}\" }}\n"
        ));
        for _ in 0..candidates {
            s.push_str(&format!(
                "\n[[districts.contests.candidates]]\nid = \"{}\"\nname = \"Candidate {}\"\n",
                100 + number,
                number
            ));
            number += 1;
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_load_and_their_window_is_the_constants() {
        for toml in [EXAMPLE, MINIMAL, TWO_DISTRICTS, COUNCIL] {
            let m = load(toml);
            assert_eq!(m.voting_starts().as_second(), EXAMPLE_STARTS);
            assert_eq!(m.voting_ends().as_second(), EXAMPLE_ENDS);
        }
    }

    #[test]
    fn with_window_moves_only_the_window() {
        let moved = with_window(EXAMPLE, 1_000_000_000, 1_000_086_400);
        let m = load(&moved);
        assert_eq!(m.voting_starts().as_second(), 1_000_000_000);
        assert_eq!(m.voting_ends().as_second(), 1_000_086_400);
        assert_eq!(m.districts(), load(EXAMPLE).districts());
        assert_eq!(moved.lines().count(), EXAMPLE.lines().count());
    }

    #[test]
    fn plurality_numbers_candidates_across_districts() {
        let m = load(&plurality("bench", &[2, 3], EXAMPLE_STARTS, EXAMPLE_ENDS).unwrap());
        let ids: Vec<&str> = m.districts().iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["d1", "d2"]);
        assert_eq!(m.election_id().as_str(), "bench");
    }
}
