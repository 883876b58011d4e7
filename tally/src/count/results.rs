//! Results for people: per district and, where the same contest is held in several districts,
//! in total by party; as a terminal table, CSV, JSON, and a self-contained HTML page with a
//! bar chart per contest (no script, no external file).
//!
//! Contest ids are unique in an election (docs/package-format.md), so one contest is never
//! in two districts: a district's contest is its own total and is shown once. What adds up
//! across districts is a contest held in each of them under the same title and rule (the
//! parliament's "Member of Parliament" in every electoral district): the candidates are
//! other people in each district, so the totals are by party (the party's name in the
//! default language), with the candidates without a party together in one row and the
//! blank votes in another. Nothing else is added up: a total is only made when at least two
//! districts hold the contest, once each, and at least one of its candidates has a party.

use std::fmt::Write as _;

use ivote_protocol::manifest::{Contest, ContestKind, Text};
use ivote_protocol::record::aggregates::Aggregates;
use ivote_protocol::record::results::Results;
use ivote_protocol::ElectionManifest;
use serde::Serialize;

/// What a contest's percentages are shares of.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ShareOf {
    /// Of the ballots counted: plurality and approval in a district (a ballot marks each
    /// option at most once, so no share exceeds 100%).
    Ballots,
    /// Of all marks given: approval contests added up by party (a ballot may mark several
    /// candidates of one party, so a share of the ballots could exceed 100%).
    Marks,
    /// Of all points given: score and cumulative contests (a ballot gives several points).
    Points,
}

impl ShareOf {
    /// The label printed next to the percentages.
    pub fn label(self) -> &'static str {
        match self {
            ShareOf::Ballots => "% = share of the ballots counted",
            ShareOf::Marks => "% = share of all marks given",
            ShareOf::Points => "% = share of all points given",
        }
    }
}

/// One contest's counts in one district.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ContestResult {
    /// District id.
    pub district: String,
    /// District name (default language).
    pub district_name: String,
    /// Contest id.
    pub contest: String,
    /// Contest title (default language).
    pub title: String,
    /// The contest's kind (`plurality`, `approval`, `score`, `cumulative`).
    pub kind: String,
    /// What its percentages are shares of.
    pub share_of: ShareOf,
    /// Ballots counted in the district.
    pub ballots: u64,
    /// Per selection, in ballot order (the blank option last).
    pub selections: Vec<SelectionResult>,
}

/// One candidate's (or the blank option's) count.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SelectionResult {
    /// Candidate id.
    pub id: String,
    /// Name (default language).
    pub name: String,
    /// Party, if any.
    pub party: Option<String>,
    /// The count.
    pub votes: u64,
}

/// A contest held in several districts, added up by party (see the module docs).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TotalResult {
    /// The contests' title (default language).
    pub title: String,
    /// Their kind.
    pub kind: String,
    /// What the percentages are shares of.
    pub share_of: ShareOf,
    /// The contests added up, one per district, in manifest order.
    pub contests: Vec<String>,
    /// Their districts' names (default language), in the same order.
    pub district_names: Vec<String>,
    /// Ballots counted in those districts.
    pub ballots: u64,
    /// Each party in order of first appearance, then the candidates without a party, then
    /// the blank votes.
    pub rows: Vec<TotalRow>,
}

/// What a row of a total adds up.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RowKind {
    /// Every candidate of one party.
    Party,
    /// Every candidate without a party.
    Independents,
    /// The blank votes.
    Blank,
}

/// One row of a total.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TotalRow {
    /// What it adds up.
    pub kind: RowKind,
    /// The party's name, `Candidates without a party`, or the blank option's name.
    pub name: String,
    /// The sum.
    pub votes: u64,
}

/// The election's results.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ElectionResults {
    /// Election id.
    pub election: String,
    /// Title (default language).
    pub title: String,
    /// Per district and contest, in manifest order.
    pub contests: Vec<ContestResult>,
    /// The contests held in several districts, added up by party.
    pub totals: Vec<TotalResult>,
}

/// The name of the row of the candidates without a party.
const INDEPENDENTS: &str = "Candidates without a party";

