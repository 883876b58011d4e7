//! What each stage of the national-scale run cost: wall clock, CPU seconds of this process
//! (`getrusage(RUSAGE_SELF)`: all its threads) and of the programs it ran
//! (`getrusage(RUSAGE_CHILDREN)` once they have exited; `/proc/PID/stat` for the collector,
//! which runs across stages), and a per-item figure; rendered as a markdown table.

use std::time::Instant;

use anyhow::{Context, Result};
use nix::sys::resource::{getrusage, UsageWho};
use nix::sys::time::TimeVal;
use serde::{Deserialize, Serialize};

/// One line of the timings table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The stage and, where a stage has several, the step (`count: tally import`).
    pub name: String,
    /// Wall clock, seconds.
    pub wall_s: f64,
    /// CPU seconds of the national-scale run's own process.
    pub cpu_s: f64,
    /// CPU seconds of the programs it ran (the collector for the cast).
    pub child_cpu_s: f64,
    /// How many items the stage handled (0: no per-item figure).
    pub items: u64,
    /// What the per-item figure is.
    pub figure: Figure,
}

/// The per-item figure of a row.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Figure {
    /// None.
    #[default]
    None,
    /// Items (named) per second of wall clock.
    PerSecond(String),
    /// Milliseconds of CPU (this process and its programs) per item (named).
    CpuMsEach(String),
}

impl Row {
    /// Adds another measurement of the same step (the cast's chunks).
    pub fn add(&mut self, other: &Row) {
        self.wall_s += other.wall_s;
        self.cpu_s += other.cpu_s;
        self.child_cpu_s += other.child_cpu_s;
        self.items += other.items;
    }

    /// The per-item figure, for people.
    pub fn per_item(&self) -> String {
        let n = self.items as f64;
        match &self.figure {
            _ if self.items == 0 => String::new(),
            Figure::None => String::new(),
            Figure::PerSecond(unit) => format!("{:.1} {unit}/s", n / self.wall_s.max(1e-9)),
            Figure::CpuMsEach(unit) => format!(
                "{:.2} ms CPU per {unit}",
                (self.cpu_s + self.child_cpu_s) * 1000.0 / n
            ),
        }
    }
}

/// The markdown table of `rows`.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| stage | wall clock | CPU, this process | CPU, programs | items | per item |\n\
         |---|---|---|---|---|---|\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {:.1} s | {:.1} s | {} | {} |\n",
            r.name,
            duration(r.wall_s),
            r.cpu_s,
            r.child_cpu_s,
            if r.items == 0 {
                String::new()
            } else {
                r.items.to_string()
            },
            r.per_item()
        ));
    }
    out
}

/// `12.3 s`, or `1 h 02 min 03 s` from a minute on.
pub fn duration(seconds: f64) -> String {
    if seconds < 60.0 {
        return format!("{seconds:.1} s");
    }
    let s = seconds.round() as u64;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h} h {m:02} min {s:02} s")
    } else {
        format!("{m} min {s:02} s")
    }
}

/// A running measurement.
#[derive(Debug)]
pub struct Stopwatch {
    wall: Instant,
    own: f64,
    children: f64,
}

impl Stopwatch {
    /// Starts measuring now.
    pub fn start() -> Result<Stopwatch> {
        Ok(Stopwatch {
            wall: Instant::now(),
            own: cpu(UsageWho::RUSAGE_SELF)?,
            children: cpu(UsageWho::RUSAGE_CHILDREN)?,
        })
    }

    /// The row `name` for what happened since the start: `items` handled, with `figure`.
    /// `child_cpu_s` is added to the CPU of the programs that exited meanwhile (the
    /// collector's share, read from `/proc` while it runs), and `exited_before` is taken
    /// from it (the CPU a long-running program that exited in this stage had already used
    /// before it, and which belongs to earlier stages).
    pub fn stop(
        &self,
        name: &str,
        items: u64,
        figure: Figure,
        child_cpu_s: f64,
        exited_before: f64,
    ) -> Result<Row> {
        let children = cpu(UsageWho::RUSAGE_CHILDREN)? - self.children - exited_before;
        Ok(Row {
            name: name.to_owned(),
            wall_s: self.wall.elapsed().as_secs_f64(),
            cpu_s: cpu(UsageWho::RUSAGE_SELF)? - self.own,
            child_cpu_s: children.max(0.0) + child_cpu_s,
            items,
            figure,
        })
    }
}

impl Stopwatch {
    /// Adds what happened since the start to `row` (a step measured in parts: the cast's
    /// chunks): `items` more, and `child_cpu_s` of the programs' CPU.
    pub fn add_to(&self, row: &mut Row, items: u64, child_cpu_s: f64) -> Result<()> {
        let measured = self.stop(&row.name, items, row.figure.clone(), child_cpu_s, 0.0)?;
        row.add(&measured);
        Ok(())
    }
}

fn seconds(t: TimeVal) -> f64 {
    t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6
}

/// User + system CPU seconds of `who`.
fn cpu(who: UsageWho) -> Result<f64> {
    let usage = getrusage(who).context("getrusage failed")?;
    Ok(seconds(usage.user_time()) + seconds(usage.system_time()))
}

/// User + system CPU seconds so far of the running process `pid` (`/proc/PID/stat`).
pub fn process_cpu(pid: u32) -> Result<f64> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    let after = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .with_context(|| format!("{path} is not understood"))?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of the whole line (utime, stime) are the 12th and 13th after it.
    let ticks = |i: usize| -> Result<f64> {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .map(|t| t as f64)
            .with_context(|| format!("{path} is not understood"))
    };
    let per_second = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .filter(|&t| t > 0)
        .unwrap_or(100) as f64;
    Ok((ticks(11)? + ticks(12)?) / per_second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(12.34), "12.3 s");
        assert_eq!(duration(125.0), "2 min 05 s");
        assert_eq!(duration(3.0 * 3600.0 + 21.0 * 60.0), "3 h 21 min 00 s");
    }

    #[test]
    fn per_item_figures() {
        let mut r = Row {
            name: "cast: ballot creation".into(),
            wall_s: 10.0,
            cpu_s: 20.0,
            child_cpu_s: 0.0,
            items: 1000,
            figure: Figure::CpuMsEach("ballot".into()),
        };
        assert_eq!(r.per_item(), "20.00 ms CPU per ballot");
        r.add(&r.clone());
        assert_eq!(r.items, 2000);
        r.figure = Figure::PerSecond("submissions".into());
        assert_eq!(r.per_item(), "100.0 submissions/s");
        assert!(table(&[r]).contains("| cast: ballot creation | 20.0 s | 40.0 s |"));
    }

    #[test]
    fn reads_a_process_cpu_from_proc() {
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        assert!(x != 1);
        // This process, both ways: they agree to within the ticks' resolution.
        let from_proc = process_cpu(std::process::id()).unwrap();
        let from_rusage = cpu(UsageWho::RUSAGE_SELF).unwrap();
        assert!(
            (from_proc - from_rusage).abs() < 0.2,
            "{from_proc} vs {from_rusage}"
        );
    }
}
