//! The national-scale run (`src/bin/national.rs`, docs/BENCHMARKS.md): a whole election
//! of the Estonian 2023 shape with the real programs, real P-384 e-ID signatures and real
//! proofs, every stage timed, resumable from `DIR/progress.json`.
//!
//! Stages, in order: [`Stage::Setup`] (manifest, demo PKI and roll, 3-of-5 ceremony,
//! officials' and collector's keys, package), [`Stage::Collector`] (`collector serve`),
//! [`Stage::Cast`] (chunks of challenges, ballots built here, submissions), [`Stage::Close`],
//! [`Stage::Export`], [`Stage::Count`] (`tally import`, `decrypt-share` by trustees 1, 3, 5,
//! `combine`, `publish`), [`Stage::Verify`] (`verifier check`, `verifier audit`) and
//! [`Stage::Compare`] (the published results and rule counts against the plan).

pub mod cast;
pub mod progress;
pub mod timing;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use ivote_testkit::manifest::plurality as plurality_manifest;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

use crate::collector::CollectorProcess;
use crate::flow::{self, Ui};
use crate::plan::VotingScript;
use crate::programs::Programs;
use crate::setup::{set_up, ElectionFiles, SetupOptions};
use progress::{write_atomic, ProgressFile};
use timing::{process_cpu, table, Figure, Row, Stopwatch};

/// The stages of a run, in order.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// The election's files.
    Setup,
    /// `collector serve` started.
    Collector,
    /// Every planned submission accepted.
    Cast,
    /// `collector close`, the collector stopped.
    Close,
    /// `collector export`.
    Export,
    /// The count and the record.
    Count,
    /// `verifier check` and `verifier audit`.
    Verify,
    /// Results and rule counts compared with the plan.
    Compare,
}

impl Stage {
    /// The stage's name, as `--until` takes it (`setup`, `cast`, ...).
    pub fn name(self) -> String {
        clap::ValueEnum::to_possible_value(&self)
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
}

/// What the run is: a rerun must give the same (they are kept in the progress file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    /// Districts, one 1-of-n plurality contest each (no blank).
    pub districts: usize,
    /// Candidates in all, split between the districts as evenly as possible.
    pub candidates: usize,
    /// Voters in the roll; every one e-votes.
    pub voters: usize,
    /// Voters who vote a second time.
    pub revotes: usize,
    /// E-voters on the paper-vote list.
    pub paper: usize,
    /// The demo e-IDs' key algorithm (`ed25519`, `p256`, `p384`).
    pub key_algorithm: String,
    /// Seed of the plan (who votes what, who revotes, who is on the paper list) and of the
    /// order of the submissions.
    pub seed: u64,
    /// Submissions per chunk of the cast.
    pub chunk: usize,
}

/// Trustees, threshold, and the trustees who decrypt.
const TRUSTEES: u32 = 5;
const THRESHOLD: u32 = 3;
const DECRYPTING: [u32; 3] = [1, 3, 5];
/// The voting window: long enough for a run resumed days later.
const VOTING_DAYS: i64 = 30;
/// Challenges must outlive the building of their chunk's ballots (fetched first).
const CHALLENGE_TTL: &str = "3600";

impl Params {
    /// The Estonian 2023 Riigikogu election's shape: 12 districts, 968 candidates,
    /// 313,514 e-voters, 10,787 revotes, 1,329 paper cancellations, P-384 ID cards.
    pub fn estonia_2023() -> Params {
        Params {
            districts: 12,
            candidates: 968,
            voters: 313_514,
            revotes: 10_787,
            paper: 1_329,
            key_algorithm: "p384".into(),
            seed: 2023,
            chunk: 4096,
        }
    }

    /// Refuses parameters that make no election.
    pub fn check(&self) -> Result<()> {
        if self.districts == 0 || self.candidates < self.districts {
            bail!("every district needs at least one candidate: give --candidates >= --districts");
        }
        if self.voters == 0 {
            bail!("give at least one voter");
        }
        if self.revotes > self.voters || self.paper > self.voters {
            bail!("--revotes and --paper cannot exceed --voters");
        }
        if self.chunk == 0 {
            bail!("--chunk must be at least 1");
        }
        if !["ed25519", "p256", "p384"].contains(&self.key_algorithm.as_str()) {
            bail!("--key-algorithm must be ed25519, p256 or p384");
        }
        Ok(())
    }

