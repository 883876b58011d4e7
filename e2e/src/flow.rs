//! A whole election with the real programs, step by step: setup, the collector, the voters,
//! closing and export, the count with some of the trustees, the record, the verifier. The
//! demo prints it; the end-to-end tests check every number against the [`VotingScript`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use ivote_protocol::{ElectionManifest, WindowCheck};

use crate::collector::CollectorProcess;
use crate::plan::{Counts, Shares, VotingScript};
use crate::programs::Programs;
use crate::setup::{set_up, ElectionFiles, SetupOptions};
use crate::voting::{cast_all, vote_command, Voting};

/// What the flow tells the person watching.
pub trait Ui: Sync {
    /// A new step begins.
    fn step(&self, title: &str);
    /// A line of detail.
    fn info(&self, line: &str);
    /// A step of `len` items begins; returns what to call after each.
    fn progress(&self, len: u64, title: &str) -> Box<dyn Progress>;
}

/// Progress through a step's items.
pub trait Progress: Sync {
    /// One more item done.
    fn inc(&self);
    /// `n` more items done.
    fn inc_by(&self, n: u64) {
        for _ in 0..n {
            self.inc();
        }
    }
    /// The step is over.
    fn finish(&self);
}

/// A UI that says nothing (tests).
#[derive(Debug)]
pub struct Quiet;

impl Ui for Quiet {
    fn step(&self, _: &str) {}
    fn info(&self, _: &str) {}
    fn progress(&self, _: u64, _: &str) -> Box<dyn Progress> {
        Box::new(Quiet)
    }
}

impl Progress for Quiet {
    fn inc(&self) {}
    fn finish(&self) {}
}

/// The election to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Voters in the roll.
    pub voters: usize,
    /// Voters with revoked certificates (their attempts are refused).
    pub revoked: usize,
    /// What share of voters abstain, revote, vote on paper.
    pub shares: Shares,
    /// The trustees who decrypt (1-based; at least 3 of the 5).
    pub trustees: Vec<u32>,
    /// Seed of the voters' choices.
    pub seed: u64,
    /// Voters casting at the same time.
    pub parallel: usize,
    /// The built browser booth (`booth::build`): the collector serves it, and voting stays
    /// open for votes by hand until Enter is pressed (the demo's `--keep-open`).
    pub booth: Option<PathBuf>,
}

/// What the election gave.
#[derive(Debug)]
pub struct ElectionRun {
    /// The election's files.
    pub files: ElectionFiles,
    /// What the voters did.
    pub plan: VotingScript,
    /// What the voting gave.
    pub voting: Voting,
    /// The results the tally published, as counts.
    pub results: Counts,
    /// The results table, as `tally results` prints it.
    pub results_table: String,
    /// The results page `tally results --format html --out` wrote (`results.html` in the
    /// election's folder).
    pub results_page: PathBuf,
    /// The verifier's report.
    pub verifier_report: String,
    /// The published record.
    pub record: PathBuf,
    /// Submissions beyond the script's: votes cast by hand in the booth.
    pub hand_votes: u64,
}

pub use ivote_protocol::clock::unix_now;

