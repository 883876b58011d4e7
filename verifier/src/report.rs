//! The verifier's report: one entry per check of `docs/verification.md`, in its order, each
//! passed, failed (with every failing item and what differed), skipped (because a check it
//! depends on failed) or not run (its input could not be read). Rendered as text for people
//! and as JSON (`--json`, format `ivote-verifier-report-v1`) for machines.

use serde::Serialize;

/// A check of the catalogue: its stable id and its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Check {
    /// The stable id, e.g. `V07`.
    pub id: &'static str,
    /// What it checks, in a few words.
    pub name: &'static str,
}

/// What came of one check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// Everything it checks verified.
    Passed,
    /// At least one item did not verify (see the failures).
    Failed,
    /// Not evaluated because a check it depends on failed or did not run.
    Skipped {
        /// Which, and why.
        reason: String,
    },
    /// Its input could not be read (missing or unreadable file).
    NotRun {
        /// The file and the system's message.
        reason: String,
    },
}

/// One failing item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// What failed: a file, a ballot (its hash), a trustee, a district/contest/selection.
    pub item: String,
    /// What differed, in words.
    pub detail: String,
}

/// One check's entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// The stable id.
    pub id: &'static str,
    /// The name.
    pub name: &'static str,
    /// The outcome.
    #[serde(flatten)]
    pub status: Status,
    /// What was covered when it ran, e.g. "324301 ballots".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub covered: Option<String>,
    /// Every failing item (empty unless failed).
    pub failures: Vec<Failure>,
}

/// One count the verifier recomputed itself (V13) from the trustees' decryption shares: what
/// an observer reads instead of the officials' `tally results`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifiedCount {
    /// The district id.
    pub district: String,
    /// The contest id.
    pub contest: String,
    /// The selection's position in the contest (candidates in manifest order, blank last).
    pub selection: u32,
    /// The candidate's id in the manifest (`blank`'s id for the blank option).
    pub candidate: String,
    /// How many counted ballots of the district the count adds up.
    pub ballots: u64,
    /// The count: votes, or points for score and cumulative contests.
    pub count: u64,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// `ivote-verifier-report-v1`.
    pub format: &'static str,
    /// `check`, `receipt` or `audit`.
    pub command: &'static str,
    /// Whether the officials' key was given on the command line (`--officials-key`). When
    /// not, the record was checked with its own `officials-key.hex`: it is shown to be
    /// consistent with itself, not to be the officials' record, and the verdict says so.
    pub officials_key_pinned: bool,
    /// Things the reader must know to trust the outcome (e.g. where the officials' key came
    /// from).
    pub notes: Vec<String>,
    /// One entry per check of the command, in catalogue order.
    pub checks: Vec<CheckReport>,
    /// The counts the verifier recomputed (V13), in `aggregates.bin` order, when V13 and
    /// every check before it passed; empty otherwise. `results.bin` (V14) should hold them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<VerifiedCount>,
}

/// Counts per status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Checks that passed.
    pub passed: usize,
    /// Checks that failed.
    pub failed: usize,
    /// Checks skipped because of another.
    pub skipped: usize,
    /// Checks whose input could not be read.
    pub not_run: usize,
}

/// The report format's name.
pub const REPORT_FORMAT: &str = "ivote-verifier-report-v1";
/// How many failures per check the text report prints (the JSON report has them all).
const TEXT_FAILURES: usize = 20;

impl Report {
    /// A report whose checks are all "not run" until recorded.
    pub fn new(command: &'static str, catalogue: &[Check]) -> Report {
        Report {
            format: REPORT_FORMAT,
            command,
            officials_key_pinned: false,
            notes: Vec::new(),
            checks: catalogue
                .iter()
                .map(|c| CheckReport {
                    id: c.id,
                    name: c.name,
                    status: Status::NotRun {
                        reason: "not reached".into(),
                    },
                    covered: None,
                    failures: Vec::new(),
                })
                .collect(),
            counts: Vec::new(),
        }
    }

    fn entry(&mut self, check: Check) -> Option<&mut CheckReport> {
        self.checks.iter_mut().find(|c| c.id == check.id)
    }

    /// Records a check that ran: passed if `failures` is empty, failed otherwise.
    pub fn ran(&mut self, check: Check, covered: impl Into<String>, failures: Vec<Failure>) {
        if let Some(e) = self.entry(check) {
            e.status = if failures.is_empty() {
                Status::Passed
            } else {
                Status::Failed
            };
            e.covered = Some(covered.into());
            e.failures = failures;
        }
    }