    /// Candidates per district: as even as possible, the larger districts first (968 in 12:
    /// 8 of 81, 4 of 80).
    pub fn district_sizes(&self) -> Vec<usize> {
        let d = self.districts.max(1);
        let (each, more) = (self.candidates / d, self.candidates % d);
        (0..d).map(|i| each + usize::from(i < more)).collect()
    }

    /// Submissions: every voter once, the revoters twice.
    pub fn submissions(&self) -> usize {
        self.voters + self.revotes
    }

    /// One line, for messages.
    pub fn describe(&self) -> String {
        format!(
            "{} districts, {} candidates, {} voters, {} revotes, {} paper, {} keys, seed {}, \
             chunks of {}",
            self.districts,
            self.candidates,
            self.voters,
            self.revotes,
            self.paper,
            self.key_algorithm,
            self.seed,
            self.chunk
        )
    }
}

/// How to run (may differ between a run and its resumption).
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Concurrent connections to the collector.
    pub concurrency: usize,
    /// Stop after this stage.
    pub until: Option<Stage>,
    /// For tests: interrupt the cast after this many submissions of its first chunk.
    pub interrupt_cast: Option<usize>,
}

/// What a run did.
#[derive(Debug)]
pub struct Summary {
    /// The timings of every stage done (this run's and earlier runs').
    pub rows: Vec<Row>,
    /// The last stage done.
    pub last: Option<Stage>,
    /// Stages skipped as already done.
    pub skipped: Vec<Stage>,
}

/// The run's folders and files.
struct Layout {
    dir: PathBuf,
    files: ElectionFiles,
}

