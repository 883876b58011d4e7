//! `DIR/progress.json`: what a national-scale run has done, so that rerunning the same
//! command carries on where it stopped. Written whole to a temporary file, synced and
//! renamed over the old one after every stage and every chunk of the cast, so it is always
//! either the old or the new state.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use super::timing::{Figure, Row};
use super::{Params, Stage};

/// The progress file's name in the run's folder.
pub const PROGRESS_FILE: &str = "progress.json";

/// Everything a rerun needs to know.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProgressFile {
    /// The run's parameters: a rerun with other ones is refused.
    pub params: Params,
    /// The stages done, in order.
    pub done: Vec<Stage>,
    /// The timings of the stages done (a stage may have several rows).
    pub rows: Vec<Row>,
    /// How far the cast is.
    pub cast: CastProgress,
}

/// The cast's progress: chunks done, and the timings summed over them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CastProgress {
    /// Chunks whose every submission was accepted (they are done in order).
    pub chunks_done: usize,
    /// Fetching the challenges, summed over the chunks done.
    pub challenges: Row,
    /// Building the ballots.
    pub creation: Row,
    /// Submitting them and checking the receipts.
    pub intake: Row,
    /// Voters with more submissions in the ballot box than the plan gives them, and how
    /// many they have (from the collector's receipt of their last planned vote): a chunk
    /// redone after an interruption sends its submissions again.
    pub resubmitted: BTreeMap<String, u32>,
}

impl Default for CastProgress {
    fn default() -> Self {
        let row = |name: &str, figure| Row {
            name: name.into(),
            figure,
            ..Row::default()
        };
        CastProgress {
            chunks_done: 0,
            challenges: row("cast: challenges", Figure::PerSecond("challenges".into())),
            creation: row("cast: ballot creation", Figure::CpuMsEach("ballot".into())),
            intake: row(
                "cast: collector intake",
                Figure::PerSecond("submissions".into()),
            ),
            resubmitted: BTreeMap::new(),
        }
    }
}

impl ProgressFile {
    /// A new run's progress.
    pub fn new(params: Params) -> ProgressFile {
        ProgressFile {
            params,
            done: Vec::new(),
            rows: Vec::new(),
            cast: CastProgress::default(),
        }
    }

    /// The progress in `dir`, if a run was started there; refused if it was started with
    /// other parameters.
    pub fn load(dir: &Path, params: &Params) -> Result<Option<ProgressFile>> {
        let path = dir.join(PROGRESS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let progress: ProgressFile = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a progress file", path.display()))?;
        if &progress.params != params {
            bail!(
                "{} holds a run with other parameters:\n  that run: {}\n  this one: {}\n\
                 rerun with the same parameters to resume it, or give another --dir",
                dir.display(),
                progress.params.describe(),
                params.describe()
            );
        }
        Ok(Some(progress))
    }

    /// Whether `stage` is done.
    pub fn is_done(&self, stage: Stage) -> bool {
        self.done.contains(&stage)
    }

    /// Records `stage` as done with its timing `rows`, and saves.
    pub fn finish(&mut self, dir: &Path, stage: Stage, rows: Vec<Row>) -> Result<()> {
        self.rows.extend(rows);
        self.done.push(stage);
        self.save(dir)
    }

    /// Writes the file (atomically: a synced temporary file renamed over it).
    pub fn save(&self, dir: &Path) -> Result<()> {
        let json = serde_json::to_string_pretty(self).context("cannot write the progress")?;
        write_atomic(&dir.join(PROGRESS_FILE), json.as_bytes())
    }
}

/// Writes `bytes` to `path` atomically ([`ivote_protocol::fs::write_atomically`]), the error
/// naming the file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    ivote_protocol::fs::write_atomically(path, |w| w.write_all(bytes))
        .with_context(|| format!("cannot write {}", path.display()))
}