fn share_of(kind: &ContestKind, by_party: bool) -> ShareOf {
    match kind {
        ContestKind::Score { .. } | ContestKind::Cumulative { .. } => ShareOf::Points,
        ContestKind::Approval { .. } if by_party => ShareOf::Marks,
        ContestKind::Plurality | ContestKind::Approval { .. } => ShareOf::Ballots,
    }
}

fn selections(c: &Contest) -> Vec<SelectionResult> {
    c.candidates
        .iter()
        .chain(&c.blank)
        .map(|k| SelectionResult {
            id: k.id.as_str().to_owned(),
            name: k.name.default_text().to_owned(),
            party: k.party.as_ref().map(|p| p.default_text().to_owned()),
            votes: 0,
        })
        .collect()
}

impl ElectionResults {
    /// Puts the counts (in aggregate order) next to the manifest's names.
    pub fn new(manifest: &ElectionManifest, aggregates: &Aggregates, results: &Results) -> Self {
        let ballots = aggregates.aggregates.iter().map(|a| a.ballots);
        ElectionResults::from_counts(manifest, ballots.zip(results.counts.iter().copied()))
    }

    /// From (ballots counted, count) per selection, in aggregate order: the manifest's
    /// districts, their contests, their selections.
    fn from_counts(
        manifest: &ElectionManifest,
        mut counts: impl Iterator<Item = (u64, u64)>,
    ) -> Self {
        let mut contests = Vec::new();
        for d in manifest.districts() {
            for c in &d.contests {
                let mut r = ContestResult {
                    district: d.id.as_str().to_owned(),
                    district_name: d.name.default_text().to_owned(),
                    contest: c.id.as_str().to_owned(),
                    title: c.title.default_text().to_owned(),
                    kind: c.kind.name().to_owned(),
                    share_of: share_of(&c.kind, false),
                    ballots: 0,
                    selections: selections(c),
                };
                for s in &mut r.selections {
                    if let Some((ballots, votes)) = counts.next() {
                        s.votes = votes;
                        r.ballots = ballots;
                    }
                }
                contests.push(r);
            }
        }
        ElectionResults {
            election: manifest.election_id().as_str().to_owned(),
            title: manifest.title().default_text().to_owned(),
            totals: totals(manifest, &contests),
            contests,
        }
    }