impl Layout {
    fn new(dir: &Path) -> Layout {
        Layout {
            dir: dir.to_path_buf(),
            files: ElectionFiles {
                dir: dir.join("election"),
            },
        }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
    fn data(&self) -> PathBuf {
        self.path("collector-data")
    }
    fn ballot_box(&self) -> PathBuf {
        self.path("export/ballot-box.bin")
    }
    /// The count's working folder (`count/`, shares, `record/`, `auditors/`).
    fn tally(&self) -> PathBuf {
        self.path("tally")
    }
}

/// Runs (or resumes) the national-scale run in `dir`.
pub fn run(
    programs: &Programs,
    dir: &Path,
    params: &Params,
    options: &RunOptions,
    ui: &dyn Ui,
) -> Result<Summary> {
    params.check()?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let layout = Layout::new(dir);
    let mut progress = match ProgressFile::load(dir, params)? {
        Some(p) => p,
        None => {
            if std::fs::read_dir(dir)?.next().is_some() {
                bail!(
                    "{} is not empty and holds no national-scale run: give an empty or new folder",
                    dir.display()
                );
            }
            let p = ProgressFile::new(params.clone());
            p.save(dir)?;
            p
        }
    };
    let mut summary = Summary {
        rows: Vec::new(),
        last: None,
        skipped: progress.done.clone(),
    };
    let mut collector: Option<CollectorProcess> = None;
    let outcome = stages(
        &layout,
        programs,
        params,
        options,
        &mut progress,
        &mut collector,
        ui,
    );
    // Whatever happened, stop the collector cleanly (its journal is synced either way).
    if let Some(c) = collector.take() {
        c.stop(Duration::from_secs(60))?;
    }
    outcome?;
    summary.rows = progress.rows.clone();
    summary.last = progress.done.last().copied();
    write_timings(dir, params, &summary.rows)?;
    Ok(summary)
}

fn stages(
    layout: &Layout,
    programs: &Programs,
    params: &Params,
    options: &RunOptions,
    progress: &mut ProgressFile,
    collector: &mut Option<CollectorProcess>,
    ui: &dyn Ui,
) -> Result<()> {
    let dir = &layout.dir;
    let files = &layout.files;
    let stop_after = |stage: Stage| options.until == Some(stage);

    if !progress.is_done(Stage::Setup) {
        let rows = setup(layout, programs, params, ui)?;
        progress.finish(dir, Stage::Setup, rows)?;
    }
    let manifest = flow::load_manifest(files)?;
    let roll = flow::read_roll(files)?;
    let plan =
        VotingScript::draw_exact(&manifest, &roll, params.revotes, params.paper, params.seed);
    if plan.voters.len() != params.voters {
        bail!(
            "the roll has {} voters, the run {}",
            plan.voters.len(),
            params.voters
        );
    }
    if stop_after(Stage::Setup) {
        return Ok(());
    }

    if !progress.is_done(Stage::Close) {
        ui.step("The collector (collector serve)");
        let clock = Stopwatch::start()?;
        let started = start_collector(layout, programs)?;
        ui.info(&format!(
            "listening on {}, ballot box {}",
            started.url(),
            layout.data().display()
        ));
        let row = clock.stop(
            "collector start",
            0,
            Figure::None,
            process_cpu(started.pid())?,
            0.0,
        )?;
        *collector = Some(started);
        if !progress.is_done(Stage::Collector) {
            progress.finish(dir, Stage::Collector, vec![row])?;
        }
    }
    if stop_after(Stage::Collector) {
        return Ok(());
    }

    if !progress.is_done(Stage::Cast) {
        let running = collector.as_ref().context("the collector is not running")?;
        ui.step(&format!(
            "Casting {} submissions in chunks of {} ({} connections)",
            params.submissions(),
            params.chunk,
            options.concurrency
        ));
        let stream = cast::stream(&plan, params.seed);
        let pki = files.path("pki");
        cast::Cast {
            plan: &plan,
            pki: &pki,
            collector: running,
            chunk: params.chunk,
            concurrency: options.concurrency,
            interrupt_after: options.interrupt_cast,
        }
        .run(&stream, progress, dir, ui)?;
        let c = &progress.cast;
        let rows = vec![c.challenges.clone(), c.creation.clone(), c.intake.clone()];
        report(ui, &rows);
        progress.finish(dir, Stage::Cast, rows)?;
    }
    if stop_after(Stage::Cast) {
        return Ok(());
    }

    if !progress.is_done(Stage::Close) {
        ui.step("Closing (collector close, by the officials; the collector stopped)");
        let running = collector.take().context("the collector is not running")?;
        let clock = Stopwatch::start()?;
        let before = process_cpu(running.pid())?;
        // A close already done by an interrupted run is not done again.
        if !layout.data().join("final-head").exists() {
            flow::close(programs, files, running.url())?;
        }
        running.stop(Duration::from_secs(120))?;
        let row = clock.stop("close", 0, Figure::None, 0.0, before)?;
        report(ui, std::slice::from_ref(&row));
        progress.finish(dir, Stage::Close, vec![row])?;
    }
    if stop_after(Stage::Close) {
        return Ok(());
    }

    let submissions = (plan.accepted_submissions() + resubmitted(&plan, progress)) as u64;
    if !progress.is_done(Stage::Export) {
        ui.step("Exporting the ballot box (collector export)");
        remove(&layout.path("export"))?;
        let clock = Stopwatch::start()?;
        flow::export_box(programs, files, &layout.data(), &layout.path("export"))?;
        let row = clock.stop(
            "export",
            submissions,
            Figure::PerSecond("submissions".into()),
            0.0,
            0.0,
        )?;
        report(ui, std::slice::from_ref(&row));
        progress.finish(dir, Stage::Export, vec![row])?;
    }
    if stop_after(Stage::Export) {
        return Ok(());
    }

    if !progress.is_done(Stage::Count) {
        let rows = count(layout, programs, &plan, submissions, ui)?;
        progress.finish(dir, Stage::Count, rows)?;
    }
    if stop_after(Stage::Count) {
        return Ok(());
    }

    if !progress.is_done(Stage::Verify) {
        let rows = verify(layout, programs, &plan, submissions, ui)?;
        progress.finish(dir, Stage::Verify, rows)?;
    }
    if stop_after(Stage::Verify) {
        return Ok(());
    }

    if !progress.is_done(Stage::Compare) {
        ui.step("Comparing the published results and the rule counts with the plan");
        let clock = Stopwatch::start()?;
        compare(layout, programs, &plan, progress, ui)?;
        let row = clock.stop("compare with the plan", 0, Figure::None, 0.0, 0.0)?;
        progress.finish(dir, Stage::Compare, vec![row])?;
    }
    Ok(())
}

/// The setup stage, in `DIR/election` (removed first if an earlier run stopped in it).
fn setup(layout: &Layout, programs: &Programs, params: &Params, ui: &dyn Ui) -> Result<Vec<Row>> {
    ui.step(&format!(
        "Setting up: {} districts of {:?} candidates, {} voters with {} e-IDs, a {THRESHOLD}-of-{TRUSTEES} ceremony",
        params.districts,
        params.district_sizes(),
        params.voters,
        params.key_algorithm
    ));
    remove(&layout.files.dir)?;
    let clock = Stopwatch::start()?;
    let now = flow::unix_now();
    let starts = now + 2;
    let manifest = plurality_manifest(
        "national-run",
        &params.district_sizes(),
        starts,
        now + VOTING_DAYS * 86_400,
    )
    .map_err(anyhow::Error::msg)?;
    let options = SetupOptions {
        manifest,
        key_algorithm: params.key_algorithm.clone(),
        voters: params.voters,
        revoked: 0,
        trustees: TRUSTEES,
        threshold: THRESHOLD,
    };
    set_up(programs, &layout.files.dir, &options, now, |s| ui.info(s))?;
    flow::wait_until(starts);
    let row = clock.stop(
        "setup (PKI, ceremony, keys, package)",
        params.voters as u64,
        Figure::PerSecond("voters".into()),
        0.0,
        0.0,
    )?;
    report(ui, std::slice::from_ref(&row));
    Ok(vec![row])
}

/// The count stage, in `DIR/tally` (removed first if an earlier run stopped in it): each
/// program timed, and the whole.
fn count(
    layout: &Layout,
    programs: &Programs,
    plan: &VotingScript,
    submissions: u64,
    ui: &dyn Ui,
) -> Result<Vec<Row>> {
    ui.step(&format!(
        "Counting: tally import, decrypt-share by trustees {DECRYPTING:?}, combine, publish"
    ));
    let work = layout.tally();
    remove(&work)?;
    let files = &layout.files;
    let ballot_box = layout.ballot_box();
    let mut rows = Vec::new();

    let clock = Stopwatch::start()?;
    let count = flow::import(programs, files, plan, &ballot_box, &work)?;
    rows.push(clock.stop(
        "count: tally import",
        submissions,
        Figure::PerSecond("submissions".into()),
        0.0,
        0.0,
    )?);
    let mut shares = Vec::new();
    for j in DECRYPTING {
        let clock = Stopwatch::start()?;
        shares.push(flow::decrypt_share(
            programs,
            files,
            &count,
            &ballot_box,
            j,
            &work,
        )?);
        rows.push(clock.stop(
            &format!("count: tally decrypt-share (trustee {j})"),
            0,
            Figure::None,
            0.0,
            0.0,
        )?);
    }
    let clock = Stopwatch::start()?;
    flow::combine(programs, &count, &shares)?;
    rows.push(clock.stop("count: tally combine", 0, Figure::None, 0.0, 0.0)?);
    let clock = Stopwatch::start()?;
    flow::publish(programs, files, &count, &ballot_box, &work)?;
    rows.push(clock.stop("count: tally publish", 0, Figure::None, 0.0, 0.0)?);

    let mut total = Row {
        name: "count: tally total".into(),
        items: 0,
        figure: Figure::PerSecond("submissions".into()),
        ..Row::default()
    };
    for r in &rows {
        total.add(r);
    }
    total.items = submissions;
    rows.push(total);
    report(ui, &rows);
    Ok(rows)
}

/// The verify stage: `verifier check` on the record, `verifier audit` with the auditors'
/// bundle.
fn verify(
    layout: &Layout,
    programs: &Programs,
    plan: &VotingScript,
    submissions: u64,
    ui: &dyn Ui,
) -> Result<Vec<Row>> {
    ui.step("Verifying: verifier check (anyone), verifier audit (the auditors)");
    let record = layout.tally().join("record");
    let key = layout.files.officials_key_hex()?;
    let clock = Stopwatch::start()?;
    let checked = programs.run(
        "verifier",
        [
            "check".as_ref(),
            record.as_os_str(),
            "--officials-key".as_ref(),
            key.as_ref(),
            "--quiet".as_ref(),
        ],
    )?;
    let check = clock.stop(
        "verify: verifier check",
        plan.counted_voters() as u64,
        Figure::PerSecond("ballots".into()),
        0.0,
        0.0,
    )?;
    let clock = Stopwatch::start()?;
    let audited = programs.run(
        "verifier",
        [
            "audit".as_ref(),
            record.as_os_str(),
            layout.tally().join("auditors").as_os_str(),
            "--roll".as_ref(),
            layout.files.roll().as_os_str(),
            "--country".as_ref(),
            "EE".as_ref(),
            "--officials-key".as_ref(),
            key.as_ref(),
            "--quiet".as_ref(),
        ],
    )?;
    let audit = clock.stop(
        "verify: verifier audit",
        submissions,
        Figure::PerSecond("submissions".into()),
        0.0,
        0.0,
    )?;
    for (what, out) in [("check", &checked), ("audit", &audited)] {
        if !out.contains("VERIFIED") || out.contains("NOT VERIFIED") {
            bail!("verifier {what} did not verify the record:\n{out}");
        }
    }
    let rows = vec![check, audit];
    report(ui, &rows);
    Ok(rows)
}

/// The rule counts of `tally import`'s report.
#[derive(Debug, PartialEq, Eq)]
pub struct RuleCounts {
    /// Submissions in the ballot box.
    pub submissions: u64,
    /// Ballots counted (one per voter whose vote counts).
    pub counted: u64,
    /// Submissions superseded by a later one of the same voter.
    pub superseded: u64,
    /// Voters on the paper list who e-voted.
    pub cancelled_voters: u64,
    /// Their submissions.
    pub cancelled_submissions: u64,
    /// Submissions rejected as invalid.
    pub rejected: u64,
}

impl RuleCounts {
    /// What the rules give for `plan`, with the voters in `resubmitted` holding that many
    /// submissions instead of their planned ones.
    pub fn expected(
        plan: &VotingScript,
        resubmitted: &std::collections::BTreeMap<String, u32>,
    ) -> Self {
        let mut c = RuleCounts {
            submissions: 0,
            counted: 0,
            superseded: 0,
            cancelled_voters: 0,
            cancelled_submissions: 0,
            rejected: 0,
        };
        for v in plan
            .voters
            .iter()
            .filter(|v| !v.revoked && !v.votes.is_empty())
        {
            let n = resubmitted
                .get(&v.code)
                .map_or(v.votes.len() as u64, |&n| u64::from(n));
            c.submissions += n;
            if v.on_paper_list {
                c.cancelled_voters += 1;
                c.cancelled_submissions += n;
            } else {
                c.counted += 1;
                c.superseded += n - 1;
            }
        }
        c
    }