/// Waits until Unix second `t` (voting opens).
pub fn wait_until(t: i64) {
    while unix_now() < t {
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs the whole election in `dir` (created; must not hold an election already).
pub fn run(programs: &Programs, dir: &Path, options: &Options, ui: &dyn Ui) -> Result<ElectionRun> {
    if dir.join("manifest.toml").exists() {
        bail!(
            "{} already holds an election: give an empty or new folder",
            dir.display()
        );
    }
    let now = unix_now();
    // Voting opens two seconds after setup begins (the setup takes longer than that) and
    // would close in an hour; the officials close it as soon as the voters are done.
    let starts = now + 2;
    let setup = SetupOptions::example(options.voters, options.revoked, starts, now + 3600)?;
    ui.step("Setting up the election (officials, trustees, collector operator)");
    let files = set_up(programs, dir, &setup, now, |s| ui.info(s))?;
    let manifest = load_manifest(&files)?;
    let roll = read_roll(&files)?;
    let plan = VotingScript::draw(
        &manifest,
        &roll,
        options.revoked,
        options.shares,
        options.seed,
    );
    wait_until(starts);

    ui.step("Starting the collector (collector serve)");
    let logs = files.path("logs");
    std::fs::create_dir_all(&logs)?;
    let data = files.path("collector-data");
    let site = match &options.booth {
        Some(built) => Some(crate::booth::lay_out(built, &files)?),
        None => None,
    };
    let site_arg = site.as_ref().map(|s| s.to_string_lossy().into_owned());
    let extra: Vec<&str> = match &site_arg {
        Some(s) => vec!["--booth", s],
        None => vec![],
    };
    let collector =
        CollectorProcess::start(programs, &files, &data, &logs.join("collector.log"), &extra)?;
    ui.info(&format!("listening on {}", collector.url()));

    ui.step("Voting (voter-app vote, one process per vote)");
    let bar = ui.progress(plan.voters.len() as u64, "voters");
    let voting = cast_all(
        programs,
        &files,
        &manifest,
        collector.url(),
        &plan,
        options.parallel,
        &|| bar.inc(),
    )?;
    bar.finish();
    let voters = plan
        .voters
        .iter()
        .filter(|v| !v.revoked && !v.votes.is_empty())
        .count();
    ui.info(&format!(
        "{voters} voters cast {} votes ({} of them revotes); the collector refused {} attempts \
         with revoked certificates",
        voting.accepted,
        voting.accepted.saturating_sub(voters),
        voting.refused.len()
    ));
    if voting.accepted != plan.accepted_submissions() {
        bail!(
            "the collector accepted {} votes; the voters cast {}",
            voting.accepted,
            plan.accepted_submissions()
        );
    }
    refused_locally(programs, &files, &manifest, collector.url(), &plan, ui)?;
    second_device(programs, &files, collector.url(), &voting, ui)?;
    if site.is_some() {
        keep_open(&files, &plan, collector.url(), ui)?;
    }

    ui.step("Closing the election (collector close, by the officials) and exporting");
    let record = close_and_count(
        programs,
        &files,
        collector,
        &data,
        &plan,
        &options.trustees,
        ui,
    )?;
    let results = results(programs, &files, &record)?;
    let results_table = programs.run(
        "tally",
        [
            "results".as_ref(),
            record.as_os_str(),
            "--officials-key".as_ref(),
            files.path("officials/officials-key.hex").as_os_str(),
        ],
    )?;
    let results_page = files.path("results.html");
    programs.run(
        "tally",
        [
            "results".as_ref(),
            record.as_os_str(),
            "--officials-key".as_ref(),
            files.path("officials/officials-key.hex").as_os_str(),
            "--format".as_ref(),
            "html".as_ref(),
            "--out".as_ref(),
            results_page.as_os_str(),
        ],
    )?;

    ui.step("Verifying the election record (verifier check, as any observer would)");
    let verifier_report = programs.run(
        "verifier",
        [
            "check".as_ref(),
            record.as_os_str(),
            "--officials-key".as_ref(),
            files.officials_key_hex()?.as_ref(),
        ],
    )?;
    let in_box = report_number(&files.path("count"), "submissions in the box:")?;
    let hand_votes = in_box.saturating_sub(plan.accepted_submissions() as u64);
    Ok(ElectionRun {
        hand_votes,
        files,
        plan,
        voting,
        results,
        results_table,
        results_page,
        verifier_report,
        record,
    })
}

/// Voting stays open for votes by hand in the browser booth until Enter is pressed (or
/// standard input ends): prints the booth's address and the e-ID files of voters the script
/// left without a vote.
fn keep_open(files: &ElectionFiles, plan: &VotingScript, url: &str, ui: &dyn Ui) -> Result<()> {
    ui.step("Voting stays open: vote by hand in the browser booth");
    ui.info(&format!("the booth: {url}/booth/"));
    let spare: Vec<&str> = plan
        .voters
        .iter()
        .filter(|v| v.votes.is_empty() && !v.revoked && !v.on_paper_list)
        .take(3)
        .map(|v| v.code.as_str())
        .collect();
    let voters = files.voters();
    for code in &spare {
        ui.info(&format!(
            "a voter who has not voted: {}/{code}.cert.pem and {code}.key.pem",
            voters.display()
        ));
    }
    ui.info("(any voter's files work; your last vote counts, and the results will include it)");
    ui.info("press Enter to close voting and count");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(())
}

/// What follows the voting: `collector close` by the officials, the collector stopped, its
/// ballot box in `data` exported to `export/`, and the [`count`] by `trustees` in the
/// election folder. Returns the record folder.
pub fn close_and_count(
    programs: &Programs,
    files: &ElectionFiles,
    collector: CollectorProcess,
    data: &Path,
    plan: &VotingScript,
    trustees: &[u32],
    ui: &dyn Ui,
) -> Result<PathBuf> {
    close(programs, files, collector.url())?;
    collector.stop(Duration::from_secs(30))?;
    let export = files.path("export");
    export_box(programs, files, data, &export)?;
    let ballot_box = export.join("ballot-box.bin");
    ui.info(&format!("ballot box: {}", ballot_box.display()));
    count(programs, files, plan, &ballot_box, trustees, &files.dir, ui)
}

/// The count in the folder `work`: import with the paper list, decryption shares of
/// `trustees`, combine, publish (`work/record`, `work/auditors`). Returns the record folder.
pub fn count(
    programs: &Programs,
    files: &ElectionFiles,
    plan: &VotingScript,
    ballot_box: &Path,
    trustees: &[u32],
    work: &Path,
    ui: &dyn Ui,
) -> Result<PathBuf> {
    ui.step("Counting (tally import: every check again, the rules, the encrypted sums)");
    let count = import(programs, files, plan, ballot_box, work)?;
    ui.info(&format!(
        "{} voters on the paper list; report: {}",
        plan.paper_list().len(),
        count.join("import-report.txt").display()
    ));
    ui.step(&format!(
        "Decrypting the sums (tally decrypt-share by trustees {trustees:?}, then tally combine)"
    ));
    let shares = trustees
        .iter()
        .map(|&j| decrypt_share(programs, files, &count, ballot_box, j, work))
        .collect::<Result<Vec<_>>>()?;
    combine(programs, &count, &shares)?;
    ui.step("Publishing the election record (tally publish, signed by the officials)");
    let record = publish(programs, files, &count, ballot_box, work)?;
    ui.info(&format!("record: {}", record.display()));
    Ok(record)
}

/// `tally import` of `ballot_box` with the plan's paper list into `work/count`; returns
/// that count folder.
pub fn import(
    programs: &Programs,
    files: &ElectionFiles,
    plan: &VotingScript,
    ballot_box: &Path,
    work: &Path,
) -> Result<PathBuf> {
    std::fs::create_dir_all(work)?;
    let paper = work.join("paper-votes.csv");
    let mut list = String::from("id_code\n");
    for code in plan.paper_list() {
        list.push_str(code);
        list.push('\n');
    }
    std::fs::write(&paper, list)?;
    let count = work.join("count");
    programs.run(
        "tally",
        [
            "import".as_ref(),
            "--package".as_ref(),
            files.package().as_os_str(),
            "--officials-key".as_ref(),
            files.path("officials/officials-key.hex").as_os_str(),
            "--roll".as_ref(),
            files.roll().as_os_str(),
            "--country".as_ref(),
            "EE".as_ref(),
            "--ballot-box".as_ref(),
            ballot_box.as_os_str(),
            "--paper-votes".as_ref(),
            paper.as_os_str(),
            "--out".as_ref(),
            count.as_os_str(),
        ],
    )?;
    Ok(count)
}

/// Trustee `j`'s `tally decrypt-share` of the count of `ballot_box`; returns the share file
/// (`work/decryption-shares-J.bin`).
pub fn decrypt_share(
    programs: &Programs,
    files: &ElectionFiles,
    count: &Path,
    ballot_box: &Path,
    j: u32,
    work: &Path,
) -> Result<PathBuf> {
    let out = work.join(format!("decryption-shares-{j}.bin"));
    programs.run(
        "tally",
        [
            "decrypt-share".as_ref(),
            "--count".as_ref(),
            count.as_os_str(),
            "--ballot-box".as_ref(),
            ballot_box.as_os_str(),
            "--trustee".as_ref(),
            j.to_string().as_ref(),
            "--share".as_ref(),
            files
                .ceremony()
                .join(format!("trustee-{j}.share.SECRET.json"))
                .as_os_str(),
            "--passphrase-file".as_ref(),
            files.passphrase_file().as_os_str(),
            "--insecure-fast-kdf".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ],
    )?;
    Ok(out)
}

/// The `tally combine` arguments for `shares`.
pub fn combine_args(count: &Path, shares: &[PathBuf]) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = vec!["combine".into(), "--count".into(), count.into()];
    args.extend(shares.iter().map(|s| s.clone().into_os_string()));
    args
}

/// `tally combine` of `shares`.
pub fn combine(programs: &Programs, count: &Path, shares: &[PathBuf]) -> Result<()> {
    programs.run("tally", combine_args(count, shares))?;
    Ok(())
}

/// `tally publish` of the combined count into `work/record` and `work/auditors`; returns
/// the record folder.
pub fn publish(
    programs: &Programs,
    files: &ElectionFiles,
    count: &Path,
    ballot_box: &Path,
    work: &Path,
) -> Result<PathBuf> {
    let record = work.join("record");
    programs.run(
        "tally",
        [
            "publish".as_ref(),
            "--count".as_ref(),
            count.as_os_str(),
            "--ballot-box".as_ref(),
            ballot_box.as_os_str(),
            "--officials-key".as_ref(),
            files.officials_secret().as_os_str(),
            "--passphrase-file".as_ref(),
            files.passphrase_file().as_os_str(),
            "--insecure-fast-kdf".as_ref(),
            "--out".as_ref(),
            record.as_os_str(),
            "--auditors-out".as_ref(),
            work.join("auditors").as_os_str(),
        ],
    )?;
    Ok(record)
}

/// A voter tries a choice the contest does not allow: the app refuses it before sending.
fn refused_locally(
    programs: &Programs,
    files: &ElectionFiles,
    manifest: &ElectionManifest,
    url: &str,
    plan: &VotingScript,
    ui: &dyn Ui,
) -> Result<()> {
    let Some(voter) = plan
        .voters
        .iter()
        .find(|v| !v.revoked && v.district == "tallinn")
    else {
        return Ok(());
    };
    let contest = manifest
        .district("tallinn")
        .and_then(|d| d.contests.first())
        .context("the example manifest has a Tallinn contest")?;
    let two: Vec<String> = contest
        .candidates
        .iter()
        .take(2)
        .map(|c| format!("{}:{}", contest.id.as_str(), c.id.as_str()))
        .collect();
    let args = vote_command(files, url, &files.officials_key_hex()?, &voter.code, &two);
    let (_, printed) = programs.run_failing("voter-app", &args)?;
    if !printed.contains("app.bad_choice") {
        bail!("two marks in a vote-for-one contest were not refused by the app:\n{printed}");
    }
    ui.info("a voter who marked two candidates in a vote-for-one contest was stopped by the app before anything was sent");
    Ok(())
}

/// One voter checks their vote on a second device with the verification code.
fn second_device(
    programs: &Programs,
    files: &ElectionFiles,
    url: &str,
    voting: &Voting,
    ui: &dyn Ui,
) -> Result<()> {
    let Some((voter, code)) = &voting.verification_code else {
        bail!("no voter got a verification code");
    };
    let shown = programs.run(
        "voter-app",
        [
            "verify",
            "--collector",
            url,
            "--officials-key",
            &files.officials_key_hex()?,
            code,
        ],
    )?;
    ui.info(&format!(
        "voter {voter} checked their vote on a second device (voter-app verify):"
    ));
    for line in shown.lines() {
        ui.info(&format!("    {line}"));
    }
    Ok(())
}

/// The election's manifest, as the officials wrote it.
pub fn load_manifest(files: &ElectionFiles) -> Result<ElectionManifest> {
    let src = std::fs::read_to_string(files.manifest())?;
    ElectionManifest::from_toml(&src, WindowCheck::AllowPast)
        .map_err(|e| anyhow::anyhow!("the manifest does not load: {e}"))
}

/// The roll's (id code, district) pairs, in roll order.
pub fn read_roll(files: &ElectionFiles) -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(files.roll())?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .with_context(|| format!("the roll has no `{name}` column"))
    };
    let (code, district) = (col("id_code")?, col("district")?);
    Ok(lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter_map(|f| Some((f.get(code)?.to_string(), f.get(district)?.to_string())))
        .collect())
}