    /// Every contest's section (districts, then totals), as the table and the page show
    /// them.
    fn sections(&self) -> impl Iterator<Item = Section<'_>> {
        let districts = self.contests.iter().map(|c| Section {
            heading: format!("{} — {}", c.district_name, c.title),
            ballots: c.ballots,
            share_of: c.share_of,
            rows: c
                .selections
                .iter()
                .map(|x| (x.name.as_str(), x.party.as_deref(), x.votes))
                .collect(),
        });
        let totals = self.totals.iter().map(|t| Section {
            heading: format!(
                "All districts ({}) — {}, by party",
                t.district_names.join(", "),
                t.title
            ),
            ballots: t.ballots,
            share_of: t.share_of,
            rows: t
                .rows
                .iter()
                .map(|r| (r.name.as_str(), None, r.votes))
                .collect(),
        });
        districts.chain(totals)
    }

    /// A table for the terminal.
    pub fn to_table(&self) -> String {
        let mut s = format!("{} ({})\n", self.title, self.election);
        for c in self.sections() {
            let _ = writeln!(
                s,
                "\n{} ({} ballots; {})",
                c.heading,
                c.ballots,
                c.share_of.label()
            );
            let width = c
                .rows
                .iter()
                .map(|(name, _, _)| name.chars().count())
                .max()
                .unwrap_or(0);
            for &(name, party, votes) in &c.rows {
                let _ = writeln!(
                    s,
                    "  {name:<width$}  {votes:>9}  {:>6.2}%{}",
                    c.share(votes),
                    party.map_or(String::new(), |p| format!("  ({p})"))
                );
            }
        }
        s
    }

    /// CSV: `district,contest,candidate,name,party,votes,ballots`: a row per candidate and
    /// district, then the totals' rows: district `all`, the contests added up joined by `+`,
    /// no candidate id, the party's name (or `Candidates without a party`, or the blank
    /// option's name). Add up the district rows or read the `all` rows, never both.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("district,contest,candidate,name,party,votes,ballots\n");
        for c in &self.contests {
            for x in &c.selections {
                let _ = writeln!(
                    s,
                    "{},{},{},{},{},{},{}",
                    csv_field(&c.district),
                    csv_field(&c.contest),
                    csv_field(&x.id),
                    csv_field(&x.name),
                    csv_field(x.party.as_deref().unwrap_or("")),
                    x.votes,
                    c.ballots
                );
            }
        }
        for t in &self.totals {
            for r in &t.rows {
                let party = if r.kind == RowKind::Party {
                    r.name.as_str()
                } else {
                    ""
                };
                let _ = writeln!(
                    s,
                    "all,{},,{},{},{},{}",
                    csv_field(&t.contests.join("+")),
                    csv_field(&r.name),
                    csv_field(party),
                    r.votes,
                    t.ballots
                );
            }
        }
        s
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// A self-contained HTML page: one table and bar chart per contest. A bar's length is
    /// the percentage next to it (a share of the whole, as results pages show it), not a
    /// length relative to the leader.
    pub fn to_html(&self) -> String {
        let mut s = format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\
             body{{font-family:sans-serif;max-width:60em;margin:2em auto}}\
             table{{border-collapse:collapse;width:100%}}td{{padding:2px 6px}}\
             .bar{{background:#2a6ebb;height:1em}}.n{{text-align:right}}</style></head><body>\n\
             <h1>{}</h1>\n",
            html(&self.title),
            html(&self.title)
        );
        for c in self.sections() {
            let _ = writeln!(
                s,
                "<h2>{}</h2><p>{} ballots counted; {}</p><table>",
                html(&c.heading),
                c.ballots,
                html(c.share_of.label())
            );
            for &(name, party, votes) in &c.rows {
                let share = c.share(votes);
                let _ = writeln!(
                    s,
                    "<tr><td>{}{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}%</td>\
                     <td style=\"width:50%\"><div class=\"bar\" style=\"width:{:.1}%\"></div></td></tr>",
                    html(name),
                    party.map_or(String::new(), |p| format!(" <small>({})</small>", html(p))),
                    votes,
                    share,
                    share.min(100.0)
                );
            }
            s.push_str("</table>\n");
        }
        s.push_str("</body></html>\n");
        s
    }
}

/// A contest as the table and the page show it: rows of (name, party, votes).
struct Section<'a> {
    heading: String,
    ballots: u64,
    share_of: ShareOf,
    rows: Vec<(&'a str, Option<&'a str>, u64)>,
}

impl Section<'_> {
    /// A row's share in percent (see [`ShareOf`]).
    fn share(&self, votes: u64) -> f64 {
        match self.share_of {
            ShareOf::Ballots => percent(votes, self.ballots),
            ShareOf::Marks | ShareOf::Points => {
                percent(votes, self.rows.iter().map(|(_, _, v)| v).sum())
            }
        }
    }
}