    /// The counts in the import report of the count folder `count`.
    pub fn from_report(count: &Path) -> Result<Self> {
        let n = |name: &str| flow::report_number(count, name);
        Ok(RuleCounts {
            submissions: n("submissions in the box:")?,
            counted: n("ballots counted:")?,
            superseded: n("superseded by a revote:")?,
            cancelled_voters: n("cancelled voters:")?,
            cancelled_submissions: n("cancelled submissions:")?,
            rejected: n("rejected (invalid):")?,
        })
    }
}

/// Submissions beyond the plan (chunks sent again after an interruption).
fn resubmitted(plan: &VotingScript, progress: &ProgressFile) -> usize {
    plan.voters
        .iter()
        .filter_map(|v| {
            let n = *progress.cast.resubmitted.get(&v.code)? as usize;
            Some(n.saturating_sub(v.votes.len()))
        })
        .sum()
}

/// The published results against the plan's (each voter's last vote, paper voters'
/// cancelled), and the import report's rule counts against the plan's.
fn compare(
    layout: &Layout,
    programs: &Programs,
    plan: &VotingScript,
    progress: &ProgressFile,
    ui: &dyn Ui,
) -> Result<()> {
    let files = &layout.files;
    let manifest = flow::load_manifest(files)?;
    let json = programs.run(
        "tally",
        [
            "results".as_ref(),
            layout.tally().join("record").as_os_str(),
            "--officials-key".as_ref(),
            files.path("officials/officials-key.hex").as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ],
    )?;
    let results = flow::parse_results(&json)?;
    let expected = plan.expected(&manifest);
    if results != expected {
        let differ = expected
            .iter()
            .filter(|(k, v)| results.get(*k) != Some(*v))
            .count();
        bail!(
            "THE PUBLISHED RESULTS DIFFER FROM WHAT THE VOTERS CAST: {differ} of {} selections",
            expected.len()
        );
    }
    let counts = RuleCounts::from_report(&layout.tally().join("count"))?;
    let planned = RuleCounts::expected(plan, &progress.cast.resubmitted);
    if counts != planned {
        bail!("THE COUNT'S RULE COUNTS DIFFER FROM THE PLAN'S:\n  count: {counts:?}\n  plan:  {planned:?}");
    }
    ui.info(&format!(
        "the results are exactly what the {} counted voters cast, over {} selections",
        counts.counted,
        expected.len()
    ));
    ui.info(&format!(
        "rule counts as planned: {} submissions, {} superseded by a revote, {} voters \
         ({} submissions) cancelled by paper votes, none rejected",
        counts.submissions,
        counts.superseded,
        counts.cancelled_voters,
        counts.cancelled_submissions
    ));
    if !progress.cast.resubmitted.is_empty() {
        ui.info(&format!(
            "{} voters have extra submissions from a chunk sent again after an interruption",
            progress.cast.resubmitted.len()
        ));
    }
    Ok(())
}

/// Starts `collector serve` on the run's ballot box, after stopping one an interrupted run
/// left behind (its process id is in `logs/collector.pid`); each start logs to a new
/// `logs/collector-N.log`.
fn start_collector(layout: &Layout, programs: &Programs) -> Result<CollectorProcess> {
    let logs = layout.path("logs");
    std::fs::create_dir_all(&logs)?;
    let pid_file = logs.join("collector.pid");
    stop_leftover(&pid_file, &layout.data())?;
    let log = (1..)
        .map(|n| logs.join(format!("collector-{n}.log")))
        .find(|p| !p.exists())
        .context("no free log name")?;
    let collector = CollectorProcess::start(
        programs,
        &layout.files,
        &layout.data(),
        &log,
        &["--challenge-ttl", CHALLENGE_TTL],
    )?;
    write_atomic(&pid_file, collector.pid().to_string().as_bytes())?;
    Ok(collector)
}

/// Stops the collector of `pid_file` if it still runs on `data` (a run killed without
/// stopping its collector), so that a new one can open the ballot box.
fn stop_leftover(pid_file: &Path, data: &Path) -> Result<()> {
    let Ok(text) = std::fs::read_to_string(pid_file) else {
        return Ok(());
    };
    let Ok(pid) = text.trim().parse::<i32>() else {
        return Ok(());
    };
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    let cmdline = std::fs::read(proc_dir.join("cmdline")).unwrap_or_default();
    let args: Vec<String> = cmdline
        .split(|&b| b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let data = data.to_string_lossy();
    if !(args.iter().any(|a| a == "serve") && args.iter().any(|a| *a == *data)) {
        return Ok(());
    }
    kill(Pid::from_raw(pid), Signal::SIGTERM).context("cannot stop the earlier collector")?;
    for _ in 0..600 {
        if !proc_dir.exists() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("the collector of an earlier run (process {pid}) did not stop within 60 s of SIGTERM")
}

/// Removes a stage's output folder left by an interrupted run.
fn remove(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// Prints rows as they finish.
fn report(ui: &dyn Ui, rows: &[Row]) {
    for r in rows {
        ui.info(&format!(
            "{}: {} wall, {:.1} s CPU here, {:.1} s CPU in the programs{}",
            r.name,
            timing::duration(r.wall_s),
            r.cpu_s,
            r.child_cpu_s,
            match r.per_item() {
                s if s.is_empty() => s,
                s => format!("; {s}"),
            }
        ));
    }
}

/// `DIR/timings.md` and `DIR/timings.json`.
fn write_timings(dir: &Path, params: &Params, rows: &[Row]) -> Result<()> {
    let md = format!(
        "National-scale run: {}.\n\n{}",
        params.describe(),
        table(rows)
    );
    write_atomic(&dir.join("timings.md"), md.as_bytes())?;
    let json = serde_json::json!({ "params": params, "rows": rows });
    write_atomic(
        &dir.join("timings.json"),
        serde_json::to_string_pretty(&json)?.as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estonia_2023_splits_968_candidates_into_8_of_81_and_4_of_80() {
        let p = Params::estonia_2023();
        let sizes = p.district_sizes();
        assert_eq!(sizes, [vec![81; 8], vec![80; 4]].concat());
        assert_eq!(p.submissions(), 324_301);
        p.check().unwrap();
        let bad = Params {
            candidates: 5,
            districts: 6,
            ..p
        };
        assert!(bad.check().is_err());
    }
}