    /// Records a check that could verify only part of what it covers, because an earlier
    /// check found the rest unreadable or undecodable (`unchecked` says what, and why). It
    /// never passes: it fails with `failures` and one more item for the unchecked part when
    /// the part it checked has failures, and is skipped (the reason being `unchecked`)
    /// otherwise. `covered` says what it did check.
    pub fn ran_partly(
        &mut self,
        check: Check,
        covered: impl Into<String>,
        mut failures: Vec<Failure>,
        unchecked: Failure,
    ) {
        let covered = covered.into();
        if failures.is_empty() {
            self.skipped(check, format!("{}: {}", unchecked.item, unchecked.detail));
            if let Some(e) = self.entry(check) {
                e.covered = Some(covered);
            }
        } else {
            failures.push(unchecked);
            self.ran(check, covered, failures);
        }
    }

    /// Records a check that failed on one item.
    pub fn failed(&mut self, check: Check, item: impl Into<String>, detail: impl Into<String>) {
        let failure = Failure {
            item: item.into(),
            detail: detail.into(),
        };
        self.ran(check, String::new(), vec![failure]);
        if let Some(e) = self.entry(check) {
            e.covered = None;
        }
    }

    /// Records a check skipped because of another.
    pub fn skipped(&mut self, check: Check, reason: impl Into<String>) {
        if let Some(e) = self.entry(check) {
            e.status = Status::Skipped {
                reason: reason.into(),
            };
        }
    }

    /// Records a check whose input could not be read.
    pub fn not_run(&mut self, check: Check, reason: impl Into<String>) {
        if let Some(e) = self.entry(check) {
            e.status = Status::NotRun {
                reason: reason.into(),
            };
        }
    }

    /// Whether `check` passed.
    pub fn passed(&self, check: Check) -> bool {
        self.status(check) == Some(&Status::Passed)
    }

    /// The status of `check`.
    pub fn status(&self, check: Check) -> Option<&Status> {
        self.checks
            .iter()
            .find(|c| c.id == check.id)
            .map(|c| &c.status)
    }

    /// Counts per status.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.checks {
            match c.status {
                Status::Passed => s.passed += 1,
                Status::Failed => s.failed += 1,
                Status::Skipped { .. } => s.skipped += 1,
                Status::NotRun { .. } => s.not_run += 1,
            }
        }
        s
    }

    /// The process exit status: 0 when every check passed, 2 when a check could not run
    /// (the record is incomplete or unreadable: fix the download first), 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        let s = self.summary();
        if s.not_run > 0 {
            2
        } else if s.failed > 0 || s.skipped > 0 {
            1
        } else {
            0
        }
    }

    /// The verdict: `VERIFIED`, `NOT VERIFIED` or `INCOMPLETE` (as the exit status says),
    /// followed, when the officials' key was not given, by a warning that it was not pinned.
    pub fn verdict(&self) -> String {
        let verdict = match self.exit_code() {
            0 => "VERIFIED",
            1 => "NOT VERIFIED",
            _ => "INCOMPLETE",
        };
        if self.officials_key_pinned {
            verdict.to_owned()
        } else {
            format!(
                "{verdict} (officials' key NOT pinned: checked with the record's own \
                 officials-key.hex, so the record is only shown to be consistent with itself; \
                 pass --officials-key with the key the officials published)"
            )
        }
    }

    /// The one-line summary.
    pub fn summary_line(&self) -> String {
        let s = self.summary();
        let verdict = self.verdict();
        format!(
            "{verdict}: {} of {} checks passed, {} failed, {} skipped, {} not run",
            s.passed,
            self.checks.len(),
            s.failed,
            s.skipped,
            s.not_run
        )
    }

    /// The text report.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for note in &self.notes {
            out.push_str(&format!("note: {note}\n"));
        }
        for c in &self.checks {
            let (word, reason) = match &c.status {
                Status::Passed => ("ok     ", None),
                Status::Failed => ("FAILED ", None),
                Status::Skipped { reason } => ("skipped", Some(reason)),
                Status::NotRun { reason } => ("NOT RUN", Some(reason)),
            };
            out.push_str(&format!("{} {word} {}", c.id, c.name));
            if let Some(covered) = c.covered.as_deref().filter(|s| !s.is_empty()) {
                out.push_str(&format!(" ({covered})"));
            }
            out.push('\n');
            if let Some(reason) = reason {
                out.push_str(&format!("      {reason}\n"));
            }
            for f in c.failures.iter().take(TEXT_FAILURES) {
                out.push_str(&format!("      {}: {}\n", f.item, f.detail));
            }
            if c.failures.len() > TEXT_FAILURES {
                out.push_str(&format!(
                    "      ... and {} more (use --json for all)\n",
                    c.failures.len() - TEXT_FAILURES
                ));
            }
        }
        out.push_str(&self.counts_text());
        out.push_str(&self.summary_line());
        out.push('\n');
        out
    }

    /// The recomputed counts, one line per district and contest.
    fn counts_text(&self) -> String {
        let mut out = String::new();
        if self.counts.is_empty() {
            return out;
        }
        out.push_str(
            "counts recomputed by the verifier from the trustees' decryption shares (V13), \
             every check before it passed:\n",
        );
        let mut line = String::new();
        let mut current: Option<(&str, &str)> = None;
        for c in &self.counts {
            let here = (c.district.as_str(), c.contest.as_str());
            if current != Some(here) {
                if !line.is_empty() {
                    out.push_str(&line);
                    out.push('\n');
                }
                current = Some(here);
                line = format!(
                    "  district {} ({} ballots), contest {}:",
                    c.district, c.ballots, c.contest
                );
            } else {
                line.push(',');
            }
            line.push_str(&format!(" {} {}", c.candidate, c.count));
        }
        out.push_str(&line);
        out.push('\n');
        out
    }

    /// The JSON report: this structure plus the summary and the exit status.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Json<'a> {
            #[serde(flatten)]
            report: &'a Report,
            summary: Summary,
            verdict: String,
            exit_code: i32,
        }
        serde_json::to_string_pretty(&Json {
            report: self,
            summary: self.summary(),
            verdict: self.verdict(),
            exit_code: self.exit_code(),
        })
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot encode the report: {e}\"}}"))
    }
}