/// The contests held in several districts under the same title and rule, added up by party
/// (the module docs say when).
fn totals(manifest: &ElectionManifest, contests: &[ContestResult]) -> Vec<TotalResult> {
    // The manifest's contests, in the same order as `contests`.
    let held: Vec<&Contest> = manifest
        .districts()
        .iter()
        .flat_map(|d| &d.contests)
        .collect();
    let mut groups: Vec<(&ContestKind, &Text, Vec<usize>)> = Vec::new();
    for (i, c) in held.iter().enumerate() {
        match groups
            .iter_mut()
            .find(|(kind, title, _)| **kind == c.kind && **title == c.title)
        {
            Some((_, _, members)) => members.push(i),
            None => groups.push((&c.kind, &c.title, vec![i])),
        }
    }
    let mut totals = Vec::new();
    for (kind, _, members) in groups {
        let results: Vec<&ContestResult> =
            members.iter().filter_map(|&i| contests.get(i)).collect();
        let mut districts: Vec<&str> = results.iter().map(|r| r.district.as_str()).collect();
        districts.sort_unstable();
        districts.dedup();
        let has_party = results
            .iter()
            .any(|r| r.selections.iter().any(|s| s.party.is_some()));
        if results.len() < 2 || districts.len() != results.len() || !has_party {
            continue;
        }
        let mut parties: Vec<TotalRow> = Vec::new();
        let mut independents: Option<u64> = None;
        let mut blank: Option<TotalRow> = None;
        for (&i, r) in members.iter().zip(&results) {
            let blank_id = held
                .get(i)
                .and_then(|c| c.blank.as_ref())
                .map(|b| b.id.as_str());
            for s in &r.selections {
                if Some(s.id.as_str()) == blank_id {
                    blank
                        .get_or_insert_with(|| TotalRow {
                            kind: RowKind::Blank,
                            name: s.name.clone(),
                            votes: 0,
                        })
                        .votes += s.votes;
                } else if let Some(party) = &s.party {
                    match parties.iter_mut().find(|p| &p.name == party) {
                        Some(p) => p.votes += s.votes,
                        None => parties.push(TotalRow {
                            kind: RowKind::Party,
                            name: party.clone(),
                            votes: s.votes,
                        }),
                    }
                } else {
                    *independents.get_or_insert(0) += s.votes;
                }
            }
        }
        let mut rows = parties;
        rows.extend(independents.map(|votes| TotalRow {
            kind: RowKind::Independents,
            name: INDEPENDENTS.into(),
            votes,
        }));
        rows.extend(blank);
        totals.push(TotalResult {
            title: results.first().map(|r| r.title.clone()).unwrap_or_default(),
            kind: kind.name().to_owned(),
            share_of: share_of(kind, true),
            contests: results.iter().map(|r| r.contest.clone()).collect(),
            district_names: results.iter().map(|r| r.district_name.clone()).collect(),
            ballots: results.iter().map(|r| r.ballots).sum(),
            rows,
        });
    }
    totals
}