/// The number on the `name   N` line of the import report in the count folder `count`.
pub fn report_number(count: &Path, name: &str) -> Result<u64> {
    let path = count.join("import-report.txt");
    let report = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    report
        .lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("no `{name} N` line in {}:\n{report}", path.display()))
}

/// `tally results --format json` of `record`, read with the election's officials' key: the
/// published counts per (district, contest, selection).
pub fn results(programs: &Programs, files: &ElectionFiles, record: &Path) -> Result<Counts> {
    parse_results(&programs.run(
        "tally",
        [
            "results".as_ref(),
            record.as_os_str(),
            "--officials-key".as_ref(),
            files.path("officials/officials-key.hex").as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ],
    )?)
}

/// `tally results --format json` as counts per (district, contest, selection).
pub fn parse_results(json: &str) -> Result<Counts> {
    let v: serde_json::Value = serde_json::from_str(json).context("the results are not JSON")?;
    let field = |v: &serde_json::Value, name: &str| v.get(name).cloned().unwrap_or_default();
    let mut counts = BTreeMap::new();
    for c in field(&v, "contests")
        .as_array()
        .context("no contests in the results")?
    {
        let district = field(c, "district");
        let district = district.as_str().context("a contest without district")?;
        let contest = field(c, "contest");
        let contest = contest.as_str().context("a contest without id")?;
        for (s, sel) in field(c, "selections")
            .as_array()
            .context("a contest without selections")?
            .iter()
            .enumerate()
        {
            let votes = field(sel, "votes")
                .as_u64()
                .context("a selection without votes")?;
            counts.insert((district.to_owned(), contest.to_owned(), s), votes);
        }
    }
    Ok(counts)
}

/// `collector close` by the officials (their sealed key and the demo passphrase).
pub fn close(programs: &Programs, files: &ElectionFiles, url: &str) -> Result<()> {
    programs
        .run(
            "collector",
            [
                "close".as_ref(),
                "--collector".as_ref(),
                url.as_ref(),
                "--officials-key-file".as_ref(),
                files.officials_secret().as_os_str(),
                "--passphrase-file".as_ref(),
                files.passphrase_file().as_os_str(),
                "--insecure-fast-kdf".as_ref(),
            ],
        )
        .map(drop)
}

/// `collector export` of the closed ballot box in `data` into `out`.
pub fn export_box(
    programs: &Programs,
    files: &ElectionFiles,
    data: &Path,
    out: &Path,
) -> Result<()> {
    programs
        .run(
            "collector",
            [
                "export".as_ref(),
                "--package".as_ref(),
                files.package().as_os_str(),
                "--data".as_ref(),
                data.as_os_str(),
                "--out".as_ref(),
                out.as_os_str(),
                "--officials-key".as_ref(),
                files.officials_key_hex()?.as_ref(),
            ],
        )
        .map(drop)
}