/// A failure item naming a file.
pub fn item_file(name: &str) -> String {
    format!("file {name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Check = Check {
        id: "V01",
        name: "a",
    };
    const B: Check = Check {
        id: "V02",
        name: "b",
    };

    #[test]
    fn exit_codes_and_rendering() {
        let mut r = Report::new("check", &[A, B]);
        assert_eq!(r.exit_code(), 2, "nothing ran yet");
        r.ran(A, "1 file", vec![]);
        r.ran(B, "", vec![]);
        assert_eq!(r.exit_code(), 0);
        r.failed(B, "ballot ab", "proof does not verify");
        assert_eq!(r.exit_code(), 1);
        assert!(r.to_text().contains("V02 FAILED  b"));
        assert!(r.to_text().contains("ballot ab: proof does not verify"));
        let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(json["checks"][1]["status"], "failed");
        assert_eq!(json["checks"][1]["failures"][0]["item"], "ballot ab");
        assert_eq!(json["summary"]["failed"], 1);
        assert_eq!(json["exit_code"], 1);
        r.skipped(B, "V01 failed");
        assert_eq!(r.exit_code(), 1);
        r.not_run(A, "cannot read");
        assert_eq!(r.exit_code(), 2);
    }

    #[test]
    fn a_check_that_covered_only_part_never_passes() {
        let unchecked = || Failure {
            item: "file x".into(),
            detail: "2 items unreadable".into(),
        };
        let mut r = Report::new("check", &[A, B]);
        r.ran(A, "", vec![]);
        r.ran_partly(B, "5 items", vec![], unchecked());
        assert!(matches!(
            r.status(B),
            Some(Status::Skipped { reason }) if reason == "file x: 2 items unreadable"
        ));
        assert!(
            r.to_text().contains("V02 skipped b (5 items)"),
            "{}",
            r.to_text()
        );
        assert_eq!(r.exit_code(), 1);
        let bad = Failure {
            item: "item 3".into(),
            detail: "wrong".into(),
        };
        r.ran_partly(B, "5 items", vec![bad.clone()], unchecked());
        assert_eq!(r.status(B), Some(&Status::Failed));
        assert_eq!(r.checks[1].failures, vec![bad, unchecked()]);
    }

    #[test]
    fn the_verdict_says_whether_the_officials_key_was_pinned() {
        let mut r = Report::new("check", &[A]);
        r.ran(A, "", vec![]);
        assert!(r
            .summary_line()
            .starts_with("VERIFIED (officials' key NOT pinned"));
        r.officials_key_pinned = true;
        assert_eq!(
            r.summary_line(),
            "VERIFIED: 1 of 1 checks passed, 0 failed, 0 skipped, 0 not run"
        );
        let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(json["verdict"], "VERIFIED");
        assert_eq!(json["officials_key_pinned"], true);
        assert!(json.get("counts").is_none(), "no counts were recomputed");
    }

    #[test]
    fn counts_are_printed_one_line_per_contest() {
        let mut r = Report::new("check", &[A]);
        let count =
            |district: &str, contest: &str, selection, candidate: &str, count| VerifiedCount {
                district: district.into(),
                contest: contest.into(),
                selection,
                candidate: candidate.into(),
                ballots: 3,
                count,
            };
        r.counts = vec![
            count("north", "council", 0, "ann", 2),
            count("north", "council", 1, "bob", 1),
            count("south", "council", 0, "ann", 0),
        ];
        let text = r.to_text();
        assert!(
            text.contains("  district north (3 ballots), contest council: ann 2, bob 1\n")
                && text.contains("  district south (3 ballots), contest council: ann 0\n"),
            "{text}"
        );
        let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(json["counts"][1]["candidate"], "bob");
        assert_eq!(json["counts"][1]["count"], 1);
    }
}
