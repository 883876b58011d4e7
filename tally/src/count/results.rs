//! Results for people: per district and in total, as a terminal table, CSV, JSON, and a
//! self-contained HTML page with a bar chart per contest (no script, no external file).

use std::fmt::Write as _;

use ivote_protocol::manifest::Contest;
use ivote_protocol::record::aggregates::Aggregates;
use ivote_protocol::record::results::Results;
use ivote_protocol::ElectionManifest;
use serde::Serialize;

/// One contest's counts in one district, or in total (`district` = "all").
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ContestResult {
    /// District id, or `all` for the total.
    pub district: String,
    /// District name (default language), or `All districts`.
    pub district_name: String,
    /// Contest id.
    pub contest: String,
    /// Contest title (default language).
    pub title: String,
    /// The contest's kind (`plurality`, `approval`, `score`, `cumulative`): marks are shown
    /// as a share of the ballots, points as a share of all points given.
    pub kind: String,
    /// Ballots counted in the district(s).
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

/// The election's results.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ElectionResults {
    /// Election id.
    pub election: String,
    /// Title (default language).
    pub title: String,
    /// Per district, then the totals (contests with the same id in several districts are
    /// added up by candidate id).
    pub contests: Vec<ContestResult>,
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
        let mut counts = aggregates.aggregates.iter().zip(&results.counts);
        let mut contests = Vec::new();
        let mut totals: Vec<ContestResult> = Vec::new();
        for d in manifest.districts() {
            for c in &d.contests {
                let mut r = ContestResult {
                    district: d.id.as_str().to_owned(),
                    district_name: d.name.default_text().to_owned(),
                    contest: c.id.as_str().to_owned(),
                    title: c.title.default_text().to_owned(),
                    kind: c.kind.name().to_owned(),
                    ballots: 0,
                    selections: selections(c),
                };
                for s in &mut r.selections {
                    if let Some((a, v)) = counts.next() {
                        s.votes = *v;
                        r.ballots = a.ballots;
                    }
                }
                if !totals.iter().any(|t| t.contest == r.contest) {
                    totals.push(ContestResult {
                        district: "all".into(),
                        district_name: "All districts".into(),
                        ballots: 0,
                        selections: Vec::new(),
                        ..r.clone()
                    });
                }
                if let Some(total) = totals.iter_mut().find(|t| t.contest == r.contest) {
                    total.ballots += r.ballots;
                    for s in &r.selections {
                        match total.selections.iter_mut().find(|t| t.id == s.id) {
                            Some(t) => t.votes += s.votes,
                            None => total.selections.push(s.clone()),
                        }
                    }
                }
                contests.push(r);
            }
        }
        contests.extend(totals);
        ElectionResults {
            election: manifest.election_id().as_str().to_owned(),
            title: manifest.title().default_text().to_owned(),
            contests,
        }
    }

    /// A table for the terminal.
    pub fn to_table(&self) -> String {
        let mut s = format!("{} ({})\n", self.title, self.election);
        for c in &self.contests {
            let _ = writeln!(
                s,
                "\n{} — {} ({} ballots)",
                c.district_name, c.title, c.ballots
            );
            let width = c
                .selections
                .iter()
                .map(|x| x.name.chars().count())
                .max()
                .unwrap_or(0);
            for x in &c.selections {
                let _ = writeln!(
                    s,
                    "  {:<width$}  {:>9}  {:>6.2}%{}",
                    x.name,
                    x.votes,
                    c.share(x.votes),
                    x.party
                        .as_ref()
                        .map_or(String::new(), |p| format!("  ({p})"))
                );
            }
        }
        s
    }

    /// CSV: `district,contest,candidate,name,party,votes,ballots`.
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
        s
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// A self-contained HTML page: one table and bar chart per contest.
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
        for c in &self.contests {
            let _ = writeln!(
                s,
                "<h2>{} — {}</h2><p>{} ballots counted</p><table>",
                html(&c.district_name),
                html(&c.title),
                c.ballots
            );
            let most = c
                .selections
                .iter()
                .map(|x| x.votes)
                .max()
                .unwrap_or(0)
                .max(1);
            for x in &c.selections {
                let _ = writeln!(
                    s,
                    "<tr><td>{}{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}%</td>\
                     <td style=\"width:50%\"><div class=\"bar\" style=\"width:{:.1}%\"></div></td></tr>",
                    html(&x.name),
                    x.party.as_ref().map_or(String::new(), |p| format!(" <small>({})</small>", html(p))),
                    x.votes,
                    c.share(x.votes),
                    100.0 * x.votes as f64 / most as f64
                );
            }
            s.push_str("</table>\n");
        }
        s.push_str("</body></html>\n");
        s
    }
}

impl ContestResult {
    /// A selection's share in percent: of the ballots for marks (plurality, approval: each
    /// ballot marks a candidate at most once), of all points given for scores and points
    /// (a ballot gives several, so a share of ballots could exceed 100%).
    fn share(&self, votes: u64) -> f64 {
        match self.kind.as_str() {
            "score" | "cumulative" => percent(votes, self.selections.iter().map(|x| x.votes).sum()),
            _ => percent(votes, self.ballots),
        }
    }
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

    fn results() -> ElectionResults {
        ElectionResults {
            election: "e1".into(),
            title: "A <b>&</b> election".into(),
            contests: vec![ContestResult {
                district: "all".into(),
                district_name: "All districts".into(),
                contest: "c1".into(),
                title: "Council".into(),
                kind: "approval".into(),
                ballots: 4,
                selections: vec![
                    SelectionResult {
                        id: "a".into(),
                        name: "Ann, \"the\" first".into(),
                        party: Some("Blue".into()),
                        votes: 3,
                    },
                    SelectionResult {
                        id: "b".into(),
                        name: "Bob".into(),
                        party: None,
                        votes: 1,
                    },
                ],
            }],
        }
    }

    #[test]
    fn every_format_shows_the_counts_and_escapes_names() {
        let r = results();
        let csv = r.to_csv();
        assert!(
            csv.contains("all,c1,a,\"Ann, \"\"the\"\" first\",Blue,3,4\n"),
            "{csv}"
        );
        assert!(csv.contains("all,c1,b,Bob,,1,4\n"), "{csv}");
        let table = r.to_table();
        assert!(
            table.contains("75.00%") && table.contains("(Blue)"),
            "{table}"
        );
        let html = r.to_html();
        assert!(
            html.contains("A &lt;b&gt;&amp;&lt;/b&gt; election"),
            "{html}"
        );
        assert!(
            html.contains("width:100.0%") && html.contains("width:33.3%"),
            "{html}"
        );
        let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(json["contests"][0]["selections"][1]["votes"], 1);
        assert_eq!(percent(1, 0), 0.0);
    }

    #[test]
    fn points_are_shown_as_a_share_of_all_points() {
        let mut r = results();
        r.contests[0].kind = "score".into();
        // 3 of 4 points: 75%, whatever the number of ballots.
        r.contests[0].ballots = 1;
        assert!(r.to_table().contains("75.00%"), "{}", r.to_table());
        r.contests[0].kind = "approval".into();
        // Marks are a share of the ballots.
        assert!(r.to_table().contains("300.00%"), "{}", r.to_table());
    }
}