fn percent(votes: u64, ballots: u64) -> f64 {
    if ballots == 0 {
        0.0
    } else {
        100.0 * votes as f64 / ballots as f64
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ivote_testkit::manifest;

    /// The example manifest's results (docs/examples/manifest.toml): Tallinn's and Tartu's
    /// "Member of Parliament" (plurality, parties), Tartu's projects (approval), Pärnu's
    /// council (cumulative) and festival (score).
    fn example() -> ElectionResults {
        let m = manifest::load(manifest::EXAMPLE);
        #[rustfmt::skip]
        let counts: [(u64, u64); 15] = [
            // Tallinn, 10 ballots: 101 (Green) 4, 102 (Coast) 3, 103 (no party) 2, blank 1.
            (10, 4), (10, 3), (10, 2), (10, 1),
            // Tartu, 6 ballots: 201 (Green) 1, 202 (Coast) 5; projects park 6, library 3,
            // bridge 0.
            (6, 1), (6, 5), (6, 6), (6, 3), (6, 0),
            // Pärnu, 2 ballots: council 3, 5, 2 points; festival 4, 4.
            (2, 3), (2, 5), (2, 2), (2, 4), (2, 4),
            // (one more than the manifest's selections: ignored)
            (0, 99),
        ];
        ElectionResults::from_counts(&m, counts.into_iter())
    }

    /// The count and percentage on the table's (last) line of `name`.
    fn row(table: &str, name: &str) -> Vec<String> {
        table
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix(name))
            .next_back()
            .map(|rest| rest.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_contest_held_in_several_districts_is_added_up_by_party_and_no_other_is_repeated() {
        let r = example();
        assert_eq!(r.contests.len(), 5);
        assert_eq!(r.totals.len(), 1, "{:#?}", r.totals);
        let t = &r.totals[0];
        assert_eq!(t.contests, ["parliament-tallinn", "parliament-tartu"]);
        assert_eq!(t.ballots, 16);
        let rows: Vec<(RowKind, &str, u64)> = t
            .rows
            .iter()
            .map(|x| (x.kind, x.name.as_str(), x.votes))
            .collect();
        assert_eq!(
            rows,
            [
                (RowKind::Party, "Green Party", 5),
                (RowKind::Party, "Party of the Coast", 8),
                (RowKind::Independents, "Candidates without a party", 2),
                (RowKind::Blank, "Blank vote", 1),
            ]
        );
        let table = r.to_table();
        assert!(
            table.contains(
                "All districts (Tallinn, Tartu) — Member of Parliament, by party (16 ballots; \
                 % = share of the ballots counted)"
            ),
            "{table}"
        );
        // 8 of 16 ballots.
        assert_eq!(
            row(&table, "Party of the Coast"),
            ["8", "50.00%"],
            "{table}"
        );
        // Each district's contest once: no section repeats one.
        assert_eq!(table.matches("City projects to fund").count(), 1, "{table}");
        assert_eq!(table.matches("Town council").count(), 1, "{table}");
    }

    #[test]
    fn the_csv_total_rows_are_the_party_sums_and_never_repeat_a_district_row() {
        let csv = example().to_csv();
        assert!(csv.contains("tartu,parliament-tartu,202,Somchai Jaidee,Party of the Coast,5,6\n"));
        assert!(
            csv.contains("all,parliament-tallinn+parliament-tartu,,Party of the Coast,Party of the Coast,8,16\n"),
            "{csv}"
        );
        assert!(csv.contains(
            "all,parliament-tallinn+parliament-tartu,,Candidates without a party,,2,16\n"
        ));
        // The district rows' votes, added up, are the election's: every `all` row adds up
        // district rows (parliament: 4+3+2+1+1+5 = 16 votes), never a copy of one.
        let all: u64 = csv
            .lines()
            .filter(|l| l.starts_with("all,"))
            .filter_map(|l| l.rsplit(',').nth(1)?.parse::<u64>().ok())
            .sum();
        assert_eq!(all, 16, "{csv}");
        assert!(!csv.contains("all,city-projects-tartu"), "{csv}");
        assert!(!csv.contains("all,council-parnu"), "{csv}");
    }

    #[test]
    fn percentages_say_what_they_are_shares_of() {
        let r = example();
        let table = r.to_table();
        // Pärnu's council: 3 + 5 + 2 = 10 points; Malee Srisuk's 5 are 50% of them.
        assert!(
            table.contains("Pärnu — Town council (2 ballots; % = share of all points given)"),
            "{table}"
        );
        assert_eq!(row(&table, "Malee Srisuk"), ["5", "50.00%"], "{table}");
        assert!(
            table.contains(
                "Tartu — City projects to fund (6 ballots; % = share of the ballots counted)"
            ),
            "{table}"
        );
        // River park: on all 6 ballots.
        assert_eq!(row(&table, "River park"), ["6", "100.00%"], "{table}");
        let html = r.to_html();
        assert!(
            html.contains("2 ballots counted; % = share of all points given"),
            "{html}"
        );
        let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(json["contests"][3]["share_of"], "points");
        assert_eq!(json["totals"][0]["share_of"], "ballots");
        assert_eq!(json["totals"][0]["rows"][1]["votes"], 8);
    }

    #[test]
    fn html_bars_are_the_share_of_the_whole_and_names_are_escaped() {
        let mut r = example();
        r.title = "A <b>&</b> election".into();
        let html = r.to_html();
        assert!(
            html.contains("A &lt;b&gt;&amp;&lt;/b&gt; election"),
            "{html}"
        );
        // Tallinn: 4 of 10 ballots is a 40% bar (not 100%: it leads), 1 of 10 a 10% bar.
        let tallinn = html
            .split("<h2>")
            .find(|s| s.starts_with("Tallinn"))
            .unwrap();
        assert!(
            tallinn.contains("<td class=\"n\">40.00%</td><td style=\"width:50%\"><div class=\"bar\" style=\"width:40.0%\">"),
            "{tallinn}"
        );
        assert!(tallinn.contains("style=\"width:10.0%\""), "{tallinn}");
        assert!(!tallinn.contains("width:100.0%"), "{tallinn}");
        assert_eq!(percent(1, 0), 0.0);
    }

    #[test]
    fn no_total_without_parties_or_for_one_district() {
        // The council example: two districts, each its own council, no parties.
        let m = manifest::load(manifest::COUNCIL);
        let r = ElectionResults::from_counts(&m, std::iter::repeat((2, 1)));
        assert!(r.totals.is_empty(), "{:#?}", r.totals);
        assert!(!r.to_csv().contains("\nall,"), "{}", r.to_csv());
        assert!(!r.to_table().contains("All districts"), "{}", r.to_table());
    }
}
